// The results' tables as text: what the page draws is what Copy writes and what the CLI prints.
#include "core/result_tables.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/csv_reader.h"
#include "core/presets.h"

namespace scalecalc {
namespace {

TEST(CellsTable, FlagsSayEveryReasonAnOptimumIsUnsure) {
  FitSummary fit;
  Cell edge;
  edge.params = 1e8, edge.tokens = 2e9, edge.runs = 4, edge.lr = 3e-4, edge.batch_tokens = 65536;
  edge.loss = 2.5, edge.lr_edge = -1, edge.smooth = SmoothOutcome::kTooFewValues;
  Cell convex = edge;
  convex.lr_edge = 0, convex.batch_edge = 1, convex.smooth = SmoothOutcome::kNotConvex;
  Cell clean = edge;
  clean.lr_edge = 0, clean.smooth = SmoothOutcome::kFitted;
  fit.cells = {edge, convex, clean};
  const TableText table = CellsTable(fit);
  ASSERT_EQ(table.rows.size(), 3u);
  ASSERT_EQ(table.headers.back(), "flags");
  EXPECT_EQ(table.rows[0].back(), "lr below too few values");
  EXPECT_EQ(table.rows[1].back(), "batch above not convex");
  EXPECT_EQ(table.rows[2].back(), "");
  // Copy writes the same cells (the flags included) as tab-separated text.
  const std::string tsv = ToTsv(table);
  EXPECT_NE(tsv.find("\tlr below too few values\n"), std::string::npos) << tsv;
}

TEST(CellsTable, ARealSweepHasARowPerCell) {
  ReadResult read = ReadRuns(
      "params,tokens,lr,loss\n1e8,2e9,1e-4,2.6\n1e8,2e9,3e-4,2.5\n2e8,2e9,1e-4,2.5\n"
      "2e8,2e9,3e-4,2.45\n",
      ReadOptions{});
  ASSERT_TRUE(read.ok);
  FitOptions options;
  options.optimum = OptimumMethod::kSmooth;
  options.bootstrap_samples = 0;
  const FitSummary fit = Fit(read.table, options);
  const TableText table = CellsTable(fit);
  ASSERT_EQ(table.rows.size(), fit.cells.size());
  ASSERT_EQ(fit.cells.size(), 2u);
  // Two learning rates per cell: no quadratic.
  for (const auto& row : table.rows) {
    EXPECT_EQ(row.size(), table.headers.size());
    EXPECT_NE(row.back().find("too few values"), std::string::npos) << row.back();
  }
}

// The planner's table, as the page and the CLI show it: the recommended N read back from its cell
// agrees with the plan to the cell's 3 digits; a law set without samples or shapes has no such
// rows; a fixed size says so; a compared plan is a fourth column.
TEST(PlanTable, RowsSayWhatThePlanHolds) {
  const PresetInfo* paper = FindPreset("paper");
  ASSERT_NE(paper, nullptr);
  PlanOptions options;
  options.budget_flops = 1e22;
  const Plan plan = MakePlan(paper->laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  const TableText table = PlanTable(plan, options);
  ASSERT_EQ(table.headers.size(), 3u);
  const auto find = [&](const TableText& t,
                        const std::string& prefix) -> const std::vector<std::string>* {
    for (const auto& row : t.rows) {
      if (row[0].rfind(prefix, 0) == 0) return &row;
    }
    return nullptr;
  };
  const std::vector<std::string>* n = find(table, "model size N");
  ASSERT_NE(n, nullptr);
  ASSERT_EQ((*n)[1].back(), 'B') << (*n)[1];  // billions
  EXPECT_NEAR(std::stod((*n)[1]) * 1e9 / plan.optimum.params, 1.0, 0.005) << (*n)[1];
  EXPECT_NE(find(table, "batch size (samples of"), nullptr);
  EXPECT_NE(find(table, "shape"), nullptr);

  PlanTableOptions llm;
  llm.sample_word = "";
  llm.shape = false;
  const TableText bare = PlanTable(plan, options, llm);
  EXPECT_EQ(find(bare, "batch size (samples"), nullptr);
  EXPECT_EQ(find(bare, "shape"), nullptr);

  PlanOptions fixed = options;
  fixed.fixed_params = 1e9;
  const Plan at_size = MakePlan(paper->laws, fixed);
  ASSERT_TRUE(at_size.ok) << at_size.message;
  PlanTableOptions compared;
  compared.compare = &plan;
  compared.compare_title = "free";
  const TableText two = PlanTable(at_size, fixed, compared);
  ASSERT_EQ(two.headers.size(), 4u);
  EXPECT_EQ(two.headers[3], "free");
  const std::vector<std::string>* fixed_n = find(two, "model size N (parameters, fixed)");
  ASSERT_NE(fixed_n, nullptr);
  EXPECT_EQ((*fixed_n)[3], (*n)[1]);  // the compared plan's N, formatted as the first table's
  // Copy writes the same cells.
  EXPECT_NE(ToTsv(two).find("model size N (parameters, fixed)\t"), std::string::npos);
}

// The groups side by side: every row as wide as the header; a group without a loss law says why
// in the law's first column; intervals, when there are, are a cell's second line.
TEST(GroupComparisonTable, FittedAndUnfittedGroupsLineUp) {
  std::ifstream file(std::string(SCALECALC_ASSETS_DIR) + "/example_sweep.csv");
  std::stringstream csv;
  csv << file.rdbuf();
  const ReadResult read = ReadRuns(csv.str(), ReadOptions{});
  ASSERT_TRUE(read.ok);
  FitOptions options;
  options.bootstrap_samples = 20;
  GroupAnalysis fitted;
  fitted.name = "example";
  fitted.runs = static_cast<int>(read.table.runs.size());
  fitted.analysis = AnalyzeTable(read.table, options, ComputeModel(), nullptr);
  ASSERT_TRUE(fitted.analysis.fit.ok);
  GroupAnalysis empty;
  empty.name = "empty";
  const TableText table = GroupComparisonTable({fitted, empty});
  ASSERT_EQ(table.rows.size(), 2u);
  for (const auto& row : table.rows) EXPECT_EQ(row.size(), table.headers.size());
  EXPECT_EQ(table.headers[kGroupLawColumn], "E");
  const std::string& e = table.rows[0][kGroupLawColumn];
  ASSERT_NE(e.find('\n'), std::string::npos) << e;  // E, then its interval
  EXPECT_NEAR(std::stod(e), fitted.analysis.fit.loss.law.E, 1e-3 * fitted.analysis.fit.loss.law.E);
  EXPECT_EQ(e.substr(e.find('\n') + 1, 1), "[");
  EXPECT_EQ(table.rows[1][kGroupLawColumn].rfind("loss law not fitted [", 0), 0u)
      << table.rows[1][kGroupLawColumn];
}

}  // namespace
}  // namespace scalecalc

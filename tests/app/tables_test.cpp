// The panels' tables as text: what the Fit panel draws is what its Copy writes.
#include "app/tables.h"

#include <gtest/gtest.h>

#include "core/csv_reader.h"

namespace scalecalc::app {
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

}  // namespace
}  // namespace scalecalc::app

// From a saved state to results: reading with exclusions, quick and bootstrap fits, and moving
// bootstrap samples between processes (the page's worker) without changing a single interval.
#include "core/analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace scalecalc {
namespace {

AnalysisState ExampleState() {
  std::ifstream file(std::string(SCALECALC_ASSETS_DIR) + "/example_sweep.csv");
  std::stringstream text;
  text << file.rdbuf();
  AnalysisState state;
  state.csv_text = text.str();
  state.fit.bootstrap_samples = 40;
  state.fit.seed = 7;
  return state;
}

void ExpectSameInterval(const Interval& a, const Interval& b) {
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
}

TEST(Analysis, ExcludedRowsAreMarked) {
  AnalysisState state = ExampleState();
  state.excluded_rows = {5, 2};
  const ReadResult read = ReadAnalysisRuns(state);
  ASSERT_TRUE(read.ok);
  ASSERT_EQ(read.table.runs.size(), 600u);
  for (const scalecalc::Run& run : read.table.runs)
    EXPECT_EQ(run.excluded, run.data_row == 2 || run.data_row == 5);
  EXPECT_EQ(read.table.CountIncluded(), 598);
}

TEST(Analysis, QuickFitHasNoSamplesAndBootstrapFitHasThem) {
  const AnalysisState state = ExampleState();
  const ReadResult read = ReadAnalysisRuns(state);
  const FitSummary quick = FitAnalysis(state, read.table, /*bootstrap=*/false);
  ASSERT_TRUE(quick.ok) << quick.message;
  EXPECT_TRUE(quick.laws.loss_samples.empty());
  EXPECT_FALSE(std::isfinite(quick.loss.alpha_ci.lo));
  const FitSummary full = FitAnalysis(state, read.table, /*bootstrap=*/true);
  ASSERT_TRUE(full.ok) << full.message;
  EXPECT_EQ(full.bootstrap_samples_done, 40);
  // The point estimates do not depend on the bootstrap.
  EXPECT_EQ(quick.loss.law.alpha, full.loss.law.alpha);
}

TEST(Analysis, AttachedSamplesGiveTheSameIntervalsAsAFullFit) {
  const AnalysisState state = ExampleState();
  const ReadResult read = ReadAnalysisRuns(state);
  const FitSummary full = FitAnalysis(state, read.table, /*bootstrap=*/true);
  FitSummary quick = FitAnalysis(state, read.table, /*bootstrap=*/false);
  ASSERT_TRUE(full.ok && quick.ok);
  ASSERT_TRUE(AttachBootstrapSamples(FlattenSamples(full.laws), &quick));
  EXPECT_EQ(quick.bootstrap_samples_done, full.bootstrap_samples_done);
  ExpectSameInterval(quick.loss.E_ci, full.loss.E_ci);
  ExpectSameInterval(quick.loss.alpha_ci, full.loss.alpha_ci);
  ExpectSameInterval(quick.loss.beta_ci, full.loss.beta_ci);
  ExpectSameInterval(quick.lr_law.exp_params_ci, full.lr_law.exp_params_ci);
  ExpectSameInterval(quick.batch_law.exp_tokens_ci, full.batch_law.exp_tokens_ci);
  // And the plan's intervals, which come from the samples.
  const Plan from_full = PlanAnalysis(state, full.laws);
  const Plan from_attached = PlanAnalysis(state, quick.laws);
  ASSERT_TRUE(from_full.ok);
  ExpectSameInterval(from_full.params_ci, from_attached.params_ci);
  EXPECT_LT(from_full.params_ci.lo, from_full.optimum.params);
  EXPECT_GT(from_full.params_ci.hi, from_full.optimum.params);
}

TEST(Analysis, MalformedSampleArraysAreRefused) {
  const AnalysisState state = ExampleState();
  const ReadResult read = ReadAnalysisRuns(state);
  FitSummary quick = FitAnalysis(state, read.table, /*bootstrap=*/false);
  const double alpha = quick.loss.law.alpha;
  EXPECT_FALSE(AttachBootstrapSamples(std::vector<double>(kFlatSampleWidth + 1, 1.0), &quick));
  EXPECT_EQ(quick.bootstrap_samples_done, 0);
  EXPECT_TRUE(quick.laws.loss_samples.empty());
  EXPECT_EQ(quick.loss.law.alpha, alpha);
  // Empty is well-formed: no samples, no intervals.
  EXPECT_TRUE(AttachBootstrapSamples({}, &quick));
  EXPECT_FALSE(std::isfinite(quick.loss.alpha_ci.lo));
}

TEST(Analysis, FlattenRoundTripsEveryField) {
  LawSet laws;
  laws.loss_samples = {{1, 2, 0.3, 4, 0.5}, {1.5, 2.5, 0.35, 4.5, 0.55}};
  laws.lr_samples = {{1e-3, -0.2, -0.05}, {2e-3, -0.25, -0.04}};
  laws.batch_samples = {{2e4, 0.2, 0.8}, {3e4, 0.19, 0.81}};
  LawSet back;
  ASSERT_TRUE(UnflattenSamples(FlattenSamples(laws), &back));
  ASSERT_EQ(back.loss_samples.size(), 2u);
  EXPECT_EQ(back.loss_samples[1].beta, 0.55);
  EXPECT_EQ(back.lr_samples[0].exp_tokens, -0.05);
  EXPECT_EQ(back.batch_samples[1].coef, 3e4);
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

TEST(Analysis, BudgetUnitsConvertBothWays) {
  AnalysisState state;
  state.plan.budget_flops = 8.64e21;
  state.budget_unit = BudgetUnit::kPfDays;  // 1 PF-day = 1e15 FLOP/s x 86,400 s
  EXPECT_DOUBLE_EQ(BudgetInUnit(state), 100.0);
  EXPECT_DOUBLE_EQ(BudgetFlopsFromUnit(state, 1.0), 8.64e19);
  state.budget_unit = BudgetUnit::kGpuHours;
  state.gpu_flops_per_second = 4e14;  // one hour: 1.44e18 FLOPs
  EXPECT_DOUBLE_EQ(BudgetFlopsFromUnit(state, 1000.0), 1.44e21);
  EXPECT_DOUBLE_EQ(BudgetInUnit(state), 8.64e21 / 1.44e18);
}

}  // namespace
}  // namespace scalecalc

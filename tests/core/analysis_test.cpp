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

// The page's path through the stages (point fits, then the workers' resamples attached and the
// fit planned again) ends where Analyze does in one go: the same plan, intervals, Approach 2 and
// design, bit for bit.
TEST(Analysis, StagesOneAtATimeEndWhereAnalyzeEnds) {
  const AnalysisState state = ExampleState();
  const Analysis whole = Analyze(state);
  ASSERT_TRUE(whole.fit.ok && whole.planned && whole.plan.ok);

  AnalyzeOptions quick;
  quick.bootstrap = false;
  Analysis page;
  ReadStage(state, &page);
  FitStage(state, quick, &page);
  PlanStage(state, quick, &page);
  ASSERT_TRUE(page.planned && page.plan.ok);
  EXPECT_FALSE(std::isfinite(page.plan.params_ci.lo));  // pending until the resamples come
  const FitSummary resampled = FitAnalysis(state, page.read.table, /*bootstrap=*/true);
  ASSERT_TRUE(AttachBootstrapSamples(FlattenSamples(resampled.laws), &page.fit));
  PlanHeadlineStage(state, quick, &page);

  EXPECT_EQ(page.plan.optimum.params, whole.plan.optimum.params);
  ExpectSameInterval(page.plan.params_ci, whole.plan.params_ci);
  ExpectSameInterval(page.plan.loss_ci, whole.plan.loss_ci);
  EXPECT_EQ(page.isoflop.applicable, whole.isoflop.applicable);
  EXPECT_EQ(page.design.termination, whole.design.termination);
  ASSERT_EQ(page.design.candidates.size(), whole.design.candidates.size());
  if (!whole.design.candidates.empty()) {
    EXPECT_EQ(page.design.candidates[0].params, whole.design.candidates[0].params);
    EXPECT_EQ(page.design.candidates[0].tokens, whole.design.candidates[0].tokens);
  }
}

// One size, several token budgets, a learning-rate sweep at each: the loss law cannot be fitted
// (one N), the lr law only in T. A partial fit: planned at a fixed size, refused with the reason
// otherwise; scalecalc fit without --budget plans nothing.
TEST(Analysis, APartialFitIsPlannedAtAFixedSizeAndSaysWhyNotOtherwise) {
  std::ostringstream csv;
  csv << "params,tokens,lr,batch_size,loss\n";
  for (double tokens : {1e9, 2e9, 4e9, 8e9}) {
    const double lr_opt = 3e-3 * std::pow(tokens / 1e9, -0.2);
    for (double step : {-2.0, -1.0, 0.0, 1.0, 2.0}) {
      const double lr = lr_opt * std::pow(2.0, step);
      const double loss = 2.0 + 5.0 * std::pow(tokens, -0.3) + 0.02 * step * step;
      csv << 1e8 << "," << tokens << "," << lr << ",256," << loss << "\n";
    }
  }
  AnalysisState state;
  state.csv_text = csv.str();
  state.fit.bootstrap_samples = 0;
  const Analysis free_size = Analyze(state);
  ASSERT_EQ(free_size.fit.status, ResultStatus::kPartial) << free_size.fit.message;
  EXPECT_FALSE(free_size.fit.ok);
  EXPECT_TRUE(free_size.planned);
  EXPECT_FALSE(free_size.plan.ok);
  EXPECT_EQ(free_size.plan.message.rfind("not planned: the fit is partial (", 0), 0u)
      << free_size.plan.message;
  EXPECT_EQ(free_size.design.termination, DesignTermination::kNoLossLaw);

  state.plan.fixed_params = 1e8;
  const Analysis fixed = Analyze(state);
  ASSERT_TRUE(fixed.planned);
  ASSERT_TRUE(fixed.plan.ok) << fixed.plan.message;
  // The size as given, the budget spent on tokens; the lr law fitted in T alone is reported, not
  // planned from (it knows nothing of N).
  EXPECT_EQ(fixed.plan.ideal.params, 1e8);
  EXPECT_NEAR(TrainingFlops(state.compute, 1e8, fixed.plan.ideal.tokens) / state.plan.budget_flops,
              1.0, 1e-9);
  EXPECT_TRUE(std::isnan(fixed.plan.optimum.lr));

  AnalyzeOptions no_budget;
  no_budget.plan = false;
  const Analysis unplanned = Analyze(state, no_budget);
  EXPECT_FALSE(unplanned.planned);
  EXPECT_FALSE(unplanned.plan.ok);
  EXPECT_TRUE(unplanned.plan.message.empty());
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

// The fitting engine's contract: options, enums, bad and degenerate input, determinism,
// cancellation, reports, and its parts (cells, resampler, hyperparameter and loss-law fits,
// sensitivity) on small hand-made cases whose answers follow from their construction.
#include "core/fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/bootstrap.h"
#include "core/cells.h"
#include "core/hyper_law_fit.h"
#include "core/loss_law_fit.h"
#include "test_util.h"

namespace scalecalc {
namespace {

// A 3 x 3 grid of (N, T) without a sweep, on an exact loss law: losses from the law itself.
LossLaw ExampleLaw() {
  LossLaw law;
  law.E = 1.7;
  law.A = 400;
  law.alpha = 0.34;
  law.B = 1500;
  law.beta = 0.3;
  return law;
}

RunTable ExactTable(int sizes = 4, int budgets = 4) {
  const LossLaw law = ExampleLaw();
  RunTable table;
  int row = 0;
  for (int i = 0; i < sizes; ++i) {
    for (int j = 0; j < budgets; ++j) {
      scalecalc::Run run;
      run.params = 1e7 * std::pow(4.0, i);
      run.tokens = 1e9 * std::pow(3.0, j);
      run.flops = 6 * run.params * run.tokens;
      run.loss = law.Eval(run.params, run.tokens);
      run.data_row = ++row;
      run.line = row + 1;
      table.runs.push_back(run);
    }
  }
  return table;
}

// ---- Enums and options ----

TEST(FitOptions, OptimumMethodNamesRoundTrip) {
  for (OptimumMethod m : {OptimumMethod::kArgmin, OptimumMethod::kBand, OptimumMethod::kSmooth}) {
    OptimumMethod parsed = OptimumMethod::kArgmin;
    ASSERT_TRUE(FromString(ToString(m), &parsed));
    EXPECT_EQ(parsed, m);
  }
  EXPECT_STREQ(ToString(OptimumMethod::kBand), "band");
  OptimumMethod untouched = OptimumMethod::kSmooth;
  EXPECT_FALSE(FromString("Argmin ", &untouched));
  EXPECT_FALSE(FromString("", &untouched));
  EXPECT_EQ(untouched, OptimumMethod::kSmooth);
  FitTermination t = FitTermination::kNoData;
  EXPECT_TRUE(FromString(ToString(FitTermination::kCancelled), &t));
  EXPECT_EQ(t, FitTermination::kCancelled);
}

TEST(FitOptions, DefaultsAreValid) {
  std::string error = "stale";
  EXPECT_TRUE(FitOptions().IsValid(&error));
  EXPECT_TRUE(error.empty());
}

TEST(FitOptions, EachBadFieldIsNamedWithValueAndRule) {
  struct Case {
    void (*spoil)(FitOptions*);
    const char* field;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  (void)nan;
  const Case cases[] = {
      {[](FitOptions* o) { o->band_tolerance = -0.01; }, "band_tolerance"},
      {[](FitOptions* o) { o->band_tolerance = std::nan(""); }, "band_tolerance"},
      {[](FitOptions* o) { o->cell_tolerance = 0.7; }, "cell_tolerance"},
      {[](FitOptions* o) { o->cell_tolerance = INFINITY; }, "cell_tolerance"},
      {[](FitOptions* o) { o->huber_delta = 0; }, "huber_delta"},
      {[](FitOptions* o) { o->huber_delta = std::nan(""); }, "huber_delta"},
      {[](FitOptions* o) { o->bootstrap_samples = -1; }, "bootstrap_samples"},
      {[](FitOptions* o) { o->bootstrap_samples = 10000000; }, "bootstrap_samples"},
      {[](FitOptions* o) { o->sensitivity_cap = 0; }, "sensitivity_cap"},
      {[](FitOptions* o) { o->optimum = static_cast<OptimumMethod>(7); }, "optimum"},
  };
  for (const Case& c : cases) {
    FitOptions options;
    c.spoil(&options);
    std::string error;
    EXPECT_FALSE(options.IsValid(&error)) << c.field;
    EXPECT_NE(error.find(c.field), std::string::npos) << error;
    EXPECT_NE(error.find(" = "), std::string::npos) << error;  // the value is shown
    const FitSummary s = Fit(ExactTable(), options);
    EXPECT_FALSE(s.ok);
    EXPECT_EQ(s.termination, FitTermination::kFailed);
    EXPECT_NE(s.message.find(c.field), std::string::npos) << s.message;
  }
  FitOptions no_cap;
  no_cap.sensitivity_cap = INFINITY;  // every run
  EXPECT_TRUE(no_cap.IsValid(nullptr));
}

// ---- Bad and degenerate input ----

TEST(Fit, EmptyTable) {
  const FitSummary s = Fit(RunTable(), FitOptions());
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.termination, FitTermination::kNoData);
  EXPECT_FALSE(s.message.empty());
  EXPECT_FALSE(s.loss.law.IsSet());
  EXPECT_NE(s.BriefReport().find("no data"), std::string::npos);
  EXPECT_NE(s.FullReport().find("not fitted"), std::string::npos);
}

TEST(Fit, AllRunsExcluded) {
  RunTable table = ExactTable();
  for (scalecalc::Run& run : table.runs) run.excluded = true;
  const FitSummary s = Fit(table, FitOptions());
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.termination, FitTermination::kNoData);
  EXPECT_NE(s.message.find("excluded"), std::string::npos) << s.message;
  ASSERT_EQ(s.excluded_rows.size(), table.runs.size());
  EXPECT_EQ(s.excluded_rows.front(), 1);
  EXPECT_EQ(s.excluded_rows.back(), static_cast<int>(table.runs.size()));
}

TEST(Fit, BadValuesInIncludedRunsAreNamedByRow) {
  for (double bad : {std::nan(""), -1.0, 0.0, HUGE_VAL}) {
    RunTable table = ExactTable();
    table.runs[5].loss = bad;
    table.runs[5].line = 9;
    const FitSummary s = Fit(table, FitOptions());
    EXPECT_FALSE(s.ok);
    EXPECT_EQ(s.termination, FitTermination::kFailed);
    EXPECT_NE(s.message.find("data row 6"), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("line 9"), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("loss"), std::string::npos) << s.message;
  }
  RunTable table = ExactTable();
  table.runs[2].params = -5;
  EXPECT_NE(Fit(table, FitOptions()).message.find("model size"), std::string::npos);
  // A sweep table whose learning rate is missing in one run.
  RunTable sweep;
  test::AddBowlCell(&sweep, 1e8, 1e9, {1e-3, 2e-3, 4e-3}, {1e5, 2e5}, 2e-3, 1.5e5, 2.0);
  sweep.runs[1].lr = std::nan("");
  EXPECT_NE(Fit(sweep, FitOptions()).message.find("learning rate"), std::string::npos);
}

TEST(Fit, ExcludedRunsAreIgnoredEverywhere) {
  FitOptions options;
  options.bootstrap_samples = 0;
  const FitSummary clean = Fit(ExactTable(), options);
  RunTable spoiled = ExactTable();
  scalecalc::Run junk = spoiled.runs[0];
  junk.loss = std::nan("");  // junk that would fail the fit if it entered
  junk.params = -1;
  junk.excluded = true;
  junk.data_row = 99;
  spoiled.runs.insert(spoiled.runs.begin() + 3, junk);
  scalecalc::Run high = spoiled.runs[7];
  high.loss *= 3;  // an outlier that would move the fit
  high.excluded = true;
  high.data_row = 100;
  spoiled.runs.push_back(high);
  const FitSummary s = Fit(spoiled, options);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(s.excluded_rows, (std::vector<int>{99, 100}));
  EXPECT_EQ(s.loss.points, clean.loss.points);
  EXPECT_DOUBLE_EQ(s.loss.law.alpha, clean.loss.law.alpha);
  EXPECT_DOUBLE_EQ(s.loss.law.E, clean.loss.law.E);
  EXPECT_NE(s.FullReport().find("99, 100"), std::string::npos);
}

TEST(Fit, SingleCellCannotGiveLaws) {
  RunTable table;
  test::AddBowlCell(&table, 1e8, 2e9, test::Geometric(1e-4, 2, 6), test::Geometric(32768, 2, 4),
                    5e-4, 1e5, 2.0);
  const FitSummary s = Fit(table, FitOptions());
  EXPECT_FALSE(s.ok);
  // Too few points, not "no data" (issue 13): a partial result with its cell.
  EXPECT_EQ(s.termination, FitTermination::kTooFewPoints);
  EXPECT_EQ(s.status, scalecalc::ResultStatus::kPartial);
  EXPECT_NE(s.message.find("3 distinct"), std::string::npos) << s.message;
  EXPECT_FALSE(s.lr_law.law.IsSet());
  EXPECT_FALSE(s.loss.law.IsSet());
  // The cell and its optimum are still reported.
  ASSERT_EQ(s.cells.size(), 1u);
  EXPECT_EQ(s.cells[0].runs, 24);
  EXPECT_TRUE(s.has_sweep);
}

TEST(Fit, TooFewModelSizesLeavesHyperLawsUnset) {
  RunTable table;
  for (double params : {1e8, 2e8}) {
    for (double tokens : {1e9, 2e9, 4e9}) {
      test::AddBowlCell(&table, params, tokens, test::Geometric(1e-4, 2, 5),
                        test::Geometric(32768, 2, 4), 4e-4, 1e5, 2.0);
    }
  }
  const FitSummary s = Fit(table, FitOptions());
  EXPECT_FALSE(s.ok);
  EXPECT_FALSE(s.lr_law.law.IsSet());
  EXPECT_FALSE(s.batch_law.law.IsSet());
  EXPECT_FALSE(s.laws.lr.IsSet());
  EXPECT_NE(s.message.find("learning-rate law not fitted"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("3 distinct model sizes"), std::string::npos) << s.message;
}

TEST(Fit, ConstantLearningRateIsNoSweep) {
  // An lr column that never varies inside a cell: no lr law, and the note says why.
  RunTable table = ExactTable();
  table.has_lr = true;
  for (scalecalc::Run& run : table.runs) run.lr = 3e-4;
  FitOptions options;
  options.bootstrap_samples = 0;
  const FitSummary s = Fit(table, options);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_FALSE(s.has_sweep);
  EXPECT_FALSE(s.lr_law.law.IsSet());
  EXPECT_NE(s.message.find("learning rate does not vary"), std::string::npos) << s.message;
}

TEST(Fit, ExactLawIsRecovered) {
  // Losses straight from a law: the objective's minimum is 0, at the law.
  FitOptions options;
  options.bootstrap_samples = 20;
  const FitSummary s = Fit(ExactTable(), options);
  ASSERT_TRUE(s.ok) << s.message;
  const LossLaw truth = ExampleLaw();
  EXPECT_NEAR(s.loss.law.alpha, truth.alpha, 1e-4);
  EXPECT_NEAR(s.loss.law.beta, truth.beta, 1e-4);
  EXPECT_NEAR(s.loss.law.E, truth.E, 1e-4);
  EXPECT_NEAR(s.loss.law.A / truth.A, 1.0, 1e-3);
  EXPECT_NEAR(s.loss.law.B / truth.B, 1.0, 1e-3);
  EXPECT_LT(s.loss.objective, 1e-12);
  EXPECT_LT(s.loss.holdout_rel_error, 1e-5);
  EXPECT_EQ(s.loss.points, 16);
  EXPECT_EQ(s.bootstrap_samples_done + 0, static_cast<int>(s.laws.loss_samples.size()));
}

TEST(Fit, DuplicatedRunsGiveTheSameLaw) {
  FitOptions options;
  options.bootstrap_samples = 0;
  RunTable table = test::LoadChinchilla();
  ASSERT_FALSE(table.runs.empty());
  test::ExcludeHighestLosses(&table, 5);
  const FitSummary once = Fit(table, options);
  RunTable twice = table;
  twice.runs.insert(twice.runs.end(), table.runs.begin(), table.runs.end());
  const FitSummary s = Fit(twice, options);
  ASSERT_TRUE(once.ok && s.ok);
  EXPECT_NEAR(s.loss.objective / once.loss.objective, 2.0, 1e-6);
  EXPECT_NEAR(s.loss.law.alpha, once.loss.law.alpha, 1e-5);
  EXPECT_NEAR(s.loss.law.beta, once.loss.law.beta, 1e-5);
  EXPECT_EQ(s.excluded_rows.size(), 10u);
}

// ---- Bootstrap: determinism and cancellation ----

TEST(Fit, SameSeedIsBitIdenticalOtherSeedDiffers) {
  RunTable table = test::LoadChinchilla();
  test::ExcludeHighestLosses(&table, 5);
  FitOptions options;
  options.bootstrap_samples = 30;
  options.extrapolation_check = false;
  options.seed = 42;
  const FitSummary a = Fit(table, options);
  const FitSummary b = Fit(table, options);
  ASSERT_TRUE(a.ok && b.ok);
  ASSERT_EQ(a.laws.loss_samples.size(), 30u);
  ASSERT_EQ(a.laws.loss_samples.size(), b.laws.loss_samples.size());
  for (size_t k = 0; k < a.laws.loss_samples.size(); ++k) {
    EXPECT_EQ(a.laws.loss_samples[k].E, b.laws.loss_samples[k].E);
    EXPECT_EQ(a.laws.loss_samples[k].A, b.laws.loss_samples[k].A);
    EXPECT_EQ(a.laws.loss_samples[k].alpha, b.laws.loss_samples[k].alpha);
    EXPECT_EQ(a.laws.loss_samples[k].B, b.laws.loss_samples[k].B);
    EXPECT_EQ(a.laws.loss_samples[k].beta, b.laws.loss_samples[k].beta);
  }
  EXPECT_EQ(a.loss.alpha_ci.lo, b.loss.alpha_ci.lo);
  EXPECT_EQ(a.loss.beta_ci.hi, b.loss.beta_ci.hi);
  options.seed = 43;
  const FitSummary c = Fit(table, options);
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(c.loss.law.alpha, a.loss.law.alpha);  // the point estimate does not use the seed
  EXPECT_NE(c.loss.alpha_ci.lo, a.loss.alpha_ci.lo);
  EXPECT_NE(c.loss.beta_ci.hi, a.loss.beta_ci.hi);
}

TEST(Fit, ProgressReportsAndCancels) {
  RunTable table = ExactTable();
  FitOptions options;
  options.bootstrap_samples = 40;
  int calls = 0, last_done = -1;
  bool monotone = true, total_ok = true;
  const FitSummary full = Fit(table, options, [&](int done, int total) {
    ++calls;
    monotone = monotone && done > last_done;
    total_ok = total_ok && total == 40;
    last_done = done;
    return true;
  });
  ASSERT_TRUE(full.ok) << full.message;
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(monotone);
  EXPECT_TRUE(total_ok);
  EXPECT_EQ(last_done, 40);

  // Cancelled after the tenth resample.
  const FitSummary cancelled = Fit(table, options, [](int done, int) { return done < 10; });
  EXPECT_FALSE(cancelled.ok);
  EXPECT_EQ(cancelled.termination, FitTermination::kCancelled);
  EXPECT_NE(cancelled.message.find("cancelled"), std::string::npos) << cancelled.message;
  EXPECT_EQ(cancelled.bootstrap_samples_done, 10);
  EXPECT_TRUE(cancelled.loss.law.IsSet());  // the point fit is kept

  // Cancelled before the first resample.
  const FitSummary at_once = Fit(table, options, [](int, int) { return false; });
  EXPECT_EQ(at_once.termination, FitTermination::kCancelled);
  EXPECT_EQ(at_once.bootstrap_samples_done, 0);
}

TEST(Resampler, MapsTheStandardEngineOutput) {
  // C++ [rand.predef]: the first output of mt19937_64 with the default seed 5489 is
  // 14514284786278117030. Index(2^32) must be its high 32 bits, Index(2^63) its high 63 bits.
  const uint64_t first = 14514284786278117030ull;
  EXPECT_EQ(Resampler(5489).Index(uint64_t{1} << 32), first >> 32);
  EXPECT_EQ(Resampler(5489).Index(uint64_t{1} << 63), first >> 1);
  EXPECT_EQ(Resampler(5489).Index(1), 0u);
  // 3 * first / 2^64, computed with long double-free arithmetic: first is 0.7868...*2^64.
  EXPECT_EQ(Resampler(5489).Index(3), 2u);
  Resampler r(9);
  for (int k = 0; k < 1000; ++k) EXPECT_LT(r.Index(17), 17u);
  const std::vector<int> counts = Resampler(4).Counts(50);
  int sum = 0;
  for (int c : counts) sum += c;
  EXPECT_EQ(sum, 50);
  EXPECT_TRUE(Resampler(1).Counts(0).empty());
}

// ---- Cells ----

TEST(Cells, GroupingHonoursTheTolerance) {
  int groups = 0;
  const std::vector<int> g = GroupValues({1.0, 1.005, 2.0, 1.02, 2.01}, 0.01, &groups);
  EXPECT_EQ(groups, 3);
  EXPECT_EQ(g[0], g[1]);  // 0.5% apart
  EXPECT_NE(g[1], g[3]);  // 1.5% apart
  EXPECT_EQ(g[2], g[4]);
  EXPECT_EQ(CountDistinct({5, 5, 5}, 0), 1);
  EXPECT_EQ(CountDistinct({}, 0.01), 0);

  RunTable table = ExactTable(3, 3);
  table.runs[4].params *= 1.003;  // within 1% of its neighbours: same cell
  const std::vector<Cell> cells = GroupCells(table, 0.01);
  ASSERT_EQ(cells.size(), 9u);
  for (size_t k = 1; k < cells.size(); ++k) {
    EXPECT_TRUE(cells[k - 1].params < cells[k].params ||
                (cells[k - 1].params == cells[k].params && cells[k - 1].tokens < cells[k].tokens));
  }
  // Exact grouping splits the moved run off: its own N group, with one cell, and the rest of its
  // old group loses that cell (3 + 2 + 1 + 3).
  EXPECT_EQ(GroupCells(table, 0.0).size(), 9u);
}

TEST(Cells, OptimaEdgesAndBand) {
  const std::vector<double> lrs = test::Geometric(1e-4, 2, 7),
                            batches = test::Geometric(32768, 2, 5);
  FitOptions options;
  {
    // Optimum on a grid point inside the sweep.
    RunTable table;
    test::AddBowlCell(&table, 1e8, 1e9, lrs, batches, 8e-4, 131072, 2.0);
    std::vector<Cell> cells = GroupCells(table, 0.01);
    const SweptDims swept = DetectSweep(table, cells);
    EXPECT_TRUE(swept.lr && swept.batch);
    FindCellOptimum(table, swept, options, &cells[0]);
    EXPECT_DOUBLE_EQ(cells[0].lr, 8e-4);
    EXPECT_DOUBLE_EQ(cells[0].batch_tokens, 131072);
    EXPECT_DOUBLE_EQ(cells[0].loss, 2.0);
    EXPECT_FALSE(cells[0].on_edge);
    EXPECT_TRUE(cells[0].band_indices.empty());  // only kBand fills it
    // Band: runs within 0.25% of 2.0. By construction those with
    // 0.01 u^2 + 0.004 v^2 + 0.002 u v <= 0.0025.
    options.optimum = OptimumMethod::kBand;
    FindCellOptimum(table, swept, options, &cells[0]);
    int expected = 0;
    for (const scalecalc::Run& run : table.runs) expected += run.loss <= 2.0 * 1.0025 ? 1 : 0;
    EXPECT_EQ(static_cast<int>(cells[0].band_indices.size()), expected);
    EXPECT_GE(expected, 2);
  }
  {
    // Optimum beyond the largest lr: on the edge.
    RunTable table;
    test::AddBowlCell(&table, 1e8, 1e9, lrs, batches, 1e-2, 131072, 2.0);
    std::vector<Cell> cells = GroupCells(table, 0.01);
    FindCellOptimum(table, DetectSweep(table, cells), FitOptions(), &cells[0]);
    EXPECT_TRUE(cells[0].on_edge);
    EXPECT_DOUBLE_EQ(cells[0].lr, lrs.back());
  }
  {
    // Two learning rates only: the smaller one winning is not called an edge ...
    RunTable table;
    test::AddBowlCell(&table, 1e8, 1e9, {1e-4, 2e-4}, {131072}, 5e-5, 131072, 2.0);
    std::vector<Cell> cells = GroupCells(table, 0.01);
    FindCellOptimum(table, DetectSweep(table, cells), FitOptions(), &cells[0]);
    EXPECT_FALSE(cells[0].on_edge);
    // ... but two batch sizes are.
    RunTable batch_table;
    test::AddBowlCell(&batch_table, 1e8, 1e9, {1e-4}, {65536, 131072}, 1e-4, 1e6, 2.0);
    std::vector<Cell> batch_cells = GroupCells(batch_table, 0.01);
    FindCellOptimum(batch_table, DetectSweep(batch_table, batch_cells), FitOptions(),
                    &batch_cells[0]);
    EXPECT_TRUE(batch_cells[0].on_edge);
  }
}

TEST(Cells, SmoothFindsTheSubGridMinimumOfAQuadraticBowl) {
  // The bowl is exactly quadratic in (log lr, log batch): the smooth model recovers its minimum
  // between grid points to rounding, and its loss 2.0 below every run's.
  RunTable table;
  const double lr_opt = 3.3e-4, batch_opt = 90000;
  test::AddBowlCell(&table, 1e8, 1e9, test::Geometric(1e-4, 1.5, 8), test::Geometric(16384, 1.6, 7),
                    lr_opt, batch_opt, 2.0);
  std::vector<Cell> cells = GroupCells(table, 0.01);
  FitOptions options;
  options.optimum = OptimumMethod::kSmooth;
  FindCellOptimum(table, DetectSweep(table, cells), options, &cells[0]);
  EXPECT_FALSE(cells[0].not_convex);
  EXPECT_FALSE(cells[0].on_edge);
  EXPECT_NEAR(cells[0].lr / lr_opt, 1.0, 1e-9);
  EXPECT_NEAR(cells[0].batch_tokens / batch_opt, 1.0, 1e-9);
  EXPECT_NEAR(cells[0].loss, 2.0, 1e-12);

  // A loss that only falls with lr has no upward-curving minimum: flagged, argmin used.
  RunTable falling;
  falling.has_lr = true;
  for (double lr : test::Geometric(1e-4, 2, 6)) {
    scalecalc::Run run;
    run.params = 1e8;
    run.tokens = 1e9;
    run.lr = lr;
    run.loss = 3.0 - 0.1 * std::log(lr / 1e-4);
    falling.runs.push_back(run);
  }
  std::vector<Cell> falling_cells = GroupCells(falling, 0.01);
  FindCellOptimum(falling, DetectSweep(falling, falling_cells), options, &falling_cells[0]);
  EXPECT_TRUE(falling_cells[0].not_convex);
  EXPECT_TRUE(falling_cells[0].on_edge);
  EXPECT_DOUBLE_EQ(falling_cells[0].lr, 1e-4 * 32);
  EXPECT_TRUE(std::isnan(falling_cells[0].batch_tokens));
}

// ---- The parts ----

TEST(HyperLaw, RecoversAnExactPowerLawAndRefusesDegenerateInput) {
  std::vector<HyperPoint> points;
  for (double n : {1e7, 1e8, 1e9}) {
    for (double t : {1e9, 1e10, 1e11})
      points.push_back({n, t, 0.5 * std::pow(n, -0.3) * std::pow(t, 0.1)});
  }
  PowerLaw2 law;
  double r2 = 0;
  std::string error;
  ASSERT_TRUE(FitHyperLaw(points, 0.01, &law, &r2, &error)) << error;
  EXPECT_NEAR(law.exp_params, -0.3, 1e-12);
  EXPECT_NEAR(law.exp_tokens, 0.1, 1e-12);
  EXPECT_NEAR(law.coef / 0.5, 1.0, 1e-10);
  EXPECT_NEAR(r2, 1.0, 1e-12);
  // Collinear: T = 100 N on every point.
  std::vector<HyperPoint> diagonal;
  for (double n : {1e7, 1e8, 1e9, 1e10}) diagonal.push_back({n, 100 * n, std::pow(n, -0.2)});
  PowerLaw2 untouched;
  EXPECT_FALSE(FitHyperLaw(diagonal, 0.01, &untouched, &r2, &error));
  EXPECT_NE(error.find("collinear"), std::string::npos) << error;
  EXPECT_FALSE(untouched.IsSet());
  points[3].value = -1;
  EXPECT_FALSE(FitHyperLaw(points, 0.01, &untouched, &r2, &error));
  EXPECT_FALSE(FitHyperLaw({}, 0.01, &untouched, &r2, &error));
}

TEST(LossLawFit, ObjectiveIsTheSumOfHuberOfLogResiduals) {
  const LossLaw law = ExampleLaw();
  const double delta = 1e-3;
  const double at = law.Eval(1e8, 1e10);
  // One residual inside the quadratic zone (0.5 delta), one in the linear zone (3 delta), one
  // point counted twice.
  std::vector<LossPoint> points = {{1e8, 1e10, at * std::exp(0.5 * delta), 1.0},
                                   {1e8, 1e10, at * std::exp(-3 * delta), 2.0}};
  const double expected = 0.5 * 0.25 * delta * delta + 2.0 * delta * (3 * delta - 0.5 * delta);
  EXPECT_NEAR(LossObjective(points, law, delta), expected, 1e-15);
  LossLaw negative = law;
  negative.E = -10;
  EXPECT_TRUE(std::isnan(LossObjective(points, negative, delta)));
}

TEST(LossLawFit, RefusesTooFewPointsAndReportsBounds) {
  std::vector<LossPoint> few = {{1e8, 1e9, 3.0, 1}, {2e8, 1e9, 2.9, 1}};
  const LossFitResult r = FitLossLaw(few, 1e-3);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("at least 6 points"), std::string::npos) << r.error;
  // Losses that do not depend on N: the N term collapses to its lower bound (A -> 1e-12 scale)
  // or alpha to a bound, and the fit says so.
  std::vector<LossPoint> flat;
  for (double n : {1e7, 1e8, 1e9}) {
    for (double t : {1e9, 1e10, 1e11}) flat.push_back({n, t, 2.0 + 50.0 * std::pow(t, -0.2), 1});
  }
  const LossFitResult f = FitLossLaw(flat, 1e-3);
  ASSERT_TRUE(f.ok) << f.error;
  EXPECT_FALSE(f.on_bound.empty());
  EXPECT_NEAR(f.law.beta, 0.2, 1e-3);
}

TEST(LossLawFit, WarmStartedRefitsReachTheFullSearchOptimum) {
  // The bootstrap refits from the full-data optimum instead of searching again; on resamples of
  // the Chinchilla points that must find an optimum as good as the full search's.
  RunTable table = test::LoadChinchilla();
  ASSERT_FALSE(table.runs.empty());
  test::ExcludeHighestLosses(&table, 5);
  std::vector<LossPoint> points;
  for (const scalecalc::Run& run : table.runs) {
    if (!run.excluded) points.push_back({run.params, run.tokens, run.loss, 1.0});
  }
  const LossFitResult full = FitLossLaw(points, 1e-3);
  ASSERT_TRUE(full.ok) << full.error;
  Resampler resampler(11);
  for (int sample = 0; sample < 4; ++sample) {
    const std::vector<int> counts = resampler.Counts(static_cast<int>(points.size()));
    std::vector<LossPoint> resampled = points;
    for (size_t i = 0; i < points.size(); ++i) resampled[i].weight = counts[i];
    const LossFitResult warm = RefitLossLaw(resampled, 1e-3, full.law);
    const LossFitResult search = FitLossLaw(resampled, 1e-3);
    ASSERT_TRUE(warm.ok && search.ok);
    EXPECT_LE(warm.objective, search.objective * (1 + 1e-7)) << sample;
    EXPECT_NEAR(warm.law.alpha, search.law.alpha, 1e-3) << sample;
  }
}

TEST(Sensitivity, PenaltyNeedsAPositiveDefiniteFit) {
  Sensitivity s;
  EXPECT_TRUE(std::isnan(s.RelativePenalty(2, 1)));
  s.ok = true;
  s.curv_lr = 0.01;
  s.curv_batch = 0.004;
  s.cross = 0.002;
  const double u = std::log(2.0), v = std::log(0.5);
  EXPECT_DOUBLE_EQ(s.RelativePenalty(2, 0.5), 0.01 * u * u + 0.004 * v * v + 0.002 * u * v);
  EXPECT_DOUBLE_EQ(s.RelativePenalty(1, 1), 0.0);
  EXPECT_TRUE(std::isnan(s.RelativePenalty(-1, 1)));
}

// ---- Reports ----

TEST(FitReport, ShowsUnroundedConstantsAndDiagnostics) {
  FitOptions options;
  options.bootstrap_samples = 20;
  RunTable table = ExactTable();
  table.runs[0].excluded = true;
  const FitSummary s = Fit(table, options);
  ASSERT_TRUE(s.ok) << s.message;
  const std::string full = s.FullReport();
  char alpha[32];
  std::snprintf(alpha, sizeof(alpha), "%.8g", s.loss.law.alpha);
  EXPECT_NE(full.find(alpha), std::string::npos) << full;  // 8 significant digits
  EXPECT_NE(full.find("objective"), std::string::npos);
  EXPECT_NE(full.find("95% ["), std::string::npos);
  EXPECT_NE(full.find("excluded rows    1"), std::string::npos) << full;
  EXPECT_NE(full.find("on a bound"), std::string::npos);
  EXPECT_NE(full.find("extrapolation"), std::string::npos);
  const std::string brief = s.BriefReport();
  EXPECT_NE(brief.find("success"), std::string::npos);
  EXPECT_NE(brief.find(alpha), std::string::npos);
  EXPECT_EQ(brief.find('\n'), std::string::npos);  // one line
}

}  // namespace
}  // namespace scalecalc

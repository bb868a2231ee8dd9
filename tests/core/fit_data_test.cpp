// The fitting engine on other people's real runs (shared/data/external): the Chinchilla points as
// extracted by Epoch AI (no sweep) and StepFun's Step Law learning-rate / batch-size sweeps.
#include <gtest/gtest.h>

#include <cmath>

#include "core/fit.h"
#include "core/loss_law_fit.h"
#include "test_util.h"

namespace scalecalc {
namespace {

bool Contains(const Interval& ci, double value) {
  return ci.lo <= value && value <= ci.hi;
}

// Epoch AI's refit of Chinchilla (science.md section 6).
LossLaw EpochLaw() {
  LossLaw law;
  law.E = 1.817;
  law.A = 482.0;
  law.alpha = 0.3478;
  law.B = 2085.4;
  law.beta = 0.3658;
  return law;
}

TEST(FitData, ChinchillaMatchesEpochRefit) {
  RunTable table = test::LoadChinchilla();
  ASSERT_EQ(table.runs.size(), 245u);
  test::ExcludeHighestLosses(&table, 5);  // Epoch's policy: drop the 5 highest losses
  FitOptions options;
  options.bootstrap_samples = 100;
  const FitSummary s = Fit(table, options);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_FALSE(s.has_sweep);
  EXPECT_EQ(s.loss.points, 240);
  EXPECT_EQ(s.excluded_rows.size(), 5u);
  EXPECT_FALSE(s.lr_law.law.IsSet());
  EXPECT_FALSE(s.laws.lr.IsSet());
  // Same points (Epoch's code keeps losses below the 5th highest) and the same objective, so the
  // two optima differ only where each optimiser stops in the flat valley of this problem. The
  // tolerances are a third of our bootstrap half-widths (alpha +-0.03, beta +-0.045, E +-0.05;
  // A and B span factors of 2.5 and 6).
  const LossLaw epoch = EpochLaw();
  EXPECT_NEAR(s.loss.law.alpha, epoch.alpha, 0.01);
  EXPECT_NEAR(s.loss.law.beta, epoch.beta, 0.015);
  EXPECT_NEAR(s.loss.law.E, epoch.E, 0.015);
  EXPECT_NEAR(s.loss.law.A / epoch.A, 1.0, 0.1);
  EXPECT_NEAR(s.loss.law.B / epoch.B, 1.0, 0.15);
  // Our optimum is no worse than Epoch's constants on the same points.
  std::vector<LossPoint> points;
  for (const scalecalc::Run& run : table.runs) {
    if (!run.excluded) points.push_back({run.params, run.tokens, run.loss, 1.0});
  }
  const double epoch_objective = LossObjective(points, epoch, options.huber_delta);
  EXPECT_LE(s.loss.objective, epoch_objective);
  EXPECT_NEAR(LossObjective(points, s.loss.law, options.huber_delta), s.loss.objective,
              1e-12 * s.loss.objective);
  // Epoch's point estimates lie inside our intervals.
  EXPECT_TRUE(Contains(s.loss.alpha_ci, epoch.alpha));
  EXPECT_TRUE(Contains(s.loss.beta_ci, epoch.beta));
  EXPECT_TRUE(Contains(s.loss.E_ci, epoch.E));
  EXPECT_TRUE(s.loss.on_bound.empty());
  // Holding out the largest model (16B) and predicting it: a few percent at most on real data.
  EXPECT_GT(s.loss.holdout_params, 1e10);
  EXPECT_LT(s.loss.holdout_rel_error, 0.05);
  // The report names the objective and the excluded rows.
  const std::string report = s.FullReport();
  EXPECT_NE(report.find("objective"), std::string::npos);
  EXPECT_NE(report.find("excluded rows"), std::string::npos);
}

TEST(FitData, ChinchillaOutliersMoveBeta) {
  // science.md 5: with or without the 5 points far above the frontier, beta moves a lot.
  RunTable table = test::LoadChinchilla();
  FitOptions options;
  options.bootstrap_samples = 0;
  options.extrapolation_check = false;
  const FitSummary all = Fit(table, options);
  test::ExcludeHighestLosses(&table, 5);
  const FitSummary trimmed = Fit(table, options);
  ASSERT_TRUE(all.ok && trimmed.ok);
  EXPECT_EQ(all.loss.points, 245);
  EXPECT_GT(std::fabs(all.loss.law.beta - trimmed.loss.law.beta), 0.03);
}

TEST(FitData, StepLawGivesStableSensibleLaws) {
  const RunTable table = test::LoadStepLaw();
  ASSERT_EQ(table.runs.size(), 1911u);
  for (OptimumMethod method :
       {OptimumMethod::kArgmin, OptimumMethod::kBand, OptimumMethod::kSmooth}) {
    SCOPED_TRACE(ToString(method));
    FitOptions options;
    options.optimum = method;
    // Fewer resamples for the two variants keep the suite fast under the sanitizers.
    options.bootstrap_samples = method == OptimumMethod::kArgmin ? 100 : 40;
    const FitSummary s = Fit(table, options);
    ASSERT_TRUE(s.ok) << s.message;
    EXPECT_TRUE(s.has_sweep);
    EXPECT_EQ(s.cells.size(), 17u);
    // Larger models want smaller learning rates; longer training wants larger batches; and the
    // bootstrap agrees on the signs.
    EXPECT_LT(s.lr_law.law.exp_params, 0);
    EXPECT_LT(s.lr_law.exp_params_ci.hi, 0);
    EXPECT_GT(s.batch_law.law.exp_tokens, 0);
    EXPECT_GT(s.batch_law.exp_tokens_ci.lo, 0);
    // The file is a subset of the study's runs, so its published exponents (science.md 6:
    // lr = 1.79 N^-0.713 D^0.307, B = 0.58 D^0.571) need only lie inside our intervals.
    EXPECT_TRUE(Contains(s.lr_law.exp_params_ci, -0.713));
    EXPECT_TRUE(Contains(s.lr_law.exp_tokens_ci, 0.307));
    EXPECT_TRUE(Contains(s.batch_law.exp_tokens_ci, 0.571));
    // Predictions inside the data range are plausible LLM values.
    const double lr = s.lr_law.law.Eval(4e8, 2e10);
    const double batch = s.batch_law.law.Eval(4e8, 2e10);
    EXPECT_GT(lr, 2.4e-4);  // the sweep's range of learning rates
    EXPECT_LT(lr, 2.2e-2);
    EXPECT_GT(batch, 32 * 2048.0);
    EXPECT_LT(batch, 2048 * 2048.0);
    // Diverged runs (up to 4x the optimum) are left out of the sensitivity fit: it is usable.
    EXPECT_TRUE(s.sensitivity.ok);
    EXPECT_GT(s.sensitivity.RelativePenalty(2.0, 1.0), 0);
  }
}

}  // namespace
}  // namespace scalecalc

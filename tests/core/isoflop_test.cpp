// Approach 2 (core/isoflop.h) on synthetic IsoFLOP profiles of known surfaces, bad grids, budgets
// within the tolerance, and the comparison with the surface fit.
#include "core/isoflop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/csv_reader.h"
#include "core/groups.h"

namespace scalecalc {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// IsoFLOP profiles of L = E + A N^-alpha + B T^-beta with C = 6 N T: at each budget, `sizes`
// model sizes spaced by `step` in ln N around the true optimum, the grid's centre drifting off it
// by `offset` in ln N per budget (an off-centre grid).
std::vector<IsoFlopPoint> Profiles(double alpha, double beta, int sizes, double step,
                                   double offset = 0, double jitter = 0) {
  const double E = 1.7, A = 400, B = 2000;
  std::vector<IsoFlopPoint> points;
  int budget = 0;
  for (double flops : {1e18, 1e19, 1e20, 1e21, 1e22}) {
    // Stationary point of L(N, C / 6N): alpha A N^-alpha = beta B T^-beta, solved in closed form.
    const double g = std::pow(alpha * A / (beta * B), 1 / (alpha + beta));
    const double n_opt = g * std::pow(flops / 6, beta / (alpha + beta));
    for (int i = 0; i < sizes; ++i) {
      const double u = (i - (sizes - 1) / 2.0) * step + offset * budget;
      const double n = n_opt * std::exp(u);
      // The budget written with a small relative error, as files round it.
      const double c = flops * (1 + jitter * ((i + budget) % 3 - 1));
      const double t = flops / (6 * n);
      points.push_back({n, c, E + A * std::pow(n, -alpha) + B * std::pow(t, -beta), -1});
    }
    ++budget;
  }
  return points;
}

TEST(IsoFlop, SymmetricSurfaceRecoversItsExponent) {
  // alpha = beta: along an iso-FLOP line the loss is E + K cosh(alpha u), symmetric in ln N, so a
  // centred grid puts every vertex on the true optimum and a = beta / (alpha + beta) = 0.5.
  const IsoFlopResult r = FitIsoFlop(Profiles(0.3, 0.3, 7, 0.4), ComputeModel(), {});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.termination, IsoFlopTermination::kFitted);
  EXPECT_EQ(r.budgets.size(), 5u);
  EXPECT_EQ(r.budgets_used, 5);
  EXPECT_NEAR(r.params_exp, 0.5, 1e-3);
  // T* = C / (6 N*): its exponent is 1 - a.
  EXPECT_NEAR(r.tokens_exp, 0.5, 1e-3);
  for (const IsoFlopBudget& b : r.budgets) EXPECT_EQ(b.points, 7);
}

TEST(IsoFlop, AsymmetricSurfaceOffCentreGridIsBiasedAndTheComparisonSaysSo) {
  // alpha != beta and a grid shifted off the optimum: Approach 2's vertices move, a is off by more
  // than a noise-free surface fit would be (the Open-Athena finding).
  const double alpha = 0.25, beta = 0.45;
  const IsoFlopResult r = FitIsoFlop(Profiles(alpha, beta, 5, 0.6, 0.15), ComputeModel(), {});
  ASSERT_TRUE(r.ok) << r.message;
  const double truth = beta / (alpha + beta);
  EXPECT_GT(std::fabs(r.params_exp - truth), 1e-3);
  EXPECT_LT(std::fabs(r.params_exp - truth), 0.1);
}

TEST(IsoFlop, BudgetsWithinToleranceAreOneBudget) {
  // Budgets written 0.4% apart share a budget at the default 1% tolerance; at 0.1% they split and
  // no budget keeps 3 sizes.
  const std::vector<IsoFlopPoint> points = Profiles(0.3, 0.3, 6, 0.4, 0, 0.004);
  const IsoFlopResult r = FitIsoFlop(points, ComputeModel(), {});
  ASSERT_TRUE(r.ok) << r.message;
  ASSERT_EQ(r.budgets.size(), 5u);
  for (const IsoFlopBudget& b : r.budgets) EXPECT_EQ(b.points, 6);
  EXPECT_NEAR(r.params_exp, 0.5, 0.01);
  IsoFlopOptions tight;
  tight.budget_tolerance = 0.001;
  const IsoFlopResult split = FitIsoFlop(points, ComputeModel(), tight);
  EXPECT_EQ(split.budgets.size(), 15u);
  EXPECT_FALSE(split.applicable);
  EXPECT_TRUE(Contains(split.message, "not an IsoFLOP grid")) << split.message;
}

TEST(IsoFlop, ExplicitBudgetColumnWinsOverSixNT) {
  // The budget column says 1e20 for every row while 6 N T scatters by 20%: one budget per value.
  std::string text = "params,tokens,budget,loss\n";
  for (double c : {1e19, 1e20, 1e21}) {
    for (int i = 0; i < 4; ++i) {
      const double n = 1e8 * std::pow(c / 1e19, 0.5) * std::exp(0.5 * i);
      const double t = 1.2 * c / (6 * n) * (1 + 0.2 * (i % 2));
      const double loss = 1.7 + 400 * std::pow(n, -0.3) + 2000 * std::pow(c / (6 * n), -0.3);
      text += std::to_string(n) + "," + std::to_string(t) + "," + std::to_string(c) + "," +
              std::to_string(loss) + "\n";
    }
  }
  const ReadResult read = ReadRuns(text);
  ASSERT_TRUE(read.ok);
  FitOptions options;
  options.bootstrap_samples = 0;
  const TableAnalysis analysis = AnalyzeTable(read.table, options, ComputeModel(), nullptr);
  ASSERT_EQ(analysis.isoflop.budgets.size(), 3u);
  EXPECT_EQ(analysis.isoflop.budgets[1].flops, 1e20);
  EXPECT_EQ(analysis.isoflop.budgets[1].points, 4);
}

TEST(IsoFlop, BadParabolasAreFlaggedAndLeftOut) {
  std::vector<IsoFlopPoint> points = Profiles(0.3, 0.3, 5, 0.4);
  // Budget 0: concave (loss turned upside down); budget 1: monotone, vertex outside the range.
  for (IsoFlopPoint& p : points) {
    if (p.flops == 1e18) p.loss = 10 - p.loss;
    if (p.flops == 1e19)
      p.loss = 3 - 0.01 * std::log(p.params) + 1e-4 * std::pow(std::log(p.params), 2);
  }
  const IsoFlopResult r = FitIsoFlop(points, ComputeModel(), {});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.budgets[0].flag, BudgetFlag::kNotConvex);
  EXPECT_EQ(r.budgets[1].flag, BudgetFlag::kVertexOutside);
  EXPECT_TRUE(std::isnan(r.budgets[0].params_opt));
  EXPECT_EQ(r.budgets_used, 3);
  EXPECT_NEAR(r.params_exp, 0.5, 1e-3);  // the three good budgets still give the truth
}

TEST(IsoFlop, TooFewBudgetsOrSizesIsNotApplicable) {
  std::vector<IsoFlopPoint> points = Profiles(0.3, 0.3, 2, 0.4);  // two sizes per budget
  const IsoFlopResult r = FitIsoFlop(points, ComputeModel(), {});
  EXPECT_FALSE(r.applicable);
  EXPECT_FALSE(r.ok);
  EXPECT_STREQ(ToString(r.termination), "not an isoflop grid");
  for (const IsoFlopBudget& b : r.budgets) EXPECT_EQ(b.flag, BudgetFlag::kFewSizes);
  EXPECT_FALSE(FitIsoFlop({}, ComputeModel(), {}).applicable);
  // Non-finite or non-positive points are ignored, not fitted.
  std::vector<IsoFlopPoint> bad = Profiles(0.3, 0.3, 5, 0.4);
  bad.push_back({NAN, 1e20, 2.0, -1});
  bad.push_back({-1, 1e20, 2.0, -1});
  bad.push_back({1e9, 1e20, INFINITY, -1});
  const IsoFlopResult kept = FitIsoFlop(bad, ComputeModel(), {});
  ASSERT_TRUE(kept.ok);
  EXPECT_NEAR(kept.params_exp, 0.5, 1e-3);
}

TEST(IsoFlop, BootstrapIsSeededAndBracketsTheEstimate) {
  std::vector<IsoFlopPoint> points = Profiles(0.3, 0.3, 8, 0.3);
  uint64_t state = 7;
  for (IsoFlopPoint& p : points) {  // 0.2% multiplicative noise from a fixed LCG
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    p.loss *= 1 + 0.002 * (static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5);
  }
  IsoFlopOptions options;
  options.bootstrap_samples = 200;
  options.seed = 3;
  const IsoFlopResult a = FitIsoFlop(points, ComputeModel(), options);
  const IsoFlopResult b = FitIsoFlop(points, ComputeModel(), options);
  ASSERT_TRUE(a.ok);
  EXPECT_GT(a.bootstrap_samples_done, 150);
  EXPECT_EQ(a.params_exp_ci.lo, b.params_exp_ci.lo);
  EXPECT_EQ(a.params_exp_ci.hi, b.params_exp_ci.hi);
  EXPECT_LT(a.params_exp_ci.lo, a.params_exp);
  EXPECT_GT(a.params_exp_ci.hi, a.params_exp);
  const Interval at = a.ParamsOptCi(1e21);
  EXPECT_LT(at.lo, a.ParamsOpt(1e21));
  EXPECT_GT(at.hi, a.ParamsOpt(1e21));
  options.seed = 4;
  EXPECT_NE(FitIsoFlop(points, ComputeModel(), options).params_exp_ci.lo, a.params_exp_ci.lo);
}

TEST(IsoFlop, ComparisonSaysWhenTheMethodsDisagree) {
  IsoFlopResult iso;
  iso.ok = true;
  iso.params_coef = 0.1;
  iso.params_exp = 0.5;
  iso.params_exp_ci = {0.48, 0.52};
  FitSummary fit;
  fit.ok = true;
  fit.laws.loss = {1.7, 400, 0.3, 2000, 0.2};  // a = 0.2 / 0.5 = 0.4
  for (double beta : {0.19, 0.2, 0.21})
    fit.laws.loss_samples.push_back({1.7, 400, 0.3, 2000, beta});
  const MethodComparison cmp = CompareMethods(iso, fit, nullptr);
  ASSERT_TRUE(cmp.ok);
  EXPECT_NEAR(cmp.surface_exp, 0.4, 1e-12);
  EXPECT_TRUE(cmp.exp_disagree);
  EXPECT_TRUE(Contains(cmp.text, "disagree")) << cmp.text;
  EXPECT_TRUE(Contains(cmp.text, "surface fit")) << cmp.text;

  fit.laws.loss.beta = 0.3;  // a = 0.5
  fit.laws.loss_samples = {{1.7, 400, 0.3, 2000, 0.29}, {1.7, 400, 0.3, 2000, 0.31}};
  const MethodComparison agree = CompareMethods(iso, fit, nullptr);
  EXPECT_FALSE(agree.exp_disagree);
  EXPECT_TRUE(Contains(agree.text, "agree within")) << agree.text;

  iso.ok = false;
  iso.message = "not an IsoFLOP grid";
  EXPECT_FALSE(CompareMethods(iso, fit, nullptr).ok);
}

}  // namespace
}  // namespace scalecalc

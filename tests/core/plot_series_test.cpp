// Tests of the Plots panel's series (src/core/plot_series.h). Oracles: the loss law written out
// here (E + A N^-alpha + B T^-beta with T = C / 6N), and the planner's own smallest-model search,
// which is a different algorithm from the series' walk-and-bisect.
#include "core/plot_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/planner.h"

namespace scalecalc {
namespace {

LossLaw ChinchillaLaw() {  // Hoffmann et al. 2022, raw counts (science.md section 6)
  LossLaw law;
  law.E = 1.69, law.A = 406.4, law.alpha = 0.34, law.B = 410.7, law.beta = 0.28;
  return law;
}

double LossOnLine(const LossLaw& law, double budget_flops, double params) {
  const double tokens = budget_flops / (6 * params);
  return law.E + law.A * std::pow(params, -law.alpha) + law.B * std::pow(tokens, -law.beta);
}

Cell MakeCell(double params, double tokens, double loss) {
  Cell c;
  c.params = params, c.tokens = tokens, c.loss = loss, c.lr = 1e-3, c.batch_tokens = 1e5;
  return c;
}

TEST(PlotSeries, ToleranceBandEdgesSitOnTheToleranceAndMatchThePlanner) {
  LawSet laws;
  laws.loss = ChinchillaLaw();
  PlanOptions options;
  options.budget_flops = 1e22;
  options.loss_tolerance = 0.001;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  const IsoComputeSeries iso =
      MakeIsoComputeSeries(laws, options.compute, options.budget_flops, plan.optimum.params,
                           plan.optimum.loss, options.loss_tolerance);
  ASSERT_TRUE(iso.ok);
  const double limit = plan.optimum.loss * 1.001;
  ASSERT_LT(iso.tolerance_params_lo, plan.optimum.params);
  ASSERT_GT(iso.tolerance_params_hi, plan.optimum.params);
  // On the edge the loss equals the limit (bisection to 1e-12 in ln N; the slope there is
  // ~1e-3 per e-fold, so the loss is within ~1e-14 relative).
  EXPECT_NEAR(LossOnLine(laws.loss, 1e22, iso.tolerance_params_lo) / limit, 1, 1e-11);
  EXPECT_NEAR(LossOnLine(laws.loss, 1e22, iso.tolerance_params_hi) / limit, 1, 1e-11);
  EXPECT_NEAR(iso.tolerance_params_lo / plan.smallest.params, 1, 1e-6);
  // The curve is the law on the line, point by point.
  for (size_t i = 0; i < iso.params.size(); i += 17) {
    EXPECT_NEAR(iso.loss[i], LossOnLine(laws.loss, 1e22, iso.params[i]), 1e-12 * iso.loss[i]);
  }
  EXPECT_TRUE(iso.loss_lo.empty());
}

TEST(PlotSeries, BandHoldsTheMiddle95PercentOfTheSamples) {
  LawSet laws;
  laws.loss = ChinchillaLaw();
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 0.02);
  for (int k = 0; k < 400; ++k) {
    LossLaw s = laws.loss;
    s.alpha *= 1 + noise(rng);
    s.beta *= 1 + noise(rng);
    laws.loss_samples.push_back(s);
  }
  const double n_opt = OptimalParams(laws.loss, ComputeModel{}, 1e21);
  const IsoComputeSeries iso = MakeIsoComputeSeries(laws, ComputeModel{}, 1e21, n_opt, NAN, 0.001);
  ASSERT_EQ(iso.samples, 400);
  ASSERT_EQ(iso.loss_lo.size(), iso.params.size());
  for (size_t i = 0; i < iso.params.size(); i += 23) {
    int below = 0, above = 0;
    for (const LossLaw& s : laws.loss_samples) {
      const double v = LossOnLine(s, 1e21, iso.params[i]);
      below += v < iso.loss_lo[i];
      above += v > iso.loss_hi[i];
    }
    // 2.5% of 400 is 10 on each side; interpolation between order statistics allows one more.
    EXPECT_LE(below, 11);
    EXPECT_GE(below, 9);
    EXPECT_LE(above, 11);
    EXPECT_GE(above, 9);
  }
  // No optimum loss given: no tolerance band.
  EXPECT_TRUE(std::isnan(iso.tolerance_params_lo));
}

TEST(PlotSeries, GroupsBinManySizesAndKeepEveryCellOnce) {
  LawSet laws;
  laws.loss = ChinchillaLaw();
  std::vector<Cell> cells;
  for (int i = 0; i < 12; ++i) {
    const double n = 1e7 * std::pow(2.0, i);
    for (double t : {1e9, 4e9}) cells.push_back(MakeCell(n, t, laws.loss.Eval(n, t) * 1.01));
  }
  RunTable table;
  const PlotSeries series = MakePlotSeries(table, cells, laws, ComputeModel{}, 1e21, NAN, NAN, 0);
  ASSERT_LE(series.size_groups.size(), 8u);
  ASSERT_GE(series.size_groups.size(), 6u);
  std::vector<int> seen;
  for (const SizeGroup& g : series.size_groups) {
    for (size_t i = 0; i < g.cell_index.size(); ++i) {
      seen.push_back(g.cell_index[i]);
      EXPECT_NEAR(g.residual[i], std::log(1.01), 1e-12);  // each cell against its own size
    }
    EXPECT_EQ(g.curve_loss.size(), g.curve_tokens.size());
    EXPECT_TRUE(g.curve_lr.empty());  // no lr law
  }
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), cells.size());
  for (int i = 0; i < static_cast<int>(seen.size()); ++i) EXPECT_EQ(seen[i], i);
  EXPECT_FALSE(series.iso.ok);  // no optimum given
}

TEST(PlotSeries, NothingToDrawWithoutALaw) {
  LawSet laws;
  const IsoComputeSeries iso = MakeIsoComputeSeries(laws, ComputeModel{}, 1e21, 1e9, 3, 0.001);
  EXPECT_FALSE(iso.ok);
  EXPECT_TRUE(iso.params.empty());
}

}  // namespace
}  // namespace scalecalc

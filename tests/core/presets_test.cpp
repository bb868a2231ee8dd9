#include "core/presets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "core/planner.h"

namespace scalecalc {
namespace {

const PresetInfo& Paper() {
  const PresetInfo* p = FindPreset("paper");
  EXPECT_NE(p, nullptr);
  return *p;
}

TEST(Presets, PaperHyperparametersMatchPrintedChecks) {
  // science.md 3.1: N = 1.07B, T = 4B gives B ~ 6.8e4 tokens and eta ~ 1.86e-4; T = 10B gives
  // B ~ 1.42e5 and eta ~ 1.78e-4. Printed with 2-3 digits: 6.8e4 is +-0.05e4 (0.7%), the others
  // +-0.005 in the last digit (0.3-0.4%); tolerance 1%.
  const LawSet& laws = Paper().laws;
  EXPECT_NEAR(laws.batch.Eval(1.07e9, 4e9) / 6.8e4, 1.0, 0.01);
  EXPECT_NEAR(laws.lr.Eval(1.07e9, 4e9) / 1.86e-4, 1.0, 0.01);
  EXPECT_NEAR(laws.batch.Eval(1.07e9, 10e9) / 1.42e5, 1.0, 0.01);
  EXPECT_NEAR(laws.lr.Eval(1.07e9, 10e9) / 1.78e-4, 1.0, 0.01);
}

TEST(Presets, PaperLossMatchesPrintedValues) {
  // science.md 3.2, printed with 4 decimals: half a unit of the last digit, 5e-5.
  const LossLaw& loss = Paper().laws.loss;
  EXPECT_NEAR(loss.Eval(1.07e9, 4e9), 0.5185, 5e-5);
  EXPECT_NEAR(loss.Eval(1.07e9, 10e9), 0.5127, 5e-5);
  EXPECT_NEAR(loss.Eval(0.72e9, 140e9), 0.5035, 5e-5);
}

TEST(Presets, PaperPublishedOptimaAndTheirDisagreement) {
  const PresetInfo& paper = Paper();
  ASSERT_EQ(paper.published_optima.size(), 2u);
  // science.md 3.4: 0.8705 C^0.4294 gives 0.72B at 5.85e20 and 2.43e9 at 1e22 (printed to 2-3
  // digits: 1%).
  EXPECT_NEAR(paper.published_optima[0].Eval(5.85e20) / 0.72e9, 1.0, 0.01);
  EXPECT_NEAR(paper.published_optima[0].Eval(1e22) / 2.43e9, 1.0, 0.01);
  // Derived with C = 6NT: exponent near 0.478 (science.md 3.4). For this law form the exponent
  // is beta / (alpha + beta) = 0.4778 exactly; "near 0.478" gives the tolerance, 0.01.
  ComputeModel six_n;
  const double exponent = DerivedOptimumExponent(paper.laws.loss, six_n, 1e19, 1e25);
  EXPECT_NEAR(exponent, 0.478, 0.01);
  const OptimumComparison cmp = CompareOptima(paper, six_n, 1e22);
  ASSERT_EQ(cmp.published_params.size(), 2u);
  EXPECT_NEAR(cmp.published_params[0] / 2.43e9, 1.0, 0.01);
  EXPECT_NEAR(cmp.derived_exponent, 0.478, 0.01);
  EXPECT_GT(cmp.derived_params, 0);
  EXPECT_NE(cmp.text.find("differ"), std::string::npos) << cmp.text;
  EXPECT_NE(paper.notes.find("0.478"), std::string::npos);
}

TEST(Presets, PaperIsoComputeLineIsFlat) {
  // science.md 3.5: at 1e22 FLOPs the 2.43B and 4.04B models are within 1e-4 in predicted loss.
  const LossLaw& loss = Paper().laws.loss;
  ComputeModel six_n;
  const double small = IsoComputeLoss(loss, six_n, 1e22, 2.43e9);
  const double large = IsoComputeLoss(loss, six_n, 1e22, 4.04e9);
  EXPECT_LT(std::fabs(small - large), 1e-4);
}

TEST(Presets, PaperPlanIsSensible) {
  PlanOptions options;
  options.budget_flops = 1e22;
  options.compute = Paper().compute;
  const Plan plan = MakePlan(Paper().laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  // Between the two published figures' order of magnitude (1e9-1e10) and batch/lr in the ranges
  // the paper sweeps at its largest models.
  EXPECT_GT(plan.optimum.params, 1e9);
  EXPECT_LT(plan.optimum.params, 1e10);
  EXPECT_GT(plan.optimum.lr, 1e-5);
  EXPECT_LT(plan.optimum.lr, 1e-3);
  EXPECT_GT(plan.inference_saving, 0);
}

TEST(Presets, ChinchillaFamiliesHaveRawUnitLaws) {
  // Hoffmann's approach-3 law at C = 6ND: the compute-optimal tokens per parameter at 5.76e23
  // (Chinchilla's own budget) are O(20); the law is in raw counts (no billions).
  for (const char* name : {"chinchilla", "epoch"}) {
    const PresetInfo* p = FindPreset(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_TRUE(p->laws.loss.IsSet());
    EXPECT_FALSE(p->laws.lr.IsSet());
    const double n = OptimalParams(p->laws.loss, p->compute, 5.76e23);
    const double ratio = 5.76e23 / (6 * n) / n;
    EXPECT_GT(ratio, 5) << name;
    EXPECT_LT(ratio, 100) << name;
  }
  // Printed Chinchilla constants.
  const LossLaw& h = FindPreset("chinchilla")->laws.loss;
  EXPECT_DOUBLE_EQ(h.E, 1.69);
  EXPECT_NEAR(h.Eval(70e9, 1.4e12),
              1.69 + 406.4 * std::pow(70e9, -0.34) + 410.7 * std::pow(1.4e12, -0.28), 1e-12);
}

TEST(Presets, DeepSeekLawsAreFunctionsOfComputeOnly) {
  const PresetInfo* p = FindPreset("DeepSeek");  // case-insensitive
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->laws.loss.IsSet());
  // eta = 0.3118 C^-0.125, B = 0.2920 C^0.3271 with C = 6NT: any (N, T) with the same product
  // gives the same values.
  for (double c : {1e20, 1e23}) {
    for (double n : {1e8, 1e10}) {
      const double t = c / (6 * n);
      EXPECT_NEAR(p->laws.lr.Eval(n, t) / (0.3118 * std::pow(c, -0.125)), 1.0, 1e-12);
      EXPECT_NEAR(p->laws.batch.Eval(n, t) / (0.2920 * std::pow(c, 0.3271)), 1.0, 1e-12);
    }
  }
  // Planning needs a fixed model size.
  PlanOptions options;
  EXPECT_FALSE(MakePlan(p->laws, options).ok);
  options.fixed_params = 7e9;
  const Plan plan = MakePlan(p->laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_NEAR(plan.ideal.lr / (0.3118 * std::pow(1e22, -0.125)), 1.0, 1e-12);
  const OptimumComparison cmp = CompareOptima(*p, options.compute, 1e22);
  EXPECT_TRUE(std::isnan(cmp.derived_params));
  EXPECT_NE(cmp.text.find("no loss law"), std::string::npos);
}

TEST(Presets, StepLaw) {
  const PresetInfo* p = FindPreset("steplaw");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->laws.loss.IsSet());
  // eta = 1.79 N^-0.713 D^0.307, B = 0.58 D^0.571 in raw counts.
  EXPECT_NEAR(p->laws.lr.Eval(1e9, 1e11) / (1.79 * std::pow(1e9, -0.713) * std::pow(1e11, 0.307)),
              1.0, 1e-12);
  EXPECT_NEAR(p->laws.batch.Eval(1e9, 1e11) / (0.58 * std::pow(1e11, 0.571)), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(p->laws.batch.Eval(1e8, 1e11), p->laws.batch.Eval(1e10, 1e11));
}

TEST(Presets, ListAndLookup) {
  const std::vector<std::string> names = PresetNames();
  EXPECT_EQ(names.size(), Presets().size());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const PresetInfo& p : Presets()) {
    EXPECT_EQ(FindPreset(p.name), &p);
    EXPECT_FALSE(p.title.empty());
    EXPECT_FALSE(p.source.empty());
    EXPECT_FALSE(p.notes.empty());
    EXPECT_TRUE(p.laws.loss.IsSet() || p.laws.lr.IsSet() || p.laws.params_opt.IsSet()) << p.name;
    EXPECT_TRUE(p.laws.loss_samples.empty());
  }
  EXPECT_EQ(FindPreset("PAPER"), &Paper());
  EXPECT_EQ(FindPreset(""), nullptr);
  EXPECT_EQ(FindPreset("no such preset"), nullptr);
}

}  // namespace
}  // namespace scalecalc

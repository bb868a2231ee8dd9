#include "core/planner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/dit_flops.h"

namespace scalecalc {
namespace {

// Chinchilla-like synthetic law in raw units.
LossLaw SyntheticLaw() {
  LossLaw law;
  law.E = 1.7;
  law.A = 400;
  law.alpha = 0.34;
  law.B = 410;
  law.beta = 0.28;
  return law;
}

LawSet SyntheticSet() {
  LawSet laws;
  laws.name = "synthetic";
  laws.loss = SyntheticLaw();
  laws.lr = {0.5, -0.2, -0.05};
  laws.batch = {20.0, 0.2, 0.5};
  return laws;
}

// With C = 6NT, L = E + A N^-a + B T^-b has N_opt = G (C/6)^(b/(a+b)), G = (aA/(bB))^(1/(a+b)).
double AnalyticNopt(const LossLaw& l, double flops) {
  const double g = std::pow(l.alpha * l.A / (l.beta * l.B), 1.0 / (l.alpha + l.beta));
  return g * std::pow(flops / 6.0, l.beta / (l.alpha + l.beta));
}

TEST(Planner, MatchesClosedFormOptimum) {
  const LawSet laws = SyntheticSet();
  for (double flops : {1e18, 1e21, 1e24, 1e30}) {
    PlanOptions options;
    options.budget_flops = flops;
    const Plan plan = MakePlan(laws, options);
    ASSERT_TRUE(plan.ok) << plan.message;
    const double n = AnalyticNopt(laws.loss, flops);
    EXPECT_NEAR(plan.ideal.params / n, 1.0, 1e-6) << flops;
    EXPECT_NEAR(plan.ideal.tokens / (flops / (6 * n)), 1.0, 1e-6);
    EXPECT_NEAR(plan.ideal.loss, laws.loss.Eval(n, flops / (6 * n)), 1e-12);
    EXPECT_FALSE(plan.constrained);
    EXPECT_DOUBLE_EQ(plan.budget_flops, flops);
  }
}

TEST(Planner, HyperparametersFollowTheLawsAtTheOptimum) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e21;
  options.compute.tokens_per_sample = 2048;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  const PlanPoint& p = plan.ideal;
  EXPECT_NEAR(p.lr, 0.5 * std::pow(p.params, -0.2) * std::pow(p.tokens, -0.05), 1e-15);
  const double batch = 20.0 * std::pow(p.params, 0.2) * std::pow(p.tokens, 0.5);
  EXPECT_NEAR(p.batch_tokens / batch, 1.0, 1e-12);
  EXPECT_NEAR(p.batch_samples, batch / 2048, 1e-9 * batch);
  EXPECT_NEAR(p.steps, p.tokens / batch, 1e-9 * p.steps);
  EXPECT_NEAR(p.training_flops / 1e21, 1.0, 1e-12);
  // Shape: N = 16 depth d^2 with d = 64 depth.
  EXPECT_NEAR(16 * p.shape.depth * p.shape.width * p.shape.width / p.params, 1.0, 1e-9);
}

TEST(Planner, DitCountOptimumIsStationary) {
  // No closed form with the DiT count; the optimum must beat its neighbours on the line and a
  // fine brute-force scan.
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e22;
  options.compute.kind = ComputeKind::kDit;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  const double n = plan.ideal.params;
  const double at = IsoComputeLoss(laws.loss, options.compute, 1e22, n);
  EXPECT_DOUBLE_EQ(at, plan.ideal.loss);
  double best = INFINITY, best_n = 0;
  for (double u = std::log(n) - 1; u <= std::log(n) + 1; u += 1e-3) {
    const double value = IsoComputeLoss(laws.loss, options.compute, 1e22, std::exp(u));
    if (value < best) best = value, best_n = std::exp(u);
  }
  EXPECT_LE(at, best + 1e-15);
  EXPECT_NEAR(best_n / n, 1.0, 2e-3);  // scan step 1e-3 in ln N
  EXPECT_NEAR(plan.ideal.tokens * FlopsPerToken(options.compute, n) / 1e22, 1.0, 1e-12);
}

TEST(Planner, ParamsCapIsRespected) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e21;
  const double n = AnalyticNopt(laws.loss, 1e21);
  options.max_params = n / 2;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  EXPECT_TRUE(plan.constrained);
  EXPECT_NEAR(plan.ideal.params / (n / 2), 1.0, 1e-12);
  EXPECT_NEAR(plan.ideal.tokens / (1e21 / (6 * n / 2)), 1.0, 1e-12);
  EXPECT_NE(plan.message.find("max_params"), std::string::npos);
  // A cap that does not bind changes nothing.
  options.max_params = 2 * n;
  const Plan loose = MakePlan(laws, options);
  EXPECT_FALSE(loose.constrained);
  EXPECT_NEAR(loose.ideal.params / n, 1.0, 1e-6);
}

TEST(Planner, TokensCapIsRespected) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e21;
  const double n = AnalyticNopt(laws.loss, 1e21);
  const double t = 1e21 / (6 * n);
  options.max_tokens = t / 3;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  EXPECT_TRUE(plan.constrained);
  EXPECT_LE(plan.ideal.tokens, t / 3 * (1 + 1e-12));
  EXPECT_NEAR(plan.ideal.tokens / (t / 3), 1.0, 1e-9);
  EXPECT_NEAR(plan.ideal.params / (3 * n), 1.0, 1e-9);
  EXPECT_NE(plan.message.find("max_tokens"), std::string::npos);
  // The smallest model within tolerance cannot break the cap either.
  EXPECT_LE(plan.smallest.tokens, t / 3 * (1 + 1e-9));
}

TEST(Planner, ContradictoryCapsAreReported) {
  PlanOptions options;
  options.budget_flops = 1e21;
  options.max_params = 1e8;
  options.max_tokens = 1e10;  // 6 * 1e8 * 1e10 = 6e18 < 1e21: cannot spend the budget
  const Plan plan = MakePlan(SyntheticSet(), options);
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.message.find("caps"), std::string::npos);
}

TEST(Planner, SmallestModelWithinTolerance) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e22;
  options.loss_tolerance = 0.001;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  const double target = plan.ideal.loss * 1.001;
  EXPECT_LT(plan.smallest.params, plan.ideal.params);
  EXPECT_NEAR(plan.smallest.loss / target, 1.0, 1e-9);
  EXPECT_NEAR(plan.smallest.tokens * 6 * plan.smallest.params / 1e22, 1.0, 1e-12);
  // 1% smaller already breaks the tolerance.
  EXPECT_GT(IsoComputeLoss(laws.loss, options.compute, 1e22, plan.smallest.params * 0.99), target);
  EXPECT_NEAR(plan.inference_saving, 1 - plan.smallest.params / plan.ideal.params, 1e-15);
  EXPECT_GT(plan.inference_saving, 0);
  EXPECT_LT(plan.inference_saving, 1);
  // Attention scales like d ~ N^(1/3), so per-video FLOPs shrink less than N does.
  EXPECT_GT(plan.inference_saving_fraction, 0);
  EXPECT_LT(plan.inference_saving_fraction, plan.inference_saving);
  // A looser tolerance allows a smaller model.
  options.loss_tolerance = 0.01;
  EXPECT_LT(MakePlan(laws, options).smallest.params, plan.smallest.params);
}

TEST(Planner, InferenceFlopsPerVideoUsesTheDitCount) {
  ComputeModel compute;
  ServingDemand demand;
  demand.sampling_steps = 30;
  demand.guidance = false;
  demand.tokens_per_video = 1000;
  demand.text_tokens = 100;
  const double params = 2e9;
  const DitShape shape = ShapeForParams(compute, params);
  const double n = 1000, d = shape.width, m = 100;
  const double block_macs =
      12 * n * d * d + 2 * n * n * d + (2 * n * d * d + 2 * m * d * d + 2 * n * m * d) + 6 * d * d;
  EXPECT_NEAR(InferenceFlopsPerVideo(compute, params, demand) / (30 * 2 * shape.depth * block_macs),
              1.0, 1e-12);
}

TEST(Planner, TotalCostAtTheSameLoss) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e22;
  Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  EXPECT_TRUE(std::isnan(plan.total_cost_flops));  // no demand, no total-cost point

  // Negligible demand: the total-cost optimum is the compute-optimal plan (same problem, dual).
  options.demand.videos = 1;
  plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  EXPECT_NEAR(plan.total_cost.params / plan.ideal.params, 1.0, 1e-4);
  EXPECT_NEAR(plan.total_cost.training_flops / 1e22, 1.0, 1e-6);

  // Heavy demand: a smaller model trained longer, same loss, lower total.
  options.demand.videos = 1e9;
  plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  const PlanPoint& tc = plan.total_cost;
  EXPECT_LT(tc.params, plan.ideal.params);
  EXPECT_GT(tc.tokens, plan.ideal.tokens);
  EXPECT_NEAR(tc.loss, plan.ideal.loss, 1e-12);
  EXPECT_GT(tc.training_flops, 1e22);
  EXPECT_GT(plan.total_cost_saving, 0);
  EXPECT_NEAR(plan.total_cost_saving, 1 - plan.total_cost_flops / plan.optimum_total_flops, 1e-15);
  // Brute force along the constant-loss curve: nothing is cheaper.
  const LossLaw& l = laws.loss;
  const double excess = plan.ideal.loss - l.E;
  for (double u = std::log(tc.params) - 2; u < std::log(plan.ideal.params) + 1; u += 1e-3) {
    const double n = std::exp(u), rest = excess - l.A * std::pow(n, -l.alpha);
    if (rest <= 0) continue;
    const double t = std::pow(l.B / rest, 1 / l.beta);
    const double total =
        6 * n * t + 1e9 * InferenceFlopsPerVideo(options.compute, n, options.demand);
    EXPECT_GE(total, plan.total_cost_flops * (1 - 1e-9)) << n;
  }
}

TEST(Planner, IntervalsFromBootstrapSamples) {
  LawSet laws = SyntheticSet();
  // Deterministic spread of +-5% around every constant of every law.
  for (int k = 0; k < 200; ++k) {
    const double s = 0.05 * std::sin(1.3 * k + 0.2), r = 0.05 * std::cos(0.7 * k);
    LossLaw l = laws.loss;
    l.A *= 1 + s;
    l.B *= 1 + r;
    l.alpha *= 1 + 0.1 * r;
    laws.loss_samples.push_back(l);
    PowerLaw2 lr = laws.lr;
    lr.coef *= 1 + s;
    laws.lr_samples.push_back(lr);
    PowerLaw2 batch = laws.batch;
    batch.coef *= 1 + r;
    laws.batch_samples.push_back(batch);
  }
  PlanOptions options;
  options.budget_flops = 1e21;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.samples_used, 200);
  const auto contains = [](const Interval& ci, double v) { return ci.lo < v && v < ci.hi; };
  EXPECT_TRUE(contains(plan.params_ci, plan.optimum.params));
  EXPECT_TRUE(contains(plan.tokens_ci, plan.optimum.tokens));
  EXPECT_TRUE(contains(plan.loss_ci, plan.optimum.loss));
  EXPECT_TRUE(contains(plan.lr_ci, plan.optimum.lr));
  EXPECT_TRUE(contains(plan.batch_ci, plan.optimum.batch_tokens));
  // No samples: no intervals.
  const Plan bare = MakePlan(SyntheticSet(), options);
  EXPECT_TRUE(std::isnan(bare.params_ci.lo));
  EXPECT_EQ(bare.samples_used, 0);
}

TEST(Planner, BadOptionsAreRejectedWithMessages) {
  const LawSet laws = SyntheticSet();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    const char* field;
    void (*apply)(PlanOptions*);
  };
  const Case cases[] = {
      {"budget", [](PlanOptions* o) { o->budget_flops = NAN; }},
      {"budget", [](PlanOptions* o) { o->budget_flops = INFINITY; }},
      {"budget", [](PlanOptions* o) { o->budget_flops = -1e21; }},
      {"budget", [](PlanOptions* o) { o->budget_flops = 0; }},
      {"absurd", [](PlanOptions* o) { o->budget_flops = 1e36; }},
      {"max_params", [](PlanOptions* o) { o->max_params = 0; }},
      {"max_params", [](PlanOptions* o) { o->max_params = -5; }},
      {"max_params", [](PlanOptions* o) { o->max_params = NAN; }},
      {"max_tokens", [](PlanOptions* o) { o->max_tokens = -1; }},
      {"loss_tolerance", [](PlanOptions* o) { o->loss_tolerance = 0; }},
      {"loss_tolerance", [](PlanOptions* o) { o->loss_tolerance = 0.5; }},
      {"loss_tolerance", [](PlanOptions* o) { o->loss_tolerance = NAN; }},
      {"videos", [](PlanOptions* o) { o->demand.videos = -1; }},
      {"videos", [](PlanOptions* o) { o->demand.videos = NAN; }},
      {"sampling_steps", [](PlanOptions* o) { o->demand.sampling_steps = 0; }},
      {"tokens per sample", [](PlanOptions* o) { o->compute.tokens_per_sample = -1; }},
      {"fixed_params", [](PlanOptions* o) { o->fixed_params = -1; }},
  };
  for (const Case& c : cases) {
    PlanOptions options;
    c.apply(&options);
    std::string error;
    EXPECT_FALSE(options.IsValid(&error)) << c.field;
    EXPECT_NE(error.find(c.field), std::string::npos) << error;
    const Plan plan = MakePlan(laws, options);
    EXPECT_FALSE(plan.ok);
    EXPECT_EQ(plan.message, error);
  }
  PlanOptions options;
  options.max_params = inf;  // no cap is fine
  std::string error;
  EXPECT_TRUE(options.IsValid(&error)) << error;
}

TEST(Planner, UnusableLawsAreReported) {
  PlanOptions options;
  LawSet none;
  Plan plan = MakePlan(none, options);
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.message.find("no loss law"), std::string::npos);
  LawSet bad = SyntheticSet();
  bad.loss.A = -1;
  plan = MakePlan(bad, options);
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.message.find("not usable"), std::string::npos);
  bad.loss.A = 400;
  bad.loss.beta = NAN;
  EXPECT_FALSE(MakePlan(bad, options).ok);
}

TEST(Planner, FixedParamsWithoutLossLaw) {
  LawSet laws = SyntheticSet();
  laws.loss = LossLaw();
  PlanOptions options;
  options.budget_flops = 1e21;
  options.fixed_params = 1e9;
  const Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_DOUBLE_EQ(plan.ideal.params, 1e9);
  EXPECT_NEAR(plan.ideal.tokens, 1e21 / 6e9, 1e-3);
  EXPECT_TRUE(std::isnan(plan.ideal.loss));
  EXPECT_NEAR(plan.ideal.lr, laws.lr.Eval(1e9, 1e21 / 6e9), 1e-15);
  EXPECT_TRUE(std::isnan(plan.smallest.params));
  // Out of what the budget allows (T < 1).
  options.fixed_params = 1e21;
  EXPECT_FALSE(MakePlan(laws, options).ok);
}

TEST(Planner, ExtremeBudgetsDoNotBreak) {
  const LawSet laws = SyntheticSet();
  PlanOptions options;
  options.budget_flops = 1e35;
  Plan plan = MakePlan(laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_NEAR(plan.ideal.params / AnalyticNopt(laws.loss, 1e35), 1.0, 1e-6);
  options.budget_flops = 3;  // less than one token of the smallest model
  plan = MakePlan(laws, options);
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.message.find("too small"), std::string::npos);
  // Tiny: the optimum trains fewer tokens than one sample. Refused as not physical (issue 13,
  // defect 7), with the reason as a warning.
  options.budget_flops = 1e3;
  plan = MakePlan(laws, options);
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.termination, scalecalc::PlanTermination::kRefused);
  EXPECT_EQ(plan.status, scalecalc::ResultStatus::kFailed);
  EXPECT_GE(plan.ideal.params, 1.0);
  EXPECT_GE(plan.ideal.tokens, 1.0 - 1e-9);
}

TEST(Planner, IsoComputeLoss) {
  const LossLaw law = SyntheticLaw();
  ComputeModel compute;
  EXPECT_DOUBLE_EQ(IsoComputeLoss(law, compute, 6e20, 1e9), law.Eval(1e9, 1e11));
  EXPECT_TRUE(std::isnan(IsoComputeLoss(LossLaw(), compute, 6e20, 1e9)));
  EXPECT_TRUE(std::isnan(IsoComputeLoss(law, compute, 6e20, -1)));
  EXPECT_TRUE(std::isnan(IsoComputeLoss(law, compute, NAN, 1e9)));
  EXPECT_TRUE(std::isnan(IsoComputeLoss(law, compute, 6e20, 1e21)));  // T < 1
}

TEST(Planner, OptimalParamsHelper) {
  const LossLaw law = SyntheticLaw();
  EXPECT_NEAR(OptimalParams(law, ComputeModel(), 1e23) / AnalyticNopt(law, 1e23), 1.0, 1e-6);
  EXPECT_TRUE(std::isnan(OptimalParams(LossLaw(), ComputeModel(), 1e23)));
  EXPECT_TRUE(std::isnan(OptimalParams(law, ComputeModel(), -1)));
}

// science.md 4: DiT-XL/2 at 256x256 (depth 28, d 1152, 256 tokens, class-conditioned: no
// cross-attention) is 118.6 GMACs per forward. Through the planner's own inference count, with
// the shape rule d = (1152/28) depth picking exactly that shape from N = 16 depth d^2. 118.6 is
// rounded to 4 digits and the count omits the embedders (< 0.02%): tolerance 0.1%.
TEST(Planner, InferenceCountMatchesDitXl2) {
  ComputeModel compute;
  compute.width_per_depth = 1152.0 / 28.0;
  const double params = 16.0 * 28 * 1152 * 1152;
  ServingDemand demand;
  demand.tokens_per_video = 256;
  demand.sampling_steps = 1;
  demand.guidance = false;
  demand.cross_attention = false;
  const double macs = InferenceFlopsPerVideo(compute, params, demand) / 2;
  EXPECT_NEAR(macs / 118.6e9, 1.0, 1e-3);
  // With cross-attention (the default, for text-conditioned video DiTs) its q and o projections
  // add 2 n d^2 per block even without text tokens.
  demand.cross_attention = true;
  const double with_cross = InferenceFlopsPerVideo(compute, params, demand) / 2;
  EXPECT_NEAR(with_cross - macs, 28 * 2.0 * 256 * 1152 * 1152, 1e-6 * macs);
}

}  // namespace
}  // namespace scalecalc

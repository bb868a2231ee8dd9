// Practical shapes, forced hyperparameters and the Liang et al. preset (planner.h).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {
namespace {

bool Whole(double v) {
  return std::isfinite(v) && v == std::floor(v);
}

// Checks a practical point against its own definition, recomputed here from the shape.
void ExpectPractical(const PlanPoint& p, const LawSet& laws, const PlanOptions& o,
                     const std::string& where) {
  SCOPED_TRACE(where);
  const double w = p.shape.width, d = p.shape.depth;
  EXPECT_TRUE(Whole(d) && d >= 1);
  EXPECT_TRUE(Whole(w / o.head_dim));
  EXPECT_EQ(p.shape.heads, w / o.head_dim);
  EXPECT_EQ(p.shape.head_dim, o.head_dim);
  EXPECT_DOUBLE_EQ(p.params, o.compute.block_params * d * w * w);
  const double per_token = o.compute.kind == ComputeKind::kSixN
                               ? 6 * p.params
                               : 0.75 * p.params * (7 + o.compute.tokens_per_sample / w);
  EXPECT_NEAR(p.training_flops / (per_token * p.tokens), 1.0, 1e-12);
  if (laws.batch.IsSet()) {
    EXPECT_TRUE(Whole(p.batch_samples / o.batch_divisor)) << p.batch_samples;
    EXPECT_DOUBLE_EQ(p.batch_tokens, p.batch_samples * o.compute.tokens_per_sample);
    EXPECT_TRUE(Whole(p.steps));
    EXPECT_DOUBLE_EQ(p.tokens, p.steps * p.batch_tokens);
    // Whole steps overshoot the budget by less than one step.
    EXPECT_GE(p.training_flops, o.budget_flops * (1 - 1e-12));
    EXPECT_LT(p.training_flops, o.budget_flops + per_token * p.batch_tokens * (1 + 1e-12));
  }
  if (laws.loss.IsSet()) {
    const double penalty = std::isfinite(p.hyperparameter_penalty) ? p.hyperparameter_penalty : 0;
    EXPECT_NEAR(p.loss / (laws.loss.Eval(p.params, p.tokens) * (1 + penalty)), 1.0, 1e-14);
  }
  if (laws.lr.IsSet() && std::isnan(o.forced_lr)) {
    EXPECT_NEAR(p.lr / laws.lr.Eval(p.params, p.tokens), 1.0, 1e-12);
  }
}

TEST(PlanShapes, WholeAndConsistentForEveryLossPresetAndComputeModel) {
  for (const PresetInfo& preset : Presets()) {
    // LLM law sets plan no DiT shape (Trust.LanguageModelPresetsHaveNoDitShapeOrVideos).
    if (!preset.laws.loss.IsSet() || !preset.laws.video_dit) continue;
    for (ComputeKind kind : {ComputeKind::kSixN, ComputeKind::kDit}) {
      for (double budget : {1e20, 1e23}) {
        PlanOptions o;
        o.budget_flops = budget;
        o.compute.kind = kind;
        o.batch_divisor = 8;
        const Plan plan = MakePlan(preset.laws, o);
        const std::string where = preset.name + " " + ToString(kind) + " " + std::to_string(budget);
        ASSERT_TRUE(plan.ok) << where << ": " << plan.message;
        ExpectPractical(plan.optimum, preset.laws, o, where);
        // The ideal is the continuous optimum, and rounding moves N by a few percent at most.
        EXPECT_NEAR(plan.ideal.params / OptimalParams(preset.laws.loss, o.compute, budget), 1.0,
                    1e-9);
        EXPECT_NEAR(std::log(plan.optimum.params / plan.ideal.params), 0.0, 0.1) << where;
        ASSERT_GE(plan.nearby.size(), 2u) << where;
        for (const PlanPoint& p : plan.nearby) {
          ExpectPractical(p, preset.laws, o, where + " nearby");
          EXPECT_GE(p.loss, plan.optimum.loss);
        }
      }
    }
  }
}

TEST(PlanShapes, StandardBlockRuleAndWidthMultiple) {
  const LawSet& laws = FindPreset("paper")->laws;
  PlanOptions o;
  o.budget_flops = 1e22;
  o.compute.block_params = 12;  // a standard transformer block, 6N
  o.width_multiple = 128;
  const Plan plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  ExpectPractical(plan.optimum, laws, o, "12 d^2");
  EXPECT_EQ(std::fmod(plan.optimum.shape.width, 128), 0);
  o.compute.kind = ComputeKind::kDit;  // the DiT count is derived for 16 d^2
  std::string error;
  EXPECT_FALSE(o.IsValid(&error));
  EXPECT_NE(error.find("compute.block_params"), std::string::npos) << error;
}

LawSet WithSensitivity() {
  LawSet laws = FindPreset("paper")->laws;
  laws.sensitivity.ok = true;
  laws.sensitivity.curv_lr = 0.004;
  laws.sensitivity.curv_batch = 0.002;
  laws.sensitivity.cross = 0;
  return laws;
}

TEST(PlanShapes, ForcedBatchCostsLoss) {
  const LawSet laws = WithSensitivity();
  PlanOptions o;
  o.budget_flops = 1e22;
  const Plan free = MakePlan(laws, o);
  ASSERT_TRUE(free.ok);
  o.forced_batch_tokens = 4 * free.optimum.batch_tokens;
  const Plan plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  ExpectPractical(plan.optimum, laws, o, "forced batch");
  EXPECT_TRUE(plan.forced);
  const double p = plan.optimum.hyperparameter_penalty;
  EXPECT_GT(p, 0);
  // At the free optimum the penalty would be 0.002 ln(4)^2; re-optimising moves N and T so that
  // the law's batch grows towards the forced one, so it can only be smaller.
  EXPECT_LE(p, 0.002 * std::pow(std::log(4.0), 2) * 1.001);
  EXPECT_GT(plan.optimum.loss, free.optimum.loss);
  EXPECT_NEAR(plan.constraint_loss_cost, plan.optimum.loss / plan.free_optimum.loss - 1, 1e-15);
  EXPECT_GT(plan.constraint_loss_cost, 0);
  EXPECT_GT(plan.constraint_budget_fraction, 0);
  EXPECT_LT(plan.constraint_budget_fraction, 1);
  EXPECT_EQ(plan.optimum.batch_tokens, o.forced_batch_tokens);  // a whole number of samples here
  // A larger batch than optimal favours more tokens (B_opt grows with T): a smaller model.
  EXPECT_LT(plan.ideal.params, free.ideal.params);
  // Re-optimising never loses against the free ideal's N with the penalty added.
  const double n = free.ideal.params, t = free.ideal.tokens;
  const double at_free =
      laws.loss.Eval(n, t) *
      (1 + laws.sensitivity.RelativePenalty(1, o.forced_batch_tokens / laws.batch.Eval(n, t)));
  EXPECT_LE(plan.ideal.loss, at_free * (1 + 1e-14));
  EXPECT_NE(plan.message.find("cost"), std::string::npos);
}

TEST(PlanShapes, ForcedLrAndShape) {
  const LawSet laws = WithSensitivity();
  PlanOptions o;
  o.budget_flops = 1e22;
  const Plan free = MakePlan(laws, o);
  o.forced_lr = free.optimum.lr * 2;
  Plan plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(plan.optimum.lr, o.forced_lr);
  EXPECT_GT(plan.optimum.hyperparameter_penalty, 0);
  EXPECT_GT(plan.constraint_loss_cost, 0);
  o.forced_lr = NAN;
  o.forced_width = 2048;
  o.forced_depth = 24;
  plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(plan.optimum.shape.width, 2048);
  EXPECT_EQ(plan.optimum.shape.depth, 24);
  EXPECT_EQ(plan.optimum.params, 16.0 * 24 * 2048 * 2048);
  EXPECT_GE(plan.constraint_loss_cost, 0);
  o.forced_depth = NAN;  // a width alone: the depth is chosen
  plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(plan.optimum.shape.width, 2048);
  ExpectPractical(plan.optimum, laws, o, "width only");
}

TEST(PlanShapes, ForcedBatchWithoutSensitivityIsUnknown) {
  const LawSet& laws = FindPreset("paper")->laws;
  PlanOptions o;
  o.budget_flops = 1e22;
  o.forced_batch_tokens = 1280 * 4096;
  const Plan plan = MakePlan(laws, o);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_TRUE(std::isnan(plan.optimum.hyperparameter_penalty));
  EXPECT_TRUE(std::isnan(plan.constraint_loss_cost));
  EXPECT_NE(plan.message.find("unknown"), std::string::npos) << plan.message;
  EXPECT_EQ(plan.optimum.batch_samples, 4096);
}

TEST(PlanShapes, BatchDivisor) {
  PlanOptions o;
  o.budget_flops = 1e22;
  o.batch_divisor = 256;
  const Plan plan = MakePlan(FindPreset("paper")->laws, o);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(std::fmod(plan.optimum.batch_samples, 256), 0);
  EXPECT_GE(plan.optimum.batch_samples, 256);
}

TEST(PlanShapes, BadValuesNameTheirField) {
  struct Case {
    void (*set)(PlanOptions*);
    const char* field;
  };
  const Case cases[] = {
      {[](PlanOptions* o) { o->forced_batch_tokens = 0; }, "forced_batch_tokens"},
      {[](PlanOptions* o) { o->forced_batch_tokens = -1280; }, "forced_batch_tokens"},
      {[](PlanOptions* o) { o->forced_batch_tokens = INFINITY; }, "forced_batch_tokens"},
      {[](PlanOptions* o) { o->forced_batch_tokens = 100; }, "forced_batch_tokens"},  // < 1 sample
      {[](PlanOptions* o) { o->forced_batch_tokens = 1e30; }, "forced_batch_tokens"},
      {[](PlanOptions* o) { o->forced_lr = 0; }, "forced_lr"},
      {[](PlanOptions* o) { o->forced_lr = -1e-4; }, "forced_lr"},
      {[](PlanOptions* o) { o->forced_width = 1000; }, "forced_width"},  // not whole heads of 64
      {[](PlanOptions* o) { o->forced_width = -64; }, "forced_width"},
      {[](PlanOptions* o) { o->forced_depth = 2.5; }, "forced_depth"},
      {[](PlanOptions* o) { o->forced_depth = 0; }, "forced_depth"},
      {[](PlanOptions* o) { o->head_dim = 0; }, "head_dim"},
      {[](PlanOptions* o) { o->head_dim = NAN; }, "head_dim"},
      {[](PlanOptions* o) { o->head_dim = 63.5; }, "head_dim"},
      {[](PlanOptions* o) { o->width_multiple = -1; }, "width_multiple"},
      {[](PlanOptions* o) { o->batch_divisor = 0; }, "batch_divisor"},
      {[](PlanOptions* o) { o->batch_divisor = 1.5; }, "batch_divisor"},
      {[](PlanOptions* o) { o->batch_divisor = 1e12; }, "batch_divisor"},
  };
  for (const Case& c : cases) {
    PlanOptions o;
    c.set(&o);
    std::string error;
    EXPECT_FALSE(o.IsValid(&error)) << c.field;
    EXPECT_NE(error.find(std::string("plan.") + c.field), std::string::npos) << error;
    const Plan plan = MakePlan(FindPreset("paper")->laws, o);
    EXPECT_FALSE(plan.ok);
  }
  PlanOptions o;
  o.width_multiple = 128;
  o.forced_width = 64 * 3;  // whole heads, but not a multiple of 128
  std::string error;
  EXPECT_FALSE(o.IsValid(&error));
  EXPECT_NE(error.find("128"), std::string::npos) << error;
}

TEST(PlanShapes, LiangPresetPlansAtItsPublishedOptimum) {
  const PresetInfo* liang = FindPreset("liang");
  ASSERT_NE(liang, nullptr);
  EXPECT_FALSE(liang->laws.loss.IsSet());
  for (double budget : {1e21, 1e23}) {
    PlanOptions o;
    o.budget_flops = budget;
    const Plan plan = MakePlan(liang->laws, o);
    ASSERT_TRUE(plan.ok) << plan.message;
    // science.md 6: N_opt = 0.0009 C^0.5681, D_opt = 186.85 C^0.4319.
    EXPECT_NEAR(plan.ideal.params / (0.0009 * std::pow(budget, 0.5681)), 1.0, 1e-12);
    // T = C / (6 N); the published pair multiplies to 6 x 0.0009 x 186.85 = 1.009 C.
    EXPECT_NEAR(plan.ideal.tokens / (186.85 * std::pow(budget, 0.4319)), 1.0, 0.01);
    EXPECT_TRUE(std::isnan(plan.optimum.loss));
    EXPECT_NE(plan.message.find("published N_opt"), std::string::npos) << plan.message;
    ExpectPractical(plan.optimum, liang->laws, o, "liang");
  }
}

}  // namespace
}  // namespace scalecalc

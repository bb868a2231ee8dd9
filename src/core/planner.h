// planner.h: from laws and a compute budget to a training configuration and its trade-offs.
//
//   PlanOptions options;
//   options.budget_flops = 1e22;
//   std::string error;
//   if (!options.IsValid(&error)) ...
//   Plan plan = MakePlan(laws, options);   // plan.ok, plan.message, plan.optimum, ...
//
// N_opt minimises L(N, C / c(N)) along the iso-compute line, under optional caps on N and T: a
// log-spaced scan brackets the minimum, then bisection on the analytic slope dL/dlnN pins it to
// machine precision (the loss itself is too flat near the optimum to resolve N below ~1e-6 from
// loss values alone). Intervals come from the law set's bootstrap samples: each sample is replanned
// and the 95% percentile interval of N_opt, T_opt, loss, lr and batch is reported.
//
// Trade-offs reported with every plan (science.md 3.5):
// - smallest: the smallest N on the same iso-compute line whose predicted loss is within
//   loss_tolerance (relative) of the optimum; inference_saving = 1 - N_small / N_opt (per-token
//   inference FLOPs ~ N) and inference_saving_fraction from the exact DiT count (dit_flops.h).
// - total_cost (when demand.videos > 0): the model that reaches the SAME predicted loss as the
//   compute-optimal plan at the least total cost, training FLOPs c(N) T plus videos x inference
//   FLOPs per video. T follows from N through L(N, T) = L_opt; the caps on N and T still hold, the
//   budget does not (a smaller model trained longer spends more on training to save on serving).
//   With videos = 0 this point is the compute-optimal plan itself.
//
// Practical shapes (what a team can launch): after the continuous optimum (kept as `ideal`), the
// plan's model is a real architecture: whole blocks, width a whole number of heads of head_dim
// and a multiple of width_multiple, N = block_params depth width^2 (compute_model.h). Candidate
// shapes around the ideal depth and width are each re-evaluated on the iso-compute line (T =
// C / c(shape)); the batch is rounded to whole samples, a multiple of batch_divisor, steps =
// ceil(T / batch) and T = steps x batch, so the FLOPs may exceed the budget by less than one step.
// The candidate with the lowest predicted loss is the optimum; the next ones are `nearby`.
//
// Forced hyperparameters (forced_batch_tokens, forced_lr, forced_width, forced_depth): the loss
// of a point adds the sensitivity model's relative penalty (LawSet::sensitivity) for an lr or a
// batch off its law, N and T are re-optimised under the constraint, and the plan says what the
// constraint costs against the free practical optimum: in loss, and in compute (the budget at
// which the free optimum reaches the same loss). Without a sensitivity fit (presets) the penalty
// is unknown: NaN, said in the message, and the loss shown leaves it out (a lower bound).
//
// A law set without a loss law but with a published N_opt(C) (LawSet::params_opt) is planned at
// that N directly, and the message says so.
//
// Inference FLOPs per video always use the DiT count of dit_flops.h with the compute model's
// shape rule (d, depth from N), demand.tokens_per_video latent tokens, cross-attention to
// demand.text_tokens, sampling steps and guidance. Never throws, never prints.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/compute_model.h"
#include "core/dit_flops.h"
#include "core/enum_names.h"
#include "core/laws.h"
#include "core/warnings.h"

namespace scalecalc {

enum class Audience;  // settings_schema.h: who reads a message (page, CLI, program)

// Inference demand, for the total-cost optimum (training + serving).
struct ServingDemand {
  double videos = 0;               // videos to generate over the model's life (0: ignore)
  double sampling_steps = 50;      // denoising steps per video
  bool guidance = true;            // classifier-free guidance doubles the forward passes
  double tokens_per_video = 1280;  // latent tokens per video
  // Text tokens read by each block's cross-attention. 0 keeps only the cross-attention's q and o
  // projections, which is what the training count c(N) = (3/4) N (7 + n/d) includes.
  double text_tokens = 0;
  // Whether each block has a cross-attention layer (text-conditioned video DiTs do; DiT-XL/2, a
  // class-conditioned image model, does not). The planner and the cost panel both read it.
  bool cross_attention = true;

  bool IsValid(std::string* error) const;
};

struct PlanOptions {
  double budget_flops = 1e22;
  ComputeModel compute;
  double max_params = std::numeric_limits<double>::infinity();
  double max_tokens = std::numeric_limits<double>::infinity();
  double loss_tolerance = 0.001;  // relative: "good enough" is within 0.1% of the optimal loss
  ServingDemand demand;
  // NaN: optimise N. A value: plan this model size at the budget instead (T = C / c(N)); the only
  // way to plan from a law set without a loss law (lr and batch laws alone, e.g. DeepSeek).
  double fixed_params = NAN;

  // Practical shapes.
  double head_dim = 64;       // width per attention head: width is a whole number of heads
  double width_multiple = 0;  // width is also a multiple of this (0: head_dim), e.g. 128
  double batch_divisor = 1;   // batch in whole samples, a multiple of this (GPUs x micro-batch)
  // Forced hyperparameters; NaN: free (see the header comment).
  double forced_batch_tokens = NAN;  // batch in tokens (whole samples)
  double forced_lr = NAN;
  double forced_width = NAN;  // a multiple of head_dim and width_multiple
  double forced_depth = NAN;  // whole blocks

  bool AnyForced() const {
    return !std::isnan(forced_batch_tokens) || !std::isnan(forced_lr) ||
           !std::isnan(forced_width) || !std::isnan(forced_depth);
  }
  // The width step of practical shapes: lcm(head_dim, width_multiple).
  double WidthStep() const;
  // The rules that tie fields together (a forced width of whole heads, a forced batch of at least
  // one sample, not both a fixed N and a forced shape), naming the fields for `audience`.
  bool CheckShapeRules(Audience audience, std::string* error) const;

  // False with a message naming the field, its value and the rule it broke.
  bool IsValid(std::string* error) const;
};

struct PlanPoint {
  double params = NAN, tokens = NAN, loss = NAN;
  double lr = NAN, batch_tokens = NAN, batch_samples = NAN, steps = NAN;
  double training_flops = NAN;  // c(N) T
  DitShape shape;               // heads > 0: a practical shape
  // Relative loss added by an lr or batch off its law (included in loss); NaN: unknown.
  double hyperparameter_penalty = NAN;
};

enum class PlanTermination { kSuccess, kInvalidOptions, kNoLossLaw, kRefused };
// "success", "invalid options", "no loss law", "refused" (not physical: see warnings)

// How far the plan reaches beyond the data the laws were fitted on (NaN when unknown: presets
// without a documented range).
struct Extrapolation {
  double params_factor = NAN;  // N_opt / the largest fitted N
  double flops_factor = NAN;   // budget / the largest fitted run's training FLOPs
};

struct Plan {
  bool ok = false;
  PlanTermination termination = PlanTermination::kInvalidOptions;
  ResultStatus status = ResultStatus::kFailed;
  std::vector<Warning> warnings;  // the trust report (warnings.h)
  Extrapolation extrapolation;
  std::string intervals_withheld;  // why there are no intervals although samples exist
  std::string message;        // why not ok, or notes (cap active, edge of range), then the warnings
  std::string notes;          // the notes alone
  double budget_flops = NAN;  // the compute budget planned for
  PlanPoint optimum;          // compute-optimal practical shape (under caps and forced values)
  PlanPoint ideal;            // the continuous optimum before rounding (penalised when forced)
  std::vector<PlanPoint> nearby;  // the next practical shapes around the ideal, best loss first
  // Forced hyperparameters: what the constraint costs against the free practical optimum.
  bool forced = false;
  PlanPoint free_optimum;                   // the plan without the forced values
  double constraint_loss_cost = NAN;        // optimum.loss / free_optimum.loss - 1 (NaN: unknown)
  double constraint_budget_fraction = NAN;  // 1 - C_same_loss / C: budget the constraint wastes
  Interval params_ci, tokens_ci, loss_ci, lr_ci, batch_ci;  // batch_ci in tokens
  int samples_used = 0;                                     // bootstrap samples that gave a plan
  bool constrained = false;                                 // a cap on N or T is active
  PlanPoint smallest;                      // smallest N within loss_tolerance of the optimum
  double inference_saving = NAN;           // 1 - smallest.params / optimum.params (per-token FLOPs)
  double inference_saving_fraction = NAN;  // same, from the exact DiT inference FLOPs per video
  PlanPoint total_cost;                    // minimiser of training + inference FLOPs (demand > 0)
  double total_cost_flops = NAN;           // training + videos x inference at total_cost
  double optimum_total_flops = NAN;        // the same total for the compute-optimal plan
  double total_cost_saving = NAN;          // 1 - total_cost_flops / optimum_total_flops
  double inference_flops_per_video = NAN;  // at the optimum's shape
};

Plan MakePlan(const LawSet& laws, const PlanOptions& options);

// Loss along the iso-compute line at `budget_flops`, for plots: L(N, C / c(N)). NaN when the law is
// unset or the point is out of range (T < 1).
double IsoComputeLoss(const LossLaw& law, const ComputeModel& compute, double budget_flops,
                      double params);

// The DiT a model of this shape runs to serve `demand`: one configuration for the planner, the
// cost panel and the CLI, so their inference FLOPs agree.
DitConfig ServingConfig(const DitShape& shape, const ServingDemand& demand);

// Inference FLOPs of one video for a model of `params` parameters (see the header comment).
double InferenceFlopsPerVideo(const ComputeModel& compute, double params,
                              const ServingDemand& demand);

// The compute-optimal N for a budget, without caps, intervals or trade-offs (NaN on failure).
// For presets' derived N_opt and exponent fits.
double OptimalParams(const LossLaw& law, const ComputeModel& compute, double budget_flops);

}  // namespace scalecalc

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
//   inference FLOPs ~ N) and inference_saving_flops from the exact DiT count (dit_flops.h).
// - total_cost (when demand.videos > 0): the model that reaches the SAME predicted loss as the
//   compute-optimal plan at the least total cost, training FLOPs c(N) T plus videos x inference
//   FLOPs per video. T follows from N through L(N, T) = L_opt; the caps on N and T still hold, the
//   budget does not (a smaller model trained longer spends more on training to save on serving).
//   With videos = 0 this point is the compute-optimal plan itself.
//
// Inference FLOPs per video always use the DiT count of dit_flops.h with the compute model's
// shape rule (d, depth from N), demand.tokens_per_video latent tokens, cross-attention to
// demand.text_tokens, sampling steps and guidance. Never throws, never prints.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "core/compute_model.h"
#include "core/dit_flops.h"
#include "core/laws.h"

namespace scalecalc {

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

  // Practical shapes and forced hyperparameters (issue 11 gives them their behaviour).
  double head_dim = 64;              // attention head width
  double width_multiple = 0;         // the width is rounded to a multiple of this (0: head_dim)
  double batch_divisor = 1;          // the batch in samples is rounded to a multiple of this
  double forced_batch_tokens = NAN;  // NaN: the batch law's value
  double forced_lr = NAN;            // NaN: the lr law's value
  double forced_width = NAN;         // NaN: from the shape rule
  double forced_depth = NAN;         // NaN: from the shape rule

  // False with a message naming the field, its value and the rule it broke.
  bool IsValid(std::string* error) const;
};

struct PlanPoint {
  double params = NAN, tokens = NAN, loss = NAN;
  double lr = NAN, batch_tokens = NAN, batch_samples = NAN, steps = NAN;
  double training_flops = NAN;  // c(N) T
  DitShape shape;
};

struct Plan {
  bool ok = false;
  std::string message;  // why not ok, or notes (cap active, edge of range)
  double flops = NAN;
  PlanPoint optimum;                                        // compute-optimal (under constraints)
  Interval params_ci, tokens_ci, loss_ci, lr_ci, batch_ci;  // batch_ci in tokens
  int samples_used = 0;                                     // bootstrap samples that gave a plan
  bool constrained = false;                                 // a cap on N or T is active
  PlanPoint smallest;                      // smallest N within loss_tolerance of the optimum
  double inference_saving = NAN;           // 1 - smallest.params / optimum.params (per-token FLOPs)
  double inference_saving_flops = NAN;     // same, from the exact DiT inference FLOPs per video
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

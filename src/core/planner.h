// planner.h: from laws and a compute budget to a training configuration and its trade-offs.
//
// N_opt minimises L(N, C / c(N)) along the iso-compute line (golden-section in log N), under
// optional caps on N and T. Intervals come from the law set's bootstrap samples.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "core/compute_model.h"
#include "core/laws.h"

namespace scalecalc {

// Inference demand, for the total-cost optimum (training + serving).
struct ServingDemand {
  double videos = 0;                // videos to generate over the model's life (0: ignore)
  double sampling_steps = 50;       // denoising steps per video
  bool guidance = true;             // classifier-free guidance doubles the forward passes
  double tokens_per_video = 1280;   // latent tokens per video
};

struct PlanOptions {
  double budget_flops = 1e22;
  ComputeModel compute;
  double max_params = std::numeric_limits<double>::infinity();
  double max_tokens = std::numeric_limits<double>::infinity();
  double loss_tolerance = 0.001;    // relative: "good enough" is within 0.1% of the optimal loss
  ServingDemand demand;

  bool IsValid(std::string* error) const;
};

struct PlanPoint {
  double params = NAN, tokens = NAN, loss = NAN;
  double lr = NAN, batch_tokens = NAN, batch_samples = NAN, steps = NAN;
  DitShape shape;
};

struct Plan {
  bool ok = false;
  std::string message;
  double flops = NAN;
  PlanPoint optimum;                     // compute-optimal (under constraints)
  Interval params_ci, tokens_ci, loss_ci, lr_ci, batch_ci;
  bool constrained = false;              // a cap on N or T is active
  PlanPoint smallest;                    // smallest N within loss_tolerance of the optimum
  double inference_saving = NAN;         // 1 - smallest.params / optimum.params (per-token FLOPs)
  PlanPoint total_cost;                  // minimiser of training + inference FLOPs (demand > 0)
  double total_cost_flops = NAN;
  double inference_flops_per_video = NAN;  // at the optimum's shape
};

Plan MakePlan(const LawSet& laws, const PlanOptions& options);

// Loss along the iso-compute line at `budget_flops`, for plots: params_grid in, losses out.
double IsoComputeLoss(const LossLaw& law, const ComputeModel& compute, double budget_flops,
                      double params);

}  // namespace scalecalc

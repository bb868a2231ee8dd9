// presets.h: published scaling laws, ready for the planner and for comparison with a user's fit.
//
//   const PresetInfo* paper = FindPreset("paper");   // nullptr when unknown
//   Plan plan = MakePlan(paper->laws, options);
//   for (const PresetInfo& p : Presets()) combo.Add(p.name, p.title);
//
// Every LawSet is in raw units (parameters, tokens, FLOPs, batch in tokens), whatever units the
// source printed; `notes` says how each constant was converted. Presets carry no bootstrap
// samples (no intervals). A source that publishes N_opt(C) power laws keeps them beside the loss
// law: CompareOptima shows the published values next to the one derived by minimising the loss
// law along the iso-compute line, and says when they differ (they do for the paper, science.md
// 3.4: never hide it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/compute_model.h"
#include "core/laws.h"

namespace scalecalc {

// N_opt = coef * C^exponent, C in FLOPs, N in parameters.
struct PublishedOptimum {
  std::string label;  // what the source derived it from
  double coef = NAN;
  double exponent = NAN;
  double Eval(double flops) const { return coef * std::pow(flops, exponent); }
};

// A published comparison of two model sizes at one budget (the paper's headline, science.md 3.4).
struct PublishedSizeComparison {
  double budget_flops = NAN;
  double tuned_params = NAN;      // compute-optimal with fitted hyperparameters
  double fixed_params = NAN;      // compute-optimal with fixed hyperparameters
  double inference_saving = NAN;  // the claimed 1 - cost(tuned) / cost(fixed)
};

struct PresetInfo {
  std::string name;      // lookup key and CLI argument: "paper", "chinchilla", ...
  std::string title;     // for people and combo boxes
  std::string source;    // citation
  std::string notes;     // unit conversions, range of validity, caveats
  LawSet laws;           // raw units; a law the source does not give is unset
  ComputeModel compute;  // the compute count the source used for C (C = c(N) T)
  std::vector<PublishedOptimum> published_optima;
  PublishedSizeComparison size_comparison;  // NaN where the source gives none
};

// All presets, in a fixed order (for lists and combo boxes).
const std::vector<PresetInfo>& Presets();
// Lookup by name, case-insensitive; nullptr when unknown.
const PresetInfo* FindPreset(std::string_view name);
std::vector<std::string> PresetNames();

// Published against derived compute-optimal N at one budget.
struct OptimumComparison {
  double budget_flops = NAN;
  double derived_params = NAN;           // argmin of the loss law on the iso-compute line
  std::vector<double> published_params;  // one per PresetInfo::published_optima
  double derived_exponent = NAN;         // local slope d ln N_opt / d ln C of the derived optimum
  std::string text;                      // one paragraph for people
};
OptimumComparison CompareOptima(const PresetInfo& preset, const ComputeModel& compute,
                                double budget_flops);

// Least-squares slope of ln N_opt against ln C, N_opt derived from `law` at `points` budgets
// log-spaced over [flops_lo, flops_hi]. NaN when any budget fails.
double DerivedOptimumExponent(const LossLaw& law, const ComputeModel& compute, double flops_lo,
                              double flops_hi, int points = 9);

}  // namespace scalecalc

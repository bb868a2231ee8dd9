// isoflop.h: Chinchilla's Approach 2 (IsoFLOP profiles), beside the surface fit (Approach 3).
//
//   std::vector<IsoFlopPoint> points = IsoFlopPointsOf(table, fit);   // runs, or cell optima
//   IsoFlopResult iso = FitIsoFlop(points, compute, options);
//   if (iso.ok) iso.ParamsOpt(1e22);                                  // k C^a
//   MethodComparison cmp = CompareMethods(iso, fit, &plan);           // a and N_opt side by side
//
// Runs share a budget when their FLOPs agree within options.budget_tolerance (relative, chained
// as cells are). Each budget with >= min_sizes model sizes gets the least-squares parabola of loss
// in ln N; its vertex is N*(C). A budget whose parabola does not curve up, or whose vertex lies
// outside its sampled N range, is flagged and left out. Then N*(C) = k C^a by least squares in log
// space and T*(C) = C / c(N*) likewise. Intervals: resample the points within each budget (the
// generator of resample k is seeded by (seed, k)), refit, 95% percentiles.
//
// Approach 2 is biased by asymmetric loss surfaces and off-centre sampling grids; the surface fit
// is not (Open-Athena scaling-law-analysis, March 2026): CompareMethods says so when they disagree.
// Deterministic; never throws, never prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/compute_model.h"
#include "core/enum_names.h"
#include "core/fit.h"
#include "core/laws.h"
#include "core/planner.h"
#include "core/run_table.h"

namespace scalecalc {

struct IsoFlopOptions {
  double budget_tolerance =
      0.01;                   // relative FLOPs gap within one budget (FitOptions::cell_tolerance)
  int min_budgets = 3;        // usable budgets for the analysis to apply
  int min_sizes = 3;          // distinct model sizes (within budget_tolerance) per budget
  int bootstrap_samples = 0;  // 0: no intervals
  uint64_t seed = 1;
};

struct IsoFlopPoint {
  double params = 0;
  double flops = 0;
  double loss = 0;
  int run = -1;  // index into RunTable::runs (or of the cell's best run); -1 when none
};

enum class BudgetFlag {
  kUsed,           // in the power-law fit
  kFewSizes,       // fewer than min_sizes distinct model sizes
  kNotConvex,      // the parabola does not curve upwards
  kVertexOutside,  // the vertex lies outside the sampled N range
};
std::string Describe(BudgetFlag flag);  // a sentence fragment for people

struct IsoFlopBudget {
  double flops = 0;  // geometric mean of its points' FLOPs
  int points = 0;
  int sizes = 0;  // distinct N within the tolerance
  double min_params = 0, max_params = 0;
  // loss = c0 + c1 u + c2 u^2 with u = ln N - ln_center.
  double c0 = NAN, c1 = NAN, c2 = NAN, ln_center = 0;
  double params_opt = NAN, tokens_opt = NAN, loss_opt = NAN;
  BudgetFlag flag = BudgetFlag::kUsed;
  std::vector<int> point_indices;  // into the points given to FitIsoFlop
  double Eval(double params) const;
};

// How FitIsoFlop ended (Ceres' Summary style).
enum class IsoFlopTermination {
  kFitted,          // N*(C) and T*(C) fitted (ok)
  kNotIsoFlopGrid,  // fewer than min_budgets budgets with min_sizes sizes each (not applicable)
  kTooFewVertices,  // applicable, but fewer than two budgets have a vertex inside their sizes
};

struct IsoFlopResult {
  bool applicable = false;  // >= min_budgets budgets with >= min_sizes sizes each
  bool ok = false;          // the power laws are fitted
  IsoFlopTermination termination = IsoFlopTermination::kNotIsoFlopGrid;
  std::string message;                 // why not applicable or not ok; notes
  std::vector<IsoFlopBudget> budgets;  // ascending FLOPs
  int budgets_used = 0;
  double params_coef = NAN, params_exp = NAN;  // N*(C) = params_coef * C^params_exp
  double tokens_coef = NAN, tokens_exp = NAN;  // T*(C) = tokens_coef * C^tokens_exp
  Interval params_coef_ci, params_exp_ci, tokens_exp_ci;
  std::vector<double> sample_coef, sample_exp;  // kept bootstrap refits of (k, a)
  int bootstrap_samples_done = 0;

  double ParamsOpt(double flops) const;
  Interval ParamsOptCi(double flops) const;  // from the bootstrap refits
};

// The points Approach 2 reads from a table: included runs (flops as read or derived), or, when
// the fit found a learning-rate or batch sweep, each cell's optimum (loss at the optimum).
std::vector<IsoFlopPoint> IsoFlopPointsOf(const RunTable& table, const FitSummary& fit,
                                          const ComputeModel& compute);

IsoFlopResult FitIsoFlop(const std::vector<IsoFlopPoint>& points, const ComputeModel& compute,
                         const IsoFlopOptions& options);

// The surface fit's compute-optimal N at each of `flops` (the planner on the point law, without
// intervals): the line drawn beside Approach 2's k C^a. NaN where no optimum is found.
std::vector<double> SurfaceParamsOpt(const LossLaw& law, const ComputeModel& compute,
                                     const std::vector<double>& flops);

// Approach 2 against the surface fit: the N_opt exponent a (surface: beta / (alpha + beta)) and
// N_opt at the plan's budget, with 95% intervals where both have bootstrap samples.
struct MethodComparison {
  bool ok = false;  // both methods have a result
  double isoflop_exp = NAN, surface_exp = NAN;
  Interval isoflop_exp_ci, surface_exp_ci;
  double budget_flops = NAN;  // NaN without a plan
  double isoflop_params = NAN, surface_params = NAN;
  Interval isoflop_params_ci, surface_params_ci;
  bool exp_disagree = false;     // intervals (both present) do not overlap
  bool params_disagree = false;  // likewise for N_opt at the budget
  std::string text;              // one paragraph for people
};
MethodComparison CompareMethods(const IsoFlopResult& isoflop, const FitSummary& fit,
                                const Plan* plan);

}  // namespace scalecalc

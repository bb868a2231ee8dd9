// fit.h: fit the paper's laws to a RunTable. FitOptions in, FitSummary out (Ceres-style).
//
//   FitOptions options;                  // defaults are sensible
//   options.optimum = OptimumMethod::kSmooth;
//   std::string error;
//   if (!options.IsValid(&error)) ...
//   FitSummary summary = Fit(table, options);
//   summary.FullReport();                // for people
//
// Deterministic: the bootstrap draws from a generator seeded with options.seed. Never throws,
// never prints; a numerical failure is summary.ok == false with summary.message.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/laws.h"
#include "core/run_table.h"

namespace scalecalc {

enum class OptimumMethod {
  kArgmin,  // the grid point with the lowest loss
  kBand,    // every run within band_tolerance of the cell's minimum enters the regressions
  kSmooth,  // quadratic in (log lr, log batch) around the minimum; its analytic minimum
};
const char* ToString(OptimumMethod method);  // "argmin", "band", "smooth"
bool FromString(const std::string& text, OptimumMethod* method);

struct FitOptions {
  OptimumMethod optimum = OptimumMethod::kArgmin;
  double band_tolerance = 0.0025;   // relative loss above the cell minimum (0.25%)
  double cell_tolerance = 0.01;     // runs whose N and T agree within this relative gap share a cell
  double huber_delta = 1e-3;        // Huber threshold on log residuals
  int bootstrap_samples = 1000;     // 0: no intervals
  uint64_t seed = 1;                // bootstrap generator seed
  bool extrapolation_check = true;  // refit without the largest model and report its error
  // The sensitivity fit uses runs whose loss is at most this much (relative) above their cell's
  // optimum: diverged or far-off runs (Step Law's reach 3x the optimum) are not quadratic and
  // would swamp it. Infinity: every run.
  double sensitivity_cap = 0.05;

  bool IsValid(std::string* error) const;
};

// One (N, T) cell of a sweep with its optimum.
struct Cell {
  double params = NAN;
  double tokens = NAN;
  double lr = NAN;            // optimal learning rate (NaN without a sweep)
  double batch_tokens = NAN;  // optimal batch size in tokens
  double loss = NAN;          // loss at the optimum (smooth: the model's minimum)
  int runs = 0;               // included runs in the cell
  bool on_edge = false;       // optimum on the border of the swept lr or batch range
  bool not_convex = false;    // smooth model does not curve upwards (fell back to argmin)
  std::vector<int> run_indices;   // indices into RunTable::runs
  std::vector<int> band_indices;  // runs within the band (kBand)
};

struct HyperLawFit {
  PowerLaw2 law;
  Interval coef_ci, exp_params_ci, exp_tokens_ci;
  int points = 0;       // points in the regression
  double r2 = NAN;      // in log space
};

struct LossLawFit {
  LossLaw law;
  Interval E_ci, A_ci, alpha_ci, B_ci, beta_ci;
  double objective = NAN;              // sum of Huber of log residuals at the optimum
  std::vector<std::string> on_bound;   // parameters that ended on a bound ("E", "alpha", ...)
  int points = 0;                      // points fitted (cells, or runs without a sweep)
  // Extrapolation check: refit without the largest model, predict its points.
  double holdout_params = NAN;
  double holdout_rel_error = NAN;      // mean |L_hat - L| / L on the held-out points
};

// Loss penalty for off-optimal hyperparameters, fitted on the runs of the sweep cells within
// FitOptions::sensitivity_cap of their cell's optimum:
//   L(lr, B) / L_opt - 1 = c_lr u^2 + c_batch v^2 + c_cross u v,
//   u = ln(lr / lr_opt(N, T)), v = ln(B / B_opt(N, T)).
struct Sensitivity {
  bool ok = false;
  double curv_lr = NAN, curv_batch = NAN, cross = NAN;
  int points = 0;
  double RelativePenalty(double lr_ratio, double batch_ratio) const;
};

enum class FitTermination { kSuccess, kNoData, kFailed, kCancelled };
const char* ToString(FitTermination termination);  // "success", "no data", "failed", "cancelled"
bool FromString(const std::string& text, FitTermination* termination);

struct FitSummary {
  bool ok = false;
  FitTermination termination = FitTermination::kNoData;
  std::string message;                 // why not ok, or notes
  FitOptions options;                  // the options this fit ran with
  int runs = 0, runs_included = 0;     // rows in the table, rows that entered the fit
  std::vector<Cell> cells;
  bool has_sweep = false;              // lr or batch varies inside some cell (laws attempted)
  HyperLawFit lr_law, batch_law;
  LossLawFit loss;
  Sensitivity sensitivity;
  std::vector<int> excluded_rows;      // data rows left out by the user (1-based)
  int bootstrap_samples_done = 0;
  LawSet laws;                         // the fitted laws plus bootstrap samples, for the planner
                                       // (sample k of loss, lr, batch: the same resample)

  std::string BriefReport() const;
  std::string FullReport() const;
};

// Called with (done, total) during the bootstrap; return false to cancel.
using ProgressFn = std::function<bool(int done, int total)>;

FitSummary Fit(const RunTable& table, const FitOptions& options, const ProgressFn& progress = {});

// Replaces the bootstrap samples of `summary` with `flat` (FlattenSamples' layout, e.g. computed
// by the fitting worker with the same table and options) and recomputes every interval from them.
// False, and nothing changed, if `flat` is malformed.
bool AttachBootstrapSamples(const std::vector<double>& flat, FitSummary* summary);

}  // namespace scalecalc

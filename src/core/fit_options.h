// fit_options.h: what a fit is asked to do (FitOptions) and how it reports progress. Read by the
// fitting engine's stages (cells, bootstrap, sensitivity) without the driver in fit.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/enum_names.h"

namespace scalecalc {

enum class OptimumMethod {
  kArgmin,  // the grid point with the lowest loss
  kBand,    // every run within band_tolerance of the cell's minimum enters the regressions
  kSmooth,  // quadratic in (log lr, log batch) around the minimum; its analytic minimum
};

struct FitOptions {
  OptimumMethod optimum = OptimumMethod::kArgmin;
  double band_tolerance = 0.0025;  // relative loss above the cell minimum (0.25%)
  double cell_tolerance = 0.01;    // runs whose N and T agree within this relative gap share a cell
  double huber_delta = 1e-3;       // Huber threshold on log residuals
  int bootstrap_samples = 1000;    // 0: no intervals
  uint64_t seed = 1;               // bootstrap generator seed
  bool extrapolation_check = true;  // refit without the largest model and report its error
  // The sensitivity fit uses runs whose loss is at most this much (relative) above their cell's
  // optimum: diverged or far-off runs (Step Law's reach 3x the optimum) are not quadratic and
  // would swamp it. Infinity: every run.
  double sensitivity_cap = 0.05;

  bool IsValid(std::string* error) const;
};

// Called with (done, total) during the bootstrap; return false to cancel.
using ProgressFn = std::function<bool(int done, int total)>;

// How each bootstrap resample's loss law is refitted. kWarm is the product; the others are the
// references benchmarks time and compare against.
enum class BootstrapRefit {
  kWarm,    // LossRefitter: Newton from the full-data optimum and its neighbours, cold fallback
  kLegacy,  // RefitLossLaw from the full-data optimum (L-BFGS-B only): the code before warm starts
  kCold,    // FitLossLaw: the full grid search for every resample
};

// How the bootstrap is computed, not what: not part of the analysis (never shared). Resample k
// draws from a generator seeded by (FitOptions::seed, k), so any split of the resamples over
// threads or calls gives the samples of the whole bootstrap, in the same order.
struct BootstrapExecution {
  int first = 0;    // computes resamples [first, last) of FitOptions::bootstrap_samples
  int last = -1;    // -1: up to FitOptions::bootstrap_samples
  int threads = 1;  // native only (WebAssembly computes on the calling thread)
  BootstrapRefit refit = BootstrapRefit::kWarm;
};

}  // namespace scalecalc

// bootstrap.h: deterministic resampling with replacement and the bootstrap of the fitted laws.
//
//   Resampler resampler(seed);
//   std::vector<int> counts = resampler.Counts(n);  // how often each of n items is drawn
//
// Indices come from the raw 64-bit output of std::mt19937_64 through our own mapping (not
// std::uniform_int_distribution, whose algorithm differs between libstdc++ and libc++), so a seed
// gives the same resamples natively and in WebAssembly. Internal to the fitting engine.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "core/fit_options.h"
#include "core/hyper_law_fit.h"
#include "core/laws.h"
#include "core/loss_law_fit.h"

namespace scalecalc {

class Resampler {
 public:
  explicit Resampler(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n): the high 64 bits of raw * n (bias below n / 2^64, negligible).
  uint64_t Index(uint64_t n);
  // counts[i] = how many of n draws picked item i.
  std::vector<int> Counts(int n);

 private:
  std::mt19937_64 engine_;
};

// One resampling unit: a cell (with a sweep) or a run (without).
struct BootstrapUnit {
  LossPoint loss;
  std::vector<HyperPoint> lr;     // points this unit adds to the lr regression (may be empty)
  std::vector<HyperPoint> batch;  // and to the batch regression
};

struct BootstrapSettings {
  int samples = 0;
  uint64_t seed = 1;
  double huber_delta = 1e-3;
  double distinct_tolerance = 0.01;
  bool fit_lr = false;
  bool fit_batch = false;
  LossLaw start;  // warm start of every loss refit (the full-data optimum)
};

// Kept samples are aligned: index k of loss, lr and batch comes from the same resample (lr or
// batch empty when not fitted). A resample that cannot identify a law is skipped and counted.
struct BootstrapResult {
  std::vector<LossLaw> loss;
  std::vector<PowerLaw2> lr, batch;
  int attempted = 0;
  int skipped = 0;
  bool cancelled = false;
};

BootstrapResult RunBootstrap(const std::vector<BootstrapUnit>& units,
                             const BootstrapSettings& settings, const ProgressFn& progress);

}  // namespace scalecalc

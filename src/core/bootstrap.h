// bootstrap.h: deterministic resampling with replacement and the bootstrap of the fitted laws.
//
//   std::vector<int> counts = ResampleCounts(seed, k, n);  // resample k: how often each item is
//   drawn BootstrapResult share = RunBootstrapRange(units, settings, first, last, progress);
//   AppendBootstrap(std::move(share), &total);            // shares in order: the whole bootstrap
//
// Resample k draws from its own generator, SplitMix64 seeded by (seed, k), never from a stream
// shared with other resamples: any partition of [0, samples) into shares (threads, Web Workers)
// gives the same samples. Indices come from the raw 64-bit output through our own mapping (not
// std::uniform_int_distribution, whose algorithm differs between libstdc++ and libc++), so a seed
// gives the same resamples natively and in WebAssembly. Internal to the fitting engine.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "core/fit_options.h"
#include "core/hyper_law_fit.h"
#include "core/laws.h"
#include "core/loss_law_fit.h"

namespace scalecalc {

// Uniform in [0, n) from a raw 64-bit draw: the high 64 bits of raw * n (bias below n / 2^64).
uint64_t MapToIndex(uint64_t raw, uint64_t n);

// A stream of draws from std::mt19937_64 (the generator of format-1 results; kept for its test).
class Resampler {
 public:
  explicit Resampler(uint64_t seed) : engine_(seed) {}
  uint64_t Index(uint64_t n) { return MapToIndex(engine_(), n); }
  // counts[i] = how many of n draws picked item i.
  std::vector<int> Counts(int n);

 private:
  std::mt19937_64 engine_;
};

// SplitMix64 (Steele, Lea and Flood 2014; the seeder of xoshiro): state += golden gamma, then a
// mix of the state. Fast, 64-bit, the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

// The generator of resample k of a bootstrap seeded with `seed`.
SplitMix64 ResampleGenerator(uint64_t seed, uint64_t k);
// counts[i] = how many of n draws of resample k picked item i.
std::vector<int> ResampleCounts(uint64_t seed, uint64_t k, int n);

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
  bool fit_loss = true;  // false: only the hyperparameter laws (no loss law to resample)
  bool fit_lr = false;
  bool fit_batch = false;
  // The variables each hyperparameter law is fitted in; a one-variable law's resample needs 2
  // distinct values of its variable (the full fit needed 3).
  HyperVariables lr_variables = HyperVariables::kBoth;
  HyperVariables batch_variables = HyperVariables::kBoth;
  LossLaw start;  // warm start of every loss refit (the full-data optimum)
  BootstrapRefit refit = BootstrapRefit::kWarm;
  // Threads RunBootstrap splits the resamples over (native builds; WebAssembly computes on the
  // calling thread). The result is identical for any value.
  int threads = 1;
  // Resampling whole runs (training curves, whose checkpoints share runs across cells): when set,
  // resample k draws run_count runs (ResampleCounts(seed, k, run_count)) and `rebuild` turns the
  // draw counts into the units the refits read (cells recomputed from the drawn runs), instead of
  // drawing units. Called from several threads at once: it must only read shared data.
  int run_count = 0;
  std::function<std::vector<BootstrapUnit>(const std::vector<int>& run_counts)> rebuild;
};

// Kept samples are aligned: index k of loss, lr and batch comes from the same resample (lr or
// batch empty when not fitted; loss empty when settings.fit_loss is false). A resample that cannot
// identify a law is skipped and counted.
struct BootstrapResult {
  std::vector<LossLaw> loss;
  std::vector<PowerLaw2> lr, batch;
  std::vector<int> resample;      // the resample index k of each kept sample
  std::vector<double> objective;  // the loss-law objective of each kept sample
  int attempted = 0;
  int skipped = 0;
  int cold_fallbacks = 0;  // warm refits that ran the cold search too (kWarm only)
  bool cancelled = false;
};

// Resamples [first, last) of the bootstrap (0 <= first <= last <= settings.samples), on the
// calling thread; progress(done, last - first). What a thread or a Web Worker computes.
BootstrapResult RunBootstrapRange(const std::vector<BootstrapUnit>& units,
                                  const BootstrapSettings& settings, int first, int last,
                                  const ProgressFn& progress);

// All settings.samples resamples, split over settings.threads threads; progress is called on the
// calling thread.
BootstrapResult RunBootstrap(const std::vector<BootstrapUnit>& units,
                             const BootstrapSettings& settings, const ProgressFn& progress);

// Appends a share computed after those already in `total` (shares in resample order).
void AppendBootstrap(BootstrapResult share, BootstrapResult* total);

}  // namespace scalecalc

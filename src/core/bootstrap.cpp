#include "core/bootstrap.h"

#include <algorithm>

namespace scalecalc {

namespace {

// High 64 bits of a * b, in 32-bit halves (no __int128: portable to every compiler we use).
uint64_t MulHigh64(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t hi_hi = a_hi * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

}  // namespace

uint64_t Resampler::Index(uint64_t n) {
  return MulHigh64(engine_(), n);
}

std::vector<int> Resampler::Counts(int n) {
  std::vector<int> counts(std::max(n, 0), 0);
  for (int k = 0; k < n; ++k) ++counts[Index(static_cast<uint64_t>(n))];
  return counts;
}

BootstrapResult RunBootstrap(const std::vector<BootstrapUnit>& units,
                             const BootstrapSettings& settings, const ProgressFn& progress) {
  BootstrapResult result;
  const int total = settings.samples;
  const int units_count = static_cast<int>(units.size());
  // About a hundred progress reports per bootstrap, whatever its size.
  const int report_every = std::max(1, total / 100);
  Resampler resampler(settings.seed);
  if (progress && !progress(0, total)) {
    result.cancelled = true;
    return result;
  }
  std::vector<LossPoint> points(units_count);
  std::vector<HyperPoint> lr_points, batch_points;
  for (int sample = 0; sample < total; ++sample) {
    const std::vector<int> counts = resampler.Counts(units_count);
    ++result.attempted;
    lr_points.clear();
    batch_points.clear();
    for (int u = 0; u < units_count; ++u) {
      points[u] = units[u].loss;
      points[u].weight = counts[u];
      for (int c = 0; c < counts[u]; ++c) {
        if (settings.fit_lr)
          lr_points.insert(lr_points.end(), units[u].lr.begin(), units[u].lr.end());
        if (settings.fit_batch) {
          batch_points.insert(batch_points.end(), units[u].batch.begin(), units[u].batch.end());
        }
      }
    }
    bool usable = CheckLossPoints(points, settings.distinct_tolerance).empty();
    LossFitResult loss;
    PowerLaw2 lr, batch;
    double r2 = 0;
    std::string error;
    if (usable) {
      loss = RefitLossLaw(points, settings.huber_delta, settings.start);
      usable = loss.ok;
    }
    if (usable && settings.fit_lr) {
      usable = FitHyperLaw(lr_points, settings.distinct_tolerance, &lr, &r2, &error);
    }
    if (usable && settings.fit_batch) {
      usable = FitHyperLaw(batch_points, settings.distinct_tolerance, &batch, &r2, &error);
    }
    if (usable) {
      result.loss.push_back(loss.law);
      if (settings.fit_lr) result.lr.push_back(lr);
      if (settings.fit_batch) result.batch.push_back(batch);
    } else {
      ++result.skipped;
    }
    const int done = sample + 1;
    if (progress && (done % report_every == 0 || done == total) && !progress(done, total)) {
      result.cancelled = done < total;
      if (result.cancelled) break;
    }
  }
  return result;
}

}  // namespace scalecalc

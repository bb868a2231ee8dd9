#include "core/bootstrap.h"

#include <algorithm>
#include <atomic>
#include <utility>
#ifndef __EMSCRIPTEN__
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

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

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;

uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename Draw>
std::vector<int> CountDraws(int n, Draw draw) {
  std::vector<int> counts(std::max(n, 0), 0);
  for (int k = 0; k < n; ++k) ++counts[MapToIndex(draw(), static_cast<uint64_t>(n))];
  return counts;
}

// Cancellation and progress shared by the threads of one bootstrap.
struct SharedProgress {
  std::atomic<int> done{0};
  std::atomic<bool> cancel{false};
};

// Keeps a resample's laws, or counts it skipped.
void Keep(bool usable, const LossFitResult& loss, const PowerLaw2& lr, const PowerLaw2& batch,
          int sample, const BootstrapSettings& settings, BootstrapResult* result) {
  if (!usable) {
    ++result->skipped;
    return;
  }
  result->loss.push_back(loss.law);
  if (settings.fit_lr) result->lr.push_back(lr);
  if (settings.fit_batch) result->batch.push_back(batch);
  result->resample.push_back(sample);
  result->objective.push_back(loss.objective);
}

// Resamples [first, last); bumps shared->done after each and stops early once shared->cancel.
BootstrapResult RunShare(const std::vector<BootstrapUnit>& units, const BootstrapSettings& settings,
                         int first, int last, SharedProgress* shared,
                         const std::function<bool(int done)>& after_each) {
  BootstrapResult result;
  const int units_count = static_cast<int>(units.size());
  std::vector<LossPoint> points(units_count);
  for (int u = 0; u < units_count; ++u) points[u] = units[u].loss;
  // The per-unit work no resample changes, done once per share.
  const bool warm = settings.refit == BootstrapRefit::kWarm;
  const LossRefitter refitter(warm ? points : std::vector<LossPoint>{}, settings.huber_delta,
                              settings.start);
  std::vector<double> weights(units_count);
  std::vector<HyperPoint> lr_points, batch_points;
  for (int sample = first; sample < last; ++sample) {
    if (shared && shared->cancel.load(std::memory_order_relaxed)) {
      result.cancelled = true;
      break;
    }
    ++result.attempted;
    lr_points.clear();
    batch_points.clear();
    if (settings.rebuild) {
      // Whole runs drawn; the units (cells) recomputed from them.
      const std::vector<BootstrapUnit> drawn = settings.rebuild(
          ResampleCounts(settings.seed, static_cast<uint64_t>(sample), settings.run_count));
      std::vector<LossPoint> drawn_points;
      for (const BootstrapUnit& unit : drawn) {
        drawn_points.push_back(unit.loss);
        lr_points.insert(lr_points.end(), unit.lr.begin(), unit.lr.end());
        batch_points.insert(batch_points.end(), unit.batch.begin(), unit.batch.end());
      }
      LossFitResult loss;
      PowerLaw2 lr, batch;
      double r2 = 0;
      std::string error;
      bool usable = CheckLossPoints(drawn_points, settings.distinct_tolerance).empty();
      if (usable) {
        loss = settings.refit == BootstrapRefit::kCold
                   ? FitLossLaw(drawn_points, settings.huber_delta)
                   : RefitLossLaw(drawn_points, settings.huber_delta, settings.start);
        usable = loss.ok;
        result.cold_fallbacks += loss.cold_fallback ? 1 : 0;
      }
      if (usable && settings.fit_lr) {
        usable = FitHyperLaw(lr_points, settings.distinct_tolerance, &lr, &r2, &error);
      }
      if (usable && settings.fit_batch) {
        usable = FitHyperLaw(batch_points, settings.distinct_tolerance, &batch, &r2, &error);
      }
      Keep(usable, loss, lr, batch, sample, settings, &result);
      const int done = shared ? shared->done.fetch_add(1) + 1 : result.attempted;
      if (after_each && !after_each(done)) {
        result.cancelled = sample + 1 < last;
        if (result.cancelled) break;
      }
      continue;
    }
    const std::vector<int> counts =
        ResampleCounts(settings.seed, static_cast<uint64_t>(sample), units_count);
    for (int u = 0; u < units_count; ++u) {
      points[u].weight = counts[u];
      weights[u] = counts[u];
      for (int c = 0; c < counts[u]; ++c) {
        if (settings.fit_lr)
          lr_points.insert(lr_points.end(), units[u].lr.begin(), units[u].lr.end());
        if (settings.fit_batch) {
          batch_points.insert(batch_points.end(), units[u].batch.begin(), units[u].batch.end());
        }
      }
    }
    bool usable =
        !settings.fit_loss || CheckLossPoints(points, settings.distinct_tolerance).empty();
    LossFitResult loss;
    PowerLaw2 lr, batch;
    double r2 = 0;
    std::string error;
    if (usable && settings.fit_loss) {
      switch (settings.refit) {
        case BootstrapRefit::kWarm:
          loss = refitter.Refit(weights);
          break;
        case BootstrapRefit::kLegacy:
          loss = RefitLossLaw(points, settings.huber_delta, settings.start);
          break;
        case BootstrapRefit::kCold:
          loss = FitLossLaw(points, settings.huber_delta);
          break;
      }
      usable = loss.ok;
      result.cold_fallbacks += loss.cold_fallback ? 1 : 0;
    }
    const auto min_distinct = [](HyperVariables v) { return v == HyperVariables::kBoth ? 3 : 2; };
    if (usable && settings.fit_lr) {
      usable = FitHyperLawIn(lr_points, settings.distinct_tolerance, settings.lr_variables,
                             min_distinct(settings.lr_variables), &lr, &r2, &error);
    }
    if (usable && settings.fit_batch) {
      usable = FitHyperLawIn(batch_points, settings.distinct_tolerance, settings.batch_variables,
                             min_distinct(settings.batch_variables), &batch, &r2, &error);
    }
    if (usable) {
      if (settings.fit_loss) result.loss.push_back(loss.law);
      if (settings.fit_lr) result.lr.push_back(lr);
      if (settings.fit_batch) result.batch.push_back(batch);
      result.resample.push_back(sample);
      result.objective.push_back(loss.objective);
    } else {
      ++result.skipped;
    }
    const int done = shared ? shared->done.fetch_add(1) + 1 : result.attempted;
    if (after_each && !after_each(done)) {
      result.cancelled = sample + 1 < last;
      if (result.cancelled) break;
    }
  }
  return result;
}

}  // namespace

uint64_t MapToIndex(uint64_t raw, uint64_t n) {
  return MulHigh64(raw, n);
}

std::vector<int> Resampler::Counts(int n) {
  return CountDraws(n, [this] { return engine_(); });
}

uint64_t SplitMix64::Next() {
  state_ += kGoldenGamma;
  return Mix64(state_);
}

SplitMix64 ResampleGenerator(uint64_t seed, uint64_t k) {
  // Mixing the seed first keeps the streams of neighbouring seeds apart (seed s, resample k+1
  // does not replay seed s+1, resample k).
  return SplitMix64(Mix64(seed) + Mix64(k + 1) * kGoldenGamma);
}

std::vector<int> ResampleCounts(uint64_t seed, uint64_t k, int n) {
  SplitMix64 generator = ResampleGenerator(seed, k);
  return CountDraws(n, [&generator] { return generator.Next(); });
}

BootstrapResult RunBootstrapRange(const std::vector<BootstrapUnit>& units,
                                  const BootstrapSettings& settings, int first, int last,
                                  const ProgressFn& progress) {
  first = std::max(0, std::min(first, settings.samples));
  last = std::max(first, std::min(last, settings.samples));
  const int total = last - first;
  if (progress && !progress(0, total)) {
    BootstrapResult result;
    result.cancelled = true;
    return result;
  }
  // About a hundred progress reports per share, whatever its size.
  const int report_every = std::max(1, total / 100);
  std::function<bool(int)> after_each;
  if (progress) {
    after_each = [&](int done) {
      return !(done % report_every == 0 || done == total) || progress(done, total);
    };
  }
  return RunShare(units, settings, first, last, nullptr, after_each);
}

BootstrapResult RunBootstrap(const std::vector<BootstrapUnit>& units,
                             const BootstrapSettings& settings, const ProgressFn& progress) {
  const int total = std::max(settings.samples, 0);
  int threads = std::max(1, std::min(settings.threads, total));
#ifdef __EMSCRIPTEN__
  threads = 1;  // the page parallelises with Web Workers instead
#endif
  if (threads <= 1) return RunBootstrapRange(units, settings, 0, total, progress);
#ifdef __EMSCRIPTEN__
  return {};
#else
  BootstrapResult result;
  if (progress && !progress(0, total)) {
    result.cancelled = true;
    return result;
  }
  SharedProgress shared;
  std::mutex mutex;
  std::condition_variable changed;
  int finished = 0;
  std::vector<BootstrapResult> shares(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    // Contiguous shares, so that concatenating them in order gives resample order.
    const int first = static_cast<int>(static_cast<int64_t>(total) * t / threads);
    const int last = static_cast<int>(static_cast<int64_t>(total) * (t + 1) / threads);
    pool.emplace_back([&, t, first, last] {
      auto notify = [&](int) {
        changed.notify_one();
        return true;
      };
      try {
        shares[t] = RunShare(units, settings, first, last, &shared, notify);
      } catch (...) {
        shared.cancel = true;  // out of memory: stop the others; the caller sees a short result
        shares[t].cancelled = true;
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++finished;
      changed.notify_one();
    });
  }
  // Progress on the calling thread, about a hundred reports in all.
  const int report_every = std::max(1, total / 100);
  int reported = 0;
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (finished < threads) {
      changed.wait(lock);
      const int done = shared.done.load();
      if (progress && !shared.cancel && (done - reported >= report_every || done == total)) {
        reported = done;
        lock.unlock();
        if (!progress(done, total)) shared.cancel = true;
        lock.lock();
      }
    }
  }
  for (std::thread& thread : pool) thread.join();
  if (progress && !shared.cancel && reported < total) progress(total, total);
  for (BootstrapResult& share : shares) AppendBootstrap(std::move(share), &result);
  return result;
#endif
}

void AppendBootstrap(BootstrapResult share, BootstrapResult* total) {
  auto append = [](auto& from, auto& to) { to.insert(to.end(), from.begin(), from.end()); };
  append(share.loss, total->loss);
  append(share.lr, total->lr);
  append(share.batch, total->batch);
  append(share.resample, total->resample);
  append(share.objective, total->objective);
  total->attempted += share.attempted;
  total->skipped += share.skipped;
  total->cold_fallbacks += share.cold_fallbacks;
  total->cancelled = total->cancelled || share.cancelled;
}

}  // namespace scalecalc

#include "app/frame_stats.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"

namespace scalecalc::app {

void FrameStats::Add(double frame_ms) {
  if (Count() < kCapacity) {
    ms_.push_back(frame_ms);
    return;
  }
  ms_[next_] = frame_ms;
  next_ = (next_ + 1) % kCapacity;
}

void FrameStats::Reset() {
  ms_.clear();
  next_ = 0;
}

double FrameStats::MedianMs() const {
  if (ms_.empty()) return NAN;
  std::vector<double> sorted = ms_;
  std::sort(sorted.begin(), sorted.end());
  const size_t mid = sorted.size() / 2;
  return sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

double FrameStats::MaxMs() const {
  return ms_.empty() ? NAN : *std::max_element(ms_.begin(), ms_.end());
}

double FrameStats::LastMs() const {
  if (ms_.empty()) return NAN;
  return Count() < kCapacity ? ms_.back() : ms_[(next_ + kCapacity - 1) % kCapacity];
}

std::string FrameStats::Json() const {
  const auto number = [](double v) { return std::isfinite(v) ? scalecalc::Json(v) : nullptr; };
  return scalecalc::Json{{"frames", Count()},
                         {"median_ms", number(MedianMs())},
                         {"max_ms", number(MaxMs())},
                         {"last_ms", number(LastMs())}}
      .dump();
}

FrameStats& TheFrameStats() {
  static FrameStats stats;
  return stats;
}

}  // namespace scalecalc::app

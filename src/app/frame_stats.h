// frame_stats.h: the CPU time of the page's recent frames, from ImGui's new frame to the end of
// building the draw data (the GL submission and GPU work excluded), so that frame cost can be
// measured on a machine without a GPU. Filled by main.cpp, read by the test hook
// (scalecalc.frameStats() in web/main.js) and bench/app_bench.mjs. Free of Dear ImGui.
#pragma once

#include <string>
#include <vector>

namespace scalecalc::app {

class FrameStats {
 public:
  static constexpr int kCapacity = 600;  // about 10 s at 60 fps

  void Add(double frame_ms);  // keeps the newest kCapacity frames
  void Reset();
  int Count() const { return static_cast<int>(ms_.size()); }
  // NaN while no frame was recorded.
  double MedianMs() const;  // the mean of the two middle frames for an even count
  double MaxMs() const;
  double LastMs() const;
  // {"frames", "median_ms", "max_ms", "last_ms"}; null for NaN.
  std::string Json() const;

 private:
  std::vector<double> ms_;  // a ring once full
  int next_ = 0;            // where the next frame goes once full
};

FrameStats& TheFrameStats();

}  // namespace scalecalc::app

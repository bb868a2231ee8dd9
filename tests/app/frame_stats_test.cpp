// FrameStats: the frame-cost figures the page's test hook reports, against sums done by hand.
#include "app/frame_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace scalecalc::app {
namespace {

TEST(FrameStats, EmptyIsNullNotZero) {
  FrameStats stats;
  EXPECT_TRUE(std::isnan(stats.MedianMs()));
  const auto json = nlohmann::json::parse(stats.Json());
  EXPECT_EQ(json["frames"], 0);
  EXPECT_TRUE(json["median_ms"].is_null());
  EXPECT_TRUE(json["max_ms"].is_null());
}

TEST(FrameStats, MedianOddAndEven) {
  FrameStats stats;
  for (double ms : {5.0, 1.0, 3.0}) stats.Add(ms);
  EXPECT_EQ(stats.MedianMs(), 3.0);
  EXPECT_EQ(stats.MaxMs(), 5.0);
  EXPECT_EQ(stats.LastMs(), 3.0);
  stats.Add(2.0);  // 1 2 3 5: the middle two are 2 and 3
  EXPECT_EQ(stats.MedianMs(), 2.5);
}

TEST(FrameStats, KeepsOnlyTheNewestFrames) {
  FrameStats stats;
  // One slow frame, then a full window of fast ones: the slow one has left the window.
  stats.Add(100.0);
  for (int i = 0; i < FrameStats::kCapacity; ++i) stats.Add(i % 2 ? 2.0 : 4.0);
  EXPECT_EQ(stats.Count(), FrameStats::kCapacity);
  EXPECT_EQ(stats.MaxMs(), 4.0);
  EXPECT_EQ(stats.MedianMs(), 3.0);
  EXPECT_EQ(stats.LastMs(), 2.0);  // i = capacity - 1 is odd
  stats.Add(7.0);
  EXPECT_EQ(stats.LastMs(), 7.0);
  stats.Reset();
  EXPECT_EQ(stats.Count(), 0);
}

}  // namespace
}  // namespace scalecalc::app

// Tests of the plot widget's axis arithmetic (src/app/plot_axis.h): the expected ticks were
// worked out by hand from the rules in the header (1-2-5 steps, the log label schemes).
#include "app/plot/plot_axis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace scalecalc::app::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<Tick> Ticks(double lo, double hi, AxisScale scale, int max_labels = 8,
                        double length_px = 600) {
  TickOptions options;
  options.length_px = length_px;
  options.max_labels = max_labels;
  std::vector<Tick> ticks;
  ComputeTicks(AxisRange{lo, hi}, scale, options, &ticks);
  return ticks;
}

std::vector<std::string> Labels(const std::vector<Tick>& ticks) {
  std::vector<std::string> labels;
  for (const Tick& tick : ticks)
    if (tick.labelled) labels.push_back(tick.label);
  return labels;
}

int MinorCount(const std::vector<Tick>& ticks) {
  int count = 0;
  for (const Tick& tick : ticks) count += !tick.major;
  return count;
}

// What every tick list must satisfy: finite increasing values inside the (repaired) range,
// positive on log axes, labels non-empty, distinct and only on labelled ticks, not too many.
void ExpectWellFormed(const std::vector<Tick>& ticks, double lo, double hi, AxisScale scale,
                      int max_labels) {
  const AxisRange range = SanitizeRange(lo, hi, scale);
  const double slack = (range.max - range.min) * 1e-6;
  std::set<std::string> seen;
  int labelled = 0;
  for (size_t i = 0; i < ticks.size(); ++i) {
    const Tick& tick = ticks[i];
    ASSERT_TRUE(std::isfinite(tick.value)) << i;
    if (scale == AxisScale::kLog) {
      EXPECT_GT(tick.value, 0) << i;
    }
    EXPECT_GE(tick.value, range.min - slack) << i;
    EXPECT_LE(tick.value, range.max + slack) << i;
    if (i > 0) {
      EXPECT_GT(tick.value, ticks[i - 1].value) << i;
    }
    EXPECT_EQ(tick.labelled, !tick.label.empty()) << i;
    if (tick.labelled) {
      ++labelled;
      EXPECT_TRUE(seen.insert(tick.label).second) << "duplicate label " << tick.label;
      EXPECT_EQ(tick.label.find("e+"), std::string::npos) << tick.label;
      EXPECT_NE(tick.label, "-0");
    }
  }
  EXPECT_GE(labelled, 1);
  EXPECT_LE(labelled, std::max(1, max_labels));
}

TEST(PlotAxis, TransformsSkipWhatCannotBeDrawn) {
  EXPECT_DOUBLE_EQ(ToAxisSpace(1000, AxisScale::kLog), 3);
  EXPECT_DOUBLE_EQ(ToAxisSpace(1e-4, AxisScale::kLog), -4);
  EXPECT_DOUBLE_EQ(ToAxisSpace(-5, AxisScale::kLinear), -5);
  EXPECT_TRUE(std::isnan(ToAxisSpace(0, AxisScale::kLog)));
  EXPECT_TRUE(std::isnan(ToAxisSpace(-1, AxisScale::kLog)));
  EXPECT_TRUE(std::isnan(ToAxisSpace(kNaN, AxisScale::kLinear)));
  EXPECT_TRUE(std::isnan(ToAxisSpace(kInf, AxisScale::kLinear)));
  EXPECT_TRUE(std::isnan(ToAxisSpace(kInf, AxisScale::kLog)));
  EXPECT_FALSE(IsPlottable(0, AxisScale::kLog));
  EXPECT_TRUE(IsPlottable(0, AxisScale::kLinear));
  EXPECT_NEAR(FromAxisSpace(ToAxisSpace(3.453e-4, AxisScale::kLog), AxisScale::kLog), 3.453e-4,
              1e-18);
  EXPECT_STREQ(ToString(AxisScale::kLog), "log");
  EXPECT_STREQ(ToString(AxisScale::kLinear), "linear");
}

TEST(PlotAxis, NiceStepIsOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(NiceStep(1), 1);
  EXPECT_DOUBLE_EQ(NiceStep(0.2), 0.2);  // already nice: round-off must not push it to 0.5
  EXPECT_DOUBLE_EQ(NiceStep(0.3), 0.5);
  EXPECT_DOUBLE_EQ(NiceStep(7), 10);
  EXPECT_DOUBLE_EQ(NiceStep(1.1e-4), 2e-4);
  EXPECT_DOUBLE_EQ(NiceStep(4.2e7), 5e7);
  EXPECT_TRUE(std::isnan(NiceStep(0)));
  EXPECT_TRUE(std::isnan(NiceStep(-1)));
  EXPECT_TRUE(std::isnan(NiceStep(kNaN)));
  EXPECT_TRUE(std::isnan(NiceStep(kInf)));
}

TEST(PlotAxis, SanitizeOrdersRepairsAndWidens) {
  AxisRange r = SanitizeRange(0.56, 0.49, AxisScale::kLinear);
  EXPECT_DOUBLE_EQ(r.min, 0.49);
  EXPECT_DOUBLE_EQ(r.max, 0.56);

  r = SanitizeRange(kNaN, kNaN, AxisScale::kLinear);
  EXPECT_DOUBLE_EQ(r.min, 0);
  EXPECT_DOUBLE_EQ(r.max, 1);
  r = SanitizeRange(-3, 0, AxisScale::kLog);  // nothing positive: the default decade
  EXPECT_DOUBLE_EQ(r.min, 1);
  EXPECT_DOUBLE_EQ(r.max, 10);

  // One usable end: a range around it. Log: +-0.25 decades.
  r = SanitizeRange(-1, 100, AxisScale::kLog);
  EXPECT_NEAR(std::log10(r.min), 1.75, 1e-12);
  EXPECT_NEAR(std::log10(r.max), 2.25, 1e-12);
  r = SanitizeRange(5, 5, AxisScale::kLinear);  // +-10 %
  EXPECT_DOUBLE_EQ(r.min, 4.5);
  EXPECT_DOUBLE_EQ(r.max, 5.5);
  r = SanitizeRange(0, 0, AxisScale::kLinear);
  EXPECT_DOUBLE_EQ(r.min, -1);
  EXPECT_DOUBLE_EQ(r.max, 1);

  // Too narrow to label with a double's digits: widened to 1e-9 of the centre.
  r = SanitizeRange(1, 1 + 1e-14, AxisScale::kLinear);
  EXPECT_NEAR(r.max - r.min, 1e-9, 1e-15);
  EXPECT_LT(r.min, 1);
  EXPECT_GT(r.max, 1);

  // Huge: clamped, span stays finite.
  r = SanitizeRange(-kInf, 1e308, AxisScale::kLinear);
  EXPECT_TRUE(std::isfinite(r.max - r.min));
  r = SanitizeRange(1e-320, 1e305, AxisScale::kLog);
  EXPECT_GE(r.min, kLogAxisMin);
  EXPECT_LE(r.max, kLogAxisMax);
  EXPECT_LT(r.min, r.max);
}

TEST(PlotAxis, FitRangePadsInAxisSpace) {
  // Linear: 5 % of the span 10 on each side.
  AxisRange r = FitRange(10, 20, AxisScale::kLinear, 0.05);
  EXPECT_DOUBLE_EQ(r.min, 9.5);
  EXPECT_DOUBLE_EQ(r.max, 20.5);
  // Log: 4 decades, 10 % of them (0.4 decades) on each side, whatever the order given.
  r = FitRange(1e4, 1, AxisScale::kLog, 0.1);
  EXPECT_NEAR(std::log10(r.min), -0.4, 1e-12);
  EXPECT_NEAR(std::log10(r.max), 4.4, 1e-12);
  // A single value, or unusable data, still gives a drawable range.
  r = FitRange(3e-4, 3e-4, AxisScale::kLog, 0.05);
  EXPECT_LT(r.min, 3e-4);
  EXPECT_GT(r.max, 3e-4);
  r = FitRange(kNaN, kInf, AxisScale::kLinear, 0.05);
  EXPECT_LT(r.min, r.max);
}

TEST(PlotAxis, LogTicksOnParameterCounts) {
  // 1.7e7 .. 2.6e8 holds a single decade (1e8): too few, so 1-2-5 labels, minors at 3, 4, 6..9.
  const auto ticks = Ticks(1.7e7, 2.6e8, AxisScale::kLog);
  ExpectWellFormed(ticks, 1.7e7, 2.6e8, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"2e7", "5e7", "1e8", "2e8"}));
  EXPECT_EQ(MinorCount(ticks), 6);  // 3, 4, 6, 7, 8, 9 x 1e7
  // Room for two labels only: still readable, never more.
  const auto narrow = Ticks(1.7e7, 2.6e8, AxisScale::kLog, 2, 80);
  ExpectWellFormed(narrow, 1.7e7, 2.6e8, AxisScale::kLog, 2);
}

TEST(PlotAxis, LogTicksOnLearningRates) {
  const auto ticks = Ticks(1e-4, 6e-4, AxisScale::kLog);
  ExpectWellFormed(ticks, 1e-4, 6e-4, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"1e-4", "2e-4", "5e-4"}));
}

TEST(PlotAxis, LogTicksOverDecades) {
  auto ticks = Ticks(1e-2, 1e2, AxisScale::kLog);
  ExpectWellFormed(ticks, 1e-2, 1e2, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"0.01", "0.1", "1", "10", "100"}));
  EXPECT_EQ(MinorCount(ticks), 4 * 8);  // 2..9 in each of the 4 decades

  // One label outside 0.01 .. 9999 puts the whole axis in exponent form.
  ticks = Ticks(1e-3, 1e1, AxisScale::kLog);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"1e-3", "1e-2", "1e-1", "1e0", "1e1"}));

  // 40 decades, 8 labels: every 10th decade (strides 1, 2, 3, 5 give 41, 21, 14, 9 labels).
  ticks = Ticks(1e-10, 1e30, AxisScale::kLog);
  ExpectWellFormed(ticks, 1e-10, 1e30, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"1e-10", "1e0", "1e10", "1e20", "1e30"}));

  // Crowded: 4 decades on 50 px leave no room for minor ticks; 900 px do.
  EXPECT_EQ(MinorCount(Ticks(1, 1e4, AxisScale::kLog, 5, 50)), 0);
  EXPECT_EQ(MinorCount(Ticks(1, 1e4, AxisScale::kLog, 8, 900)), 4 * 8);
}

TEST(PlotAxis, LogTicksInsideOneDecadeFallBackToLinearSteps) {
  // Losses 2.1 .. 2.6 on a log axis: no 1-9 x 10^k inside but 2... 0.5 / 7 -> step 0.1.
  const auto ticks = Ticks(2.1, 2.6, AxisScale::kLog);
  ExpectWellFormed(ticks, 2.1, 2.6, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"2.1", "2.2", "2.3", "2.4", "2.5", "2.6"}));
}

TEST(PlotAxis, LogTicksCoverTheWholeAxis) {
  // 0.56 .. 1.78 (half a decade around 1): 0.6, 0.7, 0.8, 0.9, 1 would leave the upper half
  // (log10 1.78 = 0.25 of 0.5 decades) bare; linear steps of 0.2 (1.22 / 7 -> 0.2) label it all.
  const auto ticks = Ticks(0.5623, 1.778, AxisScale::kLog);
  ExpectWellFormed(ticks, 0.5623, 1.778, AxisScale::kLog, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"0.6", "0.8", "1.0", "1.2", "1.4", "1.6"}));
}

TEST(PlotAxis, LinearTicksOnLosses) {
  // Span 0.07 over 7 gaps -> step 0.01: 8 labels with two decimals.
  auto ticks = Ticks(0.49, 0.56, AxisScale::kLinear);
  ExpectWellFormed(ticks, 0.49, 0.56, AxisScale::kLinear, 8);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"0.49", "0.50", "0.51", "0.52", "0.53", "0.54",
                                                     "0.55", "0.56"}));
  // Room for 4: 0.07 / 3 -> step 0.05.
  ticks = Ticks(0.49, 0.56, AxisScale::kLinear, 4);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"0.50", "0.55"}));
  // Reversed input gives the same ticks.
  EXPECT_EQ(Labels(Ticks(0.56, 0.49, AxisScale::kLinear)),
            Labels(Ticks(0.49, 0.56, AxisScale::kLinear)));
}

TEST(PlotAxis, LinearTicksInExponentForm) {
  // 3e-4 / 7 -> step 5e-5.
  auto ticks = Ticks(0, 3e-4, AxisScale::kLinear);
  ExpectWellFormed(ticks, 0, 3e-4, AxisScale::kLinear, 8);
  EXPECT_EQ(Labels(ticks),
            (std::vector<std::string>{"0", "5e-5", "1e-4", "1.5e-4", "2e-4", "2.5e-4", "3e-4"}));
  // 2e8 / 4 -> step 5e7.
  ticks = Ticks(1e8, 3e8, AxisScale::kLinear, 5);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"1e8", "1.5e8", "2e8", "2.5e8", "3e8"}));
}

TEST(PlotAxis, LinearTicksAroundZeroAndMinors) {
  // Step 0.2 (1 / 5), minors every 0.05 (25 px apart on 500 px): none labelled "-0".
  const auto ticks = Ticks(-0.5, 0.5, AxisScale::kLinear, 6, 500);
  ExpectWellFormed(ticks, -0.5, 0.5, AxisScale::kLinear, 6);
  EXPECT_EQ(Labels(ticks), (std::vector<std::string>{"-0.4", "-0.2", "0", "0.2", "0.4"}));
  EXPECT_EQ(MinorCount(ticks), 21 - 5);  // -0.5, -0.45, ..., 0.5 minus the 5 majors
}

TEST(PlotAxis, TinyDegenerateAndBadRanges) {
  // Tiny: widened to 1e-9 around 1, labels still distinct (ExpectWellFormed checks).
  auto ticks = Ticks(1, 1 + 1e-14, AxisScale::kLinear);
  ExpectWellFormed(ticks, 1, 1 + 1e-14, AxisScale::kLinear, 8);
  EXPECT_GE(Labels(ticks).size(), 2u);
  ticks = Ticks(2.5, 2.5 * (1 + 1e-13), AxisScale::kLog);
  ExpectWellFormed(ticks, 2.5, 2.5 * (1 + 1e-13), AxisScale::kLog, 8);

  // Degenerate 5..5 -> 4.5..5.5, step 0.2: 5.0 is among the labels.
  ticks = Ticks(5, 5, AxisScale::kLinear);
  ExpectWellFormed(ticks, 5, 5, AxisScale::kLinear, 8);
  bool has_five = false;
  for (const Tick& tick : ticks) has_five = has_five || (tick.labelled && tick.label == "5.0");
  EXPECT_TRUE(has_five);

  // NaN, infinite and non-positive input never crash and still give a usable axis.
  for (AxisScale scale : {AxisScale::kLinear, AxisScale::kLog}) {
    ExpectWellFormed(Ticks(kNaN, kNaN, scale), kNaN, kNaN, scale, 8);
    ExpectWellFormed(Ticks(kNaN, 100, scale), kNaN, 100, scale, 8);
    ExpectWellFormed(Ticks(-kInf, kInf, scale), -kInf, kInf, scale, 8);
    ExpectWellFormed(Ticks(-5, 100, scale), -5, 100, scale, 8);
    ExpectWellFormed(Ticks(1, 10, scale, 0), 1, 10, scale, 1);        // no room: one label
    ExpectWellFormed(Ticks(1, 10, scale, 8, kNaN), 1, 10, scale, 8);  // unknown length
  }
}

TEST(PlotAxis, TickCountIsBounded) {
  TickOptions options;
  options.length_px = 1e9;
  options.max_labels = 100000;
  options.min_minor_px = 0;
  std::vector<Tick> ticks;
  ComputeTicks(AxisRange{1e-300, 1e300}, AxisScale::kLog, options, &ticks);
  EXPECT_LE(ticks.size(), 1000u);
  EXPECT_LE(Labels(ticks).size(), 40u);  // max_labels is capped at 40
  ComputeTicks(AxisRange{-1e300, 1e300}, AxisScale::kLinear, options, &ticks);
  EXPECT_LE(ticks.size(), 1000u);
  EXPECT_GE(Labels(ticks).size(), 2u);
}

TEST(PlotAxis, FormatValueForReadouts) {
  EXPECT_EQ(FormatValue(3.453e-4), "3.453e-4");
  EXPECT_EQ(FormatValue(2.413517), "2.414");
  EXPECT_EQ(FormatValue(1.07e9), "1.07e9");
  EXPECT_EQ(FormatValue(123456), "1.235e5");
  EXPECT_EQ(FormatValue(-0.5), "-0.5");
  EXPECT_EQ(FormatValue(9.99996), "10");  // rounds up a digit, trailing zeros dropped
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(kNaN), "nan");
  EXPECT_EQ(FormatValue(-kInf), "-inf");
  EXPECT_EQ(FormatValue(1.5e-300, 2), "1.5e-300");
}

TEST(PlotAxis, TickLabelForms) {
  EXPECT_EQ(FormatLogTick(3, -4, false), "3e-4");
  EXPECT_EQ(FormatLogTick(1, 9, false), "1e9");
  EXPECT_EQ(FormatLogTick(2, -2, true), "0.02");
  EXPECT_EQ(FormatLogTick(5, 2, true), "500");
  EXPECT_EQ(FormatLinearTick(1.5e8, 5e7, true), "1.5e8");
  EXPECT_EQ(FormatLinearTick(0.5, 0.01, false), "0.50");
  EXPECT_EQ(FormatLinearTick(1e-20, 0.1, false), "0");
  EXPECT_EQ(FormatLinearTick(kNaN, 0.1, false), "nan");
  EXPECT_TRUE(LinearAxisUsesExponent(AxisRange{0, 2e5}));
  EXPECT_TRUE(LinearAxisUsesExponent(AxisRange{0, 3e-4}));
  EXPECT_FALSE(LinearAxisUsesExponent(AxisRange{0.49, 0.56}));
}

}  // namespace
}  // namespace scalecalc::app::plot

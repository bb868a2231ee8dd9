// plot_axis.h: the arithmetic of plot axes, free of Dear ImGui so it is tested natively
// (tests/app/plot/plot_axis_test.cpp): linear and log transforms, range repair and fitting, 1-2-5
// "nice" steps, tick placement and tick/read-out label formatting. plot.cpp draws with it.
//
//   AxisRange range = FitRange(data_min, data_max, AxisScale::kLog, 0.05);
//   TickOptions options;
//   options.length_px = 600;
//   options.max_labels = 8;  // how many labels fit: the widget measures its text
//   std::vector<Tick> ticks;
//   ComputeTicks(range, AxisScale::kLog, options, &ticks);
//
// Label style, the same on every axis: plain decimals for 0.01 .. 9999 ("0.5", "20", "2000"),
// otherwise a compact exponent ("2e7", "3e-4", "1.5e8"); one axis never mixes the two forms for
// its decade labels.
#pragma once

#include <string>
#include <vector>

namespace scalecalc::app::plot {

enum class AxisScale { kLinear, kLog };
const char* ToString(AxisScale scale);

// Axis space is where the axis is linear: the value itself, or log10(value) on a log axis.
// Values that cannot be drawn (NaN, infinite, or <= 0 on a log axis) map to NaN.
double ToAxisSpace(double value, AxisScale scale);
double FromAxisSpace(double axis_value, AxisScale scale);
bool IsPlottable(double value, AxisScale scale);

// A drawable range in data units, min < max, both plottable on its scale.
struct AxisRange {
  double min = 0;
  double max = 1;
};

// Limits every range is kept within, so zooming can neither overflow nor lose all precision.
constexpr double kLogAxisMin = 1e-300;
constexpr double kLogAxisMax = 1e300;
constexpr double kLinearAxisAbsMax = 1e300;

// Repairs a requested range: orders the ends, replaces NaN/infinite/non-positive (log) ends,
// clamps to the limits above and widens a degenerate or too narrow range around its centre.
// Defaults when nothing usable is given: [0, 1] linear, [1, 10] log.
AxisRange SanitizeRange(double a, double b, AxisScale scale);

// The range that shows [data_min, data_max] with `pad_fraction` of the span added on each side
// in axis space (decades on log axes). A single value gets a range around it.
AxisRange FitRange(double data_min, double data_max, AxisScale scale, double pad_fraction);

// The smallest 1, 2 or 5 x 10^k that is >= raw_step; NaN unless raw_step is finite and > 0.
double NiceStep(double raw_step);

struct Tick {
  double value = 0;    // data units
  bool major = false;  // majors get a strong grid line and a long tick
  bool labelled = false;
  std::string label;  // empty unless labelled
};

struct TickOptions {
  // Axis length on screen; decides which minor ticks are far enough apart to draw.
  double length_px = 500;
  // How many labels fit on the axis (the caller measures its text). At least one is used.
  int max_labels = 8;
  // Minor ticks closer together than this are left out (on log axes: their mean spacing).
  double min_minor_px = 4;
};

// Fills `ticks` (cleared first, capacity kept) in increasing value order. Linear axes: labelled
// majors at a 1-2-5 step, minors between. Log axes, the first scheme that gives between
// min(3, max_labels) and max_labels labels: decades (every 1, 2, 3, 5, 10... decades) with
// minors at 2..9; then 1-2-5 x 10^k; then 1..9 x 10^k; then linear ticks inside a narrow
// range. At most 1000 ticks, whatever the input (options included).
void ComputeTicks(const AxisRange& range, AxisScale scale, const TickOptions& options,
                  std::vector<Tick>* ticks);

// Whether a linear axis over `range` labels in exponent form: when its largest magnitude is
// >= 1e5 or < 0.01, so that one axis never mixes "50000" with "1e5".
bool LinearAxisUsesExponent(const AxisRange& range);
// A label for `value` on a linear axis whose labels are `step` apart: fixed decimals enough to
// tell neighbours apart ("0.49", "0.50"), or in exponent form the digits the step needs
// ("1.5e8", "-2e-5", "1e-4"). Values within 1e-9 steps of zero print as "0".
std::string FormatLinearTick(double value, double step, bool exponent_form);
// A label for mantissa x 10^exponent, mantissa 1..9: "2e7", "3e-4", or plain "0.02", "500".
std::string FormatLogTick(int mantissa, int exponent, bool plain);
// A read-out of any value with `significant` digits: "2.414", "3.453e-4", "1.07e9", "nan".
std::string FormatValue(double value, int significant = 4);

}  // namespace scalecalc::app::plot

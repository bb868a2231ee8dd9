#include "app/plot/plot_axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>

namespace scalecalc::app::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Relative slack when deciding whether a tick sits inside the range or a step is "nice", so
// that round-off (0.1 * 3 != 0.3) never drops an end tick or picks the next step up.
constexpr double kEps = 1e-9;
// Narrowest ranges: relative to the centre (linear) or in decades (log). Beyond this labels
// would need more digits than a double holds.
constexpr double kMinRelativeSpan = 1e-9;
constexpr double kMinLinearSpan = 1e-200;
constexpr double kMinLogSpanDecades = 1e-9;
// Half-width of the range around a single value: 10 % (linear, or 1 at zero), 0.25 decades.
constexpr double kSingleValueRelative = 0.1;
constexpr double kSingleValueDecades = 0.25;
// ComputeTicks never uses more labels than this, which bounds the tick count (minors included).
constexpr int kMaxLabels = 40;
constexpr size_t kMaxTicks = 1000;
// Log label schemes may leave at most this fraction of the axis unlabelled at each end.
constexpr double kMaxBareEnd = 1.0 / 3;

// Integer-valued multiples of `step` lying in [lo, hi], with slack.
double FirstMultiple(double lo, double step) {
  return std::ceil(lo / step - kEps);
}
double LastMultiple(double hi, double step) {
  return std::floor(hi / step + kEps);
}
int CountMultiples(double lo, double hi, double step) {
  const double count = LastMultiple(hi, step) - FirstMultiple(lo, step) + 1;
  return count < 0 ? 0 : count > 1e6 ? 1000000 : static_cast<int>(count);
}

// "1.500e+08" -> "1.5e8"; "2.000e-04" -> "2e-4".
std::string CompactExponent(const char* printed) {
  std::string text(printed);
  const size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e);
  if (mantissa.find('.') != std::string::npos) {
    while (!mantissa.empty() && mantissa.back() == '0') mantissa.pop_back();
    if (!mantissa.empty() && mantissa.back() == '.') mantissa.pop_back();
  }
  const long exponent = std::strtol(text.c_str() + e + 1, nullptr, 10);
  return mantissa + "e" + std::to_string(exponent);
}

std::string TrimFractionZeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string NonFiniteText(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// Decimal exponent of |value| after rounding to `significant` digits (so 9.9996 -> 1).
int RoundedExponent(double value, int significant) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*e", std::max(0, significant - 1), value);
  const char* e = std::strchr(buffer, 'e');
  return e ? static_cast<int>(std::strtol(e + 1, nullptr, 10)) : 0;
}

int StepExponent(double step) {
  return static_cast<int>(std::floor(std::log10(step) + kEps));
}

// Linear ticks on [lo, hi] (data units): majors at a 1-2-5 step, labelled, minors between.
void LinearTicks(double lo, double hi, const TickOptions& options, int max_labels,
                 std::vector<Tick>* ticks) {
  const double span = hi - lo;
  double step = NiceStep(span / std::max(1, max_labels - 1));
  if (!(step > 0)) return;
  // A narrow axis can end up with a single label; two are needed to read a scale.
  for (int i = 0; i < 3 && max_labels >= 2 && CountMultiples(lo, hi, step) < 2; ++i) {
    const double mantissa = step / std::pow(10.0, StepExponent(step));
    step /= mantissa < 1.5 ? 2.0 : mantissa < 3 ? 2.0 : 2.5;  // 1 -> 0.5, 2 -> 1, 5 -> 2
  }
  const double mantissa = std::round(step / std::pow(10.0, StepExponent(step)));
  const int minors_per_major = mantissa == 2 ? 4 : 5;
  const double minor_step = step / minors_per_major;
  const bool show_minors = options.length_px * minor_step / span >= options.min_minor_px;
  const bool exponent_form = LinearAxisUsesExponent(AxisRange{lo, hi});
  const double unit = show_minors ? minor_step : step;
  const int per_major = show_minors ? minors_per_major : 1;
  const double first = FirstMultiple(lo, unit);
  const int count = std::min(CountMultiples(lo, hi, unit), (kMaxLabels + 1) * 5);
  for (int j = 0; j < count; ++j) {
    const double index = first + j;
    Tick tick;
    tick.value = index * unit;
    if (std::fabs(tick.value) < step * kEps) tick.value = 0;  // no "-0" or 1e-17
    tick.major = std::fmod(std::fabs(index), per_major) == 0;
    tick.labelled = tick.major;
    if (tick.labelled) tick.label = FormatLinearTick(tick.value, step, exponent_form);
    ticks->push_back(std::move(tick));
  }
}

// Log schemes: which mantissas carry labels in each decade.
constexpr int kMantissas125[] = {1, 2, 5};
constexpr int kMantissasAll[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

bool InLogRange(int mantissa, int exponent, double lo, double hi) {
  const double t = std::log10(static_cast<double>(mantissa)) + exponent;
  return t >= lo - kEps && t <= hi + kEps;
}

// How many labels a scheme puts on the axis, and where its first and last sit (log10).
struct LabelSpread {
  int count = -1;  // -1: scheme not considered
  double first = 0;
  double last = 0;
};

template <size_t N>
LabelSpread LogLabelSpread(const int (&mantissas)[N], double lo, double hi) {
  LabelSpread spread;
  spread.count = 0;
  for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k) {
    for (int m : mantissas) {
      if (!InLogRange(m, k, lo, hi)) continue;
      const double t = std::log10(static_cast<double>(m)) + k;
      if (spread.count++ == 0) spread.first = t;
      spread.last = t;
    }
  }
  return spread;
}

Tick LogTick(int mantissa, int exponent, bool major, bool labelled) {
  Tick tick;
  tick.value = mantissa * std::pow(10.0, exponent);
  tick.major = major;
  tick.labelled = labelled;
  return tick;
}

// Decade strides tried for the decade scheme, smallest first.
constexpr int kDecadeStrides[] = {1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000};

void LogTicks(double min, double max, const TickOptions& options, int max_labels,
              std::vector<Tick>* ticks) {
  const double lo = std::log10(min), hi = std::log10(max);
  const double decades = hi - lo;
  const double px_per_decade = options.length_px / decades;
  const int k_lo = static_cast<int>(std::ceil(lo - kEps));
  const int k_hi = static_cast<int>(std::floor(hi + kEps));
  const int min_labels = std::min(3, max_labels);

  int stride = kDecadeStrides[std::size(kDecadeStrides) - 1];
  for (int s : kDecadeStrides) {
    if (CountMultiples(k_lo, k_hi, s) <= max_labels) {
      stride = s;
      break;
    }
  }
  // Schemes: 0 decades, 1 the 1-2-5 mantissas, 2 all mantissas, 3 linear (narrow ranges only).
  LabelSpread spread[4];
  spread[0].count = CountMultiples(k_lo, k_hi, stride);
  spread[0].first = FirstMultiple(k_lo, stride) * stride;
  spread[0].last = LastMultiple(k_hi, stride) * stride;
  if (decades < 3 * kMaxLabels) spread[1] = LogLabelSpread(kMantissas125, lo, hi);
  if (decades < kMaxLabels) spread[2] = LogLabelSpread(kMantissasAll, lo, hi);
  if (decades <= 1) {
    const double step = NiceStep((max - min) / std::max(1, max_labels - 1));
    spread[3].count = CountMultiples(min, max, step);
    spread[3].first = std::log10(std::max(min, FirstMultiple(min, step) * step));
    spread[3].last = std::log10(std::max(min, LastMultiple(max, step) * step));
  }
  // Ideal: enough labels, and no more than a third of the axis unlabelled at either end (all
  // mantissas on 0.56 .. 1.78 would label only 0.6 .. 1, leaving the upper half bare).
  auto ideal = [&](const LabelSpread& s) {
    return s.count >= min_labels && s.count <= max_labels &&
           s.first - lo <= kMaxBareEnd * decades && hi - s.last <= kMaxBareEnd * decades;
  };
  int scheme = -1;
  for (int i = 0; i < 4 && scheme < 0; ++i)
    if (ideal(spread[i])) scheme = i;
  if (scheme < 0) {  // nothing ideal: as many labels as fit
    scheme = 0;
    for (int i = 1; i < 4; ++i)
      if (spread[i].count <= max_labels && spread[i].count > spread[scheme].count) scheme = i;
  }
  if (scheme == 3) {
    LinearTicks(min, max, options, max_labels, ticks);
    return;
  }

  const bool minors_fit = px_per_decade / 9 >= options.min_minor_px;
  std::vector<std::pair<int, int>> labelled;  // (mantissa, exponent), to choose the form
  for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k) {
    for (int m = 1; m <= 9; ++m) {
      if (!InLogRange(m, k, lo, hi)) continue;
      bool label = false, minor = false;
      if (scheme == 0) {
        label = m == 1 && k % stride == 0;
        minor =
            !label && (stride == 1 ? minors_fit : m == 1 && px_per_decade >= options.min_minor_px);
      } else if (scheme == 1) {
        label = m == 1 || m == 2 || m == 5;
        minor = !label && minors_fit;
      } else {
        label = true;
      }
      if ((!label && !minor) || ticks->size() >= kMaxTicks) continue;
      ticks->push_back(LogTick(m, k, label, label));
      if (label) labelled.emplace_back(m, k);
    }
  }
  bool plain = true;
  for (const auto& [m, k] : labelled) plain = plain && k >= -2 && k <= 3;
  size_t next = 0;
  for (Tick& tick : *ticks) {
    if (!tick.labelled) continue;
    tick.label = FormatLogTick(labelled[next].first, labelled[next].second, plain);
    ++next;
  }
}

}  // namespace

const char* ToString(AxisScale scale) {
  return scale == AxisScale::kLog ? "log" : "linear";
}

bool IsPlottable(double value, AxisScale scale) {
  return std::isfinite(value) && (scale == AxisScale::kLinear || value > 0);
}

double ToAxisSpace(double value, AxisScale scale) {
  if (!IsPlottable(value, scale)) return kNaN;
  return scale == AxisScale::kLog ? std::log10(value) : value;
}

double FromAxisSpace(double axis_value, AxisScale scale) {
  return scale == AxisScale::kLog ? std::pow(10.0, axis_value) : axis_value;
}

AxisRange SanitizeRange(double a, double b, AxisScale scale) {
  const bool log = scale == AxisScale::kLog;
  const double limit_lo = log ? std::log10(kLogAxisMin) : -kLinearAxisAbsMax;
  const double limit_hi = log ? std::log10(kLogAxisMax) : kLinearAxisAbsMax;
  double lo = ToAxisSpace(a, scale), hi = ToAxisSpace(b, scale);
  if (std::isnan(lo) && std::isnan(hi)) {
    lo = 0;
    hi = 1;  // [0, 1] or, in decades, [1, 10]
  } else if (std::isnan(lo) || std::isnan(hi)) {
    lo = hi = std::isnan(lo) ? hi : lo;
  }
  if (lo > hi) std::swap(lo, hi);
  lo = std::clamp(lo, limit_lo, limit_hi);
  hi = std::clamp(hi, limit_lo, limit_hi);
  const double centre = lo / 2 + hi / 2;
  if (lo == hi) {
    const double half =
        log ? kSingleValueDecades : (centre == 0 ? 1 : std::fabs(centre) * kSingleValueRelative);
    lo = centre - half;
    hi = centre + half;
  } else {
    const double min_span =
        log ? kMinLogSpanDecades : std::max(kMinLinearSpan, std::fabs(centre) * kMinRelativeSpan);
    if (hi - lo < min_span) {
      lo = centre - min_span / 2;
      hi = centre + min_span / 2;
    }
  }
  // Widening may have crossed a limit: shift back inside.
  if (lo < limit_lo) {
    hi = std::min(limit_hi, hi + (limit_lo - lo));
    lo = limit_lo;
  }
  if (hi > limit_hi) {
    lo = std::max(limit_lo, lo - (hi - limit_hi));
    hi = limit_hi;
  }
  AxisRange range{FromAxisSpace(lo, scale), FromAxisSpace(hi, scale)};
  if (log) {  // pow may round just outside the limits
    range.min = std::max(range.min, kLogAxisMin);
    range.max = std::min(range.max, kLogAxisMax);
  }
  return range;
}

AxisRange FitRange(double data_min, double data_max, AxisScale scale, double pad_fraction) {
  double lo = ToAxisSpace(data_min, scale), hi = ToAxisSpace(data_max, scale);
  if (std::isnan(lo) || std::isnan(hi) || lo == hi) return SanitizeRange(data_min, data_max, scale);
  if (lo > hi) std::swap(lo, hi);
  const double pad = std::isfinite(pad_fraction) && pad_fraction > 0 ? pad_fraction * (hi - lo) : 0;
  return SanitizeRange(FromAxisSpace(lo - pad, scale), FromAxisSpace(hi + pad, scale), scale);
}

double NiceStep(double raw_step) {
  if (!std::isfinite(raw_step) || raw_step <= 0) return kNaN;
  const double base = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double fraction = raw_step / base;
  for (double nice : {1.0, 2.0, 5.0})
    if (fraction <= nice * (1 + kEps)) return nice * base;
  return 10 * base;
}

void ComputeTicks(const AxisRange& range, AxisScale scale, const TickOptions& options,
                  std::vector<Tick>* ticks) {
  ticks->clear();
  const AxisRange r = SanitizeRange(range.min, range.max, scale);
  const int max_labels = std::clamp(options.max_labels, 1, kMaxLabels);
  TickOptions checked = options;
  if (!(checked.length_px > 0) || !std::isfinite(checked.length_px)) checked.length_px = 0;
  if (!(checked.min_minor_px > 0)) checked.min_minor_px = 1;
  if (scale == AxisScale::kLog)
    LogTicks(r.min, r.max, checked, max_labels, ticks);
  else
    LinearTicks(r.min, r.max, checked, max_labels, ticks);
}

bool LinearAxisUsesExponent(const AxisRange& range) {
  const double magnitude = std::max(std::fabs(range.min), std::fabs(range.max));
  return magnitude >= 1e5 || magnitude < 1e-2;
}

std::string FormatLinearTick(double value, double step, bool exponent_form) {
  if (!std::isfinite(value)) return NonFiniteText(value);
  if (!std::isfinite(step) || step <= 0) return FormatValue(value);
  if (std::fabs(value) < step * kEps) return "0";
  const int step_exponent = StepExponent(step);
  char buffer[64];
  if (exponent_form) {
    const int digits = std::clamp(RoundedExponent(value, 15) - step_exponent, 0, 15);
    std::snprintf(buffer, sizeof buffer, "%.*e", digits, value);
    return CompactExponent(buffer);
  }
  std::snprintf(buffer, sizeof buffer, "%.*f", std::clamp(-step_exponent, 0, 15), value);
  return buffer;
}

std::string FormatLogTick(int mantissa, int exponent, bool plain) {
  char buffer[64];
  if (plain && exponent >= 0) {
    std::snprintf(buffer, sizeof buffer, "%d%s", mantissa, std::string(exponent, '0').c_str());
  } else if (plain) {
    std::snprintf(buffer, sizeof buffer, "%.*f", -exponent, mantissa * std::pow(10.0, exponent));
  } else {
    std::snprintf(buffer, sizeof buffer, "%de%d", mantissa, exponent);
  }
  return buffer;
}

std::string FormatValue(double value, int significant) {
  if (!std::isfinite(value)) return NonFiniteText(value);
  if (value == 0) return "0";
  significant = std::clamp(significant, 1, 17);
  const int exponent = RoundedExponent(value, significant);
  char buffer[64];
  if (exponent >= -3 && exponent <= 4) {
    std::snprintf(buffer, sizeof buffer, "%.*f", std::max(0, significant - 1 - exponent), value);
    return TrimFractionZeros(buffer);
  }
  std::snprintf(buffer, sizeof buffer, "%.*e", significant - 1, value);
  return CompactExponent(buffer);
}

}  // namespace scalecalc::app::plot

#include "core/format.h"

#include <cmath>
#include <cstdio>

namespace scalecalc {

namespace {
std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}
}  // namespace

std::string FormatCount(double value) {
  if (!std::isfinite(value)) return "-";
  const double magnitude = std::fabs(value);
  struct Suffix {
    double scale;
    const char* name;
  };
  static const Suffix suffixes[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const Suffix& s : suffixes) {
    if (magnitude >= s.scale) {
      const double scaled = value / s.scale;
      if (std::fabs(scaled) >= 1000) return FormatSci(value, 3);
      return Printf(std::fabs(scaled) >= 100  ? "%.0f"
                    : std::fabs(scaled) >= 10 ? "%.1f"
                                              : "%.2f",
                    scaled) +
             s.name;
    }
  }
  return Printf(magnitude >= 100 || value == std::floor(value) ? "%.0f" : "%.3g", value);
}

std::string FormatSci(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  char format[16];
  std::snprintf(format, sizeof format, "%%.%dg", digits);
  return Printf(format, value);
}

std::string FormatFull(double value) {
  return std::isfinite(value) ? Printf("%.17g", value) : "-";
}

std::string FormatInterval(const Interval& ci, int digits) {
  if (!std::isfinite(ci.lo) || !std::isfinite(ci.hi)) return "";
  return "[" + FormatSci(ci.lo, digits) + ", " + FormatSci(ci.hi, digits) + "]";
}

std::string FormatPercent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "-";
  char format[16];
  std::snprintf(format, sizeof format, "%%.%df%%%%", decimals);
  return Printf(format, 100 * fraction);
}

std::string LossLawFormula(const LossLaw& law) {
  if (!law.IsSet()) return "L(N, T): not fitted";
  return "L(N, T) = " + FormatSci(law.E, 10) + " + " + FormatSci(law.A, 10) + " * N^-" +
         FormatSci(law.alpha, 10) + " + " + FormatSci(law.B, 10) + " * T^-" +
         FormatSci(law.beta, 10);
}

std::string PowerLawFormula(const std::string& name, const PowerLaw2& law) {
  if (!law.IsSet()) return name + "(N, T): not fitted";
  return name + "(N, T) = " + FormatSci(law.coef, 10) + " * N^" + FormatSci(law.exp_params, 10) +
         " * T^" + FormatSci(law.exp_tokens, 10);
}

}  // namespace scalecalc

#include "core/laws.h"

#include <algorithm>

namespace scalecalc {

namespace {
// Linear interpolation between order statistics (numpy's default "linear" method).
double Quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}
}  // namespace

Interval Percentile95(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {Quantile(values, 0.025), Quantile(values, 0.975)};
}

}  // namespace scalecalc

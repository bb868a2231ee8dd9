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
  values.erase(
      std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
      values.end());
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {Quantile(values, 0.025), Quantile(values, 0.975)};
}

std::vector<double> FlattenSamples(const LawSet& laws) {
  const size_t count =
      std::max({laws.loss_samples.size(), laws.lr_samples.size(), laws.batch_samples.size()});
  std::vector<double> flat(count * kFlatSampleWidth, NAN);
  for (size_t i = 0; i < count; ++i) {
    double* row = flat.data() + i * kFlatSampleWidth;
    if (i < laws.loss_samples.size()) {
      const LossLaw& l = laws.loss_samples[i];
      row[0] = l.E, row[1] = l.A, row[2] = l.alpha, row[3] = l.B, row[4] = l.beta;
    }
    if (i < laws.lr_samples.size()) {
      const PowerLaw2& p = laws.lr_samples[i];
      row[5] = p.coef, row[6] = p.exp_params, row[7] = p.exp_tokens;
    }
    if (i < laws.batch_samples.size()) {
      const PowerLaw2& p = laws.batch_samples[i];
      row[8] = p.coef, row[9] = p.exp_params, row[10] = p.exp_tokens;
    }
  }
  return flat;
}

bool UnflattenSamples(const std::vector<double>& flat, LawSet* laws) {
  if (flat.size() % kFlatSampleWidth != 0) return false;
  laws->loss_samples.clear();
  laws->lr_samples.clear();
  laws->batch_samples.clear();
  for (size_t i = 0; i < flat.size(); i += kFlatSampleWidth) {
    const double* row = flat.data() + i;
    if (std::isfinite(row[0]))
      laws->loss_samples.push_back({row[0], row[1], row[2], row[3], row[4]});
    if (std::isfinite(row[5])) laws->lr_samples.push_back({row[5], row[6], row[7]});
    if (std::isfinite(row[8])) laws->batch_samples.push_back({row[8], row[9], row[10]});
  }
  return true;
}

}  // namespace scalecalc

#include "core/plot_series.h"

#include <algorithm>
#include <cmath>

#include "core/planner.h"

namespace scalecalc {

namespace {

std::vector<double> LogSpace(double lo, double hi, int count) {
  std::vector<double> values(std::max(count, 2));
  const double a = std::log(lo), b = std::log(hi);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = std::exp(a + (b - a) * static_cast<double>(i) / (values.size() - 1));
  }
  return values;
}

// Distinct model sizes binned into at most `max_groups` log-spaced groups (one per size when
// there are few enough), so data with many sizes (Chinchilla) stays readable.
std::vector<SizeGroup> GroupBySize(const std::vector<Cell>& cells, int max_groups) {
  std::vector<double> sizes;
  for (const Cell& c : cells) sizes.push_back(c.params);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.empty() || max_groups < 1) return {};
  const int groups = std::min<int>(max_groups, static_cast<int>(sizes.size()));
  const double lo = std::log(sizes.front()), hi = std::log(sizes.back());
  const auto group_of = [&](double params) {
    if (groups == static_cast<int>(sizes.size())) {
      return static_cast<int>(std::lower_bound(sizes.begin(), sizes.end(), params) - sizes.begin());
    }
    const double t = hi > lo ? (std::log(params) - lo) / (hi - lo) : 0;
    return std::min(groups - 1, static_cast<int>(t * groups));
  };
  std::vector<SizeGroup> binned(groups);
  std::vector<double> log_sum(groups, 0);
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const Cell& c = cells[i];
    const int g = group_of(c.params);
    log_sum[g] += std::log(c.params);
    binned[g].cell_index.push_back(i);
    binned[g].tokens.push_back(c.tokens);
    binned[g].loss.push_back(c.loss);
    binned[g].lr.push_back(c.lr);
    binned[g].batch_tokens.push_back(c.batch_tokens);
  }
  std::vector<SizeGroup> nonempty;
  for (int g = 0; g < groups; ++g) {
    if (binned[g].cell_index.empty()) continue;
    binned[g].params = std::exp(log_sum[g] / static_cast<double>(binned[g].cell_index.size()));
    nonempty.push_back(std::move(binned[g]));
  }
  return nonempty;
}

void AddLawCurves(const std::vector<Cell>& cells, const LawSet& laws, int points,
                  std::vector<SizeGroup>* groups) {
  double lo = INFINITY, hi = 0;
  for (const Cell& c : cells) lo = std::min(lo, c.tokens), hi = std::max(hi, c.tokens);
  if (!(lo > 0 && hi >= lo && std::isfinite(hi))) return;
  const std::vector<double> tokens = LogSpace(lo / 1.5, hi * 1.5, points);
  for (SizeGroup& g : *groups) {
    g.curve_tokens = tokens;
    const auto eval = [&](auto&& law, std::vector<double>* out) {
      if (!law.IsSet()) return;
      out->resize(tokens.size());
      for (size_t i = 0; i < tokens.size(); ++i) (*out)[i] = law.Eval(g.params, tokens[i]);
    };
    eval(laws.loss, &g.curve_loss);
    eval(laws.lr, &g.curve_lr);
    eval(laws.batch, &g.curve_batch);
    g.residual.assign(g.tokens.size(), NAN);
    if (laws.loss.IsSet()) {
      for (size_t i = 0; i < g.tokens.size(); ++i) {
        // Each cell against the law at its own size, not the group's mean size.
        const Cell& c = cells[g.cell_index[i]];
        g.residual[i] = std::log(c.loss / laws.loss.Eval(c.params, c.tokens));
      }
    }
  }
}

// The model size, between ln N = u_inside (within the limit) and u_outside (beyond it or where
// T < 1), at which the iso-compute loss crosses `limit`.
double CrossingParams(const LossLaw& law, const ComputeModel& compute, double budget_flops,
                      double limit, double u_inside, double u_outside) {
  const auto within = [&](double u) {
    const double loss = IsoComputeLoss(law, compute, budget_flops, std::exp(u));
    return std::isfinite(loss) && loss <= limit;
  };
  for (int i = 0; i < 200 && std::fabs(u_outside - u_inside) > 1e-12; ++i) {
    const double mid = 0.5 * (u_inside + u_outside);
    (within(mid) ? u_inside : u_outside) = mid;
  }
  return std::exp(u_inside);
}

// Walks from ln N_opt in steps of `step` until the loss leaves the tolerance (or T < 1), then
// bisects. NaN when the loss stays within the limit over 60 e-folds (a flat law).
double ToleranceEdge(const LossLaw& law, const ComputeModel& compute, double budget_flops,
                     double limit, double u_opt, double step) {
  double inside = u_opt;
  for (int i = 1; i <= 120; ++i) {
    const double u = u_opt + step * i;
    const double loss = IsoComputeLoss(law, compute, budget_flops, std::exp(u));
    if (!(std::isfinite(loss) && loss <= limit)) {
      return CrossingParams(law, compute, budget_flops, limit, inside, u);
    }
    inside = u;
  }
  return NAN;
}

}  // namespace

IsoComputeSeries MakeIsoComputeSeries(const LawSet& laws, const ComputeModel& compute,
                                      double budget_flops, double optimum_params,
                                      double optimum_loss, double loss_tolerance,
                                      const PlotSeriesOptions& options) {
  IsoComputeSeries iso;
  if (!laws.loss.IsSet() || !(optimum_params > 0 && std::isfinite(optimum_params)) ||
      !(budget_flops > 0 && std::isfinite(budget_flops)) || !(options.iso_span > 1)) {
    return iso;
  }
  iso.params = LogSpace(optimum_params / options.iso_span, optimum_params * options.iso_span,
                        options.iso_points);
  iso.loss.resize(iso.params.size());
  for (size_t i = 0; i < iso.params.size(); ++i) {
    iso.loss[i] = IsoComputeLoss(laws.loss, compute, budget_flops, iso.params[i]);
  }
  if (!laws.loss_samples.empty()) {
    iso.samples = static_cast<int>(laws.loss_samples.size());
    iso.loss_lo.resize(iso.params.size());
    iso.loss_hi.resize(iso.params.size());
    std::vector<double> sampled(laws.loss_samples.size());
    for (size_t i = 0; i < iso.params.size(); ++i) {
      for (size_t k = 0; k < sampled.size(); ++k) {
        sampled[k] = IsoComputeLoss(laws.loss_samples[k], compute, budget_flops, iso.params[i]);
      }
      const Interval ci = Percentile95(sampled);
      iso.loss_lo[i] = ci.lo;
      iso.loss_hi[i] = ci.hi;
    }
  }
  if (std::isfinite(optimum_loss) && loss_tolerance >= 0) {
    const double limit = optimum_loss * (1 + loss_tolerance);
    const double u_opt = std::log(optimum_params);
    if (std::isfinite(IsoComputeLoss(laws.loss, compute, budget_flops, optimum_params))) {
      iso.tolerance_params_lo = ToleranceEdge(laws.loss, compute, budget_flops, limit, u_opt, -0.5);
      iso.tolerance_params_hi = ToleranceEdge(laws.loss, compute, budget_flops, limit, u_opt, 0.5);
    }
  }
  iso.ok = true;
  return iso;
}

PlotSeries MakePlotSeries(const RunTable& table, const std::vector<Cell>& cells, const LawSet& laws,
                          const ComputeModel& compute, double budget_flops, double optimum_params,
                          double optimum_loss, double loss_tolerance,
                          const PlotSeriesOptions& options) {
  PlotSeries series;
  for (int i = 0; i < static_cast<int>(table.runs.size()); ++i) {
    if (table.runs[i].excluded) continue;
    series.run_tokens.push_back(table.runs[i].tokens);
    series.run_loss.push_back(table.runs[i].loss);
    series.run_index.push_back(i);
  }
  series.size_groups = GroupBySize(cells, options.max_size_groups);
  AddLawCurves(cells, laws, options.curve_points, &series.size_groups);
  series.iso = MakeIsoComputeSeries(laws, compute, budget_flops, optimum_params, optimum_loss,
                                    loss_tolerance, options);
  return series;
}

}  // namespace scalecalc

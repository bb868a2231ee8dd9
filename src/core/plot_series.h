// plot_series.h: the numbers the Plots panel draws, computed once per fit (not per frame).
//
//   PlotSeries series = MakePlotSeries(table, fit.cells, fit.laws, compute, budget_flops,
//                                      plan.optimum.params, plan.optimum.loss, tolerance);
//   // series.size_groups: cell optima binned by model size, with the fitted laws along tokens
//   // series.iso: the loss along the iso-compute line with its 95% band and tolerance band
//
// The app keeps the result with the fit it came from and redraws it every frame; it recomputes
// only when the fit, its bootstrap samples, the budget or the options change. Never throws.
#pragma once

#include <string>
#include <vector>

#include "core/cells.h"
#include "core/compute_model.h"
#include "core/laws.h"
#include "core/run_table.h"

namespace scalecalc {

// Cells of similar model size, with the fitted laws evaluated along tokens at their size.
struct SizeGroup {
  double params = 0;            // geometric mean of the group's model sizes
  std::vector<int> cell_index;  // into the cells given to MakePlotSeries
  std::vector<double> tokens;   // of each cell
  std::vector<double> loss;     // cell optima
  std::vector<double> lr;       // NaN without a sweep
  std::vector<double> batch_tokens;
  std::vector<double> residual;      // ln(loss / L_hat) of each cell; NaN without a loss law
  std::vector<double> curve_tokens;  // log-spaced over the cells' token range
  std::vector<double> curve_loss;    // L(params, T); empty without a loss law
  std::vector<double> curve_lr, curve_batch;  // laws at (params, T); empty without the law
};

// The loss along the iso-compute line C = c(N) T around the optimum N_opt.
struct IsoComputeSeries {
  bool ok = false;                       // false without a loss law or a finite optimum
  std::vector<double> params;            // log-spaced over [N_opt / span, N_opt * span]
  std::vector<double> loss;              // L(N, C / c(N)); NaN where T < 1
  std::vector<double> loss_lo, loss_hi;  // 95% band over the bootstrap samples (empty: none)
  int samples = 0;                       // bootstrap samples behind the band
  // Model sizes whose predicted loss is within the tolerance of the optimum's (NaN: none found).
  double tolerance_params_lo = NAN, tolerance_params_hi = NAN;
};

struct PlotSeriesOptions {
  int max_size_groups = 8;  // more distinct sizes are binned (log-spaced) into this many groups
  int curve_points = 96;    // points of each law curve along tokens
  int iso_points = 160;     // points of the iso-compute curve
  double iso_span = 40;     // the iso-compute curve covers N_opt / span .. N_opt * span
};

struct PlotSeries {
  // Every included run (faint, behind the cell optima): tokens, loss, index into RunTable::runs.
  std::vector<double> run_tokens, run_loss;
  std::vector<int> run_index;
  std::vector<SizeGroup> size_groups;
  IsoComputeSeries iso;
};

// `optimum_params` and `optimum_loss` are the plan's optimum (NaN: no iso-compute series);
// `loss_tolerance` relative, as in PlanOptions.
PlotSeries MakePlotSeries(const RunTable& table, const std::vector<Cell>& cells, const LawSet& laws,
                          const ComputeModel& compute, double budget_flops, double optimum_params,
                          double optimum_loss, double loss_tolerance,
                          const PlotSeriesOptions& options = {});

// The iso-compute series alone (for a compared preset's law: no samples, no tolerance needed).
IsoComputeSeries MakeIsoComputeSeries(const LawSet& laws, const ComputeModel& compute,
                                      double budget_flops, double optimum_params,
                                      double optimum_loss, double loss_tolerance,
                                      const PlotSeriesOptions& options = {});

}  // namespace scalecalc

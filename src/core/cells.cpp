#include "core/cells.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

namespace scalecalc {

namespace {

// Hyperparameter grids are written exactly; this only absorbs rounding in unit conversions
// (batch in samples times tokens per sample, lr printed with few digits).
constexpr double kHyperTolerance = 1e-6;

// Each side of the argmin, how many grid values the smooth model sees (a 5 x 5 window).
constexpr int kSmoothHalfWindow = 2;

bool SameValue(double a, double b) {
  return std::fabs(a - b) <= kHyperTolerance * std::max(std::fabs(a), std::fabs(b));
}

std::vector<double> DistinctSorted(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::vector<double> out;
  for (double v : values) {
    if (out.empty() || !SameValue(out.back(), v)) out.push_back(v);
  }
  return out;
}

int NearestIndex(const std::vector<double>& grid, double v) {
  int best = 0;
  for (int i = 1; i < static_cast<int>(grid.size()); ++i) {
    if (std::fabs(grid[i] - v) < std::fabs(grid[best] - v)) best = i;
  }
  return best;
}

double RunValue(const Run& run, bool lr) {
  return lr ? run.lr : run.batch_tokens;
}

// One swept dimension of the smooth model, in log units centred on the argmin and scaled so the
// window spans about [-1, 1] (keeps the least-squares problem well conditioned).
struct Axis {
  bool lr = true;
  double centre = 0;      // log of the argmin's value
  double scale = 1;       // log units per model unit
  double lo = 0, hi = 0;  // window bounds in model units
  double Coord(const Run& run) const { return (std::log(RunValue(run, lr)) - centre) / scale; }
};

// Quadratic model of the cell's relative loss around the argmin. kFitted sets lr, batch_tokens and
// loss; kOutsideRange sets *edges (one per dimension: -1 below, +1 above the swept range, 0
// inside). Curvature that is zero to rounding (a loss linear in log lr) counts as not convex.
SmoothOutcome SmoothOptimum(const RunTable& table, const Cell& cell, const Run& argmin,
                            const std::vector<bool>& dims_lr, double* lr, double* batch_tokens,
                            double* loss, std::vector<int>* edges) {
  std::vector<Axis> axes;
  std::vector<double> range_lo, range_hi;  // the whole swept range per axis, in model units
  for (bool is_lr : dims_lr) {
    std::vector<double> values;
    for (int index : cell.run_indices) values.push_back(RunValue(table.runs[index], is_lr));
    const std::vector<double> grid = DistinctSorted(values);
    const int at = NearestIndex(grid, RunValue(argmin, is_lr));
    const int first = std::max(0, at - kSmoothHalfWindow);
    const int last = std::min(static_cast<int>(grid.size()) - 1, at + kSmoothHalfWindow);
    if (last - first + 1 < 3) return SmoothOutcome::kTooFewValues;  // a parabola needs three
    Axis axis;
    axis.lr = is_lr;
    axis.centre = std::log(grid[at]);
    axis.scale = 0.5 * (std::log(grid[last]) - std::log(grid[first]));
    axis.lo = (std::log(grid[first]) - axis.centre) / axis.scale;
    axis.hi = (std::log(grid[last]) - axis.centre) / axis.scale;
    axes.push_back(axis);
    range_lo.push_back((std::log(grid.front()) - axis.centre) / axis.scale);
    range_hi.push_back((std::log(grid.back()) - axis.centre) / axis.scale);
  }
  const double tol = kHyperTolerance;
  std::vector<std::vector<double>> coords;
  std::vector<double> targets;
  for (int index : cell.run_indices) {
    const Run& run = table.runs[index];
    std::vector<double> c;
    bool inside = true;
    for (const Axis& axis : axes) {
      const double x = axis.Coord(run);
      if (x < axis.lo - tol || x > axis.hi + tol) inside = false;
      c.push_back(x);
    }
    if (!inside) continue;
    coords.push_back(c);
    targets.push_back(run.loss / argmin.loss - 1.0);
  }
  const int cols = axes.size() == 1 ? 3 : 6;
  const int rows = static_cast<int>(targets.size());
  if (rows < cols) return SmoothOutcome::kTooFewValues;
  Eigen::MatrixXd design(rows, cols);
  Eigen::VectorXd rhs(rows);
  for (int r = 0; r < rows; ++r) {
    const double x = coords[r][0];
    rhs(r) = targets[r];
    if (cols == 3) {
      design.row(r) << 1.0, x, x * x;
    } else {
      const double y = coords[r][1];
      design.row(r) << 1.0, x, y, x * x, y * y, x * y;
    }
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  if (qr.rank() < cols) return SmoothOutcome::kTooFewValues;
  const Eigen::VectorXd c = qr.solve(rhs);
  if (!c.allFinite()) return SmoothOutcome::kNotConvex;
  // Curvature below this, relative to the slope and curvature scale, is rounding noise.
  constexpr double kFlat = 1e-9;
  std::vector<double> opt(axes.size());
  double q = 0;
  if (cols == 3) {
    if (!(c(2) > kFlat * (std::fabs(c(1)) + std::fabs(c(2))))) return SmoothOutcome::kNotConvex;
    opt[0] = -c(1) / (2 * c(2));
    q = c(0) + c(1) * opt[0] + c(2) * opt[0] * opt[0];
  } else {
    const double hxx = 2 * c(3), hyy = 2 * c(4), hxy = c(5);
    const double det = hxx * hyy - hxy * hxy;
    // Smallest eigenvalue of the Hessian against the scale of slope and curvature.
    const double half_trace = 0.5 * (hxx + hyy);
    const double min_eigen = half_trace - std::sqrt(std::max(0.0, half_trace * half_trace - det));
    const double scale =
        std::fabs(c(1)) + std::fabs(c(2)) + std::fabs(hxx) + std::fabs(hyy) + std::fabs(hxy);
    if (!(hxx > 0 && det > 0 && min_eigen > kFlat * scale)) return SmoothOutcome::kNotConvex;
    // Solve H z = -g.
    opt[0] = (-c(1) * hyy + c(2) * hxy) / det;
    opt[1] = (-c(2) * hxx + c(1) * hxy) / det;
    const double x = opt[0], y = opt[1];
    q = c(0) + c(1) * x + c(2) * y + c(3) * x * x + c(4) * y * y + c(5) * x * y;
  }
  edges->assign(axes.size(), 0);
  bool outside_range = false, outside_window = false;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (std::isnan(opt[i])) return SmoothOutcome::kNotConvex;
    if (opt[i] < range_lo[i] || opt[i] > range_hi[i]) {
      (*edges)[i] = opt[i] < range_lo[i] ? -1 : 1;
      outside_range = true;
    } else if (opt[i] < axes[i].lo || opt[i] > axes[i].hi) {
      outside_window = true;
    }
  }
  if (outside_range) return SmoothOutcome::kOutsideRange;
  if (outside_window) return SmoothOutcome::kOutsideWindow;
  for (size_t i = 0; i < axes.size(); ++i) {
    const double value = std::exp(axes[i].centre + axes[i].scale * opt[i]);
    *(axes[i].lr ? lr : batch_tokens) = value;
  }
  *loss = argmin.loss * (1.0 + q);
  return std::isfinite(*loss) && *loss > 0 ? SmoothOutcome::kFitted : SmoothOutcome::kNotConvex;
}

}  // namespace

std::vector<int> GroupValues(const std::vector<double>& values, double rel_tol, int* group_count) {
  std::vector<int> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return values[a] < values[b]; });
  std::vector<int> group(values.size(), 0);
  int current = -1;
  for (size_t k = 0; k < order.size(); ++k) {
    const double v = values[order[k]];
    if (k == 0 || v - values[order[k - 1]] > rel_tol * std::fabs(v)) ++current;
    group[order[k]] = current;
  }
  if (group_count) *group_count = current + 1;
  return group;
}

int CountDistinct(const std::vector<double>& values, double rel_tol) {
  int count = 0;
  GroupValues(values, rel_tol, &count);
  return count;
}

std::vector<Cell> GroupCells(const RunTable& table, double cell_tolerance) {
  std::vector<int> included;
  std::vector<double> params, tokens;
  for (int i = 0; i < static_cast<int>(table.runs.size()); ++i) {
    const Run& run = table.runs[i];
    if (run.excluded) continue;
    included.push_back(i);
    params.push_back(run.params);
    tokens.push_back(run.tokens);
  }
  int count_n = 0, count_t = 0;
  const std::vector<int> group_n = GroupValues(params, cell_tolerance, &count_n);
  const std::vector<int> group_t = GroupValues(tokens, cell_tolerance, &count_t);
  // A cell's N is the mean N of its whole N group (every cell of a group shares it), T likewise.
  std::vector<double> mean_n(count_n, 0.0), mean_t(count_t, 0.0);
  std::vector<int> count_in_n(count_n, 0), count_in_t(count_t, 0);
  std::map<std::pair<int, int>, Cell> by_group;  // ordered: cells sorted by (N, T)
  for (size_t k = 0; k < included.size(); ++k) {
    mean_n[group_n[k]] += params[k];
    ++count_in_n[group_n[k]];
    mean_t[group_t[k]] += tokens[k];
    ++count_in_t[group_t[k]];
    by_group[{group_n[k], group_t[k]}].run_indices.push_back(included[k]);
  }
  std::vector<Cell> cells;
  for (auto& entry : by_group) {
    Cell cell = std::move(entry.second);
    cell.runs = static_cast<int>(cell.run_indices.size());
    cell.params = mean_n[entry.first.first] / count_in_n[entry.first.first];
    cell.tokens = mean_t[entry.first.second] / count_in_t[entry.first.second];
    cells.push_back(std::move(cell));
  }
  return cells;
}

int CountCellValues(const RunTable& table, const Cell& cell, bool lr) {
  std::vector<double> values;
  for (int index : cell.run_indices) values.push_back(RunValue(table.runs[index], lr));
  return static_cast<int>(DistinctSorted(values).size());
}

SweptDims DetectSweep(const RunTable& table, const std::vector<Cell>& cells) {
  SweptDims swept;
  for (const Cell& cell : cells) {
    std::vector<double> lrs, batches;
    for (int index : cell.run_indices) {
      lrs.push_back(table.runs[index].lr);
      batches.push_back(table.runs[index].batch_tokens);
    }
    if (table.has_lr && DistinctSorted(lrs).size() >= 2) swept.lr = true;
    if (table.has_batch && DistinctSorted(batches).size() >= 2) swept.batch = true;
  }
  return swept;
}

void FindCellOptimum(const RunTable& table, const SweptDims& swept, const FitOptions& options,
                     Cell* cell) {
  cell->runs = static_cast<int>(cell->run_indices.size());
  cell->band_indices.clear();
  cell->on_edge = false;
  cell->not_convex = false;
  cell->lr_edge = cell->batch_edge = 0;
  cell->lr_beyond = cell->batch_beyond = false;
  cell->smooth = SmoothOutcome::kNotTried;
  if (cell->run_indices.empty()) return;
  int best = cell->run_indices.front();
  for (int index : cell->run_indices) {
    if (table.runs[index].loss < table.runs[best].loss) best = index;
  }
  const Run& argmin = table.runs[best];
  cell->loss = argmin.loss;
  cell->lr = table.has_lr ? argmin.lr : NAN;
  cell->batch_tokens = table.has_batch ? argmin.batch_tokens : NAN;
  if (!swept.any()) return;

  if (options.optimum == OptimumMethod::kBand) {
    const double limit = argmin.loss * (1.0 + options.band_tolerance);
    for (int index : cell->run_indices) {
      if (table.runs[index].loss <= limit) cell->band_indices.push_back(index);
    }
  }

  // Distinct swept values of this cell, per dimension.
  std::vector<double> lrs, batches;
  for (int index : cell->run_indices) {
    lrs.push_back(table.runs[index].lr);
    batches.push_back(table.runs[index].batch_tokens);
  }
  const std::vector<double> lr_grid = swept.lr ? DistinctSorted(lrs) : std::vector<double>{};
  const std::vector<double> batch_grid =
      swept.batch ? DistinctSorted(batches) : std::vector<double>{};

  if (options.optimum == OptimumMethod::kSmooth) {
    std::vector<bool> dims;  // true: lr axis, false: batch axis
    if (lr_grid.size() >= 2) dims.push_back(true);
    if (batch_grid.size() >= 2) dims.push_back(false);
    if (!dims.empty()) {
      double lr = cell->lr, batch = cell->batch_tokens, loss = cell->loss;
      std::vector<int> edges;
      cell->smooth = SmoothOptimum(table, *cell, argmin, dims, &lr, &batch, &loss, &edges);
      if (cell->smooth == SmoothOutcome::kFitted) {
        cell->lr = lr;
        cell->batch_tokens = batch;
        cell->loss = loss;
      } else if (cell->smooth == SmoothOutcome::kOutsideRange) {
        for (size_t i = 0; i < dims.size(); ++i) {
          (dims[i] ? cell->lr_edge : cell->batch_edge) = edges[i];
          (dims[i] ? cell->lr_beyond : cell->batch_beyond) = edges[i] != 0;
        }
      }
      cell->not_convex = cell->smooth == SmoothOutcome::kNotConvex;
    }
  }

  // An optimum on the border of the sweep means the true optimum may lie outside it. Two
  // learning rates are too few to call either one an edge.
  auto border = [](const std::vector<double>& grid, double v) {
    return SameValue(v, grid.front()) ? -1 : SameValue(v, grid.back()) ? 1 : 0;
  };
  if (lr_grid.size() >= 3 && cell->lr_edge == 0) cell->lr_edge = border(lr_grid, cell->lr);
  if (batch_grid.size() >= 2 && cell->batch_edge == 0) {
    cell->batch_edge = border(batch_grid, cell->batch_tokens);
  }
  cell->on_edge = cell->lr_edge != 0 || cell->batch_edge != 0;
}

}  // namespace scalecalc

// cells.h: group runs into (N, T) cells and find each cell's optimal learning rate and batch size.
//
//   std::vector<Cell> cells = GroupCells(table, options.cell_tolerance);
//   const SweptDims swept = DetectSweep(table, cells);
//   for (Cell& cell : cells) FindCellOptimum(table, swept, options, &cell);
//
// Internal to the fitting engine (fit.cpp).
#pragma once

#include <cmath>
#include <vector>

#include "core/enum_names.h"
#include "core/fit_options.h"
#include "core/run_table.h"

namespace scalecalc {

// How the smooth (quadratic) optimum of a cell came out.
enum class SmoothOutcome {
  kNotTried,       // argmin or band, or nothing swept
  kFitted,         // a convex quadratic with its minimum inside the sweep: used
  kTooFewValues,   // fewer than 3 distinct values of a swept hyperparameter: no quadratic
  kNotConvex,      // the quadratic does not curve upwards (argmin used)
  kOutsideRange,   // convex, but its minimum lies outside the swept range (argmin used)
  kOutsideWindow,  // convex, minimum inside the sweep but outside the fitted window (argmin used)
};

// One (N, T) cell of a sweep with its optimum.
struct Cell {
  double params = NAN;
  double tokens = NAN;
  double lr = NAN;            // optimal learning rate (NaN without a sweep)
  double batch_tokens = NAN;  // optimal batch size in tokens
  double loss = NAN;          // loss at the optimum (smooth: the model's minimum)
  int runs = 0;               // included runs in the cell
  bool on_edge = false;       // optimum on the border of the swept lr or batch range
  bool not_convex = false;    // smooth model does not curve upwards (fell back to argmin)
  // Where the optimum sits against the swept range of each hyperparameter: -1 at (or, smooth,
  // below) the low end, +1 at (or above) the high end, 0 inside or not swept.
  int lr_edge = 0, batch_edge = 0;
  // The smooth model's minimum lies beyond that end of the sweep (kOutsideRange), as opposed to
  // the grid's best run sitting on it.
  bool lr_beyond = false, batch_beyond = false;
  SmoothOutcome smooth = SmoothOutcome::kNotTried;
  std::vector<int> run_indices;   // indices into RunTable::runs
  std::vector<int> band_indices;  // runs within the band (kBand)
};

// Hyperparameters that vary inside at least one cell (a table may carry an lr column that is
// constant per cell: that is no sweep).
struct SweptDims {
  bool lr = false;
  bool batch = false;
  bool any() const { return lr || batch; }
};

// Group index of every value: sorted values start a new group where the gap to the previous value
// exceeds rel_tol times that value (single linkage). Groups are numbered in increasing order.
std::vector<int> GroupValues(const std::vector<double>& values, double rel_tol, int* group_count);

// Number of groups GroupValues finds.
int CountDistinct(const std::vector<double>& values, double rel_tol);

// Included runs grouped by (N, T): a cell is one N group crossed with one T group. Cells come
// sorted by (params, tokens); a cell's params is the mean N of its N group (shared by every cell
// of the group), tokens likewise. Optima are not set.
std::vector<Cell> GroupCells(const RunTable& table, double cell_tolerance);

// Which hyperparameters the table sweeps: a column the table has (has_lr / has_batch) with two or
// more distinct values inside some cell.
SweptDims DetectSweep(const RunTable& table, const std::vector<Cell>& cells);

// Distinct learning rates (lr true) or batch sizes (lr false) among the cell's runs.
int CountCellValues(const RunTable& table, const Cell& cell, bool lr);

// Sets the cell's optimum (lr, batch_tokens, loss), on_edge, not_convex and band_indices by
// options.optimum. Without a sweep: loss is the lowest loss of the cell, lr and batch NaN.
void FindCellOptimum(const RunTable& table, const SweptDims& swept, const FitOptions& options,
                     Cell* cell);

}  // namespace scalecalc

// sensitivity.h: how fast the loss rises when the learning rate or batch size is off the law.
//
//   Sensitivity s = FitSensitivity(table, cells, swept, lr_law, batch_law);
//   s.RelativePenalty(2.0, 1.0);  // relative loss increase at twice the optimal learning rate
//
// Fits L / L_opt(cell) - 1 = c_lr u^2 + c_batch v^2 + c_cross u v (no intercept) by least squares
// over the included runs of the cells that sweep whose loss is at most `cap` (relative) above
// their cell's optimum, with u = ln(lr / lr_law(N, T)) and
// v = ln(B / B_law(N, T)). A dimension that is not swept (or has no law) is left out and its
// coefficients are 0. ok only when the fitted form is positive definite. Internal to fit.cpp.
#pragma once

#include <vector>

#include "core/cells.h"
#include "core/laws.h"
#include "core/run_table.h"

namespace scalecalc {

// Loss penalty for off-optimal hyperparameters, fitted on the runs of the sweep cells within
// FitOptions::sensitivity_cap of their cell's optimum:
//   L(lr, B) / L_opt - 1 = c_lr u^2 + c_batch v^2 + c_cross u v,
//   u = ln(lr / lr_opt(N, T)), v = ln(B / B_opt(N, T)).
struct Sensitivity {
  bool ok = false;
  double curv_lr = NAN, curv_batch = NAN, cross = NAN;
  int points = 0;
  double RelativePenalty(double lr_ratio, double batch_ratio) const;
};

Sensitivity FitSensitivity(const RunTable& table, const std::vector<Cell>& cells,
                           const SweptDims& swept, const PowerLaw2& lr_law,
                           const PowerLaw2& batch_law, double cap);

}  // namespace scalecalc

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

// struct Sensitivity (the fitted penalty) lives in laws.h: the planner reads it from a LawSet.
Sensitivity FitSensitivity(const RunTable& table, const std::vector<Cell>& cells,
                           const SweptDims& swept, const PowerLaw2& lr_law,
                           const PowerLaw2& batch_law, double cap);

}  // namespace scalecalc

#include "core/sensitivity.h"

#include <Eigen/Dense>
#include <cmath>

namespace scalecalc {

double Sensitivity::RelativePenalty(double lr_ratio, double batch_ratio) const {
  if (!ok || !(lr_ratio > 0) || !(batch_ratio > 0)) return NAN;
  const double u = std::log(lr_ratio), v = std::log(batch_ratio);
  return curv_lr * u * u + curv_batch * v * v + cross * u * v;
}

Sensitivity FitSensitivity(const RunTable& table, const std::vector<Cell>& cells,
                           const SweptDims& swept, const PowerLaw2& lr_law,
                           const PowerLaw2& batch_law, double cap) {
  Sensitivity result;
  const bool use_lr = swept.lr && lr_law.IsSet();
  const bool use_batch = swept.batch && batch_law.IsSet();
  if (!use_lr && !use_batch) return result;
  std::vector<double> us, vs, ys;
  for (const Cell& cell : cells) {
    // A cell of one run says nothing about curvature (its run is its own optimum).
    if (cell.run_indices.size() < 2 || !(cell.loss > 0)) continue;
    const double lr_opt = use_lr ? lr_law.Eval(cell.params, cell.tokens) : NAN;
    const double batch_opt = use_batch ? batch_law.Eval(cell.params, cell.tokens) : NAN;
    for (int index : cell.run_indices) {
      const Run& run = table.runs[index];
      const double rise = run.loss / cell.loss - 1.0;
      if (rise > cap) continue;
      us.push_back(use_lr ? std::log(run.lr / lr_opt) : 0.0);
      vs.push_back(use_batch ? std::log(run.batch_tokens / batch_opt) : 0.0);
      ys.push_back(rise);
    }
  }
  const int rows = static_cast<int>(ys.size());
  const int cols = use_lr && use_batch ? 3 : 1;
  if (rows < cols) return result;
  Eigen::MatrixXd design(rows, cols);
  Eigen::VectorXd y(rows);
  for (int r = 0; r < rows; ++r) {
    y(r) = ys[r];
    if (cols == 3) {
      design.row(r) << us[r] * us[r], vs[r] * vs[r], us[r] * vs[r];
    } else {
      design(r, 0) = use_lr ? us[r] * us[r] : vs[r] * vs[r];
    }
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  if (qr.rank() < cols) return result;
  const Eigen::VectorXd c = qr.solve(y);
  if (!c.allFinite()) return result;
  result.points = rows;
  if (cols == 3) {
    result.curv_lr = c(0);
    result.curv_batch = c(1);
    result.cross = c(2);
    result.ok = c(0) > 0 && c(1) > 0 && 4 * c(0) * c(1) > c(2) * c(2);
  } else {
    result.curv_lr = use_lr ? c(0) : 0.0;
    result.curv_batch = use_batch ? c(0) : 0.0;
    result.cross = 0;
    result.ok = c(0) > 0;
  }
  return result;
}

}  // namespace scalecalc

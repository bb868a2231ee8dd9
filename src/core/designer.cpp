#include "core/designer.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/planner.h"

namespace scalecalc {

namespace {

constexpr double kZ95 = 1.959963984540054;
constexpr int kTheta = 5;  // E, ln A, alpha, ln B, beta

std::string Num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

using Vec = Eigen::Matrix<double, kTheta, 1>;
using Mat = Eigen::Matrix<double, kTheta, kTheta>;

Vec ToTheta(const LossLaw& l) {
  Vec t;
  t << l.E, std::log(l.A), l.alpha, std::log(l.B), l.beta;
  return t;
}
LossLaw FromTheta(const Vec& t) {
  LossLaw l;
  l.E = t(0), l.A = std::exp(t(1)), l.alpha = t(2), l.B = std::exp(t(3)), l.beta = t(4);
  return l;
}

// Gradient of ln L_hat(N, T) in theta.
Vec LogLossGradient(const LossLaw& l, double n, double t) {
  const double a = l.A * std::pow(n, -l.alpha), b = l.B * std::pow(t, -l.beta);
  const double loss = l.E + a + b;
  Vec g;
  g << 1 / loss, a / loss, -a * std::log(n) / loss, b / loss, -b * std::log(t) / loss;
  return g;
}

// ln N_opt and ln L_opt at the budget for a law (NaN on failure).
void LogOptimum(const LossLaw& l, const ComputeModel& compute, double budget, double* log_n,
                double* log_loss) {
  const double n = OptimalParams(l, compute, budget);
  *log_n = std::log(n);
  *log_loss = std::isfinite(n) ? std::log(l.Eval(n, budget / FlopsPerToken(compute, n))) : NAN;
}

// Inverse of an information matrix through its equilibrated form (the raw one spans many decades).
bool Covariance(const Mat& info, Mat* cov) {
  Vec scale;
  for (int i = 0; i < kTheta; ++i) {
    if (!(info(i, i) > 0)) return false;
    scale(i) = 1 / std::sqrt(info(i, i));
  }
  const Mat scaled = scale.asDiagonal() * info * scale.asDiagonal();
  Eigen::SelfAdjointEigenSolver<Mat> eig(scaled);
  if (eig.info() != Eigen::Success || !(eig.eigenvalues().minCoeff() > 1e-13)) return false;
  *cov = scale.asDiagonal() * eig.eigenvectors() * eig.eigenvalues().cwiseInverse().asDiagonal() *
         eig.eigenvectors().transpose() * scale.asDiagonal();
  return cov->allFinite();
}

Interval LogInterval(double center, const Vec& g, const Mat& cov) {
  const double sd = std::sqrt(std::max(0.0, g.dot(cov * g)));
  return {std::exp(center - kZ95 * sd), std::exp(center + kZ95 * sd)};
}

// Distinct values (relative gap `tol`), sorted.
std::vector<double> Distinct(std::vector<double> values, double tol) {
  std::sort(values.begin(), values.end());
  std::vector<double> out;
  for (double v : values) {
    if (out.empty() || v > out.back() * (1 + tol)) out.push_back(v);
  }
  return out;
}

// Geometric step between consecutive distinct values (2 when there is only one).
double GeometricStep(const std::vector<double>& sorted) {
  if (sorted.size() < 2) return 2.0;
  return std::exp(std::log(sorted.back() / sorted.front()) / (sorted.size() - 1));
}

// The sweep's own step in lr (lr true) or batch inside a cell: the median over cells of the
// geometric spacing of its distinct values; NaN when no cell sweeps it.
double SweepStep(const RunTable& table, const std::vector<Cell>& cells, bool lr) {
  std::vector<double> steps;
  for (const Cell& cell : cells) {
    std::vector<double> values;
    for (int i : cell.run_indices)
      values.push_back(lr ? table.runs[i].lr : table.runs[i].batch_tokens);
    const std::vector<double> d = Distinct(values, 1e-6);
    if (d.size() >= 2) steps.push_back(GeometricStep(d));
  }
  if (steps.empty()) return NAN;
  std::sort(steps.begin(), steps.end());
  return steps[steps.size() / 2];
}

// Values centred on `center`, spaced by `step`: 3, or 5 when the law's interval at the cell
// reaches past one step.
std::vector<double> MiniGrid(double center, double step, const Interval& law_ci) {
  const bool wide = std::isfinite(law_ci.lo) && std::isfinite(law_ci.hi) &&
                    (law_ci.hi > center * step || law_ci.lo < center / step);
  const int half = wide ? 2 : 1;
  std::vector<double> out;
  for (int k = -half; k <= half; ++k) out.push_back(center * std::pow(step, k));
  return out;
}

Interval LawInterval(const std::vector<PowerLaw2>& samples, double n, double t) {
  std::vector<double> values;
  for (const PowerLaw2& law : samples) values.push_back(law.Eval(n, t));
  return Percentile95(values);
}

}  // namespace

bool DesignOptions::IsValid(std::string* error) const {
  if (!(std::isfinite(budget_flops) && budget_flops > 0 && budget_flops <= 1e35)) {
    *error = "budget_flops must be a finite positive number of FLOPs up to 1e35 (got " +
             Num(budget_flops) + ")";
    return false;
  }
  if (!(std::isfinite(max_flops) && max_flops > 0 && max_flops <= 1e35)) {
    *error = "max_flops must be a finite positive number of FLOPs up to 1e35 (got " +
             Num(max_flops) + ")";
    return false;
  }
  if (max_candidates < 1) {
    *error = "max_candidates must be at least 1";
    return false;
  }
  return compute.IsValid(error);
}

Design DesignNextRuns(const RunTable& table, const FitSummary& fit, const DesignOptions& o) {
  Design design;
  design.options = o;
  design.budget_flops = o.budget_flops;
  std::string error;
  if (!o.IsValid(&error)) {
    design.message = error;
    return design;
  }
  const LossLaw& law = fit.loss.law;
  if (!fit.ok || !law.IsSet()) {
    design.message = "cannot rank candidates: the fit has no loss law" +
                     (fit.message.empty() ? std::string() : " (" + fit.message + ")") +
                     "; the ranking predicts how each cell narrows the loss law's N_opt";
    return design;
  }
  // The points the loss law was fitted on: the cells' optima.
  std::vector<const Cell*> cells;
  for (const Cell& cell : fit.cells) {
    if (cell.loss > 0 && cell.params > 0 && cell.tokens > 0) cells.push_back(&cell);
  }
  design.cells = static_cast<int>(cells.size());
  if (design.cells <= kTheta) {
    design.message = "cannot rank candidates: " + std::to_string(design.cells) +
                     " cells leave no residual to estimate the noise from (the loss law has 5 "
                     "parameters; add cells)";
    return design;
  }
  Mat info = Mat::Zero();
  double rss = 0;
  for (const Cell* cell : cells) {
    const Vec g = LogLossGradient(law, cell->params, cell->tokens);
    info += g * g.transpose();
    const double r = std::log(cell->loss) - std::log(law.Eval(cell->params, cell->tokens));
    rss += r * r;
  }
  design.residual_scale = std::sqrt(rss / (design.cells - kTheta));
  const double s2 = std::max(rss / (design.cells - kTheta), 1e-300);
  Mat cov;
  if (!Covariance(info, &cov)) {
    design.message =
        "cannot rank candidates: the cells do not determine the loss law's five parameters (its "
        "information matrix is singular; add model sizes or token budgets)";
    return design;
  }
  // Gradients of ln N_opt and ln L_opt at the target budget.
  double log_n = NAN, log_loss = NAN;
  LogOptimum(law, o.compute, o.budget_flops, &log_n, &log_loss);
  if (!std::isfinite(log_n) || !std::isfinite(log_loss)) {
    design.message = "cannot rank candidates: the loss law has no compute-optimal size at " +
                     Num(o.budget_flops) + " FLOPs";
    return design;
  }
  design.params_opt = std::exp(log_n);
  design.loss_opt = std::exp(log_loss);
  const Vec theta = ToTheta(law);
  Vec g_n, g_loss;
  for (int k = 0; k < kTheta; ++k) {
    // A hundredth of the parameter's own standard error: well inside the linear range.
    const double h = std::max(1e-2 * std::sqrt(s2 * cov(k, k)), 1e-8);
    Vec up = theta, down = theta;
    up(k) += h, down(k) -= h;
    double n_up, l_up, n_down, l_down;
    LogOptimum(FromTheta(up), o.compute, o.budget_flops, &n_up, &l_up);
    LogOptimum(FromTheta(down), o.compute, o.budget_flops, &n_down, &l_down);
    g_n(k) = (n_up - n_down) / (2 * h);
    g_loss(k) = (l_up - l_down) / (2 * h);
  }
  if (!g_n.allFinite() || !g_loss.allFinite()) {
    design.message = "cannot rank candidates: N_opt is not smooth in the law's parameters here";
    return design;
  }
  design.current_params_ci = LogInterval(log_n, g_n, s2 * cov);
  design.current_loss_ci = LogInterval(log_loss, g_loss, s2 * cov);
  const double current_width = std::log(design.current_params_ci.hi / design.current_params_ci.lo);

  // The candidate grid.
  std::vector<double> ns, ts;
  for (const Cell* cell : cells) ns.push_back(cell->params), ts.push_back(cell->tokens);
  ns = Distinct(ns, 0.01);
  ts = Distinct(ts, 0.01);
  const double rn = GeometricStep(ns), rt = GeometricStep(ts);
  std::vector<double> grid_n = ns, grid_t = ts;
  grid_n.insert(grid_n.end(), {ns.front() / rn, ns.back() * rn, ns.back() * rn * rn});
  grid_t.insert(grid_t.end(), {ts.front() / rt, ts.back() * rt, ts.back() * rt * rt});
  const double lr_step = SweepStep(table, fit.cells, true);
  const double batch_step = SweepStep(table, fit.cells, false);
  const bool grid_lr = fit.laws.lr.IsSet() && std::isfinite(lr_step);
  const bool grid_batch = fit.laws.batch.IsSet() && std::isfinite(batch_step);
  const double tps = o.compute.tokens_per_sample;

  design.cheapest_run_flops = INFINITY;
  std::vector<DesignCandidate> all;
  for (double n : grid_n) {
    for (double t : grid_t) {
      bool exists = false;
      for (const Cell* cell : cells) {
        exists |= std::fabs(cell->params / n - 1) < 0.01 && std::fabs(cell->tokens / t - 1) < 0.01;
      }
      if (exists || n < 1 || t < 1) continue;
      DesignCandidate c;
      c.params = n;
      c.tokens = t;
      if (grid_lr) {
        c.lr = MiniGrid(fit.laws.lr.Eval(n, t), lr_step, LawInterval(fit.laws.lr_samples, n, t));
      }
      if (grid_batch) {
        for (double b : MiniGrid(fit.laws.batch.Eval(n, t), batch_step,
                                 LawInterval(fit.laws.batch_samples, n, t))) {
          c.batch_tokens.push_back(std::max(1.0, std::round(b / tps)) * tps);
        }
      }
      c.runs = static_cast<int>(std::max<size_t>(1, c.lr.size()) *
                                std::max<size_t>(1, c.batch_tokens.size()));
      const double run_flops = TrainingFlops(o.compute, n, t);
      design.cheapest_run_flops = std::min(design.cheapest_run_flops, run_flops);
      c.flops = c.runs * run_flops;
      if (c.flops > o.max_flops) continue;
      const Vec g = LogLossGradient(law, n, t);
      Mat cov_new;
      if (!Covariance(info + g * g.transpose(), &cov_new)) continue;
      c.expected_params_ci = LogInterval(log_n, g_n, s2 * cov_new);
      c.expected_loss_ci = LogInterval(log_loss, g_loss, s2 * cov_new);
      const double width = std::log(c.expected_params_ci.hi / c.expected_params_ci.lo);
      c.narrowing = current_width > 0 ? 1 - width / current_width : 0;
      c.value = (current_width - width) / c.flops;
      all.push_back(c);
    }
  }
  if (o.max_flops < design.cheapest_run_flops) {
    design.message = "max_flops = " + Num(o.max_flops) +
                     " FLOPs is smaller than one run of the cheapest candidate (" +
                     Num(design.cheapest_run_flops) + " FLOPs)";
    return design;
  }
  if (all.empty()) {
    design.message = "max_flops = " + Num(o.max_flops) +
                     " FLOPs does not cover the mini grid of any candidate cell (one run of the "
                     "cheapest costs " +
                     Num(design.cheapest_run_flops) + " FLOPs)";
    return design;
  }
  std::stable_sort(all.begin(), all.end(), [](const DesignCandidate& a, const DesignCandidate& b) {
    return a.value > b.value;
  });
  if (static_cast<int>(all.size()) > o.max_candidates) all.resize(o.max_candidates);
  design.candidates = std::move(all);
  design.ok = true;
  return design;
}

}  // namespace scalecalc

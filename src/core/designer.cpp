#include "core/designer.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/analysis_state.h"
#include "core/bootstrap.h"
#include "core/planner.h"
#include "core/settings_schema.h"

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

// Values centred on `center`, spaced by `step`, reaching strictly past both ends of the law's
// interval at the cell (so an optimum inside it is not on the grid's edge): 3 values at least,
// 9 at most.
std::vector<double> MiniGrid(double center, double step, const Interval& law_ci) {
  int half = 1;
  if (std::isfinite(law_ci.lo) && std::isfinite(law_ci.hi) && law_ci.lo > 0 && step > 1) {
    const double reach = std::max(std::log(law_ci.hi / center), std::log(center / law_ci.lo));
    half = std::clamp(static_cast<int>(std::floor(reach / std::log(step))) + 1, 1, 4);
  }
  std::vector<double> out;
  for (int k = -half; k <= half; ++k) out.push_back(center * std::pow(step, k));
  return out;
}

Interval LawInterval(const std::vector<PowerLaw2>& samples, double n, double t) {
  std::vector<double> values;
  for (const PowerLaw2& law : samples) values.push_back(law.Eval(n, t));
  return Percentile95(values);
}

double LogWidth(const Interval& ci) {
  return std::log(ci.hi / ci.lo);
}

bool HasCode(const std::vector<Warning>& warnings, const char* code) {
  for (const Warning& w : warnings) {
    if (w.code == code) return true;
  }
  return false;
}

// A standard normal from a SplitMix64 stream (Box-Muller, one of the pair).
double Normal(SplitMix64* rng) {
  const double u1 = (static_cast<double>(rng->Next() >> 11) + 0.5) * 0x1.0p-53;
  const double u2 = static_cast<double>(rng->Next() >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t Bits(double v) {
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

// One simulated prediction: the intervals averaged (in log space) over the draws that refitted.
struct Simulated {
  bool ok = false;
  Interval params_ci, loss_ci;
  double width = NAN;          // mean ln-width of the N_opt interval
  std::vector<double> widths;  // per draw (NaN: that draw did not refit)
};

// The narrowing from `before` to `after` the draws agree on: the mean paired difference of the
// widths less one standard error (a lower bound), so that a cell whose gain is the draws' noise
// (cheap cells are the worst: their noise is divided by few FLOPs) is worth nothing.
double AgreedGain(const Simulated& before, const Simulated& after) {
  std::vector<double> diffs;
  for (size_t d = 0; d < after.widths.size(); ++d) {
    const double b = before.widths.size() == 1  ? before.widths[0]
                     : d < before.widths.size() ? before.widths[d]
                                                : NAN;
    if (std::isfinite(b) && std::isfinite(after.widths[d])) diffs.push_back(b - after.widths[d]);
  }
  if (diffs.empty()) return NAN;
  double mean = 0;
  for (double v : diffs) mean += v / diffs.size();
  if (diffs.size() < 2) return mean;
  double var = 0;
  for (double v : diffs) var += (v - mean) * (v - mean) / (diffs.size() - 1);
  return mean - std::sqrt(var / diffs.size());
}

// N_opt and L_opt intervals of a fit's bootstrap at the budget (false without samples).
bool BootstrapIntervals(const FitSummary& fit, const ComputeModel& compute, double budget,
                        Interval* params_ci, Interval* loss_ci) {
  std::vector<double> ns, losses;
  for (const LossLaw& l : fit.laws.loss_samples) {
    const double n = OptimalParams(l, compute, budget);
    if (!(n > 0) || !std::isfinite(n)) continue;
    ns.push_back(n);
    losses.push_back(l.Eval(n, budget / FlopsPerToken(compute, n)));
  }
  if (ns.size() < 20) return false;
  *params_ci = Percentile95(ns);
  *loss_ci = Percentile95(losses);
  return params_ci->lo > 0 && std::isfinite(params_ci->hi) && loss_ci->lo > 0 &&
         std::isfinite(loss_ci->hi);
}

// Per-run relative noise inside the cells: log residuals of the included runs around their cell's
// own level and the fitted sensitivity (its form: offsets from the laws' lr and batch at the
// cell), runs within the sensitivity's cap, one degree of freedom spent per cell (its level).
// NaN without a usable sweep.
double RunNoise(const RunTable& table, const FitSummary& fit) {
  const Sensitivity& s = fit.laws.sensitivity;
  if (!s.ok) return NAN;
  double sum = 0;
  int count = 0, cells = 0;
  for (const Cell& cell : fit.cells) {
    const double lr_law = fit.laws.lr.IsSet() ? fit.laws.lr.Eval(cell.params, cell.tokens) : NAN;
    const double batch_law =
        fit.laws.batch.IsSet() ? fit.laws.batch.Eval(cell.params, cell.tokens) : NAN;
    std::vector<double> r;
    for (int i : cell.run_indices) {
      const Run& run = table.runs[i];
      const double lr_ratio = std::isfinite(lr_law) && run.lr > 0 ? run.lr / lr_law : 1.0;
      const double batch_ratio =
          std::isfinite(batch_law) && run.batch_tokens > 0 ? run.batch_tokens / batch_law : 1.0;
      const double penalty = s.RelativePenalty(lr_ratio, batch_ratio);
      if (!std::isfinite(penalty) || penalty > fit.options.sensitivity_cap || !(run.loss > 0))
        continue;
      r.push_back(std::log(run.loss) - std::log1p(penalty));
    }
    if (r.size() < 3) continue;
    double mean = 0;
    for (double v : r) mean += v / r.size();
    for (double v : r) sum += (v - mean) * (v - mean);
    count += static_cast<int>(r.size()), ++cells;
  }
  const int dof = count - cells;
  return dof >= 4 ? std::sqrt(sum / dof) : NAN;
}

// The state of the greedy search, shared by its steps.
struct Search {
  const RunTable* table;
  const FitSummary* fit;
  const Design* design;
  const DesignOptions* o;
  FitOptions refit_options;
  const ProgressFn* progress;
  int planned = 0;
  bool cancelled = false;
  int* refits;
  LawSet baseline_laws;  // the laws (with bootstrap samples) of the refit without new runs

  // Draws [first, first + draws) of `cells` (one without cells: nothing is drawn).
  Simulated Simulate(const std::vector<DesignCandidate>& cells, int first = 0) {
    Simulated out;
    const int draws = cells.empty() ? 1 : o->simulation_draws;
    out.widths.assign(draws, NAN);
    double lo = 0, hi = 0, llo = 0, lhi = 0;
    int done = 0;
    for (int d = 0; d < draws && !cancelled; ++d) {
      const RunTable more = SimulatedTable(*table, *fit, *design, cells, first + d);
      BootstrapExecution execution;
      execution.threads = o->threads;
      const FitSummary refit = Fit(more, refit_options, {}, execution);
      ++*refits;
      if (*progress && !(*progress)(*refits, std::max(planned, *refits))) cancelled = true;
      if (cells.empty()) baseline_laws = refit.laws;
      Interval p, l;
      if (!refit.ok || !BootstrapIntervals(refit, o->compute, o->budget_flops, &p, &l)) continue;
      lo += std::log(p.lo), hi += std::log(p.hi), llo += std::log(l.lo), lhi += std::log(l.hi);
      out.widths[d] = std::log(p.hi / p.lo);
      ++done;
    }
    if (cancelled || 2 * done <= draws) return out;  // most draws must refit
    out.ok = true;
    out.params_ci = {std::exp(lo / done), std::exp(hi / done)};
    out.loss_ci = {std::exp(llo / done), std::exp(lhi / done)};
    out.width = (hi - lo) / done;
    return out;
  }
};

// The separation score of a cell the data cannot tell apart from the rest (not identified):
// distance off the sweep's tokens-per-parameter line, plus how far past the sweep's largest size
// (toward N_opt when known) and longest budget it reaches, all in ln units.
double Separation(double n, double t, const std::vector<const Cell*>& cells, double params_opt) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n_max = 0, t_max = 0;
  for (const Cell* c : cells) {
    const double x = std::log(c->params), y = std::log(c->tokens);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
    n_max = std::max(n_max, c->params), t_max = std::max(t_max, c->tokens);
  }
  const double m = static_cast<double>(cells.size());
  const double var = sxx / m - (sx / m) * (sx / m);
  double off = 0;
  if (m >= 2 && var > 1e-12) {
    const double slope = (sxy / m - (sx / m) * (sy / m)) / var;
    off = std::fabs(std::log(t) - (sy / m + slope * (std::log(n) - sx / m)));
  } else if (m >= 1) {
    off = std::fabs(std::log(n) - sx / m);  // one size: any other size leaves it
  }
  double larger = std::max(0.0, std::log(n / n_max));
  if (std::isfinite(params_opt) && params_opt > n_max) {
    larger = std::min(larger, std::log(params_opt / n_max));  // no credit past N_opt
  }
  return off + larger + std::max(0.0, std::log(t / t_max));
}

// The first `count` candidates of `all` in the order `order` ranks them.
std::vector<DesignCandidate> TopCandidates(const std::vector<DesignCandidate>& all,
                                           const std::vector<int>& order, int count) {
  std::vector<DesignCandidate> ranked;
  for (int i : order) {
    if (static_cast<int>(ranked.size()) == count) break;
    ranked.push_back(all[i]);
  }
  return ranked;
}

}  // namespace

bool DesignOptions::IsValid(std::string* error) const {
  // The fields that are settings go through their schema rows (their ranges live there); the
  // per-candidate limit's auto (NaN) is resolved before a design (DesignOptionsFor).
  AnalysisState state;
  state.plan.budget_flops = budget_flops;
  state.design_max_flops = max_flops;
  state.design_allowance_flops = allowance_flops;
  if (!CheckSetting(*FindSetting("budget"), state, DecodeLimits{}, Audience::kProgram, error) ||
      !CheckSettings("design.", state, Audience::kProgram, error)) {
    return false;
  }
  if (std::isnan(max_flops)) {
    *error =
        "design.max_flops must be a number of FLOPs (its auto, the sweep's cost, is set "
        "before a design)";
    return false;
  }
  if (max_candidates < 1) {
    *error = "max_candidates must be at least 1";
    return false;
  }
  if (simulation_draws < 0 || simulation_draws > 64) {
    *error = "simulation_draws must be 0 (linearised only) to 64 (got " +
             std::to_string(simulation_draws) + ")";
    return false;
  }
  if (confirm_draws < 1 || confirm_draws > 256) {
    *error = "confirm_draws must be 1 to 256 (got " + std::to_string(confirm_draws) + ")";
    return false;
  }
  if (simulation_bootstrap < 20 || simulation_bootstrap > 10000) {
    *error = "simulation_bootstrap must be 20 to 10000 resamples (got " +
             std::to_string(simulation_bootstrap) + ")";
    return false;
  }
  if (shortlist < 1 || shortlist > 20) {
    *error = "shortlist must be 1 to 20 (got " + std::to_string(shortlist) + ")";
    return false;
  }
  return compute.IsValid(error);
}

RunTable SimulatedTable(const RunTable& table, const FitSummary& fit, const Design& design,
                        const std::vector<DesignCandidate>& cells, int draw) {
  RunTable out = table;
  const LawSet& laws = fit.laws;
  // The law the draw's runs come from: one of the fit's bootstrap refits (the same for every cell
  // of the draw), so that the new runs may disagree with the point fit as much as the data allow
  // (data drawn from the point fit alone agree with it, and promise too much); the point fit
  // without samples.
  LossLaw loss_law = laws.loss;
  PowerLaw2 lr_law_draw = laws.lr, batch_law_draw = laws.batch;
  const uint64_t draw_key =
      SplitMix64(design.options.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(draw)).Next();
  if (!laws.loss_samples.empty()) {
    const size_t k = MapToIndex(draw_key, laws.loss_samples.size());
    loss_law = laws.loss_samples[k];
    if (k < laws.lr_samples.size() && laws.lr_samples[k].IsSet()) lr_law_draw = laws.lr_samples[k];
    if (k < laws.batch_samples.size() && laws.batch_samples[k].IsSet())
      batch_law_draw = laws.batch_samples[k];
  }
  const double run_noise = std::isfinite(design.run_noise) ? design.run_noise : 0.0;
  const double cell_noise = std::isfinite(design.cell_noise) ? design.cell_noise : 0.0;
  for (const DesignCandidate& c : cells) {
    // The same noise for this cell in this draw whatever else is in the set.
    SplitMix64 rng(SplitMix64(draw_key ^ Bits(c.params)).Next() ^ Bits(c.tokens));
    const double offset = cell_noise * Normal(&rng);
    const double loss = loss_law.Eval(c.params, c.tokens) * std::exp(offset);
    const double lr_law = lr_law_draw.IsSet() ? lr_law_draw.Eval(c.params, c.tokens) : NAN;
    const double batch_law = batch_law_draw.IsSet() ? batch_law_draw.Eval(c.params, c.tokens) : NAN;
    const std::vector<double> lrs = c.lr.empty() ? std::vector<double>{NAN} : c.lr;
    const std::vector<double> batches =
        c.batch_tokens.empty() ? std::vector<double>{NAN} : c.batch_tokens;
    for (double lr : lrs) {
      for (double b : batches) {
        Run run;
        run.params = c.params;
        run.tokens = c.tokens;
        run.flops = TrainingFlops(design.options.compute, c.params, c.tokens);
        run.lr = lr;
        run.batch_tokens = b;
        double penalty = 0;
        if (laws.sensitivity.ok) {
          penalty = laws.sensitivity.RelativePenalty(std::isfinite(lr) ? lr / lr_law : 1.0,
                                                     std::isfinite(b) ? b / batch_law : 1.0);
          if (!std::isfinite(penalty)) penalty = 0;
        }
        run.loss = loss * (1 + penalty) * std::exp(run_noise * Normal(&rng));
        run.data_row = static_cast<int>(out.runs.size()) + 1;
        run.line = run.data_row + 1;
        out.runs.push_back(run);
      }
    }
  }
  for (TextColumn& column : out.text_columns) column.values.resize(out.runs.size());
  return out;
}

Design DesignNextRuns(const RunTable& table, const FitSummary& fit, const DesignOptions& o,
                      const ProgressFn& progress) {
  Design design;
  design.options = o;
  design.budget_flops = o.budget_flops;
  std::string error;
  if (!o.IsValid(&error)) {
    design.termination = DesignTermination::kInvalidOptions;
    design.message = error;
    return design;
  }
  const double allowance = std::isnan(o.allowance_flops) ? o.max_flops : o.allowance_flops;
  const LossLaw& law = fit.loss.law;
  if (!fit.ok || !law.IsSet()) {
    design.termination = DesignTermination::kNoLossLaw;
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
    design.termination = DesignTermination::kTooFewCells;
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
  double log_n = NAN, log_loss = NAN;
  LogOptimum(law, o.compute, o.budget_flops, &log_n, &log_loss);
  if (!std::isfinite(log_n) || !std::isfinite(log_loss)) {
    design.termination = DesignTermination::kNoOptimum;
    design.message = "cannot rank candidates: the loss law has no compute-optimal size at " +
                     Num(o.budget_flops) + " FLOPs";
    return design;
  }
  design.params_opt = std::exp(log_n);
  design.loss_opt = std::exp(log_loss);

  // Identified? The fit's own verdict, then the linearised model's.
  Mat cov;
  design.identified = !HasCode(fit.warnings, "n_t_collinear") &&
                      !HasCode(fit.warnings, "plan_not_identified") && Covariance(info, &cov);
  Vec g_n = Vec::Zero(), g_loss = Vec::Zero();
  if (design.identified) {
    const Vec theta = ToTheta(law);
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
    design.identified = g_n.allFinite() && g_loss.allFinite();
  }
  if (design.identified) {
    design.linear_params_ci = LogInterval(log_n, g_n, s2 * cov);
    design.linear_loss_ci = LogInterval(log_loss, g_loss, s2 * cov);
    design.identified = LogWidth(design.linear_params_ci) > 0;
  }
  design.current_params_ci = design.linear_params_ci;
  design.current_loss_ci = design.linear_loss_ci;

  // The candidate grid.
  std::vector<double> ns, ts;
  for (const Cell* cell : cells) ns.push_back(cell->params), ts.push_back(cell->tokens);
  // Sizes and budgets that agree within the user's cell tolerance are one (as the fit's cells).
  const double same_tolerance = fit.options.cell_tolerance;
  ns = Distinct(ns, same_tolerance);
  ts = Distinct(ts, same_tolerance);
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
  std::vector<Vec> rows;  // each candidate's row of the Jacobian
  for (double n : grid_n) {
    for (double t : grid_t) {
      bool exists = false;
      for (const Cell* cell : cells) {
        exists |= std::fabs(cell->params / n - 1) < same_tolerance &&
                  std::fabs(cell->tokens / t - 1) < same_tolerance;
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
          const double rounded = std::max(1.0, std::round(b / tps)) * tps;
          if (c.batch_tokens.empty() || rounded > c.batch_tokens.back()) {
            c.batch_tokens.push_back(rounded);
          }
        }
      }
      c.runs = static_cast<int>(std::max<size_t>(1, c.lr.size()) *
                                std::max<size_t>(1, c.batch_tokens.size()));
      const double run_flops = TrainingFlops(o.compute, n, t);
      design.cheapest_run_flops = std::min(design.cheapest_run_flops, run_flops);
      c.flops = c.runs * run_flops;
      if (c.flops > o.max_flops) continue;
      const Vec g = LogLossGradient(law, n, t);
      if (design.identified) {
        Mat cov_new;
        if (!Covariance(info + g * g.transpose(), &cov_new)) continue;
        c.linear_params_ci = LogInterval(log_n, g_n, s2 * cov_new);
        c.linear_loss_ci = LogInterval(log_loss, g_loss, s2 * cov_new);
        c.expected_params_ci = c.linear_params_ci;
        c.expected_loss_ci = c.linear_loss_ci;
        const double current_width = LogWidth(design.linear_params_ci);
        c.narrowing = 1 - LogWidth(c.linear_params_ci) / current_width;
        c.value = (current_width - LogWidth(c.linear_params_ci)) / c.flops;
      } else {
        c.separation = Separation(n, t, cells, design.params_opt);
        c.value = c.separation;
      }
      all.push_back(c);
      rows.push_back(g);
    }
  }
  if (o.max_flops < design.cheapest_run_flops) {
    design.termination = DesignTermination::kMaxFlopsTooSmall;
    design.message = "max_flops = " + Num(o.max_flops) +
                     " FLOPs is smaller than one run of the cheapest candidate (" +
                     Num(design.cheapest_run_flops) + " FLOPs)";
    return design;
  }
  if (all.empty()) {
    design.termination = DesignTermination::kMaxFlopsTooSmall;
    design.message = "max_flops = " + Num(o.max_flops) +
                     " FLOPs does not cover the cell grid of any candidate cell (one run of the "
                     "cheapest costs " +
                     Num(design.cheapest_run_flops) + " FLOPs)";
    return design;
  }
  double cheapest = INFINITY;
  for (const DesignCandidate& c : all) cheapest = std::min(cheapest, c.flops);
  if (allowance < cheapest) {
    design.termination = DesignTermination::kAllowanceTooSmall;
    design.message = "the allowance = " + Num(allowance) +
                     " FLOPs does not cover the cheapest candidate cell (" + Num(cheapest) +
                     " FLOPs for its runs)";
    return design;
  }
  const auto by_value = [&all](int a, int b) { return all[a].value > all[b].value; };
  std::vector<int> order(all.size());
  for (size_t i = 0; i < all.size(); ++i) order[i] = static_cast<int>(i);

  if (!design.identified) {
    // Rank by separation; fill the allowance down that rank.
    design.method = "separation";
    std::stable_sort(order.begin(), order.end(), by_value);
    for (int i : order) {
      if (design.recommended.flops + all[i].flops > allowance) continue;
      design.recommended.cells.push_back(all[i]);
      design.recommended.flops += all[i].flops;
      design.recommended.runs += all[i].runs;
    }
    design.warnings.push_back(
        {"design_not_identified",
         "the runs cannot pin down N_opt yet (" +
             std::string(HasCode(fit.warnings, "n_t_collinear")
                             ? "model sizes and token budgets move together in the sweep"
                             : "the cells do not determine the loss law's five parameters") +
             "), so no interval width can be predicted: the cells are ranked by how well they "
             "separate what the data cannot (off the sweep's tokens-per-parameter line, larger "
             "sizes toward N_opt, longer budgets)",
         Severity::kWarning});
    design.message = design.warnings.back().message;
    design.candidates = TopCandidates(all, order, o.max_candidates);
    design.ok = true;
    design.termination = DesignTermination::kRanked;
    return design;
  }

  // The greedy set. `widths` of the linearised model given the picks so far.
  FitSummary sampled;
  Search search{&table, &fit, &design, &o, fit.options, &progress, 0, false, &design.refits, {}};
  search.refit_options.bootstrap_samples = o.simulation_bootstrap;
  search.refit_options.extrapolation_check = false;
  const bool simulate = o.simulation_draws > 0;
  design.method = simulate ? "simulated" : "linearised";
  design.simulation_draws = o.simulation_draws;
  if (simulate) {
    design.run_noise = RunNoise(table, fit);
    // The cell's optimum carries the run noise averaged over its runs; the rest of the residual
    // is the cell's own offset.
    double mean_runs = 0;
    for (const Cell* cell : cells) mean_runs += cell->runs;
    mean_runs = std::max(1.0, mean_runs / cells.size());
    const double rn2 = std::isfinite(design.run_noise) ? design.run_noise * design.run_noise : 0;
    design.cell_noise = std::sqrt(std::max(0.0, s2 - rn2 / mean_runs));
    search.planned = 1 + 2 * o.shortlist * o.simulation_draws;
    const Simulated now = search.Simulate({});
    if (search.cancelled) {
      design.termination = DesignTermination::kCancelled;
      design.message = "cancelled";
      return design;
    }
    if (!now.ok) {
      design.termination = DesignTermination::kSimulationFailed;
      design.message = "cannot simulate: the fit's bootstrap at " +
                       std::to_string(o.simulation_bootstrap) +
                       " resamples gives no N_opt interval at this budget";
      return design;
    }
    design.current_params_ci = now.params_ci;
    design.current_loss_ci = now.loss_ci;
    // A fit without bootstrap samples (the page's first pass, --bootstrap 0): the draws' laws
    // come from this refit's.
    if (fit.laws.loss_samples.empty()) {
      sampled = fit;
      sampled.laws.loss_samples = search.baseline_laws.loss_samples;
      sampled.laws.lr_samples = search.baseline_laws.lr_samples;
      sampled.laws.batch_samples = search.baseline_laws.batch_samples;
      search.fit = &sampled;
    }
  }
  const double width0 = LogWidth(design.current_params_ci);
  std::vector<bool> simulated_alone(all.size(), false);
  std::vector<Simulated> alone_sims(all.size());

  // Greedy from `start` (picks already made); returns the picks and their final prediction.
  const auto greedy = [&](std::vector<int> picks, Simulated state) {
    Mat info_s = info;
    double spent = 0;
    for (int p : picks) info_s += rows[p] * rows[p].transpose(), spent += all[p].flops;
    std::vector<DesignCandidate> picked;
    for (int p : picks) picked.push_back(all[p]);
    while (!search.cancelled) {
      // Each step draws afresh, and the picks so far are re-simulated on the step's draws: the
      // draws they were chosen on flatter them, so narrowing measured against those would be
      // understated.
      const int first = static_cast<int>(picks.size()) * o.simulation_draws;
      if (simulate && !picks.empty() && first > 0) {
        search.planned += o.simulation_draws;
        state = search.Simulate(picked, first);
        if (!state.ok) break;
      }
      // Screen the affordable ones, linearised, given the picks.
      Mat cov_s;
      if (!Covariance(info_s, &cov_s)) break;
      const double lin_now = LogWidth(LogInterval(log_n, g_n, s2 * cov_s));
      std::vector<int> affordable;
      std::vector<double> gain(all.size(), 0), per_flop(all.size(), 0);
      for (size_t i = 0; i < all.size(); ++i) {
        if (std::find(picks.begin(), picks.end(), static_cast<int>(i)) != picks.end()) continue;
        if (spent + all[i].flops > allowance) continue;
        Mat cov_new;
        if (!Covariance(info_s + rows[i] * rows[i].transpose(), &cov_new)) continue;
        gain[i] = lin_now - LogWidth(LogInterval(log_n, g_n, s2 * cov_new));
        per_flop[i] = gain[i] / all[i].flops;
        affordable.push_back(static_cast<int>(i));
      }
      if (affordable.empty()) break;
      std::vector<int> shortlist;
      for (const std::vector<double>* key : {&per_flop, &gain}) {
        std::vector<int> by = affordable;
        std::stable_sort(by.begin(), by.end(),
                         [key](int a, int b) { return (*key)[a] > (*key)[b]; });
        for (int k = 0; k < std::min<int>(o.shortlist, by.size()); ++k) {
          if (std::find(shortlist.begin(), shortlist.end(), by[k]) == shortlist.end())
            shortlist.push_back(by[k]);
        }
      }
      // And the best of each model size (the screen undervalues whole rows of the grid: larger
      // sizes toward N_opt among them).
      std::vector<int> best_of_size;
      for (int i : affordable) {
        bool placed = false;
        for (int& j : best_of_size) {
          if (std::fabs(all[j].params / all[i].params - 1) < fit.options.cell_tolerance) {
            if (gain[i] > gain[j]) j = i;
            placed = true;
          }
        }
        if (!placed) best_of_size.push_back(i);
      }
      for (int i : best_of_size) {
        if (std::find(shortlist.begin(), shortlist.end(), i) == shortlist.end())
          shortlist.push_back(i);
      }
      int best = -1, fill = -1;
      double best_value = 0, fill_gain = 0;
      Simulated best_state, fill_state;
      for (int i : shortlist) {
        Simulated next;
        if (simulate) {
          std::vector<DesignCandidate> with = picked;
          with.push_back(all[i]);
          search.planned += picks.empty() ? 0 : o.simulation_draws;
          next = search.Simulate(with, first);
          if (search.cancelled) break;
          if (!next.ok) continue;
          if (picks.empty()) {  // the candidate's own simulated prediction
            all[i].simulated = true;
            all[i].expected_params_ci = next.params_ci;
            all[i].expected_loss_ci = next.loss_ci;
            all[i].narrowing = 1 - next.width / width0;
            all[i].value = AgreedGain(state, next) / all[i].flops;
            simulated_alone[i] = true;
            alone_sims[i] = next;
          }
        } else {
          Mat cov_new;
          Covariance(info_s + rows[i] * rows[i].transpose(), &cov_new);
          next.ok = true;
          next.params_ci = LogInterval(log_n, g_n, s2 * cov_new);
          next.loss_ci = LogInterval(log_loss, g_loss, s2 * cov_new);
          next.width = LogWidth(next.params_ci);
        }
        const double agreed = simulate ? AgreedGain(state, next) : state.width - next.width;
        const double value = agreed / all[i].flops;
        if (value > best_value) best = i, best_value = value, best_state = next;
        if (next.ok && state.width - next.width > fill_gain) {
          fill = i, fill_gain = state.width - next.width, fill_state = next;
        }
      }
      // A pick must narrow by more than the simulation's resolution: a tenth of a percent. When
      // no pick's narrowing is agreed on by the draws, the allowance left goes to the one that
      // narrows most on average (by at least 1%).
      if (best < 0 || state.width - best_state.width < 1e-3 * width0) {
        if (fill < 0 || fill_gain < 0.01 * width0) break;
        best = fill, best_state = fill_state, best_value = fill_gain / all[fill].flops;
      }
      DesignCandidate pick = all[best];
      pick.expected_params_ci = best_state.params_ci;
      pick.expected_loss_ci = best_state.loss_ci;
      pick.narrowing = 1 - best_state.width / width0;
      pick.value = best_value;
      pick.simulated = simulate;
      picks.push_back(best);
      picked.push_back(pick);
      info_s += rows[best] * rows[best].transpose();
      spent += all[best].flops;
      state = best_state;
    }
    return std::make_pair(picked, state);
  };
  Simulated start;
  start.ok = true;
  start.params_ci = design.current_params_ci;
  start.loss_ci = design.current_loss_ci;
  start.width = width0;
  start.widths = {width0};
  auto [picked, final_state] = greedy({}, start);
  // The safeguard: the single candidate that narrows most, filled up greedily, when it beats the
  // per-FLOP set.
  if (!search.cancelled) {
    int best_alone = -1;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!simulated_alone[i] || all[i].flops > allowance) continue;
      if (best_alone < 0 || all[i].narrowing > all[best_alone].narrowing)
        best_alone = static_cast<int>(i);
    }
    const bool same = !picked.empty() && best_alone >= 0 &&
                      picked.front().params == all[best_alone].params &&
                      picked.front().tokens == all[best_alone].tokens;
    if (best_alone >= 0 && !same && all[best_alone].narrowing > 0) {
      auto [other, other_state] = greedy({best_alone}, alone_sims[best_alone]);
      if (!search.cancelled && other_state.width < final_state.width) {
        other.front().narrowing = all[best_alone].narrowing;
        other.front().value = all[best_alone].value;
        other.front().simulated = simulate;
        picked = std::move(other);
        final_state = other_state;
      }
    }
  }
  if (search.cancelled) {
    design.termination = DesignTermination::kCancelled;
    design.message = "cancelled";
    return design;
  }
  // The set's prediction from fresh draws: the draws it was chosen on flatter it (the choice
  // favours whatever their noise happened to favour).
  if (simulate && !picked.empty()) {
    search.planned += o.simulation_draws;
    search.planned += o.confirm_draws;
    Simulated fresh;
    {
      DesignOptions confirm = o;
      confirm.simulation_draws = o.confirm_draws;
      Search again = search;
      again.o = &confirm;
      fresh = again.Simulate(picked, 1 << 20);
      search.cancelled = again.cancelled;
    }
    if (search.cancelled) {
      design.termination = DesignTermination::kCancelled;
      design.message = "cancelled";
      return design;
    }
    if (fresh.ok) final_state = fresh;
  }
  DesignSet& set = design.recommended;
  set.cells = std::move(picked);
  for (const DesignCandidate& c : set.cells) set.flops += c.flops, set.runs += c.runs;
  set.simulated = simulate;
  set.expected_params_ci = final_state.params_ci;
  set.expected_loss_ci = final_state.loss_ci;
  set.narrowing = 1 - final_state.width / width0;
  if (set.cells.empty()) {
    design.warnings.push_back(
        {"design_nothing_narrows",
         "no candidate within the allowance narrows the N_opt interval at this budget (raise the "
         "allowance or the per-candidate limit)",
         Severity::kInfo});
  }
  if (!simulate) {
    design.warnings.push_back(
        {"design_linearised",
         "predictions are linearised, not simulated: they can be off by a third (set the "
         "simulation draws above 0)",
         Severity::kInfo});
  }

  // Candidates: simulated ones first (their own simulated value), then the rest (linearised).
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (all[a].simulated != all[b].simulated) return all[a].simulated;
    return all[a].value > all[b].value;
  });
  design.candidates = TopCandidates(all, order, o.max_candidates);
  design.ok = true;
  design.termination = DesignTermination::kRanked;
  return design;
}

}  // namespace scalecalc

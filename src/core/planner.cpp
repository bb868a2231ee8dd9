#include "core/planner.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/dit_flops.h"
#include "core/settings_schema.h"

namespace scalecalc {

namespace {

// x rounded to the nearest integer when within a relative 1e-9 of it (a cube root or a quotient
// that should be whole but is off by rounding), else x.
double SnapToInteger(double x) {
  const double r = std::round(x);
  return std::fabs(x - r) <= 1e-9 * std::fabs(x) ? r : x;
}

// A relative size distance with rounding noise removed (two shapes of the same N tie).
double SnapDistance(double log_ratio) {
  return log_ratio <= 1e-12 ? 0 : log_ratio;
}

}  // namespace

namespace {

constexpr int kScanPoints = 241;  // log-spaced scan that brackets the minimum

std::string Num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.6g", v);
  return buffer;
}

bool UsableLossLaw(const LossLaw& law, std::string* error) {
  if (!law.IsSet()) {
    *error = "the law set has no loss law";
    return false;
  }
  const bool ok = std::isfinite(law.E) && std::isfinite(law.A) && law.A > 0 &&
                  std::isfinite(law.B) && law.B > 0 && std::isfinite(law.alpha) && law.alpha > 0 &&
                  std::isfinite(law.beta) && law.beta > 0;
  if (!ok) {
    *error = "the loss law is not usable (needs finite E and positive A, alpha, B, beta; got E=" +
             Num(law.E) + " A=" + Num(law.A) + " alpha=" + Num(law.alpha) + " B=" + Num(law.B) +
             " beta=" + Num(law.beta) + ")";
  }
  return ok;
}

// L - E: the part of the loss that varies. Differences near the optimum are taken on it so that E
// (~0.5, against variations of ~1e-5) does not cost digits.
double Excess(const LossLaw& law, double params, double tokens) {
  return law.A * std::pow(params, -law.alpha) + law.B * std::pow(tokens, -law.beta);
}

double LogCost(const ComputeModel& compute, double log_params) {
  return std::log(FlopsPerToken(compute, std::exp(log_params)));
}

// d ln c / d ln N: 1 for 6N; a central difference for other counts (smooth; h^2 ~ 1e-8 error).
double CostElasticity(const ComputeModel& compute, double log_params) {
  if (compute.kind == ComputeKind::kSixN) return 1.0;
  const double h = 1e-4;
  return (LogCost(compute, log_params + h) - LogCost(compute, log_params - h)) / (2 * h);
}

double TokensOnLine(const ComputeModel& compute, double budget_flops, double log_params) {
  return budget_flops / FlopsPerToken(compute, std::exp(log_params));
}

// Iso-compute excess loss and its slope in ln N (T = C / c(N), so d ln T / d ln N = -c'N/c).
double LineExcess(const LossLaw& law, const ComputeModel& compute, double c, double u) {
  return Excess(law, std::exp(u), TokensOnLine(compute, c, u));
}
double LineSlope(const LossLaw& law, const ComputeModel& compute, double c, double u) {
  const double n = std::exp(u), t = TokensOnLine(compute, c, u);
  return -law.alpha * law.A * std::pow(n, -law.alpha) +
         law.beta * law.B * std::pow(t, -law.beta) * CostElasticity(compute, u);
}

// Solves ln c(e^u) = target for u in [lo, hi] (ln c is increasing in u).
double SolveLogCost(const ComputeModel& compute, double target, double lo, double hi) {
  for (int i = 0; i < 200 && hi - lo > 1e-15 * std::max(1.0, std::fabs(lo)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (LogCost(compute, mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

template <typename F>
double GoldenSection(const F& f, double a, double b) {
  const double r = 0.5 * (std::sqrt(5.0) - 1.0);
  double x1 = b - r * (b - a), x2 = a + r * (b - a);
  double f1 = f(x1), f2 = f(x2);
  for (int i = 0; i < 200 && b - a > 1e-13 * std::max(1.0, std::fabs(a)); ++i) {
    if (f1 <= f2) {
      b = x2, x2 = x1, f2 = f1;
      x1 = b - r * (b - a), f1 = f(x1);
    } else {
      a = x1, x1 = x2, f1 = f2;
      x2 = a + r * (b - a), f2 = f(x2);
    }
  }
  return 0.5 * (a + b);
}

// Which end of the search range the optimum sits on.
enum class Edge { kNone, kLow, kHigh };

// Minimises the iso-compute excess loss over u = ln N in [lo, hi]: a log-spaced scan finds the
// lowest point (robust to several dips or a flat valley), then bisection on the slope inside its
// bracket. Golden section on the loss is the fallback when the slope does not change sign there.
double MinimiseOnLine(const LossLaw& law, const ComputeModel& compute, double c, double lo,
                      double hi, Edge* edge) {
  *edge = Edge::kNone;
  if (!(hi > lo)) {
    *edge = Edge::kLow;
    return lo;
  }
  const double step = (hi - lo) / (kScanPoints - 1);
  int best = 0;
  double best_value = INFINITY;
  for (int i = 0; i < kScanPoints; ++i) {
    const double value = LineExcess(law, compute, c, lo + step * i);
    if (value < best_value) best_value = value, best = i;
  }
  if (best == 0 && LineSlope(law, compute, c, lo) >= 0) {
    *edge = Edge::kLow;
    return lo;
  }
  if (best == kScanPoints - 1 && LineSlope(law, compute, c, hi) <= 0) {
    *edge = Edge::kHigh;
    return hi;
  }
  double a = std::max(lo, lo + step * (best - 1)), b = std::min(hi, lo + step * (best + 1));
  if (LineSlope(law, compute, c, a) < 0 && LineSlope(law, compute, c, b) > 0) {
    for (int i = 0; i < 200 && b - a > 1e-15 * std::max(1.0, std::fabs(a)); ++i) {
      const double mid = 0.5 * (a + b);
      (LineSlope(law, compute, c, mid) < 0 ? a : b) = mid;
    }
    return 0.5 * (a + b);
  }
  return GoldenSection([&](double u) { return LineExcess(law, compute, c, u); }, a, b);
}

// The search range in u = ln N for a budget: N >= 1, T >= 1, and the caps.
struct Range {
  double lo = 0, hi = 0;
  bool lo_is_cap = false, hi_is_cap = false;
};

bool SearchRange(const PlanOptions& o, Range* range, std::string* error) {
  const double c = o.budget_flops;
  const double log_c = std::log(c);
  if (LogCost(o.compute, 0.0) >= log_c) {
    *error = "budget of " + Num(c) + " FLOPs is too small to train even one token";
    return false;
  }
  // T >= 1 <=> c(N) <= C. ln c(N) >= ln N, so N <= C brackets the root.
  range->lo = 0;
  range->hi = SolveLogCost(o.compute, log_c, 0.0, log_c);
  if (std::isfinite(o.max_params) && std::log(o.max_params) < range->hi) {
    range->hi = std::log(o.max_params);
    range->hi_is_cap = true;
  }
  // T <= max_tokens <=> c(N) >= C / max_tokens.
  if (std::isfinite(o.max_tokens)) {
    const double target = log_c - std::log(o.max_tokens);
    if (target > LogCost(o.compute, 0.0)) {
      range->lo = SolveLogCost(o.compute, target, 0.0, log_c);
      range->lo_is_cap = true;
    }
  }
  if (range->lo > range->hi) {
    *error = "the caps cannot both hold: at " + Num(c) +
             " FLOPs, max_tokens = " + Num(o.max_tokens) +
             " needs N >= " + Num(std::exp(range->lo)) + " but max_params = " + Num(o.max_params);
    return false;
  }
  return true;
}

void FillPoint(const LawSet& laws, const PlanOptions& o, double params, double tokens,
               PlanPoint* p) {
  p->params = params;
  p->tokens = tokens;
  p->loss = laws.loss.IsSet() ? laws.loss.Eval(params, tokens) : NAN;
  p->lr = laws.lr.IsSet() ? laws.lr.Eval(params, tokens) : NAN;
  p->batch_tokens = laws.batch.IsSet() ? laws.batch.Eval(params, tokens) : NAN;
  p->batch_samples = p->batch_tokens / o.compute.tokens_per_sample;
  p->steps = tokens / p->batch_tokens;
  p->training_flops = TrainingFlops(o.compute, params, tokens);
  p->shape = ShapeForParams(o.compute, params);
  // A shape a rounding error from whole numbers reads as them (28, not 27.999999999999996).
  p->shape.width = SnapToInteger(p->shape.width);
  p->shape.depth = SnapToInteger(p->shape.depth);
}

// Smallest u in [lo, u_opt] whose excess loss is within `allowed` of the optimum's.
double SmallestWithin(const LossLaw& law, const ComputeModel& compute, double c, double lo,
                      double u_opt, double allowed) {
  const double base = LineExcess(law, compute, c, u_opt);
  const auto over = [&](double u) { return LineExcess(law, compute, c, u) - base > allowed; };
  if (!over(lo)) return lo;
  double a = lo, b = u_opt;  // over(a), !over(b)
  for (int i = 0; i < 200 && b - a > 1e-14 * std::max(1.0, std::fabs(a)); ++i) {
    const double mid = 0.5 * (a + b);
    (over(mid) ? a : b) = mid;
  }
  return b;
}

// Total-cost optimum at fixed loss (see planner.h). Returns false when there is nothing to search.
bool MinimiseTotalCost(const LawSet& laws, const PlanOptions& o, double u_opt, double excess,
                       double* params, double* tokens) {
  const LossLaw& law = laws.loss;
  const double videos = o.demand.videos;
  // L(N, T) = L_opt  <=>  B T^-beta = excess - A N^-alpha, which needs N > N_min.
  const auto tokens_for = [&](double u) {
    const double rest = excess - law.A * std::exp(-law.alpha * u);
    return rest > 0 ? std::pow(law.B / rest, 1.0 / law.beta) : INFINITY;
  };
  const auto log_total = [&](double u) {
    const double n = std::exp(u);
    const double total = TrainingFlops(o.compute, n, tokens_for(u)) +
                         videos * InferenceFlopsPerVideo(o.compute, n, o.demand);
    return std::isfinite(total) ? std::log(total) : INFINITY;
  };
  double lo = std::log(law.A / excess) / law.alpha;  // N_min: T infinite
  bool lo_finite = false;
  if (std::isfinite(o.max_tokens)) {
    const double rest = excess - law.B * std::pow(o.max_tokens, -law.beta);
    if (rest > 0) lo = std::log(law.A / rest) / law.alpha, lo_finite = true;
  }
  lo = std::max(lo, 0.0);
  if (!(u_opt > lo)) {
    *params = std::exp(u_opt);
    *tokens = tokens_for(u_opt);
    return std::isfinite(*tokens);
  }
  // Training cost is least at u_opt and inference grows with N, so the optimum is in [lo, u_opt].
  const double step = (u_opt - lo) / (kScanPoints - 1);
  int best = kScanPoints - 1;
  double best_value = log_total(u_opt);
  for (int i = lo_finite ? 0 : 1; i < kScanPoints - 1; ++i) {
    const double value = log_total(lo + step * i);
    if (value < best_value) best_value = value, best = i;
  }
  const double a = lo + step * std::max(best - 1, 0), b = std::min(u_opt, lo + step * (best + 1));
  double u = GoldenSection(log_total, std::max(a, lo + 1e-12), b);
  if (!(log_total(u) <= best_value)) u = lo + step * best;
  *params = std::exp(u);
  *tokens = tokens_for(u);
  return std::isfinite(*tokens);
}

// Optimal u for one loss law over a range; NaN when the law is unusable.
double OptimalLogParams(const LossLaw& law, const PlanOptions& o, const Range& range) {
  std::string ignored;
  if (!UsableLossLaw(law, &ignored)) return NAN;
  Edge edge;
  return MinimiseOnLine(law, o.compute, o.budget_flops, range.lo, range.hi, &edge);
}

Plan MakePlanUnchecked(const LawSet& laws, const PlanOptions& o);

}  // namespace

bool ServingDemand::IsValid(std::string* error) const {
  AnalysisState state;  // the schema's rows address a whole state
  state.plan.demand = *this;
  return CheckSettings("plan.demand.", state, Audience::kProgram, error);
}

bool PlanOptions::IsValid(std::string* error) const {
  AnalysisState state;
  state.plan = *this;
  state.compute = compute;
  if (!CheckSettings("plan.", state, Audience::kProgram, error) ||
      !CheckSettings("compute.", state, Audience::kProgram, error)) {
    return false;
  }
  return CheckShapeRules(Audience::kProgram, error);
}

bool PlanOptions::CheckShapeRules(Audience audience, std::string* error) const {
  // The rows' own ranges are checked by the schema; these rules tie fields together.
  const auto name = [&](const char* key) { return SettingName(*FindSetting(key), audience); };
  if (compute.kind == ComputeKind::kDit && compute.block_params != 16) {
    *error = name("block_params") +
             " must be 16 with the DiT count (it is derived for 16 d^2 per block); 12 applies "
             "to 6N only";
    return false;
  }
  if (!std::isnan(forced_batch_tokens) && forced_batch_tokens < compute.tokens_per_sample) {
    *error = name("batch_tokens") + " must be at least one sample (" +
             Num(compute.tokens_per_sample) + " tokens; got " + Num(forced_batch_tokens) + ")";
    return false;
  }
  if (!std::isnan(forced_width)) {
    const double step = WidthStep();
    if (!(forced_width >= step && std::fmod(forced_width, step) == 0)) {
      *error = name("width") + " must be a whole number of heads of " + name("head_dim") + " " +
               Num(head_dim) +
               (width_multiple > 0
                    ? " and a multiple of " + name("width_multiple") + " " + Num(width_multiple)
                    : std::string()) +
               " (a multiple of " + Num(step) + "; got " + Num(forced_width) + ")";
      return false;
    }
  }
  if (!std::isnan(fixed_params) && !std::isnan(forced_width) && !std::isnan(forced_depth)) {
    *error = name("fixed_params") + " and a forced shape (" + name("width") + " and " +
             name("depth") + ") both fix the model size: give one";
    return false;
  }
  return true;
}

double PlanOptions::WidthStep() const {
  const double m = width_multiple > 0 ? width_multiple : head_dim;
  double a = head_dim, b = m;  // lcm by Euclid on whole numbers held as doubles
  while (b > 0) {
    const double r = std::fmod(a, b);
    a = b, b = r;
  }
  return head_dim / a * m;
}

DitConfig ServingConfig(const DitShape& shape, const ServingDemand& demand) {
  DitConfig config;
  config.depth = shape.depth;
  config.width = shape.width;
  config.tokens = demand.tokens_per_video;
  config.cross_attention = demand.cross_attention;
  config.text_tokens = demand.text_tokens;
  return config;
}

double InferenceFlopsPerVideo(const ComputeModel& compute, double params,
                              const ServingDemand& demand) {
  return DitVideoFlops(ServingConfig(ShapeForParams(compute, params), demand),
                       demand.sampling_steps, demand.guidance);
}

double IsoComputeLoss(const LossLaw& law, const ComputeModel& compute, double budget_flops,
                      double params) {
  if (!law.IsSet() || !(params > 0 && std::isfinite(params)) ||
      !(budget_flops > 0 && std::isfinite(budget_flops))) {
    return NAN;
  }
  const double tokens = budget_flops / FlopsPerToken(compute, params);
  return tokens >= 1 ? law.Eval(params, tokens) : NAN;
}

double OptimalParams(const LossLaw& law, const ComputeModel& compute, double budget_flops) {
  PlanOptions o;
  o.budget_flops = budget_flops;
  o.compute = compute;
  std::string error;
  Range range;
  if (!o.IsValid(&error) || !SearchRange(o, &range, &error)) return NAN;
  return std::exp(OptimalLogParams(law, o, range));
}

Plan MakePlan(const LawSet& laws, const PlanOptions& o) {
  Plan plan = MakePlanUnchecked(laws, o);
  std::string error;
  if (plan.ok) {
    plan.termination = PlanTermination::kSuccess;
  } else if (!o.IsValid(&error)) {
    plan.termination = PlanTermination::kInvalidOptions;
  } else if (!UsableLossLaw(laws.loss, &error) && std::isnan(o.fixed_params)) {
    plan.termination = PlanTermination::kNoLossLaw;
  } else {
    plan.termination = PlanTermination::kRefused;
  }
  AssessPlan(laws, o, &plan);
  return plan;
}

namespace {

// The continuous plan: the optimum over real N (or at a fixed N), intervals and trade-offs.
Plan MakeContinuousPlan(const LawSet& laws, const PlanOptions& o) {
  Plan plan;
  std::string error;
  if (!o.IsValid(&error)) {
    plan.message = error;
    return plan;
  }
  plan.budget_flops = o.budget_flops;
  const double c = o.budget_flops;
  const bool fixed = !std::isnan(o.fixed_params);
  const bool has_loss = UsableLossLaw(laws.loss, &error);
  if (!has_loss && !fixed && laws.params_opt.IsSet()) {
    // A source that publishes its N_opt(C) but no loss law: plan at that N.
    PlanOptions at = o;
    at.fixed_params = std::max(1.0, laws.params_opt.Eval(c));
    Plan out = MakeContinuousPlan(laws, at);
    const std::string note = "planned at the published N_opt = " + Num(laws.params_opt.coef) +
                             " C^" + Num(laws.params_opt.exponent) +
                             " directly (no loss law: no predicted loss)";
    out.message = out.ok ? note : out.message;
    return out;
  }
  if (!has_loss && !fixed) {
    plan.message =
        error +
        ": give a model size (fixed_params; --params on the command line) to plan from the "
        "other laws";
    return plan;
  }
  Range range;
  if (!SearchRange(o, &range, &error)) {
    plan.message = error;
    return plan;
  }
  std::vector<std::string> notes;

  double u_opt;
  if (fixed) {
    u_opt = std::log(o.fixed_params);
    if (u_opt > range.hi || u_opt < range.lo) {
      plan.message = "N = " + Num(o.fixed_params) + " is outside what the budget and caps allow (" +
                     Num(std::exp(range.lo)) + " to " + Num(std::exp(range.hi)) + ")";
      return plan;
    }
    notes.push_back("model size fixed at N = " + Num(o.fixed_params) + " (not optimised)");
  } else {
    Edge edge;
    u_opt = MinimiseOnLine(laws.loss, o.compute, c, range.lo, range.hi, &edge);
    if (edge == Edge::kLow && range.lo_is_cap) {
      plan.constrained = true;
      notes.push_back("max_tokens cap is active: the unconstrained optimum trains longer");
    } else if (edge == Edge::kHigh && range.hi_is_cap) {
      plan.constrained = true;
      notes.push_back("max_params cap is active: the unconstrained optimum is larger");
    } else if (edge != Edge::kNone) {
      notes.push_back(
          "the optimum is at the edge of the search range (N >= 1, T >= 1): the law "
          "has no interior optimum at this budget");
    }
  }
  // Exact inputs stay exact (exp(log(x)) is off by an ulp or two).
  const double n_opt = fixed ? o.fixed_params
                       : (plan.constrained && range.hi_is_cap && u_opt == range.hi)
                           ? o.max_params
                           : std::exp(u_opt);
  FillPoint(laws, o, n_opt, c / FlopsPerToken(o.compute, n_opt), &plan.optimum);
  plan.inference_flops_per_video = InferenceFlopsPerVideo(o.compute, n_opt, o.demand);

  // Intervals: replan each bootstrap sample. Hyperparameter samples are paired with loss samples
  // by index when both come from the same bootstrap (same count), else taken at the point plan.
  const size_t loss_n = fixed ? 0 : laws.loss_samples.size();
  const size_t count = std::max({loss_n, laws.lr_samples.size(), laws.batch_samples.size()});
  std::vector<double> ns, ts, losses, lrs, batches;
  for (size_t k = 0; k < count; ++k) {
    double n = n_opt, t = plan.optimum.tokens;
    if (k < loss_n) {
      const double u = OptimalLogParams(laws.loss_samples[k], o, range);
      if (!std::isfinite(u)) continue;
      n = std::exp(u);
      t = TokensOnLine(o.compute, c, u);
      ns.push_back(n);
      ts.push_back(t);
      losses.push_back(laws.loss_samples[k].Eval(n, t));
    } else if (fixed && k < laws.loss_samples.size()) {
      losses.push_back(laws.loss_samples[k].Eval(n, t));
    }
    // Samples of a law the set does not plan with (a law in one variable) give no interval.
    const bool paired = laws.lr_samples.size() == loss_n;
    if (laws.lr.IsSet() && k < laws.lr_samples.size()) {
      lrs.push_back(paired ? laws.lr_samples[k].Eval(n, t)
                           : laws.lr_samples[k].Eval(n_opt, plan.optimum.tokens));
    }
    const bool batch_paired = laws.batch_samples.size() == loss_n;
    if (laws.batch.IsSet() && k < laws.batch_samples.size()) {
      batches.push_back(batch_paired ? laws.batch_samples[k].Eval(n, t)
                                     : laws.batch_samples[k].Eval(n_opt, plan.optimum.tokens));
    }
  }
  plan.samples_used = static_cast<int>(std::max({ns.size(), losses.size(), lrs.size()}));
  plan.params_ci = Percentile95(ns);
  plan.tokens_ci = Percentile95(ts);
  plan.loss_ci = Percentile95(losses);
  plan.lr_ci = Percentile95(lrs);
  plan.batch_ci = Percentile95(batches);

  if (has_loss && !fixed) {
    const double allowed = o.loss_tolerance * plan.optimum.loss;
    const double u_small = SmallestWithin(laws.loss, o.compute, c, range.lo, u_opt, allowed);
    FillPoint(laws, o, std::exp(u_small), TokensOnLine(o.compute, c, u_small), &plan.smallest);
    plan.inference_saving = 1.0 - plan.smallest.params / n_opt;
    plan.inference_saving_fraction =
        1.0 - InferenceFlopsPerVideo(o.compute, plan.smallest.params, o.demand) /
                  plan.inference_flops_per_video;
  }

  if (has_loss && o.demand.videos > 0) {
    const double excess = Excess(laws.loss, n_opt, plan.optimum.tokens);
    double n = NAN, t = NAN;
    if (MinimiseTotalCost(laws, o, u_opt, excess, &n, &t)) {
      FillPoint(laws, o, n, t, &plan.total_cost);
      plan.total_cost_flops = plan.total_cost.training_flops +
                              o.demand.videos * InferenceFlopsPerVideo(o.compute, n, o.demand);
      plan.optimum_total_flops =
          plan.optimum.training_flops + o.demand.videos * plan.inference_flops_per_video;
      plan.total_cost_saving = 1.0 - plan.total_cost_flops / plan.optimum_total_flops;
    } else {
      notes.push_back("no total-cost optimum: the loss target cannot be reached under the caps");
    }
  }

  for (const std::string& note : notes) {
    plan.message += (plan.message.empty() ? "" : "; ") + note;
  }
  plan.ok = true;
  return plan;
}

}  // namespace

// --- Forced hyperparameters and practical shapes (after the continuous plan) --------------------

namespace {

// Relative loss penalty of (lr, batch) at (N, T) against the laws; 0 when both are on their laws
// or nothing is off; NaN when something is off and the sensitivity fit (or the law it is measured
// against) is missing. A dimension the sensitivity fit did not sweep has curvature exactly 0.
double Penalty(const LawSet& laws, double params, double tokens, double lr, double batch_tokens) {
  const Sensitivity& s = laws.sensitivity;
  double lr_ratio = 1, batch_ratio = 1;
  bool unknown = false;
  if (std::isfinite(lr)) {
    if (laws.lr.IsSet() && s.ok && s.curv_lr != 0) {
      lr_ratio = lr / laws.lr.Eval(params, tokens);
    } else {
      unknown = true;
    }
  }
  if (std::isfinite(batch_tokens)) {
    if (laws.batch.IsSet() && s.ok && s.curv_batch != 0) {
      batch_ratio = batch_tokens / laws.batch.Eval(params, tokens);
    } else {
      unknown = true;
    }
  }
  if (unknown) return NAN;
  if (lr_ratio == 1 && batch_ratio == 1) return 0;
  return s.RelativePenalty(lr_ratio, batch_ratio);
}

// One practical shape on the iso-compute line (see planner.h).
PlanPoint EvaluateShape(const LawSet& laws, const PlanOptions& o, double width, double depth) {
  PlanPoint p;
  const ComputeModel& m = o.compute;
  p.params = ParamsOfShape(m, width, depth);
  const double per_token = FlopsPerTokenOfShape(m, width, depth);
  double tokens = o.budget_flops / per_token;
  if (std::isfinite(o.max_tokens)) tokens = std::min(tokens, o.max_tokens);
  const double law_batch = laws.batch.IsSet() ? laws.batch.Eval(p.params, tokens) : NAN;
  const double target = std::isnan(o.forced_batch_tokens) ? law_batch : o.forced_batch_tokens;
  if (std::isfinite(target)) {
    const double samples =
        std::max(1.0, std::round(target / m.tokens_per_sample / o.batch_divisor)) * o.batch_divisor;
    p.batch_samples = samples;
    p.batch_tokens = samples * m.tokens_per_sample;
    // Whole steps; the relative slack keeps an exact quotient from gaining a step.
    p.steps = std::max(1.0, std::ceil(tokens / p.batch_tokens * (1 - 1e-12)));
    tokens = p.steps * p.batch_tokens;
  }
  p.tokens = tokens;
  const double law_lr = laws.lr.IsSet() ? laws.lr.Eval(p.params, tokens) : NAN;
  p.lr = std::isnan(o.forced_lr) ? law_lr : o.forced_lr;
  p.training_flops = per_token * tokens;
  p.shape.width = width;
  p.shape.depth = depth;
  p.shape.head_dim = o.head_dim;
  p.shape.heads = width / o.head_dim;
  // The penalty is measured against the laws at the final (N, T); a forced value counts as off,
  // a rounded batch too (it is off by the rounding).
  const bool lr_off = !std::isnan(o.forced_lr);
  const bool batch_off =
      std::isfinite(p.batch_tokens) && std::isfinite(law_batch) && p.batch_tokens != law_batch;
  p.hyperparameter_penalty =
      Penalty(laws, p.params, tokens, lr_off ? p.lr : NAN,
              batch_off || !std::isnan(o.forced_batch_tokens) ? p.batch_tokens : NAN);
  if (laws.loss.IsSet()) {
    const double base = laws.loss.Eval(p.params, tokens);
    p.loss = std::isfinite(p.hyperparameter_penalty) ? base * (1 + p.hyperparameter_penalty) : base;
  }
  return p;
}

// Practical shapes around `ideal_params`: depths around the shape rule's (or the forced one),
// widths the two multiples of the width step around N / (block_params depth) (or the forced one).
std::vector<PlanPoint> ShapeCandidates(const LawSet& laws, const PlanOptions& o,
                                       double ideal_params) {
  const double step = o.WidthStep();
  const ComputeModel& m = o.compute;
  std::vector<double> depths;
  if (!std::isnan(o.forced_depth)) {
    depths = {o.forced_depth};
  } else if (!std::isnan(o.forced_width)) {
    const double d = ideal_params / (m.block_params * o.forced_width * o.forced_width);
    depths = {std::floor(d) - 1, std::floor(d), std::ceil(d), std::ceil(d) + 1};
  } else {
    const double d = SnapToInteger(ShapeForParams(m, ideal_params).depth);
    depths = {std::floor(d) - 1, std::floor(d), std::ceil(d), std::ceil(d) + 1};
  }
  std::vector<PlanPoint> out;
  for (double depth : depths) {
    if (depth < 1) continue;
    std::vector<double> widths;
    if (!std::isnan(o.forced_width)) {
      widths = {o.forced_width};
    } else {
      const double w = SnapToInteger(std::sqrt(ideal_params / (m.block_params * depth)) / step);
      widths = {std::max(1.0, std::floor(w)) * step, std::max(1.0, std::ceil(w)) * step};
    }
    for (double width : widths) {
      bool seen = false;
      for (const PlanPoint& p : out) seen |= p.shape.width == width && p.shape.depth == depth;
      if (seen) continue;
      const PlanPoint p = EvaluateShape(laws, o, width, depth);
      if (p.params > o.max_params || !(p.tokens >= 1)) continue;
      out.push_back(p);
    }
  }
  // Best predicted loss first; without a loss law, or with a forced size (o.fixed_params), the
  // whole shape nearest that size first, ties to the width per depth nearest the shape rule's.
  const bool nearest = std::isfinite(o.fixed_params);
  const auto distance = [&](const PlanPoint& p) {
    return SnapDistance(std::fabs(std::log(p.params / ideal_params)));
  };
  const auto aspect = [&](const PlanPoint& p) {
    return std::fabs(std::log(p.shape.width / p.shape.depth / m.width_per_depth));
  };
  std::stable_sort(out.begin(), out.end(), [&](const PlanPoint& a, const PlanPoint& b) {
    if (!nearest && std::isfinite(a.loss) && std::isfinite(b.loss)) return a.loss < b.loss;
    if (!nearest && std::isfinite(a.loss) != std::isfinite(b.loss)) return std::isfinite(a.loss);
    const double da = distance(a), db = distance(b);
    if (da != db) return da < db;
    return aspect(a) < aspect(b);
  });
  return out;
}

// The continuous optimum under a forced lr or batch: minimises L (1 + penalty) along the line.
double PenalisedLogParams(const LawSet& laws, const PlanOptions& o, const Range& range) {
  const double c = o.budget_flops;
  const auto f = [&](double u) {
    const double n = std::exp(u), t = TokensOnLine(o.compute, c, u);
    const double p = Penalty(laws, n, t, o.forced_lr, o.forced_batch_tokens);
    return laws.loss.Eval(n, t) * (1 + p);
  };
  const double step = (range.hi - range.lo) / (kScanPoints - 1);
  int best = 0;
  double best_value = INFINITY;
  for (int i = 0; i < kScanPoints; ++i) {
    const double value = f(range.lo + step * i);
    if (value < best_value) best_value = value, best = i;
  }
  const double a = range.lo + step * std::max(best - 1, 0);
  const double b = std::min(range.hi, range.lo + step * (best + 1));
  const double u = GoldenSection(f, a, b);
  return f(u) <= best_value ? u : range.lo + step * best;
}

// Budget at which the free continuous optimum reaches `loss` (NaN when it cannot be found).
double BudgetForLoss(const LossLaw& law, const ComputeModel& compute, double loss, double budget) {
  const auto optimal_loss = [&](double log_c) {
    const double n = OptimalParams(law, compute, std::exp(log_c));
    return std::isfinite(n) ? law.Eval(n, std::exp(log_c) / FlopsPerToken(compute, n)) : NAN;
  };
  double lo = std::log(budget) - 30, hi = std::log(budget) + 5;
  if (!(optimal_loss(hi) < loss)) return NAN;
  if (!(optimal_loss(lo) > loss)) return NAN;
  for (int i = 0; i < 100 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (optimal_loss(mid) > loss ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

// Rounds the continuous plan to a practical shape and batch (planner.h).
void PracticalStage(const LawSet& laws, const PlanOptions& o, Plan* plan) {
  const std::vector<PlanPoint> shapes = ShapeCandidates(laws, o, plan->ideal.params);
  if (shapes.empty()) {
    plan->ok = false;
    plan->message = "no practical shape (whole blocks, width a multiple of " + Num(o.WidthStep()) +
                    ") fits the budget and the caps near N = " + Num(plan->ideal.params);
    return;
  }
  plan->optimum = shapes.front();
  plan->nearby.assign(shapes.begin() + 1, shapes.begin() + std::min<size_t>(shapes.size(), 4));
  // Inference is served by this shape: its exact count (the cost panel's row for it agrees).
  const double continuous = plan->inference_flops_per_video;
  plan->inference_flops_per_video = DitVideoFlops(ServingConfig(plan->optimum.shape, o.demand),
                                                  o.demand.sampling_steps, o.demand.guidance);
  if (std::isfinite(plan->inference_saving_fraction) && continuous > 0) {
    // Same smaller model, measured against the shape actually planned.
    const double small = (1 - plan->inference_saving_fraction) * continuous;
    plan->inference_saving_fraction = 1 - small / plan->inference_flops_per_video;
  }
}

// The plan before its trust report: the continuous optimum, forced values, practical shape.
Plan MakePlanUnchecked(const LawSet& laws, const PlanOptions& o) {
  std::string error;
  if (!o.IsValid(&error)) {
    Plan plan;
    plan.message = error;
    return plan;
  }
  // A forced shape fixes N for the continuous stage.
  PlanOptions cont = o;
  const bool shape_fixed = !std::isnan(o.forced_width) && !std::isnan(o.forced_depth);
  if (shape_fixed) {
    cont.fixed_params = ParamsOfShape(o.compute, o.forced_width, o.forced_depth);
    cont.forced_width = cont.forced_depth = NAN;
  }
  Plan plan = MakeContinuousPlan(laws, cont);
  if (!plan.ok) return plan;
  plan.ideal = plan.optimum;
  std::vector<std::string> notes;
  if (!plan.message.empty()) notes.push_back(plan.message);

  const bool hyper_forced = !std::isnan(o.forced_lr) || !std::isnan(o.forced_batch_tokens);
  if (hyper_forced) {
    const double penalty_here =
        Penalty(laws, plan.ideal.params, plan.ideal.tokens, o.forced_lr, o.forced_batch_tokens);
    if (std::isnan(penalty_here)) {
      notes.push_back(
          "the penalty of the forced learning rate or batch is unknown (no sensitivity fit: a "
          "preset, or data without an lr/batch sweep); the predicted loss leaves it out and is a "
          "lower bound");
    } else if (laws.loss.IsSet() && std::isnan(cont.fixed_params)) {
      Range range;
      std::string ignored;
      if (SearchRange(cont, &range, &ignored)) {
        const double u = PenalisedLogParams(laws, cont, range);
        FillPoint(laws, cont, std::exp(u), TokensOnLine(o.compute, o.budget_flops, u), &plan.ideal);
      }
    }
    PlanPoint& ideal = plan.ideal;
    if (!std::isnan(o.forced_lr)) ideal.lr = o.forced_lr;
    if (!std::isnan(o.forced_batch_tokens)) {
      ideal.batch_tokens = o.forced_batch_tokens;
      ideal.batch_samples = ideal.batch_tokens / o.compute.tokens_per_sample;
      ideal.steps = ideal.tokens / ideal.batch_tokens;
    }
    ideal.hyperparameter_penalty =
        Penalty(laws, ideal.params, ideal.tokens, o.forced_lr, o.forced_batch_tokens);
    if (std::isfinite(ideal.hyperparameter_penalty)) {
      ideal.loss *= 1 + ideal.hyperparameter_penalty;
    }
  } else {
    plan.ideal.hyperparameter_penalty = 0;
  }

  // An LLM law set plans the continuous optimum: a DiT block's shape and samples mean nothing
  // there.
  if (laws.video_dit) PracticalStage(laws, o, &plan);
  if (!plan.ok) return plan;

  if (o.AnyForced()) {
    plan.forced = true;
    // The bootstrap intervals were taken at the free optimum: they do not describe this plan.
    plan.params_ci = plan.tokens_ci = plan.loss_ci = plan.lr_ci = plan.batch_ci = Interval{};
    if (plan.samples_used > 0) {
      notes.push_back("intervals are not shown for a plan with forced values");
    }
    PlanOptions free = o;
    free.forced_batch_tokens = free.forced_lr = free.forced_width = free.forced_depth = NAN;
    Plan free_plan = MakeContinuousPlan(laws, free);
    if (free_plan.ok) {
      free_plan.ideal = free_plan.optimum;
      if (laws.video_dit) PracticalStage(laws, free, &free_plan);
    }
    if (free_plan.ok) {
      plan.free_optimum = free_plan.optimum;
      const bool known = std::isfinite(plan.optimum.loss) &&
                         std::isfinite(free_plan.optimum.loss) &&
                         !(hyper_forced && std::isnan(plan.optimum.hyperparameter_penalty));
      if (known) {
        plan.constraint_loss_cost = plan.optimum.loss / free_plan.optimum.loss - 1;
        const double same = BudgetForLoss(laws.loss, o.compute, plan.optimum.loss, o.budget_flops);
        plan.constraint_budget_fraction = std::isfinite(same) ? 1 - same / o.budget_flops : NAN;
        notes.push_back("the forced values cost " + Num(100 * plan.constraint_loss_cost) +
                        "% in loss against the free optimum" +
                        (std::isfinite(plan.constraint_budget_fraction)
                             ? ", as much as losing " + Num(100 * plan.constraint_budget_fraction) +
                                   "% of the budget"
                             : std::string()));
      } else {
        notes.push_back("what the forced values cost against the free optimum is unknown");
      }
    }
  }
  plan.message.clear();
  for (const std::string& note : notes) {
    plan.message += (plan.message.empty() ? "" : "; ") + note;
  }
  return plan;
}

}  // namespace

}  // namespace scalecalc

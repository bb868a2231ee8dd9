// warnings.cpp: the trust report's checks. Codes (frozen, scripts match on them):
//   fit:  cell_outside_range, cell_on_edge, cell_not_convex, cell_too_few_values,
//         cell_outside_window, lr_law_not_fitted, batch_law_not_fitted, lr_law_one_variable,
//         batch_law_one_variable, lr_law_degenerate, batch_law_degenerate, loss_law_not_fitted,
//         loss_law_degenerate, loss_params_on_bound, optimizer_not_converged, bootstrap_lost,
//         intervals_withheld, interval_on_bound, n_t_collinear
//   plan: params_extrapolation, flops_extrapolation, tokens_below_batch, tokens_below_sample,
//         batch_below_sample, no_interior_optimum, smallest_at_limit, inference_out_of_range,
//         total_cost_out_of_range, total_cost_not_found, videos_without_dit, intervals_withheld,
//         plan_not_identified (error: the data does not pin the plan down),
//         intervals_not_computed (info: a fit's resamples are pending or were not asked for)
#include "core/warnings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/dit_flops.h"
#include "core/fit.h"
#include "core/planner.h"

namespace scalecalc {

bool HasError(const std::vector<Warning>& warnings) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [](const Warning& w) { return w.severity == Severity::kError; });
}

namespace {

std::string Num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

std::string CellName(const Cell& cell) {
  return "(N " + Num(cell.params) + ", T " + Num(cell.tokens) + ")";
}

// "3 cells: (N 1e8, T 2e9), ..." with at most four cells named.
std::string CellList(const std::vector<const Cell*>& cells) {
  std::string out = std::to_string(cells.size()) + (cells.size() == 1 ? " cell: " : " cells: ");
  for (size_t i = 0; i < cells.size() && i < 4; ++i) {
    out += (i ? ", " : "") + CellName(*cells[i]);
  }
  if (cells.size() > 4) out += ", ...";
  return out;
}

void Add(std::vector<Warning>* warnings, const std::string& code, Severity severity,
         const std::string& message) {
  warnings->push_back({code, message, severity});
}

void CellWarnings(const FitSummary& s, std::vector<Warning>* out) {
  // Outside the range and on the edge, by hyperparameter and direction.
  for (const bool lr : {true, false}) {
    for (const int side : {-1, 1}) {
      std::vector<const Cell*> outside, edge;
      for (const Cell& cell : s.cells) {
        if ((lr ? cell.lr_edge : cell.batch_edge) != side) continue;
        ((lr ? cell.lr_beyond : cell.batch_beyond) ? outside : edge).push_back(&cell);
      }
      const std::string what = lr ? "learning rate" : "batch size";
      const std::string where = side < 0 ? "below" : "above";
      const std::string end = side < 0 ? "lowest" : "highest";
      if (!outside.empty()) {
        Add(out, "cell_outside_range", Severity::kWarning,
            "the smooth optimum's " + what + " lies " + where + " the swept range in " +
                CellList(outside) + " (the quadratic is convex; its minimum is outside: " +
                "extend the sweep " + where + "; the grid's best run is used)");
      }
      if (!edge.empty()) {
        Add(out, "cell_on_edge", Severity::kWarning,
            "the optimal " + what + " is the " + end + " one swept (on the edge of the sweep) in " +
                CellList(edge) + " (the true optimum may lie " + where + " the sweep: extend it)");
      }
    }
  }
  std::vector<const Cell*> not_convex, too_few, window;
  for (const Cell& cell : s.cells) {
    if (cell.smooth == SmoothOutcome::kNotConvex) not_convex.push_back(&cell);
    if (cell.smooth == SmoothOutcome::kTooFewValues) too_few.push_back(&cell);
    if (cell.smooth == SmoothOutcome::kOutsideWindow) window.push_back(&cell);
  }
  if (!not_convex.empty()) {
    Add(out, "cell_not_convex", Severity::kWarning,
        "the smooth model does not curve upwards in " + CellList(not_convex) +
            " (the grid's best run is used)");
  }
  if (!too_few.empty()) {
    Add(out, "cell_too_few_values", Severity::kWarning,
        "too few values for a smooth optimum (a quadratic needs 3 distinct learning rates and "
        "batch sizes) in " +
            CellList(too_few) + " (the grid's best run is used; or choose Optimum: argmin)");
  }
  if (!window.empty()) {
    Add(out, "cell_outside_window", Severity::kInfo,
        "the smooth minimum lies outside the 5 x 5 window around the best run in " +
            CellList(window) + " (the grid's best run is used)");
  }
}

// A hyperparameter law whose every point sits on the same end of its sweep describes the grid,
// not the optimum; one with a constant optimum has nothing to regress. Unset, with an error.
void CheckHyperLaw(bool lr, FitSummary* s) {
  HyperLawFit& fit = lr ? s->lr_law : s->batch_law;
  if (!fit.law.IsSet() || !(fit.in_params && fit.in_tokens)) return;
  int low = 0, high = 0, counted = 0;
  for (const Cell& cell : s->cells) {
    const int side = lr ? cell.lr_edge : cell.batch_edge;
    if (side < 0) ++low;
    if (side > 0) ++high;
    ++counted;
  }
  const bool corner = counted > 0 && (low == counted || high == counted);
  const bool constant = std::isnan(fit.r2);
  if (!corner && !constant) return;
  const std::string what = lr ? "learning-rate" : "batch-size";
  std::string why;
  if (corner) {
    why = "every cell optimum is at the " + std::string(low == counted ? "lowest" : "highest") +
          " " + (lr ? "learning rate" : "batch size") +
          " swept, so the law would describe the grid, not the optimum (extend the sweep " +
          (low == counted ? "below" : "above") + ")";
  } else {
    why = "every cell has the same optimum, so there is no dependence on N or T to fit";
  }
  Add(&s->warnings, lr ? "lr_law_degenerate" : "batch_law_degenerate", Severity::kError,
      what + " law not usable: " + why);
  fit.law = PowerLaw2();
  fit.coef_ci = fit.exp_params_ci = fit.exp_tokens_ci = Interval();
  fit.r2 = NAN;
  (lr ? s->laws.lr : s->laws.batch) = PowerLaw2();
  (lr ? s->laws.lr_samples : s->laws.batch_samples).clear();
}

void LossLawWarnings(FitSummary* s) {
  const LossLawFit& loss = s->loss;
  if (!loss.law.IsSet()) return;
  const auto on = [&](const char* name) {
    return std::find(loss.on_bound.begin(), loss.on_bound.end(), name) != loss.on_bound.end();
  };
  std::string names;
  for (const std::string& n : loss.on_bound) names += (names.empty() ? "" : ", ") + n;
  if (on("A") || on("B")) {
    // A term on its bound means the loss does not depend on N (or T) in this data: any "optimal"
    // size would be an artefact of the bounds (constant loss plans N = 1 and "saves 100%").
    Add(&s->warnings, "loss_law_degenerate", Severity::kError,
        "loss law not usable for plans: " + names +
            " ended on a bound, so the data does not show the loss falling with " +
            (on("A") && on("B") ? "N or T"
             : on("A")          ? "N"
                                : "T") +
            " (check the loss column and the runs)");
    s->laws.loss = LossLaw();
    s->laws.loss_samples.clear();
    s->ok = false;
  } else if (!loss.on_bound.empty()) {
    Add(&s->warnings, "loss_params_on_bound", Severity::kWarning,
        "loss-law parameters on a bound: " + names + " (the data does not pin them down)");
  }
  if (!loss.converged) {
    Add(&s->warnings, "optimizer_not_converged", Severity::kWarning,
        "the loss-law optimiser (L-BFGS-B) did not converge: " + loss.convergence +
            "; the parameters may not be the optimum");
  }
}

}  // namespace

bool WithholdWeakIntervals(FitSummary* s) {
  const int attempted = s->bootstrap_samples_attempted;
  const int kept = s->bootstrap_samples_done;
  s->intervals_withheld.clear();
  s->laws.intervals_withheld.clear();
  if (attempted <= 0 || kept >= kMinBootstrapKept * attempted) return false;
  s->intervals_withheld = "only " + std::to_string(kept) + " of " + std::to_string(attempted) +
                          " bootstrap resamples gave a fit (at least " +
                          std::to_string(static_cast<int>(kMinBootstrapKept * 100)) +
                          "% are needed for a 95% interval): intervals withheld";
  s->laws.intervals_withheld = s->intervals_withheld;
  LossLawFit& l = s->loss;
  l.E_ci = l.A_ci = l.alpha_ci = l.B_ci = l.beta_ci = Interval();
  for (HyperLawFit* h : {&s->lr_law, &s->batch_law}) {
    if (h->own_bootstrap_attempted > 0) continue;  // its own resamples (fit.cpp) decide
    h->coef_ci = h->exp_params_ci = h->exp_tokens_ci = Interval();
  }
  return true;
}

void WarnIntervalsOnBound(FitSummary* s) {
  std::vector<Warning>& w = s->warnings;
  w.erase(std::remove_if(w.begin(), w.end(),
                         [](const Warning& x) { return x.code == "interval_on_bound"; }),
          w.end());
  // Resamples clamped on the box sit exactly on it, and a percentile between two of them is too.
  const auto on = [](double end, double bound) { return std::fabs(end - bound) <= 1e-9 * bound; };
  std::string ends, coefficients;
  int count = 0;  // interval ends on the limit
  const struct {
    const char* exponent;
    const char* coefficient;
    const Interval& ci;
  } laws[] = {{"alpha", "A", s->loss.alpha_ci}, {"beta", "B", s->loss.beta_ci}};
  for (const auto& law : laws) {
    std::string law_ends;
    if (on(law.ci.lo, kLossExponentMin)) law_ends += "lower end " + Num(kLossExponentMin);
    if (on(law.ci.hi, kLossExponentMax))
      law_ends +=
          (law_ends.empty() ? "" : ", ") + std::string("upper end ") + Num(kLossExponentMax);
    if (law_ends.empty()) continue;
    count += law_ends.find(',') == std::string::npos ? 1 : 2;
    ends += std::string(ends.empty() ? "" : ", ") + law.exponent + " (" + law_ends + ")";
    coefficients += std::string(coefficients.empty() ? "" : " and ") + law.coefficient + "'s";
  }
  if (ends.empty()) return;
  const bool one = count == 1;
  Add(&w, "interval_on_bound", Severity::kWarning,
      "95% interval at the search's limit: " + ends +
          ". Some resamples ran to the edge of the exponents' range, so " +
          (one ? "that end (and " : "those ends (and ") + coefficients +
          (one ? " with it) is" : " with them) are") +
          " where the search stops, not what the data shows: read " + (one ? "it" : "them") +
          " as open-ended, or add runs that pin the exponents down (a wider range of N or T)");
}

void AssessIdentifiability(FitSummary* s) {
  s->laws.not_identified.clear();
  if (!s->laws.loss.IsSet()) return;
  std::vector<std::string> missing, fixes;
  const auto fix = [&](const std::string& f) {
    if (std::find(fixes.begin(), fixes.end(), f) == fixes.end()) fixes.push_back(f);
  };
  // N and T moving together: alpha and beta (A and B) trade off along the line.
  std::vector<HyperPoint> cells;
  for (const Cell& cell : s->cells) cells.push_back({cell.params, cell.tokens, 1.0});
  const NTLine line = MeasureNTLine(cells);
  if (std::isfinite(line.correlation) && std::fabs(line.correlation) >= kCollinearCorrelation) {
    missing.push_back("alpha and beta cannot be told apart: N and T move together in the runs " +
                      std::string("(correlation of ln N and ln T ") +
                      std::to_string(line.correlation) + ", T/N = " + Num(line.mean_ratio) + ")");
    fix("train some sizes at other token budgets (e.g. 1/4x and 4x that T/N)");
  }
  const int needed = static_cast<int>(kMinLossPointsPerParameter * 5);
  if (s->loss.points < needed) {
    missing.push_back("only " + std::to_string(s->loss.points) +
                      " points for the loss law's 5 parameters (at least " +
                      std::to_string(needed) + ")");
    fix("add runs at new (N, T) pairs");
  }
  const auto spread = [](const Interval& ci) { return ci.hi / ci.lo; };
  if (!s->loss.on_bound.empty()) {
    std::string wide;
    for (const auto& c : {std::make_pair("A", s->loss.A_ci), std::make_pair("B", s->loss.B_ci)}) {
      const double f = spread(c.second);
      if (c.second.lo > 0 && f > kMaxCoefficientSpread) {
        wide += (wide.empty() ? "" : ", ") + std::string(c.first) + "'s 95% interval [" +
                Num(c.second.lo) + ", " + Num(c.second.hi) + "]";
      }
    }
    if (!wide.empty()) {
      std::string names;
      for (const std::string& n : s->loss.on_bound) names += (names.empty() ? "" : ", ") + n;
      missing.push_back(names + " on a bound and " + wide + " spanning more than " +
                        Num(kMaxCoefficientSpread) + "x");
      fix("add runs over a wider range of N and T");
    }
  }
  if (std::any_of(s->warnings.begin(), s->warnings.end(),
                  [](const Warning& w) { return w.code == "interval_on_bound"; })) {
    missing.push_back("an exponent's 95% interval reaches the search's limit");
    fix("add runs over a wider range of N and T");
  }
  const int attempted = s->bootstrap_samples_attempted, kept = s->bootstrap_samples_done;
  if (attempted > 0 && kept < kMinBootstrapMajority * attempted) {
    missing.push_back("only " + std::to_string(kept) + " of " + std::to_string(attempted) +
                      " bootstrap resamples gave a fit");
    fix("add runs at new (N, T) pairs");
  }
  if (s->has_sweep) {
    int swept = 0, on_edge = 0;
    for (const Cell& cell : s->cells) {
      if (!(std::isfinite(cell.lr) || std::isfinite(cell.batch_tokens))) continue;
      ++swept;
      if (cell.lr_edge != 0 || cell.batch_edge != 0) ++on_edge;
    }
    if (swept > 0 && on_edge == swept) {
      missing.push_back(
          "every cell's optimum sits on the edge of its learning-rate or batch "
          "sweep");
      fix("extend the learning-rate and batch sweeps past the edges");
    }
  }
  if (missing.empty()) return;
  std::string text;
  for (size_t i = 0; i < missing.size(); ++i) text += (i ? "; " : "") + missing[i];
  text += " (to fix it: ";
  for (size_t i = 0; i < fixes.size(); ++i) text += (i ? "; " : "") + fixes[i];
  s->laws.not_identified = text + ")";
}

void AssessFit(const RunTable& table, FitSummary* s) {
  s->notes = s->message;
  // What the laws were fitted on, for plans' extrapolation distance.
  double max_params = NAN, max_flops = NAN;
  for (const Run& run : table.runs) {
    if (run.excluded) continue;
    if (std::isfinite(run.params))
      max_params = std::isnan(max_params) ? run.params : std::max(max_params, run.params);
    if (std::isfinite(run.flops))
      max_flops = std::isnan(max_flops) ? run.flops : std::max(max_flops, run.flops);
  }
  s->laws.fitted_max_params = max_params;
  s->laws.fitted_max_flops = max_flops;

  const bool computed = s->termination == FitTermination::kSuccess ||
                        s->termination == FitTermination::kTooFewPoints ||
                        s->termination == FitTermination::kCancelled;
  if (computed) {
    CellWarnings(*s, &s->warnings);
    CheckHyperLaw(true, s);
    CheckHyperLaw(false, s);
    LossLawWarnings(s);
    const int attempted = s->bootstrap_samples_attempted, kept = s->bootstrap_samples_done;
    if (attempted > 0 && kept < attempted && s->termination != FitTermination::kCancelled) {
      Add(&s->warnings, "bootstrap_lost", Severity::kWarning,
          std::to_string(attempted - kept) + " of " + std::to_string(attempted) +
              " bootstrap resamples could not identify a law and were skipped");
    }
    if (s->termination != FitTermination::kCancelled && WithholdWeakIntervals(s)) {
      Add(&s->warnings, "intervals_withheld", Severity::kWarning, s->intervals_withheld);
    }
    WarnIntervalsOnBound(s);
    AssessIdentifiability(s);
  }

  // Status: failed when nothing is usable, partial when something is missing or flagged.
  if (!computed || s->cells.empty()) {
    s->status = ResultStatus::kFailed;
  } else {
    // A law the data was meant to give but did not.
    const bool law_missing =
        std::any_of(s->warnings.begin(), s->warnings.end(), [](const Warning& w) {
          const auto ends = [&](const std::string& tail) {
            return w.code.size() >= tail.size() &&
                   w.code.compare(w.code.size() - tail.size(), tail.size(), tail) == 0;
          };
          return ends("_not_fitted") || ends("_one_variable") || ends("_withheld") ||
                 w.code == "n_t_collinear";
        });
    const bool complete =
        s->termination == FitTermination::kSuccess && s->ok && s->laws.loss.IsSet() && !law_missing;
    s->status = complete && !HasError(s->warnings) ? ResultStatus::kOk : ResultStatus::kPartial;
  }
  for (const Warning& w : s->warnings) {
    s->message += (s->message.empty() ? "" : "; ") + w.message;
  }
}

void AssessPlan(const LawSet& laws, const PlanOptions& o, Plan* plan) {
  plan->notes = plan->ok ? plan->message : "";
  std::vector<Warning>& w = plan->warnings;
  PlanPoint& p = plan->optimum;
  if (plan->ok) {
    plan->extrapolation.params_factor = p.params / laws.fitted_max_params;
    plan->extrapolation.flops_factor = o.budget_flops / laws.fitted_max_flops;
    const Extrapolation& e = plan->extrapolation;
    if (e.params_factor > kParamsExtrapolationWarn) {
      Add(&w, "params_extrapolation", Severity::kWarning,
          "the model size is " + Num(e.params_factor) + "x the largest fitted model (" +
              Num(laws.fitted_max_params) + "); the paper validated its laws to ~3-4x, so this " +
              "is extrapolation (fit larger models, or lower the budget)");
    }
    if (e.flops_factor > kFlopsExtrapolationWarn) {
      Add(&w, "flops_extrapolation", Severity::kWarning,
          "the budget is " + Num(e.flops_factor) + "x the largest fitted run's FLOPs (" +
              Num(laws.fitted_max_flops) + ")");
    }

    // Not physical: refused. Judged on the continuous optimum (the laws' own plan): rounding to
    // whole samples and steps lifts a plan of a fraction of a sample to one whole batch, which
    // then overshoots the budget instead (checked below).
    const PlanPoint& q = std::isfinite(plan->ideal.params) ? plan->ideal : p;
    const double tokens_per_sample = o.compute.tokens_per_sample;
    std::vector<Warning> refusals;
    if (std::isfinite(q.batch_tokens) && q.tokens < q.batch_tokens) {
      Add(&refusals, "tokens_below_batch", Severity::kError,
          "the plan trains " + Num(q.tokens) + " tokens, fewer than one batch (" +
              Num(q.batch_tokens) + " tokens): raise the budget");
    }
    if (laws.video_dit && q.tokens < tokens_per_sample) {
      Add(&refusals, "tokens_below_sample", Severity::kError,
          "the plan trains " + Num(q.tokens) + " tokens, fewer than one sample (" +
              Num(tokens_per_sample) + " tokens per sample): raise the budget");
    }
    if (laws.video_dit && std::isfinite(q.batch_tokens) && q.batch_tokens < tokens_per_sample) {
      Add(&refusals, "batch_below_sample", Severity::kError,
          "the planned batch is " + Num(q.batch_tokens) + " tokens, below one sample (" +
              Num(tokens_per_sample) +
              " tokens per sample): the batch law is used far outside its data (or the batch "
              "column counts samples: give the tokens per sample)");
    }
    // Whole blocks, heads, samples and steps: a practical plan may cost more than the budget by
    // up to one step; beyond a quarter more the budget is too small for any practical shape.
    if (refusals.empty() && std::isfinite(p.training_flops) &&
        p.training_flops > 1.25 * o.budget_flops) {
      Add(&refusals, "budget_below_practical", Severity::kError,
          "the smallest practical plan (whole blocks, heads, samples and steps) needs " +
              Num(p.training_flops) + " FLOPs, more than the budget: raise the budget");
    }
    if (!refusals.empty()) {
      w.insert(w.end(), refusals.begin(), refusals.end());
      plan->ok = false;
      plan->termination = PlanTermination::kRefused;
    }
  }
  if (plan->ok) {
    const bool optimised = std::isnan(o.fixed_params);
    if (optimised && !plan->constrained && (p.params <= 1.000001 || p.tokens <= 1.000001)) {
      Add(&w, "no_interior_optimum", Severity::kError,
          "the loss law has no interior optimum at this budget: the plan sits at the limit of "
          "the search (N >= 1, T >= 1)");
    }
    if (std::isfinite(plan->smallest.params) && plan->smallest.params <= 1.000001) {
      Add(&w, "smallest_at_limit", Severity::kError,
          "the smallest model within the tolerance is N = 1, the search limit: the loss law "
          "barely depends on N here, so the saving means nothing");
      plan->smallest = PlanPoint();
      plan->inference_saving = plan->inference_saving_fraction = NAN;
    }
    if (!laws.video_dit) {
      // An LLM law set: no DiT shape, samples of n_ctx tokens or videos.
      for (PlanPoint* q : {&plan->optimum, &plan->smallest, &plan->total_cost}) {
        q->shape = DitShape{NAN, NAN};
        q->batch_samples = NAN;
      }
      plan->inference_flops_per_video = plan->inference_saving_fraction = NAN;
      if (o.demand.videos > 0) {
        Add(&w, "videos_without_dit", Severity::kWarning,
            "the total-cost optimum counts inference per video of a video DiT; this law set is "
            "not one (drop --videos)");
      }
      plan->total_cost = PlanPoint();
      plan->total_cost_flops = plan->optimum_total_flops = plan->total_cost_saving = NAN;
    }
    const double inference = plan->inference_flops_per_video;
    if (laws.video_dit && !(std::isfinite(inference) && inference <= kMaxPlanFlops)) {
      Add(&w, "inference_out_of_range", Severity::kError,
          "inference FLOPs per video (" + Num(inference) + ") are past the tool's limit of " +
              Num(kMaxPlanFlops) + ": lower the tokens per video or sampling steps");
      plan->inference_flops_per_video = plan->inference_saving_fraction = NAN;
    }
    if (laws.video_dit && o.demand.videos > 0) {
      const bool found = std::isfinite(plan->total_cost.params);
      const double worst = std::max(plan->total_cost_flops, plan->optimum_total_flops);
      if (!std::isfinite(plan->inference_flops_per_video) ||
          (found && !(std::isfinite(worst) && worst <= kMaxPlanFlops))) {
        Add(&w, "total_cost_out_of_range", Severity::kError,
            "the total cost of " + Num(o.demand.videos) + " videos (" + Num(worst) +
                " FLOPs) is past the tool's limit of " + Num(kMaxPlanFlops) +
                ": no total-cost optimum (lower --videos)");
        plan->total_cost = PlanPoint();
        plan->total_cost_flops = plan->optimum_total_flops = plan->total_cost_saving = NAN;
      } else if (!found) {
        Add(&w, "total_cost_not_found", Severity::kWarning,
            "no total-cost optimum: the loss target cannot be reached under the caps");
      } else if (!(plan->total_cost_flops < plan->optimum_total_flops)) {
        // The compute-optimal plan is itself the least total cost (rounding can make the search
        // land a hair above it): no saving, never a negative one.
        plan->total_cost = plan->optimum;
        plan->total_cost_flops = plan->optimum_total_flops;
        plan->total_cost_saving = 0;
      }
    }
  }

  // Intervals only when they mean something.
  if (!laws.intervals_withheld.empty()) {
    plan->intervals_withheld = laws.intervals_withheld;
  } else {
    const size_t available =
        std::max({laws.loss_samples.size(), laws.lr_samples.size(), laws.batch_samples.size()});
    if (available > 0 && plan->samples_used < kMinBootstrapKept * static_cast<double>(available)) {
      plan->intervals_withheld = "only " + std::to_string(plan->samples_used) + " of " +
                                 std::to_string(available) +
                                 " bootstrap samples gave a plan: intervals withheld";
      Add(&w, "intervals_withheld", Severity::kWarning, plan->intervals_withheld);
    }
  }
  if (!plan->intervals_withheld.empty()) {
    plan->params_ci = plan->tokens_ci = plan->loss_ci = plan->lr_ci = plan->batch_ci = Interval();
  }

  // Identifiability of a plan from fitted laws (published law sets are not judged by intervals).
  if (plan->ok && laws.fitted) {
    std::vector<std::string> missing;
    if (!laws.not_identified.empty()) missing.push_back(laws.not_identified);
    const bool optimised = std::isnan(o.fixed_params);
    if (laws.bootstrap_requested <= 0) {
      Add(&w, "intervals_not_computed", Severity::kInfo,
          "no 95% intervals: no bootstrap resamples were asked for (set the resamples above 0 "
          "to judge how well the data pins the plan down)");
    } else if (laws.loss_samples.empty() && laws.intervals_withheld.empty()) {
      Add(&w, "intervals_not_computed", Severity::kInfo,
          "95% intervals pending: the bootstrap's " + std::to_string(laws.bootstrap_requested) +
              " resamples are not in yet");
    } else if (!plan->intervals_withheld.empty()) {
      missing.push_back("the plan's 95% intervals are withheld (" + plan->intervals_withheld +
                        "; add runs at new (N, T) pairs)");
    } else if (optimised && !plan->forced) {  // forced values: intervals are not shown
      const Interval& ci = plan->params_ci;
      if (!(ci.lo > 0 && std::isfinite(ci.hi))) {
        missing.push_back("N_opt has no 95% interval (add runs at new (N, T) pairs)");
      } else if (ci.hi / ci.lo > kMaxPlanParamsSpread) {
        missing.push_back("N_opt's 95% interval [" + Num(ci.lo) + ", " + Num(ci.hi) + "] spans " +
                          Num(ci.hi / ci.lo) + "x, more than " + Num(kMaxPlanParamsSpread) +
                          "x (add runs at larger N and T, nearer the budget)");
      }
    }
    if (!missing.empty()) {
      std::string text;
      for (const std::string& m : missing) text += (text.empty() ? "" : "; ") + m;
      Add(&w, "plan_not_identified", Severity::kError, "plan not pinned down by the data: " + text);
    }
  }

  if (!plan->ok) {
    plan->status = ResultStatus::kFailed;
  } else {
    plan->status = HasError(w) ? ResultStatus::kPartial : ResultStatus::kOk;
  }
  for (const Warning& x : w) plan->message += (plan->message.empty() ? "" : "; ") + x.message;
}

}  // namespace scalecalc

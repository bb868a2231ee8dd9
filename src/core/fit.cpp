// fit.cpp: the fitting engine's driver: options, cells, the three laws, bootstrap, extrapolation
// check and sensitivity. The parts live in cells, hyper_law_fit, loss_law_fit, bootstrap and
// sensitivity; the reports in fit_report.cpp.
#include "core/fit.h"

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>

#include "core/bootstrap.h"
#include "core/cells.h"
#include "core/hyper_law_fit.h"
#include "core/loss_law_fit.h"
#include "core/sensitivity.h"
#include "core/settings_schema.h"

namespace scalecalc {

namespace {

// Round-trip precision, with a '.' whatever the C locale. snprintf, not a stream: iostreams'
// locale code would weigh on the page.
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') std::replace(text, text + std::strlen(text), point, '.');
  return text;
}

// Four significant digits, for messages.
std::string Short(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') std::replace(text, text + std::strlen(text), point, '.');
  return text;
}

// A correlation to 6 digits (0.999994, not 1).
std::string Correlation(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", value);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') std::replace(text, text + std::strlen(text), point, '.');
  return text;
}

bool IsPositiveFinite(double v) {
  return std::isfinite(v) && v > 0;
}

// Empty when every included run can enter the fit; otherwise names the first bad value.
std::string CheckRuns(const RunTable& table) {
  for (const Run& run : table.runs) {
    if (run.excluded) continue;
    const char* field = nullptr;
    double value = 0;
    if (!IsPositiveFinite(run.params)) {
      field = "model size (N)";
      value = run.params;
    } else if (!IsPositiveFinite(run.tokens)) {
      field = "tokens (T)";
      value = run.tokens;
    } else if (!IsPositiveFinite(run.loss)) {
      field = "loss";
      value = run.loss;
    } else if (table.has_lr && !IsPositiveFinite(run.lr)) {
      field = "learning rate";
      value = run.lr;
    } else if (table.has_batch && !IsPositiveFinite(run.batch_tokens)) {
      field = "batch size";
      value = run.batch_tokens;
    }
    if (field) {
      std::string where = "data row " + std::to_string(run.data_row);
      if (run.line > 0) where += " (line " + std::to_string(run.line) + ")";
      return where + ": " + field + " = " + Number(value) +
             " must be a positive finite number (exclude the row or fix it)";
    }
  }
  return "";
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

// Regression points of one hyperparameter: every band member (kBand) or the cell optima, from
// the cells that sweep that hyperparameter.
std::vector<HyperPoint> CellHyperPoints(const RunTable& table, const Cell& cell, bool lr,
                                        OptimumMethod method) {
  std::vector<HyperPoint> points;
  if (CountCellValues(table, cell, lr) < 2) return points;
  if (method == OptimumMethod::kBand) {
    for (int index : cell.band_indices) {
      const Run& run = table.runs[index];
      points.push_back({cell.params, cell.tokens, lr ? run.lr : run.batch_tokens});
    }
  } else {
    points.push_back({cell.params, cell.tokens, lr ? cell.lr : cell.batch_tokens});
  }
  return points;
}

void SetHyperIntervals(const std::vector<PowerLaw2>& samples, HyperLawFit* fit) {
  std::vector<double> coef, exp_n, exp_t;
  for (const PowerLaw2& law : samples) {
    coef.push_back(law.coef);
    exp_n.push_back(law.exp_params);
    exp_t.push_back(law.exp_tokens);
  }
  fit->coef_ci = Percentile95(coef);
  fit->exp_params_ci = Percentile95(exp_n);
  fit->exp_tokens_ci = Percentile95(exp_t);
  // A variable the law does not use has no interval (its samples hold 0, not an estimate).
  if (!fit->in_params) fit->exp_params_ci = Interval();
  if (!fit->in_tokens) fit->exp_tokens_ci = Interval();
}

void SetLossIntervals(const std::vector<LossLaw>& samples, LossLawFit* fit) {
  std::vector<double> e, a, alpha, b, beta;
  for (const LossLaw& law : samples) {
    e.push_back(law.E);
    a.push_back(law.A);
    alpha.push_back(law.alpha);
    b.push_back(law.B);
    beta.push_back(law.beta);
  }
  fit->E_ci = Percentile95(e);
  fit->A_ci = Percentile95(a);
  fit->alpha_ci = Percentile95(alpha);
  fit->B_ci = Percentile95(b);
  fit->beta_ci = Percentile95(beta);
}

// Refit without the largest model and predict it: mean relative error on its points.
void ExtrapolationCheck(const std::vector<LossPoint>& points, const FitOptions& options,
                        LossLawFit* loss, std::vector<std::string>* notes) {
  loss->holdout_points = 0;
  double max_params = 0;
  for (const LossPoint& p : points) max_params = std::max(max_params, p.params);
  std::vector<LossPoint> train, held_out;
  for (const LossPoint& p : points) {
    (max_params - p.params <= options.cell_tolerance * max_params ? held_out : train).push_back(p);
  }
  const std::string problem = CheckLossPoints(train, options.cell_tolerance);
  if (!problem.empty()) {
    notes->push_back("extrapolation check skipped: without the largest model, " + problem);
    return;
  }
  const LossFitResult fit = FitLossLaw(train, options.huber_delta);
  if (!fit.ok) {
    notes->push_back("extrapolation check failed: " + fit.error);
    return;
  }
  double sum = 0, signed_sum = 0;
  for (const LossPoint& p : held_out) {
    const double error = (fit.law.Eval(p.params, p.tokens) - p.loss) / p.loss;
    sum += std::fabs(error);
    signed_sum += error;
  }
  loss->holdout_params = max_params;
  loss->holdout_rel_error = sum / held_out.size();
  loss->holdout_signed_error = signed_sum / held_out.size();
  loss->holdout_points = static_cast<int>(held_out.size());
}

// Variables of a fitted hyperparameter law.
HyperVariables VariablesOf(const HyperLawFit& fit) {
  if (fit.in_params && fit.in_tokens) return HyperVariables::kBoth;
  return fit.in_params ? HyperVariables::kParams : HyperVariables::kTokens;
}

// Resampling units: cells with a sweep (their optima and hyperparameter points), runs without.
std::vector<BootstrapUnit> MakeUnits(const RunTable& table, const std::vector<Cell>& cells,
                                     const SweptDims& swept, const FitOptions& options) {
  std::vector<BootstrapUnit> units;
  if (swept.any()) {
    for (const Cell& cell : cells) {
      BootstrapUnit unit;
      unit.loss = {cell.params, cell.tokens, cell.loss, 1.0};
      if (swept.lr) unit.lr = CellHyperPoints(table, cell, true, options.optimum);
      if (swept.batch) unit.batch = CellHyperPoints(table, cell, false, options.optimum);
      units.push_back(std::move(unit));
    }
  } else {
    for (const Run& run : table.runs) {
      if (run.excluded) continue;
      BootstrapUnit unit;
      unit.loss = {run.params, run.tokens, run.loss, 1.0};
      units.push_back(std::move(unit));
    }
  }
  return units;
}

// Training curves: a run's checkpoints sit in several cells, so the bootstrap draws whole runs and
// recomputes the cells from them (drawing cells would treat a run's checkpoints as independent
// and give intervals too narrow). Returns the number of runs (0: no curves, draw units).
int CurveCount(const RunTable& table) {
  int count = 0;
  for (const Run& run : table.runs) {
    if (!run.excluded) count = std::max(count, run.curve + 1);
  }
  return count;
}

// Training curves: the bootstrap draws whole runs and recomputes the cells from them (drawing
// cells would treat a run's checkpoints as independent and give intervals too narrow). True when
// the table holds curves; `settings` then refers to table, swept and options.
bool ResampleWholeRuns(const RunTable& table, const SweptDims& swept, const FitOptions& options,
                       BootstrapSettings* settings) {
  settings->run_count = CurveCount(table);
  if (settings->run_count == 0) return false;
  settings->rebuild = [&table, &swept, &options](const std::vector<int>& run_counts) {
    RunTable drawn;
    drawn.has_lr = table.has_lr;
    drawn.has_batch = table.has_batch;
    for (const Run& run : table.runs) {
      if (run.excluded || run.curve < 0) continue;
      for (int c = 0; c < run_counts[run.curve]; ++c) drawn.runs.push_back(run);
    }
    std::vector<Cell> cells = GroupCells(drawn, options.cell_tolerance);
    for (Cell& cell : cells) FindCellOptimum(drawn, swept, options, &cell);
    return MakeUnits(drawn, cells, swept, options);
  };
  return true;
}

// Resamples execution's share of the bootstrap into summary (samples, intervals) and notes;
// true when cancelled. fit_loss false: the hyperparameter laws alone (no loss law was fitted).
bool FitBootstrap(const std::vector<BootstrapUnit>& units, bool fit_loss, bool fit_lr,
                  bool fit_batch, const FitOptions& options, const BootstrapExecution& execution,
                  const ProgressFn& progress, const RunTable& table, const SweptDims& swept,
                  FitSummary* summary, std::vector<std::string>* notes) {
  BootstrapSettings settings;
  settings.samples = options.bootstrap_samples;
  settings.seed = options.seed;
  settings.huber_delta = options.huber_delta;
  settings.distinct_tolerance = options.cell_tolerance;
  settings.fit_loss = fit_loss;
  settings.fit_lr = fit_lr;
  settings.fit_batch = fit_batch;
  settings.lr_variables = VariablesOf(summary->lr_law);
  settings.batch_variables = VariablesOf(summary->batch_law);
  settings.start = summary->loss.law;
  settings.refit = execution.refit;
  settings.threads = execution.threads;
  if (ResampleWholeRuns(table, swept, options, &settings)) {
    notes->push_back("bootstrap: whole runs resampled (" + std::to_string(settings.run_count) +
                     " training curves, each with all its checkpoints), cells recomputed from "
                     "them");
  }
  const int last = execution.last < 0 ? settings.samples : execution.last;
  BootstrapResult boot = execution.first == 0 && last >= settings.samples
                             ? RunBootstrap(units, settings, progress)
                             : RunBootstrapRange(units, settings, execution.first, last, progress);
  summary->bootstrap_samples_done = static_cast<int>(boot.resample.size());
  // Resamples lost: a warning, and no intervals below kMinBootstrapKept (AssessFit).
  summary->bootstrap_samples_attempted = boot.attempted;
  SetLossIntervals(boot.loss, &summary->loss);
  if (fit_lr) SetHyperIntervals(boot.lr, &summary->lr_law);
  if (fit_batch) SetHyperIntervals(boot.batch, &summary->batch_law);
  summary->laws.loss_samples = std::move(boot.loss);
  summary->laws.lr_samples = std::move(boot.lr);
  summary->laws.batch_samples = std::move(boot.batch);
  return boot.cancelled;
}

// Laws in one variable beside a loss law: their own resamples (hyperparameter laws alone, the
// same seed and units), so that they keep intervals when the loss law's resamples fail. Only for
// a whole bootstrap (a share of it, in a Web Worker, leaves them to the shared samples).
void OneVariableBootstrap(const std::vector<BootstrapUnit>& units, const FitOptions& options,
                          const BootstrapExecution& execution, const RunTable& table,
                          const SweptDims& swept, FitSummary* summary) {
  const auto one = [](const HyperLawFit& h) {
    return h.law.IsSet() && !(h.in_params && h.in_tokens);
  };
  const bool lr = one(summary->lr_law), batch = one(summary->batch_law);
  const bool whole =
      execution.first == 0 && (execution.last < 0 || execution.last >= options.bootstrap_samples);
  if (!(lr || batch) || !whole || options.bootstrap_samples <= 0) return;
  BootstrapSettings settings;
  settings.samples = options.bootstrap_samples;
  settings.seed = options.seed;
  settings.distinct_tolerance = options.cell_tolerance;
  settings.fit_loss = false;
  settings.fit_lr = lr;
  settings.fit_batch = batch;
  settings.lr_variables = VariablesOf(summary->lr_law);
  settings.batch_variables = VariablesOf(summary->batch_law);
  settings.threads = execution.threads;
  ResampleWholeRuns(table, swept, options, &settings);
  const BootstrapResult boot = RunBootstrap(units, settings, {});
  const int kept = static_cast<int>(boot.resample.size());
  for (const bool is_lr : {true, false}) {
    if (!(is_lr ? lr : batch)) continue;
    HyperLawFit& h = is_lr ? summary->lr_law : summary->batch_law;
    h.own_bootstrap_attempted = boot.attempted;
    h.own_bootstrap_kept = kept;
    h.coef_ci = h.exp_params_ci = h.exp_tokens_ci = Interval();
    if (kept >= kMinBootstrapKept * boot.attempted)
      SetHyperIntervals(is_lr ? boot.lr : boot.batch, &h);
  }
}

FitSummary FitImpl(const RunTable& table, const FitOptions& options, const ProgressFn& progress,
                   const BootstrapExecution& execution) {
  FitSummary summary;
  summary.laws.name = "fit";
  summary.laws.fitted = true;
  summary.laws.bootstrap_requested = options.bootstrap_samples;
  summary.options = options;
  summary.runs = static_cast<int>(table.runs.size());
  summary.runs_included = table.CountIncluded();
  std::string error;
  if (!options.IsValid(&error)) {
    summary.termination = FitTermination::kFailed;
    summary.message = "invalid options: " + error;
    return summary;
  }
  for (const Run& run : table.runs) {
    if (run.excluded) summary.excluded_rows.push_back(run.data_row);
  }
  const int included = table.CountIncluded();
  if (included == 0) {
    summary.termination = FitTermination::kNoData;
    summary.message = table.runs.empty() ? "no runs to fit"
                                         : "all " + std::to_string(table.runs.size()) +
                                               " runs are excluded: nothing to fit";
    return summary;
  }
  error = CheckRuns(table);
  if (!error.empty()) {
    summary.termination = FitTermination::kFailed;
    summary.message = error;
    return summary;
  }
  std::vector<std::string> notes;

  // Cells and their optima.
  summary.cells = GroupCells(table, options.cell_tolerance);
  const SweptDims swept = DetectSweep(table, summary.cells);
  for (Cell& cell : summary.cells) FindCellOptimum(table, swept, options, &cell);
  summary.has_sweep = swept.any();
  if (table.has_lr && !swept.lr) {
    notes.push_back("the learning rate does not vary inside any (N, T) cell: no learning-rate law");
  }
  if (table.has_batch && !swept.batch) {
    notes.push_back("the batch size does not vary inside any (N, T) cell: no batch-size law");
  }
  // Cells on the edge of their sweep, not convex or with too few values: warnings (AssessFit).

  // Resampling units: cells with a sweep, runs without.
  const std::vector<BootstrapUnit> units = MakeUnits(table, summary.cells, swept, options);

  // Hyperparameter laws, in the variables the cells can tell apart.
  std::vector<std::string> collinear_laws;  // names of the laws fitted along the sweep's line
  NTLine collinear_line;
  auto fit_hyper = [&](bool lr, HyperLawFit* fit) {
    std::vector<HyperPoint> points;
    for (const BootstrapUnit& unit : units) {
      const std::vector<HyperPoint>& from = lr ? unit.lr : unit.batch;
      points.insert(points.end(), from.begin(), from.end());
    }
    fit->points = static_cast<int>(points.size());
    const std::string name = lr ? "learning-rate" : "batch-size";
    std::string why, why_one;
    // N and T moving together (a fixed T/N ratio, one compute line): the exponents of N and T
    // cannot be told apart; the law in N alone along the line is what the data supports.
    const NTLine line = MeasureNTLine(points);
    if (std::isfinite(line.correlation) && std::fabs(line.correlation) >= kCollinearCorrelation) {
      if (FitHyperLawIn(points, options.cell_tolerance, HyperVariables::kParams, 3, &fit->law,
                        &fit->r2, &why)) {
        fit->in_params = true;
        fit->in_tokens = false;
        fit->collinear = true;
        collinear_laws.push_back(name);
        collinear_line = line;
        return true;
      }
      summary.warnings.push_back(
          {lr ? "lr_law_not_fitted" : "batch_law_not_fitted",
           name + " law not fitted: N and T move together in the cells " + "and " + why,
           Severity::kWarning});
      return false;
    }
    if (!FitHyperLaw(points, options.cell_tolerance, &fit->law, &fit->r2, &why)) {
      // One model size (or one budget): the law in the variable that does vary, reported but
      // not planned from.
      bool in_tokens = true;
      if (FitHyperLawOneVariable(points, options.cell_tolerance, &fit->law, &fit->r2, &in_tokens,
                                 &why_one)) {
        fit->in_params = !in_tokens;
        fit->in_tokens = in_tokens;
        summary.warnings.push_back(
            {lr ? "lr_law_one_variable" : "batch_law_one_variable",
             name + " law fitted in " +
                 (in_tokens ? "T alone (one model size)" : "N alone (one token budget)") + ": " +
                 why + "; it is reported but not used for plans",
             Severity::kWarning});
        return true;
      }
      if (why.empty()) why = "the least-squares fit failed";
      summary.warnings.push_back({lr ? "lr_law_not_fitted" : "batch_law_not_fitted",
                                  name + " law not fitted: " + why, Severity::kWarning});
      return false;
    }
    return true;
  };
  // Fitted at all (and resampled), and fitted in both N and T (planned from).
  const bool boot_lr = swept.lr && fit_hyper(true, &summary.lr_law);
  const bool boot_batch = swept.batch && fit_hyper(false, &summary.batch_law);
  const bool fit_lr = boot_lr && summary.lr_law.in_params && summary.lr_law.in_tokens;
  const bool fit_batch = boot_batch && summary.batch_law.in_params && summary.batch_law.in_tokens;
  if (!collinear_laws.empty()) {
    std::string laws_named = collinear_laws[0];
    if (collinear_laws.size() > 1) laws_named += " and " + collinear_laws[1];
    const NTLine& l = collinear_line;
    summary.warnings.push_back(
        {"n_t_collinear",
         "N and T move together in the cells (correlation of ln N and ln T " +
             Correlation(l.correlation) + "; the sweep follows T/N = " + Short(l.mean_ratio) +
             (std::fabs(l.slope - 1) > 0.05 ? ", T ~ N^" + Short(l.slope) : std::string()) +
             "), so their effects cannot be told apart: the " + laws_named + " law" +
             (collinear_laws.size() > 1 ? "s are" : " is") +
             " fitted in N alone along that line, reported but not used for plans (to separate "
             "N from T, train some sizes at other token budgets, e.g. 1/4x and 4x that T/N)",
         Severity::kWarning});
  }
  // Resamples the hyperparameter laws alone when there is no loss law to resample.
  const auto hyper_only_bootstrap = [&]() {
    if (options.bootstrap_samples <= 0 || !(boot_lr || boot_batch)) return false;
    return FitBootstrap(units, false, boot_lr, boot_batch, options, execution, progress, table,
                        swept, &summary, &notes);
  };

  // Loss law.
  std::vector<LossPoint> points;
  for (const BootstrapUnit& unit : units) points.push_back(unit.loss);
  summary.loss.points = static_cast<int>(points.size());
  const std::string loss_problem = CheckLossPoints(points, options.cell_tolerance);
  if (!loss_problem.empty()) {
    summary.warnings.push_back(
        {"loss_law_not_fitted", "loss law not fitted: " + loss_problem, Severity::kWarning});
    summary.termination = FitTermination::kTooFewPoints;
    if (hyper_only_bootstrap()) {
      notes.insert(notes.begin(), "cancelled during the bootstrap after " +
                                      std::to_string(summary.bootstrap_samples_done) + " of " +
                                      std::to_string(options.bootstrap_samples) + " resamples");
      summary.termination = FitTermination::kCancelled;
    }
    summary.message = Join(notes);
    return summary;
  }
  const LossFitResult loss_fit = FitLossLaw(points, options.huber_delta);
  if (!loss_fit.ok) {
    notes.insert(notes.begin(), "loss-law fit failed: " + loss_fit.error);
    summary.termination = FitTermination::kFailed;
    summary.message = Join(notes);
    return summary;
  }
  summary.loss.law = loss_fit.law;
  summary.loss.objective = loss_fit.objective;
  summary.loss.on_bound = loss_fit.on_bound;
  summary.loss.converged = loss_fit.converged;
  summary.loss.convergence = loss_fit.convergence;
  // Parameters on a bound: warnings (AssessFit).

  if (options.extrapolation_check) ExtrapolationCheck(points, options, &summary.loss, &notes);
  if (summary.has_sweep) {
    summary.sensitivity = FitSensitivity(table, summary.cells, swept, summary.lr_law.law,
                                         summary.batch_law.law, options.sensitivity_cap);
  }

  summary.laws.loss = summary.loss.law;
  summary.laws.sensitivity = summary.sensitivity;
  if (fit_lr) summary.laws.lr = summary.lr_law.law;
  if (fit_batch) summary.laws.batch = summary.batch_law.law;

  // Bootstrap.
  const bool cancelled = options.bootstrap_samples > 0 &&
                         FitBootstrap(units, true, boot_lr, boot_batch, options, execution,
                                      progress, table, swept, &summary, &notes);
  if (cancelled) {
    notes.insert(notes.begin(), "cancelled during the bootstrap after " +
                                    std::to_string(summary.bootstrap_samples_done) + " of " +
                                    std::to_string(options.bootstrap_samples) + " resamples");
    summary.termination = FitTermination::kCancelled;
    summary.message = Join(notes);
    return summary;
  }
  if (options.bootstrap_samples > 0)
    OneVariableBootstrap(units, options, execution, table, swept, &summary);
  summary.ok = true;
  summary.termination = FitTermination::kSuccess;
  summary.message = Join(notes);
  return summary;
}

}  // namespace

bool FitOptions::IsValid(std::string* error) const {
  AnalysisState state;  // the schema's rows address a whole state
  state.fit = *this;
  std::string problem;
  const bool ok = CheckSettings("fit.", state, Audience::kProgram, &problem);
  if (error) *error = problem;
  return ok;
}

FitSummary Fit(const RunTable& table, const FitOptions& options, const ProgressFn& progress,
               const BootstrapExecution& execution) {
  try {
    FitSummary summary = FitImpl(table, options, progress, execution);
    AssessFit(table, &summary);
    return summary;
  } catch (const std::exception& e) {
    // Out of memory, or a throw from a progress callback: reported, never propagated.
    FitSummary summary;
    summary.laws.name = "fit";
    summary.termination = FitTermination::kFailed;
    summary.message = std::string("fit failed: ") + e.what();
    return summary;
  } catch (...) {
    FitSummary summary;
    summary.laws.name = "fit";
    summary.termination = FitTermination::kFailed;
    summary.message = "fit failed: unknown error";
    return summary;
  }
}

bool HasLawsToResample(const FitSummary& summary) {
  return summary.status != ResultStatus::kFailed &&
         (summary.ok || summary.lr_law.law.IsSet() || summary.batch_law.law.IsSet());
}

bool AttachBootstrapSamples(const std::vector<double>& flat, FitSummary* summary) {
  LawSet laws = summary->laws;
  if (!UnflattenSamples(flat, &laws)) return false;
  summary->laws = std::move(laws);
  summary->bootstrap_samples_done = static_cast<int>(flat.size() / kFlatSampleWidth);
  summary->bootstrap_samples_attempted =
      std::max(summary->options.bootstrap_samples, summary->bootstrap_samples_done);
  summary->laws.bootstrap_requested =
      std::max(summary->laws.bootstrap_requested, summary->bootstrap_samples_attempted);
  SetLossIntervals(summary->laws.loss_samples, &summary->loss);
  // Every fitted law, in whatever variables (a law in one variable keeps its intervals too).
  if (summary->lr_law.law.IsSet()) SetHyperIntervals(summary->laws.lr_samples, &summary->lr_law);
  if (summary->batch_law.law.IsSet())
    SetHyperIntervals(summary->laws.batch_samples, &summary->batch_law);
  WithholdWeakIntervals(summary);
  WarnIntervalsOnBound(summary);
  AssessIdentifiability(summary);
  return true;
}

}  // namespace scalecalc

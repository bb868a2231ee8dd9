// fit.h: fit the paper's laws to a RunTable. FitOptions in, FitSummary out (Ceres-style).
//
//   FitOptions options;                  // defaults are sensible
//   options.optimum = OptimumMethod::kSmooth;
//   std::string error;
//   if (!options.IsValid(&error)) ...
//   FitSummary summary = Fit(table, options);
//   summary.FullReport();                // for people
//
// Deterministic: the bootstrap draws from a generator seeded with options.seed. Never throws,
// never prints; a numerical failure is summary.ok == false with summary.message.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/cells.h"
#include "core/enum_names.h"
#include "core/fit_options.h"
#include "core/hyper_law_fit.h"
#include "core/laws.h"
#include "core/loss_law_fit.h"
#include "core/run_table.h"
#include "core/sensitivity.h"
#include "core/warnings.h"

namespace scalecalc {

// kNoData only when no run is included; kTooFewPoints when the runs cannot identify the loss law
// (the cells and whatever laws they support are still reported: a partial result).
enum class FitTermination { kSuccess, kNoData, kTooFewPoints, kFailed, kCancelled };
// "success", "no data", "too few points", "failed", "cancelled"

struct FitSummary {
  bool ok = false;  // the loss law is fitted and usable: summary.laws can be planned from
  FitTermination termination = FitTermination::kNoData;
  ResultStatus status = ResultStatus::kFailed;  // ok, partial (cells at least) or failed
  std::vector<Warning> warnings;                // the trust report (warnings.h)
  std::string message;              // why not ok, then the notes and every warning's message
  std::string notes;                // the informational notes alone (no warnings)
  FitOptions options;               // the options this fit ran with
  int runs = 0, runs_included = 0;  // rows in the table, rows that entered the fit
  std::vector<Cell> cells;
  bool has_sweep = false;  // lr or batch varies inside some cell (laws attempted)
  HyperLawFit lr_law, batch_law;
  LossLawFit loss;
  Sensitivity sensitivity;
  std::vector<int> excluded_rows;       // data rows left out by the user (1-based)
  int bootstrap_samples_done = 0;       // resamples that gave a fit (kept)
  int bootstrap_samples_attempted = 0;  // resamples drawn
  std::string intervals_withheld;       // why there are no intervals although resamples were drawn
  LawSet laws;                          // the fitted laws plus bootstrap samples, for the planner
                                        // (sample k of loss, lr, batch: the same resample)

  std::string BriefReport() const;
  std::string FullReport() const;
};

// `execution` says how the bootstrap is computed (threads, a share of it), never what.
FitSummary Fit(const RunTable& table, const FitOptions& options, const ProgressFn& progress = {},
               const BootstrapExecution& execution = {});

// Whether a bootstrap of this fit has something to resample: a usable loss law, or (a partial
// result) a learning-rate or batch law, e.g. in T alone for one model size.
bool HasLawsToResample(const FitSummary& summary);

// Replaces the bootstrap samples of `summary` with `flat` (FlattenSamples' layout, e.g. computed
// by the fitting worker with the same table and options) and recomputes every interval from them.
// False, and nothing changed, if `flat` is malformed.
bool AttachBootstrapSamples(const std::vector<double>& flat, FitSummary* summary);

}  // namespace scalecalc

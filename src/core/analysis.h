// analysis.h: the steps from a saved AnalysisState to its results, in one place, so that the page,
// the fitting worker and the tests all derive the same numbers from the same state.
//
//   ReadResult read = ReadAnalysisRuns(state);          // CSV + the user's exclusions
//   FitSummary fit = FitAnalysis(state, read.table, /*bootstrap=*/false);
//   Plan plan = PlanAnalysis(state, fit.laws);
#pragma once

#include "core/analysis_state.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/planner.h"

namespace scalecalc {

// Reads state.csv_text with the state's reader settings and marks the excluded rows.
ReadResult ReadAnalysisRuns(const AnalysisState& state);
// Fits with the state's options; without `bootstrap` the resample count is 0 (a quick fit).
// `execution`: a share of the resamples (a fitting worker's), threads.
FitSummary FitAnalysis(const AnalysisState& state, const RunTable& table, bool bootstrap,
                       const ProgressFn& progress = {}, const BootstrapExecution& execution = {});
// The table a fit of `group` reads: the whole table (group < 0), else the rows of group number
// `group` (0-based, order of first appearance) of state.group_column, as core/groups.h splits
// them. False with a message (naming the "group by" control) when there is no such group.
bool GroupTable(const AnalysisState& state, const RunTable& table, int group, RunTable* out,
                std::string* error);
// Plans the state's budget with `laws` and the state's (single) compute model.
Plan PlanAnalysis(const AnalysisState& state, const LawSet& laws);

// The budget in the unit the state shows it in (FLOPs, PF-days, GPU-hours at the state's
// throughput), and back: a value typed in that unit, in FLOPs.
double BudgetInUnit(const AnalysisState& state);
double BudgetFlopsFromUnit(const AnalysisState& state, double value);

}  // namespace scalecalc

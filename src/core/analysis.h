// analysis.h: the one pipeline from a saved AnalysisState to its results, so that the page, the
// fitting workers, `scalecalc open` and the tests all derive the same numbers from the same state.
//
//   read -> flags and exclusions -> groups -> fit -> bootstrap -> plan -> IsoFLOP -> design
//
//   Analysis a = Analyze(state);                         // every stage, in order (the CLI)
//
// The page keeps its cheap path by asking for the stages one at a time (app/model.cpp: point fits
// on the main thread, the bootstrap's resamples in the workers, attached later); what makes each
// stage stale is the schema's Stage of the setting that changed (settings_schema.h).
//
//   AnalyzeOptions quick;
//   quick.bootstrap = false;
//   Analysis a;
//   ReadStage(state, &a);                                // the CSV and the user's exclusions
//   FitStage(state, quick, &a);                          // point fits, intervals pending
//   PlanStage(state, quick, &a);                         // plans, Approach 2, the design
#pragma once

#include "core/analysis_state.h"
#include "core/designer.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/isoflop.h"
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

// The group the headline results (fit, plan, IsoFLOP, design) come from: an index into `groups`,
// or -1 when the data is not split or all groups are pooled (state.shown_group 0). A number the
// data has not gives the nearest group.
int HeadlineGroupOf(const AnalysisState& state, size_t group_count);
// Approach 2 on `table` beside its surface fit, with the state's compute model and fit options.
IsoFlopResult IsoFlopAnalysis(const AnalysisState& state, const RunTable& table,
                              const FitSummary& fit);
// The designer's options for the state: its budget and compute model, the per-candidate limit
// (auto: what the included runs of `table` cost), the allowance (auto: that limit) and its seed;
// `simulation_draws` 0 for the linearised screen alone (what the page shows at once).
DesignOptions DesignOptionsFor(const AnalysisState& state, const RunTable& table,
                               int simulation_draws);

// Everything the state derives, as the page shows it.
struct Analysis {
  ReadResult read;   // the runs, flagged and excluded rows marked
  GroupSplit split;  // state.group_column set: the table split by it (ok false: why not)
  std::vector<GroupAnalysis> groups;
  int headline_group = -1;  // HeadlineGroupOf
  FitSummary fit;           // the headline table's
  bool planned = false;     // PlanFit made `plan` (not when the fit failed or no plan was asked)
  Plan plan;                // at the state's budget; ok false says why not
  IsoFlopResult isoflop;
  MethodComparison isoflop_comparison;
  Design design;  // the next runs to add (a fit without a loss law: the design says so)

  // The headline table: the headline group's rows, or the whole table.
  const RunTable& HeadlineTable() const;
};
struct AnalyzeOptions {
  bool bootstrap = true;         // the state's resamples (false: point fits, intervals pending)
  BootstrapExecution execution;  // threads: how the resamples are computed, never what
  bool plan = true;              // false: no plans (scalecalc fit without --budget)
  // The designer's simulation draws: 0 the linearised screen alone (the page's), -1 no design.
  int design_draws = 0;
  ProgressFn design_progress;  // the simulation's refits (a worker's progress bar)
};

// The stages, in order; each derives its part of an Analysis from the state and the parts before
// it. Analyze runs them all; the page runs them from the stalest on (what a setting makes stale is
// its schema row's Stage) and attaches each fit's resamples later, then plans that fit again.
//   ReadStage: read (the CSV, flags, the user's exclusions)
//   FitStage:  split, each group's fit and Approach 2, headline_group, the headline's fit and
//              Approach 2 (they depend on the data and the fit settings alone)
//   PlanStage: each group's plan and comparison of the methods (PlanGroupStage), then the
//              headline's plan, comparison and design (PlanHeadlineStage)
void ReadStage(const AnalysisState& state, Analysis* a);
void FitStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a);
void PlanGroupStage(const AnalysisState& state, const AnalyzeOptions& options, int group,
                    Analysis* a);
void PlanHeadlineStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a);
void PlanStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a);
// Every stage in order. Never throws; a stage that cannot run leaves its result not ok, with why.
Analysis Analyze(const AnalysisState& state, const AnalyzeOptions& options = {});

// The budget in the unit the state shows it in (FLOPs, PF-days, GPU-hours at the state's
// throughput), and back: a value typed in that unit, in FLOPs.
double BudgetInUnit(const AnalysisState& state);
double BudgetFlopsFromUnit(const AnalysisState& state, double value);

}  // namespace scalecalc

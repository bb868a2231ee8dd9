#include "core/analysis.h"

#include <algorithm>
#include <cmath>

namespace scalecalc {

ReadResult ReadAnalysisRuns(const AnalysisState& state) {
  ReadResult read = ReadRuns(state.csv_text, state.MakeReadOptions());
  std::vector<int> excluded = state.excluded_rows;
  std::sort(excluded.begin(), excluded.end());
  for (Run& run : read.table.runs) {
    // Flagged rows (already excluded by the reader unless kept) stay out; the user adds to them.
    run.excluded =
        run.excluded || std::binary_search(excluded.begin(), excluded.end(), run.data_row);
  }
  return read;
}

FitSummary FitAnalysis(const AnalysisState& state, const RunTable& table, bool bootstrap,
                       const ProgressFn& progress, const BootstrapExecution& execution) {
  FitOptions options = state.fit;
  if (!bootstrap) options.bootstrap_samples = 0;
  FitSummary summary = Fit(table, options, progress, execution);
  // A quick fit before the bootstrap: its intervals are pending, not "not asked for".
  if (summary.laws.fitted) summary.laws.bootstrap_requested = state.fit.bootstrap_samples;
  return summary;
}

bool GroupTable(const AnalysisState& state, const RunTable& table, int group, RunTable* out,
                std::string* error) {
  if (group < 0) {
    *out = table;
    return true;
  }
  GroupSplit split = SplitByColumn(table, state.group_column);
  if (!split.ok) {
    *error = split.message;
    return false;
  }
  if (group >= static_cast<int>(split.groups.size())) {
    *error = "group by: column '" + split.column + "' has " + std::to_string(split.groups.size()) +
             " groups, not " + std::to_string(group + 1);
    return false;
  }
  *out = std::move(split.groups[group].table);
  return true;
}

Plan PlanAnalysis(const AnalysisState& state, const LawSet& laws) {
  return MakePlan(laws, state.MakePlanOptions());
}

int HeadlineGroupOf(const AnalysisState& state, size_t group_count) {
  if (group_count == 0 || state.shown_group <= 0) return -1;
  return std::min(state.shown_group, static_cast<int>(group_count)) - 1;
}

IsoFlopResult IsoFlopAnalysis(const AnalysisState& state, const RunTable& table,
                              const FitSummary& fit) {
  return FitIsoFlop(IsoFlopPointsOf(table, fit, state.compute), state.compute,
                    IsoFlopOptionsFor(state.fit));
}

DesignOptions DesignOptionsFor(const AnalysisState& state, const RunTable& table,
                               int simulation_draws) {
  DesignOptions options;
  options.budget_flops = state.plan.budget_flops;
  options.compute = state.compute;
  options.max_flops = state.design_max_flops;
  if (std::isnan(options.max_flops)) {  // auto: as much again as the sweep cost
    options.max_flops = 0;
    for (const Run& run : table.runs) {
      if (!run.excluded) options.max_flops += TrainingFlops(state.compute, run.params, run.tokens);
    }
  }
  options.allowance_flops = state.design_allowance_flops;
  options.seed = state.fit.seed;
  options.simulation_draws = simulation_draws;
  return options;
}

const RunTable& Analysis::HeadlineTable() const {
  return headline_group >= 0 && headline_group < static_cast<int>(split.groups.size())
             ? split.groups[headline_group].table
             : read.table;
}

void ReadStage(const AnalysisState& state, Analysis* a) {
  a->read = ReadAnalysisRuns(state);
}

void FitStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a) {
  a->split = GroupSplit{};
  a->groups.clear();
  a->fit = FitSummary{};
  a->isoflop = IsoFlopResult{};
  a->headline_group = -1;
  if (!a->read.ok) {
    a->fit.message = "no data to fit: the data could not be read";
    return;
  }
  if (!state.group_column.empty()) {
    a->split = SplitByColumn(a->read.table, state.group_column);
    for (const RunGroup& group : a->split.groups) {  // none when the split is refused
      GroupAnalysis g;
      g.name = group.name;
      g.runs = static_cast<int>(group.table.runs.size());
      g.excluded = g.runs - group.table.CountIncluded();
      g.analysis.fit = FitAnalysis(state, group.table, options.bootstrap, {}, options.execution);
      g.analysis.isoflop = IsoFlopAnalysis(state, group.table, g.analysis.fit);
      a->groups.push_back(std::move(g));
    }
  }
  a->headline_group = HeadlineGroupOf(state, a->groups.size());
  if (a->headline_group >= 0) {  // the same table, the same fit
    a->fit = a->groups[a->headline_group].analysis.fit;
    a->isoflop = a->groups[a->headline_group].analysis.isoflop;
  } else {
    a->fit = FitAnalysis(state, a->read.table, options.bootstrap, {}, options.execution);
    a->isoflop = IsoFlopAnalysis(state, a->read.table, a->fit);
  }
}

void PlanGroupStage(const AnalysisState& state, const AnalyzeOptions& options, int group,
                    Analysis* a) {
  if (group < 0 || group >= static_cast<int>(a->groups.size())) return;
  const PlanOptions plan_options = state.MakePlanOptions();
  PlanAndCompare(options.plan ? &plan_options : nullptr, &a->groups[group].analysis);
}

void PlanHeadlineStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a) {
  a->planned = options.plan && PlanFit(a->fit, state.MakePlanOptions(), &a->plan);
  if (!a->planned) a->plan = Plan{};
  a->design = Design{};
  a->isoflop_comparison = CompareMethods(a->isoflop, a->fit, a->planned ? &a->plan : nullptr);
  if (a->read.ok && options.design_draws >= 0) {  // a fit without a loss law: the design says so
    DesignOptions design = DesignOptionsFor(state, a->HeadlineTable(), options.design_draws);
    design.threads = options.execution.threads;
    a->design = DesignNextRuns(a->HeadlineTable(), a->fit, design, options.design_progress);
  }
}

void PlanStage(const AnalysisState& state, const AnalyzeOptions& options, Analysis* a) {
  for (int g = 0; g < static_cast<int>(a->groups.size()); ++g) {
    PlanGroupStage(state, options, g, a);
  }
  PlanHeadlineStage(state, options, a);
}

Analysis Analyze(const AnalysisState& state, const AnalyzeOptions& options) {
  Analysis a;
  ReadStage(state, &a);
  FitStage(state, options, &a);
  PlanStage(state, options, &a);
  return a;
}

namespace {
constexpr double kFlopsPerPfDay = 1e15 * 86400;  // 1 PF-day = 1e15 FLOP/s for a day

double FlopsPerUnit(const AnalysisState& state) {
  switch (state.budget_unit) {
    case BudgetUnit::kFlops:
      return 1;
    case BudgetUnit::kPfDays:
      return kFlopsPerPfDay;
    case BudgetUnit::kGpuHours:
      return 3600 * state.gpu_flops_per_second;
  }
  return 1;
}
}  // namespace

double BudgetInUnit(const AnalysisState& state) {
  return state.plan.budget_flops / FlopsPerUnit(state);
}

double BudgetFlopsFromUnit(const AnalysisState& state, double value) {
  return value * FlopsPerUnit(state);
}

}  // namespace scalecalc

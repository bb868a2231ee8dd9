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

GroupStage AnalyzeStateGroups(const AnalysisState& state, const ReadResult& read, bool bootstrap,
                              const BootstrapExecution& execution) {
  GroupStage out;
  if (state.group_column.empty() || !read.ok) return out;
  out.split = SplitByColumn(read.table, state.group_column);
  if (!out.split.ok) return out;
  FitOptions options = state.fit;
  if (!bootstrap) options.bootstrap_samples = 0;
  const PlanOptions plan_options = state.MakePlanOptions();
  out.groups = AnalyzeGroups(out.split, options, state.compute, &plan_options, execution);
  if (bootstrap) return out;
  // Point fits before their bootstrap: the plans say the intervals are pending.
  for (GroupAnalysis& g : out.groups) {
    TableAnalysis& t = g.analysis;
    if (!t.fit.laws.fitted || state.fit.bootstrap_samples <= 0) continue;
    t.fit.laws.bootstrap_requested = state.fit.bootstrap_samples;
    if (t.planned) t.plan = MakePlan(t.fit.laws, plan_options);
  }
  return out;
}

int HeadlineGroupOf(const AnalysisState& state, size_t group_count) {
  if (group_count == 0 || state.shown_group <= 0) return -1;
  return std::min(state.shown_group, static_cast<int>(group_count)) - 1;
}

RunTable HeadlineRows(const AnalysisState& state, const RunTable& table) {
  if (state.group_column.empty() || state.shown_group <= 0) return table;
  GroupSplit split = SplitByColumn(table, state.group_column);
  const int g = split.ok ? HeadlineGroupOf(state, split.groups.size()) : -1;
  return g >= 0 ? std::move(split.groups[g].table) : table;
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

Analysis Analyze(const AnalysisState& state, const AnalyzeOptions& options) {
  Analysis a;
  a.read = ReadAnalysisRuns(state);
  if (!a.read.ok) {
    a.fit.message = "no data to fit: the data could not be read";
    return a;
  }
  GroupStage grouped = AnalyzeStateGroups(state, a.read, options.bootstrap, options.execution);
  a.split = std::move(grouped.split);
  a.groups = std::move(grouped.groups);
  a.headline_group = HeadlineGroupOf(state, a.groups.size());
  if (a.headline_group >= 0) {
    a.fit = a.groups[a.headline_group].analysis.fit;  // the same table, the same fit
  } else {
    a.fit = FitAnalysis(state, a.read.table, options.bootstrap, {}, options.execution);
  }
  if (a.fit.ok) a.plan = PlanAnalysis(state, a.fit.laws);
  a.isoflop = IsoFlopAnalysis(state, a.HeadlineTable(), a.fit);
  a.isoflop_comparison = CompareMethods(a.isoflop, a.fit, a.plan.ok ? &a.plan : nullptr);
  if (a.fit.ok) {
    a.design = DesignNextRuns(a.HeadlineTable(), a.fit,
                              DesignOptionsFor(state, a.HeadlineTable(), /*simulation_draws=*/0));
  }
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

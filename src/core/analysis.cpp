#include "core/analysis.h"

#include <algorithm>

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
  PlanOptions options = state.plan;
  options.compute = state.compute;
  return MakePlan(laws, options);
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

#include "core/analysis.h"

#include <algorithm>

namespace scalecalc {

ReadResult ReadAnalysisRuns(const AnalysisState& state) {
  ReadResult read = ReadRuns(state.csv_text, state.MakeReadOptions());
  std::vector<int> excluded = state.excluded_rows;
  std::sort(excluded.begin(), excluded.end());
  for (Run& run : read.table.runs) {
    run.excluded = std::binary_search(excluded.begin(), excluded.end(), run.data_row);
  }
  return read;
}

FitSummary FitAnalysis(const AnalysisState& state, const RunTable& table, bool bootstrap,
                       const ProgressFn& progress) {
  FitOptions options = state.fit;
  if (!bootstrap) options.bootstrap_samples = 0;
  return Fit(table, options, progress);
}

Plan PlanAnalysis(const AnalysisState& state, const LawSet& laws) {
  PlanOptions options = state.plan;
  options.compute = state.compute;
  return MakePlan(laws, options);
}

}  // namespace scalecalc

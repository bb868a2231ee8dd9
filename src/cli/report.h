// report.h: the CLI's human-readable output for plans and presets (the fit's own report is
// FitSummary::FullReport).
#pragma once

#include <string>
#include <vector>

#include "core/groups.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {

std::string PlanReport(const Plan& plan, const PlanOptions& options);
std::string PresetListReport();
// The rows a flag column marked, with the reason and whether they are kept; "" when none.
std::string FlaggedReport(const RunTable& table);
// Approach 2's budgets, vertices and power law, and its comparison with the surface fit.
std::string IsoFlopReport(const IsoFlopResult& isoflop, const MethodComparison& comparison);
// One row per group: runs used / excluded, the loss law, a, N_opt and loss at the budget.
std::string GroupComparisonReport(const std::string& column,
                                  const std::vector<GroupAnalysis>& groups);
// Title, source, notes and, when the preset publishes N_opt laws, the published-vs-derived
// comparison at the plan's budget.
std::string PresetReport(const PresetInfo& preset, const PlanOptions& options);

}  // namespace scalecalc

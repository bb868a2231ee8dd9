// report.h: the CLI's human-readable output for plans and presets (the fit's own report is
// FitSummary::FullReport).
#pragma once

#include <string>

#include "core/designer.h"
#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {

std::string PlanReport(const Plan& plan, const PlanOptions& options);
std::string PresetListReport();
// The sweep designer's candidates, best first.
std::string DesignReport(const Design& design, const DesignOptions& options);
// Title, source, notes and, when the preset publishes N_opt laws, the published-vs-derived
// comparison at the plan's budget.
std::string PresetReport(const PresetInfo& preset, const PlanOptions& options);

}  // namespace scalecalc

// report.h: the CLI's human-readable output for plans and presets (the fit's own report is
// FitSummary::FullReport).
#pragma once

#include <string>

#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {

// video_dit false (an LLM law set): no DiT shape, samples per batch or inference per video.
std::string PlanReport(const Plan& plan, const PlanOptions& options, bool video_dit = true);
std::string PresetListReport();
// Title, source, notes and, when the preset publishes N_opt laws, the published-vs-derived
// comparison at the plan's budget.
std::string PresetReport(const PresetInfo& preset, const PlanOptions& options);

}  // namespace scalecalc

// plan_report.h: the planner's table, and the same plan as Markdown and CSV; the fitted laws and
// plan as JSON (the CLI's format, from the core). Presentation only.
#pragma once

#include <string>
#include <vector>

#include "app/model.h"
#include "core/text_table.h"

namespace scalecalc::app {

// The planner's table (core/result_tables.h PlanTable with the page's sample word and compared
// preset), and as Markdown with the data's name and the loss law under it.
TableText PlanTableOf(const Model& model);
std::string PlanMarkdown(const Model& model);
// The fitted laws and the plan in raw units with their intervals, one quantity a row.
std::string PlanCsv(const Model& model);
// The results file ("Download results (JSON)", the resultsJson() hook): core AnalysisJson, the
// same text `scalecalc open --json` prints for the same link.
std::string AnalysisResultsJson(const Model& model);
// The test hook getResults(): the results file's JSON and what the page shows (plan rows, group
// toggles, bootstrap progress, the cost panel's table, ...).
std::string ResultsJson(const Model& model);

}  // namespace scalecalc::app

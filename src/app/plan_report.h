// plan_report.h: the plan as rows a person reads, and the same rows as Markdown and CSV; the
// fitted laws and plan as JSON (the CLI's format, from the core). Presentation only.
#pragma once

#include <string>
#include <vector>

#include "app/model.h"

namespace scalecalc::app {

struct PlanRow {
  std::string quantity;  // "model size N"
  std::string value;     // "2.43B"
  std::string interval;  // "[2.1B, 2.8B]" or ""
  std::string compare;   // the compared law's value, or ""
};

std::vector<PlanRow> PlanRows(const Model& model);
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

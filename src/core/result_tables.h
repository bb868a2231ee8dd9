// result_tables.h: the results' tables as text (text_table.h), each built once: the page draws
// it (app/layout.h DrawTextTable) and copies it as TSV or Markdown, the CLI prints it
// (ToAlignedText), tests read it. What is shown is what is copied and what is printed.
#pragma once

#include <string>
#include <vector>

#include "core/fit.h"
#include "core/groups.h"
#include "core/planner.h"
#include "core/text_table.h"

namespace scalecalc {

// The cells: N, T, runs, the optimal lr and batch, the loss, and the flags (an lr or batch optimum
// on the sweep's edge or outside its range, a smooth optimum not convex, from too few values or
// outside its window).
TableText CellsTable(const FitSummary& fit);

struct PlanTableOptions {
  // The batch in whole samples, named by this word ("video", "sequence"); "" for no such row (a law
  // set with no samples: the LLM presets).
  std::string sample_word = "sample";
  bool shape = true;              // the DiT shape row (false for a law set without shapes)
  const Plan* compare = nullptr;  // a last column with this plan (a preset's), titled:
  std::string compare_title;
};
// The recommended configuration: quantity, value, 95% interval (and the compared plan): the
// budget, N, shape, the continuous optimum's N, T, tokens per parameter, lr, batch, steps, loss,
// and what forced values cost. `options` are the plan's (tokens per sample, a fixed N).
TableText PlanTable(const Plan& plan, const PlanOptions& options,
                    const PlanTableOptions& table = {});

// The groups side by side: runs used and excluded, the loss law's constants, a = beta / (alpha +
// beta) and Approach 2's, N_opt and the loss at the budget, the lr and batch laws' exponents. A
// cell's 95% interval is its second line; a law not fitted says why ("[loss_law_not_fitted]").
TableText GroupComparisonTable(const std::vector<GroupAnalysis>& groups);
// The column of GroupComparisonTable where a group's loss law starts (E), for the page's warning.
constexpr int kGroupLawColumn = 3;

}  // namespace scalecalc

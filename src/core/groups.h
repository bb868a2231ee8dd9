// groups.h: experiments side by side. One table split by a text column, every group analysed on
// its own with the same options.
//
//   GroupSplit split = SplitByColumn(read.table, "experiment");    // refuses > kMaxGroups values
//   if (!split.ok) show(split.message);
//   for (const RunGroup& g : split.groups) {
//     TableAnalysis a = AnalyzeTable(g.table, fit_options, compute, &plan_options);
//   }
//
// A group's table holds exactly its rows, in file order, with has_lr / has_batch as the reader
// would set them for those rows alone: its fit equals the fit of a file of those rows, bit for bit.
// Deterministic; never throws, never prints.
#pragma once

#include <string>
#include <vector>

#include "core/fit.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/run_table.h"

namespace scalecalc {

constexpr int kMaxGroups = 50;                      // more distinct values are refused, not fitted
constexpr const char* kBlankGroupName = "(empty)";  // the group of rows whose value is blank

struct RunGroup {
  std::string name;  // the column's value (kBlankGroupName for blank cells)
  RunTable table;
};

struct GroupSplit {
  bool ok = false;
  std::string message;           // why not ok, naming --group-by / the "group by" control
  std::string column;            // the header as read
  std::vector<RunGroup> groups;  // in order of first appearance
};

// Rows split by the value of text column `column` (the exact header, else the same name up to
// case). Refused when the column does not exist or has more than `max_groups` distinct values.
GroupSplit SplitByColumn(const RunTable& table, const std::string& column,
                         int max_groups = kMaxGroups);

// Text columns a user may group by: 2 to kMaxGroups distinct values, not all numbers.
std::vector<std::string> GroupableColumns(const RunTable& table);

// Everything computed for one table: the surface fit, the plan (when plan options are given and the
// fit has laws), Approach 2 and the comparison of the two.
struct TableAnalysis {
  FitSummary fit;
  bool planned = false;
  Plan plan;
  IsoFlopResult isoflop;
  MethodComparison comparison;
};
// The plan of a fit, the one rule for the page, the CLI and every group: planned (true) whenever
// the fit has laws, since a partial fit can still size lr and batch at a fixed N; a partial fit
// that cannot plan says "not planned: the fit is partial (why)". False when the fit failed.
bool PlanFit(const FitSummary& fit, const PlanOptions& options, Plan* plan);
// What follows a table's fit and Approach 2 (which depend on the data and the fit settings
// alone): the plan (PlanFit, when `plan_options` are given) and the two methods compared.
void PlanAndCompare(const PlanOptions* plan_options, TableAnalysis* analysis);
// Fit, Approach 2 (fit_options' tolerance, bootstrap count and seed), then PlanAndCompare.
TableAnalysis AnalyzeTable(const RunTable& table, const FitOptions& fit_options,
                           const ComputeModel& compute, const PlanOptions* plan_options,
                           const ProgressFn& progress = {},
                           const BootstrapExecution& execution = {});
// Approach 2 with the fit's tolerance, bootstrap count and seed.
IsoFlopOptions IsoFlopOptionsFor(const FitOptions& fit_options);

struct GroupAnalysis {
  std::string name;
  int runs = 0;      // rows in the group
  int excluded = 0;  // of which excluded (flagged or by the user)
  TableAnalysis analysis;
};
// One row of the comparison table (CLI report, JSON, the app's groups panel): the loss law, the
// compute-optimal exponent a = beta / (alpha + beta), N_opt and the loss at the budget, Approach
// 2's exponent; intervals from the bootstrap (NaN without one).
struct ComparisonRow {
  std::string name;
  int runs = 0, used = 0, excluded = 0;
  bool fitted = false;
  std::string why;  // why not fitted
  LossLaw law;
  Interval E_ci, A_ci, alpha_ci, B_ci, beta_ci;
  double a = NAN;
  Interval a_ci;
  double params_opt = NAN, loss_opt = NAN;  // at the plan's budget (NaN without a plan)
  Interval params_ci, loss_ci;
  double isoflop_exp = NAN;  // Approach 2's a (NaN when not applicable)
  Interval isoflop_exp_ci;
  // Short reason code where the loss-law columns are missing: the fit's warning code
  // (loss_law_not_fitted, loss_law_degenerate, ...) or its termination ("failed", "no data").
  std::string why_code;
  // The learning-rate and batch laws' exponents with their intervals, whatever variables the
  // law was fitted in ("N T", "N" along a collinear sweep or one budget, "T" for one size);
  // NaN for a variable the law does not use. why_code says why a law is missing: its warning
  // code (lr_law_not_fitted, batch_law_degenerate, ...) or "not_swept".
  struct HyperColumn {
    bool fitted = false;
    std::string variables;  // "N T", "N", "T"
    double exp_params = NAN, exp_tokens = NAN;
    Interval exp_params_ci, exp_tokens_ci;
    std::string why_code;
  };
  HyperColumn lr, batch;
};
ComparisonRow ComparisonRowOf(const std::string& name, int runs, const TableAnalysis& analysis);

std::vector<GroupAnalysis> AnalyzeGroups(const GroupSplit& split, const FitOptions& fit_options,
                                         const ComputeModel& compute,
                                         const PlanOptions* plan_options,
                                         const BootstrapExecution& execution = {});

}  // namespace scalecalc

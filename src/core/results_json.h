// results_json.h: fitted laws and plans as JSON, built with nlohmann-json: the CLI's --json output
// and the page's exports and test hook. Every quantity in raw units (parameters, tokens, FLOPs,
// batch in tokens); NaN and infinities become null, so the output is always valid JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/csv_reader.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {

nlohmann::json JsonNumber(double value);                // null unless finite
nlohmann::json JsonInterval(const Interval& interval);  // [lo, hi]

// {E, A, alpha, B, beta, objective, points, on_bound, holdout_params, holdout_rel_error,
//  ci95: {E: [lo, hi], ...}}
nlohmann::json LossLawJson(const LossLawFit& fit);
// {coef, exp_N, exp_T, points, r2, ci95: {coef, exp_N, exp_T}}
nlohmann::json HyperLawJson(const HyperLawFit& fit);
// A plan: the optimum's {flops, params, tokens, lr, batch_tokens, loss, ...}, intervals, the
// smallest model within tolerance and the total-cost point.
nlohmann::json PlanJson(const Plan& plan, const PlanOptions& options);

// The whole `fit` output. `plan` may be null (no --budget).
nlohmann::json FitJson(const FitSummary& summary, const ReadResult& read,
                       const std::vector<int>& excluded_rows, const Plan* plan,
                       const PlanOptions& plan_options, const std::vector<std::string>& warnings);
// One preset: {name, title, source, notes, compute, loss_law, lr_law, batch_law,
// published_optima}; the laws without intervals, absent when the source gives none.
nlohmann::json PresetJson(const PresetInfo& preset);

// Approach 2: {applicable, ok, message, params_coef, params_exp, tokens_coef, tokens_exp,
//  budgets: [{flops, points, sizes, params_opt, tokens_opt, loss_opt, flag}], ci95, comparison}.
nlohmann::json IsoFlopJson(const IsoFlopResult& isoflop, const MethodComparison& comparison);
// One table's fit output (FitJson) with its "isoflop" object when Approach 2 applies.
nlohmann::json TableJson(const TableAnalysis& analysis, const ReadResult& read,
                         const std::vector<int>& excluded_rows, const PlanOptions& plan_options,
                         const std::vector<std::string>& warnings);
// {"group_by": COLUMN, "groups": [{"name": ..., <TableJson fields>, "comparison_row": {...}}]}.
nlohmann::json GroupsJson(const GroupSplit& split, const std::vector<GroupAnalysis>& groups,
                          const ReadResult& read, const std::vector<int>& excluded_rows,
                          const PlanOptions& plan_options,
                          const std::vector<std::string>& warnings);

// Pretty-printed, with invalid UTF-8 (from a CSV header) replaced rather than thrown on.
std::string DumpJson(const nlohmann::json& json);

}  // namespace scalecalc

// results_json.h: fitted laws and plans as JSON, built with nlohmann-json: the CLI's --json output
// and the page's exports and test hook. Every quantity in raw units (parameters, tokens, FLOPs,
// batch in tokens); NaN and infinities become null, so the output is always valid JSON.
#pragma once

#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/csv_reader.h"
#include "core/designer.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/isoflop.h"
#include "core/json.h"
#include "core/planner.h"
#include "core/presets.h"

namespace scalecalc {

Json JsonNumber(double value);                // null unless finite
Json JsonInterval(const Interval& interval);  // [lo, hi]
// [{code, message, severity}]
Json WarningsJson(const std::vector<Warning>& warnings);

// {E, A, alpha, B, beta, objective, points, on_bound, holdout_params, holdout_rel_error,
//  ci95: {E: [lo, hi], ...}}
Json LossLawJson(const LossLawFit& fit);
// {coef, exp_N, exp_T, points, r2, ci95: {coef, exp_N, exp_T}}
Json HyperLawJson(const HyperLawFit& fit);
// A plan: the practical optimum's {flops, params, tokens, lr, batch_tokens, loss, shape: {width,
// depth, heads, head_dim}, hyperparameter_penalty, ...}, the continuous `ideal`, `nearby_shapes`,
// intervals, the smallest model within tolerance, the total-cost point, and with forced values
// `free_optimum`, `constraint_loss_cost` and `constraint_budget_fraction`. Renamed keys keep
// their old names as aliases: `flops` (budget_flops), `constraint_flops_cost`,
// `inference_saving_flops` (inference_saving_fraction).
Json PlanJson(const Plan& plan, const PlanOptions& options);

// The whole `fit` output. `plan` may be null (no --budget).
Json FitJson(const FitSummary& summary, const ReadResult& read,
             const std::vector<int>& excluded_rows, const Plan* plan,
             const PlanOptions& plan_options, const std::vector<std::string>& warnings);
// One preset: {name, title, source, notes, compute, loss_law, lr_law, batch_law,
// published_optima}; the laws without intervals, absent when the source gives none.
Json PresetJson(const PresetInfo& preset);

// The sweep designer: {ok, termination, message, method ("simulated", "linearised", "separation"),
// identified, budget_flops, max_flops, allowance_flops, compute, simulation: {draws,
// confirm_draws, bootstrap_samples, seed, refits, run_noise, cell_noise}, current: {params, loss,
// params_ci95, loss_ci95, linear_params_ci95}, residual_scale, warnings: [{code, message,
// severity}], cells: [{params, tokens}] (the existing ones), recommended: {cells: [candidate...]
// in the order picked, runs, flops, simulated, expected_params_ci95, expected_loss_ci95,
// narrowing}, candidates: [{params, tokens, runs, flops, lr: [...], batch_tokens: [...],
// simulated, expected_params_ci95, expected_loss_ci95, linear_params_ci95, narrowing, value,
// separation}] best first}.
Json DesignJson(const Design& design, const FitSummary& fit);
// Approach 2: {applicable, ok, termination, message, params_coef, params_exp, tokens_coef,
// tokens_exp,
//  budgets: [{flops, points, sizes, params_opt, tokens_opt, loss_opt, flag}], ci95, comparison}.
Json IsoFlopJson(const IsoFlopResult& isoflop, const MethodComparison& comparison);
// One table's fit output (FitJson) with its "isoflop" object when Approach 2 applies.
Json TableJson(const TableAnalysis& analysis, const ReadResult& read,
               const std::vector<int>& excluded_rows, const PlanOptions& plan_options,
               const std::vector<std::string>& warnings);
// {"group_by": COLUMN, "groups": [{"name": ..., <TableJson fields>, "comparison_row": {...}}]}.
Json GroupsJson(const GroupSplit& split, const std::vector<GroupAnalysis>& groups,
                const ReadResult& read, const std::vector<int>& excluded_rows,
                const PlanOptions& plan_options, const std::vector<std::string>& warnings);

// The results of a state's analysis as the page shows them: the page's "Download results
// (JSON)" and resultsJson() hook, and `scalecalc open --json` (one writer, so the two agree).
// The headline table's fit (FitJson, with its plan at the state's budget), "isoflop" when
// Approach 2 applies, "design" (the designer's linearised screen, as the page shows it at once),
// "headline_group" (1-based; 0: the whole table) and, with a group column, "group_by",
// "group_error" ("" or why the column cannot be used) and "groups" (GroupsJson); the reader's
// problems lead the "warnings" (code "input"); "version" is the state format of this build.
Json AnalysisJson(const AnalysisState& state, const Analysis& analysis);

// Pretty-printed, with invalid UTF-8 (from a CSV header) replaced rather than thrown on.
std::string DumpJson(const Json& json);

}  // namespace scalecalc

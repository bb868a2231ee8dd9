#include "core/results_json.h"

#include <algorithm>
#include <cmath>

namespace scalecalc {

using json = Json;  // short: the type this file builds everywhere

json JsonNumber(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json JsonInterval(const Interval& interval) {
  return json::array({JsonNumber(interval.lo), JsonNumber(interval.hi)});
}

namespace {

json LossLawValues(const LossLaw& law) {
  return {{"E", JsonNumber(law.E)},
          {"A", JsonNumber(law.A)},
          {"alpha", JsonNumber(law.alpha)},
          {"B", JsonNumber(law.B)},
          {"beta", JsonNumber(law.beta)}};
}

json PowerLawValues(const PowerLaw2& law) {
  return {{"coef", JsonNumber(law.coef)},
          {"exp_N", JsonNumber(law.exp_params)},
          {"exp_T", JsonNumber(law.exp_tokens)}};
}

json PointJson(const PlanPoint& p) {
  return {{"params", JsonNumber(p.params)},
          {"tokens", JsonNumber(p.tokens)},
          {"loss", JsonNumber(p.loss)},
          {"lr", JsonNumber(p.lr)},
          {"batch_tokens", JsonNumber(p.batch_tokens)},
          {"batch_samples", JsonNumber(p.batch_samples)},
          {"steps", JsonNumber(p.steps)},
          {"training_flops", JsonNumber(p.training_flops)},
          {"hyperparameter_penalty", JsonNumber(p.hyperparameter_penalty)},
          {"shape",
           {{"width", JsonNumber(p.shape.width)},
            {"depth", JsonNumber(p.shape.depth)},
            {"heads", p.shape.heads > 0 ? JsonNumber(p.shape.heads) : json(nullptr)},
            {"head_dim", p.shape.heads > 0 ? JsonNumber(p.shape.head_dim) : json(nullptr)}}}};
}

}  // namespace

json WarningsJson(const std::vector<Warning>& warnings) {
  json out = json::array();
  for (const Warning& w : warnings) {
    out.push_back({{"code", w.code}, {"message", w.message}, {"severity", ToString(w.severity)}});
  }
  return out;
}

json LossLawJson(const LossLawFit& fit) {
  json out = LossLawValues(fit.law);
  out["objective"] = JsonNumber(fit.objective);
  out["points"] = fit.points;
  out["on_bound"] = fit.on_bound;
  out["holdout_params"] = JsonNumber(fit.holdout_params);
  out["holdout_rel_error"] = JsonNumber(fit.holdout_rel_error);
  out["holdout_signed_error"] = JsonNumber(fit.holdout_signed_error);
  out["holdout_points"] = fit.holdout_points;
  out["converged"] = fit.converged;
  out["convergence"] = fit.convergence;
  out["ci95"] = {{"E", JsonInterval(fit.E_ci)},
                 {"A", JsonInterval(fit.A_ci)},
                 {"alpha", JsonInterval(fit.alpha_ci)},
                 {"B", JsonInterval(fit.B_ci)},
                 {"beta", JsonInterval(fit.beta_ci)}};
  return out;
}

json HyperLawJson(const HyperLawFit& fit) {
  json out = PowerLawValues(fit.law);
  out["points"] = fit.points;
  out["r2"] = JsonNumber(fit.r2);
  json variables = json::array();
  if (fit.law.IsSet() && fit.in_params) variables.push_back("N");
  if (fit.law.IsSet() && fit.in_tokens) variables.push_back("T");
  out["variables"] = variables;      // [] when not fitted
  out["collinear"] = fit.collinear;  // fitted in N alone along the sweep's T/N line
  out["ci95"] = {{"coef", JsonInterval(fit.coef_ci)},
                 {"exp_N", JsonInterval(fit.exp_params_ci)},
                 {"exp_T", JsonInterval(fit.exp_tokens_ci)}};
  // A variable the law does not use has no exponent (null, never 0) and no interval.
  if (!fit.in_params) out["exp_N"] = out["ci95"]["exp_N"] = nullptr;
  if (!fit.in_tokens) out["exp_T"] = out["ci95"]["exp_T"] = nullptr;
  return out;
}

json PlanJson(const Plan& plan, const PlanOptions& options) {
  json out = PointJson(plan.optimum);
  out["ok"] = plan.ok;
  out["status"] = ToString(plan.status);
  out["termination"] = ToString(plan.termination);
  out["warnings"] = WarningsJson(plan.warnings);
  out["message"] = plan.message;
  out["extrapolation"] = {{"params_factor", JsonNumber(plan.extrapolation.params_factor)},
                          {"flops_factor", JsonNumber(plan.extrapolation.flops_factor)}};
  out["budget_flops"] = JsonNumber(plan.budget_flops);
  out["flops"] = out["budget_flops"];  // the old name, kept as an alias
  out["compute"] = ToString(options.compute.kind);
  out["tokens_per_sample"] = JsonNumber(options.compute.tokens_per_sample);
  out["width_per_depth"] = JsonNumber(options.compute.width_per_depth);
  out["max_params"] = JsonNumber(options.max_params);
  out["max_tokens"] = JsonNumber(options.max_tokens);
  out["constrained"] = plan.constrained;
  out["ideal"] = PointJson(plan.ideal);
  json nearby = json::array();
  for (const PlanPoint& p : plan.nearby) nearby.push_back(PointJson(p));
  out["nearby_shapes"] = nearby;
  out["head_dim"] = JsonNumber(options.head_dim);
  out["width_multiple"] = JsonNumber(options.width_multiple);
  out["batch_divisor"] = JsonNumber(options.batch_divisor);
  out["block_params"] = JsonNumber(options.compute.block_params);
  out["forced"] = {{"batch_tokens", JsonNumber(options.forced_batch_tokens)},
                   {"lr", JsonNumber(options.forced_lr)},
                   {"width", JsonNumber(options.forced_width)},
                   {"depth", JsonNumber(options.forced_depth)}};
  if (plan.forced) {
    out["free_optimum"] = PointJson(plan.free_optimum);
    out["constraint_loss_cost"] = JsonNumber(plan.constraint_loss_cost);
    out["constraint_budget_fraction"] = JsonNumber(plan.constraint_budget_fraction);
    out["constraint_flops_cost"] = out["constraint_budget_fraction"];  // old name, an alias
  }
  out["bootstrap_samples"] = plan.samples_used;
  out["intervals_withheld"] =
      plan.intervals_withheld.empty() ? json(nullptr) : json(plan.intervals_withheld);
  out["ci95"] = {{"params", JsonInterval(plan.params_ci)},
                 {"tokens", JsonInterval(plan.tokens_ci)},
                 {"loss", JsonInterval(plan.loss_ci)},
                 {"lr", JsonInterval(plan.lr_ci)},
                 {"batch_tokens", JsonInterval(plan.batch_ci)}};
  out["loss_tolerance"] = JsonNumber(options.loss_tolerance);
  out["smallest"] = PointJson(plan.smallest);
  out["inference_saving"] = JsonNumber(plan.inference_saving);
  out["inference_saving_fraction"] = JsonNumber(plan.inference_saving_fraction);
  out["inference_saving_flops"] = out["inference_saving_fraction"];  // old name, an alias
  out["inference_flops_per_video"] = JsonNumber(plan.inference_flops_per_video);
  out["demand"] = {{"videos", JsonNumber(options.demand.videos)},
                   {"sampling_steps", JsonNumber(options.demand.sampling_steps)},
                   {"guidance", options.demand.guidance},
                   {"tokens_per_video", JsonNumber(options.demand.tokens_per_video)},
                   {"text_tokens", JsonNumber(options.demand.text_tokens)}};
  if (options.demand.videos > 0) {
    out["total_cost"] = PointJson(plan.total_cost);
    out["total_cost_flops"] = JsonNumber(plan.total_cost_flops);
    out["optimum_total_flops"] = JsonNumber(plan.optimum_total_flops);
    out["total_cost_saving"] = JsonNumber(plan.total_cost_saving);
  }
  return out;
}

json FitJson(const FitSummary& summary, const ReadResult& read,
             const std::vector<int>& excluded_rows, const Plan* plan,
             const PlanOptions& plan_options, const std::vector<std::string>& warnings) {
  json out;
  out["ok"] = summary.ok;
  out["status"] = ToString(summary.status);
  out["termination"] = ToString(summary.termination);
  out["message"] = summary.message;
  out["loss_law"] = LossLawJson(summary.loss);
  out["loss_law"]["usable"] = summary.laws.loss.IsSet();  // false: not fitted or degenerate
  if (summary.has_sweep) {
    out["lr_law"] = HyperLawJson(summary.lr_law);
    out["lr_law"]["usable"] = summary.laws.lr.IsSet();  // planned from
    out["batch_law"] = HyperLawJson(summary.batch_law);
    out["batch_law"]["usable"] = summary.laws.batch.IsSet();
  }
  json cells = json::array();
  for (const Cell& cell : summary.cells) {
    cells.push_back({{"params", JsonNumber(cell.params)},
                     {"tokens", JsonNumber(cell.tokens)},
                     {"lr", JsonNumber(cell.lr)},
                     {"batch_tokens", JsonNumber(cell.batch_tokens)},
                     {"loss", JsonNumber(cell.loss)},
                     {"runs", cell.runs},
                     {"on_edge", cell.on_edge},
                     {"lr_edge", cell.lr_edge},
                     {"batch_edge", cell.batch_edge},
                     {"outside_range", cell.lr_beyond || cell.batch_beyond},
                     {"smooth", ToString(cell.smooth)},
                     {"not_convex", cell.not_convex}});
  }
  out["cells"] = cells;
  out["bootstrap_samples"] = summary.bootstrap_samples_done;
  out["bootstrap_attempted"] = summary.bootstrap_samples_attempted;
  out["intervals_withheld"] =
      summary.intervals_withheld.empty() ? json(nullptr) : json(summary.intervals_withheld);
  if (summary.sensitivity.ok) {
    out["sensitivity"] = {{"curv_lr", JsonNumber(summary.sensitivity.curv_lr)},
                          {"curv_batch", JsonNumber(summary.sensitivity.curv_batch)},
                          {"cross", JsonNumber(summary.sensitivity.cross)},
                          {"points", summary.sensitivity.points}};
  }
  if (plan != nullptr) out["plan"] = PlanJson(*plan, plan_options);
  out["excluded"] = excluded_rows;
  json columns = json::object();
  for (const auto& [role, index] : read.mapping) {
    if (index >= 0 && static_cast<size_t>(index) < read.headers.size()) {
      columns[ToString(role)] = read.headers[static_cast<size_t>(index)];
    }
  }
  json text_columns = json::array();
  for (const TextColumn& c : read.table.text_columns) text_columns.push_back(c.name);
  out["input"] = {{"runs", read.table.runs.size()},
                  {"delimiter", std::string(1, read.delimiter)},
                  {"columns", columns},
                  {"text_columns", text_columns},
                  {"notes", read.notes}};
  if (!read.unfinished.empty()) {  // runs a status column left out (--keep-unfinished)
    json rows = json::array();
    for (const InputProblem& p : read.unfinished) {
      rows.push_back({{"line", p.line}, {"run", p.message}});
    }
    out["input"]["unfinished"] = rows;
  }
  if (read.curves) out["input"]["curves"] = read.curve_names.size();
  if (!read.table.flag_column.empty()) {
    json rows = json::array();
    bool kept = false;  // some flagged row is in the fits (--keep-flagged)
    for (const Run& run : read.table.runs) {
      if (run.flagged) rows.push_back(run.data_row);
      kept = kept || (run.flagged && !run.excluded);
    }
    out["input"]["flagged"] = {{"column", read.table.flag_column},
                               {"rows", rows},
                               {"reason", "flagged by column " + read.table.flag_column},
                               {"kept", kept}};
  }
  // The reader's warnings (code "input"), then the fit's trust report.
  json all = json::array();
  for (const std::string& text : warnings) {
    all.push_back({{"code", "input"}, {"message", text}, {"severity", "warning"}});
  }
  for (const json& w : WarningsJson(summary.warnings)) all.push_back(w);
  out["warnings"] = all;
  return out;
}

json PresetJson(const PresetInfo& preset) {
  json out = {{"name", preset.name},
              {"title", preset.title},
              {"source", preset.source},
              {"notes", preset.notes},
              {"compute", ToString(preset.compute.kind)}};
  if (preset.laws.loss.IsSet()) out["loss_law"] = LossLawValues(preset.laws.loss);
  if (preset.laws.lr.IsSet()) out["lr_law"] = PowerLawValues(preset.laws.lr);
  if (preset.laws.batch.IsSet()) out["batch_law"] = PowerLawValues(preset.laws.batch);
  json published = json::array();
  for (const PublishedOptimum& p : preset.published_optima) {
    published.push_back(
        {{"label", p.label}, {"coef", JsonNumber(p.coef)}, {"exponent", JsonNumber(p.exponent)}});
  }
  out["published_optima"] = published;
  return out;
}

namespace {

json CandidateJson(const DesignCandidate& c) {
  json lrs = json::array(), batches = json::array();
  for (double v : c.lr) lrs.push_back(JsonNumber(v));
  for (double v : c.batch_tokens) batches.push_back(JsonNumber(v));
  return {{"params", JsonNumber(c.params)},
          {"tokens", JsonNumber(c.tokens)},
          {"runs", c.runs},
          {"flops", JsonNumber(c.flops)},
          {"lr", lrs},
          {"batch_tokens", batches},
          {"simulated", c.simulated},
          {"expected_params_ci95", JsonInterval(c.expected_params_ci)},
          {"expected_loss_ci95", JsonInterval(c.expected_loss_ci)},
          {"linear_params_ci95", JsonInterval(c.linear_params_ci)},
          {"narrowing", JsonNumber(c.narrowing)},
          {"value", JsonNumber(c.value)},
          {"separation", JsonNumber(c.separation)}};
}

}  // namespace

json DesignJson(const Design& design, const FitSummary& fit) {
  const DesignOptions& options = design.options;
  json out = {{"ok", design.ok},
              {"termination", ToString(design.termination)},
              {"message", design.message},
              {"method", design.method},
              {"identified", design.identified},
              {"budget_flops", JsonNumber(options.budget_flops)},
              {"max_flops", JsonNumber(options.max_flops)},
              {"allowance_flops",
               JsonNumber(std::isnan(options.allowance_flops) ? options.max_flops
                                                              : options.allowance_flops)},
              {"compute", ToString(options.compute.kind)},
              {"simulation",
               {{"draws", design.simulation_draws},
                {"confirm_draws", design.simulation_draws > 0 ? options.confirm_draws : 0},
                {"bootstrap_samples", options.simulation_bootstrap},
                {"seed", options.seed},
                {"refits", design.refits},
                {"run_noise", JsonNumber(design.run_noise)},
                {"cell_noise", JsonNumber(design.cell_noise)}}},
              {"current",
               {{"params", JsonNumber(design.params_opt)},
                {"loss", JsonNumber(design.loss_opt)},
                {"params_ci95", JsonInterval(design.current_params_ci)},
                {"loss_ci95", JsonInterval(design.current_loss_ci)},
                {"linear_params_ci95", JsonInterval(design.linear_params_ci)}}},
              {"residual_scale", JsonNumber(design.residual_scale)},
              {"warnings", WarningsJson(design.warnings)}};
  json cells = json::array();
  for (const Cell& cell : fit.cells) {
    cells.push_back({{"params", JsonNumber(cell.params)}, {"tokens", JsonNumber(cell.tokens)}});
  }
  out["cells"] = cells;
  json picked = json::array();
  for (const DesignCandidate& c : design.recommended.cells) picked.push_back(CandidateJson(c));
  const DesignSet& set = design.recommended;
  out["recommended"] = {{"cells", picked},
                        {"runs", set.runs},
                        {"flops", JsonNumber(set.flops)},
                        {"simulated", set.simulated},
                        {"expected_params_ci95", JsonInterval(set.expected_params_ci)},
                        {"expected_loss_ci95", JsonInterval(set.expected_loss_ci)},
                        {"narrowing", JsonNumber(set.narrowing)}};
  json candidates = json::array();
  for (const DesignCandidate& c : design.candidates) candidates.push_back(CandidateJson(c));
  out["candidates"] = candidates;
  return out;
}

json IsoFlopJson(const IsoFlopResult& iso, const MethodComparison& cmp) {
  json budgets = json::array();
  for (const IsoFlopBudget& b : iso.budgets) {
    budgets.push_back({{"flops", JsonNumber(b.flops)},
                       {"points", b.points},
                       {"sizes", b.sizes},
                       {"params_opt", JsonNumber(b.params_opt)},
                       {"tokens_opt", JsonNumber(b.tokens_opt)},
                       {"loss_opt", JsonNumber(b.loss_opt)},
                       {"flag", ToString(b.flag)}});
  }
  json out = {{"applicable", iso.applicable},
              {"ok", iso.ok},
              {"termination", ToString(iso.termination)},
              {"message", iso.message},
              {"params_coef", JsonNumber(iso.params_coef)},
              {"params_exp", JsonNumber(iso.params_exp)},
              {"tokens_coef", JsonNumber(iso.tokens_coef)},
              {"tokens_exp", JsonNumber(iso.tokens_exp)},
              {"budgets_used", iso.budgets_used},
              {"budgets", budgets},
              {"bootstrap_samples", iso.bootstrap_samples_done},
              {"ci95",
               {{"params_coef", JsonInterval(iso.params_coef_ci)},
                {"params_exp", JsonInterval(iso.params_exp_ci)},
                {"tokens_exp", JsonInterval(iso.tokens_exp_ci)}}}};
  out["comparison"] = {{"ok", cmp.ok},
                       {"isoflop_exp", JsonNumber(cmp.isoflop_exp)},
                       {"surface_exp", JsonNumber(cmp.surface_exp)},
                       {"budget_flops", JsonNumber(cmp.budget_flops)},
                       {"isoflop_params", JsonNumber(cmp.isoflop_params)},
                       {"surface_params", JsonNumber(cmp.surface_params)},
                       {"exp_disagree", cmp.exp_disagree},
                       {"params_disagree", cmp.params_disagree},
                       {"ci95",
                        {{"isoflop_exp", JsonInterval(cmp.isoflop_exp_ci)},
                         {"surface_exp", JsonInterval(cmp.surface_exp_ci)},
                         {"isoflop_params", JsonInterval(cmp.isoflop_params_ci)},
                         {"surface_params", JsonInterval(cmp.surface_params_ci)}}},
                       {"text", cmp.text}};
  return out;
}

json TableJson(const TableAnalysis& analysis, const ReadResult& read,
               const std::vector<int>& excluded_rows, const PlanOptions& plan_options,
               const std::vector<std::string>& warnings) {
  json out = FitJson(analysis.fit, read, excluded_rows, analysis.planned ? &analysis.plan : nullptr,
                     plan_options, warnings);
  if (analysis.isoflop.applicable)
    out["isoflop"] = IsoFlopJson(analysis.isoflop, analysis.comparison);
  return out;
}

json GroupsJson(const GroupSplit& split, const std::vector<GroupAnalysis>& groups,
                const ReadResult& read, const std::vector<int>& excluded_rows,
                const PlanOptions& plan_options, const std::vector<std::string>& warnings) {
  json list = json::array();
  for (size_t g = 0; g < groups.size() && g < split.groups.size(); ++g) {
    const GroupAnalysis& group = groups[g];
    // The group's own rows, as if its file had been read alone (input.runs, flagged rows).
    ReadResult group_read;
    group_read.ok = read.ok;
    group_read.headers = read.headers;
    group_read.mapping = read.mapping;
    group_read.delimiter = read.delimiter;
    group_read.notes = read.notes;
    group_read.table = split.groups[g].table;
    std::vector<int> group_excluded;
    for (const Run& run : split.groups[g].table.runs) {
      if (std::binary_search(excluded_rows.begin(), excluded_rows.end(), run.data_row)) {
        group_excluded.push_back(run.data_row);
      }
    }
    json item = {{"name", group.name}};
    const json fields =
        TableJson(group.analysis, group_read, group_excluded, plan_options, warnings);
    for (auto it = fields.begin(); it != fields.end(); ++it) item[it.key()] = it.value();
    const ComparisonRow row = ComparisonRowOf(group.name, group.runs, group.analysis);
    item["comparison_row"] = {{"runs", row.runs},
                              {"used", row.used},
                              {"excluded", row.excluded},
                              {"fitted", row.fitted},
                              {"why", row.why},
                              {"a", JsonNumber(row.a)},
                              {"a_ci95", JsonInterval(row.a_ci)},
                              {"params_opt", JsonNumber(row.params_opt)},
                              {"params_ci95", JsonInterval(row.params_ci)},
                              {"loss_opt", JsonNumber(row.loss_opt)},
                              {"loss_ci95", JsonInterval(row.loss_ci)},
                              {"isoflop_exp", JsonNumber(row.isoflop_exp)},
                              {"isoflop_exp_ci95", JsonInterval(row.isoflop_exp_ci)},
                              {"why_code", row.why_code}};
    for (const bool lr : {true, false}) {
      const ComparisonRow::HyperColumn& c = lr ? row.lr : row.batch;
      Json variables = Json::array();
      if (c.fitted && c.variables != "T") variables.push_back("N");
      if (c.fitted && c.variables != "N") variables.push_back("T");
      item["comparison_row"][lr ? "lr" : "batch"] = {
          {"fitted", c.fitted},
          {"variables", variables},
          {"exp_N", JsonNumber(c.exp_params)},
          {"exp_N_ci95", JsonInterval(c.exp_params_ci)},
          {"exp_T", JsonNumber(c.exp_tokens)},
          {"exp_T_ci95", JsonInterval(c.exp_tokens_ci)},
          {"why_code", c.why_code.empty() ? Json(nullptr) : Json(c.why_code)}};
    }
    list.push_back(std::move(item));
  }
  return {{"group_by", split.column}, {"groups", list}};
}

json AnalysisJson(const AnalysisState& state, const Analysis& analysis) {
  const PlanOptions plan_options = state.MakePlanOptions();
  std::vector<std::string> input_warnings;
  for (const InputProblem& problem : analysis.read.warnings)
    input_warnings.push_back(problem.ToString());
  const Plan* plan = analysis.planned ? &analysis.plan : nullptr;  // a refused plan says why
  json out =
      FitJson(analysis.fit, analysis.read, state.excluded_rows, plan, plan_options, input_warnings);
  if (analysis.isoflop.applicable)
    out["isoflop"] = IsoFlopJson(analysis.isoflop, analysis.isoflop_comparison);
  out["design"] = DesignJson(analysis.design, analysis.fit);
  out["headline_group"] = analysis.headline_group + 1;
  if (!state.group_column.empty()) {
    const json groups = GroupsJson(analysis.split, analysis.groups, analysis.read,
                                   state.excluded_rows, plan_options, input_warnings);
    out["group_by"] = groups["group_by"];
    out["group_error"] = analysis.split.ok ? "" : analysis.split.message;
    out["groups"] = groups["groups"];
  }
  out["version"] = kStateVersion;
  return out;
}

std::string DumpJson(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace scalecalc

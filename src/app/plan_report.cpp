#include "app/plan_report.h"

#include <cmath>

#include "app/panels.h"
#include "core/format.h"
#include "core/result_tables.h"
#include "core/results_json.h"

namespace scalecalc::app {

TableText PlanTableOf(const Model& model) {
  PlanTableOptions options;
  options.sample_word = model.SampleWord();
  if (model.compare) {
    options.compare = &model.compare_plan;
    options.compare_title = model.compare->title;
  }
  return PlanTable(model.results.plan, model.analysis.MakePlanOptions(), options);
}

std::string PlanMarkdown(const Model& model) {
  return ToMarkdown(PlanTableOf(model)) + "\nFitted with scalecalc on " + model.analysis.data_name +
         ". " + LossLawFormula(model.results.fit.laws.loss) + "\n";
}

std::string PlanCsv(const Model& model) {
  // Raw units, unrounded: for spreadsheets and scripts (the Markdown copy is the readable one).
  std::string csv = "section,quantity,value,ci95_lo,ci95_hi\n";
  auto row = [&](const char* section, const char* quantity, double value, Interval ci = {}) {
    csv += std::string(section) + "," + quantity + "," + FormatFull(value) + "," +
           (std::isfinite(ci.lo) ? FormatFull(ci.lo) : "") + "," +
           (std::isfinite(ci.hi) ? FormatFull(ci.hi) : "") + "\n";
  };
  const FitSummary& fit = model.results.fit;
  if (fit.ok) {
    const LossLawFit& l = fit.loss;
    row("loss_law", "E", l.law.E, l.E_ci);
    row("loss_law", "A", l.law.A, l.A_ci);
    row("loss_law", "alpha", l.law.alpha, l.alpha_ci);
    row("loss_law", "B", l.law.B, l.B_ci);
    row("loss_law", "beta", l.law.beta, l.beta_ci);
    row("loss_law", "objective", l.objective);
    for (const auto& [section, law] :
         {std::pair{"lr_law", &fit.lr_law}, std::pair{"batch_law", &fit.batch_law}}) {
      if (!law->law.IsSet()) continue;
      row(section, "coef", law->law.coef, law->coef_ci);
      row(section, "exp_N", law->law.exp_params, law->exp_params_ci);
      row(section, "exp_T", law->law.exp_tokens, law->exp_tokens_ci);
    }
  }
  const Plan& plan = model.results.plan;
  if (plan.ok) {
    const PlanPoint& p = plan.optimum;
    row("plan", "budget_flops", plan.budget_flops);
    row("plan", "params", p.params, plan.params_ci);
    row("plan", "tokens", p.tokens, plan.tokens_ci);
    row("plan", "lr", p.lr, plan.lr_ci);
    row("plan", "batch_tokens", p.batch_tokens, plan.batch_ci);
    row("plan", "batch_samples", p.batch_samples);
    row("plan", "width", p.shape.width);
    row("plan", "depth", p.shape.depth);
    row("plan", "heads", p.shape.heads);
    row("plan", "ideal_params", plan.ideal.params);
    row("plan", "hyperparameter_penalty", p.hyperparameter_penalty);
    row("plan", "steps", p.steps);
    row("plan", "loss", p.loss, plan.loss_ci);
    row("plan", "smallest_params", plan.smallest.params);
    row("plan", "smallest_loss", plan.smallest.loss);
    row("plan", "inference_saving", plan.inference_saving);
  }
  return csv;
}

std::string AnalysisResultsJson(const Model& model) {
  return DumpJson(AnalysisJson(model.analysis, model.results));
}

std::string ResultsJson(const Model& model) {
  const AnalysisState& a = model.analysis;
  const PlanOptions plan_options = a.MakePlanOptions();
  // The results file's JSON (what `scalecalc open --json` prints), then what the page shows.
  Json json = AnalysisJson(a, model.results);
  if (!a.group_column.empty()) {
    json["groups_shown"] = model.group_shown;
    // What the overlaid plots draw per group: cell optima and finite residuals (core series).
    Json plots = Json::array();
    for (size_t g = 0; g < model.group_plots.size() && g < model.results.groups.size(); ++g) {
      int cells = 0, residuals = 0;
      for (const SizeGroup& size_group : model.group_plots[g].size_groups) {
        cells += static_cast<int>(size_group.loss.size());
        for (double r : size_group.residual) residuals += std::isfinite(r) ? 1 : 0;
      }
      plots.push_back(
          {{"name", model.results.groups[g].name}, {"cells", cells}, {"residuals", residuals}});
    }
    json["group_plots"] = plots;
    const GroupPair pair = model.ComparedGroups();
    json["group_compare"] = {
        {"first", pair.first + 1}, {"second", pair.second + 1}, {"message", pair.message}};
  }
  json["headline"] = model.HeadlineLabel();  // grouped data: whose fit and plan these are
  Json shown_rows = Json::array();           // the planner's table as shown
  for (const std::vector<std::string>& row : PlanTableOf(model).rows)
    shown_rows.push_back({row[0], row[1]});
  json["plan_rows"] = shown_rows;
  json["data"] = {
      {"name", a.data_name},
      {"runs", model.results.read.table.runs.size()},
      {"included", model.results.read.table.CountIncluded()},
      {"unfinished", model.results.read.unfinished.size()},
      {"curves", model.results.read.curves ? model.results.read.curve_names.size() : 0}};
  json["options"] = {{"optimum", ToString(a.fit.optimum)},
                     {"bootstrap", a.fit.bootstrap_samples},
                     {"seed", a.fit.seed},
                     {"compute", ToString(a.compute.kind)},
                     {"budget_unit", ToString(a.budget_unit)},
                     {"panel", a.open_panel},
                     {"group_column", a.group_column},
                     {"keep_flagged", a.keep_flagged},
                     {"keep_unfinished", a.keep_unfinished},
                     {"checkpoints", ToString(a.checkpoints)},
                     {"batch_column", ToString(a.batch_column)},
                     {"tokens_per_sample", a.compute.tokens_per_sample},
                     {"shown_group", a.shown_group},
                     {"model_kind", ToString(a.model_kind)}};
  json["model_kind"] = ToString(model.Kind());  // what the panels speak of: video or language
  json["bootstrap"] = {
      {"running", model.bootstrap.running}, {"done", model.bootstrap.done},
      {"total", model.bootstrap.total},     {"samples", model.results.fit.bootstrap_samples_done},
      {"group", model.bootstrap.group},     {"message", model.bootstrap.message}};
  {
    const DesignSimulation& sim = model.design_simulation;
    Json result = Json::parse(sim.json, nullptr, /*allow_exceptions=*/false);
    if (result.is_discarded()) result = nullptr;
    json["design_simulation"] = {{"running", sim.running}, {"done", sim.done},
                                 {"total", sim.total},     {"has_result", sim.has_result},
                                 {"ok", sim.ok},           {"message", sim.message},
                                 {"seconds", sim.seconds}, {"result", result}};
  }
  // The Inference cost panel: its shareable inputs and the table it shows.
  Json cost = Json::object();
  for (const Setting& row : Settings()) {
    if (std::string_view(row.json).rfind("cost.", 0) == 0)
      cost[row.key] = FormatSetting(row, model.analysis);
  }
  const ServingDemand demand = ServingDemandOf(a, model.Kind());
  cost["per"] = model.SampleWord();  // the rows' flops_per_video are per this
  cost["text_tokens"] = demand.text_tokens;
  cost["cross_attention"] = demand.cross_attention;
  cost["video_tokens"] = demand.tokens_per_video;
  cost["rows"] = Json::array();
  for (const CostRow& row : CostRows(model)) {
    const double flops =
        DitVideoFlops(ServingConfig(row.exact, demand), demand.sampling_steps, demand.guidance);
    cost["rows"].push_back({{"label", row.label},
                            {"params", row.params},
                            {"width", row.width},
                            {"depth", row.depth},
                            {"heads", row.heads},
                            {"flops_per_video", flops}});
  }
  json["cost"] = cost;
  if (model.compare) {
    json["compare"] = {
        {"preset", model.compare->name},
        {"plan", model.compare_plan.ok ? PlanJson(model.compare_plan, plan_options) : Json()}};
  }
  return DumpJson(json);
}

}  // namespace scalecalc::app

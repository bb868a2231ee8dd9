#include "app/plan_report.h"

#include <cmath>

#include "app/format.h"
#include "app/panels.h"
#include "core/results_json.h"

namespace scalecalc::app {

namespace {

std::string Range(const Interval& ci, std::string (*format)(double)) {
  if (!std::isfinite(ci.lo) || !std::isfinite(ci.hi)) return "";
  return "[" + format(ci.lo) + ", " + format(ci.hi) + "]";
}
std::string Sci4(double v) {
  return FormatSci(v, 4);
}
std::string Sci6(double v) {
  return FormatSci(v, 6);
}
std::string Count(double v) {
  return FormatCount(v);
}

}  // namespace

std::vector<PlanRow> PlanRows(const Model& model) {
  const Plan& plan = model.results.plan;
  const PlanPoint& p = plan.optimum;
  const bool has_compare = model.compare && model.compare_plan.ok;
  const PlanPoint& q = model.compare_plan.optimum;
  auto compare = [&](std::string (*format)(double), double value) {
    return has_compare ? format(value) : std::string();
  };
  std::vector<PlanRow> rows = {
      {"compute budget (FLOPs)", Sci4(plan.budget_flops), "",
       compare(Sci4, model.compare_plan.budget_flops)},
      {"model size N (parameters)", Count(p.params), Range(plan.params_ci, Count),
       compare(Count, q.params)},
      {"training tokens T", Count(p.tokens), Range(plan.tokens_ci, Count),
       compare(Count, q.tokens)},
      {"tokens per parameter", Sci4(p.tokens / p.params), "", compare(Sci4, q.tokens / q.params)},
      {"learning rate", Sci4(p.lr), Range(plan.lr_ci, Sci4), compare(Sci4, q.lr)},
      {"batch size (tokens)", Count(p.batch_tokens), Range(plan.batch_ci, Count),
       compare(Count, q.batch_tokens)},
      {std::string("batch size (") + model.SampleWord() + "s of " +
           FormatFull(model.analysis.compute.tokens_per_sample) + " tokens)",
       Count(p.batch_samples), "", compare(Count, q.batch_samples)},
      {"optimizer steps", Count(p.steps), "", compare(Count, q.steps)},
      {"predicted loss", Sci6(p.loss), Range(plan.loss_ci, Sci6), compare(Sci6, q.loss)},
  };
  const auto shape = [](const PlanPoint& x) {
    if (!(x.shape.width > 0 && x.shape.depth > 0))
      return std::string("-");  // a law set without shapes
    return Count(x.shape.width) + " x " + Count(x.shape.depth) + " (" + Count(x.shape.heads) +
           " heads of " + Count(x.shape.head_dim) + ")";
  };
  rows.insert(rows.begin() + 2,
              {"shape: width d x depth", shape(p), "", has_compare ? shape(q) : std::string()});
  rows.insert(rows.begin() + 3, {"continuous optimum N", Count(plan.ideal.params), "",
                                 compare(Count, model.compare_plan.ideal.params)});
  if (plan.forced) {
    rows.push_back({"hyperparameter penalty", FormatPercent(p.hyperparameter_penalty, 3), "", ""});
    rows.push_back(
        {"forced values cost (loss)", FormatPercent(plan.constraint_loss_cost, 3), "", ""});
  }
  return rows;
}

std::string PlanMarkdown(const Model& model) {
  const bool with_compare = model.compare != nullptr;
  std::string md = "| quantity | recommended | 95% interval |";
  md += with_compare ? " " + model.compare->title + " |\n|---|---|---|---|\n" : "\n|---|---|---|\n";
  for (const PlanRow& row : PlanRows(model)) {
    md += "| " + row.quantity + " | " + row.value + " | " + row.interval + " |";
    md += with_compare ? " " + row.compare + " |\n" : "\n";
  }
  md += "\nFitted with scalecalc on " + model.analysis.data_name + ". " +
        LossLawFormula(model.results.fit.laws.loss) + "\n";
  return md;
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
  for (const PlanRow& row : PlanRows(model)) shown_rows.push_back({row.quantity, row.value});
  json["plan_rows"] = shown_rows;
  json["data"] = {
      {"name", a.data_name},
      {"runs", model.results.read.table.runs.size()},
      {"included", model.results.read.table.CountIncluded()},
      {"unfinished", model.results.read.unfinished.size()},
      {"curves", model.results.read.curves ? model.results.read.curve_names.size() : 0}};
  json["options"] = {
      {"optimum", ToString(a.fit.optimum)},
      {"bootstrap", a.fit.bootstrap_samples},
      {"seed", a.fit.seed},
      {"compute", ToString(a.compute.kind)},
      {"budget_unit", ToString(a.budget_unit)},
      {"panel", a.open_panel},
      {"group_column", a.group_column},
      {"keep_flagged", a.keep_flagged},
      {"keep_unfinished", a.keep_unfinished},
      {"checkpoints", EnumNamesOf<CheckpointPolicy>().Name(static_cast<int>(a.checkpoints))},
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

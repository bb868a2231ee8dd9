// The Planner panel: a compute budget in, the recommended training configuration out, with its
// intervals, the smaller-model trade-off, the total-cost optimum, and a second law beside it.
#include <string>

#include "app/format.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/plan_report.h"
#include "app/web_bridge.h"
#include "app/widgets.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

const BudgetUnit kUnits[] = {BudgetUnit::kFlops, BudgetUnit::kPfDays, BudgetUnit::kGpuHours};
const char* UnitLabel(BudgetUnit unit) {
  switch (unit) {
    case BudgetUnit::kFlops:
      return "FLOPs";
    case BudgetUnit::kPfDays:
      return "PF-days";
    case BudgetUnit::kGpuHours:
      return "GPU-hours";
  }
  return "?";
}

void DrawInputs(Model& model) {
  AnalysisState& a = model.analysis;
  const float field = ImGui::GetFontSize() * 8;
  if (IsPhone()) ImGui::TextUnformatted("budget");
  OptionField(model, "##budget", "budget", FormatSci(BudgetInUnit(a), 6), field, "1e22");
  SameLineIfWide();
  const std::string unit_label =
      FieldLabel(IsPhone() ? "budget unit" : "budget", 7 * ImGui::GetFontSize());
  if (ImGui::BeginCombo(unit_label.c_str(), UnitLabel(a.budget_unit))) {
    for (BudgetUnit unit : kUnits) {
      if (ImGui::Selectable(UnitLabel(unit), unit == a.budget_unit))
        model.SetOption("budget_unit", ToString(unit));
    }
    ImGui::EndCombo();
  }
  SameLineIfWide();
  ImGui::TextDisabled("= %s FLOPs", FormatSci(a.plan.budget_flops, 4).c_str());
  if (a.budget_unit == BudgetUnit::kGpuHours) {
    OptionField(model, "sustained FLOP/s per GPU", "gpu_flops",
                FormatSci(a.gpu_flops_per_second, 4), field);
  }

  int kind = a.compute.kind == ComputeKind::kDit ? 1 : 0;
  ImGui::TextUnformatted("Training FLOPs per token:");
  SameLineIfWide();
  if (ImGui::RadioButton("6N", &kind, 0)) model.SetOption("compute", "6n");
  SameLineIfWide();
  if (ImGui::RadioButton("video DiT: (3/4) N (7 + n_ctx / d)", &kind, 1))
    model.SetOption("compute", "dit");
  if (a.compute.kind == ComputeKind::kDit) {
    OptionField(model, "tokens per clip n_ctx", "tokens_per_sample",
                FormatFull(a.compute.tokens_per_sample), field);
    SameLineIfWide();
    OptionField(model, "width / depth", "width_per_depth", FormatFull(a.compute.width_per_depth),
                field);
  }
  if (ImGui::CollapsingHeader("Constraints, tolerance, serving demand")) {
    OptionField(model, "max model size", "max_params",
                std::isfinite(a.plan.max_params) ? FormatSci(a.plan.max_params, 6) : "", field,
                "none");
    SameLineIfWide();
    OptionField(model, "max tokens available", "max_tokens",
                std::isfinite(a.plan.max_tokens) ? FormatSci(a.plan.max_tokens, 6) : "", field,
                "none");
    OptionField(model, "loss tolerance (relative)", "tolerance",
                FormatSci(a.plan.loss_tolerance, 6), field);
    HelpMarker(
        "The smallest model whose predicted loss is within this fraction of the optimum at the "
        "same "
        "budget (0.001 is 0.1%).");
    OptionField(model, "videos to generate", "videos", FormatSci(a.plan.demand.videos, 6), field);
    SameLineIfWide();
    OptionField(model, "sampling steps", "sampling_steps", FormatFull(a.plan.demand.sampling_steps),
                field);
    bool guidance = a.plan.demand.guidance;
    if (ImGui::Checkbox("classifier-free guidance (2 passes per step)", &guidance)) {
      model.SetOption("guidance", guidance ? "true" : "false");
    }
  }
  const std::string compare_label = FieldLabel("compare with", 16 * ImGui::GetFontSize());
  const char* current = model.compare ? model.compare->title.c_str() : "none";
  if (ImGui::BeginCombo(compare_label.c_str(), current)) {
    if (ImGui::Selectable("none", !model.compare)) model.SetOption("compare", "");
    for (const PresetInfo& preset : Presets()) {
      if (ImGui::Selectable(preset.title.c_str(), model.compare == &preset))
        model.SetOption("compare", preset.name);
    }
    ImGui::EndCombo();
  }
}

// The plan as text: what the table shows is what Copy copies.
TableText PlanTable(const Model& model) {
  TableText table;
  const bool with_compare = model.compare != nullptr;
  table.headers = {"quantity", "recommended", "95% interval"};
  if (with_compare) table.headers.push_back(model.compare->title);
  for (const PlanRow& row : PlanRows(model)) {
    table.rows.push_back({row.quantity, row.value, row.interval});
    if (with_compare) table.rows.back().push_back(row.compare);
  }
  return table;
}

void DrawTradeOffs(const Model& model) {
  const Plan& plan = model.plan;
  Heading("Trade-off: a smaller model");
  if (std::isfinite(plan.smallest.params)) {
    WrappedText(
        "A %s-parameter model (%s tokens) is predicted within %s of the optimal loss at this "
        "budget "
        "(%s vs %s): %s fewer parameters, %s less inference compute per video.",
        FormatCount(plan.smallest.params).c_str(), FormatCount(plan.smallest.tokens).c_str(),
        FormatPercent(model.analysis.plan.loss_tolerance, 2).c_str(),
        FormatSci(plan.smallest.loss, 6).c_str(), FormatSci(plan.optimum.loss, 6).c_str(),
        FormatPercent(plan.inference_saving, 1).c_str(),
        FormatPercent(plan.inference_saving_flops, 1).c_str());
  }
  if (model.analysis.plan.demand.videos > 0 && std::isfinite(plan.total_cost.params)) {
    Heading("Training + serving");
    WrappedText(
        "To serve %s videos, a %s model trained on %s tokens reaches the same loss for %s FLOPs in "
        "total, %s less than the compute-optimal model (%s).",
        FormatSci(model.analysis.plan.demand.videos, 3).c_str(),
        FormatCount(plan.total_cost.params).c_str(), FormatCount(plan.total_cost.tokens).c_str(),
        FormatSci(plan.total_cost_flops, 3).c_str(),
        FormatPercent(plan.total_cost_saving, 1).c_str(),
        FormatSci(plan.optimum_total_flops, 3).c_str());
  }
  if (model.compare && !model.compare->published_optima.empty()) {
    const OptimumComparison comparison =
        CompareOptima(*model.compare, model.analysis.compute, model.analysis.plan.budget_flops);
    Heading("Published vs derived compute-optimal size");
    WrappedText("%s", comparison.text.c_str());
  }
}

}  // namespace

void DrawPlannerPanel(Model& model) {
  DrawInputs(model);
  DrawGroupPlannerCompare(model);
  ImGui::Separator();
  const Plan& plan = model.plan;
  if (!plan.ok) {
    ImGui::TextColored(
        ImVec4(1, 0.45f, 0.4f, 1), "%s",
        plan.message.empty() ? "No plan: fit the data first." : plan.message.c_str());
    return;
  }
  if (!plan.notes.empty()) ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", plan.notes.c_str());
  DrawTrustReport(plan.status, plan.warnings);
  const TableText table = PlanTable(model);
  DrawTextTable(
      "plan", table,
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit);
  TableCopyButtons(model, "plan", table, [&] { return PlanMarkdown(model); });
  SameLineIfWide();
  if (ImGui::Button("Download JSON"))
    web::Download("scalecalc-results.json", "application/json", ResultsJson(model));
  ImGui::SameLine();
  if (ImGui::Button("Download CSV"))
    web::Download("scalecalc-results.csv", "text/csv", PlanCsv(model));
  DrawTradeOffs(model);
}

}  // namespace scalecalc::app

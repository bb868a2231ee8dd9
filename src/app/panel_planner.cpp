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

void DrawInputs(Model& model) {
  AnalysisState& a = model.analysis;
  const float field = ImGui::GetFontSize() * 8;
  // Typed in the unit beside it, so not FormatSetting's FLOPs.
  if (IsPhone()) ImGui::TextUnformatted("budget");
  OptionField(model, "##budget", "budget", FormatSci(BudgetInUnit(a), 6), field, "1e22");
  SameLineIfWide();
  SettingCombo(model, "budget_unit", ImGui::GetFontSize() * 7);
  SameLineIfWide();
  ImGui::TextDisabled("= %s FLOPs", FormatSci(a.plan.budget_flops, 4).c_str());
  if (a.budget_unit == BudgetUnit::kGpuHours) SettingField(model, "gpu_flops", field);

  int kind = a.compute.kind == ComputeKind::kDit ? 1 : 0;
  ImGui::TextUnformatted("Training FLOPs per token:");
  const EnumNames& kinds = EnumNamesOf<ComputeKind>();
  for (int v = 0; v < kinds.count(); ++v) {
    SameLineIfWide();
    if (ImGui::RadioButton(kinds.Label(v), &kind, v)) model.SetOption("compute", kinds.Name(v));
  }
  if (a.compute.kind == ComputeKind::kDit) {
    SettingField(model, "tokens_per_sample", field);
    SameLineIfWide();
    SettingField(model, "width_per_depth", field);
  }
  if (ImGui::CollapsingHeader("Constraints, tolerance, serving demand")) {
    SettingField(model, "max_params", field, "none");
    SameLineIfWide();
    SettingField(model, "max_tokens", field, "none");
    SettingField(model, "tolerance", field);
    HelpMarker(FindSetting("tolerance")->help);
    SettingField(model, "videos", field);
    SameLineIfWide();
    SettingField(model, "sampling_steps", field);
    SettingCheckbox(model, "guidance");
    SameLineIfWide();
    SettingCheckbox(model, "cross_attention");
    SameLineIfWide();
    SettingField(model, "text_tokens", ImGui::GetFontSize() * 5);
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
  if (!plan.message.empty())
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", plan.message.c_str());
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

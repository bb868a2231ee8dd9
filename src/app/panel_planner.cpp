// The Planner panel: a compute budget in, the recommended training configuration out, with its
// intervals, the smaller-model trade-off, the total-cost optimum, and a second law beside it.
#include <string>

#include "app/format.h"
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
  OptionField(model, "##budget", "budget", FormatSci(BudgetInUnit(a), 6), field, "1e22");
  ImGui::SameLine();
  SettingCombo(model, "budget_unit", ImGui::GetFontSize() * 7);
  ImGui::SameLine();
  ImGui::TextDisabled("= %s FLOPs", FormatSci(a.plan.budget_flops, 4).c_str());
  if (a.budget_unit == BudgetUnit::kGpuHours) SettingField(model, "gpu_flops", field);

  int kind = a.compute.kind == ComputeKind::kDit ? 1 : 0;
  ImGui::TextUnformatted("Training FLOPs per token:");
  const EnumNames& kinds = EnumNamesOf<ComputeKind>();
  for (int v = 0; v < kinds.count(); ++v) {
    ImGui::SameLine();
    if (ImGui::RadioButton(kinds.Label(v), &kind, v)) model.SetOption("compute", kinds.Name(v));
  }
  if (a.compute.kind == ComputeKind::kDit) {
    SettingField(model, "tokens_per_sample", field);
    ImGui::SameLine();
    SettingField(model, "width_per_depth", field);
  }
  if (ImGui::CollapsingHeader("Constraints, tolerance, serving demand")) {
    SettingField(model, "max_params", field, "none");
    ImGui::SameLine();
    SettingField(model, "max_tokens", field, "none");
    SettingField(model, "tolerance", field);
    HelpMarker(FindSetting("tolerance")->help);
    SettingField(model, "videos", field);
    ImGui::SameLine();
    SettingField(model, "sampling_steps", field);
    SettingCheckbox(model, "guidance");
    ImGui::SameLine();
    SettingCheckbox(model, "cross_attention");
    ImGui::SameLine();
    SettingField(model, "text_tokens", ImGui::GetFontSize() * 5);
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  const char* current = model.compare ? model.compare->title.c_str() : "none";
  if (ImGui::BeginCombo("compare with", current)) {
    if (ImGui::Selectable("none", !model.compare)) model.SetOption("compare", "");
    for (const PresetInfo& preset : Presets()) {
      if (ImGui::Selectable(preset.title.c_str(), model.compare == &preset))
        model.SetOption("compare", preset.name);
    }
    ImGui::EndCombo();
  }
}

void DrawResultTable(const Model& model) {
  const std::vector<PlanRow> rows = PlanRows(model);
  const bool with_compare = model.compare != nullptr;
  if (!ImGui::BeginTable(
          "plan", with_compare ? 4 : 3,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit))
    return;
  ImGui::TableSetupColumn("quantity");
  ImGui::TableSetupColumn("recommended");
  ImGui::TableSetupColumn("95% interval");
  if (with_compare) ImGui::TableSetupColumn(model.compare->title.c_str());
  ImGui::TableHeadersRow();
  for (const PlanRow& row : rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.quantity.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.value.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.interval.c_str());
    if (with_compare) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.compare.c_str());
    }
  }
  ImGui::EndTable();
}

void DrawTradeOffs(const Model& model) {
  const Plan& plan = model.plan;
  Heading("Trade-off: a smaller model");
  if (std::isfinite(plan.smallest.params)) {
    ImGui::TextWrapped(
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
    ImGui::TextWrapped(
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
    ImGui::TextWrapped("%s", comparison.text.c_str());
  }
}

}  // namespace

void DrawPlannerPanel(Model& model) {
  DrawInputs(model);
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
  DrawResultTable(model);
  if (ImGui::Button("Copy as Markdown")) {
    web::CopyToClipboard(PlanMarkdown(model));
    model.notice = "Plan copied as Markdown";
  }
  ImGui::SameLine();
  if (ImGui::Button("Download JSON"))
    web::Download("scalecalc-results.json", "application/json", ResultsJson(model));
  ImGui::SameLine();
  if (ImGui::Button("Download CSV"))
    web::Download("scalecalc-results.csv", "text/csv", PlanCsv(model));
  DrawTradeOffs(model);
}

}  // namespace scalecalc::app

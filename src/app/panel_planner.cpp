// The Planner panel: a compute budget in, the recommended training configuration out, with its
// intervals, the smaller-model trade-off, the total-cost optimum, and a second law beside it.
#include <cmath>
#include <string>

#include "app/layout.h"
#include "app/panels.h"
#include "app/plan_report.h"
#include "app/share.h"
#include "app/web_bridge.h"
#include "app/widgets.h"
#include "core/format.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

void DrawInputs(Model& model) {
  AnalysisState& a = model.analysis;
  const float field = ImGui::GetFontSize() * 8;
  HeadlineGroupCombo(model, "planner");  // grouped data: whose plan this is
  ModelKindCombo(model, "planner");
  // Typed in the unit beside it, so not FormatSetting's FLOPs.
  if (IsPhone()) ImGui::TextUnformatted("budget");
  OptionField(model, "##budget", "budget", FormatSci(BudgetInUnit(a), 6), field, "1e22");
  SameLineIfWide();
  SettingCombo(model, "budget_unit", ImGui::GetFontSize() * 7);
  SameLineIfWide();
  ImGui::TextDisabled("= %s FLOPs", FormatSci(a.plan.budget_flops, 4).c_str());
  if (a.budget_unit == BudgetUnit::kGpuHours) SettingField(model, "gpu_flops", field);

  // One tokens per sample: the planner's batch in samples, n_ctx of the DiT count and (Data panel)
  // the batch column's samples.
  SettingField(model, "tokens_per_sample", field);
  int kind = a.compute.kind == ComputeKind::kDit ? 1 : 0;
  ImGui::TextUnformatted("Training FLOPs per token:");
  const EnumNames& kinds = EnumNamesOf<ComputeKind>();
  for (int v = 0; v < kinds.count(); ++v) {
    SameLineIfWide();
    if (ImGui::RadioButton(kinds.Label(v), &kind, v)) model.SetOption("compute", kinds.Name(v));
  }
  if (a.compute.kind == ComputeKind::kDit) SettingField(model, "width_per_depth", field);
  // The serving demand counts video DiT sampling: a language model's header leaves it out.
  const bool video = model.Kind() == ModelKind::kVideo;
  if (ImGui::CollapsingHeader(video ? "Constraints, tolerance, serving demand###constraints"
                                    : "Constraints, tolerance###constraints")) {
    SettingField(model, "max_params", field, "none");
    SameLineIfWide();
    SettingField(model, "max_tokens", field, "none");
    SettingField(model, "tolerance", field);
    HelpMarker(FindSetting("tolerance")->help);
    if (video) {
      SettingField(model, "videos", field);
      SameLineIfWide();
      SettingField(model, "sampling_steps", field);
      SettingCheckbox(model, "guidance");
      SameLineIfWide();
      SettingCheckbox(model, "cross_attention");
      SameLineIfWide();
      SettingField(model, "text_tokens", ImGui::GetFontSize() * 5);
    }
  }
  if (ImGui::CollapsingHeader("Launch: shape, batch, forced values")) {
    const PlanOptions& p = a.plan;
    const auto free_or = [](double v, double scale = 1) {
      return std::isfinite(v) ? FormatFull(v / scale) : std::string();
    };
    OptionField(model, "head dim", "head_dim", FormatFull(p.head_dim), field);
    ImGui::SameLine();
    OptionField(model, "width multiple", "width_multiple", FormatFull(p.width_multiple), field);
    HelpMarker(
        "Width is a whole number of heads of the head dim and a multiple of this (0: the "
        "head dim), e.g. 128 for tensor cores.");
    const std::string divisor_label = std::string("batch divisor (") + model.SampleWord() + "s)";
    OptionField(model, divisor_label.c_str(), "batch_divisor", FormatFull(p.batch_divisor), field);
    HelpMarker(
        "The batch is a whole number of samples (videos or sequences) and a multiple of this: "
        "GPUs x micro-batch.");
    if (a.compute.kind == ComputeKind::kSixN) {
      ImGui::SameLine();
      int rule = a.compute.block_params == 12 ? 1 : 0;
      if (ImGui::RadioButton("16 d^2 per block (DiT)", &rule, 0))
        model.SetOption("block_params", "16");
      ImGui::SameLine();
      if (ImGui::RadioButton("12 d^2 (standard block)", &rule, 1))
        model.SetOption("block_params", "12");
    }
    OptionField(model, "forced batch (tokens)", "batch_tokens", free_or(p.forced_batch_tokens),
                field, "free");
    if (std::isfinite(p.forced_batch_tokens)) {
      ImGui::SameLine();
      ImGui::TextDisabled("= %s %ss",
                          FormatCount(p.forced_batch_tokens / a.compute.tokens_per_sample).c_str(),
                          model.SampleWord());
    }
    ImGui::SameLine();
    OptionField(model, "forced learning rate", "lr", free_or(p.forced_lr), field, "free");
    OptionField(model, "forced width", "width", free_or(p.forced_width), field, "free");
    ImGui::SameLine();
    OptionField(model, "forced depth", "depth", free_or(p.forced_depth), field, "free");
    HelpMarker(
        "A forced value adds the fit's sensitivity penalty to the predicted loss (unknown "
        "for a preset) and the planner re-optimises N and T around it. Empty: free.");
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

void DrawShapes(const Model& model) {
  const Plan& plan = model.results.plan;
  if (plan.forced) {
    Heading("What the forced values cost");
    if (std::isfinite(plan.constraint_loss_cost)) {
      ImGui::TextWrapped(
          "Against the free optimum (%s parameters, loss %s): %s higher loss, as much as losing "
          "%s of the budget. Hyperparameter penalty %s.",
          FormatCount(plan.free_optimum.params).c_str(),
          FormatSci(plan.free_optimum.loss, 6).c_str(),
          FormatPercent(plan.constraint_loss_cost, 3).c_str(),
          FormatPercent(plan.constraint_budget_fraction, 2).c_str(),
          FormatPercent(plan.optimum.hyperparameter_penalty, 3).c_str());
    } else {
      ImGui::TextWrapped(
          "Unknown: without a sensitivity fit (a preset, or data without an lr/batch sweep) the "
          "penalty of a forced learning rate or batch cannot be predicted; the loss shown leaves "
          "it out.");
    }
  }
  if (plan.nearby.empty()) return;
  Heading("Nearby practical shapes");
  if (!ImGui::BeginTable(
          "shapes", 5,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit))
    return;
  for (const char* h : {"width x depth", "heads", "parameters", "predicted loss", "FLOPs"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  const auto row = [](const PlanPoint& p, bool chosen) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%s%.0f x %.0f", chosen ? "> " : "", p.shape.width, p.shape.depth);
    ImGui::TableNextColumn();
    ImGui::Text("%.0f x %.0f", p.shape.heads, p.shape.head_dim);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatCount(p.params).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatSci(p.loss, 6).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatSci(p.training_flops, 4).c_str());
  };
  row(plan.optimum, true);
  for (const PlanPoint& p : plan.nearby) row(p, false);
  ImGui::EndTable();
  ImGui::TextDisabled("continuous optimum: %s parameters, width %.0f, depth %.2f",
                      FormatCount(plan.ideal.params).c_str(), plan.ideal.shape.width,
                      plan.ideal.shape.depth);
}

void DrawTradeOffs(const Model& model) {
  const Plan& plan = model.results.plan;
  Heading("Trade-off: a smaller model");
  if (std::isfinite(plan.smallest.params)) {
    WrappedText(
        "A %s-parameter model (%s tokens) is predicted within %s of the optimal loss at this "
        "budget "
        "(%s vs %s): %s fewer parameters, %s less inference compute per %s.",
        FormatCount(plan.smallest.params).c_str(), FormatCount(plan.smallest.tokens).c_str(),
        FormatPercent(model.analysis.plan.loss_tolerance, 2).c_str(),
        FormatSci(plan.smallest.loss, 6).c_str(), FormatSci(plan.optimum.loss, 6).c_str(),
        FormatPercent(plan.inference_saving, 1).c_str(),
        FormatPercent(plan.inference_saving_fraction, 1).c_str(),
        model.Kind() == ModelKind::kVideo ? "video" : "1,000 tokens");
  }
  if (model.Kind() == ModelKind::kVideo && model.analysis.plan.demand.videos > 0 &&
      std::isfinite(plan.total_cost.params)) {
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
  const Plan& plan = model.results.plan;
  if (!plan.ok) {
    // Wrapped at spaces: a refusal's reasons run far past a desktop's width.
    WrappedTextColored(
        ImVec4(1, 0.45f, 0.4f, 1), "%s",
        plan.message.empty() ? "No plan: fit the data first." : plan.message.c_str());
    DrawNextRunsSection(model);
    return;
  }
  if (!plan.notes.empty()) WrappedTextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", plan.notes.c_str());
  DrawTrustReport(plan.status, plan.warnings);
  const TableText table = PlanTableOf(model);  // what the table shows is what Copy copies
  DrawTextTable(
      "plan", table,
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit);
  TableCopyButtons(model, "plan", table, [&] { return PlanMarkdown(model); });
  SameLineIfWide();
  // The results file, as File > Download results (JSON) and `scalecalc open --json` write it.
  if (ImGui::Button("Download JSON")) DownloadResults(model);
  ImGui::SameLine();
  if (ImGui::Button("Download CSV"))
    web::Download("scalecalc-results.csv", "text/csv", PlanCsv(model));
  DrawShapes(model);
  DrawTradeOffs(model);
  DrawNextRunsSection(model);
}

}  // namespace scalecalc::app

// The Inference cost panel: what the planned model costs to serve. The shape comes from the
// planner (or is typed in), the video settings (AnalysisState::cost, shared by links) give the
// planner's tokens per video; a language model's sequence is tokens per sample tokens in one
// forward pass (ServingDemandOf; the video inputs are hidden); analytic FLOPs are the planner's own
// count (ServingConfig and dit_flops.h), the paper's comparison comes from its preset, measured
// times from the WebGPU kernels (web/gpu/, via the page), which refuse to time anything until they
// pass their check against the core's CPU reference.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cost_panel_state.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/widgets.h"
#include "core/dit_flops.h"
#include "core/format.h"
#include "core/planner.h"
#include "core/presets.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

CostRow RowFor(const std::string& label, double params, const Model& model) {
  const AnalysisState& a = model.analysis;
  CostRow row;
  row.label = label;
  row.params = params;
  row.exact = ShapeForParams(a.compute, params);  // the planner's shape and FLOPs
  row.heads = std::max(1.0, std::round(row.exact.width / a.plan.head_dim));
  row.width = row.heads * a.plan.head_dim;
  row.depth = std::max(1.0, std::round(row.exact.depth));
  return row;
}

// The paper preset's headline comparison (2.43B against 4.04B at 1e22 FLOPs, science.md 3.4).
const PublishedSizeComparison* PaperComparison() {
  const PresetInfo* paper = FindPreset("paper");
  return paper && std::isfinite(paper->size_comparison.tuned_params) ? &paper->size_comparison
                                                                     : nullptr;
}

std::string TunedLabel(const PublishedSizeComparison& c) {
  return "paper at " + FormatSci(c.budget_flops, 3) + ", tuned (" + FormatCount(c.tuned_params) +
         ")";
}
std::string FixedLabel(const PublishedSizeComparison& c) {
  return "paper at " + FormatSci(c.budget_flops, 3) + ", fixed hyperparameters (" +
         FormatCount(c.fixed_params) + ")";
}

}  // namespace

std::vector<CostRow> CostRows(const Model& model) {
  const CostInputs& in = model.analysis.cost;
  std::vector<CostRow> rows;
  if (in.typed_shape) {
    CostRow row;
    row.label = "typed in";
    row.width = in.shape_width;
    row.depth = in.shape_depth;
    row.heads = in.shape_heads;
    row.exact = {in.shape_width, in.shape_depth};
    row.params = ParamsOfShape(model.analysis.compute, in.shape_width, in.shape_depth);
    rows.push_back(row);
    return rows;
  }
  const Plan& plan = model.results.plan;
  if (plan.ok) {
    CostRow planned = RowFor("compute-optimal (planner)", plan.optimum.params, model);
    const DitShape& shape = plan.optimum.shape;
    if (shape.heads > 0) {  // the planner's practical shape, exactly as planned
      planned.exact = shape;
      planned.width = shape.width;
      planned.depth = shape.depth;
      planned.heads = shape.heads;
    }
    rows.push_back(planned);
    if (std::isfinite(plan.smallest.params))
      rows.push_back(RowFor("smaller, within tolerance", plan.smallest.params, model));
  }
  // The paper's comparison is a video DiT's.
  const PublishedSizeComparison* paper =
      model.Kind() == ModelKind::kVideo ? PaperComparison() : nullptr;
  if (paper) {
    rows.push_back(RowFor(TunedLabel(*paper), paper->tuned_params, model));
    rows.push_back(RowFor(FixedLabel(*paper), paper->fixed_params, model));
  }
  return rows;
}

namespace {

void DrawVideoInputs(Model& model) {
  const float w = ImGui::GetFontSize() * 5;
  SettingField(model, "frames", w);
  SameLineIfWide();
  SettingField(model, "height_px", w);
  SameLineIfWide();
  SettingField(model, "width_px", w, nullptr, "video");
  SettingField(model, "vae_spatial", w);
  SameLineIfWide();
  SettingField(model, "vae_temporal", w);
  SameLineIfWide();
  SettingField(model, "patch", w);
  SettingField(model, "text_tokens", w, nullptr, "cost");
  SameLineIfWide();
  SettingCheckbox(model, "cross_attention", "cost");
  const CostInputs& in = model.analysis.cost;
  const std::string error = in.Validate();
  if (!error.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", error.c_str());
  } else {
    WrappedTextDisabled(
        "%s latent tokens per video (%.0f latent frames of %.0f x %.0f, patch %.0f)",
        FormatCount(in.VideoTokens()).c_str(), in.LatentFrames(), in.height_px / in.vae_spatial,
        in.width_px / in.vae_spatial, in.patch);
  }
  SettingField(model, "sampling_steps", ImGui::GetFontSize() * 6, nullptr, "cost");
  SameLineIfWide();
  SettingCheckbox(model, "guidance", "cost");
}

// A language model's sequence: no video inputs, one forward pass over tokens per sample tokens.
void DrawSequenceInputs(Model& model) {
  WrappedTextDisabled(
      "One sequence: %s tokens (tokens per sample, on the Planner panel) in one forward pass (a "
      "prefill, or generation with a KV cache).",
      FormatCount(model.analysis.compute.tokens_per_sample).c_str());
}

void DrawShapeInputs(Model& model) {
  const bool typed = model.analysis.cost.typed_shape;
  int source = typed ? 1 : 0;
  if (ImGui::RadioButton("models from the planner", &source, 0) && typed)
    model.SetOption("typed_shape", "false");
  SameLineIfWide();
  if (ImGui::RadioButton("typed in", &source, 1) && !typed) model.SetOption("typed_shape", "true");
  if (model.analysis.cost.typed_shape) {
    const float w = ImGui::GetFontSize() * 5;
    SameLineIfWide();
    SettingField(model, "shape_width", w);
    SameLineIfWide();
    SettingField(model, "shape_depth", w);
    SameLineIfWide();
    SettingField(model, "shape_heads", w);
  }
}

// A block stopped by Cancel or the time budget (not refused by the device).
bool Stopped(const BlockTiming& timing) {
  return timing.message == "cancelled" || timing.message.rfind("not measured", 0) == 0;
}

// While measuring: progress and Cancel. Otherwise: the time budget.
void DrawMeasureControls(CostMeasurement& m) {
  if (m.running) {
    const float fraction =
        m.total > 0 ? static_cast<float>(m.done) / static_cast<float>(m.total) : 0;
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 8, 0), "");
    ImGui::SameLine();
    ImGui::TextDisabled("%d / %d  %s", m.done, m.total, m.step.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel##cost")) CancelCostMeasurement();
    return;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
  ImGui::InputDouble("time budget (s)", &m.budget_seconds, 0, 0, "%.0f");
  SameLineIfWide();  // a phone's line has no room left: the hint wraps on its own line
  const std::string error = ValidateBudgetSeconds(m.budget_seconds);
  if (!error.empty())
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", error.c_str());
  else
    WrappedTextDisabled("(one block per model; a software adapter times fewer tokens)");
}

}  // namespace

void MeasureCostRows(const Model& model) {
  const CostInputs& in = model.analysis.cost;
  const bool video = model.Kind() == ModelKind::kVideo;
  if ((video && !in.Validate().empty()) || (in.typed_shape && !in.ValidateShape().empty())) return;
  const ServingDemand demand = ServingDemandOf(model.analysis, model.Kind());
  const double tokens = video ? in.VideoTokens() : demand.tokens_per_video;
  std::vector<MeasureRequest> requests;
  for (const CostRow& row : CostRows(model)) {
    // The kernels time cross-attention only to real text tokens; its q and o projections
    // without text (2 n d^2 MACs a block) are in the analytic count only.
    requests.push_back({row.label, tokens, row.width, row.heads, demand.text_tokens, row.depth,
                        demand.cross_attention && demand.text_tokens > 0});
  }
  StartCostMeasurement(requests);
}

void DrawCostPanel(Model& model) {
  const CostInputs& in = model.analysis.cost;
  const bool video = model.Kind() == ModelKind::kVideo;
  const ServingDemand demand = ServingDemandOf(model.analysis, model.Kind());
  const std::string per = std::string(" / ") + model.SampleWord();
  CostMeasurement& measured = TheCostMeasurement();
  WrappedText(
      "Inference cost of the planned model: analytic FLOPs from its shape, and the time of one "
      "transformer block measured on this device with WebGPU, extrapolated to a whole %s.",
      model.SampleWord());
  ModelKindCombo(model, "cost");
  DrawShapeInputs(model);
  if (video)
    DrawVideoInputs(model);
  else
    DrawSequenceInputs(model);
  const std::string shape_error = in.typed_shape ? in.ValidateShape() : "";
  if (!shape_error.empty())
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", shape_error.c_str());
  if ((video && !in.Validate().empty()) || !shape_error.empty()) return;
  const std::vector<CostRow> rows = CostRows(model);
  const double passes = demand.sampling_steps * (demand.guidance ? 2 : 1);

  ImGui::Separator();
  ImGui::TextUnformatted("WebGPU:");
  ImGui::SameLine();
  WrappedText("%s", measured.device.empty() ? "not measured yet" : measured.device.c_str());
  ImGui::BeginDisabled(measured.running);
  if (ImGui::Button(measured.running ? "Measuring..." : kMeasureLabel)) {
    MeasureCostRows(model);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  DrawMeasureControls(measured);
  if (!measured.message.empty())
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", measured.message.c_str());

  // The table as text first: what is shown is what Copy copies.
  TableText table;
  table.headers = {"model",        "N",           "d x depth (heads)",   "GFLOP / block",
                   "GFLOP / step", "TFLOP" + per, "measured ms / block", "GFLOP/s",
                   "s" + per};
  std::vector<const BlockTiming*> timings;
  auto printed = [](const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return std::string(buffer);
  };
  for (const CostRow& row : rows) {
    const DitConfig config = ServingConfig(row.exact, demand);  // the planner's count
    const double block_flops = 2 * DitBlockMacs(config);
    const double step_flops = DitForwardFlops(config);
    const double video_flops = DitVideoFlops(config, demand.sampling_steps, demand.guidance);
    const BlockTiming* timing = measured.Find(row.label);
    const bool ok = timing && timing->ok;
    const double seconds = ok ? timing->block_ms * row.depth * passes / 1000 : NAN;
    timings.push_back(timing);
    table.rows.push_back(
        {row.label, FormatCount(row.params),
         printed("%.0f x ", row.width) + printed("%.0f", row.depth) + printed(" (%.0f)", row.heads),
         FormatSci(block_flops / 1e9, 4), FormatSci(step_flops / 1e9, 4),
         FormatSci(video_flops / 1e12, 4),
         ok ? printed(timing->extrapolated ? "%.3f *" : "%.3f", timing->block_ms)
            : (timing ? (Stopped(*timing) ? "not measured" : "refused") : ""),
         ok ? printed("%.1f", timing->block_gflops) : "",
         std::isfinite(seconds) ? printed("%.2f", seconds) : ""});
  }
  constexpr int kMeasuredColumn = 6;
  if (BeginWideTable(
          "cost", static_cast<int>(table.headers.size()),
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit,
          static_cast<int>(rows.size()))) {
    for (const std::string& name : table.headers) ImGui::TableSetupColumn(name.c_str());
    ImGui::TableHeadersRow();
    for (size_t r = 0; r < table.rows.size(); ++r) {
      ImGui::TableNextRow();
      const BlockTiming* timing = timings[r];
      for (int c = 0; c < static_cast<int>(table.rows[r].size()); ++c) {
        ImGui::TableNextColumn();
        if (c == kMeasuredColumn && timing && !timing->ok) {
          if (Stopped(*timing))
            ImGui::TextDisabled("not measured");
          else
            ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "refused");
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", timing->message.c_str());
        } else if (c == kMeasuredColumn && timing && timing->extrapolated) {
          ImGui::TextUnformatted(table.rows[r][c].c_str());
          if (ImGui::IsItemHovered())
            ImGui::SetTooltip("timed at %.0f tokens: %.3f ms, x %.1f by the FLOP ratio",
                              timing->measured_tokens, timing->measured_ms, timing->flop_ratio);
        } else {
          ImGui::TextUnformatted(table.rows[r][c].c_str());
        }
      }
    }
    ImGui::EndTable();
  }
  bool extrapolated = false;
  for (const BlockTiming& b : measured.blocks) extrapolated |= b.ok && b.extrapolated;
  if (extrapolated) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.8f, 0.35f, 1));
    ImGui::TextWrapped(
        "* a software adapter (no GPU): each block was timed at fewer tokens and scaled up by the "
        "FLOP ratio (hover a time): an estimate, not a timing.");
    ImGui::PopStyleColor();
  }
  TableCopyButtons(model, "cost", table);

  // The saving the trade-off buys, measured, next to the paper's claim.
  const BlockTiming* optimum = rows.size() >= 2 ? measured.Find(rows[0].label) : nullptr;
  const BlockTiming* smaller = rows.size() >= 2 ? measured.Find(rows[1].label) : nullptr;
  if (!in.typed_shape && optimum && smaller && optimum->ok && smaller->ok) {
    const double t_opt = optimum->block_ms * rows[0].depth,
                 t_small = smaller->block_ms * rows[1].depth;
    ImGui::Text("Measured inference saving of the smaller model: %s per %s.",
                FormatPercent(1 - t_small / t_opt, 1).c_str(), model.SampleWord());
  }
  if (const PublishedSizeComparison* paper = video ? PaperComparison() : nullptr) {
    const BlockTiming* tuned = measured.Find(TunedLabel(*paper));
    const BlockTiming* fixed = measured.Find(FixedLabel(*paper));
    const std::string claim = FormatPercent(paper->inference_saving, 1);
    if (tuned && fixed && tuned->ok && fixed->ok && rows.size() >= 2) {
      const double depth_tuned = rows[rows.size() - 2].depth, depth_fixed = rows.back().depth;
      ImGui::Text(
          "Paper's comparison at %s FLOPs, measured here: %s lower inference cost (the paper "
          "claims %s).",
          FormatSci(paper->budget_flops, 3).c_str(),
          FormatPercent(1 - tuned->block_ms * depth_tuned / (fixed->block_ms * depth_fixed), 1)
              .c_str(),
          claim.c_str());
    } else {
      ImGui::TextDisabled(
          "The paper claims %s lower inference cost at %s FLOPs (%s vs %s parameters); measure "
          "to compare on this device.",
          claim.c_str(), FormatSci(paper->budget_flops, 3).c_str(),
          FormatCount(paper->tuned_params).c_str(), FormatCount(paper->fixed_params).c_str());
    }
  }
  if (!measured.kernels.empty() && ImGui::CollapsingHeader("Kernels of the last block measured")) {
    ImGui::Text("timing: %s", measured.timing_method.c_str());
    for (const KernelTiming& k : measured.kernels)
      ImGui::Text("%-28s %9.3f ms  %8.1f GFLOP/s", k.name.c_str(), k.ms, k.gflops);
  }
}

}  // namespace scalecalc::app

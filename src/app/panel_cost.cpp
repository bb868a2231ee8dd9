// The Inference cost panel: what the planned model costs to serve. The shape comes from the
// planner (or is typed in), the video settings give the token count; analytic FLOPs come from the
// core (dit_flops.h), measured times from the WebGPU kernels (web/gpu/, via the page), which refuse
// to time anything until they pass their check against the core's CPU reference.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cost_panel_state.h"
#include "app/format.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/widgets.h"
#include "core/dit_flops.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

constexpr double kHeadDim = 64;

CostRow RowFor(const std::string& label, double params, const ComputeModel& compute) {
  CostRow row;
  row.label = label;
  row.params = params;
  const DitShape shape = ShapeForParams(compute, params);
  row.heads = std::max(1.0, std::round(shape.width / kHeadDim));
  row.width = row.heads * kHeadDim;
  row.depth = std::max(1.0, std::round(shape.depth));
  return row;
}

}  // namespace

std::vector<CostRow> CostRows(const Model& model, const CostInputs& in) {
  std::vector<CostRow> rows;
  ComputeModel dit = model.analysis.compute;
  dit.kind = ComputeKind::kDit;
  if (in.typed_shape) {
    CostRow row;
    row.label = "typed in";
    row.width = in.width;
    row.depth = in.depth;
    row.heads = in.heads;
    row.params = 16 * in.depth * in.width * in.width;
    rows.push_back(row);
    return rows;
  }
  const Plan& plan = model.plan;
  if (plan.ok) {
    rows.push_back(RowFor("compute-optimal (planner)", plan.optimum.params, dit));
    if (std::isfinite(plan.smallest.params))
      rows.push_back(RowFor("smaller, within tolerance", plan.smallest.params, dit));
  }
  // The paper's headline comparison at 1e22 FLOPs: 2.43B (tuned hyperparameters) vs 4.04B
  // (fixed hyperparameters), science.md 3.4.
  rows.push_back(RowFor("paper at 1e22, tuned (2.43B)", 2.43e9, dit));
  rows.push_back(RowFor("paper at 1e22, fixed hyperparameters (4.04B)", 4.04e9, dit));
  return rows;
}

namespace {

DitConfig ConfigFor(const CostRow& row, const CostInputs& in, double tokens) {
  DitConfig config;
  config.depth = row.depth;
  config.width = row.width;
  config.tokens = tokens;
  config.cross_attention = in.text_tokens > 0;
  config.text_tokens = in.text_tokens;
  return config;
}

void DrawVideoInputs(Model& model, CostInputs& in) {
  const float w = ImGui::GetFontSize() * 5;
  ImGui::PushItemWidth(w);
  bool changed = false;
  changed |= ImGui::InputDouble("frames", &in.frames, 0, 0, "%.0f");
  SameLineIfWide();
  changed |= ImGui::InputDouble("height", &in.height_px, 0, 0, "%.0f");
  SameLineIfWide();
  changed |= ImGui::InputDouble("width", &in.width_px, 0, 0, "%.0f");
  changed |= ImGui::InputDouble("VAE spatial", &in.vae_spatial, 0, 0, "%.0f");
  SameLineIfWide();
  changed |= ImGui::InputDouble("VAE temporal", &in.vae_temporal, 0, 0, "%.0f");
  SameLineIfWide();
  changed |= ImGui::InputDouble("patch", &in.patch, 0, 0, "%.0f");
  SameLineIfWide();
  changed |=
      ImGui::InputDouble("text tokens (0: no cross-attention)", &in.text_tokens, 0, 0, "%.0f");
  ImGui::PopItemWidth();
  in.error = in.Validate();
  const double tokens = in.error.empty() ? in.VideoTokens() : NAN;
  if (!in.error.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", in.error.c_str());
  } else {
    WrappedTextDisabled(
        "%s latent tokens per video (%.0f latent frames of %.0f x %.0f, patch %.0f)",
        FormatCount(tokens).c_str(), in.LatentFrames(), in.height_px / in.vae_spatial,
        in.width_px / in.vae_spatial, in.patch);
    if (changed && tokens != model.analysis.plan.demand.tokens_per_video) {
      model.SetOption("video_tokens", FormatFull(tokens));  // the planner's serving cost follows
    }
  }
  const float field = ImGui::GetFontSize() * 6;
  OptionField(model, "sampling steps##cost", "sampling_steps",
              FormatFull(model.analysis.plan.demand.sampling_steps), field);
  SameLineIfWide();
  bool guidance = model.analysis.plan.demand.guidance;
  if (ImGui::Checkbox("classifier-free guidance##cost", &guidance))
    model.SetOption("guidance", guidance ? "true" : "false");
}

void DrawShapeInputs(CostInputs& in) {
  int source = in.typed_shape ? 1 : 0;
  if (ImGui::RadioButton("models from the planner", &source, 0)) in.typed_shape = false;
  SameLineIfWide();
  if (ImGui::RadioButton("typed in", &source, 1)) in.typed_shape = true;
  if (in.typed_shape) {
    SameLineIfWide();
    ImGui::PushItemWidth(ImGui::GetFontSize() * 5);
    ImGui::InputDouble("width d", &in.width, 0, 0, "%.0f");
    SameLineIfWide();
    ImGui::InputDouble("depth", &in.depth, 0, 0, "%.0f");
    SameLineIfWide();
    ImGui::InputDouble("heads", &in.heads, 0, 0, "%.0f");
    ImGui::PopItemWidth();
  }
}

}  // namespace

void MeasureCostRows(const Model& model) {
  const CostInputs& in = TheCostInputs();
  if (!in.Validate().empty() || (in.typed_shape && !in.ValidateShape().empty())) return;
  std::vector<MeasureRequest> requests;
  for (const CostRow& row : CostRows(model, in)) {
    requests.push_back(
        {row.label, in.VideoTokens(), row.width, row.heads, in.text_tokens, row.depth});
  }
  StartCostMeasurement(requests);
}

void DrawCostPanel(Model& model) {
  CostInputs& in = TheCostInputs();
  CostMeasurement& measured = TheCostMeasurement();
  WrappedText(
      "Inference cost of the planned model: analytic FLOPs from its shape, and the time of one "
      "DiT block measured on this device with WebGPU, extrapolated to a whole video.");
  DrawShapeInputs(in);
  DrawVideoInputs(model, in);
  const std::string shape_error = in.typed_shape ? in.ValidateShape() : "";
  if (!shape_error.empty())
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", shape_error.c_str());
  if (!in.error.empty() || !shape_error.empty()) return;
  const double tokens = in.VideoTokens();
  const std::vector<CostRow> rows = CostRows(model, in);
  const double passes =
      model.analysis.plan.demand.sampling_steps * (model.analysis.plan.demand.guidance ? 2 : 1);

  ImGui::Separator();
  ImGui::TextUnformatted("WebGPU:");
  ImGui::SameLine();
  WrappedText("%s", measured.device.empty() ? "not measured yet" : measured.device.c_str());
  ImGui::BeginDisabled(measured.running);
  if (ImGui::Button(measured.running ? "Measuring..." : "Measure on this GPU")) {
    MeasureCostRows(model);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  WrappedTextDisabled("(times one block per model; large shapes take long on a software adapter)");
  if (!measured.message.empty())
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", measured.message.c_str());

  // The table as text first: what is shown is what Copy copies.
  TableText table;
  table.headers = {"model",
                   "N",
                   "d x depth (heads)",
                   "GFLOP / block",
                   "GFLOP / step",
                   "TFLOP / video",
                   "measured ms / block",
                   "GFLOP/s",
                   "s / video"};
  std::vector<const BlockTiming*> timings;
  auto printed = [](const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return std::string(buffer);
  };
  for (const CostRow& row : rows) {
    const DitConfig config = ConfigFor(row, in, tokens);
    const double block_flops = 2 * DitBlockMacs(config);
    const double step_flops = DitForwardFlops(config);
    const double video_flops = DitVideoFlops(config, model.analysis.plan.demand.sampling_steps,
                                             model.analysis.plan.demand.guidance);
    const BlockTiming* timing = measured.Find(row.label);
    const bool ok = timing && timing->ok;
    const double seconds = ok ? timing->block_ms * row.depth * passes / 1000 : NAN;
    timings.push_back(timing);
    table.rows.push_back(
        {row.label, FormatCount(row.params),
         printed("%.0f x ", row.width) + printed("%.0f", row.depth) + printed(" (%.0f)", row.heads),
         FormatSci(block_flops / 1e9, 4), FormatSci(step_flops / 1e9, 4),
         FormatSci(video_flops / 1e12, 4),
         ok ? printed("%.3f", timing->block_ms) : (timing ? "refused" : ""),
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
          ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "refused");
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", timing->message.c_str());
        } else {
          ImGui::TextUnformatted(table.rows[r][c].c_str());
        }
      }
    }
    ImGui::EndTable();
  }
  TableCopyButtons(model, "cost", table);

  // The saving the trade-off buys, measured, next to the paper's claim.
  const BlockTiming* optimum = rows.size() >= 2 ? measured.Find(rows[0].label) : nullptr;
  const BlockTiming* smaller = rows.size() >= 2 ? measured.Find(rows[1].label) : nullptr;
  if (!in.typed_shape && optimum && smaller && optimum->ok && smaller->ok) {
    const double t_opt = optimum->block_ms * rows[0].depth,
                 t_small = smaller->block_ms * rows[1].depth;
    ImGui::Text("Measured inference saving of the smaller model: %s per video.",
                FormatPercent(1 - t_small / t_opt, 1).c_str());
  }
  const BlockTiming* tuned = measured.Find("paper at 1e22, tuned (2.43B)");
  const BlockTiming* fixed = measured.Find("paper at 1e22, fixed hyperparameters (4.04B)");
  if (tuned && fixed && tuned->ok && fixed->ok) {
    const double depth_tuned = rows[rows.size() - 2].depth, depth_fixed = rows.back().depth;
    ImGui::Text(
        "Paper's comparison at 1e22 FLOPs, measured here: %s lower inference cost (the paper "
        "claims 40.1%%).",
        FormatPercent(1 - tuned->block_ms * depth_tuned / (fixed->block_ms * depth_fixed), 1)
            .c_str());
  } else {
    WrappedTextDisabled(
        "The paper claims 40.1%% lower inference cost at 1e22 FLOPs (2.43B vs 4.04B parameters); "
        "measure to compare on this device.");
  }
  if (!measured.kernels.empty() && ImGui::CollapsingHeader("Kernels of the last block measured")) {
    ImGui::Text("timing: %s", measured.timing_method.c_str());
    for (const KernelTiming& k : measured.kernels)
      ImGui::Text("%-28s %9.3f ms  %8.1f GFLOP/s", k.name.c_str(), k.ms, k.gflops);
  }
}

}  // namespace scalecalc::app

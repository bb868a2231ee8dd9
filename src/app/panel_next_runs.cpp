// The planner panel's "Next runs" section: the sweep designer's candidate cells (core/designer.h)
// for the plan's budget, as a table and on the (N, T) plane over the existing cells, coloured by
// how much each narrows the N_opt interval per FLOP.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/format.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/widgets.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

// Blue (low) to orange (high) by rank position t in [0, 1].
ImU32 ValueColor(double t) {
  const double a = std::clamp(t, 0.0, 1.0);
  const int r = static_cast<int>(0 + a * 230), g = static_cast<int>(114 + a * (159 - 114)),
            b = static_cast<int>(178 - a * 178);
  return IM_COL32(r, g, b, 230);
}

void DrawPlane(const Model& model, const Design& design) {
  plot::PlotSpec spec;
  spec.title = "Candidate cells on the (N, T) plane, over the existing ones";
  spec.x = {"model size N", plot::AxisScale::kLog};
  spec.y = {"training tokens T", plot::AxisScale::kLog};
  if (!plot::BeginPlot("##nextruns", spec, ImVec2(-1, ImGui::GetFontSize() * 20))) return;
  std::vector<double> ns, ts;
  for (const Cell& cell : model.fit.cells) ns.push_back(cell.params), ts.push_back(cell.tokens);
  plot::Scatter("existing cells", ns.data(), ts.data(), static_cast<int>(ns.size()),
                IM_COL32(200, 200, 200, 200), 4);
  // Colour by rank (best orange); one series per candidate so each keeps its colour.
  const int count = static_cast<int>(design.candidates.size());
  for (int i = count - 1; i >= 0; --i) {
    const DesignCandidate& c = design.candidates[i];
    const double t = count > 1 ? 1.0 - static_cast<double>(i) / (count - 1) : 1.0;
    plot::Scatter(i == 0 ? "candidates (orange: most narrowing per FLOP)" : "##candidate",
                  &c.params, &c.tokens, 1, ValueColor(t), i == 0 ? 7 : 5, i);
  }
  if (std::isfinite(design.params_opt)) {
    plot::VerticalLine("N_opt at the budget", design.params_opt, plot::PaletteColor(3), true);
  }
  plot::EndPlot();
  const plot::HoverInfo& hover = plot::LastHover();
  if (hover.valid && hover.id >= 0 && hover.id < count && hover.series != "existing cells") {
    const DesignCandidate& c = design.candidates[hover.id];
    ImGui::SetTooltip("rank %d: N = %s, T = %s\n%d runs, %s FLOPs\nN_opt 95%% once added %s",
                      hover.id + 1, FormatCount(c.params).c_str(), FormatCount(c.tokens).c_str(),
                      c.runs, FormatSci(c.flops, 3).c_str(),
                      FormatInterval(c.expected_params_ci, 3).c_str());
  }
}

std::string Values(const std::vector<double>& values, bool count) {
  std::string out;
  for (double v : values)
    out += (out.empty() ? "" : ", ") + (count ? FormatCount(v) : FormatSci(v, 3));
  return out.empty() ? "-" : out;
}

}  // namespace

void DrawNextRunsSection(Model& model) {
  if (!ImGui::CollapsingHeader("Next runs: which cells to add to trust this plan")) return;
  const AnalysisState& a = model.analysis;
  const Design& design = model.design;
  OptionField(model, "allowance per candidate (FLOPs)", "design_max_flops",
              std::isfinite(a.design_max_flops) ? FormatSci(a.design_max_flops, 6) : "",
              ImGui::GetFontSize() * 8, "auto: the sweep's cost");
  HelpMarker(
      "Each candidate is a new (N, T) cell with a small learning-rate x batch grid centred on the "
      "fitted laws. The interval each would give is predicted by linearising the loss law around "
      "the fit (its Jacobian at the cells, the fit's residual scale); candidates are ranked by how "
      "much they narrow the 95% interval of N_opt at this budget per FLOP.");
  if (!design.ok) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s",
                       design.message.empty() ? "No fit yet." : design.message.c_str());
    return;
  }
  ImGui::Text("Now: N_opt %s %s, loss %s %s (linearised)", FormatCount(design.params_opt).c_str(),
              FormatInterval(design.current_params_ci, 3).c_str(),
              FormatSci(design.loss_opt, 6).c_str(),
              FormatInterval(design.current_loss_ci, 6).c_str());
  if (ImGui::BeginTable("nextruns", 7,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                            ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetFontSize() * 14))) {
    for (const char* h :
         {"rank", "N", "T", "runs (lr x batch)", "FLOPs", "N_opt 95% once added", "narrows"}) {
      ImGui::TableSetupColumn(h);
    }
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableHeadersRow();
    int rank = 0;
    for (const DesignCandidate& c : design.candidates) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", ++rank);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatCount(c.params).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatCount(c.tokens).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%d", c.runs);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("lr: %s\nbatch tokens: %s", Values(c.lr, false).c_str(),
                          Values(c.batch_tokens, true).c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatSci(c.flops, 3).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatInterval(c.expected_params_ci, 3).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatPercent(c.narrowing, 1).c_str());
    }
    ImGui::EndTable();
  }
  DrawPlane(model, design);
}

}  // namespace scalecalc::app

// The planner panel's "Next runs" section: the sweep designer (core/designer.h) for the plan's
// budget: the recommended set within the allowance (a table with Copy) and the ranked candidate
// cells, on the (N, T) plane over the existing cells. The page runs the linearised screen (no
// refits); `scalecalc design` confirms it by simulation.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/design_job.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/text_layout.h"
#include "app/widgets.h"
#include "core/format.h"
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
  for (const Cell& cell : model.results.fit.cells)
    ns.push_back(cell.params), ts.push_back(cell.tokens);
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
  // The recommended set on top, larger: the simulated one once computed for this fit.
  const DesignSimulation& sim = model.design_simulation;
  const bool simulated = sim.has_result && sim.ok && sim.generation == model.generation;
  std::vector<double> set_n, set_t;
  for (const DesignCandidate& c : simulated ? sim.set_cells : design.recommended.cells) {
    set_n.push_back(c.params), set_t.push_back(c.tokens);
  }
  if (!set_n.empty()) {
    plot::Scatter(simulated ? "recommended set (simulated)" : "recommended set (linearised)",
                  set_n.data(), set_t.data(), static_cast<int>(set_n.size()),
                  IM_COL32(220, 40, 60, 255), 9);
  }
  if (std::isfinite(design.params_opt)) {
    plot::VerticalLine("N_opt at the budget", design.params_opt, plot::PaletteColor(3), true);
  }
  plot::EndPlot();
  const plot::HoverInfo& hover = plot::LastHover();
  if (hover.valid && hover.id >= 0 && hover.id < count && hover.series != "existing cells" &&
      hover.series.rfind("recommended set", 0) != 0) {
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

namespace {

// The recommended set as text: what is shown is what Copy copies.
TableText SetTable(const Design& design) {
  TableText table;
  const bool identified = design.identified;
  table.headers = {"pick",  "N",
                   "T",     "runs",
                   "lr",    "batch tokens",
                   "FLOPs", identified ? "N_opt 95% up to this pick" : "separates"};
  int pick = 0;
  for (const DesignCandidate& c : design.recommended.cells) {
    table.rows.push_back(
        {std::to_string(++pick), FormatCount(c.params), FormatCount(c.tokens),
         std::to_string(c.runs), Values(c.lr, false), Values(c.batch_tokens, true),
         FormatSci(c.flops, 3),
         identified ? FormatInterval(c.expected_params_ci, 3) : FormatSci(c.separation, 3)});
  }
  return table;
}

// The simulated set, computed in a worker: the button, its progress and cancel, the result.
void DrawSimulation(Model& model) {
  DesignSimulation& sim = model.design_simulation;
  if (!model.results.design.identified) return;
  if (sim.running) {
    const float fraction =
        sim.total > 0 ? std::min(1.0f, static_cast<float>(sim.done) / sim.total) : 0.0f;
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 14, 0),
                       (std::to_string(sim.done) + " refits").c_str());
    ImGui::SameLine();
    if (ImGui::Button("Cancel##designsim")) CancelDesignSimulation(model);
    return;
  }
  if (ImGui::Button(kSimulateDesignLabel)) StartDesignSimulation(model);
  ImGui::SameLine();
  HelpMarker(
      "Confirms the set by simulation, as `scalecalc design` does: runs drawn from the fit's "
      "bootstrap laws, refitted with a 100-resample bootstrap, averaged over 4 draws per "
      "comparison and 16 for the set. Hundreds of refits: about a minute on the example sweep.");
  const bool current = sim.generation == model.generation;
  if (!sim.message.empty()) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", sim.message.c_str());
  }
  if (!sim.has_result || !sim.ok || !current) return;
  ImGui::TextWrapped(
      "Simulated set (%d draws per comparison, %d for the set, %d refits, %.0f s): %d cells, %d "
      "runs, %s FLOPs; N_opt %s now, %s once added: narrows %s.",
      sim.draws, sim.confirm_draws, sim.refits, sim.seconds, static_cast<int>(sim.set_cells.size()),
      sim.set_runs, FormatSci(sim.set_flops, 3).c_str(),
      FormatInterval(sim.current_params_ci, 3).c_str(),
      FormatInterval(sim.set_params_ci, 3).c_str(), FormatPercent(sim.set_narrowing, 1).c_str());
  if (sim.set_cells.empty()) return;
  Design shown;
  shown.identified = true;
  shown.recommended.cells = sim.set_cells;
  const TableText table = SetTable(shown);
  DrawTextTable("simset", table, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH);
  TableCopyButtons(model, "simset", table);
}

}  // namespace

void DrawNextRunsSection(Model& model) {
  if (!ImGui::CollapsingHeader("Next runs: which cells to add to trust this plan")) return;
  const AnalysisState& a = model.analysis;
  const Design& design = model.results.design;
  SettingField(model, "design_allowance_flops", ImGui::GetFontSize() * 8,
               "auto: the per-candidate limit");
  OptionField(model, "allowance per candidate (FLOPs)", "design_max_flops",
              std::isfinite(a.design_max_flops) ? FormatSci(a.design_max_flops, 6) : "",
              ImGui::GetFontSize() * 8, "auto: the sweep's cost");
  HelpMarker(
      "The allowance buys a set of new (N, T) cells, each with a small learning-rate x batch grid "
      "centred on the fitted laws and wide enough to hold the optimum. The set is chosen greedily "
      "by how much each cell narrows the 95% interval of N_opt at this budget per FLOP, re-"
      "estimated after each pick. Here the narrowing is linearised (the loss law's Jacobian at the "
      "cells and the fit's residual scale): quick, and off by up to a third. `scalecalc design` "
      "confirms it by simulation: runs drawn from the fit's bootstrap laws, refitted, averaged.");
  if (!design.ok) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s",
                       design.message.empty() ? "No fit yet." : design.message.c_str());
    return;
  }
  for (const Warning& w : design.warnings) {
    if (w.code == "design_linearised") continue;  // said by the help and the status line
    ImGui::PushStyleColor(ImGuiCol_Text, w.severity == Severity::kInfo ? ImVec4(0.7f, 0.7f, 0.7f, 1)
                                                                       : ImVec4(1, 0.8f, 0.35f, 1));
    ImGui::TextWrapped("%s", w.message.c_str());
    ImGui::PopStyleColor();
  }
  if (design.identified) {
    ImGui::Text("Now: N_opt %s %s, loss %s %s (linearised)", FormatCount(design.params_opt).c_str(),
                FormatInterval(design.current_params_ci, 3).c_str(),
                FormatSci(design.loss_opt, 6).c_str(),
                FormatInterval(design.current_loss_ci, 6).c_str());
  }
  const DesignSet& set = design.recommended;
  const double allowance = std::isnan(design.options.allowance_flops)
                               ? design.options.max_flops
                               : design.options.allowance_flops;
  ImGui::TextWrapped(
      "Recommended set: %d cells, %d runs, %s of %s FLOPs%s%s%s",
      static_cast<int>(set.cells.size()), set.runs, FormatSci(set.flops, 3).c_str(),
      FormatSci(allowance, 3).c_str(),
      design.identified && !set.cells.empty() ? "; N_opt once added " : "",
      design.identified && !set.cells.empty() ? FormatInterval(set.expected_params_ci, 3).c_str()
                                              : "",
      design.identified && !set.cells.empty()
          ? (", narrows " + FormatPercent(set.narrowing, 1) + " (linearised)").c_str()
          : "");
  if (design.method == "linearised") {
    ImGui::TextDisabled(
        "Linearised screen: it can misjudge cells by a third and more. The simulation below (or "
        "`scalecalc design` with the same runs) confirms the set.");
  }
  if (!set.cells.empty()) {
    const TableText table = SetTable(design);
    DrawTextTable("nextset", table, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH);
    TableCopyButtons(model, "nextset", table);
  }
  DrawSimulation(model);
  ImGui::TextUnformatted("Candidates, each alone, best first:");
  if (ImGui::BeginTable("nextruns", 7,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                            ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetFontSize() * 14))) {
    for (const char* h : {"rank", "N", "T", "runs (lr x batch)", "FLOPs",
                          design.identified ? "N_opt 95% once added" : "-",
                          design.identified ? "narrows" : "separates"}) {
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
      ImGui::TextUnformatted(design.identified ? FormatInterval(c.expected_params_ci, 3).c_str()
                                               : "-");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(design.identified ? FormatPercent(c.narrowing, 1).c_str()
                                               : FormatSci(c.separation, 3).c_str());
    }
    ImGui::EndTable();
  }
  DrawPlane(model, design);
}

}  // namespace scalecalc::app

// The Plots panel: the data and the fitted laws on log axes. Loss against tokens per model size,
// the optimal learning rate and batch size against tokens with their laws, the loss along the
// iso-compute line at the chosen budget, and the fit's residuals; with a group column the loss and
// residual plots overlay the groups instead. Every number drawn comes from model.plots and
// model.group_plots (core/plot_series.h), computed once per fit and plan, never per frame.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/widgets.h"
#include "core/format.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

std::string GroupLabel(const SizeGroup& group) {
  return "N = " + FormatCount(group.params);
}

void CellTooltip(const std::vector<Cell>& cells, const SizeGroup& group) {
  const plot::HoverInfo& hover = plot::LastHover();
  if (!hover.valid || hover.series != GroupLabel(group) || hover.index < 0 ||
      hover.index >= static_cast<int>(group.cell_index.size()))
    return;
  const Cell& c = cells[group.cell_index[hover.index]];
  ImGui::SetTooltip("N = %s, T = %s (%d runs)\nloss %s\nlr %s, batch %s tokens%s",
                    FormatCount(c.params).c_str(), FormatCount(c.tokens).c_str(), c.runs,
                    FormatSci(c.loss, 6).c_str(), FormatSci(c.lr, 4).c_str(),
                    FormatCount(c.batch_tokens).c_str(),
                    c.on_edge ? "\noptimum on the edge of the sweep" : "");
}

enum class Quantity { kLoss, kLr, kBatch };

// Grouped (a group column set): each group in its colour, its cell optima and its own L(N, T)
// per model size, one legend entry per group; hidden groups (the comparison's "show") left out.
bool Grouped(const Model& model) {
  return !model.results.groups.empty() && model.group_plots.size() == model.results.groups.size();
}
bool GroupShown(const Model& model, size_t g) {
  return g >= model.group_shown.size() || model.group_shown[g];
}

// draw(label, colour, size group) for each model size of each shown group, in the group's colour
// and under its name (one legend entry per group).
template <typename Draw>
void ForEachShownSizeGroup(const Model& model, Draw draw) {
  for (size_t g = 0; g < model.results.groups.size(); ++g) {
    if (!GroupShown(model, g)) continue;
    const char* label = model.results.groups[g].name.c_str();
    const ImU32 color = plot::PaletteColor(static_cast<int>(g));
    for (const SizeGroup& group : model.group_plots[g].size_groups) draw(label, color, group);
  }
}

bool DrawGroupsAgainstTokens(const Model& model, ImVec2 size) {
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  spec.title = "Loss against tokens by group (points: cell optima; lines: each group's L(N, T))";
  spec.x = {"tokens T", plot::AxisScale::kLog};
  spec.y = {"loss", plot::AxisScale::kLog};
  if (!plot::BeginPlot("##loss_tokens", spec, size)) return false;
  ForEachShownSizeGroup(model, [](const char* label, ImU32 color, const SizeGroup& group) {
    if (!group.curve_loss.empty()) {
      plot::Line(label, group.curve_tokens.data(), group.curve_loss.data(),
                 static_cast<int>(group.curve_loss.size()), color, 1.2f);
    }
    plot::Scatter(label, group.tokens.data(), group.loss.data(),
                  static_cast<int>(group.loss.size()), color, 3);
  });
  plot::EndPlot();
  return true;
}

bool DrawGroupResiduals(const Model& model, ImVec2 size) {
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  spec.title = "Residuals of each group's loss law: ln(observed / fitted), per cell";
  spec.x = {"tokens T", plot::AxisScale::kLog};
  spec.y = {"ln(L / L_hat)", plot::AxisScale::kLinear};
  if (!plot::BeginPlot("##residuals", spec, size)) return false;
  plot::HorizontalLine("##zero", 0, IM_COL32(200, 200, 200, 120), true);
  ForEachShownSizeGroup(model, [](const char* label, ImU32 color, const SizeGroup& group) {
    plot::Scatter(label, group.tokens.data(), group.residual.data(),
                  static_cast<int>(group.residual.size()), color, 3);
  });
  plot::EndPlot();
  return true;
}

bool DrawAgainstTokens(const Model& model, const std::vector<SizeGroup>& groups, Quantity quantity,
                       ImVec2 size) {
  if (quantity == Quantity::kLoss && Grouped(model)) return DrawGroupsAgainstTokens(model, size);
  const FitSummary& fit = model.results.fit;
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  spec.hover_tooltip = false;
  spec.x = {"tokens T", plot::AxisScale::kLog};
  const char* id = "##loss_tokens";
  if (quantity == Quantity::kLoss) {
    spec.title = "Loss against tokens per model size (points: cell optima; lines: L(N, T))";
    spec.y = {"loss", plot::AxisScale::kLog};
  } else if (quantity == Quantity::kLr) {
    spec.title = "Optimal learning rate against tokens (lines: fitted law)";
    spec.y = {"learning rate", plot::AxisScale::kLog};
    id = "##lr_tokens";
  } else {
    spec.title = "Optimal batch size (tokens) against tokens (lines: fitted law)";
    spec.y = {"batch (tokens)", plot::AxisScale::kLog};
    id = "##batch_tokens";
  }
  if (!plot::BeginPlot(id, spec, size)) return false;
  const PlotSeries& series = model.plots;
  if (quantity == Quantity::kLoss) {
    // All runs, faint, so the sweep's spread is visible behind its optima.
    plot::Scatter("runs", series.run_tokens.data(), series.run_loss.data(),
                  static_cast<int>(series.run_tokens.size()), IM_COL32(160, 160, 170, 70), 1.6f);
  }
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    const SizeGroup& group = groups[g];
    const std::string label = GroupLabel(group);
    const ImU32 color = plot::PaletteColor(g);
    const std::vector<double>& curve = quantity == Quantity::kLoss ? group.curve_loss
                                       : quantity == Quantity::kLr ? group.curve_lr
                                                                   : group.curve_batch;
    if (!curve.empty()) {
      plot::Line(label.c_str(), group.curve_tokens.data(), curve.data(),
                 static_cast<int>(curve.size()), color, 1.6f);
    }
    const std::vector<double>& y = quantity == Quantity::kLoss ? group.loss
                                   : quantity == Quantity::kLr ? group.lr
                                                               : group.batch_tokens;
    plot::Scatter(label.c_str(), group.tokens.data(), y.data(), static_cast<int>(y.size()), color,
                  4);
  }
  plot::EndPlot();
  for (const SizeGroup& group : groups) CellTooltip(fit.cells, group);
  const plot::HoverInfo& hover = plot::LastHover();
  if (quantity == Quantity::kLoss && hover.valid && hover.series == "runs" && hover.index >= 0 &&
      hover.index < static_cast<int>(series.run_index.size())) {
    const Run& r = model.results.read.table.runs[series.run_index[hover.index]];
    ImGui::SetTooltip("run: data row %d (line %d)\nN = %s, T = %s\nlr %s, batch %s tokens\nloss %s",
                      r.data_row, r.line, FormatCount(r.params).c_str(),
                      FormatCount(r.tokens).c_str(), FormatSci(r.lr, 4).c_str(),
                      FormatCount(r.batch_tokens).c_str(), FormatSci(r.loss, 6).c_str());
  }
  return true;
}

bool DrawIsoCompute(const Model& model, ImVec2 size) {
  const Plan& plan = model.results.plan;
  const AnalysisState& a = model.analysis;
  const IsoComputeSeries& iso = model.plots.iso;
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  const std::string title =
      "Loss along the iso-compute line at " + FormatSci(a.plan.budget_flops, 3) + " FLOPs";
  spec.title = title.c_str();
  spec.x = {"model size N", plot::AxisScale::kLog};
  spec.y = {"predicted loss", plot::AxisScale::kLinear};
  if (!plan.ok || !iso.ok || !plot::BeginPlot("##isocompute", spec, size)) return false;
  const int points = static_cast<int>(iso.params.size());
  if (!iso.loss_lo.empty()) {
    plot::BandBetween("95% interval", iso.params.data(), iso.loss_lo.data(), iso.loss_hi.data(),
                      points, plot::PaletteColor(0, 0.18f));
  }
  const std::string band_label =
      "within " + FormatPercent(a.plan.loss_tolerance, 2) + " of the optimum";
  if (std::isfinite(iso.tolerance_params_lo) && std::isfinite(iso.tolerance_params_hi)) {
    plot::ShadedBand(band_label.c_str(), iso.tolerance_params_lo, iso.tolerance_params_hi,
                     IM_COL32(120, 200, 140, 40));
  }
  plot::Line("fitted law", iso.params.data(), iso.loss.data(), points, plot::PaletteColor(0), 2);
  if (model.compare_iso.ok) {
    const IsoComputeSeries& other = model.compare_iso;
    plot::Line(model.compare->title.c_str(), other.params.data(), other.loss.data(),
               static_cast<int>(other.params.size()), plot::PaletteColor(1), 1.5f);
    if (model.compare_plan.ok) {
      plot::Marker("compared optimum", model.compare_plan.optimum.params,
                   model.compare_plan.optimum.loss, plot::PaletteColor(1),
                   plot::MarkerShape::kSquare, 5);
    }
  } else if (model.compare && model.compare->laws.params_opt.IsSet() && model.compare_plan.ok) {
    // A preset without a loss law (Liang et al.): its published N_opt at this budget.
    const std::string label = model.compare->title + ": published N_opt";
    plot::VerticalLine(label.c_str(), model.compare_plan.ideal.params, plot::PaletteColor(1), true);
  }
  plot::Marker("optimum", plan.optimum.params, plan.optimum.loss, plot::PaletteColor(3),
               plot::MarkerShape::kDiamond, 7);
  if (std::isfinite(plan.smallest.params)) {
    plot::VerticalLine("smallest acceptable model", plan.smallest.params, plot::PaletteColor(2),
                       true);
    plot::Marker("smallest acceptable model", plan.smallest.params, plan.smallest.loss,
                 plot::PaletteColor(2), plot::MarkerShape::kCircle, 5);
  }
  plot::EndPlot();
  return true;
}

bool DrawResiduals(const Model& model, ImVec2 size) {
  if (Grouped(model)) return DrawGroupResiduals(model, size);
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  spec.title = "Residuals of the loss law: ln(observed / fitted), per cell";
  spec.x = {"tokens T", plot::AxisScale::kLog};
  spec.y = {"ln(L / L_hat)", plot::AxisScale::kLinear};
  spec.hover_tooltip = false;
  if (!model.results.fit.laws.loss.IsSet() || !plot::BeginPlot("##residuals", spec, size))
    return false;
  plot::HorizontalLine("##zero", 0, IM_COL32(200, 200, 200, 120), true);
  const std::vector<SizeGroup>& groups = model.plots.size_groups;
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    const SizeGroup& group = groups[g];
    plot::Scatter(GroupLabel(group).c_str(), group.tokens.data(), group.residual.data(),
                  static_cast<int>(group.residual.size()), plot::PaletteColor(g), 4);
  }
  plot::EndPlot();
  for (const SizeGroup& group : groups) CellTooltip(model.results.fit.cells, group);
  return true;
}

// One cell of the plot grid: the plot, then its Save PNG / Save CSV buttons under it.
template <typename Draw>
void PlotCell(Model& model, const char* name, ImVec2 size, Draw draw) {
  ImGui::BeginGroup();
  const ImVec2 plot_size(size.x, size.y - ImGui::GetFrameHeightWithSpacing());
  if (draw(plot_size)) PlotExportButtons(model, name);
  ImGui::EndGroup();
}

}  // namespace

void DrawPlotsPanel(Model& model) {
  const FitSummary& fit = model.results.fit;
  if (!fit.ok) {
    WrappedTextColored(ImVec4(1, 0.45f, 0.4f, 1), "Nothing to plot: %s", fit.message.c_str());
    return;
  }
  const std::vector<SizeGroup>& groups = model.plots.size_groups;
  HeadlineGroupCombo(model, "plots");  // grouped data: whose fit the main series are
  const ImVec2 cell = PlotCellSize();
  int drawn = 0;
  PlotCell(model, "loss_tokens", cell,
           [&](ImVec2 size) { return DrawAgainstTokens(model, groups, Quantity::kLoss, size); });
  PlotGridNext(drawn++);
  PlotCell(model, "isocompute", cell, [&](ImVec2 size) { return DrawIsoCompute(model, size); });
  PlotGridNext(drawn++);
  if (fit.has_sweep) {
    PlotCell(model, "lr_tokens", cell,
             [&](ImVec2 size) { return DrawAgainstTokens(model, groups, Quantity::kLr, size); });
    PlotGridNext(drawn++);
    PlotCell(model, "batch_tokens", cell,
             [&](ImVec2 size) { return DrawAgainstTokens(model, groups, Quantity::kBatch, size); });
    PlotGridNext(drawn++);
  }
  PlotCell(model, "residuals", cell, [&](ImVec2 size) { return DrawResiduals(model, size); });
  PlotGridNext(drawn++);
  if (!model.results.groups.empty()) {
    DrawGroupPlots(model, cell);
    PlotGridNext(drawn++);
  }
  if (drawn % 2 == 1 && !IsPhone()) ImGui::NewLine();  // the IsoFLOP pair starts a row
  DrawIsoFlopPlots(model, cell);
}

}  // namespace scalecalc::app

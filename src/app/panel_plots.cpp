// The Plots panel: the data and the fitted laws on log axes. Loss against tokens per model size,
// the optimal learning rate and batch size against tokens with their laws, the loss along the
// iso-compute line at the chosen budget, and the fit's residuals. Model sizes are grouped into at
// most kMaxGroups log-spaced bins so that data sets with many sizes (Chinchilla) stay readable.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/format.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/widgets.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

constexpr int kMaxGroups = 8;
constexpr int kCurvePoints = 96;

// Points of one model-size group.
struct Group {
  double params = 0;  // geometric mean of the group's model sizes
  std::string label;
  std::vector<double> tokens, loss, lr, batch;  // cell optima
  std::vector<int> cell_index;
};

std::vector<Group> GroupCells(const std::vector<Cell>& cells) {
  std::vector<double> sizes;
  for (const Cell& c : cells) sizes.push_back(c.params);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.empty()) return {};
  const int groups = std::min<int>(kMaxGroups, static_cast<int>(sizes.size()));
  const double lo = std::log(sizes.front()), hi = std::log(sizes.back());
  auto group_of = [&](double params) {
    if (groups == static_cast<int>(sizes.size())) {
      return static_cast<int>(std::lower_bound(sizes.begin(), sizes.end(), params) - sizes.begin());
    }
    const double t = hi > lo ? (std::log(params) - lo) / (hi - lo) : 0;
    return std::min(groups - 1, static_cast<int>(t * groups));
  };
  std::vector<Group> result(groups);
  std::vector<double> log_sum(groups, 0);
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const Cell& c = cells[i];
    Group& g = result[group_of(c.params)];
    log_sum[group_of(c.params)] += std::log(c.params);
    g.tokens.push_back(c.tokens);
    g.loss.push_back(c.loss);
    g.lr.push_back(c.lr);
    g.batch.push_back(c.batch_tokens);
    g.cell_index.push_back(i);
  }
  std::vector<Group> nonempty;
  for (int i = 0; i < groups; ++i) {
    if (result[i].tokens.empty()) continue;
    result[i].params = std::exp(log_sum[i] / static_cast<double>(result[i].tokens.size()));
    result[i].label = "N = " + FormatCount(result[i].params);
    nonempty.push_back(std::move(result[i]));
  }
  return nonempty;
}

std::vector<double> LogSpace(double lo, double hi, int count) {
  std::vector<double> values(count);
  for (int i = 0; i < count; ++i) {
    values[i] = std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (count - 1));
  }
  return values;
}

void TokenRange(const std::vector<Cell>& cells, double* lo, double* hi) {
  *lo = INFINITY;
  *hi = 0;
  for (const Cell& c : cells) *lo = std::min(*lo, c.tokens), *hi = std::max(*hi, c.tokens);
  *lo /= 1.5;
  *hi *= 1.5;
}

void CellTooltip(const std::vector<Cell>& cells, const Group& group) {
  const plot::HoverInfo& hover = plot::LastHover();
  if (!hover.valid || hover.series != group.label || hover.index < 0 ||
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

// Index into RunTable::runs of each point of the "runs" scatter (kept to avoid reallocating).
std::vector<int> run_index;

bool DrawAgainstTokens(const Model& model, const std::vector<Group>& groups, Quantity quantity,
                       ImVec2 size) {
  const FitSummary& fit = model.fit;
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
  double lo, hi;
  TokenRange(fit.cells, &lo, &hi);
  const std::vector<double> tokens = LogSpace(lo, hi, kCurvePoints);
  std::vector<double> curve(kCurvePoints);
  if (quantity == Quantity::kLoss) {
    // All runs, faint, so the sweep's spread is visible behind its optima.
    run_index.clear();
    std::vector<double> run_tokens, run_loss;
    const std::vector<Run>& runs = model.read.table.runs;
    for (int i = 0; i < static_cast<int>(runs.size()); ++i) {
      if (runs[i].excluded) continue;
      run_tokens.push_back(runs[i].tokens), run_loss.push_back(runs[i].loss),
          run_index.push_back(i);
    }
    plot::Scatter("runs", run_tokens.data(), run_loss.data(), static_cast<int>(run_tokens.size()),
                  IM_COL32(160, 160, 170, 70), 1.6f);
  }
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    const Group& group = groups[g];
    const ImU32 color = plot::PaletteColor(g);
    const PowerLaw2& law = quantity == Quantity::kLr ? fit.laws.lr : fit.laws.batch;
    for (int i = 0; i < kCurvePoints; ++i) {
      curve[i] = quantity == Quantity::kLoss ? fit.laws.loss.Eval(group.params, tokens[i])
                                             : law.Eval(group.params, tokens[i]);
    }
    if (quantity == Quantity::kLoss ? fit.laws.loss.IsSet() : law.IsSet()) {
      plot::Line(group.label.c_str(), tokens.data(), curve.data(), kCurvePoints, color, 1.6f);
    }
    const std::vector<double>& y = quantity == Quantity::kLoss ? group.loss
                                   : quantity == Quantity::kLr ? group.lr
                                                               : group.batch;
    plot::Scatter(group.label.c_str(), group.tokens.data(), y.data(), static_cast<int>(y.size()),
                  color, 4);
  }
  plot::EndPlot();
  for (const Group& group : groups) CellTooltip(fit.cells, group);
  const plot::HoverInfo& hover = plot::LastHover();
  if (quantity == Quantity::kLoss && hover.valid && hover.series == "runs" && hover.index >= 0 &&
      hover.index < static_cast<int>(run_index.size())) {
    const Run& r = model.read.table.runs[run_index[hover.index]];
    ImGui::SetTooltip("run: data row %d (line %d)\nN = %s, T = %s\nlr %s, batch %s tokens\nloss %s",
                      r.data_row, r.line, FormatCount(r.params).c_str(),
                      FormatCount(r.tokens).c_str(), FormatSci(r.lr, 4).c_str(),
                      FormatCount(r.batch_tokens).c_str(), FormatSci(r.loss, 6).c_str());
  }
  return true;
}

bool DrawIsoCompute(const Model& model, ImVec2 size) {
  const Plan& plan = model.plan;
  const AnalysisState& a = model.analysis;
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  const std::string title =
      "Loss along the iso-compute line at " + FormatSci(a.plan.budget_flops, 3) + " FLOPs";
  spec.title = title.c_str();
  spec.x = {"model size N", plot::AxisScale::kLog};
  spec.y = {"predicted loss", plot::AxisScale::kLinear};
  if (!plan.ok || !plot::BeginPlot("##isocompute", spec, size)) return false;
  const std::vector<double> params =
      LogSpace(plan.optimum.params / 40, plan.optimum.params * 40, 160);
  std::vector<double> loss(params.size()), lo(params.size()), hi(params.size());
  const LawSet& laws = model.fit.laws;
  for (size_t i = 0; i < params.size(); ++i) {
    loss[i] = IsoComputeLoss(laws.loss, a.compute, a.plan.budget_flops, params[i]);
    if (!laws.loss_samples.empty()) {
      std::vector<double> sampled;
      sampled.reserve(laws.loss_samples.size());
      for (const LossLaw& s : laws.loss_samples)
        sampled.push_back(IsoComputeLoss(s, a.compute, a.plan.budget_flops, params[i]));
      const Interval ci = Percentile95(sampled);
      lo[i] = ci.lo;
      hi[i] = ci.hi;
    }
  }
  if (!laws.loss_samples.empty()) {
    plot::BandBetween("95% interval", params.data(), lo.data(), hi.data(),
                      static_cast<int>(params.size()), plot::PaletteColor(0, 0.18f));
  }
  // The tolerance band: every N whose loss is within the tolerance of the optimum.
  const double limit = plan.optimum.loss * (1 + a.plan.loss_tolerance);
  double band_lo = NAN, band_hi = NAN;
  for (size_t i = 0; i < params.size(); ++i) {
    if (loss[i] <= limit) {
      if (!std::isfinite(band_lo)) band_lo = params[i];
      band_hi = params[i];
    }
  }
  const std::string band_label =
      "within " + FormatPercent(a.plan.loss_tolerance, 2) + " of the optimum";
  if (std::isfinite(band_lo))
    plot::ShadedBand(band_label.c_str(), band_lo, band_hi, IM_COL32(120, 200, 140, 40));
  plot::Line("fitted law", params.data(), loss.data(), static_cast<int>(params.size()),
             plot::PaletteColor(0), 2);
  if (model.compare && model.compare->laws.loss.IsSet()) {
    std::vector<double> other(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      other[i] =
          IsoComputeLoss(model.compare->laws.loss, a.compute, a.plan.budget_flops, params[i]);
    }
    plot::Line(model.compare->title.c_str(), params.data(), other.data(),
               static_cast<int>(params.size()), plot::PaletteColor(1), 1.5f);
    if (model.compare_plan.ok) {
      plot::Marker("compared optimum", model.compare_plan.optimum.params,
                   model.compare_plan.optimum.loss, plot::PaletteColor(1),
                   plot::MarkerShape::kSquare, 5);
    }
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

bool DrawResiduals(const Model& model, const std::vector<Group>& groups, ImVec2 size) {
  plot::PlotSpec spec;
  spec.compact = IsPhone();
  spec.title = "Residuals of the loss law: ln(observed / fitted), per cell";
  spec.x = {"tokens T", plot::AxisScale::kLog};
  spec.y = {"ln(L / L_hat)", plot::AxisScale::kLinear};
  spec.hover_tooltip = false;
  if (!model.fit.laws.loss.IsSet() || !plot::BeginPlot("##residuals", spec, size)) return false;
  plot::HorizontalLine("##zero", 0, IM_COL32(200, 200, 200, 120), true);
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    const Group& group = groups[g];
    std::vector<double> residual(group.tokens.size());
    for (size_t i = 0; i < residual.size(); ++i) {
      residual[i] =
          std::log(group.loss[i] / model.fit.laws.loss.Eval(group.params, group.tokens[i]));
    }
    plot::Scatter(group.label.c_str(), group.tokens.data(), residual.data(),
                  static_cast<int>(residual.size()), plot::PaletteColor(g), 4);
  }
  plot::EndPlot();
  for (const Group& group : groups) CellTooltip(model.fit.cells, group);
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
  const FitSummary& fit = model.fit;
  if (!fit.ok) {
    WrappedTextColored(ImVec4(1, 0.45f, 0.4f, 1), "Nothing to plot: %s", fit.message.c_str());
    return;
  }
  const std::vector<Group> groups = GroupCells(fit.cells);
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
  PlotCell(model, "residuals", cell,
           [&](ImVec2 size) { return DrawResiduals(model, groups, size); });
}

}  // namespace scalecalc::app

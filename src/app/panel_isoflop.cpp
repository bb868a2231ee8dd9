// IsoFLOP profiles (Chinchilla's Approach 2) beside the surface fit, on the Plots panel: loss
// against N per budget with the fitted parabolas and their vertices, and N*(C) on log-log axes
// with both methods' lines. With groups, the first shown group's profiles are drawn.
#include <cmath>
#include <string>
#include <vector>

#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "core/format.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

struct IsoFlopView {
  const IsoFlopResult* isoflop = nullptr;
  const MethodComparison* comparison = nullptr;
  const FitSummary* fit = nullptr;
  std::vector<IsoFlopPoint> points;
  std::string name;
};

IsoFlopView ViewOf(const Model& model) {
  IsoFlopView view;
  if (!model.results.groups.empty()) {
    for (size_t g = 0; g < model.results.groups.size(); ++g) {
      if (g < model.group_shown.size() && !model.group_shown[g]) continue;
      const TableAnalysis& t = model.results.groups[g].analysis;
      if (!t.isoflop.applicable) continue;
      view.isoflop = &t.isoflop;
      view.comparison = &t.comparison;
      view.fit = &t.fit;
      view.points =
          IsoFlopPointsOf(model.results.split.groups[g].table, t.fit, model.analysis.compute);
      view.name = model.results.groups[g].name;
      return view;
    }
    return view;
  }
  view.isoflop = &model.results.isoflop;
  view.comparison = &model.results.isoflop_comparison;
  view.fit = &model.results.fit;
  view.points =
      IsoFlopPointsOf(model.results.read.table, model.results.fit, model.analysis.compute);
  return view;
}

}  // namespace

void DrawIsoFlopPlots(Model& model, ImVec2 size) {
  const IsoFlopView view = ViewOf(model);
  if (view.isoflop == nullptr || !view.isoflop->applicable) return;
  const IsoFlopResult& iso = *view.isoflop;
  ImGui::TextWrapped("IsoFLOP profiles (Approach 2)%s%s: %s", view.name.empty() ? "" : " of ",
                     view.name.c_str(),
                     iso.ok ? view.comparison->text.c_str() : iso.message.c_str());

  plot::PlotSpec spec;
  spec.title = "IsoFLOP profiles: loss vs N per budget";
  spec.x = {"model size N", plot::AxisScale::kLog};
  spec.y = {"loss", plot::AxisScale::kLinear};
  if (plot::BeginPlot("##isoflop_profiles", spec, size)) {
    for (size_t k = 0; k < iso.budgets.size(); ++k) {
      const IsoFlopBudget& b = iso.budgets[k];
      const ImU32 color = plot::PaletteColor(static_cast<int>(k));
      const std::string label = "C = " + FormatSci(b.flops, 2) +
                                (b.flag == BudgetFlag::kUsed ? "" : " (" + Describe(b.flag) + ")");
      std::vector<double> n, loss;
      for (int i : b.point_indices) {
        n.push_back(view.points[i].params);
        loss.push_back(view.points[i].loss);
      }
      plot::Scatter(label.c_str(), n.data(), loss.data(), static_cast<int>(n.size()), color);
      if (std::isfinite(b.c2)) {
        std::vector<double> xs, ys;
        for (int s = 0; s <= 40; ++s) {
          const double x = b.min_params * std::pow(b.max_params / b.min_params, s / 40.0);
          xs.push_back(x);
          ys.push_back(b.Eval(x));
        }
        plot::Line(label.c_str(), xs.data(), ys.data(), static_cast<int>(xs.size()), color, 1.5f);
      }
      if (b.flag == BudgetFlag::kUsed) plot::Marker(label.c_str(), b.params_opt, b.loss_opt, color);
    }
    plot::EndPlot();
  }
  PlotGridNext(0);
  spec.title = "N*(C): Approach 2 vs the surface fit";
  spec.x = {"training FLOPs C", plot::AxisScale::kLog};
  spec.y = {"compute-optimal N", plot::AxisScale::kLog};
  if (plot::BeginPlot("##isoflop_nopt", spec, size)) {
    std::vector<double> c, n;
    for (const IsoFlopBudget& b : iso.budgets) {
      if (b.flag != BudgetFlag::kUsed) continue;
      c.push_back(b.flops);
      n.push_back(b.params_opt);
    }
    plot::Scatter("parabola vertices", c.data(), n.data(), static_cast<int>(c.size()),
                  plot::PaletteColor(0), 4);
    if (iso.ok && !c.empty()) {
      const double lo = iso.budgets.front().flops / 2;
      const double hi = std::max(iso.budgets.back().flops, model.analysis.plan.budget_flops) * 2;
      std::vector<double> xs, approach2;
      for (int s = 0; s <= 24; ++s) {
        xs.push_back(lo * std::pow(hi / lo, s / 24.0));
        approach2.push_back(iso.ParamsOpt(xs.back()));
      }
      plot::Line("Approach 2: k C^a", xs.data(), approach2.data(), static_cast<int>(xs.size()),
                 plot::PaletteColor(1));
      if (view.fit->ok) {
        const std::vector<double> surface =
            SurfaceParamsOpt(view.fit->laws.loss, model.analysis.compute, xs);
        plot::Line("surface fit", xs.data(), surface.data(), static_cast<int>(xs.size()),
                   plot::PaletteColor(2));
      }
    }
    plot::EndPlot();
  }
}

}  // namespace scalecalc::app

// plot_bindings.cpp: the plot demo's entry points for the page and its browser tests
// (tests/browser/plot.test.mjs): window.scalecalc.app.showPlotDemo(true) opens the demo window,
// plotDemoState() describes its main plot as JSON.
#include <emscripten/bind.h>

#include "app/plot/plot.h"

namespace {

void ShowPlotDemo(bool show) {
  scalecalc::app::plot::g_show_demo = show;
}

}  // namespace

EMSCRIPTEN_BINDINGS(scalecalc_plot) {
  emscripten::function("showPlotDemo", &ShowPlotDemo);
  emscripten::function("plotDemoState", &scalecalc::app::plot::PlotDemoStateJson);
}

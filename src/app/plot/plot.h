// plot.h: small immediate-mode plots drawn with Dear ImGui's draw lists (in the spirit of
// ImPlot, which we do not use). Log or linear axes with readable ticks, a legend, hover read-out
// of the point under the mouse, zoom, drag pan, a "reset view" control and double-click reset.
// State (view ranges, hidden series) is kept per plot id; the caller keeps nothing. The view
// follows the data: whenever what a plot shows changes, it is fitted afresh.
//
//   plot::PlotSpec spec;
//   spec.title = "Loss vs learning rate";
//   spec.x = {"learning rate", plot::AxisScale::kLog};
//   spec.y = {"loss", plot::AxisScale::kLinear};
//   if (plot::BeginPlot("##lr", spec, ImVec2(-1, 300))) {
//     plot::Scatter("runs", lr.data(), loss.data(), n, plot::PaletteColor(0));
//     plot::Line("fit", fit_lr.data(), fit_loss.data(), m, plot::PaletteColor(1));
//     plot::Marker("optimum", lr_opt, loss_opt, plot::PaletteColor(3));
//     plot::EndPlot();
//   }
//   if (plot::LastHover().valid) ImGui::SetTooltip("run %d", plot::LastHover().id);
//
// Index
//   - Sizes: every size given here (thickness, radius) is in pixels at a 15 px font and scales
//     with ImGui::GetFontSize(), which the app scales with devicePixelRatio.
//   - BeginPlot / EndPlot: only plot calls between them. BeginPlot returns false when the plot
//     is scrolled out of view; then do not call EndPlot. Series are copied when submitted and
//     drawn in EndPlot (so the view can fit them in the very first frame), in submission order.
//   - Series labels: one legend entry per distinct label (several calls may share one); text
//     after "##" is not shown and a label that starts with "##" has no entry. Clicking an entry
//     hides or shows every series with that label.
//   - Values that cannot be drawn (NaN, infinite, <= 0 on a log axis) are skipped: a Line or
//     band breaks there, a Scatter point is left out.
//   - The view: fitted to the data (or the axes' fixed ranges) in the first frame and again in
//     any frame whose data, series or axis specs differ from the last frame's (a hash of them),
//     so a user's pan or zoom lasts only while what the plot shows stays the same.
//   - Interaction: the wheel is the page's (it scrolls the window under the plot) unless Ctrl or
//     Cmd is held or the plot was clicked into (until the mouse leaves it); then it zooms around
//     the mouse (in log space on log axes), over an axis only that axis. Hovering says so; a
//     wheel that scrolled past says so for a moment in the middle of the plot. Drag pans;
//     "reset view" (bottom right) and double-click fit the view again; PinchZoom zooms and pans
//     from two fingers. EndPlot runs in stages: layout, input, grid and data, axes, overlays.
//   - After EndPlot: LastHover(), HoveredIndex(), LastPlotView(), LastPlotStats().
#pragma once

#include <limits>
#include <string>

#include "app/plot/plot_axis.h"
#include "imgui.h"

namespace scalecalc::app::plot {

constexpr float kReferenceFontPx = 15;

struct AxisSpec {
  const char* label = "";  // axis title drawn under the x axis / beside the y axis
  AxisScale scale = AxisScale::kLinear;
  // Initial range in data units, also restored by double-click. NaN (default): fit the data.
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
};

struct PlotSpec {
  const char* title = "";  // drawn above the plot; empty: none
  AxisSpec x;
  AxisSpec y;
  bool legend = true;         // legend box at the top right
  bool crosshair = true;      // crosshair and mouse coordinates in the bottom-left corner
  bool hover_tooltip = true;  // default tooltip for the hovered point (off: draw your own)
  // For narrow screens and fingers: the legend hides behind a "legend" toggle in the corner,
  // and a point is found from further away.
  bool compact = false;
};

enum class MarkerShape { kCircle, kSquare, kDiamond, kTriangle, kCross, kPlus };

// The data point under the mouse (nearest Scatter or Marker point within a few pixels).
struct HoverInfo {
  bool valid = false;
  std::string series;  // its series label, as given
  int index = -1;      // index into the arrays passed to Scatter (0 for a Marker)
  int id = -1;         // index + id_offset: e.g. the run's row in the caller's table
  double x = 0;        // data values
  double y = 0;
};

// Where the last plot was drawn: its view ranges and its plot area in screen pixels.
struct PlotView {
  AxisRange x;
  AxisRange y;
  AxisScale x_scale = AxisScale::kLinear;
  AxisScale y_scale = AxisScale::kLinear;
  ImVec2 area_min;  // top-left of the plot area (inside the axes)
  ImVec2 area_max;
  ImVec2 frame_min;  // the whole plot: title, axes and their labels
  ImVec2 frame_max;
  ImVec2 reset_min;  // its "reset view" control
  ImVec2 reset_max;
  bool user_view = false;  // panned or zoomed by the user since the view was last fitted
};

// What drawing the last plot cost.
struct PlotStats {
  int points = 0;          // data points submitted (all series)
  int points_drawn = 0;    // Scatter points inside the view, drawn
  int vertices = 0;        // vertices the plot added to the draw list
  bool truncated = false;  // the 64K-vertex limit of a 16-bit-index draw list was reached
};

bool BeginPlot(const char* id, const PlotSpec& spec, ImVec2 size = ImVec2(-1, 0));
void EndPlot();

// Fits the next BeginPlot's view to its data (e.g. after loading new data).
void SetNextPlotToFit();

void Line(const char* label, const double* x, const double* y, int count, ImU32 color,
          float thickness = 2);
// `id_offset` is added to the hovered index in HoverInfo::id.
void Scatter(const char* label, const double* x, const double* y, int count, ImU32 color,
             float radius = 3, int id_offset = 0);
void VerticalLine(const char* label, double x, ImU32 color, bool dashed = false,
                  float thickness = 1.5f);
void HorizontalLine(const char* label, double y, ImU32 color, bool dashed = false,
                    float thickness = 1.5f);
void Marker(const char* label, double x, double y, ImU32 color,
            MarkerShape shape = MarkerShape::kDiamond, float radius = 6);
// A full-height band between x_lo and x_hi (a tolerance band).
void ShadedBand(const char* label, double x_lo, double x_hi, ImU32 color);
// The area between two curves sharing x (a confidence band).
void BandBetween(const char* label, const double* x, const double* y_lo, const double* y_hi,
                 int count, ImU32 color);

// Zooms the plot under `centre_px` (screen pixels) by `scale` (> 1: in) around it and pans it by
// `pan_px` (the fingers' midpoint moved that far) in its next EndPlot: two fingers, which the page
// passes in (GLFW has no multi-touch). Calls before that frame add up.
void PinchZoom(ImVec2 centre_px, double scale, ImVec2 pan_px = ImVec2(0, 0));
// Whether a click into a plot makes the wheel zoom it until the mouse leaves (default: yes). The
// app turns it off once a touch was seen: there the wheel is a one-finger drag, always a scroll.
void SetClickEngagesWheel(bool engages);
// The last plot's series as CSV: series,x,y,y_high (y_high only for bands), unrounded.
std::string LastPlotCsv();

const HoverInfo& LastHover();
// Hovered index in the series with this label in the last plot, or -1.
int HoveredIndex(const char* series_label);
const PlotView& LastPlotView();
const PlotStats& LastPlotStats();
// Data to screen pixels in a view (e.g. LastPlotView()); off-scale values give NaN.
ImVec2 ToPixels(const PlotView& view, double x, double y);

// A colour-blind-safe palette (Okabe-Ito, then Tableau), cycling.
ImU32 PaletteColor(int index, float alpha = 1);

// The demo window: every feature in use, with a frame-time read-out (plot_demo.cpp). The app
// shows it while g_show_demo is set (the page's showPlotDemo(bool) sets it).
extern bool g_show_demo;
void ShowPlotDemo(bool* open);
// The demo's main plot as JSON (view, stats, hover, a probe point), for browser tests.
std::string PlotDemoStateJson();

}  // namespace scalecalc::app::plot

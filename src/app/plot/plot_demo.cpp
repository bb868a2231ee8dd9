// plot_demo.cpp: the plot widget's demo window, the documentation by example of plot.h (like
// imgui_demo.cpp): a learning-rate sweep the size of the Step Law data with every series kind,
// axis cases (linear, many decades, bad values, tiny and empty ranges), marker shapes, and a
// frame-time read-out. Its data are synthetic and deterministic.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/plot/plot.h"
#include "imgui.h"

namespace scalecalc::app::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Deterministic pseudo-random numbers (64-bit LCG), so screenshots are comparable.
struct Random {
  unsigned long long state = 0x9E3779B97F4A7C15ull;
  double Uniform() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
  }
  double Normal() {  // sum of 12 uniforms: close enough to a unit normal for a demo
    double sum = -6;
    for (int i = 0; i < 12; ++i) sum += Uniform();
    return sum;
  }
};

// A sweep shaped like Step Law's: loss over learning rate for several model sizes.
constexpr double kSizes[] = {1.0e8, 2.1e8, 4.3e8, 8.6e8, 1.7e9, 3.4e9, 6.8e9};
constexpr int kGroups = static_cast<int>(sizeof kSizes / sizeof kSizes[0]);
constexpr double kCurvature = 0.08;  // loss per squared decade of learning rate off the optimum

double OptimalLr(double params) {
  return 3e-3 * std::pow(params / 1e8, -0.4);
}
double MinLoss(double params) {
  return 1.8 + 2.0 * std::pow(params / 1e8, -0.1) - 1.5;
}
double FitLoss(double params, double lr, double batch_shift) {
  const double off = std::log10(lr / OptimalLr(params)) - batch_shift;
  return MinLoss(params) + kCurvature * off * off;
}

struct Run {
  double params, tokens, lr, batch_tokens, loss;
};

struct DemoData {
  int run_count = -1;
  int curves_per_group = -1;
  std::vector<Run> runs;         // grouped by size
  std::vector<double> lr, loss;  // columns of `runs`
  std::vector<int> group_begin;  // kGroups + 1 offsets into runs
  std::vector<std::vector<double>> curve_lr, curve_loss;
  std::vector<int> curve_group;
  std::vector<double> band_lr, band_lo, band_hi;

  void Build(int runs_wanted, int curves_wanted) {
    run_count = runs_wanted;
    curves_per_group = curves_wanted;
    Random random;
    runs.clear();
    group_begin.assign(1, 0);
    for (int g = 0; g < kGroups; ++g) {
      const int n = runs_wanted / kGroups + (g < runs_wanted % kGroups);
      for (int i = 0; i < n; ++i) {
        Run run;
        run.params = kSizes[g];
        run.tokens = 20 * kSizes[g] * std::pow(2.0, std::floor(random.Uniform() * 4));
        run.lr = OptimalLr(run.params) * std::pow(10.0, (random.Uniform() - 0.5) * 2.4);
        run.batch_tokens = std::pow(2.0, 17 + std::floor(random.Uniform() * 6));
        const double batch_shift = (std::log2(run.batch_tokens) - 19.5) * 0.05;
        run.loss = FitLoss(run.params, run.lr, batch_shift) + 0.012 * random.Normal();
        runs.push_back(run);
      }
      group_begin.push_back(static_cast<int>(runs.size()));
    }
    lr.resize(runs.size());
    loss.resize(runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
      lr[i] = runs[i].lr;
      loss[i] = runs[i].loss;
    }
    // Fitted curves, 200 points each, several per size (one per batch size).
    constexpr int kCurvePoints = 200;
    curve_lr.clear();
    curve_loss.clear();
    curve_group.clear();
    for (int g = 0; g < kGroups; ++g) {
      for (int c = 0; c < curves_wanted; ++c) {
        const double shift = curves_wanted > 1 ? (c / (curves_wanted - 1.0) - 0.5) * 0.25 : 0;
        std::vector<double> xs(kCurvePoints), ys(kCurvePoints);
        for (int i = 0; i < kCurvePoints; ++i) {
          xs[i] = OptimalLr(kSizes[g]) * std::pow(10.0, -1.3 + 2.6 * i / (kCurvePoints - 1));
          ys[i] = FitLoss(kSizes[g], xs[i], shift);
        }
        curve_lr.push_back(std::move(xs));
        curve_loss.push_back(std::move(ys));
        curve_group.push_back(g);
      }
    }
    // A confidence band around the smallest model's fit: wider away from the optimum.
    band_lr.resize(kCurvePoints);
    band_lo.resize(kCurvePoints);
    band_hi.resize(kCurvePoints);
    for (int i = 0; i < kCurvePoints; ++i) {
      band_lr[i] = OptimalLr(kSizes[0]) * std::pow(10.0, -1.3 + 2.6 * i / (kCurvePoints - 1));
      const double off = std::fabs(std::log10(band_lr[i] / OptimalLr(kSizes[0])));
      const double fit = FitLoss(kSizes[0], band_lr[i], 0);
      band_lo[i] = fit - (0.008 + 0.03 * off);
      band_hi[i] = fit + (0.008 + 0.03 * off);
    }
  }
};

constexpr int kTimedFrames = 30;

struct DemoState {
  DemoData data;
  int runs_wanted = 2000;
  int curves_per_group = 3;  // 7 sizes x 3 = 21 lines of 200 points
  bool log_x = true;
  bool log_y = false;
  bool legend = true;
  float tolerance = 0.005f;  // relative loss: the shaded learning-rate band
  double plot_ms = 0;        // CPU time of the main plot, mean of the last kTimedFrames
  double plot_ms_sum = 0;
  int timed_frames = 0;
  PlotView view;
  PlotStats stats;
  HoverInfo hover;
  float window_scroll_y = 0;
  bool visible = false;
};

DemoState& Demo() {
  static DemoState demo;
  return demo;
}

std::string SizeLabel(int group) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "N = %s", FormatValue(kSizes[group], 2).c_str());
  return buffer;
}

void SweepPlot(DemoState& demo) {
  DemoData& data = demo.data;
  if (data.run_count != demo.runs_wanted || data.curves_per_group != demo.curves_per_group) {
    data.Build(demo.runs_wanted, demo.curves_per_group);
    SetNextPlotToFit();
    demo.plot_ms_sum = demo.timed_frames = 0;  // time the new data afresh
  }
  PlotSpec spec;
  spec.title = "Loss vs learning rate (synthetic sweep)";
  spec.x = {"learning rate", demo.log_x ? AxisScale::kLog : AxisScale::kLinear};
  spec.y = {"final loss", demo.log_y ? AxisScale::kLog : AxisScale::kLinear};
  spec.legend = demo.legend;
  spec.hover_tooltip = false;  // the run's details below instead

  const double optimum_lr = OptimalLr(kSizes[0]), optimum_loss = MinLoss(kSizes[0]);
  // Learning rates whose fitted loss is within `tolerance` of the optimum's.
  const double half_decades = std::sqrt(demo.tolerance * optimum_loss / kCurvature);

  const auto start = std::chrono::steady_clock::now();
  if (BeginPlot("##sweep", spec, ImVec2(-1, 26 * ImGui::GetFontSize()))) {
    ShadedBand("tolerance band", optimum_lr * std::pow(10.0, -half_decades),
               optimum_lr * std::pow(10.0, half_decades), IM_COL32(86, 180, 233, 28));
    BandBetween("confidence (N = 1e8)", data.band_lr.data(), data.band_lo.data(),
                data.band_hi.data(), static_cast<int>(data.band_lr.size()), PaletteColor(0, 0.18f));
    for (int g = 0; g < kGroups; ++g) {
      const int begin = data.group_begin[g], count = data.group_begin[g + 1] - begin;
      // One series per size; id_offset maps its points back to rows of data.runs.
      Scatter(SizeLabel(g).c_str(), data.lr.data() + begin, data.loss.data() + begin, count,
              PaletteColor(g, 0.85f), 2.5f, begin);
    }
    for (size_t c = 0; c < data.curve_lr.size(); ++c) {
      const int g = data.curve_group[c];
      Line(SizeLabel(g).c_str(), data.curve_lr[c].data(), data.curve_loss[c].data(),
           static_cast<int>(data.curve_lr[c].size()), PaletteColor(g, 0.8f), 1.5f);
    }
    VerticalLine("##optimum lr", optimum_lr, IM_COL32(255, 255, 255, 140), true);
    HorizontalLine("target loss", optimum_loss * (1 + demo.tolerance), IM_COL32(200, 200, 200, 110),
                   true, 1);
    Marker("optimum (N = 1e8)", optimum_lr, optimum_loss, IM_COL32(255, 215, 0, 255));
    EndPlot();
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  demo.plot_ms_sum += ms;
  if (++demo.timed_frames == kTimedFrames) {
    demo.plot_ms = demo.plot_ms_sum / kTimedFrames;
    demo.plot_ms_sum = demo.timed_frames = 0;
  }
  demo.view = LastPlotView();
  demo.stats = LastPlotStats();
  demo.hover = LastHover();

  const HoverInfo& hover = LastHover();
  if (hover.valid && hover.id >= 0 && hover.id < static_cast<int>(data.runs.size()) &&
      hover.series.rfind("N = ", 0) == 0) {
    const Run& run = data.runs[hover.id];
    ImGui::BeginTooltip();
    ImGui::Text("run #%d  (%s)", hover.id, hover.series.c_str());
    ImGui::Text("params %s   tokens %s", FormatValue(run.params, 3).c_str(),
                FormatValue(run.tokens, 3).c_str());
    ImGui::Text("lr %s   batch %s tokens", FormatValue(run.lr).c_str(),
                FormatValue(run.batch_tokens, 3).c_str());
    ImGui::Text("loss %s", FormatValue(run.loss, 5).c_str());
    ImGui::EndTooltip();
  } else if (hover.valid) {
    ImGui::SetTooltip("%s\nlr %s   loss %s", hover.series.c_str(), FormatValue(hover.x).c_str(),
                      FormatValue(hover.y).c_str());
  }
}

void PerformanceReadout(const DemoState& demo) {
  const ImGuiIO& io = ImGui::GetIO();
  char plot_ms[32] = "(timing)";  // until the first kTimedFrames have passed
  if (demo.plot_ms > 0) std::snprintf(plot_ms, sizeof plot_ms, "%.3f ms", demo.plot_ms);
  ImGui::Text("frame %.2f ms (%.0f fps)   main plot %s CPU, %d of %d points drawn, %d vertices%s",
              1000.0f / std::max(io.Framerate, 1e-3f), io.Framerate, plot_ms,
              demo.stats.points_drawn, demo.stats.points, demo.stats.vertices,
              demo.stats.truncated ? " (truncated)" : "");
}

void AxisCases() {
  const float height = 16 * ImGui::GetFontSize();
  if (!ImGui::BeginTable("##axes", 2, ImGuiTableFlags_SizingStretchSame)) return;

  ImGui::TableNextColumn();
  {
    // Linear axes with a fixed initial y range (double-click returns to it).
    static std::vector<double> x, y;
    if (x.empty()) {
      for (int i = 0; i <= 100; ++i) {
        x.push_back(i / 100.0);
        y.push_back(0.5 + 0.05 * std::exp(-3 * x.back()) + 0.004 * std::sin(25 * x.back()));
      }
    }
    PlotSpec spec;
    spec.title = "Linear, fixed initial y range";
    spec.x = {"fraction of training", AxisScale::kLinear};
    spec.y = {"loss", AxisScale::kLinear, 0.49, 0.56};
    if (BeginPlot("##linear", spec, ImVec2(-1, height))) {
      Line("loss", x.data(), y.data(), static_cast<int>(x.size()), PaletteColor(0));
      EndPlot();
    }
  }

  ImGui::TableNextColumn();
  {
    // Many decades on both axes: compute against loss, decade labels thinned to fit.
    static std::vector<double> flops, loss;
    if (flops.empty()) {
      for (int i = 0; i <= 60; ++i) {
        flops.push_back(std::pow(10.0, 15 + i / 6.0));
        loss.push_back(1.7 + 1e3 * std::pow(flops.back(), -0.15));
      }
    }
    PlotSpec spec;
    spec.title = "Log-log over ten decades";
    spec.x = {"training FLOPs", AxisScale::kLog};
    spec.y = {"loss", AxisScale::kLog};
    if (BeginPlot("##decades", spec, ImVec2(-1, height))) {
      Line("power law", flops.data(), loss.data(), static_cast<int>(flops.size()), PaletteColor(1));
      Scatter("##samples", flops.data(), loss.data(), static_cast<int>(flops.size()),
              PaletteColor(1), 3);
      EndPlot();
    }
  }

  ImGui::TableNextColumn();
  {
    // Values a log axis cannot show are skipped: the line breaks, points are left out.
    static const double x[] = {1e-4, 2e-4, kNaN, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4, 1e-3, 2e-3};
    static const double y[] = {3.1, 2.8, 2.7, 2.6, -1, 2.5, kInf, 2.45, 0, 2.5, 2.6};
    PlotSpec spec;
    spec.title = "Bad values skipped (NaN, inf, <= 0)";
    spec.x = {"learning rate", AxisScale::kLog};
    spec.y = {"loss", AxisScale::kLog};
    if (BeginPlot("##bad", spec, ImVec2(-1, height))) {
      Line("line", x, y, 11, PaletteColor(2));
      Scatter("points", x, y, 11, PaletteColor(3), 4);
      ShadedBand("band to 0 (off scale)", 0, 1.5e-4, PaletteColor(4, 0.15f));
      EndPlot();
    }
  }

  ImGui::TableNextColumn();
  {
    // A single point (the view is built around it) and a tiny range.
    static const double x[] = {3.453e-4}, y[] = {2.4135};
    static const double tx[] = {1, 1 + 1e-12, 1 + 2e-12}, ty[] = {5, 5 + 1e-13, 5 - 1e-13};
    PlotSpec spec;
    spec.title = "One point; tiny range";
    spec.x = {"learning rate", AxisScale::kLog};
    spec.y = {"loss", AxisScale::kLinear};
    if (BeginPlot("##single", spec, ImVec2(-1, 0.6f * height))) {
      Scatter("the only run", x, y, 1, PaletteColor(5), 4);
      EndPlot();
    }
    PlotSpec tiny;
    tiny.x = {"x (1e-12 apart)", AxisScale::kLinear};
    tiny.y = {"y", AxisScale::kLinear};
    tiny.legend = false;
    if (BeginPlot("##tiny", tiny, ImVec2(-1, 0.6f * height))) {
      Line("tiny", tx, ty, 3, PaletteColor(6));
      EndPlot();
    }
  }
  ImGui::EndTable();

  PlotSpec empty;
  empty.title = "No data (the default view)";
  empty.x = {"x", AxisScale::kLog};
  empty.y = {"y", AxisScale::kLinear};
  if (BeginPlot("##empty", empty, ImVec2(-1, 0.7f * height))) {
    Line("nothing", nullptr, nullptr, 0, PaletteColor(0));
    EndPlot();
  }
}

void MarkerShapes() {
  PlotSpec spec;
  spec.title = "Marker shapes, horizontal and vertical lines";
  spec.x = {"", AxisScale::kLinear, 0, 7};
  spec.y = {"", AxisScale::kLinear, 0, 3};
  if (!BeginPlot("##markers", spec, ImVec2(-1, 14 * ImGui::GetFontSize()))) return;
  const MarkerShape shapes[] = {MarkerShape::kCircle,   MarkerShape::kSquare, MarkerShape::kDiamond,
                                MarkerShape::kTriangle, MarkerShape::kCross,  MarkerShape::kPlus};
  const char* names[] = {"circle", "square", "diamond", "triangle", "cross", "plus"};
  for (int i = 0; i < 6; ++i)
    Marker(names[i], i + 1, 1.5 + 0.5 * std::sin(i), PaletteColor(i), shapes[i], 7);
  VerticalLine("vertical", 3.5, PaletteColor(7), false, 2);
  HorizontalLine("horizontal, dashed", 0.75, PaletteColor(8), true, 2);
  EndPlot();
}

}  // namespace

void ShowPlotDemo(bool* open) {
  DemoState& demo = Demo();
  const float font = ImGui::GetFontSize();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->Pos.x + font, viewport->Pos.y + 2.5f * font),
                          ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(
      ImVec2(std::min(viewport->Size.x - 2 * font, 64 * font), viewport->Size.y - 3.5f * font),
      ImGuiCond_Appearing);
  demo.visible = ImGui::Begin("Plot demo", open);
  if (!demo.visible) {
    ImGui::End();
    return;
  }
  PerformanceReadout(demo);
  ImGui::TextDisabled(
      "Wheel: zoom around the mouse (over an axis: that axis only). Drag: pan. Double-click: "
      "reset. Click a legend entry: hide or show it. Hover a run: its details.");

  ImGui::SetNextItemWidth(12 * font);
  ImGui::SliderInt("runs", &demo.runs_wanted, 100, 5000);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(8 * font);
  ImGui::SliderInt("lines per size", &demo.curves_per_group, 0, 6);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(8 * font);
  ImGui::SliderFloat("tolerance", &demo.tolerance, 0.001f, 0.02f, "%.3f");
  ImGui::Checkbox("log x", &demo.log_x);
  ImGui::SameLine();
  ImGui::Checkbox("log y", &demo.log_y);
  ImGui::SameLine();
  ImGui::Checkbox("legend", &demo.legend);
  ImGui::SameLine();
  if (ImGui::Button("fit")) SetNextPlotToFit();

  SweepPlot(demo);
  if (ImGui::CollapsingHeader("Axes", ImGuiTreeNodeFlags_DefaultOpen)) AxisCases();
  if (ImGui::CollapsingHeader("Markers and lines", ImGuiTreeNodeFlags_DefaultOpen)) MarkerShapes();
  demo.window_scroll_y = ImGui::GetScrollY();
  ImGui::End();
}

std::string PlotDemoStateJson() {
  const DemoState& demo = Demo();
  const PlotView& v = demo.view;
  // Run 0, where the main plot draws it: tests hover it.
  const Run* probe = demo.data.runs.empty() ? nullptr : &demo.data.runs[0];
  const ImVec2 probe_px = probe ? ToPixels(v, probe->lr, probe->loss) : ImVec2(0, 0);
  const ImVec2 hover_px = demo.hover.valid ? ToPixels(v, demo.hover.x, demo.hover.y) : ImVec2(0, 0);
  char buffer[1024];
  std::snprintf(
      buffer, sizeof buffer,
      "{\"visible\":%s,\"font\":%g,\"x\":[%.17g,%.17g],\"y\":[%.17g,%.17g],\"area\":[%g,%g,%g,%g],"
      "\"runs\":%d,\"pointsDrawn\":%d,\"vertices\":%d,\"truncated\":%s,\"plotMs\":%g,"
      "\"frameMs\":%g,\"scrollY\":%g,\"probe\":[%g,%g],"
      "\"hover\":{\"valid\":%s,\"id\":%d,\"px\":[%g,%g]},\"reset\":[%g,%g,%g,%g],"
      "\"moved\":%s}",
      demo.visible ? "true" : "false", ImGui::GetFontSize(), v.x.min, v.x.max, v.y.min, v.y.max,
      v.area_min.x, v.area_min.y, v.area_max.x, v.area_max.y,
      static_cast<int>(demo.data.runs.size()), demo.stats.points_drawn, demo.stats.vertices,
      demo.stats.truncated ? "true" : "false", demo.plot_ms,
      1000.0 / std::max(ImGui::GetIO().Framerate, 1e-3f), demo.window_scroll_y, probe_px.x,
      probe_px.y, demo.hover.valid ? "true" : "false", demo.hover.id, hover_px.x, hover_px.y,
      v.reset_min.x, v.reset_min.y, v.reset_max.x, v.reset_max.y, v.user_view ? "true" : "false");
  return buffer;
}

}  // namespace scalecalc::app::plot

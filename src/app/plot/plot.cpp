// Dear ImGui's ImVec2 operators, declared by imgui_internal.h when this is set first.
#define IMGUI_DEFINE_MATH_OPERATORS
#include "app/plot/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "app/text_layout.h"
#include "imgui_internal.h"

namespace scalecalc::app::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kFitPadFraction = 0.05;
// Screen coordinates are clamped this far outside the plot before becoming floats.
constexpr double kFarPx = 1e6;
// A draw list with 16-bit indices holds this many vertices unless the renderer can offset them
// (WebGL2's backend cannot); past it, indices wrap and the whole window draws garbage.
constexpr int kMaxVerticesPerDrawList = 65535;
constexpr int kMaxPolylinePoints = 4096;  // x 4 vertices at most per point

enum class Kind { kLine, kScatter, kVerticalLine, kHorizontalLine, kMarker, kXBand, kBand };

struct Series {
  Kind kind = Kind::kLine;
  ImGuiID label_id = 0;  // legend identity
  int label_begin = 0;   // in PlotState::labels
  ImU32 color = 0;
  float size = 1;  // thickness or radius, reference pixels
  int begin = 0;   // in PlotState::xs / ys / his
  int count = 0;
  int id_offset = 0;
  MarkerShape shape = MarkerShape::kCircle;
  bool dashed = false;
};

struct LegendEntry {
  int series = 0;  // first series with this label
  ImRect row;      // its row on screen
};

// Everything a plot keeps between frames, and its per-frame buffers (cleared, capacity kept, so
// a steady plot allocates nothing).
struct PlotState {
  bool initialized = false;
  AxisRange x_range{kNaN, kNaN}, y_range{kNaN, kNaN};  // NaN: the scale's default until fitted
  AxisScale x_scale = AxisScale::kLinear, y_scale = AxisScale::kLinear;
  bool fit_x = true, fit_y = true;
  std::vector<ImGuiID> hidden;  // legend labels switched off
  // What the plot showed last frame (its data, series and axis specs, hashed): a change re-fits
  // the view, so a user's pan or zoom lasts only while the data and options stay the same.
  ImU32 content_hash = 0;
  bool user_view = false;       // panned or zoomed since the last fit: "reset view" is live
  bool engaged = false;         // clicked into: the wheel zooms until the mouse leaves the plot
  double wheel_hint_until = 0;  // ImGui time until which "Ctrl+wheel to zoom" is shown
  ImRect reset_button;          // the "reset view" control's place this frame

  std::string title, x_label, y_label;
  std::vector<Series> series;
  std::vector<double> xs, ys, his;
  std::string labels;
  std::vector<Tick> x_ticks, y_ticks;
  std::vector<ImVec2> screen;  // xs/ys in screen pixels this frame (NaN: not drawn)
  std::vector<ImVec2> points;
  std::vector<ImVec2> circle;         // scatter point outline offsets: inner ring, outer ring
  std::vector<ImDrawIdx> circle_idx;  // triangles of one point, relative to its first vertex
  std::vector<LegendEntry> legend;
  std::vector<std::string> title_lines;  // the title wrapped to the plot's width
  bool legend_open = false;              // compact plots: the legend shown over the data
  ImRect legend_toggle;                  // compact plots: the toggle's place this frame
  HoverInfo hover;
};

struct Context {
  std::unordered_map<ImGuiID, PlotState> plots;
  PlotState* current = nullptr;
  ImGuiID current_id = 0;
  PlotSpec spec;
  ImRect frame;
  bool fit_next = false;
  HoverInfo last_hover;
  PlotView last_view;
  PlotStats last_stats;
  const PlotState* last_plot = nullptr;
  bool pinch_pending = false;  // PinchZoom's request, taken by the plot under its centre
  ImVec2 pinch_centre;
  double pinch_scale = 1;
  ImVec2 pinch_pan;  // pixels the two fingers' midpoint moved
  bool click_engages = true;
};

Context& Ctx() {
  static Context context;
  return context;
}

bool IsHidden(const PlotState& s, ImGuiID label_id) {
  return std::find(s.hidden.begin(), s.hidden.end(), label_id) != s.hidden.end();
}

const char* LabelOf(const PlotState& s, const Series& series) {
  return s.labels.c_str() + series.label_begin;
}

Series* AddSeries(Kind kind, const char* label, ImU32 color) {
  Context& c = Ctx();
  if (!c.current) return nullptr;  // outside BeginPlot/EndPlot, or the plot is not shown
  PlotState& s = *c.current;
  if (!label) label = "";
  Series series;
  series.kind = kind;
  series.label_id = ImHashStr(label);
  series.label_begin = static_cast<int>(s.labels.size());
  s.labels.append(label);
  s.labels.push_back('\0');
  series.color = color;
  series.begin = static_cast<int>(s.xs.size());
  s.series.push_back(series);
  return &s.series.back();
}

void AppendData(Series* series, const double* x, const double* y, int count) {
  PlotState& s = *Ctx().current;
  if (count <= 0 || !x || !y) count = 0;
  series->count = count;
  s.xs.insert(s.xs.end(), x, x + count);
  s.ys.insert(s.ys.end(), y, y + count);
}

// Data <-> screen for one axis: px = origin + (axis_space(v) - t_min) * scale.
struct AxisMap {
  AxisScale scale_kind = AxisScale::kLinear;
  double t_min = 0;
  double origin = 0;
  double scale = 1;  // px per axis-space unit; negative for y (up is smaller px)

  AxisMap() = default;
  AxisMap(const AxisRange& range, AxisScale kind, float px_from, float px_to)
      : scale_kind(kind), t_min(ToAxisSpace(range.min, kind)), origin(px_from) {
    scale = (px_to - px_from) / (ToAxisSpace(range.max, kind) - t_min);
  }
  double ToPx(double v) const { return origin + (ToAxisSpace(v, scale_kind) - t_min) * scale; }
  bool Plottable(double v) const {
    return std::isfinite(v) && (scale_kind == AxisScale::kLinear || v > 0);
  }
  // ToPx for a plottable value, inlined for the per-point loops.
  double FastPx(double v) const {
    return origin + ((scale_kind == AxisScale::kLog ? std::log10(v) : v) - t_min) * scale;
  }
  double AxisSpaceAt(double px) const { return t_min + (px - origin) / scale; }
};

ImU32 WithMinAlpha(ImU32 color, ImU32 alpha) {
  const ImU32 a = std::max((color & IM_COL32_A_MASK) >> IM_COL32_A_SHIFT, alpha);
  return (color & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

float Clamped(double px) {
  return static_cast<float>(std::clamp(px, -kFarPx, kFarPx));
}

// Clips segment a-b to `box` (Liang-Barsky). Returns false if nothing is left; sets the flags
// when an end was moved.
bool ClipSegment(const ImRect& box, ImVec2* a, ImVec2* b, bool* a_moved, bool* b_moved) {
  const float dx = b->x - a->x, dy = b->y - a->y;
  float t0 = 0, t1 = 1;
  const float p[4] = {-dx, dx, -dy, dy};
  const float q[4] = {a->x - box.Min.x, box.Max.x - a->x, a->y - box.Min.y, box.Max.y - a->y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const float t = q[i] / p[i];
    if (p[i] < 0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
  }
  const ImVec2 start = *a;
  *a_moved = t0 > 0;
  *b_moved = t1 < 1;
  if (*a_moved) *a = ImVec2(start.x + t0 * dx, start.y + t0 * dy);
  if (*b_moved) *b = ImVec2(start.x + t1 * dx, start.y + t1 * dy);
  return true;
}

// Everything EndPlot needs while drawing.
struct Frame {
  PlotState* s = nullptr;
  ImDrawList* draw = nullptr;
  ImRect area;  // plot area
  AxisMap mx, my;
  float font = 15;
  float unit = 1;  // px per reference px
  bool vertex_limited = false;
  PlotStats stats;

  ImVec2 ToScreen(double x, double y) const {
    return ImVec2(Clamped(mx.ToPx(x)), Clamped(my.ToPx(y)));
  }
  bool Plottable(double x, double y) const {
    return IsPlottable(x, mx.scale_kind) && IsPlottable(y, my.scale_kind);
  }
  // False (and the plot marked truncated) when `vertices` more would overflow the draw list.
  bool Reserve(int vertices) {
    if (!vertex_limited || draw->VtxBuffer.Size + vertices <= kMaxVerticesPerDrawList) return true;
    stats.truncated = true;
    return false;
  }
};

void DrawLine(Frame& f, const Series& series) {
  const PlotState& s = *f.s;
  const float thickness = std::max(1.0f, series.size * f.unit);
  const ImRect box(f.area.Min - ImVec2(thickness + 2, thickness + 2),
                   f.area.Max + ImVec2(thickness + 2, thickness + 2));
  std::vector<ImVec2>& pts = f.s->points;
  pts.clear();
  auto flush = [&]() {
    // AddPolyline: up to 4 vertices per point (thick anti-aliased lines).
    if (pts.size() >= 2 && f.Reserve(static_cast<int>(pts.size()) * 4))
      f.draw->AddPolyline(pts.data(), static_cast<int>(pts.size()), series.color, ImDrawFlags_None,
                          thickness);
    pts.clear();
  };
  bool have_prev = false;
  ImVec2 prev;
  for (int i = series.begin; i < series.begin + series.count; ++i) {
    const ImVec2 cur = s.screen[i];
    if (std::isnan(cur.x)) {
      flush();
      have_prev = false;
      continue;
    }
    if (have_prev) {
      ImVec2 a = prev, b = cur;
      bool a_moved = false, b_moved = false;
      if (ClipSegment(box, &a, &b, &a_moved, &b_moved)) {
        if (pts.empty() || a_moved) {
          flush();
          pts.push_back(a);
        }
        pts.push_back(b);
        if (b_moved) {
          flush();
        } else if (static_cast<int>(pts.size()) >= kMaxPolylinePoints) {
          flush();  // long lines go in pieces: one AddPolyline must stay under 64K vertices
          pts.push_back(b);
        }
      } else {
        flush();
      }
    }
    prev = cur;
    have_prev = true;
  }
  flush();
}

// Offsets and triangles of one anti-aliased scatter point, the same for every point of a series:
// an inner ring at radius - fringe/2 in the colour, an outer ring at radius + fringe/2 fully
// transparent (ImGui's own fill anti-aliasing, without its per-point normals).
void PrepareCircle(PlotState& s, float radius, int segments, float fringe) {
  s.circle.resize(2 * segments);
  for (int k = 0; k < segments; ++k) {
    const float angle = 2 * IM_PI * k / segments;
    const ImVec2 u(std::cos(angle), std::sin(angle));
    s.circle[2 * k] = u * (radius - 0.5f * fringe);
    s.circle[2 * k + 1] = u * (radius + 0.5f * fringe);
  }
  s.circle_idx.clear();
  for (int k = 2; k < segments; ++k) {  // fill: a fan over the inner ring
    s.circle_idx.push_back(0);
    s.circle_idx.push_back(static_cast<ImDrawIdx>(2 * (k - 1)));
    s.circle_idx.push_back(static_cast<ImDrawIdx>(2 * k));
  }
  for (int k0 = segments - 1, k1 = 0; k1 < segments; k0 = k1++) {  // fringe: a quad per edge
    const ImDrawIdx in0 = 2 * k0, in1 = 2 * k1, out0 = 2 * k0 + 1, out1 = 2 * k1 + 1;
    for (ImDrawIdx i : {in1, in0, out0, out0, out1, in1}) s.circle_idx.push_back(i);
  }
}

void DrawScatter(Frame& f, const Series& series) {
  PlotState& s = *f.s;
  ImDrawList* draw = f.draw;
  const float radius = std::max(1.0f, series.size * f.unit);
  // 8 to 12 segments: round enough at these sizes, and thousands of points stay cheap.
  const int segments = radius < 3 ? 8 : radius < 6 ? 10 : 12;
  PrepareCircle(s, radius, segments, draw->_FringeScale);
  const int vtx_per = 2 * segments, idx_per = static_cast<int>(s.circle_idx.size());
  const ImU32 color = series.color, clear = series.color & ~IM_COL32_A_MASK;
  const ImVec2 uv = draw->_Data->TexUvWhitePixel;
  const ImRect box(f.area.Min - ImVec2(radius, radius), f.area.Max + ImVec2(radius, radius));
  const ImVec2* offsets = s.circle.data();
  const ImDrawIdx* pattern = s.circle_idx.data();
  constexpr int kChunk = 512;  // points per reservation: far below 64K vertices
  int i = series.begin;
  const int end = series.begin + series.count;
  while (i < end) {
    int chunk = kChunk;
    if (f.vertex_limited)
      chunk = std::min(chunk, (kMaxVerticesPerDrawList - draw->VtxBuffer.Size) / vtx_per);
    if (chunk <= 0) {
      f.stats.truncated = true;
      return;
    }
    draw->PrimReserve(chunk * idx_per, chunk * vtx_per);
    ImDrawVert* vtx = draw->_VtxWritePtr;
    ImDrawIdx* idx = draw->_IdxWritePtr;
    unsigned int base = draw->_VtxCurrentIdx;
    int drawn = 0;
    for (; i < end && drawn < chunk; ++i) {
      const ImVec2 p = s.screen[i];
      if (!box.Contains(p)) continue;  // culled (NaN is never contained)
      for (int k = 0; k < vtx_per; ++k) {
        vtx[k].pos = ImVec2(p.x + offsets[k].x, p.y + offsets[k].y);
        vtx[k].uv = uv;
        vtx[k].col = (k & 1) ? clear : color;
      }
      for (int k = 0; k < idx_per; ++k) idx[k] = static_cast<ImDrawIdx>(base + pattern[k]);
      vtx += vtx_per;
      idx += idx_per;
      base += vtx_per;
      ++drawn;
    }
    draw->_VtxWritePtr = vtx;
    draw->_IdxWritePtr = idx;
    draw->_VtxCurrentIdx = base;
    draw->PrimUnreserve((chunk - drawn) * idx_per, (chunk - drawn) * vtx_per);
    f.stats.points_drawn += drawn;
  }
}

// Screen positions of every point of the lines, scatters and markers, once per frame: drawing
// and hovering both read them.
void TransformPoints(Frame& f) {
  PlotState& s = *f.s;
  s.screen.resize(s.xs.size());
  const ImVec2 nowhere(NAN, NAN);
  for (const Series& series : s.series) {
    if (series.kind != Kind::kLine && series.kind != Kind::kScatter && series.kind != Kind::kMarker)
      continue;
    for (int i = series.begin; i < series.begin + series.count; ++i) {
      const double x = s.xs[i], y = s.ys[i];
      s.screen[i] = f.mx.Plottable(x) && f.my.Plottable(y)
                        ? ImVec2(Clamped(f.mx.FastPx(x)), Clamped(f.my.FastPx(y)))
                        : nowhere;
    }
  }
}

void DrawMarkerShape(ImDrawList* draw, ImVec2 p, float r, MarkerShape shape, ImU32 color,
                     float outline, ImU32 outline_color) {
  switch (shape) {
    case MarkerShape::kCircle:
      draw->AddCircleFilled(p, r, color, 16);
      draw->AddCircle(p, r, outline_color, 16, outline);
      break;
    case MarkerShape::kSquare: {
      const ImVec2 d(r * 0.85f, r * 0.85f);
      draw->AddRectFilled(p - d, p + d, color);
      draw->AddRect(p - d, p + d, outline_color, 0, 0, outline);
      break;
    }
    case MarkerShape::kDiamond: {
      const ImVec2 a(p.x, p.y - r), b(p.x + r, p.y), c(p.x, p.y + r), d(p.x - r, p.y);
      draw->AddQuadFilled(a, b, c, d, color);
      draw->AddQuad(a, b, c, d, outline_color, outline);
      break;
    }
    case MarkerShape::kTriangle: {
      const ImVec2 a(p.x, p.y - r), b(p.x + r * 0.87f, p.y + r * 0.5f),
          c(p.x - r * 0.87f, p.y + r * 0.5f);
      draw->AddTriangleFilled(a, b, c, color);
      draw->AddTriangle(a, b, c, outline_color, outline);
      break;
    }
    case MarkerShape::kCross: {
      const float d = r * 0.75f;
      draw->AddLine(ImVec2(p.x - d, p.y - d), ImVec2(p.x + d, p.y + d), color, outline * 2);
      draw->AddLine(ImVec2(p.x - d, p.y + d), ImVec2(p.x + d, p.y - d), color, outline * 2);
      break;
    }
    case MarkerShape::kPlus:
      draw->AddLine(ImVec2(p.x - r, p.y), ImVec2(p.x + r, p.y), color, outline * 2);
      draw->AddLine(ImVec2(p.x, p.y - r), ImVec2(p.x, p.y + r), color, outline * 2);
      break;
  }
}

void DrawStraight(Frame& f, ImVec2 a, ImVec2 b, ImU32 color, float thickness, bool dashed) {
  if (!dashed) {
    f.draw->AddLine(a, b, color, thickness);
    return;
  }
  const float dash = 0.5f * f.font, gap = 0.35f * f.font;
  const ImVec2 d = b - a;
  const float length = std::sqrt(d.x * d.x + d.y * d.y);
  if (length <= 0) return;
  const ImVec2 dir = d / length;
  for (float t = 0; t < length; t += dash + gap)
    f.draw->AddLine(a + dir * t, a + dir * std::min(length, t + dash), color, thickness);
}

void DrawBand(Frame& f, const Series& series) {
  const PlotState& s = *f.s;
  // Adjacent quads without anti-aliased fringes: fringes would overlap into visible seams.
  const ImDrawListFlags saved = f.draw->Flags;
  f.draw->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (int i = series.begin; i + 1 < series.begin + series.count; ++i) {
    const int j = i + 1;
    if (!f.Plottable(s.xs[i], s.ys[i]) || !f.Plottable(s.xs[i], s.his[i]) ||
        !f.Plottable(s.xs[j], s.ys[j]) || !f.Plottable(s.xs[j], s.his[j]))
      continue;
    const ImVec2 quad[4] = {f.ToScreen(s.xs[i], s.ys[i]), f.ToScreen(s.xs[j], s.ys[j]),
                            f.ToScreen(s.xs[j], s.his[j]), f.ToScreen(s.xs[i], s.his[i])};
    const float x_lo = std::min(quad[0].x, quad[1].x), x_hi = std::max(quad[0].x, quad[1].x);
    if (x_hi < f.area.Min.x || x_lo > f.area.Max.x) continue;
    if (!f.Reserve(4)) break;
    f.draw->AddConvexPolyFilled(quad, 4, series.color);
  }
  f.draw->Flags = saved;
}

void DrawSeries(Frame& f, const Series& series) {
  const PlotState& s = *f.s;
  const ImRect& a = f.area;
  switch (series.kind) {
    case Kind::kLine:
      DrawLine(f, series);
      break;
    case Kind::kScatter:
      DrawScatter(f, series);
      break;
    case Kind::kBand:
      DrawBand(f, series);
      break;
    case Kind::kVerticalLine: {
      if (!IsPlottable(s.xs[series.begin], f.mx.scale_kind)) break;
      const float x = Clamped(f.mx.ToPx(s.xs[series.begin]));
      if (x < a.Min.x - 2 || x > a.Max.x + 2) break;
      DrawStraight(f, ImVec2(x, a.Min.y), ImVec2(x, a.Max.y), series.color,
                   std::max(1.0f, series.size * f.unit), series.dashed);
      break;
    }
    case Kind::kHorizontalLine: {
      if (!IsPlottable(s.ys[series.begin], f.my.scale_kind)) break;
      const float y = Clamped(f.my.ToPx(s.ys[series.begin]));
      if (y < a.Min.y - 2 || y > a.Max.y + 2) break;
      DrawStraight(f, ImVec2(a.Min.x, y), ImVec2(a.Max.x, y), series.color,
                   std::max(1.0f, series.size * f.unit), series.dashed);
      break;
    }
    case Kind::kXBand: {
      // Off-scale ends lie beyond a side of the plot: +inf to the right, -inf and (on a log
      // axis) values <= 0 to the left.
      const double lo = s.xs[series.begin], hi = s.ys[series.begin];
      if (std::isnan(lo) || std::isnan(hi)) break;
      auto px = [&](double v) {
        return f.mx.Plottable(v) ? f.mx.ToPx(v) : v == kInfinity ? kFarPx : -kFarPx;
      };
      const double px_lo = px(lo), px_hi = px(hi);
      const float x0 = std::max(a.Min.x, Clamped(std::min(px_lo, px_hi)));
      const float x1 = std::min(a.Max.x, Clamped(std::max(px_lo, px_hi)));
      if (x1 > x0) f.draw->AddRectFilled(ImVec2(x0, a.Min.y), ImVec2(x1, a.Max.y), series.color);
      break;
    }
    case Kind::kMarker: {
      const ImVec2 p = s.screen[series.begin];
      if (std::isnan(p.x)) break;
      const float r = series.size * f.unit;
      if (!ImRect(a.Min - ImVec2(r, r), a.Max + ImVec2(r, r)).Contains(p)) break;
      DrawMarkerShape(f.draw, p, r, series.shape, series.color, std::max(1.0f, f.unit),
                      ImGui::GetColorU32(ImGuiCol_WindowBg));
      break;
    }
  }
}

// Extents of the visible data along one axis, in data units; false if there is none.
bool DataExtent(const PlotState& s, bool along_x, AxisScale x_scale, AxisScale y_scale, double* lo,
                double* hi) {
  double mn = std::numeric_limits<double>::infinity(), mx = -mn;
  auto take = [&](double v) {
    mn = std::min(mn, v);
    mx = std::max(mx, v);
  };
  for (const Series& series : s.series) {
    if (IsHidden(s, series.label_id)) continue;
    const int end = series.begin + series.count;
    switch (series.kind) {
      case Kind::kVerticalLine:
      case Kind::kXBand:
        if (!along_x) break;
        for (double v :
             {s.xs[series.begin], series.kind == Kind::kXBand ? s.ys[series.begin] : kNaN})
          if (IsPlottable(v, x_scale)) take(v);
        break;
      case Kind::kHorizontalLine:
        if (along_x) break;
        if (IsPlottable(s.ys[series.begin], y_scale)) take(s.ys[series.begin]);
        break;
      default:
        for (int i = series.begin; i < end; ++i) {
          if (!IsPlottable(s.xs[i], x_scale) || !IsPlottable(s.ys[i], y_scale)) continue;
          if (along_x) {
            take(s.xs[i]);
          } else {
            take(s.ys[i]);
            if (series.kind == Kind::kBand && IsPlottable(s.his[i], y_scale)) take(s.his[i]);
          }
        }
    }
  }
  if (!(mn <= mx)) return false;
  *lo = mn;
  *hi = mx;
  return true;
}

void FitAxis(PlotState& s, const AxisSpec& spec, bool along_x) {
  AxisRange& range = along_x ? s.x_range : s.y_range;
  if (std::isfinite(spec.min) && std::isfinite(spec.max)) {
    range = SanitizeRange(spec.min, spec.max, spec.scale);
    return;
  }
  double lo = 0, hi = 0;
  if (DataExtent(s, along_x, s.x_scale, s.y_scale, &lo, &hi))
    range = FitRange(lo, hi, spec.scale, kFitPadFraction);
  else
    range = SanitizeRange(range.min, range.max, spec.scale);
}

// Zooms [min, max] by `factor` around axis-space point `centre`.
AxisRange Zoom(const AxisRange& r, AxisScale scale, double centre, double factor) {
  const double lo = ToAxisSpace(r.min, scale), hi = ToAxisSpace(r.max, scale);
  return SanitizeRange(FromAxisSpace(centre - (centre - lo) * factor, scale),
                       FromAxisSpace(centre + (hi - centre) * factor, scale), scale);
}

AxisRange Pan(const AxisRange& r, AxisScale scale, double shift) {
  const double lo = ToAxisSpace(r.min, scale), hi = ToAxisSpace(r.max, scale);
  return SanitizeRange(FromAxisSpace(lo + shift, scale), FromAxisSpace(hi + shift, scale), scale);
}

int LabelledCount(const std::vector<Tick>& ticks) {
  int n = 0;
  for (const Tick& t : ticks) n += t.labelled;
  return n;
}

// X ticks whose labels do not overlap: fewer labels until they fit.
void FitXTicks(PlotState& s, const ImRect& area, AxisScale scale, float font) {
  TickOptions options;
  options.length_px = area.GetWidth();
  options.min_minor_px = 0.3f * font;
  options.max_labels = std::max(1, static_cast<int>(area.GetWidth() / (3.5f * font)));
  const AxisMap map(s.x_range, scale, area.Min.x, area.Max.x);
  for (int attempt = 0; attempt < 6; ++attempt) {
    ComputeTicks(s.x_range, scale, options, &s.x_ticks);
    float prev_right = -1e30f;
    bool overlap = false;
    for (const Tick& t : s.x_ticks) {
      if (!t.labelled) continue;
      const float w = ImGui::CalcTextSize(t.label.c_str()).x;
      const float centre = static_cast<float>(map.ToPx(t.value));
      if (centre - w / 2 < prev_right + 0.8f * font) overlap = true;
      prev_right = centre + w / 2;
    }
    if (!overlap || options.max_labels <= 1) return;
    options.max_labels = std::max(1, std::min(options.max_labels, LabelledCount(s.x_ticks)) - 1);
  }
}

void ComputeYTicks(PlotState& s, float height, AxisScale scale, float font) {
  TickOptions options;
  options.length_px = height;
  options.min_minor_px = 0.3f * font;
  options.max_labels = std::max(1, static_cast<int>(height / (2.0f * font)));
  ComputeTicks(s.y_range, scale, options, &s.y_ticks);
}

float MaxLabelWidth(const std::vector<Tick>& ticks) {
  float width = 0;
  for (const Tick& t : ticks)
    if (t.labelled) width = std::max(width, ImGui::CalcTextSize(t.label.c_str()).x);
  return width;
}

// Text turned a quarter counter-clockwise (reading upwards), centred on `centre`. ImGui has no
// rotated text: each glyph's quad is placed turned, with its texture coordinates as they are.
void AddVerticalText(ImDrawList* draw, ImVec2 centre, ImU32 color, const char* text) {
  ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  const ImVec2 size = ImGui::CalcTextSize(text);
  // The pen runs up from the bottom; a glyph's x (along the text) becomes -y, its y becomes x.
  ImVec2 pen(std::round(centre.x - size.y / 2), std::round(centre.y + size.x / 2));
  for (const char* p = text; *p;) {
    unsigned int c = 0;
    p += ImTextCharFromUtf8(&c, p, nullptr);
    if (c == 0) break;
    const ImFontGlyph* glyph = font->FindGlyph(static_cast<ImWchar>(c));
    if (!glyph) continue;
    if (glyph->Visible) {
      const float x0 = glyph->X0 * scale, x1 = glyph->X1 * scale;
      const float y0 = glyph->Y0 * scale, y1 = glyph->Y1 * scale;
      draw->PrimReserve(6, 4);
      draw->PrimQuadUV(ImVec2(pen.x + y0, pen.y - x0), ImVec2(pen.x + y0, pen.y - x1),
                       ImVec2(pen.x + y1, pen.y - x1), ImVec2(pen.x + y1, pen.y - x0),
                       ImVec2(glyph->U0, glyph->V0), ImVec2(glyph->U1, glyph->V0),
                       ImVec2(glyph->U1, glyph->V1), ImVec2(glyph->U0, glyph->V1), color);
    }
    pen.y -= glyph->AdvanceX * scale;
  }
}

void DrawLegendSwatch(Frame& f, const Series& series, const ImRect& box, ImU32 color) {
  const ImVec2 mid = box.GetCenter();
  switch (series.kind) {
    case Kind::kLine:
    case Kind::kHorizontalLine:
      f.draw->AddLine(ImVec2(box.Min.x, mid.y), ImVec2(box.Max.x, mid.y), color,
                      std::max(1.0f, series.size * f.unit));
      break;
    case Kind::kVerticalLine:
      f.draw->AddLine(ImVec2(mid.x, box.Min.y), ImVec2(mid.x, box.Max.y), color,
                      std::max(1.0f, series.size * f.unit));
      break;
    case Kind::kScatter:
      f.draw->AddCircleFilled(
          mid, std::min(box.GetHeight() * 0.3f, std::max(2.0f, series.size * f.unit)), color, 12);
      break;
    case Kind::kMarker:
      DrawMarkerShape(f.draw, mid, box.GetHeight() * 0.4f, series.shape, color, f.unit,
                      ImGui::GetColorU32(ImGuiCol_WindowBg));
      break;
    case Kind::kXBand:
    case Kind::kBand:
      f.draw->AddRectFilled(box.Min + ImVec2(0, box.GetHeight() * 0.15f),
                            box.Max - ImVec2(0, box.GetHeight() * 0.15f),
                            WithMinAlpha(color, 0x80));  // bands are faint: show them firmer
      break;
  }
}

// The wheel is the page's (it scrolls the panel) unless Ctrl or Cmd is held (also a trackpad's
// pinch) or the plot was clicked into first, as embedded maps do.
bool WheelZooms(const PlotState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  return io.KeyCtrl || io.KeySuper || (s.engaged && Ctx().click_engages);
}

// Lays out, handles clicks on, and draws the legend. Returns whether the mouse is over it.
bool Legend(Frame& f, std::vector<LegendEntry>* entries) {
  PlotState& s = *f.s;
  entries->clear();
  const float font = f.font, pad = 0.4f * font, swatch = 1.4f * font, gap = 0.4f * font;
  float width = 0;
  for (int i = 0; i < static_cast<int>(s.series.size()); ++i) {
    const Series& series = s.series[i];
    const char* label = LabelOf(s, series);
    if (label[0] == '#' && label[1] == '#') continue;
    bool seen = false;
    for (const LegendEntry& e : *entries)
      seen = seen || s.series[e.series].label_id == series.label_id;
    if (seen) continue;
    width = std::max(width, ImGui::CalcTextSize(label, nullptr, true).x);
    entries->push_back(LegendEntry{i, ImRect()});
  }
  if (entries->empty()) return false;
  // As many rows as the plot is tall, then more columns.
  const float row_h = font * 1.25f, margin = 0.5f * font;
  const int count = static_cast<int>(entries->size());
  const int rows =
      std::clamp(static_cast<int>((f.area.GetHeight() - 2 * margin - 2 * pad) / row_h), 1, count);
  const int columns = (count + rows - 1) / rows;
  const float column_w = swatch + gap + width + pad;
  const ImVec2 size(pad + column_w * columns, pad * 2 + row_h * rows);
  const ImVec2 top_right(f.area.Max.x - margin, f.area.Min.y + margin);
  const ImRect box(ImVec2(top_right.x - size.x, top_right.y),
                   ImVec2(top_right.x, top_right.y + size.y));
  bool hovered = false;
  for (int k = 0; k < count; ++k) {
    LegendEntry& e = (*entries)[k];
    const ImVec2 cell(box.Min.x + pad + column_w * (k / rows),
                      box.Min.y + pad + row_h * (k % rows));
    e.row = ImRect(cell, ImVec2(cell.x + column_w - pad, cell.y + row_h));
    ImGui::SetCursorScreenPos(e.row.Min);
    ImGui::PushID(static_cast<int>(s.series[e.series].label_id));
    if (ImGui::InvisibleButton("##legend", e.row.GetSize())) {
      const ImGuiID id = s.series[e.series].label_id;
      auto it = std::find(s.hidden.begin(), s.hidden.end(), id);
      if (it == s.hidden.end())
        s.hidden.push_back(id);
      else
        s.hidden.erase(it);
    }
    if (ImGui::IsItemHovered()) {
      hovered = true;
      if (WheelZooms(s)) ImGui::SetItemUsingMouseWheel();
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    }
    ImGui::PopID();
  }
  // Drawn later by DrawLegend, on top of the data.
  return hovered;
}

void DrawLegend(Frame& f, const std::vector<LegendEntry>& entries) {
  if (entries.empty()) return;
  const PlotState& s = *f.s;
  const float font = f.font, pad = 0.4f * font, swatch = 1.4f * font, gap = 0.4f * font;
  ImRect box = entries.front().row;
  for (const LegendEntry& e : entries) box.Add(e.row);
  box.Expand(pad);
  f.draw->AddRectFilled(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_WindowBg, 0.75f),
                        0.25f * font);
  f.draw->AddRect(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_Border), 0.25f * font);
  for (const LegendEntry& e : entries) {
    const Series& series = s.series[e.series];
    const bool hidden = IsHidden(s, series.label_id);
    if (ImGui::IsMouseHoveringRect(e.row.Min, e.row.Max))
      f.draw->AddRectFilled(e.row.Min, e.row.Max, ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.5f));
    const ImRect swatch_box(ImVec2(e.row.Min.x, e.row.Min.y + 0.15f * font),
                            ImVec2(e.row.Min.x + swatch, e.row.Max.y - 0.15f * font));
    const ImU32 color = hidden ? ImGui::GetColorU32(ImGuiCol_TextDisabled) : series.color;
    DrawLegendSwatch(f, series, swatch_box, color);
    const char* label = LabelOf(s, series);
    f.draw->AddText(ImVec2(swatch_box.Max.x + gap, e.row.GetCenter().y - font / 2),
                    ImGui::GetColorU32(hidden ? ImGuiCol_TextDisabled : ImGuiCol_Text), label,
                    ImGui::FindRenderedTextEnd(label));
  }
}

// The nearest visible Scatter or Marker point to the mouse within a few pixels.
// `reach_fonts`: how far from a point, in font sizes beyond its radius, still finds it (a finger
// needs more than a mouse).
HoverInfo FindHover(const Frame& f, ImVec2 mouse, float reach_fonts) {
  const PlotState& s = *f.s;
  HoverInfo best;
  float best_d2 = 0;
  for (const Series& series : s.series) {
    if ((series.kind != Kind::kScatter && series.kind != Kind::kMarker) ||
        IsHidden(s, series.label_id))
      continue;
    const float reach = series.size * f.unit + reach_fonts * f.font;
    for (int i = series.begin; i < series.begin + series.count; ++i) {
      const ImVec2 d = s.screen[i] - mouse;
      const float d2 = d.x * d.x + d.y * d.y;  // NaN for points not drawn: never below reach
      if (!(d2 <= reach * reach) || (best.valid && d2 >= best_d2)) continue;
      best.valid = true;
      best_d2 = d2;
      best.index = i - series.begin;
      best.id = best.index + series.id_offset;
      best.x = s.xs[i];
      best.y = s.ys[i];
      best.series.assign(LabelOf(s, series));
    }
  }
  return best;
}

void DrawReadout(Frame& f, const char* text) {
  const ImVec2 size = ImGui::CalcTextSize(text);
  const float pad = 0.3f * f.font;
  const ImVec2 pos(f.area.Min.x + 0.5f * f.font, f.area.Max.y - 0.5f * f.font - size.y - 2 * pad);
  f.draw->AddRectFilled(pos, pos + size + ImVec2(2 * pad, 2 * pad),
                        ImGui::GetColorU32(ImGuiCol_WindowBg, 0.75f), 0.25f * f.font);
  f.draw->AddText(pos + ImVec2(pad, pad), ImGui::GetColorU32(ImGuiCol_Text), text);
}

}  // namespace

bool g_show_demo = false;

void SetClickEngagesWheel(bool engages) {
  Ctx().click_engages = engages;
}

void SetNextPlotToFit() {
  Ctx().fit_next = true;
}

bool BeginPlot(const char* id, const PlotSpec& spec, ImVec2 size_arg) {
  Context& c = Ctx();
  IM_ASSERT(c.current == nullptr && "BeginPlot: EndPlot missing for the previous plot");
  c.last_hover = HoverInfo();
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return false;
  const float font = ImGui::GetFontSize();
  ImVec2 size = ImGui::CalcItemSize(size_arg, ImGui::GetContentRegionAvail().x, 18 * font);
  size = ImMax(size, ImVec2(10 * font, 7 * font));  // room for axes and a few ticks
  const ImVec2 pos = window->DC.CursorPos;
  const ImGuiID plot_id = window->GetID(id);
  PlotState& s = c.plots[plot_id];
  if (!s.initialized || c.fit_next) s.fit_x = s.fit_y = true;
  c.fit_next = false;  // SetNextPlotToFit is for this plot, shown or not
  if (!ImGui::IsRectVisible(pos, pos + size)) {
    ImGui::Dummy(size);
    return false;
  }
  c.current_id = plot_id;
  c.current = &s;
  c.spec = spec;
  c.frame = ImRect(pos, pos + size);
  s.title = spec.title ? spec.title : "";
  s.x_label = spec.x.label ? spec.x.label : "";
  s.y_label = spec.y.label ? spec.y.label : "";
  c.spec.title = s.title.c_str();
  c.spec.x.label = s.x_label.c_str();
  c.spec.y.label = s.y_label.c_str();
  s.series.clear();
  s.xs.clear();
  s.ys.clear();
  s.his.clear();
  s.labels.clear();
  if (s.x_scale != spec.x.scale) s.fit_x = true;  // the old range means nothing on the new scale
  if (s.y_scale != spec.y.scale) s.fit_y = true;
  s.x_scale = spec.x.scale;
  s.y_scale = spec.y.scale;
  s.initialized = true;
  return true;
}

void Line(const char* label, const double* x, const double* y, int count, ImU32 color,
          float thickness) {
  if (Series* series = AddSeries(Kind::kLine, label, color)) {
    series->size = thickness;
    AppendData(series, x, y, count);
  }
}

void Scatter(const char* label, const double* x, const double* y, int count, ImU32 color,
             float radius, int id_offset) {
  if (Series* series = AddSeries(Kind::kScatter, label, color)) {
    series->size = radius;
    series->id_offset = id_offset;
    AppendData(series, x, y, count);
  }
}

void VerticalLine(const char* label, double x, ImU32 color, bool dashed, float thickness) {
  if (Series* series = AddSeries(Kind::kVerticalLine, label, color)) {
    series->size = thickness;
    series->dashed = dashed;
    AppendData(series, &x, &kNaN, 1);
  }
}

void HorizontalLine(const char* label, double y, ImU32 color, bool dashed, float thickness) {
  if (Series* series = AddSeries(Kind::kHorizontalLine, label, color)) {
    series->size = thickness;
    series->dashed = dashed;
    AppendData(series, &kNaN, &y, 1);
  }
}

void Marker(const char* label, double x, double y, ImU32 color, MarkerShape shape, float radius) {
  if (Series* series = AddSeries(Kind::kMarker, label, color)) {
    series->size = radius;
    series->shape = shape;
    AppendData(series, &x, &y, 1);
  }
}

void ShadedBand(const char* label, double x_lo, double x_hi, ImU32 color) {
  // Stored as one (x_lo, x_hi) pair in the x and y arrays.
  if (Series* series = AddSeries(Kind::kXBand, label, color)) AppendData(series, &x_lo, &x_hi, 1);
}

void BandBetween(const char* label, const double* x, const double* y_lo, const double* y_hi,
                 int count, ImU32 color) {
  Series* series = AddSeries(Kind::kBand, label, color);
  if (!series) return;
  if (!y_hi) count = 0;
  AppendData(series, x, y_lo, count);
  PlotState& s = *Ctx().current;
  // his runs parallel to xs: pad it for the series before this one.
  s.his.resize(series->begin, kNaN);
  if (series->count > 0) s.his.insert(s.his.end(), y_hi, y_hi + series->count);
}

namespace {

// What the input stage found, for the drawing stages.
struct InputResult {
  bool legend_hovered = false;
  bool reset_hovered = false;
  bool plot_hovered = false;  // anywhere on the plot's area, axes or controls
  bool area_active = false;
  bool mouse_in_area = false;
};

// Stage 1: the plot area inside the frame, in font units so it scales with devicePixelRatio.
// Returns the bottom of the x tick labels' strip.
float LayoutArea(const Context& c, Frame& f) {
  PlotState& s = *f.s;
  const float font = f.font, pad = 0.5f * font;
  const ImRect& frame = c.frame;
  // A title wider than the plot wraps at spaces onto more lines (never cut mid-word).
  s.title_lines.clear();
  if (!s.title.empty()) {
    const std::string shown(s.title.c_str(), ImGui::FindRenderedTextEnd(s.title.c_str()));
    s.title_lines = WrapWords(shown, frame.GetWidth() - 2 * pad, [](std::string_view piece) {
      return ImGui::CalcTextSize(piece.data(), piece.data() + piece.size()).x;
    });
  }
  const float title_h =
      s.title_lines.empty() ? pad : font * static_cast<float>(s.title_lines.size()) + 2 * pad;
  const float top = frame.Min.y + title_h;
  const float bottom = frame.Max.y - pad - (s.x_label.empty() ? 0 : font + 0.3f * font) -
                       (font + 0.4f * font);  // x tick labels
  ComputeYTicks(s, bottom - top, s.y_scale, font);
  const float y_labels_w = std::max(MaxLabelWidth(s.y_ticks), 2 * font);
  const float left =
      frame.Min.x + pad + (s.y_label.empty() ? 0 : font + 0.4f * font) + y_labels_w + 0.4f * font;
  f.area = ImRect(ImVec2(std::floor(left), std::floor(top)),
                  ImVec2(std::floor(frame.Max.x - pad - 0.25f * font), std::floor(bottom)));
  f.area.Max = ImMax(f.area.Max, f.area.Min + ImVec2(1, 1));
  return bottom;
}

// On compact plots the legend hides behind a toggle in the plot's top-right corner. Returns
// whether the toggle is hovered.
bool LegendToggle(Frame& f) {
  PlotState& s = *f.s;
  const char* text = s.legend_open ? "hide legend" : "legend";
  const ImVec2 size = ImGui::CalcTextSize(text) + ImVec2(0.8f * f.font, 0.5f * f.font);
  const ImVec2 pos(f.area.Max.x - size.x - 0.3f * f.font, f.area.Min.y + 0.3f * f.font);
  ImGui::SetCursorScreenPos(pos);
  if (ImGui::InvisibleButton("##legend_toggle", size)) s.legend_open = !s.legend_open;
  s.legend_toggle = ImRect(pos, pos + size);
  return ImGui::IsItemHovered();
}

// The "reset view" control, in the x axis title's row at the right (or the plot area's top-left
// corner when there is no axis title): submitted before the plot area and axes so that it, not
// they, takes its clicks. Returns whether it was clicked.
bool ResetViewButton(const Context& c, Frame& f) {
  PlotState& s = *f.s;
  const char* text = "reset view";
  const ImVec2 size = ImGui::CalcTextSize(text) + ImVec2(0.8f * f.font, 0.3f * f.font);
  const float pad = 0.5f * f.font;
  const ImVec2 pos = s.x_label.empty() ? f.area.Min + ImVec2(0.3f * f.font, 0.3f * f.font)
                                       : ImVec2(c.frame.Max.x - pad - size.x,
                                                c.frame.Max.y - pad - size.y + 0.15f * f.font);
  ImGui::SetCursorScreenPos(pos);
  const bool clicked = ImGui::InvisibleButton("##reset_view", size);
  s.reset_button = ImRect(pos, pos + size);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fit the view to what the plot shows");
  return clicked;
}

// Stage 2: clicks on the legend, "reset view", zoom (Ctrl/Cmd+wheel, or the wheel once clicked
// into; pinch), pan (drag, two fingers), double-click reset. Otherwise the wheel scrolls the page.
InputResult HandleInput(Context& c, Frame& f, float bottom) {
  PlotState& s = *f.s;
  const PlotSpec& spec = c.spec;
  const ImGuiIO& io = ImGui::GetIO();
  const float font = f.font;
  const ImRect& frame = c.frame;
  InputResult in;
  // Legend rows come first so they, not the plot area under them, take the clicks.
  s.legend.clear();
  s.legend_toggle = ImRect();
  if (spec.legend && spec.compact) in.legend_hovered = LegendToggle(f);
  const bool legend_shown = spec.legend && (!spec.compact || s.legend_open);
  if (legend_shown) in.legend_hovered = Legend(f, &s.legend) || in.legend_hovered;
  if (ResetViewButton(c, f)) {
    FitAxis(s, spec.x, true);
    FitAxis(s, spec.y, false);
    s.user_view = false;
  }
  in.reset_hovered = ImGui::IsItemHovered();
  ImGui::SetCursorScreenPos(f.area.Min);
  ImGui::InvisibleButton("##area", f.area.GetSize());
  const bool area_hovered = ImGui::IsItemHovered() || in.legend_hovered;
  in.area_active = ImGui::IsItemActive();
  const bool wheel_zooms = WheelZooms(s);
  if (ImGui::IsItemHovered() && wheel_zooms) ImGui::SetItemUsingMouseWheel();
  if (ImGui::IsItemActivated()) s.engaged = true;  // a click into the plot: the wheel zooms
  if (!frame.Contains(io.MousePos)) s.engaged = false;
  const ImRect x_strip(ImVec2(f.area.Min.x, f.area.Max.y),
                       ImVec2(f.area.Max.x, bottom + font * 1.4f));
  ImGui::SetCursorScreenPos(x_strip.Min);
  ImGui::InvisibleButton("##x_axis", ImMax(x_strip.GetSize(), ImVec2(1, 1)));
  const bool x_hovered = ImGui::IsItemHovered(), x_active = ImGui::IsItemActive();
  if (x_hovered && wheel_zooms) ImGui::SetItemUsingMouseWheel();
  if (ImGui::IsItemActivated()) s.engaged = true;
  const ImRect y_strip(ImVec2(frame.Min.x, f.area.Min.y), ImVec2(f.area.Min.x, f.area.Max.y));
  ImGui::SetCursorScreenPos(y_strip.Min);
  ImGui::InvisibleButton("##y_axis", ImMax(y_strip.GetSize(), ImVec2(1, 1)));
  const bool y_hovered = ImGui::IsItemHovered(), y_active = ImGui::IsItemActive();
  if (y_hovered && wheel_zooms) ImGui::SetItemUsingMouseWheel();
  if (ImGui::IsItemActivated()) s.engaged = true;

  f.mx = AxisMap(s.x_range, s.x_scale, f.area.Min.x, f.area.Max.x);
  f.my = AxisMap(s.y_range, s.y_scale, f.area.Max.y, f.area.Min.y);
  const bool zoom_x = area_hovered || x_hovered, zoom_y = area_hovered || y_hovered;
  if (wheel_zooms && (zoom_x || zoom_y)) {
    if (io.MouseWheel != 0) {
      const double factor =
          std::pow(0.85, std::clamp(static_cast<double>(io.MouseWheel), -5.0, 5.0));
      if (zoom_x) s.x_range = Zoom(s.x_range, s.x_scale, f.mx.AxisSpaceAt(io.MousePos.x), factor);
      if (zoom_y) s.y_range = Zoom(s.y_range, s.y_scale, f.my.AxisSpaceAt(io.MousePos.y), factor);
      s.user_view = true;
    }
  } else if ((zoom_x || zoom_y) && io.MouseWheel != 0) {
    s.wheel_hint_until = ImGui::GetTime() + 1.5;  // say how to zoom, and let the page scroll
  }
  // A two-finger pinch centred on this plot (the page passes it in: no multi-touch in GLFW): it
  // zooms around the fingers' midpoint and pans with it.
  if (c.pinch_pending && frame.Contains(c.pinch_centre)) {
    const double factor = 1 / std::clamp(c.pinch_scale, 0.1, 10.0);
    s.x_range = Zoom(s.x_range, s.x_scale, f.mx.AxisSpaceAt(c.pinch_centre.x), factor);
    s.y_range = Zoom(s.y_range, s.y_scale, f.my.AxisSpaceAt(c.pinch_centre.y), factor);
    f.mx = AxisMap(s.x_range, s.x_scale, f.area.Min.x, f.area.Max.x);
    f.my = AxisMap(s.y_range, s.y_scale, f.area.Max.y, f.area.Min.y);
    if (c.pinch_pan.x != 0) s.x_range = Pan(s.x_range, s.x_scale, -c.pinch_pan.x / f.mx.scale);
    if (c.pinch_pan.y != 0) s.y_range = Pan(s.y_range, s.y_scale, -c.pinch_pan.y / f.my.scale);
    c.pinch_pending = false;
    c.pinch_scale = 1;
    c.pinch_pan = ImVec2(0, 0);
    s.user_view = true;
  }
  const bool pan_x = in.area_active || x_active, pan_y = in.area_active || y_active;
  if ((pan_x || pan_y) && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
    if (pan_x) s.x_range = Pan(s.x_range, s.x_scale, -io.MouseDelta.x / f.mx.scale);
    if (pan_y) s.y_range = Pan(s.y_range, s.y_scale, -io.MouseDelta.y / f.my.scale);
    s.user_view = true;
  }
  if (pan_x || pan_y) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !in.legend_hovered &&
      !in.reset_hovered) {
    if (area_hovered || x_hovered) FitAxis(s, spec.x, true);
    if (area_hovered || y_hovered) FitAxis(s, spec.y, false);
    s.user_view = false;
  }
  in.plot_hovered = area_hovered || x_hovered || y_hovered || in.reset_hovered;

  // Final view of this frame.
  f.mx = AxisMap(s.x_range, s.x_scale, f.area.Min.x, f.area.Max.x);
  f.my = AxisMap(s.y_range, s.y_scale, f.area.Max.y, f.area.Min.y);
  ComputeYTicks(s, f.area.GetHeight(), s.y_scale, font);
  FitXTicks(s, f.area, s.x_scale, font);
  TransformPoints(f);
  in.mouse_in_area = f.area.Contains(io.MousePos) && (area_hovered || in.area_active);
  s.hover = in.mouse_in_area && !in.area_active && !in.legend_hovered
                ? FindHover(f, io.MousePos, spec.compact ? 1.2f : 0.35f)
                : HoverInfo();
  return in;
}

// Stage 3: background, grid, the series (clipped to the plot area), hover ring and crosshair.
void DrawGridAndData(const PlotSpec& spec, Frame& f, const InputResult& in) {
  PlotState& s = *f.s;
  ImDrawList* draw = f.draw;
  const ImGuiIO& io = ImGui::GetIO();
  const ImU32 grid_major = ImGui::GetColorU32(ImGuiCol_Text, 0.12f);
  const ImU32 grid_minor = ImGui::GetColorU32(ImGuiCol_Text, 0.05f);
  draw->AddRectFilled(f.area.Min, f.area.Max, ImGui::GetColorU32(ImGuiCol_FrameBg, 0.35f));
  for (const Tick& t : s.x_ticks) {
    const float x = std::round(static_cast<float>(f.mx.ToPx(t.value))) + 0.5f;
    draw->AddLine(ImVec2(x, f.area.Min.y), ImVec2(x, f.area.Max.y),
                  t.major ? grid_major : grid_minor);
  }
  for (const Tick& t : s.y_ticks) {
    const float y = std::round(static_cast<float>(f.my.ToPx(t.value))) + 0.5f;
    draw->AddLine(ImVec2(f.area.Min.x, y), ImVec2(f.area.Max.x, y),
                  t.major ? grid_major : grid_minor);
  }
  draw->PushClipRect(f.area.Min, f.area.Max, true);
  for (const Series& series : s.series) {
    f.stats.points += series.count;
    if (!IsHidden(s, series.label_id)) DrawSeries(f, series);
  }
  if (s.hover.valid) {
    const ImVec2 p = f.ToScreen(s.hover.x, s.hover.y);
    draw->AddCircle(p, 0.5f * f.font, ImGui::GetColorU32(ImGuiCol_Text), 16,
                    std::max(1.5f, 1.5f * f.unit));
  }
  if (in.mouse_in_area && spec.crosshair) {
    const ImU32 hair = ImGui::GetColorU32(ImGuiCol_Text, 0.25f);
    draw->AddLine(ImVec2(f.area.Min.x, io.MousePos.y), ImVec2(f.area.Max.x, io.MousePos.y), hair);
    draw->AddLine(ImVec2(io.MousePos.x, f.area.Min.y), ImVec2(io.MousePos.x, f.area.Max.y), hair);
  }
  draw->PopClipRect();
}

// Stage 4: the axes' frame, ticks and tick labels, the title and the axis titles.
void DrawAxes(const ImRect& frame, Frame& f) {
  const PlotState& s = *f.s;
  ImDrawList* draw = f.draw;
  const float font = f.font, pad = 0.5f * font, tick_major = 0.45f * font;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 text_dim = ImGui::GetColorU32(ImGuiCol_Text, 0.75f);
  draw->AddRect(f.area.Min - ImVec2(0.5f, 0.5f), f.area.Max + ImVec2(0.5f, 0.5f),
                ImGui::GetColorU32(ImGuiCol_Border));
  for (const Tick& t : s.x_ticks) {
    const float x = std::round(static_cast<float>(f.mx.ToPx(t.value))) + 0.5f;
    if (x < f.area.Min.x - 1 || x > f.area.Max.x + 1) continue;
    const float length = t.major ? tick_major : 0.25f * font;
    draw->AddLine(ImVec2(x, f.area.Max.y), ImVec2(x, f.area.Max.y - length), text_dim);
    if (!t.labelled) continue;
    const float w = ImGui::CalcTextSize(t.label.c_str()).x;
    const float lx = std::clamp(x - w / 2, frame.Min.x, frame.Max.x - w);
    draw->AddText(ImVec2(lx, f.area.Max.y + 0.25f * font), text, t.label.c_str());
  }
  for (const Tick& t : s.y_ticks) {
    const float y = std::round(static_cast<float>(f.my.ToPx(t.value))) + 0.5f;
    if (y < f.area.Min.y - 1 || y > f.area.Max.y + 1) continue;
    const float length = t.major ? tick_major : 0.25f * font;
    draw->AddLine(ImVec2(f.area.Min.x, y), ImVec2(f.area.Min.x + length, y), text_dim);
    if (!t.labelled) continue;
    const ImVec2 size = ImGui::CalcTextSize(t.label.c_str());
    const float ly = std::clamp(y - size.y / 2, frame.Min.y, frame.Max.y - size.y);
    draw->AddText(ImVec2(f.area.Min.x - 0.4f * font - size.x, ly), text, t.label.c_str());
  }
  float title_y = frame.Min.y + pad;
  for (const std::string& line : s.title_lines) {
    const float w = ImGui::CalcTextSize(line.c_str()).x;
    const float x = std::clamp(f.area.GetCenter().x - w / 2, frame.Min.x + pad,
                               std::max(frame.Min.x + pad, frame.Max.x - pad - w));
    draw->AddText(ImVec2(x, title_y), text, line.c_str());
    title_y += font;
  }
  if (!s.x_label.empty()) {
    const float w = ImGui::CalcTextSize(s.x_label.c_str()).x;
    draw->AddText(ImVec2(f.area.GetCenter().x - w / 2, frame.Max.y - pad - font), text_dim,
                  s.x_label.c_str());
  }
  if (!s.y_label.empty())
    AddVerticalText(draw, ImVec2(frame.Min.x + pad + font / 2, f.area.GetCenter().y), text_dim,
                    s.y_label.c_str());
}

// Stage 5: on top of everything, the legend (or its toggle), the read-out and warnings.
void DrawOverlays(const PlotSpec& spec, Frame& f, const InputResult& in) {
  const PlotState& s = *f.s;
  ImDrawList* draw = f.draw;
  const ImGuiIO& io = ImGui::GetIO();
  draw->PushClipRect(f.area.Min, f.area.Max, true);
  DrawLegend(f, s.legend);
  if (s.legend_toggle.GetWidth() > 0) {
    const char* label = s.legend_open ? "hide legend" : "legend";
    draw->AddRectFilled(s.legend_toggle.Min, s.legend_toggle.Max,
                        ImGui::GetColorU32(ImGuiCol_Button), 0.25f * f.font);
    draw->AddText(s.legend_toggle.Min + ImVec2(0.4f * f.font, 0.25f * f.font),
                  ImGui::GetColorU32(ImGuiCol_Text), label);
  }
  if (s.hover.valid) {
    const std::string readout =
        std::string(s.hover.series.c_str(), ImGui::FindRenderedTextEnd(s.hover.series.c_str())) +
        "  x " + FormatValue(s.hover.x) + "  y " + FormatValue(s.hover.y);
    DrawReadout(f, readout.c_str());
  } else if (in.mouse_in_area && spec.crosshair) {
    const std::string readout =
        "x " + FormatValue(FromAxisSpace(f.mx.AxisSpaceAt(io.MousePos.x), s.x_scale)) + "  y " +
        FormatValue(FromAxisSpace(f.my.AxisSpaceAt(io.MousePos.y), s.y_scale));
    DrawReadout(f, readout.c_str());
  }
  if (f.stats.truncated) {
    const char* warning = "too many points: some not drawn";
    draw->AddText(ImVec2(f.area.Min.x + 0.5f * f.font, f.area.Min.y + 0.5f * f.font),
                  IM_COL32(255, 140, 90, 255), warning);
  }
  // How to zoom: prominent for a moment after the wheel scrolled past the plot, faint on hover.
  const bool hint_now = ImGui::GetTime() < s.wheel_hint_until;
  if (hint_now || (in.plot_hovered && !spec.compact && !WheelZooms(s) && !in.area_active)) {
    const char* hint = "Ctrl/Cmd+wheel or click the plot to zoom";
    const ImVec2 size = ImGui::CalcTextSize(hint);
    const float pad = 0.3f * f.font;
    const ImVec2 pos = hint_now ? f.area.GetCenter() - size * 0.5f
                                : f.area.Min + ImVec2(0.5f * f.font, 0.4f * f.font);
    draw->AddRectFilled(pos - ImVec2(pad, pad), pos + size + ImVec2(pad, pad),
                        ImGui::GetColorU32(ImGuiCol_WindowBg, hint_now ? 0.9f : 0.6f),
                        0.25f * f.font);
    draw->AddText(pos, ImGui::GetColorU32(ImGuiCol_Text, hint_now ? 1.0f : 0.6f), hint);
  }
  draw->PopClipRect();
  // "reset view": live (a button) after a pan or zoom, faint while the view is the fitted one.
  if (s.reset_button.GetWidth() > 0) {
    const bool hovered = ImGui::IsMouseHoveringRect(s.reset_button.Min, s.reset_button.Max);
    if (s.user_view || hovered) {
      draw->AddRectFilled(s.reset_button.Min, s.reset_button.Max,
                          ImGui::GetColorU32(hovered ? ImGuiCol_ButtonHovered : ImGuiCol_Button),
                          0.25f * f.font);
    }
    draw->AddText(s.reset_button.Min + ImVec2(0.4f * f.font, 0.15f * f.font),
                  ImGui::GetColorU32(ImGuiCol_Text, s.user_view ? 1.0f : 0.45f), "reset view");
  }
}

// A hash of everything that decides the fitted view: the data, the series (kind, label, order)
// and the axes' scales and fixed ranges. Not the colours, not the legend's hidden entries.
ImU32 ContentHash(const PlotState& s, const PlotSpec& spec) {
  ImU32 hash = 0;
  auto add = [&hash](const void* data, size_t bytes) {
    if (bytes > 0) hash = ImHashData(data, bytes, hash);
  };
  add(s.xs.data(), s.xs.size() * sizeof(double));
  add(s.ys.data(), s.ys.size() * sizeof(double));
  add(s.his.data(), s.his.size() * sizeof(double));
  add(s.labels.data(), s.labels.size());
  for (const Series& series : s.series) {
    const int kind = static_cast<int>(series.kind);
    add(&kind, sizeof kind);
    add(&series.count, sizeof series.count);
  }
  const double axes[4] = {spec.x.min, spec.x.max, spec.y.min, spec.y.max};
  add(axes, sizeof axes);
  const int scales[2] = {static_cast<int>(spec.x.scale), static_cast<int>(spec.y.scale)};
  add(scales, sizeof scales);
  return hash;
}

}  // namespace

void EndPlot() {
  Context& c = Ctx();
  IM_ASSERT(c.current != nullptr && "EndPlot without a BeginPlot that returned true");
  if (!c.current) return;
  PlotState& s = *c.current;
  s.his.resize(s.xs.size(), kNaN);
  const PlotSpec& spec = c.spec;

  // What the plot shows changed (new data, grouping, exclusions, options, series shown): fit it
  // afresh, so its first view is the same however the analysis arrived.
  const ImU32 content = ContentHash(s, spec);
  if (content != s.content_hash) s.fit_x = s.fit_y = true;
  s.content_hash = content;
  if (s.fit_x || s.fit_y) s.user_view = false;
  if (s.fit_x) FitAxis(s, spec.x, true);
  if (s.fit_y) FitAxis(s, spec.y, false);
  s.fit_x = s.fit_y = false;

  Frame f;
  f.s = &s;
  f.font = ImGui::GetFontSize();
  f.unit = f.font / kReferenceFontPx;
  const float bottom = LayoutArea(c, f);

  ImGui::SetCursorScreenPos(c.frame.Min);
  if (!ImGui::BeginChild(c.current_id, c.frame.GetSize(), false,
                         ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                             ImGuiWindowFlags_NoBackground)) {
    ImGui::EndChild();
    c.current = nullptr;
    return;
  }
  // Its own draw list: each plot gets the full 64K-vertex budget of a 16-bit-index list.
  f.draw = ImGui::GetWindowDrawList();
  const int vertices_before = f.draw->VtxBuffer.Size;
  f.vertex_limited = sizeof(ImDrawIdx) == 2 &&
                     !(ImGui::GetIO().BackendFlags & ImGuiBackendFlags_RendererHasVtxOffset);

  const InputResult in = HandleInput(c, f, bottom);
  DrawGridAndData(spec, f, in);
  DrawAxes(c.frame, f);
  DrawOverlays(spec, f, in);
  f.stats.vertices = f.draw->VtxBuffer.Size - vertices_before;
  ImGui::EndChild();

  if (s.hover.valid && spec.hover_tooltip) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(s.hover.series.c_str(),
                           ImGui::FindRenderedTextEnd(s.hover.series.c_str()));
    ImGui::Text("#%d   x = %s   y = %s", s.hover.id, FormatValue(s.hover.x, 6).c_str(),
                FormatValue(s.hover.y, 6).c_str());
    ImGui::EndTooltip();
  }

  c.last_hover = s.hover;
  c.last_view = PlotView();
  c.last_view.x = s.x_range;
  c.last_view.y = s.y_range;
  c.last_view.x_scale = s.x_scale;
  c.last_view.y_scale = s.y_scale;
  c.last_view.area_min = f.area.Min;
  c.last_view.area_max = f.area.Max;
  c.last_view.frame_min = c.frame.Min;
  c.last_view.frame_max = c.frame.Max;
  c.last_view.reset_min = s.reset_button.Min;
  c.last_view.reset_max = s.reset_button.Max;
  c.last_view.user_view = s.user_view;
  c.last_stats = f.stats;
  c.last_plot = &s;
  c.current = nullptr;
}

void PinchZoom(ImVec2 centre_px, double scale, ImVec2 pan_px) {
  Context& c = Ctx();
  if (!(scale > 0) || !std::isfinite(scale)) return;
  if (!c.pinch_pending) {
    c.pinch_scale = 1;
    c.pinch_pan = ImVec2(0, 0);
  }
  c.pinch_pending = true;
  c.pinch_centre = centre_px;
  c.pinch_scale *= scale;  // several before one frame: all of them
  if (std::isfinite(pan_px.x) && std::isfinite(pan_px.y)) c.pinch_pan = c.pinch_pan + pan_px;
}

std::string LastPlotCsv() {
  const PlotState* s = Ctx().last_plot;
  if (!s) return "";
  std::string out = "series,x,y,y_high\n";
  char number[96];
  for (const Series& series : s->series) {
    std::string label(LabelOf(*s, series), ImGui::FindRenderedTextEnd(LabelOf(*s, series)));
    if (label.find_first_of(",\"\n") != std::string::npos) {
      std::string quoted = "\"";
      for (char ch : label) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      label = quoted + "\"";
    }
    for (int i = series.begin; i < series.begin + series.count; ++i) {
      const double hi = i < static_cast<int>(s->his.size()) ? s->his[i] : kNaN;
      std::snprintf(number, sizeof number, ",%.17g,%.17g,", s->xs[i], s->ys[i]);
      out += label + number;
      if (std::isfinite(hi)) {
        std::snprintf(number, sizeof number, "%.17g", hi);
        out += number;
      }
      out += "\n";
    }
  }
  return out;
}

const HoverInfo& LastHover() {
  return Ctx().last_hover;
}

int HoveredIndex(const char* series_label) {
  const HoverInfo& hover = Ctx().last_hover;
  return hover.valid && series_label && hover.series == series_label ? hover.index : -1;
}

const PlotView& LastPlotView() {
  return Ctx().last_view;
}
const PlotStats& LastPlotStats() {
  return Ctx().last_stats;
}

ImVec2 ToPixels(const PlotView& view, double x, double y) {
  const AxisMap mx(view.x, view.x_scale, view.area_min.x, view.area_max.x);
  const AxisMap my(view.y, view.y_scale, view.area_max.y, view.area_min.y);
  return ImVec2(static_cast<float>(mx.ToPx(x)), static_cast<float>(my.ToPx(y)));
}

ImU32 PaletteColor(int index, float alpha) {
  // Okabe-Ito (colour-blind safe) first, then Tableau 10's remaining hues.
  static const ImU32 kColors[] = {
      IM_COL32(86, 180, 233, 255),  IM_COL32(230, 159, 0, 255),   IM_COL32(0, 158, 115, 255),
      IM_COL32(204, 121, 167, 255), IM_COL32(240, 228, 66, 255),  IM_COL32(213, 94, 0, 255),
      IM_COL32(0, 114, 178, 255),   IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
      IM_COL32(188, 189, 34, 255),  IM_COL32(127, 127, 127, 255), IM_COL32(23, 190, 207, 255)};
  constexpr int n = static_cast<int>(sizeof kColors / sizeof kColors[0]);
  const ImU32 color = kColors[((index % n) + n) % n];
  const int a = static_cast<int>(std::clamp(alpha, 0.0f, 1.0f) * 255 + 0.5f);
  return (color & ~IM_COL32_A_MASK) | (static_cast<ImU32>(a) << IM_COL32_A_SHIFT);
}

}  // namespace scalecalc::app::plot

// layout.h: the page's arrangement follows the window's width (text_layout.h's LayoutMode). Panels
// use these helpers instead of fixed SameLine/width choices, so one panel reads well on a phone
// (one column, full-width fields with labels above, plots one per row, tables that scroll
// sideways with the first column frozen) and keeps its desktop arrangement on a wide window.
//
//   OptionField(...)            // widgets.h: already label-above on phones
//   SameLineIfWide();           // next widget beside the last on desktops, under it on phones
//   WrappedText("within %s of the optimum", pct.c_str());   // wraps at spaces only
//   if (BeginWideTable("plan", 3, flags)) { ...; ImGui::EndTable(); }
//   const ImVec2 cell = PlotCellSize(); DrawPlot(cell); PlotGridNext(i);
//
// Every helper reads the mode set by BeginLayoutFrame (App::Frame calls it first). Rectangles of
// named widgets are recorded per frame for the browser tests (LayoutRectsJson) and for the
// page's touch handling (which needs to know whether a finger is on a plot).
#pragma once

#include <initializer_list>
#include <string>

#include "app/text_layout.h"
#include "core/text_table.h"
#include "imgui.h"

namespace scalecalc::app {

// Sets this frame's mode from the viewport width (device px) and the device pixel ratio, and
// clears the recorded rectangles.
void BeginLayoutFrame(float pixel_ratio);
bool IsPhone();
float PixelRatio();

// ImGui::SameLine() on desktops; nothing on phones (the next widget goes under the last).
void SameLineIfWide(float spacing = -1);
// Before a labelled widget: on phones draws the label's visible text on its own line and makes the
// next item full width, returning the label with its text hidden ("##label"); on desktops sets
// `desktop_width` (if > 0) and returns `label` unchanged. The returned string keeps the same ID.
std::string FieldLabel(const char* label, float desktop_width);

// Text wrapped at spaces to the current content width (never inside a number), like
// ImGui::TextWrapped. The colored form draws every line in `color`; `width` > 0 wraps at that
// width instead (tooltips, which size themselves to their text).
void WrappedText(const char* format, ...) IM_FMTARGS(1);
void WrappedTextColored(const ImVec4& color, const char* format, ...) IM_FMTARGS(2);
void WrappedTextDisabled(const char* format, ...) IM_FMTARGS(1);
void WrappedTextUnformatted(const std::string& text, const ImVec4* color = nullptr,
                            float width = 0);

// ImGui::BeginTable for a table that may be wider than the window: on phones it scrolls sideways
// inside its frame with the first column and the header row frozen, and its columns keep their
// natural width; `rows` (when >= 0 and size.y is not given) sizes its frame to fit them. On
// desktops the flags and size are used as given. End with ImGui::EndTable().
bool BeginWideTable(const char* id, int columns, ImGuiTableFlags flags, int rows = -1,
                    ImVec2 size = ImVec2(0, 0));
// One cell of a text table: its first line, and the lines after it (an interval) dimmed.
void DrawTextCell(const std::string& cell);
// A table of plain text (headers, rows) drawn with BeginWideTable: what is shown is what Copy
// copies. `size` as BeginWideTable's; the non-empty cells of column `warn_column` (>= 0) are
// drawn in the warning colour.
void DrawTextTable(const char* id, const TableText& table, ImGuiTableFlags flags,
                   ImVec2 size = ImVec2(0, 0), int warn_column = -1);

// The size of one plot in a grid: two per row on desktops (half the width and height of what is
// left, at least `min_height_fonts` font sizes tall), one per row on phones (full width, a
// readable height relative to the width).
ImVec2 PlotCellSize(float min_height_fonts = 18);
// Between plots of a grid: SameLine after an even index on desktops.
void PlotGridNext(int index_drawn);

// Rectangles of named widgets this frame, for tests and touch hit-testing.
void RecordItemRect(const std::string& name);  // the last item
void RecordRect(const std::string& name, ImVec2 min, ImVec2 max);
// Numbers worth reading in a test (a table's scroll, a plot's view), this frame.
void RecordValues(const std::string& name, std::initializer_list<double> values);
// {"mode": "phone"|"desktop", "pixel_ratio": r, "rects": [{"name", "x", "y", "w", "h"}, ...],
// "values": {"name": [...]}}, rectangles in CSS pixels. "content" is the open panel's area.
std::string LayoutRectsJson();
// Whether a point (CSS px) is inside a recorded rectangle whose name starts with `prefix`.
bool PointInRect(const std::string& prefix, float x_css, float y_css);

}  // namespace scalecalc::app

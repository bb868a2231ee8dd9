#include "app/layout.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <vector>

#include "imgui_internal.h"

namespace scalecalc::app {

namespace {

struct NamedRect {
  std::string name;
  ImVec2 min, max;  // device px
};

struct LayoutState {
  LayoutMode mode = LayoutMode::kDesktop;
  float pixel_ratio = 1;
  std::vector<NamedRect> rects;
  std::vector<std::pair<std::string, std::vector<double>>> values;
};
LayoutState& State() {
  static LayoutState state;
  return state;
}

std::string JsonEscape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out.push_back(ch);
  }
  return out;
}

std::string Format(const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int size = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (size <= 0) return "";
  std::string text(static_cast<size_t>(size), '\0');
  std::vsnprintf(text.data(), text.size() + 1, format, args);
  return text;
}

}  // namespace

void BeginLayoutFrame(float pixel_ratio) {
  LayoutState& s = State();
  s.pixel_ratio = pixel_ratio > 0 ? pixel_ratio : 1;
  s.mode = LayoutModeForWidth(ImGui::GetMainViewport()->Size.x / s.pixel_ratio);
  s.rects.clear();
  s.values.clear();
}

bool IsPhone() {
  return State().mode == LayoutMode::kPhone;
}
float PixelRatio() {
  return State().pixel_ratio;
}

void SameLineIfWide(float spacing) {
  if (!IsPhone()) ImGui::SameLine(0, spacing);
}

std::string FieldLabel(const char* label, float desktop_width) {
  if (!IsPhone()) {
    if (desktop_width > 0) ImGui::SetNextItemWidth(desktop_width);
    return label;
  }
  const char* end = ImGui::FindRenderedTextEnd(label);
  if (end != label) WrappedTextUnformatted(std::string(label, end));
  ImGui::SetNextItemWidth(-FLT_MIN);
  return std::string("##") + label;  // same text, so the same ID whatever the mode
}

void WrappedTextUnformatted(const std::string& text, const ImVec4* color, float width) {
  if (width <= 0) width = ImGui::GetContentRegionAvail().x;
  const std::vector<std::string> lines = WrapWords(text, width, [](std::string_view piece) {
    return ImGui::CalcTextSize(piece.data(), piece.data() + piece.size()).x;
  });
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  for (const std::string& line : lines) ImGui::TextUnformatted(line.c_str());
  if (color) ImGui::PopStyleColor();
}

void WrappedText(const char* format, ...) {
  va_list args;
  va_start(args, format);
  const std::string text = Format(format, args);
  va_end(args);
  WrappedTextUnformatted(text);
}

void WrappedTextColored(const ImVec4& color, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const std::string text = Format(format, args);
  va_end(args);
  WrappedTextUnformatted(text, &color);
}

void WrappedTextDisabled(const char* format, ...) {
  va_list args;
  va_start(args, format);
  const std::string text = Format(format, args);
  va_end(args);
  const ImVec4 color = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
  WrappedTextUnformatted(text, &color);
}

bool BeginWideTable(const char* id, int columns, ImGuiTableFlags flags, int rows, ImVec2 size) {
  if (!IsPhone()) return ImGui::BeginTable(id, columns, flags, size);
  flags |= ImGuiTableFlags_ScrollX | ImGuiTableFlags_BordersOuter;
  flags = (flags & ~ImGuiTableFlags_SizingMask_) | ImGuiTableFlags_SizingFixedFit;
  // A scrolling table is a child window: without a height it would take all that is left, so
  // size it to its rows (header included) plus the horizontal scrollbar.
  if (size.y <= 0 && rows >= 0) {
    const ImGuiStyle& style = ImGui::GetStyle();
    // Rows of widgets (combos) are a frame high, rows of text a line: allow for the taller.
    const float row = ImGui::GetFrameHeight() + 2 * style.CellPadding.y;
    size.y = static_cast<float>(rows + 1) * row + style.ScrollbarSize + 4;
  }
  // Fingers cannot grab column borders; and a table of its own in this mode, so that widths
  // sized for the desktop arrangement (the window starts wide) are not carried over.
  flags &= ~ImGuiTableFlags_Resizable;
  ImGui::PushID("phone");
  const bool open = ImGui::BeginTable(id, columns, flags, size);
  ImGui::PopID();
  if (!open) return false;
  ImGui::TableSetupScrollFreeze(1, 1);
  return true;
}

void DrawTextCell(const std::string& cell) {
  const size_t newline = cell.find('\n');
  if (newline == std::string::npos) return ImGui::TextUnformatted(cell.c_str());
  ImGui::TextUnformatted(cell.c_str(), cell.c_str() + newline);
  ImGui::TextDisabled("%s", cell.c_str() + newline + 1);
}

void DrawTextTable(const char* id, const TableText& table, ImGuiTableFlags flags, ImVec2 size,
                   int warn_column) {
  const int columns = static_cast<int>(table.headers.size());
  if (columns == 0 ||
      !BeginWideTable(id, columns, flags, static_cast<int>(table.rows.size()), size))
    return;
  // A scrolling table keeps its header row in view (the phone's frame freezes it already).
  if ((flags & ImGuiTableFlags_ScrollY) && !IsPhone()) ImGui::TableSetupScrollFreeze(0, 1);
  for (const std::string& header : table.headers) ImGui::TableSetupColumn(header.c_str());
  ImGui::TableHeadersRow();
  for (const std::vector<std::string>& row : table.rows) {
    ImGui::TableNextRow();
    for (int i = 0; i < columns; ++i) {
      ImGui::TableNextColumn();
      if (i >= static_cast<int>(row.size())) continue;
      if (i == warn_column && !row[i].empty()) {
        ImGui::TextColored(ImVec4(1, 0.8f, 0.35f, 1), "%s", row[i].c_str());
      } else {
        DrawTextCell(row[i]);
      }
    }
  }
  ImGui::EndTable();
}

ImVec2 PlotCellSize(float min_height_fonts) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImGuiStyle& style = ImGui::GetStyle();
  const float font = ImGui::GetFontSize();
  if (IsPhone()) {
    // Full width; tall enough for the axes, the title and a few ticks, about 4:3.
    const float width = std::max(avail.x, 10 * font);
    return ImVec2(width, std::max(min_height_fonts * font * 0.9f, width * 0.78f));
  }
  return ImVec2(std::max(200.0f, (avail.x - style.ItemSpacing.x) / 2),
                std::max(font * min_height_fonts, (avail.y - style.ItemSpacing.y) / 2));
}

void PlotGridNext(int index_drawn) {
  if (!IsPhone() && index_drawn % 2 == 0) ImGui::SameLine();
}

void RecordItemRect(const std::string& name) {
  RecordRect(name, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void RecordRect(const std::string& name, ImVec2 min, ImVec2 max) {
  State().rects.push_back(NamedRect{name, min, max});
}

std::string LayoutRectsJson() {
  const LayoutState& s = State();
  const float r = s.pixel_ratio;
  char number[160];
  std::string out = std::string("{\"mode\": \"") + (IsPhone() ? "phone" : "desktop") + "\"";
  std::snprintf(number, sizeof number, ", \"pixel_ratio\": %g, \"rects\": [", r);
  out += number;
  for (size_t i = 0; i < s.rects.size(); ++i) {
    const NamedRect& rect = s.rects[i];
    std::snprintf(number, sizeof number, "\"x\": %.2f, \"y\": %.2f, \"w\": %.2f, \"h\": %.2f",
                  rect.min.x / r, rect.min.y / r, (rect.max.x - rect.min.x) / r,
                  (rect.max.y - rect.min.y) / r);
    out += (i ? ", " : "") + std::string("{\"name\": \"") + JsonEscape(rect.name) + "\", " +
           number + "}";
  }
  out += "], \"values\": {";
  for (size_t i = 0; i < s.values.size(); ++i) {
    out += (i ? ", \"" : "\"") + JsonEscape(s.values[i].first) + "\": [";
    for (size_t k = 0; k < s.values[i].second.size(); ++k) {
      const double v = s.values[i].second[k];
      std::snprintf(number, sizeof number, "%.17g", v);
      out += (k ? ", " : "") + std::string(std::isfinite(v) ? number : "null");
    }
    out += "]";
  }
  return out + "}}";
}

void RecordValues(const std::string& name, std::initializer_list<double> values) {
  State().values.emplace_back(name, std::vector<double>(values));
}

bool PointInRect(const std::string& prefix, float x_css, float y_css) {
  const LayoutState& s = State();
  const ImVec2 p(x_css * s.pixel_ratio, y_css * s.pixel_ratio);
  for (const NamedRect& rect : s.rects) {
    if (rect.name.compare(0, prefix.size(), prefix) == 0 && ImRect(rect.min, rect.max).Contains(p))
      return true;
  }
  return false;
}

}  // namespace scalecalc::app

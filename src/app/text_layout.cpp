#include "app/text_layout.h"

#include <algorithm>
#include <cmath>

namespace scalecalc::app {

namespace {

// Lines are runs of the paragraph itself, so spacing inside a line is kept as written.
void WrapParagraph(std::string_view paragraph, float max_width, const TextWidthFn& width_of,
                   std::vector<std::string>* lines) {
  const bool wraps = std::isfinite(max_width) && max_width > 0;
  size_t line_begin = 0;  // leading spaces of the paragraph are kept (indentation)
  size_t line_end = std::string_view::npos;  // end of the line's last word; npos: no word yet
  size_t i = 0;
  while (true) {
    const size_t start = paragraph.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    size_t end = paragraph.find(' ', start);
    if (end == std::string_view::npos) end = paragraph.size();
    if (wraps && line_end != std::string_view::npos &&
        width_of(paragraph.substr(line_begin, end - line_begin)) > max_width) {
      lines->emplace_back(paragraph.substr(line_begin, line_end - line_begin));
      line_begin = start;
    }
    line_end = end;
    i = end;
  }
  lines->emplace_back(line_end == std::string_view::npos
                          ? std::string_view()
                          : paragraph.substr(line_begin, line_end - line_begin));
}

std::string Clean(const std::string& cell, bool escape_pipe) {
  std::string out;
  out.reserve(cell.size());
  for (char ch : cell) {
    if (ch == '\t' || ch == '\n' || ch == '\r') {
      out.push_back(' ');
    } else if (ch == '|' && escape_pipe) {
      out += "\\|";
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

size_t Columns(const TableText& table) {
  size_t columns = table.headers.size();
  for (const auto& row : table.rows) columns = std::max(columns, row.size());
  return columns;
}

std::string Cell(const std::vector<std::string>& row, size_t i) {
  return i < row.size() ? row[i] : std::string();
}

}  // namespace

std::vector<std::string> WrapWords(std::string_view text, float max_width,
                                   const TextWidthFn& width_of) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (true) {
    const size_t newline = text.find('\n', begin);
    const std::string_view paragraph = text.substr(
        begin, newline == std::string_view::npos ? std::string_view::npos : newline - begin);
    WrapParagraph(paragraph, max_width, width_of, &lines);
    if (newline == std::string_view::npos) break;
    begin = newline + 1;
  }
  return lines;
}

std::string ToTsv(const TableText& table) {
  const size_t columns = Columns(table);
  std::string out;
  auto write = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < columns; ++i) {
      if (i > 0) out.push_back('\t');
      out += Clean(Cell(row, i), false);
    }
    out.push_back('\n');
  };
  if (!table.headers.empty()) write(table.headers);
  for (const auto& row : table.rows) write(row);
  return out;
}

std::string ToMarkdown(const TableText& table) {
  const size_t columns = Columns(table);
  if (columns == 0) return "";
  std::string out;
  auto write = [&](const std::vector<std::string>& row) {
    out += "|";
    for (size_t i = 0; i < columns; ++i) out += " " + Clean(Cell(row, i), true) + " |";
    out.push_back('\n');
  };
  write(table.headers);  // Markdown needs a header row, even an empty one
  out += "|";
  for (size_t i = 0; i < columns; ++i) out += " --- |";
  out.push_back('\n');
  for (const auto& row : table.rows) write(row);
  return out;
}

LayoutMode LayoutModeForWidth(float width_css_px) {
  return std::isfinite(width_css_px) && width_css_px < kPhoneMaxWidthCssPx ? LayoutMode::kPhone
                                                                           : LayoutMode::kDesktop;
}

}  // namespace scalecalc::app

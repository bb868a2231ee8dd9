#include "core/text_table.h"

#include <algorithm>

namespace scalecalc {

namespace {

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

// A cell's lines (at least one).
std::vector<std::string> Lines(const std::string& cell) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (true) {
    const size_t end = cell.find('\n', begin);
    lines.push_back(cell.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) return lines;
    begin = end + 1;
  }
}

}  // namespace

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

std::string ToAlignedText(const TableText& table, const std::string& indent) {
  const size_t columns = Columns(table);
  if (columns == 0) return "";
  std::vector<size_t> widths(columns, 0);
  std::vector<std::vector<std::string>> all = {table.headers};
  all.insert(all.end(), table.rows.begin(), table.rows.end());
  for (const auto& row : all) {
    for (size_t i = 0; i < columns; ++i) {
      for (const std::string& line : Lines(Cell(row, i)))
        widths[i] = std::max(widths[i], line.size());
    }
  }
  std::string out;
  for (const auto& row : all) {
    std::vector<std::vector<std::string>> cells;
    size_t height = 1;
    for (size_t i = 0; i < columns; ++i) {
      cells.push_back(Lines(Cell(row, i)));
      height = std::max(height, cells.back().size());
    }
    for (size_t k = 0; k < height; ++k) {
      std::string line = indent;
      for (size_t i = 0; i < columns; ++i) {
        const std::string text = k < cells[i].size() ? cells[i][k] : "";
        line += text + (i + 1 < columns ? std::string(widths[i] - text.size() + 2, ' ') : "");
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace scalecalc

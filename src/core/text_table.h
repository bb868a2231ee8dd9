// text_table.h: a table as strings, built once from the results and written out every way they are
// shown: drawn by the page (app/layout.h DrawTextTable), copied as tab-separated text (pastes into
// a spreadsheet) or Markdown, printed by the CLI in aligned columns. core/result_tables.h builds
// the results' tables.
#pragma once

#include <string>
#include <vector>

namespace scalecalc {

struct TableText {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;  // short rows are padded with empty cells
};

// Tab-separated, one row a line ('\n'), headers first; tabs and newlines inside a cell become
// spaces so the grid survives.
std::string ToTsv(const TableText& table);
// A GitHub-flavoured Markdown table; '|' in a cell is escaped, newlines become spaces.
std::string ToMarkdown(const TableText& table);
// Plain text for a terminal: each column as wide as its widest line, two spaces between, every
// line after `indent`; a cell's lines ('\n') stack, so a row is as tall as its tallest cell.
std::string ToAlignedText(const TableText& table, const std::string& indent = "  ");

}  // namespace scalecalc

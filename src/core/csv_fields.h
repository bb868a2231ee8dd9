// csv_fields.h: the lexical layer of the CSV reader (internal to csv_reader.cpp and its tests).
//
// LineCursor walks the text line by line (\n, \r\n or a lone \r end a line) and numbers lines from
// 1. SplitFields cuts one line into fields: RFC 4180 quoting ("" is a quote, separators inside
// quotes are text), spaces around a field are dropped. A quoted field ends on its own line: a
// quote left open at the end of a line is an error of that row only, so one stray quote cannot
// swallow the rest of a pasted table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace scalecalc {
namespace csv_internal {

struct Line {
  std::string_view text;  // without its line ending
  int number = 0;         // 1-based
};

class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  // Next line; false at the end of the text (a final line ending opens no empty line).
  bool Next(Line* line);

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

bool IsBlank(std::string_view line);    // empty or only spaces and tabs
bool IsComment(std::string_view line);  // '#' or "//" after leading spaces

// Fields of one line. `items` keeps its strings between calls (no allocation per row); only the
// first `count` are this line's.
struct Fields {
  std::vector<std::string> items;
  size_t count = 0;
  const std::string& operator[](size_t i) const { return items[i]; }
};

struct SplitError {
  int column = 0;  // 1-based field index
  std::string message;
};

// Splits `line` at `delimiter`. False with `error` on an unterminated quote or text after a
// closing quote.
bool SplitFields(std::string_view line, char delimiter, Fields* fields, SplitError* error);

// Number of `delimiter` characters outside quotes (to guess the separator from the header).
int CountOutsideQuotes(std::string_view line, char delimiter);

// `text` fit for a message: quoted, bytes that are not printable UTF-8 written as \xNN, cut to
// about `max_chars` bytes with "..." when longer.
std::string Quote(std::string_view text, size_t max_chars = 40);

// One key of a flattened Python dict repr: nested keys joined by '.', the value as text (numbers as
// written, strings unquoted, True/False as true/false, None as "", lists and tuples as written).
struct DictEntry {
  std::string key;
  std::string value;
};

// Flattens a Python dict repr as pandas writes a dict-valued cell ("{'lr': 5e-05, 'model':
// {'n_params': 1000000}, 'tags': ['a'], 'ok': True}") into `entries` (cleared first). A blank cell
// is an empty dict. False with `error` (a sentence) and `offset` (0-based byte in `cell`) when the
// text is not such a dict: unbalanced braces, a missing ':' or ',', an unterminated string, nesting
// deeper than 32 levels.
bool FlattenPyDict(std::string_view cell, std::vector<DictEntry>* entries, std::string* error,
                   size_t* offset);

}  // namespace csv_internal
}  // namespace scalecalc

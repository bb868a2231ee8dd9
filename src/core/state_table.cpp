#include "core/state_table.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/analysis_state.h"
#include "core/csv_fields.h"
#include "core/csv_reader.h"

namespace scalecalc {
namespace {

using csv_internal::Fields;
using csv_internal::Line;
using csv_internal::LineCursor;
using csv_internal::SplitError;

enum LineKind : uint8_t { kEmptyLine = 0, kKeptLine = 1, kRowLine = 2 };
enum ColumnKind : uint8_t { kDropped = 0, kText = 1, kDictionary = 2, kDecimal = 3, kDoubles = 4 };

constexpr size_t kMaxDictionaryWidth = 3;  // bytes per index
constexpr size_t kMaxDecimalWidth = 6;     // wider decimals go as doubles (they deflate as well)

// ---------------------------------------------------------------------------------------------
// Bytes.

void PutU64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutI64(std::string* out, int64_t v) {
  PutU64(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutString(std::string* out, const std::string& s) {
  PutU64(out, s.size());
  out->append(s);
}
// Planes: byte `width - 1` of every value, then byte `width - 2`, ..., then byte 0.
void PutPlanes(std::string* out, const std::vector<uint64_t>& values, size_t width) {
  for (size_t plane = width; plane-- > 0;) {
    for (uint64_t v : values) out->push_back(static_cast<char>((v >> (8 * plane)) & 0xff));
  }
}
size_t WidthOf(uint64_t max_value) {
  size_t width = 1;
  while (width < 8 && (max_value >> (8 * width)) != 0) ++width;
  return width;
}

class Input {
 public:
  explicit Input(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool U64(uint64_t* v) {
    uint64_t value = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) return false;
      const uint8_t b = static_cast<uint8_t>(*p_++);
      if (i == 9 && b > 1) return false;
      value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        *v = value;
        return true;
      }
    }
    return false;
  }
  bool I64(int64_t* v) {
    uint64_t u;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  // A count of items of at least `min_bytes` each that must still be in the input.
  bool Count(size_t min_bytes, size_t* n) {
    uint64_t v;
    if (!U64(&v) || v > remaining() / std::max<size_t>(min_bytes, 1)) return false;
    *n = static_cast<size_t>(v);
    return true;
  }
  bool String(std::string* s) {
    size_t n;
    if (!Count(1, &n)) return false;
    s->assign(p_, n);
    p_ += n;
    return true;
  }
  bool Bytes(size_t n, const char** bytes) {
    if (n > remaining()) return false;
    *bytes = p_;
    p_ += n;
    return true;
  }
  bool Planes(size_t rows, size_t width, std::vector<uint64_t>* values) {
    if (rows != 0 && width > remaining() / rows) return false;
    values->assign(rows, 0);
    for (size_t plane = width; plane-- > 0;) {
      for (uint64_t& v : *values)
        v |= static_cast<uint64_t>(static_cast<uint8_t>(*p_++)) << (8 * plane);
    }
    return true;
  }
  // `rows` values of 8 bytes each, most significant byte first.
  bool BigEndian(size_t rows, std::vector<uint64_t>* values) {
    if (rows > remaining() / 8) return false;
    values->assign(rows, 0);
    for (uint64_t& v : *values) {
      for (int byte = 0; byte < 8; ++byte) v = v << 8 | static_cast<uint8_t>(*p_++);
    }
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

// ---------------------------------------------------------------------------------------------
// Numbers.

// A number typed as plain decimal digits ("2.413517", "1e+20", "1017959646.0"; no sign, suffix
// or spaces) with at most 17 significant digits: its exact value digits * 10^exponent, which
// reads back (correctly rounded, as ParseNumber does) to the same double as the text.
bool PlainDecimal(const std::string& text, uint64_t* digits, int* exponent) {
  size_t i = 0;
  std::string significant;
  int fraction_digits = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (!significant.empty() || c != '0') significant += c;  // leading zeros dropped
      fraction_digits += point ? 1 : 0;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  long long power = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    bool negative = false;
    if (++i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    const size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (power < 100000) power = power * 10 + (text[i] - '0');
    }
    if (i == start) return false;
    if (negative) power = -power;
  }
  if (i != text.size() || significant.empty()) return false;
  // Trailing zeros of the digits go into the exponent.
  size_t end = significant.size();
  while (end > 1 && significant[end - 1] == '0') --end;
  power += static_cast<long long>(significant.size() - end) - fraction_digits;
  significant.resize(end);
  if (significant.size() > 17 || power < -400 || power > 400) return false;
  *digits = std::stoull(significant);
  *exponent = static_cast<int>(power);
  return true;
}

// The shortest decimal digits * 10^exponent that read back to x > 0 (finite), `typed` being a
// text that reads to x. A plain decimal typed with at most 15 significant digits is that shortest
// form already (two such decimals never round to one double); otherwise 15, 16 then 17 digits
// are tried (a form with fewer digits than 15 pads to the 15-digit one).
void ShortestDecimal(double x, const std::string& typed, uint64_t* digits, int* exponent) {
  if (PlainDecimal(typed, digits, exponent) && *digits < 1000000000000000ull) return;
  char buffer[40];
  for (int precision = 14; precision <= 16; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*e", precision, x);
    if (std::strtod(buffer, nullptr) == x) break;
  }
  PlainDecimal(buffer, digits, exponent);  // "d.ddde+xx": at most 17 digits
}

std::string DecimalText(uint64_t m, int64_t exponent) {
  std::string text = std::to_string(m);
  if (exponent != 0) text += "e" + std::to_string(exponent);
  return text;
}

// A cell of a role column that reads as a positive finite number (the others travel as text).
bool PositiveNumber(const std::string& cell, double* x) {
  return ParseNumber(cell, x, nullptr) && std::isfinite(*x) && *x > 0;
}

// ---------------------------------------------------------------------------------------------
// The grid of a text.

struct Grid {
  char delimiter = ',';
  size_t columns = 0;
  std::vector<uint8_t> kinds;                  // per line
  std::vector<std::string> kept;               // lines kept as written
  std::vector<std::vector<std::string>> rows;  // fields of row lines
};

bool SameUpToCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Cuts `text` into lines as the reader does. `keep[c]`: column c's values travel.
void MakeGrid(std::string_view text, char delimiter, const std::vector<bool>& keep, Grid* grid) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // as the reader does
  grid->delimiter = delimiter;
  grid->columns = keep.size();
  LineCursor cursor(text);
  Line line;
  Fields fields;
  SplitError error;
  bool header_seen = false;
  while (cursor.Next(&line)) {
    if (csv_internal::IsBlank(line.text) || csv_internal::IsComment(line.text)) {
      grid->kinds.push_back(kEmptyLine);
      continue;
    }
    bool row = header_seen && SplitFields(line.text, delimiter, &fields, &error) &&
               fields.count == keep.size();
    if (row) {
      // A row whose kept cells are all blank must stay a row (data rows keep their numbers).
      bool any = false, any_kept = false;
      for (size_t c = 0; c < fields.count; ++c) {
        const bool blank = csv_internal::IsBlank(fields[c]);
        any = any || !blank;
        any_kept = any_kept || (!blank && keep[c]);
      }
      row = any_kept || !any;
    }
    header_seen = true;
    if (!row) {
      grid->kinds.push_back(kKeptLine);
      grid->kept.emplace_back(line.text);
      continue;
    }
    grid->kinds.push_back(kRowLine);
    std::vector<std::string> cells(keep.size());
    for (size_t c = 0; c < keep.size(); ++c) {
      if (keep[c]) cells[c] = fields[c];
    }
    grid->rows.push_back(std::move(cells));
  }
}

// A field written so that SplitFields gives it back.
void AppendField(std::string* out, const std::string& field, char delimiter) {
  const bool quote = !field.empty() &&
                     (field.find_first_of(std::string("\"#/") + delimiter) != std::string::npos ||
                      field.front() == ' ' || field.front() == '\t' || field.back() == ' ' ||
                      field.back() == '\t');
  if (!quote) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// ---------------------------------------------------------------------------------------------
// Columns.

void PutColumn(std::string* out, const std::vector<std::string>& cells, bool numeric_role,
               const TableCodecOptions& options) {
  const size_t n = cells.size();
  // Cells travel as written, or (role columns whose every cell is a positive number) as numbers:
  // each as its shortest decimal, so that every choice below depends on the values alone and a
  // table made from the receiver's text is the sender's (a copy of a copy is the same link).
  std::vector<double> numbers(n, 0);
  bool all_numbers = numeric_role && n > 0;
  for (size_t i = 0; i < n && all_numbers; ++i) all_numbers = PositiveNumber(cells[i], &numbers[i]);
  std::vector<uint64_t> digits(all_numbers ? n : 0);
  std::vector<int> exponents(all_numbers ? n : 0);
  std::vector<std::string> canonical;
  if (all_numbers) {
    canonical.resize(n);
    for (size_t i = 0; i < n; ++i) {
      ShortestDecimal(numbers[i], cells[i], &digits[i], &exponents[i]);
      canonical[i] = DecimalText(digits[i], exponents[i]);
    }
  }
  const std::vector<std::string>& texts = all_numbers ? canonical : cells;

  if (options.dictionaries) {
    std::unordered_map<std::string, uint64_t> index;
    std::vector<const std::string*> entries;
    std::vector<uint64_t> codes(n);
    for (size_t i = 0; i < n && entries.size() * 4 <= n; ++i) {
      const auto [it, added] = index.emplace(texts[i], entries.size());
      if (added) entries.push_back(&it->first);
      codes[i] = it->second;
    }
    const size_t width = WidthOf(entries.empty() ? 0 : entries.size() - 1);
    if (entries.size() * 4 <= n && width <= kMaxDictionaryWidth) {
      out->push_back(kDictionary);
      PutU64(out, entries.size());
      for (const std::string* entry : entries) PutString(out, *entry);
      PutU64(out, width);
      PutPlanes(out, codes, width);
      return;
    }
  }
  if (all_numbers && options.decimals) {
    int lowest = exponents[0];
    for (int e : exponents) lowest = std::min(lowest, e);
    bool fits = true;
    uint64_t largest = 0;
    for (size_t i = 0; i < n && fits; ++i) {
      // At most 16 digits in all (below 2^54), so the scaling cannot overflow.
      const int shift = exponents[i] - lowest;
      fits = shift <= 16 && std::to_string(digits[i]).size() + static_cast<size_t>(shift) <= 16;
      for (int k = 0; fits && k < shift; ++k) digits[i] *= 10;
      largest = std::max(largest, digits[i]);
    }
    const size_t width = WidthOf(largest);
    if (fits && width <= kMaxDecimalWidth) {
      out->push_back(kDecimal);
      PutI64(out, lowest);
      PutU64(out, width);
      PutPlanes(out, digits, width);
      return;
    }
  }
  if (all_numbers && options.doubles) {
    std::vector<uint64_t> bits(n);
    for (size_t i = 0; i < n; ++i) std::memcpy(&bits[i], &numbers[i], 8);
    out->push_back(kDoubles);
    // Row by row, most significant byte first: repeated values stay repeated byte strings (on the
    // public files this deflates better than planes; bench/README.md).
    for (uint64_t v : bits) {
      for (int byte = 7; byte >= 0; --byte)
        out->push_back(static_cast<char>((v >> (8 * byte)) & 0xff));
    }
    return;
  }
  out->push_back(kText);
  for (const std::string& text : texts) PutString(out, text);
}

// Everything a reader of the table shows or computes from, except the values of columns that do
// not travel.
bool SameRead(const ReadResult& a, const ReadResult& b, int group_column) {
  const auto same_problems = [](const std::vector<InputProblem>& x,
                                const std::vector<InputProblem>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].line != y[i].line || x[i].column != y[i].column || x[i].message != y[i].message)
        return false;
    }
    return true;
  };
  if (a.ok != b.ok || a.headers != b.headers || a.mapping != b.mapping ||
      a.used_columns != b.used_columns || a.delimiter != b.delimiter || a.notes != b.notes ||
      !same_problems(a.errors, b.errors) || !same_problems(a.warnings, b.warnings)) {
    return false;
  }
  const RunTable& x = a.table;
  const RunTable& y = b.table;
  if (x.runs.size() != y.runs.size() || x.has_lr != y.has_lr || x.has_batch != y.has_batch ||
      x.flag_column != y.flag_column || x.text_columns.size() != y.text_columns.size()) {
    return false;
  }
  for (size_t i = 0; i < x.runs.size(); ++i) {
    const Run& r = x.runs[i];
    const Run& s = y.runs[i];
    const double xs[] = {r.params, r.tokens, r.flops, r.lr, r.batch_tokens, r.loss};
    const double ys[] = {s.params, s.tokens, s.flops, s.lr, s.batch_tokens, s.loss};
    if (std::memcmp(xs, ys, sizeof xs) != 0 || r.data_row != s.data_row || r.line != s.line ||
        r.excluded != s.excluded || r.flagged != s.flagged) {
      return false;
    }
  }
  for (size_t c = 0; c < x.text_columns.size(); ++c) {
    const TextColumn& t = x.text_columns[c];
    const TextColumn& u = y.text_columns[c];
    if (t.name != u.name || t.column != u.column) return false;
    if (t.column - 1 == group_column && (t.values != u.values || t.numeric != u.numeric))
      return false;
  }
  return true;
}

}  // namespace

bool CompactCsv(const AnalysisState& state, std::string* payload,
                const TableCodecOptions& options) {
  const ReadOptions read_options = state.MakeReadOptions();
  const ReadResult read = ReadRuns(state.csv_text, read_options);
  if (!read.ok) return false;  // its messages are the text's own: it travels as it is
  const size_t columns = read.headers.size();
  std::vector<bool> keep(columns, !options.drop_unused);
  std::vector<bool> numeric_role(columns, false);
  for (int c : read.used_columns) keep[static_cast<size_t>(c)] = true;
  for (const auto& [role, c] : read.mapping) numeric_role[static_cast<size_t>(c)] = true;
  // The group column: the first text column of that name, as SplitByColumn finds it.
  int group_column = -1;
  if (!state.group_column.empty()) {
    for (const TextColumn& t : read.table.text_columns) {
      if (group_column < 0 && SameUpToCase(t.name, state.group_column)) {
        group_column = t.column - 1;
        keep[static_cast<size_t>(group_column)] = true;
      }
    }
  }

  Grid grid;
  MakeGrid(state.csv_text, read.delimiter, keep, &grid);
  std::string& out = *payload;
  out.clear();
  PutU64(&out, grid.kinds.size());
  PutU64(&out, static_cast<uint8_t>(grid.delimiter));
  PutU64(&out, grid.columns);
  out.append(grid.kinds.begin(), grid.kinds.end());
  for (const std::string& line : grid.kept) PutString(&out, line);
  std::vector<std::string> cells(grid.rows.size());
  for (size_t c = 0; c < grid.columns; ++c) {
    if (!keep[c]) {
      out.push_back(kDropped);
      continue;
    }
    for (size_t r = 0; r < grid.rows.size(); ++r) cells[r] = std::move(grid.rows[r][c]);
    PutColumn(&out, cells, numeric_role[c], options);
  }

  // The receiver's reading must be the sender's, and its decoder must accept the text (numbers
  // written out can be longer than typed: "1.5T").
  std::string text, error;
  if (!ExpandCsv(out, DecodeLimits().max_csv_bytes, &text, &error)) return false;
  return SameRead(read, ReadRuns(text, read_options), group_column);
}

bool ExpandCsv(std::string_view payload, size_t max_csv_bytes, std::string* csv_text,
               std::string* error) {
  Input in(payload);
  const auto fail = [error](const char* what) {
    *error = what;
    return false;
  };
  uint64_t delimiter = 0, column_count = 0;
  size_t line_count = 0;
  // Every line is at least its line ending; every row at least its separators.
  if (!in.Count(1, &line_count)) return fail("its line count is damaged");
  if (line_count > max_csv_bytes) return fail("it holds too many lines");
  if (!in.U64(&delimiter) || !(delimiter == ',' || delimiter == ';' || delimiter == '\t')) {
    return fail("its separator is damaged");
  }
  if (!in.U64(&column_count) || column_count == 0 || column_count > max_csv_bytes) {
    return fail("its column count is damaged");
  }
  const size_t columns = static_cast<size_t>(column_count);
  const char* kinds = nullptr;
  if (!in.Bytes(line_count, &kinds)) return fail("its line kinds are truncated");
  size_t kept_lines = 0, rows = 0;
  for (size_t i = 0; i < line_count; ++i) {
    if (kinds[i] == kKeptLine) {
      ++kept_lines;
    } else if (kinds[i] == kRowLine) {
      ++rows;
    } else if (kinds[i] != kEmptyLine) {
      return fail("a line kind is unknown");
    }
  }
  if (rows != 0 &&
      (columns - 1 > max_csv_bytes / rows || line_count + rows * (columns - 1) > max_csv_bytes)) {
    return fail("it expands too far");
  }
  std::vector<std::string> kept(kept_lines);
  for (std::string& line : kept) {
    if (!in.String(&line)) return fail("a line is truncated");
  }

  // Columns are stored one after another; each is decoded to a compact form (every stored cell
  // took at least one byte of the payload), then the text is written row by row.
  struct Column {
    uint8_t kind = kDropped;
    int64_t exponent = 0;
    std::vector<uint64_t> values;  // dictionary indexes, decimal digits, double bits
    std::vector<std::string> entries;
    std::vector<std::string_view> texts;
  };
  std::vector<Column> decoded(columns);
  for (Column& column : decoded) {
    uint64_t kind = 0;
    if (!in.U64(&kind)) return fail("a column is truncated");
    column.kind = static_cast<uint8_t>(kind);
    switch (kind) {
      case kDropped:
        break;
      case kText: {
        if (rows > in.remaining()) return fail("a text column is truncated");
        column.texts.resize(rows);
        for (std::string_view& cell : column.texts) {
          size_t size = 0;
          const char* bytes = nullptr;
          if (!in.Count(1, &size) || !in.Bytes(size, &bytes)) {
            return fail("a text column is truncated");
          }
          cell = std::string_view(bytes, size);
        }
        break;
      }
      case kDictionary: {
        size_t count = 0;
        if (!in.Count(1, &count)) return fail("a dictionary is damaged");
        column.entries.resize(count);
        for (std::string& entry : column.entries) {
          if (!in.String(&entry)) return fail("a dictionary is truncated");
        }
        uint64_t width = 0;
        if (!in.U64(&width) || width == 0 || width > kMaxDictionaryWidth ||
            !in.Planes(rows, static_cast<size_t>(width), &column.values)) {
          return fail("a dictionary's indexes are damaged");
        }
        for (uint64_t code : column.values) {
          if (code >= count) return fail("a dictionary index is out of range");
        }
        break;
      }
      case kDecimal: {
        uint64_t width = 0;
        if (!in.I64(&column.exponent) || column.exponent < -400 || column.exponent > 400 ||
            !in.U64(&width) || width == 0 || width > 8 ||
            !in.Planes(rows, static_cast<size_t>(width), &column.values)) {
          return fail("a decimal column is damaged");
        }
        break;
      }
      case kDoubles:
        if (!in.BigEndian(rows, &column.values)) return fail("a number column is truncated");
        break;
      default:
        return fail("a column kind is unknown");
    }
  }
  if (in.remaining() != 0) return fail("it has trailing bytes");

  std::string& text = *csv_text;
  text.clear();
  size_t next_kept = 0, row = 0;
  const char separator = static_cast<char>(delimiter);
  std::string cell;
  for (size_t i = 0; i < line_count; ++i) {
    if (kinds[i] == kKeptLine) {
      text += kept[next_kept++];
    } else if (kinds[i] == kRowLine) {
      for (size_t c = 0; c < columns; ++c) {
        if (c > 0) text.push_back(separator);
        const Column& column = decoded[c];
        switch (column.kind) {
          case kDropped:
            cell.clear();
            break;
          case kText:
            cell.assign(column.texts[row]);
            break;
          case kDictionary:
            cell = column.entries[column.values[row]];
            break;
          case kDecimal:
            cell = DecimalText(column.values[row], column.exponent);
            break;
          default: {
            // 17 significant digits read back to the same double (shorter forms would need a
            // search per number; the link carries the bits either way).
            double x;
            std::memcpy(&x, &column.values[row], 8);
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.17g", x);
            cell = buffer;
          }
        }
        AppendField(&text, cell, separator);
        if (text.size() > max_csv_bytes) return fail("it expands too far");
      }
      ++row;
    }
    text.push_back('\n');
  }
  if (text.size() > max_csv_bytes) return fail("it expands too far");
  return true;
}

}  // namespace scalecalc

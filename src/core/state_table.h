// state_table.h: the data of a share link (state format version 4) as a compact table.
//
//   std::string payload;
//   if (CompactCsv(state, &payload)) link carries payload;  // else the link carries csv_text
//   std::string csv_text, error;
//   if (!ExpandCsv(payload, limits.max_csv_bytes, &csv_text, &error)) show(error);
//
// A link keeps what the analysis reads: the header line as written (every column's name, so the
// receiver's Data panel and messages name columns as the sender's did), the values of the columns
// the reader uses (ReadResult::used_columns: roles and flag) and of the group column, and the line
// layout (blank and comment lines become empty lines, so lines and 1-based data rows keep their
// numbers). The values of other columns are dropped; kept cells travel as written, or, in a role
// column whose every cell is a positive number, as numbers that read back to the identical
// double (their shortest decimals, or the 8 bytes). The receiver gets a CSV
// text that reads to the same runs, messages and groups; CompactCsv checks this by reading it
// back, and returns false (the link then carries the whole text) when it does not hold or the text
// does not read at all.
//
// Payload (varints are LEB128, strings a varint length then bytes, "planes" are one byte per row
// for each byte of a fixed-width unsigned value, most significant plane first):
//   line count, delimiter byte, column count, one kind byte per line (0 empty, 1 kept as written,
//   2 a row of the table), the kept lines as strings (in order), then per column a kind and its
//   cells (one per row line):
//     0 dropped (empty cells)   1 text: strings     2 dictionary: count, strings, width, planes
//     3 decimal: zigzag exponent e, width, planes of m (the cell is "m" or "me<e>": the
//       number's shortest decimal, "2.413517" as 2413517e-6; so are a number column's
//       dictionary entries)
//     4 doubles: the IEEE-754 bits, 8 bytes per row, most significant first (the cell is the
//       number with 17 significant digits)
// The choice per column is made by CompactCsv (bench/README.md, "Share-link sizes", has the sizes).
// Never throws (out of memory aside), never prints.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace scalecalc {

struct AnalysisState;  // analysis_state.h

// Which column encodings CompactCsv may use (all, in the app; the size bench turns some off).
struct TableCodecOptions {
  bool drop_unused = true;   // else every column's values are kept (as text)
  bool dictionaries = true;  // repeated values as a dictionary
  bool decimals = true;      // short decimals as integers
  bool doubles = true;       // other numbers as their 8 bytes
};

// False when the link should carry csv_text as it is (see above); `payload` is then unspecified.
bool CompactCsv(const AnalysisState& state, std::string* payload,
                const TableCodecOptions& options = {});

// The CSV text a payload stands for, at most max_csv_bytes. False with `error` (a phrase: "line
// kinds are truncated") when the payload is damaged.
bool ExpandCsv(std::string_view payload, size_t max_csv_bytes, std::string* csv_text,
               std::string* error);

}  // namespace scalecalc

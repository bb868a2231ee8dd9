// groups_fuzz.cpp: libFuzzer target for grouped reading: flag columns (outlier, exclude, ...),
// text columns and the split by a text column (--group-by, the Data panel's "group by").
//
// Reads the input as CSV with keep_flagged off and on, then splits by every groupable column and
// by the first text column whatever its values. Promises checked (a broken one aborts): keeping
// the flagged rows never drops a row; every split either refuses with a message or puts every row
// in exactly one group of at most kMaxGroups, each group's table holding its rows in file order.
// Seeds: fuzz/corpus/groups/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/csv_reader.h"
#include "core/groups.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckSplit(const scalecalc::RunTable& table, const std::string& column) {
  const scalecalc::GroupSplit split = scalecalc::SplitByColumn(table, column);
  if (!split.ok) {
    Check(!split.message.empty());
    return;
  }
  Check(split.groups.size() <= static_cast<size_t>(scalecalc::kMaxGroups));
  size_t rows = 0;
  for (const scalecalc::RunGroup& group : split.groups) {
    Check(!group.table.runs.empty());
    int last_row = 0;
    for (const scalecalc::Run& run : group.table.runs) {
      Check(run.data_row > last_row);  // file order
      last_row = run.data_row;
    }
    rows += group.table.runs.size();
  }
  Check(rows == table.runs.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  scalecalc::ReadOptions options;
  options.bad_rows = scalecalc::BadRowPolicy::kSkip;
  const scalecalc::ReadResult dropped = scalecalc::ReadRuns(text, options);
  options.keep_flagged = true;
  const scalecalc::ReadResult kept = scalecalc::ReadRuns(text, options);
  Check(dropped.ok == kept.ok);
  if (!kept.ok) return 0;
  Check(kept.table.runs.size() == dropped.table.runs.size());  // flags exclude, never drop
  Check(kept.table.CountIncluded() >= dropped.table.CountIncluded());
  for (const std::string& column : scalecalc::GroupableColumns(kept.table)) {
    CheckSplit(kept.table, column);
  }
  if (!kept.table.text_columns.empty()) CheckSplit(kept.table, kept.table.text_columns[0].name);
  CheckSplit(kept.table, "no such column");
  return 0;
}

// csv_fuzz.cpp: libFuzzer target for the CSV reader (trackers' exports, dict cells and training
// curves included: seeds tracker_*, curves_*, decimal_comma, wandb_line_plot). Any bytes must give
// an answer, never a crash or undefined behaviour, and the answer must keep the reader's promises
// (checked here: a broken promise aborts, which the fuzzer reports as a crash).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv_reader.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool ValidCount(double x) {
  return std::isfinite(x) && x > 0;
}

void CheckResult(const scalecalc::ReadResult& r) {
  Check(r.ok == r.errors.empty());
  Check(r.errors.size() <= 51 && r.warnings.size() <= 51);  // 50 listed plus "and K more"
  if (!r.ok) {
    Check(r.table.runs.empty());
    return;
  }
  Check(!r.table.runs.empty());
  int last_row = 0;
  for (const scalecalc::Run& run : r.table.runs) {
    Check(ValidCount(run.params) && ValidCount(run.tokens) && ValidCount(run.flops) &&
          ValidCount(run.loss));
    Check(std::isnan(run.lr) || ValidCount(run.lr));
    Check(std::isnan(run.batch_tokens) || ValidCount(run.batch_tokens));
    Check(run.data_row > last_row && run.line > run.data_row);  // the header comes first
    last_row = run.data_row;
    Check(!r.table.has_lr || !std::isnan(run.lr));
    Check(!r.table.has_batch || !std::isnan(run.batch_tokens));
  }
  for (const auto& [role, column] : r.mapping) {
    Check(column >= 0 && static_cast<size_t>(column) < r.headers.size());
  }
  // Columns used: sorted, unique, each a column of the file.
  for (size_t i = 0; i < r.used_columns.size(); ++i) {
    Check(r.used_columns[i] >= 0 && static_cast<size_t>(r.used_columns[i]) < r.headers.size());
    Check(i == 0 || r.used_columns[i - 1] < r.used_columns[i]);
  }
  // Curves: every checkpoint names its run, and a run's checkpoints come in increasing tokens.
  std::vector<double> last_tokens(r.curve_names.size(), 0);
  for (const scalecalc::Run& run : r.table.runs) {
    Check(r.curves ? run.curve >= 0 && static_cast<size_t>(run.curve) < r.curve_names.size()
                   : run.curve == -1);
    if (run.curve < 0) continue;
    Check(run.tokens > last_tokens[run.curve]);
    last_tokens[run.curve] = run.tokens;
  }
}

// Where ParseNumber accepts plain decimal text, it must agree with strtod in the "C" locale (this
// program never changes the locale).
void CheckNumber(std::string_view text) {
  double value = 0;
  std::string reason;
  if (!scalecalc::ParseNumber(text, &value, &reason)) {
    Check(!reason.empty());
    return;
  }
  for (char c : text) {
    const bool plain = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' ||
                       c == '-' || c == ' ' || c == '\t';
    if (!plain) return;  // suffixes, nan/inf words: covered by the unit tests
  }
  const std::string copy(text);
  const double expected = std::strtod(copy.c_str(), nullptr);
  Check(value == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  CheckResult(scalecalc::ReadRuns(text));

  // Skipping bad rows, batch in samples, the DiT compute count, a small row cap.
  scalecalc::ReadOptions skip;
  skip.bad_rows = scalecalc::BadRowPolicy::kSkip;
  skip.tokens_per_sample = 2048;
  skip.compute.kind = scalecalc::ComputeKind::kDit;
  skip.max_rows = 64;
  CheckResult(scalecalc::ReadRuns(text, skip));

  // An explicit mapping (headers that may or may not be there) and a tight byte limit.
  scalecalc::ReadOptions mapped;
  mapped.columns = {{scalecalc::Role::kLoss, "smooth loss"}, {scalecalc::Role::kBatch, "bs"}};
  mapped.max_bytes = 4096;
  mapped.duplicate_tolerance = 1e-3;
  CheckResult(scalecalc::ReadRuns(text, mapped));

  // Trackers' files: unfinished runs kept, every checkpoint of a curve matched to budgets.
  scalecalc::ReadOptions curves;
  curves.keep_unfinished = true;
  curves.checkpoints = scalecalc::CheckpointPolicy::kAll;
  curves.bad_rows = scalecalc::BadRowPolicy::kSkip;
  CheckResult(scalecalc::ReadRuns(text, curves));

  CheckNumber(text.substr(0, 256));
  return 0;
}

// csv_reader.cpp: ReadRuns. Lexing lives in csv_fields.cpp, numbers in csv_number.cpp.
//
// Order of work, one stage of RunsReader each: detect (refuse oversized text, find the header: the
// first line that is neither blank nor a comment, guess the separator from it; refuse W&B's wide
// line-plot export); flatten dicts (dict-valued cells become columns "<column>.<key>"); map
// (columns to roles: explicit mapping first, then aliases in preference order, trackers' prefixes
// read off; the flag, status, run id and step columns; the rest kept as text); parse (every data
// row, collecting all its problems, tokens or FLOPs derived; unfinished runs left out); curves
// (a run id repeated: checkpoints checked, the final one or all matched to common budgets);
// derive (duplicated runs, what the table holds, unit warnings); validate (a table, or errors).
//
// Conventions a user meets:
// - Two candidate columns for one role: the preferred name wins (orders in the alias tables
//   below: val_loss > loss > smooth loss; batch in tokens > in samples > bs), said in a note and
//   a warning. ReadOptions::columns overrides.
// - An empty cell: an error for params and loss, and for tokens (flops) when no flops (tokens)
//   column exists; otherwise the value is derived (tokens, flops) or missing (lr, batch: then
//   RunTable::has_lr / has_batch are false and a warning says how many runs lack it).
// - A batch header that names no unit ("bs", "batch_size") counts samples when tokens per sample
//   is given (column or option), else tokens, with a warning if every value is below 20,000.
// - A quoted field ends on its line (see csv_fields.h); rows of only separators are blank lines.
// - Notes say how the text was read; warnings are what a user should check; errors refuse it.
#include "core/csv_reader.h"

#include <algorithm>
#include <array>
#include <climits>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cells.h"
#include "core/csv_fields.h"

namespace scalecalc {

namespace {

using csv_internal::Fields;
using csv_internal::IsBlank;
using csv_internal::IsComment;
using csv_internal::Line;
using csv_internal::LineCursor;
using csv_internal::Quote;
using csv_internal::SplitError;
using csv_internal::SplitFields;

constexpr size_t kMaxListedProblems = 50;  // per list; the rest are counted in one last entry
constexpr size_t kMaxListedHeaders = 30;   // in "found headers" messages
// Line numbers are int: refuse text that could have more lines than an int counts.
constexpr size_t kMaxSupportedBytes = static_cast<size_t>(INT_MAX) - 1;
// A batch "in tokens" whose every value is below this looks like a count of samples.
constexpr double kSamplesLikeBatch = 20000;
// Parameter and token counts whose every value is below this look like they are in millions or
// billions.
constexpr double kTinyCount = 1e4;

constexpr Role kRoles[] = {Role::kParams, Role::kTokens, Role::kFlops,          Role::kLr,
                           Role::kBatch,  Role::kLoss,   Role::kTokensPerSample};
constexpr size_t kRoleCount = sizeof(kRoles) / sizeof(kRoles[0]);
size_t Index(Role role) {
  return static_cast<size_t>(role);
}

// Accepted header names per role, in order of preference, as shown to users. Headers are compared
// after Normalize (case, spaces, underscores and dashes do not matter). The batch role also takes
// a unit after its name; see BatchRank.
const char* const kParamsNames[] = {"params",     "n_params", "num_params",           "parameters",
                                    "model_size", "N",        "non_embedding_params", nullptr};
const char* const kTokensNames[] = {
    "tokens", "training_tokens", "n_tokens", "num_tokens", "tokens_seen", "D", "T", "data",
    nullptr};
const char* const kFlopsNames[] = {"flops", "training_flops", "Training FLOP", "compute",
                                   "C",     "budget",         nullptr};
const char* const kLrNames[] = {"lr", "learning_rate", "peak_lr", "eta", nullptr};
const char* const kBatchNames[] = {"batch_tokens", "batch_size", "bs", "batch", nullptr};
// Validation and final losses before a smoothed (training) loss: Step Law has `loss` and
// `smooth loss`; the fits want the measured final value. A training loss (`train/loss` beside
// `val/loss` in trackers) is no loss column: kept as text.
const char* const kLossNames[] = {"val_loss",    "validation_loss", "eval_loss", "loss",
                                  "smooth_loss", "smoothed_loss",   nullptr};
const char* const kTokensPerSampleNames[] = {"tokens_per_sample", "seq_len", "seq_length",
                                             "sequence_length",   "n_ctx",   "context",
                                             "context_length",    nullptr};

// Boolean columns whose true rows the user flagged as outliers (compared after Normalize).
const char* const kFlagNames[] = {"outlier", "is_outlier", "exclude", "excluded", nullptr};
// Experiment trackers' columns: a run's status (MLflow `status`, W&B `State`), its id (curves hold
// several rows per id) and the step of a checkpoint (W&B `_step`).
const char* const kStatusNames[] = {"status", "state", "run_state", nullptr};
const char* const kRunIdNames[] = {"run_id", "run", "run_name", "name", "id", nullptr};
const char* const kStepNames[] = {"step",      "global_step", "trainer/global_step",
                                  "iteration", "iter",        nullptr};
// Statuses of a run that finished (kept), and of one that did not (left out unless
// keep_unfinished), compared in lower case: MLflow's and W&B's.
const char* const kFinishedStatuses[] = {"finished", "completed", "complete", "done", nullptr};
const char* const kUnfinishedStatuses[] = {"failed",    "crashed",    "killed",
                                           "running",   "scheduled",  "pending",
                                           "preempted", "preempting", nullptr};

// Where a tracker's column comes from: its prefix (MLflow `params.`/`metrics.`/`tags.`, W&B API
// dicts flattened as `config.`/`summary.`). Run settings are read from settings (or plain
// columns), losses from results (or plain columns): a summary's `train/lr` (the schedule's last
// value) never stands for the config's peak `lr`.
enum class Source { kPlain, kSetting, kResult, kTag };

Source StripPrefix(std::string_view header, std::string_view* rest) {
  static const struct {
    const char* prefix;
    Source source;
  } kPrefixes[] = {{"params.", Source::kSetting},
                   {"config.", Source::kSetting},
                   {"metrics.", Source::kResult},
                   {"summary.", Source::kResult},
                   {"tags.", Source::kTag}};
  for (const auto& p : kPrefixes) {
    const size_t n = std::strlen(p.prefix);
    if (header.size() <= n) continue;
    bool same = true;
    for (size_t i = 0; i < n && same; ++i) {
      const char c = header[i];
      same = ((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c) == p.prefix[i];
    }
    if (same) {
      *rest = header.substr(n);
      return p.source;
    }
  }
  *rest = header;
  return Source::kPlain;
}

bool EligibleFor(Role role, Source source) {
  if (source == Source::kTag) return false;
  if (role == Role::kLoss) return source != Source::kSetting;
  return source != Source::kResult || role == Role::kTokens || role == Role::kFlops;
}

const char* const* NamesOf(Role role) {
  switch (role) {
    case Role::kParams:
      return kParamsNames;
    case Role::kTokens:
      return kTokensNames;
    case Role::kFlops:
      return kFlopsNames;
    case Role::kLr:
      return kLrNames;
    case Role::kBatch:
      return kBatchNames;
    case Role::kLoss:
      return kLossNames;
    case Role::kTokensPerSample:
      return kTokensPerSampleNames;
  }
  return kParamsNames;
}

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// "Model Size", "model_size", "model-size" and "model/size" all become "modelsize" ('/' and '.'
// inside a tracker's name read as '_').
std::string Normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t' || c == '/' || c == '.') continue;
    out += Lower(c);
  }
  return out;
}

bool InNames(const char* const* names, const std::string& normalized) {
  for (int i = 0; names[i] != nullptr; ++i) {
    if (Normalize(names[i]) == normalized) return true;
  }
  return false;
}

int NameRank(const char* const* names, const std::string& normalized) {
  for (int i = 0; names[i] != nullptr; ++i) {
    if (Normalize(names[i]) == normalized) return i;
  }
  return -1;
}

bool IsFlagHeader(const std::string& normalized) {
  return InNames(kFlagNames, normalized);
}

std::string LowerTrimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out;
  for (char c : text) out += Lower(c);
  return out;
}

enum class BatchUnit { kUnknown, kTokens, kSamples };

// Unit word of a batch header: "tokens", or a count of samples under one of its usual names.
BatchUnit UnitOfWord(std::string_view word) {
  if (word.substr(0, 2) == "in") word.remove_prefix(2);  // "batch size in samples"
  if (word == "tokens" || word == "tok" || word == "toks") return BatchUnit::kTokens;
  for (const char* samples : {"samples", "sequences", "seqs", "seq", "clips", "videos", "examples",
                              "sample", "sequence"}) {
    if (word == samples) return BatchUnit::kSamples;
  }
  return BatchUnit::kUnknown;
}

// Rank of a normalized header as the batch column, or -1: a unit in the name first (tokens, then
// samples), then batch_size, bs, batch. Accepts "batch_tokens", "batch_size_samples",
// "bs (sequences)", "batch size [tokens]".
int BatchRank(const std::string& normalized, BatchUnit* unit) {
  std::string_view base = normalized;
  std::string_view word;
  if (!base.empty() && (base.back() == ')' || base.back() == ']')) {
    const size_t open = base.rfind(base.back() == ')' ? '(' : '[');
    if (open == std::string_view::npos) return -1;
    word = base.substr(open + 1, base.size() - open - 2);
    base = base.substr(0, open);
  }
  const std::string_view bases[] = {"batchsize", "bs", "batch"};
  if (word.empty()) {
    for (size_t b = 0; b < 3; ++b) {
      if (base == bases[b]) {
        *unit = BatchUnit::kUnknown;
        return 2 + static_cast<int>(b);
      }
    }
    // A unit glued to the name: "batchtokens", "batchsizesamples", "bsinsequences".
    for (std::string_view b : bases) {
      if (base.size() > b.size() && base.substr(0, b.size()) == b) {
        word = base.substr(b.size());
        base = b;
        break;
      }
    }
    if (word.empty()) return -1;
  } else if (std::find(std::begin(bases), std::end(bases), base) == std::end(bases)) {
    return -1;
  }
  *unit = UnitOfWord(word);
  if (*unit == BatchUnit::kUnknown) return -1;
  return *unit == BatchUnit::kTokens ? 0 : 1;
}

// Rank of a header as a column for `role` (lower is preferred), or -1 if it is not one.
int Rank(Role role, const std::string& normalized, BatchUnit* unit) {
  if (role == Role::kBatch) return BatchRank(normalized, unit);
  const char* const* names = NamesOf(role);
  for (int i = 0; names[i] != nullptr; ++i) {
    if (Normalize(names[i]) == normalized) return i;
  }
  return -1;
}

bool IsSmoothedLoss(const std::string& normalized) {
  return normalized.substr(0, 6) == "smooth";
}

std::string JoinNames(Role role) {
  std::string out;
  for (const char* const* name = NamesOf(role); *name != nullptr; ++name) {
    out += (out.empty() ? "" : ", ") + std::string(*name);
  }
  if (role == Role::kBatch) out += " (a unit may follow: batch_size_samples, \"bs (sequences)\")";
  return out;
}

std::string JoinHeaders(const std::vector<std::string>& headers) {
  std::string out;
  for (size_t i = 0; i < headers.size() && i < kMaxListedHeaders; ++i) {
    out += (i == 0 ? "" : ", ") + Quote(headers[i]);
  }
  if (headers.size() > kMaxListedHeaders) {
    out += " and " + std::to_string(headers.size() - kMaxListedHeaders) + " more";
  }
  return out.empty() ? "none" : out;
}

// "loss", or `batch ("bs")` when the header is not the role's own name.
std::string Label(Role role, const std::string& header) {
  if (Normalize(header) == Normalize(ToString(role))) return ToString(role);
  return std::string(ToString(role)) + " (" + Quote(header) + ")";
}

// For messages; a '.' whatever the C locale, so that a message never depends on the user's
// settings. snprintf, not a stream: iostreams' locale code would weigh on the page.
std::string FormatCount(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') std::replace(text, text + std::strlen(text), point, '.');
  return text;
}

// A list of problems that keeps the first kMaxListedProblems and counts the rest.
class ProblemList {
 public:
  void Add(int line, int column, std::string message) {
    ++total_;
    if (items_.size() < kMaxListedProblems) items_.push_back({line, column, std::move(message)});
  }
  size_t total() const { return total_; }
  // Sorted by line (rows are read in order, duplicates are found afterwards), then the tally.
  void MoveTo(std::vector<InputProblem>* out, const char* what) {
    std::stable_sort(items_.begin(), items_.end(),
                     [](const InputProblem& a, const InputProblem& b) { return a.line < b.line; });
    for (InputProblem& p : items_) out->push_back(std::move(p));
    if (total_ > kMaxListedProblems) {
      out->push_back(
          {0, 0, "and " + std::to_string(total_ - kMaxListedProblems) + " more " + what});
    }
    items_.clear();
    total_ = 0;
  }

 private:
  std::vector<InputProblem> items_;
  size_t total_ = 0;
};

// -1, 0, 1 with NaN (a missing value) after every number, so sorting groups equal runs.
int Compare(double a, double b) {
  const bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

bool Close(double a, double b, double tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= tolerance * std::max(std::fabs(a), std::fabs(b));
}

std::array<double, 6> Values(const Run& run) {
  return {run.params, run.tokens, run.flops, run.lr, run.batch_tokens, run.loss};
}

// Index pairs (duplicate, first occurrence) of runs equal in every field within `tolerance`.
// Runs are sorted by their values and neighbours compared: O(n log n). Near-equal runs that sort
// apart because a third run lies between them within the tolerance are not caught; with the
// default 1e-12 that needs values equal to 12 digits, which only exact copies are.
std::vector<std::pair<size_t, size_t>> FindDuplicates(const std::vector<Run>& runs,
                                                      double tolerance) {
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto va = Values(runs[a]), vb = Values(runs[b]);
    for (size_t k = 0; k < va.size(); ++k) {
      if (const int c = Compare(va[k], vb[k]); c != 0) return c < 0;
    }
    return a < b;
  });
  std::vector<std::pair<size_t, size_t>> duplicates;
  size_t group_begin = 0;
  for (size_t k = 1; k <= order.size(); ++k) {
    bool same = false;
    if (k < order.size()) {
      const auto va = Values(runs[order[k - 1]]), vb = Values(runs[order[k]]);
      same = true;
      for (size_t f = 0; f < va.size() && same; ++f) same = Close(va[f], vb[f], tolerance);
    }
    if (same) continue;
    if (k - group_begin > 1) {
      size_t first = order[group_begin];
      for (size_t g = group_begin; g < k; ++g) first = std::min(first, order[g]);
      for (size_t g = group_begin; g < k; ++g) {
        if (order[g] != first) duplicates.emplace_back(order[g], first);
      }
    }
    group_begin = k;
  }
  std::sort(duplicates.begin(), duplicates.end());
  return duplicates;
}

ReadResult Fail(ReadResult result, int line, int column, std::string message) {
  result.ok = false;
  result.table = RunTable();
  result.errors.push_back({line, column, std::move(message)});
  return result;
}

// First line that is neither blank nor a comment, or false.
bool NextContentLine(LineCursor* cursor, Line* line) {
  while (cursor->Next(line)) {
    if (!IsBlank(line->text) && !IsComment(line->text)) return true;
  }
  return false;
}

// The separator with most occurrences in the header; on a tie, the one that splits the first data
// line into as many fields; then comma, tab, semicolon.
char GuessDelimiter(std::string_view header, const Line* first_data) {
  const char candidates[] = {',', '\t', ';'};
  int best_count = -1;
  char best = ',';
  bool best_consistent = false;
  for (char c : candidates) {
    const int count = csv_internal::CountOutsideQuotes(header, c);
    const bool consistent =
        first_data != nullptr && csv_internal::CountOutsideQuotes(first_data->text, c) == count;
    if (count > best_count || (count == best_count && consistent && !best_consistent)) {
      best_count = count;
      best = c;
      best_consistent = consistent;
    }
  }
  return best;
}

std::string DelimiterName(char c) {
  switch (c) {
    case ',':
      return "comma";
    case ';':
      return "semicolon";
    case '\t':
      return "tab";
  }
  return Quote(std::string_view(&c, 1));
}

}  // namespace

bool ParseFlag(std::string_view text, bool* flag) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string lower;
  for (char c : text) lower += Lower(c);
  if (lower.empty() || lower == "false" || lower == "0" || lower == "no") {
    *flag = false;
    return true;
  }
  if (lower == "true" || lower == "1" || lower == "yes") {
    *flag = true;
    return true;
  }
  return false;
}

namespace {

// ReadRuns in stages, each one step of the order of work above; the state the stages share is the
// members. A stage returns false when the text is refused (`result` then says why).
class RunsReader {
 public:
  RunsReader(std::string_view text_in, const ReadOptions& options_in)
      : text(text_in), options(options_in), headers(result.headers), runs(result.table.runs) {}

  ReadResult Read() {
    if (!Detect() || !FlattenDicts() || !Map() || !Parse()) return std::move(result);
    Curves();
    Derive();
    return Validate();
  }

 private:
  bool Detect();          // limits, options, encoding, header line and separator
  bool FlattenDicts();    // dict-valued cells (W&B's API export) into columns
  bool Map();             // columns to roles, the batch unit, flag, tracker and text columns
  bool Parse();           // every data row into a run, its problems located
  void Curves();          // training curves: checkpoints checked, final or all matched
  void Derive();          // duplicates, what the table holds, warnings about units
  ReadResult Validate();  // the outcome: a table, or errors

  bool Refuse(int line, int column_number, std::string message) {
    result = Fail(std::move(result), line, column_number, std::move(message));
    return false;
  }
  // Ends with the problems found so far and no table.
  bool Stop() {
    errors.MoveTo(&result.errors, "errors");
    warnings.MoveTo(&result.warnings, "warnings");
    return false;
  }
  bool has(Role role) const { return column[Index(role)] >= 0; }
  // 1-based column of the file for messages (a flattened dict's key: its dict's column).
  int FileColumn(int expanded) const { return origin[expanded] + 1; }
  bool ExpandDicts(const Line& line, std::vector<InputProblem>* problems);
  bool ReadCellNumber(const Line& line, int c, const std::string& label, double* v,
                      std::vector<InputProblem>* problems);
  std::string RunName(const Run& run) const {
    return run.curve >= 0 ? Quote(result.curve_names[run.curve])
                          : "line " + std::to_string(run.line);
  }

  std::string_view text;
  const ReadOptions& options;
  ReadResult result;
  const std::vector<std::string>& headers;  // result.headers
  std::vector<Run>& runs;                   // result.table.runs
  ProblemList errors, warnings;

  // Detect
  LineCursor cursor{std::string_view()};
  Line header_line;
  char delimiter = ',';
  Fields fields;
  SplitError split_error;
  size_t field_count = 0;       // columns after dict cells are flattened
  size_t file_field_count = 0;  // fields per line of the file
  std::vector<int> origin;      // file column (0-based) of every column
  // FlattenDicts: file columns holding dicts, and per dict column its keys' column indexes.
  std::vector<int> dict_columns;
  std::vector<std::vector<std::pair<std::string, int>>> dict_keys;
  std::vector<csv_internal::DictEntry> entries;
  // Map
  std::vector<std::string> normalized;
  std::array<int, kRoleCount> column{};  // 0-based index per role, -1 when absent
  std::array<bool, kRoleCount> explicit_role{};
  std::vector<bool> taken;
  BatchUnit batch_unit = BatchUnit::kUnknown;
  bool batch_in_samples = false;
  int flag_column = -1;
  int status_column = -1, run_id_column = -1, step_column = -1;
  bool tokens_from_steps = false;      // tokens = step x batch tokens where none is given
  std::vector<int> text_column_index;  // file columns kept as RunTable::text_columns
  // Parse
  bool skip_bad = false;
  int data_rows = 0, skipped_rows = 0, separator_rows = 0;
  size_t tokens_derived = 0, flops_derived = 0, lr_missing = 0, batch_missing = 0;
  double max_raw_batch = 0, max_params = 0, max_tokens_given = 0;
  bool tokens_given_any = false;
  // Decimal comma (';'-separated files): where each form was first seen.
  InputProblem first_comma{}, first_point{};
  // Curves: rows whose loss is blank (a run id column turns
  // these from errors into left-out checkpoints when the file holds curves), ids seen.
  std::vector<InputProblem> blank_losses;
  size_t blank_loss_total = 0;
  std::unordered_map<std::string, int> curve_index;
  std::vector<int> curve_rows;  // rows per curve
  size_t step_zero = 0;         // checkpoints at step 0 (no tokens seen yet), left out
};

bool RunsReader::Detect() {
  // --- Limits and options -----------------------------------------------------------------------
  const size_t max_bytes = std::min(options.max_bytes, kMaxSupportedBytes);
  if (text.size() > max_bytes) {
    return Refuse(0, 0,
                  "the text is " + std::to_string(text.size()) + " bytes, over the limit of " +
                      std::to_string(max_bytes) + " bytes");
  }
  std::string option_error;
  if (!options.compute.IsValid(&option_error)) {
    return Refuse(0, 0, "compute model: " + option_error);
  }
  if (!(std::isfinite(options.tokens_per_sample) && options.tokens_per_sample >= 0)) {
    return Refuse(
        0, 0,
        "tokens per sample (reader.tokens_per_sample) must be 0 (none) or a positive number, got " +
            FormatCount(options.tokens_per_sample));
  }
  if (!(options.duplicate_tolerance >= 0 && options.duplicate_tolerance < 1)) {
    return Refuse(0, 0,
                  "the reader's duplicate_tolerance must be in [0, 1), got " +
                      FormatCount(options.duplicate_tolerance));
  }

  // --- Encoding ---------------------------------------------------------------------------------
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") {
    return Refuse(0, 0, "the text is UTF-16: save it as UTF-8 (or plain text)");
  }

  // --- Header and separator ---------------------------------------------------------------------
  cursor = LineCursor(text);
  if (!NextContentLine(&cursor, &header_line)) {
    return Refuse(
        0, 0, "empty input: no header line (the text is empty or only blank and comment lines)");
  }
  LineCursor peek = cursor;
  Line first_data;
  const bool has_data_line = NextContentLine(&peek, &first_data);
  result.delimiter = GuessDelimiter(header_line.text, has_data_line ? &first_data : nullptr);
  delimiter = result.delimiter;

  if (!SplitFields(header_line.text, delimiter, &fields, &split_error)) {
    return Refuse(header_line.number, split_error.column, "header: " + split_error.message);
  }
  result.headers.assign(fields.items.begin(), fields.items.begin() + fields.count);
  field_count = file_field_count = headers.size();
  origin.resize(field_count);
  std::iota(origin.begin(), origin.end(), 0);
  result.notes.push_back("separator: " + DelimiterName(delimiter) +
                         " (guessed from the header, line " + std::to_string(header_line.number) +
                         ")");
  if (delimiter == ';') {
    result.notes.push_back(
        "numbers: with ';' as the separator, a comma inside a number is a decimal comma (0,0001 "
        "reads as 0.0001)");
  }

  // --- W&B's line-plot export -------------------------------------------------------------------
  // "Step, <run> - val/loss, <run> - val/loss__MIN, ...": curves of several runs side by side,
  // without the runs' settings.
  for (size_t i = 0; i < field_count; ++i) {
    const std::string& h = headers[i];
    const bool minmax = h.size() > 5 && (h.compare(h.size() - 5, 5, "__MIN") == 0 ||
                                         h.compare(h.size() - 5, 5, "__MAX") == 0);
    if (minmax && h.find(" - ") != std::string::npos) {
      return Refuse(header_line.number, static_cast<int>(i) + 1,
                    "this looks like a line plot's \"Export CSV\" from Weights & Biases (column " +
                        Quote(h) +
                        "): it holds the curves side by side but not the runs' settings (model "
                        "size, learning rate, batch). Export the runs table instead (Runs, then "
                        "Export as CSV), or each run's history with its config as one row per "
                        "checkpoint (run id, step or tokens, loss and the settings; see the "
                        "README's \"Runs from experiment trackers\")");
    }
  }

  return true;
}

bool RunsReader::FlattenDicts() {
  // --- Dict-valued cells ------------------------------------------------------------------------
  // pandas writes a dict column (W&B's documented export: summary, config) as Python reprs. A
  // column whose first data cell starts with '{' is one; its keys over every row become columns
  // named "<column>.<key>" (nested keys dotted), after the file's own columns.
  LineCursor peek = cursor;
  Line line;
  if (!NextContentLine(&peek, &line)) return true;
  if (!SplitFields(line.text, delimiter, &fields, &split_error)) return true;
  for (size_t i = 0; i < fields.count && i < file_field_count; ++i) {
    std::string_view cell = fields[i];
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    if (!cell.empty() && cell.front() == '{') dict_columns.push_back(static_cast<int>(i));
  }
  if (dict_columns.empty()) return true;
  dict_keys.assign(dict_columns.size(), {});
  std::vector<std::unordered_map<std::string, int>> seen(dict_columns.size());
  peek = cursor;
  std::string error;
  size_t offset = 0;
  while (NextContentLine(&peek, &line)) {
    if (!SplitFields(line.text, delimiter, &fields, &split_error)) continue;
    for (size_t d = 0; d < dict_columns.size(); ++d) {
      const size_t c = static_cast<size_t>(dict_columns[d]);
      if (c >= fields.count) continue;
      if (!csv_internal::FlattenPyDict(fields[c], &entries, &error, &offset)) continue;
      for (const csv_internal::DictEntry& entry : entries) {
        if (seen[d].count(entry.key) > 0) continue;
        const std::string& base = result.headers[c];
        const std::string name = base.empty() ? entry.key : base + "." + entry.key;
        seen[d].emplace(entry.key, static_cast<int>(result.headers.size()));
        dict_keys[d].emplace_back(entry.key, static_cast<int>(result.headers.size()));
        result.headers.push_back(name);
        origin.push_back(static_cast<int>(c));
      }
    }
  }
  field_count = headers.size();
  for (size_t d = 0; d < dict_columns.size(); ++d) {
    std::sort(dict_keys[d].begin(), dict_keys[d].end());  // for lookups by key
    result.notes.push_back("column " + Quote(headers[dict_columns[d]]) +
                           " holds dicts: flattened into " + std::to_string(dict_keys[d].size()) +
                           " columns (" + Quote(headers[dict_columns[d]]) +
                           ".<key>, nested keys "
                           "joined by '.')");
  }
  return true;
}

// Fills the flattened columns of this row from its dict cells (blank where a row's dict lacks a
// key); false with located problems when a cell is no dict.
bool RunsReader::ExpandDicts(const Line& line, std::vector<InputProblem>* problems) {
  if (dict_columns.empty()) return true;
  if (fields.items.size() < field_count) fields.items.resize(field_count);
  for (size_t c = file_field_count; c < field_count; ++c) fields.items[c].clear();
  fields.count = field_count;
  std::string error;
  size_t offset = 0;
  for (size_t d = 0; d < dict_columns.size(); ++d) {
    const int c = dict_columns[d];
    if (!csv_internal::FlattenPyDict(fields[c], &entries, &error, &offset)) {
      problems->push_back({line.number, c + 1,
                           "column " + Quote(headers[c]) + " holds no readable dict: " + error +
                               " (at character " + std::to_string(offset + 1) + " of the cell)"});
      continue;
    }
    for (csv_internal::DictEntry& entry : entries) {
      const auto& keys = dict_keys[d];
      const auto it = std::lower_bound(keys.begin(), keys.end(), entry.key,
                                       [](const std::pair<std::string, int>& a,
                                          const std::string& key) { return a.first < key; });
      if (it != keys.end() && it->first == entry.key) {
        fields.items[it->second] = std::move(entry.value);
      }
    }
  }
  return problems->empty();
}

bool RunsReader::Map() {
  // --- Columns ----------------------------------------------------------------------------------
  normalized.assign(field_count, std::string());
  std::vector<Source> source(field_count, Source::kPlain);
  std::vector<std::string> segment(field_count);  // a nested key's last part ("model.n_params")
  bool any_prefix = false;
  for (size_t i = 0; i < field_count; ++i) {
    std::string_view rest;
    source[i] = StripPrefix(headers[i], &rest);
    any_prefix = any_prefix || source[i] != Source::kPlain;
    normalized[i] = Normalize(rest);
    const size_t dot = rest.rfind('.');
    if (dot != std::string_view::npos && dot + 1 < rest.size()) {
      segment[i] = Normalize(rest.substr(dot + 1));
    }
  }
  column.fill(-1);
  taken.assign(field_count, false);
  for (int d : dict_columns) taken[d] = true;  // read through their flattened columns

  for (const auto& [role, name] : options.columns) {
    const size_t r = Index(role);
    if (r >= kRoleCount) {
      errors.Add(0, 0,
                 "a column mapping (--column ROLE=HEADER, or the Data panel's column mapping) "
                 "names an unknown role");
      continue;
    }
    // The exact header first, then the same name up to case, spaces, underscores and dashes.
    int index = -1;
    for (size_t i = 0; i < field_count && index < 0; ++i) {
      if (headers[i] == name) index = static_cast<int>(i);
    }
    const std::string wanted = Normalize(name);
    for (size_t i = 0; i < field_count && index < 0; ++i) {
      if (!wanted.empty() && normalized[i] == wanted) index = static_cast<int>(i);
    }
    if (index < 0) {
      errors.Add(header_line.number, 0,
                 "no column named " + Quote(name) + " (given for " + ToString(role) +
                     "); the columns are: " + JoinHeaders(headers));
    } else if (column[r] >= 0) {
      errors.Add(header_line.number, FileColumn(index),
                 std::string("two columns given for ") + ToString(role) + ": " +
                     Quote(headers[column[r]]) + " and " + Quote(headers[index]));
    } else if (taken[index]) {
      errors.Add(header_line.number, FileColumn(index),
                 "column " + Quote(headers[index]) + " is given for two roles");
    } else {
      column[r] = index;
      explicit_role[r] = true;
      taken[index] = true;
    }
  }
  if (errors.total() > 0) return Stop();

  batch_unit = BatchUnit::kUnknown;
  for (Role role : kRoles) {
    const size_t r = Index(role);
    if (explicit_role[r]) {
      BatchUnit unit = BatchUnit::kUnknown;
      if (role == Role::kBatch && Rank(role, normalized[column[r]], &unit) >= 0) batch_unit = unit;
      result.notes.push_back(std::string(ToString(role)) + ": " + Quote(headers[column[r]]) +
                             " (column " + std::to_string(FileColumn(column[r])) + ", given)");
      continue;
    }
    std::vector<std::pair<int, size_t>> candidates;  // (rank, column)
    std::vector<BatchUnit> units;
    for (size_t i = 0; i < field_count; ++i) {
      if (taken[i] || !EligibleFor(role, source[i])) continue;
      BatchUnit unit = BatchUnit::kUnknown;
      int rank = Rank(role, normalized[i], &unit);
      // A nested config key by its last part ("model.n_params" as n_params), after whole names.
      if (rank < 0 && !segment[i].empty() && source[i] != Source::kResult) {
        rank = Rank(role, segment[i], &unit);
        if (rank >= 0) rank += 100;
      }
      if (rank < 0) continue;
      // Tokens and FLOPs logged as results (tokens seen) after those given as settings.
      if (source[i] == Source::kResult && role != Role::kLoss) rank += 50;
      candidates.emplace_back(rank, i);
      units.push_back(unit);
    }
    if (candidates.empty()) continue;
    const size_t best = static_cast<size_t>(std::min_element(candidates.begin(), candidates.end()) -
                                            candidates.begin());
    const size_t chosen = candidates[best].second;
    column[r] = static_cast<int>(chosen);
    taken[chosen] = true;
    if (role == Role::kBatch) batch_unit = units[best];
    result.notes.push_back(std::string(ToString(role)) + ": " + Quote(headers[chosen]) +
                           " (column " + std::to_string(FileColumn(static_cast<int>(chosen))) +
                           ")");
    if (candidates.size() > 1) {
      std::string others;
      for (const auto& [rank, i] : candidates) {
        if (i == chosen) continue;
        others += (others.empty() ? "" : ", ") + Quote(headers[i]) + " (column " +
                  std::to_string(i + 1) + ")";
      }
      std::string why = "it comes first among the accepted names (" + JoinNames(role) + ")";
      if (role == Role::kLoss) {
        why = "a validation loss comes first, then the final loss, then a smoothed one";
      }
      if (role == Role::kBatch) why = "a batch in tokens is preferred to one in samples";
      for (const auto& [rank, i] : candidates) {
        if (i != chosen && rank == candidates[best].first) why = "same name: the first is used";
      }
      const std::string note =
          std::string(ToString(role)) + ": used " + Quote(headers[chosen]) + " (column " +
          std::to_string(FileColumn(static_cast<int>(chosen))) + ") over " + others + ": " + why +
          "; map another (--column ROLE=HEADER, or the Data panel's column mapping)";
      result.notes.push_back(note);
      warnings.Add(header_line.number, FileColumn(static_cast<int>(chosen)), note);
    }
    if (role == Role::kLoss && IsSmoothedLoss(normalized[chosen])) {
      warnings.Add(header_line.number, FileColumn(static_cast<int>(chosen)),
                   "loss is read from " + Quote(headers[chosen]) +
                       ", a smoothed loss: the fits expect the final measured loss");
    }
  }
  if (any_prefix) {
    result.notes.push_back(
        "tracker columns: prefixes params., config., metrics., summary. and tags. are read off the "
        "names ('/' and '.' inside a name read as '_'); run settings come from params./config. "
        "columns, losses from metrics./summary. columns");
  }

  // --- Tracker columns --------------------------------------------------------------------------
  // A status column is taken like the flag column; a run id and a step stay text columns too (a
  // file whose ids never repeat reads exactly as without them).
  const auto find_structure = [&](const char* const* names, bool results_too) {
    int best = -1, best_rank = INT_MAX;
    for (size_t i = 0; i < field_count; ++i) {
      if (taken[i] || source[i] == Source::kSetting) continue;
      if (!results_too && source[i] == Source::kResult) continue;
      const int rank = NameRank(names, normalized[i]);
      if (rank >= 0 && rank < best_rank) best = static_cast<int>(i), best_rank = rank;
    }
    return best;
  };
  status_column = find_structure(kStatusNames, false);
  if (status_column >= 0) {
    taken[status_column] = true;
    result.notes.push_back(
        "status: " + Quote(headers[status_column]) + " (column " +
        std::to_string(FileColumn(status_column)) + "); runs that did not finish are " +
        (options.keep_unfinished ? "kept (keep unfinished runs is on)"
                                 : "left out (--keep-unfinished, or the Data panel's keep "
                                   "unfinished runs, brings them back)"));
  }
  run_id_column = find_structure(kRunIdNames, false);
  step_column = find_structure(kStepNames, true);

  std::string found = JoinHeaders(headers);
  for (Role role : {Role::kParams, Role::kLoss}) {
    if (has(role)) continue;
    errors.Add(header_line.number, 0,
               std::string("missing required column for ") + ToString(role) + ": found " + found +
                   "; accepted names: " + JoinNames(role) +
                   " (or map one: --column ROLE=HEADER, or the Data panel's column mapping)");
  }
  tokens_from_steps =
      step_column >= 0 && has(Role::kBatch) && !has(Role::kTokens) && !has(Role::kFlops);
  if (!has(Role::kTokens) && !has(Role::kFlops) && !tokens_from_steps) {
    errors.Add(header_line.number, 0,
               "missing required column for tokens or flops (one of them is needed, or a step "
               "column with a batch size): found " +
                   found + "; accepted names for tokens: " + JoinNames(Role::kTokens) +
                   "; for flops: " + JoinNames(Role::kFlops) + "; for steps: step, _step, " +
                   "global_step, iteration" +
                   " (or map one: --column ROLE=HEADER, or the Data panel's column mapping)");
  }
  if (tokens_from_steps) {
    result.notes.push_back("tokens = step x batch tokens (" + Quote(headers[step_column]) + " x " +
                           Quote(headers[column[Index(Role::kBatch)]]) +
                           "): right when the step counts optimizer steps");
  }
  if (errors.total() > 0) return Stop();
  for (Role role : kRoles) {
    if (has(role)) result.mapping.emplace_back(role, column[Index(role)]);
  }

  // --- Batch unit -------------------------------------------------------------------------------
  const bool tps_column = has(Role::kTokensPerSample);
  const bool tps_given = tps_column || options.tokens_per_sample > 0;
  const std::string tps_source =
      tps_column ? "column " + Quote(headers[column[Index(Role::kTokensPerSample)]])
                 : FormatCount(options.tokens_per_sample) + " (tokens per sample)";
  batch_in_samples = false;
  if (has(Role::kBatch)) {
    const std::string& batch_header = headers[column[Index(Role::kBatch)]];
    const int batch_column = FileColumn(column[Index(Role::kBatch)]);
    if (batch_unit == BatchUnit::kSamples && !tps_given) {
      errors.Add(header_line.number, batch_column,
                 "batch column " + Quote(batch_header) +
                     " counts samples: give tokens per sample, as a column (" +
                     JoinNames(Role::kTokensPerSample) +
                     ") or tokens per sample (--tokens-per-sample, or the Data panel's tokens per "
                     "sample)");
      return Stop();
    }
    if (batch_unit == BatchUnit::kTokens) {
      if (tps_given) {
        result.notes.push_back("tokens per sample (" + tps_source +
                               ") not used: " + Quote(batch_header) + " is already in tokens");
      }
    } else if (tps_given) {
      batch_in_samples = true;
      result.notes.push_back("batch: " + Quote(batch_header) +
                             " counts samples; batch tokens = batch x tokens per sample from " +
                             tps_source);
    } else {
      result.notes.push_back("batch: " + Quote(batch_header) + " read as tokens per step");
    }
  } else if (tps_column) {
    result.notes.push_back("tokens per sample (" + tps_source +
                           ") not used: there is no batch column");
  }
  if (tps_column && options.tokens_per_sample > 0 && batch_in_samples) {
    result.notes.push_back("Tokens per sample is used only where the column " +
                           Quote(headers[column[Index(Role::kTokensPerSample)]]) + " is empty");
  }

  // --- Flag and text columns -------------------------------------------------------------------
  // The first free column with a flag name is the flag column; every other free column is kept as
  // text (shown, usable for grouping), so nothing the user wrote is dropped silently.
  flag_column = -1;
  for (size_t i = 0; i < field_count && flag_column < 0; ++i) {
    if (!taken[i] && IsFlagHeader(normalized[i])) flag_column = static_cast<int>(i);
  }
  if (flag_column >= 0) {
    taken[flag_column] = true;
    result.table.flag_column = headers[flag_column];
  }
  std::string ignored;
  for (size_t i = 0; i < field_count; ++i) {
    if (taken[i]) continue;
    text_column_index.push_back(static_cast<int>(i));
    TextColumn text_column;
    text_column.name = headers[i];
    text_column.column = FileColumn(static_cast<int>(i));
    result.table.text_columns.push_back(std::move(text_column));
    ignored += (ignored.empty() ? "" : ", ") +
               (headers[i].empty() ? "column " + std::to_string(i + 1) : Quote(headers[i]));
  }
  if (!ignored.empty()) {
    result.notes.push_back(
        "ignored columns (not fitted; kept as text, for showing and grouping): " + ignored);
  }

  return true;
}

// Reads cell `c` of the current row as a positive finite number; false with a located problem.
// With ';' as the separator a comma in a number is a decimal comma; a file writing both forms is
// refused at the first cell of the second form.
bool RunsReader::ReadCellNumber(const Line& line, int c, const std::string& label, double* v,
                                std::vector<InputProblem>* problems) {
  const std::string* cell = &fields[c];
  std::string converted;
  const int file_column = FileColumn(c);
  if (delimiter == ';' && static_cast<size_t>(c) < file_field_count) {
    const bool comma = cell->find(',') != std::string::npos;
    const bool point = cell->find('.') != std::string::npos;
    if (comma && point) {
      problems->push_back({line.number, file_column,
                           label + " " + Quote(*cell) +
                               " has both '.' and ',': write it with a decimal comma only"});
      return false;
    }
    const InputProblem& other = comma ? first_point : first_comma;
    if ((comma || point) && other.line > 0) {
      problems->push_back({line.number, file_column,
                           label + " " + Quote(*cell) + " is written with a decimal " +
                               (comma ? "comma" : "point") + " but line " +
                               std::to_string(other.line) + ", column " +
                               std::to_string(other.column) + " with a decimal " +
                               (comma ? "point" : "comma") + ": write every number one way"});
      return false;
    }
    InputProblem& mine = comma ? first_comma : first_point;
    if ((comma || point) && mine.line == 0) mine = {line.number, file_column, ""};
    if (comma) {
      converted = *cell;
      std::replace(converted.begin(), converted.end(), ',', '.');
      cell = &converted;
    }
  }
  std::string reason;
  if (!ParseNumber(*cell, v, &reason)) {
    problems->push_back({line.number, file_column,
                         label + " is not a number: " + Quote(fields[c]) + " (" + reason + ")"});
  } else if (std::isnan(*v)) {
    problems->push_back({line.number, file_column, label + " is NaN"});
  } else if (std::isinf(*v)) {
    problems->push_back({line.number, file_column, label + " is infinite: " + Quote(fields[c])});
  } else if (*v <= 0) {
    problems->push_back(
        {line.number, file_column, label + " must be > 0, got " + Quote(fields[c])});
  } else {
    return true;
  }
  return false;
}

bool RunsReader::Parse() {
  // --- Rows -------------------------------------------------------------------------------------
  skip_bad = options.bad_rows == BadRowPolicy::kSkip;
  std::vector<InputProblem> row_problems;
  std::array<std::string, kRoleCount> labels;  // role names for messages, once
  for (Role role : kRoles) {
    if (has(role)) labels[Index(role)] = Label(role, headers[column[Index(role)]]);
  }
  const std::string step_label =
      step_column >= 0 ? "step (" + Quote(headers[step_column]) + ")" : std::string();
  size_t unfinished_total = 0;
  Line line;
  while (NextContentLine(&cursor, &line)) {
    row_problems.clear();
    if (!SplitFields(line.text, delimiter, &fields, &split_error)) {
      row_problems.push_back({line.number, split_error.column, split_error.message});
    } else {
      bool all_empty = true;
      for (size_t i = 0; i < fields.count && all_empty; ++i) all_empty = IsBlank(fields[i]);
      if (all_empty) {  // ",,,," as spreadsheets export empty rows
        ++separator_rows;
        continue;
      }
    }
    if (static_cast<size_t>(data_rows) >= options.max_rows) {
      return Refuse(
          line.number, 0,
          "more than " + std::to_string(options.max_rows) + " data rows; refused at this line");
    }
    ++data_rows;
    Run run;
    run.line = line.number;
    run.data_row = data_rows;

    if (row_problems.empty() && fields.count != file_field_count) {
      row_problems.push_back(
          {line.number, static_cast<int>(std::min(fields.count, file_field_count)) + 1,
           "wrong number of fields: expected " + std::to_string(file_field_count) +
               " (as the header), got " + std::to_string(fields.count)});
    }

    if (row_problems.empty()) ExpandDicts(line, &row_problems);
    // --- Status: a run that did not finish is left out before its values are read (a running
    // run has no final loss yet).
    if (row_problems.empty() && status_column >= 0) {
      const std::string status = LowerTrimmed(fields[status_column]);
      const bool finished = status.empty() || InNames(kFinishedStatuses, status);
      const bool unfinished = InNames(kUnfinishedStatuses, status);
      if (!finished && !unfinished) {
        row_problems.push_back(
            {line.number, FileColumn(status_column),
             "status column " + Quote(headers[status_column]) + " holds " +
                 Quote(fields[status_column]) +
                 ": expected finished, or failed, crashed, killed, running, scheduled, pending, "
                 "preempted (runs that did not finish are left out)"});
      } else if (unfinished && !options.keep_unfinished) {
        ++unfinished_total;
        if (result.unfinished.size() < kMaxListedProblems) {
          std::string who = "data row " + std::to_string(data_rows);
          if (run_id_column >= 0 && !IsBlank(fields[run_id_column])) {
            who = "run " + Quote(fields[run_id_column]);
          }
          result.unfinished.push_back(
              {line.number, FileColumn(status_column), who + ": " + status});
        }
        continue;
      }
    }

    double step = NAN;
    bool blank_loss = false;
    if (row_problems.empty()) {
      std::array<double, kRoleCount> value;
      value.fill(NAN);
      for (Role role : kRoles) {
        const int c = column[Index(role)];
        if (c < 0) continue;
        if (role == Role::kTokensPerSample && !batch_in_samples) continue;
        const std::string& cell = fields[c];
        const std::string& label = labels[Index(role)];
        if (IsBlank(cell)) {
          // A checkpoint without a loss, in a file with run ids: left out if the file holds
          // curves (decided after every row is read), an error otherwise.
          if (role == Role::kLoss && run_id_column >= 0) {
            blank_loss = true;
            continue;
          }
          const bool required = role == Role::kParams || role == Role::kLoss ||
                                (role == Role::kTokens && !has(Role::kFlops)) ||
                                (role == Role::kFlops && !has(Role::kTokens)) ||
                                (role == Role::kTokensPerSample && options.tokens_per_sample <= 0 &&
                                 !IsBlank(fields[column[Index(Role::kBatch)]]));
          if (required) row_problems.push_back({line.number, FileColumn(c), label + " is empty"});
          continue;
        }
        double v = 0;
        if (ReadCellNumber(line, c, label, &v, &row_problems)) value[Index(role)] = v;
      }
      if (tokens_from_steps && !IsBlank(fields[step_column])) {
        std::string reason;
        if (!ParseNumber(fields[step_column], &step, &reason) || !std::isfinite(step) || step < 0) {
          step = NAN;
        }
      }
      if (tokens_from_steps) {
        if (std::isnan(step)) {
          row_problems.push_back({line.number, FileColumn(step_column),
                                  step_label + " is empty or not a step count: the tokens seen "
                                               "are step x batch tokens"});
        } else if (std::isnan(value[Index(Role::kBatch)])) {
          row_problems.push_back(
              {line.number, FileColumn(column[Index(Role::kBatch)]),
               labels[Index(Role::kBatch)] + " is empty: the tokens seen are step x batch tokens"});
        }
      } else if (row_problems.empty() && std::isnan(value[Index(Role::kTokens)]) &&
                 std::isnan(value[Index(Role::kFlops)])) {
        row_problems.push_back({line.number, FileColumn(column[Index(Role::kTokens)]),
                                "tokens and flops are both empty: one is needed"});
      }
      if (row_problems.empty() && blank_loss) {
        ++blank_loss_total;
        if (blank_losses.size() < kMaxListedProblems) {
          blank_losses.push_back({line.number, FileColumn(column[Index(Role::kLoss)]),
                                  labels[Index(Role::kLoss)] + " is empty"});
        }
        continue;
      }
      if (row_problems.empty() && tokens_from_steps && step == 0) {
        ++step_zero;  // no tokens seen yet: nothing to fit
        continue;
      }
      if (row_problems.empty()) {
        run.params = value[Index(Role::kParams)];
        run.tokens = value[Index(Role::kTokens)];
        run.flops = value[Index(Role::kFlops)];
        run.lr = value[Index(Role::kLr)];
        run.loss = value[Index(Role::kLoss)];
        const double sample_size = value[Index(Role::kTokensPerSample)];
        if (std::isfinite(sample_size) && result.sample_sizes.size() < 16 &&
            std::find(result.sample_sizes.begin(), result.sample_sizes.end(), sample_size) ==
                result.sample_sizes.end())
          result.sample_sizes.push_back(sample_size);
        const double batch = value[Index(Role::kBatch)];
        if (!std::isnan(batch)) {
          max_raw_batch = std::max(max_raw_batch, batch);
          if (batch_in_samples) {
            const double tps = std::isnan(value[Index(Role::kTokensPerSample)])
                                   ? options.tokens_per_sample
                                   : value[Index(Role::kTokensPerSample)];
            run.batch_tokens = batch * tps;
          } else {
            run.batch_tokens = batch;
          }
          if (!std::isfinite(run.batch_tokens)) {
            row_problems.push_back({line.number, FileColumn(column[Index(Role::kBatch)]),
                                    "batch in tokens is not a finite number"});
          }
        }
        if (tokens_from_steps && row_problems.empty()) {
          run.tokens = step * run.batch_tokens;
          if (!(std::isfinite(run.tokens) && run.tokens > 0)) {
            row_problems.push_back({line.number, FileColumn(step_column),
                                    "tokens seen (step x batch tokens) are not a positive finite "
                                    "number"});
          }
        }
        if (std::isnan(run.tokens)) {
          run.tokens = run.flops / FlopsPerToken(options.compute, run.params);
          ++tokens_derived;
          if (!(std::isfinite(run.tokens) && run.tokens > 0)) {
            row_problems.push_back({line.number, FileColumn(column[Index(Role::kFlops)]),
                                    "tokens derived from flops are not a positive finite number"});
          }
        } else if (!tokens_from_steps) {
          tokens_given_any = true;
          max_tokens_given = std::max(max_tokens_given, run.tokens);
        }
        if (std::isnan(run.flops) && row_problems.empty()) {
          run.flops = TrainingFlops(options.compute, run.params, run.tokens);
          ++flops_derived;
          if (!(std::isfinite(run.flops) && run.flops > 0)) {
            row_problems.push_back({line.number, FileColumn(column[Index(Role::kTokens)]),
                                    "flops derived from tokens are not a positive finite number"});
          }
        }
        max_params = std::max(max_params, run.params);
      }
    }

    if (row_problems.empty() && flag_column >= 0) {
      const std::string& cell = fields[flag_column];
      if (!ParseFlag(cell, &run.flagged)) {
        row_problems.push_back({line.number, FileColumn(flag_column),
                                "flag column " + Quote(headers[flag_column]) + " holds " +
                                    Quote(cell) +
                                    ": write true/false, 1/0 or yes/no (or leave it empty)"});
      }
      run.excluded = run.flagged && !options.keep_flagged;
    }

    if (row_problems.empty()) {
      if (run_id_column >= 0) {
        const auto [it, inserted] =
            curve_index.emplace(fields[run_id_column], static_cast<int>(result.curve_names.size()));
        if (inserted) {
          result.curve_names.push_back(fields[run_id_column]);
          curve_rows.push_back(0);
        }
        run.curve = it->second;
        ++curve_rows[run.curve];
      }
      runs.push_back(run);
      for (size_t t = 0; t < text_column_index.size(); ++t) {
        result.table.text_columns[t].values.push_back(fields[text_column_index[t]]);
      }
    } else if (skip_bad) {
      ++skipped_rows;
      for (InputProblem& p : row_problems) {
        warnings.Add(p.line, p.column, std::move(p.message) + "; row skipped");
      }
    } else {
      for (InputProblem& p : row_problems) errors.Add(p.line, p.column, std::move(p.message));
    }
  }

  if (data_rows == 0) {
    return Refuse(header_line.number, 0, "header only: no data rows after the header");
  }
  if (separator_rows > 0) {
    result.notes.push_back("rows with only separators, read as blank lines: " +
                           std::to_string(separator_rows));
  }
  if (unfinished_total > 0) {
    std::string listed;
    for (const InputProblem& p : result.unfinished) {
      if (listed.size() > 400) {
        listed += ", ...";
        break;
      }
      listed += (listed.empty() ? "" : ", ") + p.message + " (line " + std::to_string(p.line) + ")";
    }
    if (unfinished_total > result.unfinished.size()) {
      result.unfinished.push_back(
          {0, FileColumn(status_column),
           "and " + std::to_string(unfinished_total - result.unfinished.size()) + " more"});
    }
    result.notes.push_back(std::to_string(unfinished_total) + " of " + std::to_string(data_rows) +
                           " rows left out: the run did not finish (status column " +
                           Quote(headers[status_column]) + "): " + listed +
                           "; --keep-unfinished, or the Data panel's keep unfinished runs, keeps "
                           "them");
  }

  return true;
}

void RunsReader::Curves() {
  // --- Training curves --------------------------------------------------------------------------
  result.curves = false;
  for (int n : curve_rows) result.curves = result.curves || n > 1;
  // A column named like a run id whose repeated values carry different settings (a model label,
  // a replicate number) holds no runs: the file reads as one without it, and says so.
  if (result.curves) {
    std::vector<size_t> first_row(result.curve_names.size(), SIZE_MAX);
    for (size_t i = 0; i < runs.size() && result.curves; ++i) {
      size_t& first = first_row[runs[i].curve];
      if (first == SIZE_MAX) {
        first = i;
        continue;
      }
      const Run &a = runs[first], &b = runs[i];
      if (!Close(a.params, b.params, 1e-12) || !Close(a.lr, b.lr, 1e-12) ||
          !Close(a.batch_tokens, b.batch_tokens, 1e-12)) {
        result.curves = false;
        result.notes.push_back("column " + Quote(headers[run_id_column]) +
                               " is not read as run ids (training "
                               "curves): " +
                               Quote(result.curve_names[runs[i].curve]) +
                               " has other settings at line " + std::to_string(b.line) +
                               " than at line " + std::to_string(a.line));
      }
    }
  }
  const auto report = [&](const InputProblem& p, std::vector<bool>* drop, size_t i) {
    if (skip_bad) {
      warnings.Add(p.line, p.column, p.message + "; row skipped");
      ++skipped_rows;
      (*drop)[i] = true;
    } else {
      errors.Add(p.line, p.column, p.message);
    }
  };
  if (step_zero > 0) {
    result.notes.push_back(std::to_string(step_zero) +
                           " rows at step 0 left out: no tokens seen yet, nothing to fit");
  }
  if (!result.curves) {
    // One row per run id: read as any file (the id is a text column); a blank loss is an error.
    for (Run& run : runs) run.curve = -1;
    result.curve_names.clear();
    for (const InputProblem& p : blank_losses) {
      if (skip_bad) {
        warnings.Add(p.line, p.column, p.message + "; row skipped");
      } else {
        errors.Add(p.line, p.column, p.message);
      }
    }
    if (skip_bad) skipped_rows += blank_loss_total;
    if (blank_loss_total > blank_losses.size()) {
      const std::string more = "and " + std::to_string(blank_loss_total - blank_losses.size()) +
                               " more rows with an empty loss";
      if (skip_bad) {
        warnings.Add(0, 0, more);
      } else {
        errors.Add(0, 0, more);
      }
    }
    return;
  }

  const size_t curve_count = result.curve_names.size();
  std::vector<std::vector<size_t>> rows(curve_count);
  for (size_t i = 0; i < runs.size(); ++i) rows[runs[i].curve].push_back(i);
  std::vector<bool> drop(runs.size(), false);
  const std::string id_header = Quote(headers[run_id_column]);
  result.notes.push_back("curves: " + std::to_string(curve_count) + " runs (run id " + id_header +
                         ", column " + std::to_string(FileColumn(run_id_column)) + "), " +
                         std::to_string(runs.size()) + " checkpoints");
  if (blank_loss_total > 0) {
    const std::string note =
        std::to_string(blank_loss_total) +
        " checkpoints have no loss and are left out (the loss was not logged at that step), "
        "first at line " +
        std::to_string(blank_losses.front().line);
    result.notes.push_back(note);
    warnings.Add(blank_losses.front().line, blank_losses.front().column, note);
  }

  // A run's checkpoints whose tokens go backwards or repeat are reported, not guessed around
  // (its settings are one: checked above).
  for (size_t c = 0; c < curve_count; ++c) {
    const Run* last = nullptr;
    for (size_t i : rows[c]) {
      const Run& run = runs[i];
      const int tokens_column =
          FileColumn(has(Role::kTokens) ? column[Index(Role::kTokens)]
                                        : (step_column >= 0 ? step_column : run_id_column));
      if (last != nullptr && run.tokens <= last->tokens) {
        report(
            {run.line, tokens_column,
             "run " + Quote(result.curve_names[c]) + ": checkpoint at " + FormatCount(run.tokens) +
                 " tokens " + (run.tokens == last->tokens ? "repeats" : "goes back before") +
                 " the checkpoint of line " + std::to_string(last->line) + " (" +
                 FormatCount(last->tokens) + " tokens)"},
            &drop, i);
        continue;
      }
      last = &run;
    }
  }

  size_t not_common = 0, budgets_kept = 0;
  if (options.checkpoints == CheckpointPolicy::kFinal) {
    for (size_t c = 0; c < curve_count; ++c) {
      size_t kept_last = SIZE_MAX;
      for (size_t i : rows[c]) {
        if (drop[i]) continue;
        if (kept_last != SIZE_MAX) drop[kept_last] = true;
        kept_last = i;
      }
    }
    result.notes.push_back(
        "checkpoints: final (each run's last checkpoint; --checkpoints all, or the Data panel's "
        "checkpoints, reads every checkpoint as a token budget)");
  } else {
    // Budgets common to every run of a model size: the checkpoints of its run with the fewest;
    // each run stands there with its checkpoint nearest in tokens, within half the cell
    // tolerance (no interpolation). Budgets some run does not reach are left out.
    const double tolerance = options.checkpoint_tolerance / 2;
    std::vector<std::vector<size_t>> kept(curve_count);
    std::vector<double> params;
    std::vector<size_t> with_rows;
    for (size_t c = 0; c < curve_count; ++c) {
      for (size_t i : rows[c]) {
        if (!drop[i]) kept[c].push_back(i);
      }
      if (kept[c].empty()) continue;
      with_rows.push_back(c);
      params.push_back(runs[kept[c].front()].params);
    }
    int group_count = 0;
    const std::vector<int> group = GroupValues(params, options.checkpoint_tolerance, &group_count);
    std::vector<bool> selected(runs.size(), false);
    for (int g = 0; g < group_count; ++g) {
      std::vector<size_t> members;
      for (size_t k = 0; k < with_rows.size(); ++k) {
        if (group[k] == g) members.push_back(with_rows[k]);
      }
      size_t reference = members.front();
      for (size_t c : members) {
        if (kept[c].size() < kept[reference].size()) reference = c;
      }
      for (size_t b : kept[reference]) {
        const double budget = runs[b].tokens;
        std::vector<size_t> picks;
        for (size_t c : members) {
          const auto& list = kept[c];  // increasing tokens
          const auto it =
              std::lower_bound(list.begin(), list.end(), budget,
                               [&](size_t i, double tokens) { return runs[i].tokens < tokens; });
          size_t best = SIZE_MAX;
          double best_gap = INFINITY;
          for (auto at : {it, it == list.begin() ? list.end() : it - 1}) {
            if (at == list.end()) continue;
            const double gap = std::fabs(std::log(runs[*at].tokens / budget));
            if (gap < best_gap) best_gap = gap, best = *at;
          }
          if (best == SIZE_MAX || !Close(runs[best].tokens, budget, tolerance)) break;
          picks.push_back(best);
        }
        if (picks.size() != members.size()) continue;
        ++budgets_kept;
        for (size_t i : picks) selected[i] = true;
      }
    }
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!drop[i] && !selected[i]) {
        drop[i] = true;
        ++not_common;
      }
    }
    result.notes.push_back(
        "checkpoints: all (every checkpoint a token budget: right for constant or "
        "warmup-stable-decay schedules before the decay). Budgets common to every run of a model "
        "size: " +
        std::to_string(budgets_kept) +
        ", each run's checkpoint nearest the budget within half the cell tolerance (no "
        "interpolation)" +
        (not_common > 0 ? "; " + std::to_string(not_common) +
                              " checkpoints at budgets not every run reaches left out"
                        : std::string()));
  }

  size_t kept_count = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (drop[i]) continue;
    for (TextColumn& text_column : result.table.text_columns) {
      if (kept_count != i) text_column.values[kept_count] = std::move(text_column.values[i]);
    }
    runs[kept_count++] = runs[i];
  }
  runs.resize(kept_count);
  for (TextColumn& text_column : result.table.text_columns) text_column.values.resize(kept_count);
}

void RunsReader::Derive() {
  // --- Duplicates -------------------------------------------------------------------------------
  // Runs equal in every number but different in a text column (two experiments) are no duplicates.
  auto duplicates = FindDuplicates(runs, options.duplicate_tolerance);
  duplicates.erase(std::remove_if(duplicates.begin(), duplicates.end(),
                                  [&](const std::pair<size_t, size_t>& pair) {
                                    for (const TextColumn& c : result.table.text_columns) {
                                      if (c.values[pair.first] != c.values[pair.second])
                                        return true;
                                    }
                                    return false;
                                  }),
                   duplicates.end());
  if (!duplicates.empty()) {
    std::vector<bool> drop(runs.size(), false);
    for (const auto& [dup, first] : duplicates) {
      const std::string message = "duplicated run: same values as line " +
                                  std::to_string(runs[first].line) + " (data row " +
                                  std::to_string(runs[first].data_row) + ")";
      if (skip_bad) {
        warnings.Add(runs[dup].line, 0, message + "; row skipped");
        drop[dup] = true;
        ++skipped_rows;
      } else {
        errors.Add(runs[dup].line, 0, message);
      }
    }
    size_t kept = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      if (drop[i]) continue;
      for (TextColumn& text_column : result.table.text_columns) {
        if (kept != i) text_column.values[kept] = std::move(text_column.values[i]);
      }
      runs[kept++] = runs[i];
    }
    runs.resize(kept);
    for (TextColumn& text_column : result.table.text_columns) text_column.values.resize(kept);
  }

  // --- What the table holds ---------------------------------------------------------------------
  for (const Run& run : runs) {
    lr_missing += std::isnan(run.lr) ? 1 : 0;
    batch_missing += std::isnan(run.batch_tokens) ? 1 : 0;
  }
  result.table.has_lr = has(Role::kLr) && !runs.empty() && lr_missing == 0;
  result.table.has_batch = has(Role::kBatch) && !runs.empty() && batch_missing == 0;
  for (const auto& [role, missing] : {std::pair<Role, size_t>{Role::kLr, lr_missing},
                                      std::pair<Role, size_t>{Role::kBatch, batch_missing}}) {
    if (!has(role) || missing == 0 || runs.empty()) continue;
    warnings.Add(header_line.number, FileColumn(column[Index(role)]),
                 std::string(ToString(role)) + " is empty in " + std::to_string(missing) + " of " +
                     std::to_string(runs.size()) + " runs: the table is read without " +
                     (role == Role::kLr ? "learning rates" : "batch sizes"));
  }
  if (tokens_derived > 0) {
    const std::string note =
        "tokens derived from flops as flops / FLOPs per token (compute model " +
        std::string(ToString(options.compute.kind)) + "), rows: " + std::to_string(tokens_derived);
    result.notes.push_back(note);  // informational, like the flops note below: not a warning
  }
  if (flops_derived > 0) {
    const std::string note =
        "flops derived from tokens as FLOPs per token x tokens (compute model " +
        std::string(ToString(options.compute.kind)) + "), rows: " + std::to_string(flops_derived);
    result.notes.push_back(note);  // a note only: the fits never read flops
  }
  if (has(Role::kBatch) && !batch_in_samples && batch_unit != BatchUnit::kTokens &&
      max_raw_batch > 0 && max_raw_batch < kSamplesLikeBatch) {
    const std::string& batch_header = headers[column[Index(Role::kBatch)]];
    const std::string note =
        "batch: every value of " + Quote(batch_header) + " is below " +
        FormatCount(kSamplesLikeBatch) +
        ", which looks like a count of samples (sequences), not tokens; it is read as tokens. "
        "If it counts samples, give tokens per sample (--tokens-per-sample, or the Data panel's "
        "tokens per sample, or a "
        "column " +
        JoinNames(Role::kTokensPerSample) + ")";
    result.notes.push_back(note);
    warnings.Add(header_line.number, FileColumn(column[Index(Role::kBatch)]), note);
    result.batch_looks_like_samples = true;
  }
  if (!runs.empty() && max_params < kTinyCount) {
    warnings.Add(header_line.number, FileColumn(column[Index(Role::kParams)]),
                 "params: every value is below " + FormatCount(kTinyCount) +
                     ": are they in millions or billions? Write 1.07B or 1.07e9 for 1.07 billion");
  }
  if (!runs.empty() && tokens_given_any && max_tokens_given < kTinyCount) {
    warnings.Add(header_line.number, FileColumn(column[Index(Role::kTokens)]),
                 "tokens: every value is below " + FormatCount(kTinyCount) +
                     ": are they in millions or billions? Write 4B or 4e9 for 4 billion");
  }

  for (TextColumn& text_column : result.table.text_columns) {
    double unused = 0;
    std::string reason;
    text_column.numeric = std::all_of(
        text_column.values.begin(), text_column.values.end(), [&](const std::string& value) {
          return IsBlank(value) || ParseNumber(value, &unused, &reason);
        });
  }
  if (flag_column >= 0) {
    const size_t flagged = static_cast<size_t>(
        std::count_if(runs.begin(), runs.end(), [](const Run& run) { return run.flagged; }));
    result.notes.push_back(
        "flag column " + Quote(headers[flag_column]) + ": " + std::to_string(flagged) + " of " +
        std::to_string(runs.size()) + " runs flagged" +
        (options.keep_flagged ? ", kept in the fits (keep flagged rows is on)"
                              : ", left out of the fits (keep flagged rows brings them back)"));
  }

  if (skipped_rows > 0) {
    result.notes.push_back(std::to_string(skipped_rows) + " of " + std::to_string(data_rows) +
                           " data rows skipped (see warnings)");
  }
}

ReadResult RunsReader::Validate() {
  // --- Outcome ----------------------------------------------------------------------------------
  std::vector<int>& used = result.used_columns;
  for (Role role : kRoles) {
    if (has(role)) used.push_back(origin[column[Index(role)]]);
  }
  for (int c : {flag_column, status_column, run_id_column, tokens_from_steps ? step_column : -1}) {
    if (c >= 0) used.push_back(origin[c]);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  if (skip_bad && runs.empty()) {
    errors.Add(0, 0,
               "no valid data row: all " + std::to_string(data_rows) +
                   " data rows were skipped (see warnings)");
  }
  if (runs.empty() && errors.total() == 0) {
    errors.Add(0, 0,
               "no run left to fit: every data row was left out (runs that did not finish, "
               "checkpoints without a loss or at step 0; see how the file was read)" +
                   std::string(status_column >= 0 ? "; --keep-unfinished, or the Data panel's "
                                                    "keep unfinished runs, keeps unfinished runs"
                                                  : ""));
  }
  result.ok = errors.total() == 0;
  if (!result.ok) result.table = RunTable();
  errors.MoveTo(&result.errors, "errors");
  warnings.MoveTo(&result.warnings, "warnings");
  return std::move(result);
}

}  // namespace

ReadResult ReadRuns(std::string_view text, const ReadOptions& options) {
  return RunsReader(text, options).Read();
}

}  // namespace scalecalc

// csv_reader.h: CSV text as users paste it -> RunTable, or problems located by line and column.
//
// Accepts comma, semicolon or tab separators (guessed from the header line), quoted fields,
// comment lines (# or //), CRLF, a trailing newline or none, header aliases for every role and
// numbers written 1.07e9, 1070000000, 1.07B, 5.85e20 (with ';' as the separator, 0,0001: a
// decimal comma). An explicit column mapping overrides the guess. Experiment trackers' exports
// read as they come: MLflow's and W&B's prefixes (params., metrics., config., summary.),
// dict-valued cells (W&B's API recipe), a status column (unfinished runs left out), and training
// curves (a run id with several rows per run: ReadOptions::checkpoints). Tokens follow from compute
// (and compute from tokens) through the compute model; a batch given in samples is multiplied by
// tokens per sample (a column, or the option). Never throws, never prints.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/compute_model.h"
#include "core/enum_names.h"
#include "core/run_table.h"

namespace scalecalc {

enum class Role { kParams, kTokens, kFlops, kLr, kBatch, kLoss, kTokensPerSample };

// Which checkpoints of a training curve (a file with a run id and several rows per run) are runs.
enum class CheckpointPolicy {
  kFinal,  // each run's last checkpoint
  kAll,    // every checkpoint a token budget (constant or warmup-stable-decay schedules before the
           // decay), matched to budgets common to every run of a model size
};

enum class BadRowPolicy {
  kReject,  // any bad row rejects the whole text (errors returned, no table)
  kSkip,    // bad rows are skipped, each reported as a warning
};

// The most data the page opens from a file (web/main.js checks it before reading) and the reader
// accepts; a state file may carry that much.
constexpr size_t kMaxDataBytes = 64u << 20;

struct ReadOptions {
  // Explicit role -> header name; overrides the guess for that role.
  std::vector<std::pair<Role, std::string>> columns;
  // Tokens per sample when the batch column counts samples (0: batch is already in tokens,
  // unless a tokens-per-sample column or a "samples" header says otherwise).
  double tokens_per_sample = 0;
  BadRowPolicy bad_rows = BadRowPolicy::kReject;
  ComputeModel compute;                // to derive tokens from FLOPs or FLOPs from tokens
  size_t max_bytes = kMaxDataBytes;    // larger text is refused
  size_t max_rows = 1000000;           // more data rows are refused
  double duplicate_tolerance = 1e-12;  // relative: runs equal in every field are duplicates
  // Rows marked true in a flag column (outlier, is_outlier, exclude, excluded) are read with
  // Run::flagged and, unless this is set, Run::excluded.
  bool keep_flagged = false;
  // Rows whose status column (status, state) says the run did not finish (failed, crashed, killed,
  // running, scheduled, ...) are left out and listed in ReadResult::unfinished, unless this is set.
  bool keep_unfinished = false;
  CheckpointPolicy checkpoints = CheckpointPolicy::kFinal;
  // With kAll: a run's checkpoint stands for a common budget when their tokens differ by at most
  // half this (relative), so that the matched checkpoints share one (N, T) cell of this tolerance.
  double checkpoint_tolerance = 0.01;
};

struct ReadResult {
  bool ok = false;  // a table was produced
  RunTable table;
  std::vector<InputProblem> errors;           // why not ok (or rows rejected)
  std::vector<InputProblem> warnings;         // skipped rows, ambiguity resolved, derived columns
  std::vector<std::string> headers;           // the header fields as read
  std::vector<std::pair<Role, int>> mapping;  // role -> 0-based column index actually used
  char delimiter = ',';
  std::vector<std::string> notes;  // how the guess was made ("loss: 'loss' over 'smooth loss'")
  // 0-based indexes, ascending, of every column of the file whose values the table depends on
  // (roles, flag, status, a run-id column (it decides whether rows are curves, and names runs in
  // messages), step, the source column of a flattened dict cell; a group column
  // is chosen by the state, not the reader). A share link keeps these columns' values only
  // (state_table.h).
  std::vector<int> used_columns;
  // Runs left out because their status column says they did not finish: the row's line, the status
  // column, "run 'abc': crashed".
  std::vector<InputProblem> unfinished;
  // The file holds training curves (a run id with several rows per run): RunTable::runs are
  // checkpoints, Run::curve the index of their run; curve_names[i] is run i's id as written.
  bool curves = false;
  std::vector<std::string> curve_names;
  // The batch column, read as tokens, holds only values small enough to be counts of samples
  // (its warning says so; the page asks beside the column mapping).
  bool batch_looks_like_samples = false;
  // The distinct values of a tokens-per-sample column (at most 16, in the order first read of the
  // runs kept; empty without one): what GuessModelKind reads.
  std::vector<double> sample_sizes;
};

ReadResult ReadRuns(std::string_view text, const ReadOptions& options = {});

// Reads a flag column's cell: true/false, 1/0, yes/no in any case (blank: false). False when the
// text is none of these.
bool ParseFlag(std::string_view text, bool* flag);

// Parses one number as users write it: 1.07e9, 1070000000, 1.07B, 250M, 3k, 1.5T, "1,070" is NOT
// accepted (ambiguous). Returns false with a reason on failure. Accepts surrounding spaces.
bool ParseNumber(std::string_view text, double* value, std::string* reason);

}  // namespace scalecalc

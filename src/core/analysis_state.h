// analysis_state.h: everything needed to reproduce what a user saw, and its two encodings.
//
//   AnalysisState state;                       // filled by the app from its UI structs
//   std::vector<uint8_t> bytes = EncodeState(state);   // compact, versioned: for share links
//   DecodeResult r = DecodeState(bytes.data(), bytes.size());
//   if (!r.ok) show(r.message);                // a sentence for people, never an exception
//   std::string file = StateToJson(state);     // the downloadable state file
//   DecodeResult f = StateFromJson(file);
//
// Both formats walk the settings schema (settings_schema.cpp), a row per field: adding a field is
// adding a row there, with the current kStateVersion.
// Binary format (links; deflated and base64url-encoded by web/share.js):
//   "SC", version byte, then the fields of every version <= that byte in the schema's order
//   (version 1's in their frozen order, then version 2's, then 3's, 4's). Since version 4 the
//   data (csv_text, the first field) is a form varint, then 0: the text as a string, or 1: a
//   string holding the compact table of state_table.h (the values the analysis uses, the header
//   names of every column; written when it reads back the same, see EncodeOptions). Doubles are
//   their 8 IEEE-754 bytes, little-endian (bit-exact: NaN payloads, -0 and infinities
//   survive); unsigned integers, enums, bools and lengths are LEB128 varints (canonical: shortest
//   form); signed integers are zigzag varints; strings are a length then raw bytes. Frozen by
//   hand-built test strings (analysis_state_test: version 1; settings_schema_test: version 2's
//   and 3's tails; state_table_test: version 4's table) and by version-1, 2 and 3 fixtures
//   (tests/core/fixtures).
// State file: JSON with "format": "scalecalc-state", "version": 4, each field at its schema path
//   ("fit.band_tolerance"; the data always as the whole text); absent fields keep their
//   defaults, unknown ones (or a later version's) are refused; doubles are round-trip exact,
//   NaN/Inf as the strings "NaN", "Infinity", "-Infinity"; a string that is not valid UTF-8 (a
//   Latin-1 file, say) is written as {"base64": "..."} so that it, too, comes back byte for byte.
//
// Decoding never trusts its input: sizes are checked against DecodeLimits before anything is
// allocated, enums and rows against their ranges, and option values against their schema rows'
// ranges (DecodeLimits::check_values). Never throws, never prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/compute_model.h"
#include "core/cost_inputs.h"
#include "core/csv_reader.h"
#include "core/enum_names.h"
#include "core/fit.h"
#include "core/planner.h"
#include "core/state_table.h"

namespace scalecalc {

// Unit in which budgets are shown and typed.
enum class BudgetUnit {
  kFlops,     // FLOP
  kPfDays,    // 1 PF-day = 1e15 FLOP/s * 86400 s = 8.64e19 FLOP
  kGpuHours,  // hours of one GPU at AnalysisState::gpu_flops_per_second
};

// What the data's batch column counts (format version 4): tokens, or samples of the one tokens
// per sample (compute.tokens_per_sample).
enum class BatchColumn { kTokens, kSamples };

// What the analysed model is (format version 4): the planner and the Inference cost panel speak
// per video or per sequence, and show the video-only inputs for a video DiT only. kGuess (the
// default, so also every older link's) follows GuessModelKind.
enum class ModelKind { kGuess, kVideo, kLanguage };

// The panels a link can open on: "data", "fit", "plots", "planner", "cost".
bool IsKnownPanel(std::string_view panel);

struct AnalysisState {
  // The data, exactly as pasted or dropped (any bytes, not necessarily UTF-8).
  std::string csv_text;
  std::string data_name = "example";  // file name, or "example"

  // Reader settings (ReadOptions minus what is stored elsewhere; see MakeReadOptions).
  std::vector<std::pair<Role, std::string>> columns;  // role -> header name overrides
  // Formats 1-3 had the reader's own tokens per sample here (0: the batch column is in tokens).
  // Since version 4 there is one size, compute.tokens_per_sample, and batch_column says whether
  // the batch column counts its samples: this field is only read from older states (see
  // OneTokensPerSample) and kept as read; nothing else reads it.
  double tokens_per_sample = 0;
  BatchColumn batch_column = BatchColumn::kTokens;
  BadRowPolicy bad_rows = BadRowPolicy::kReject;
  std::string group_column;      // fit each value of this column on its own ("": no grouping)
  bool keep_flagged = false;     // keep runs a flag column marks as bad
  bool keep_unfinished = false;  // keep runs a status column says did not finish
  CheckpointPolicy checkpoints = CheckpointPolicy::kFinal;  // training curves: which checkpoints

  ComputeModel compute;            // one model for reading, fitting and planning
  std::vector<int> excluded_rows;  // 1-based data rows the user left out, in the user's order
  FitOptions fit;
  // plan.compute is not stored: the decoders set it to `compute` (one model, not two).
  PlanOptions plan;

  BudgetUnit budget_unit = BudgetUnit::kFlops;
  // Sustained FLOP/s of one GPU for the GPU-hours unit (an H100 at ~40% of its 989 TFLOP/s bf16
  // dense peak).
  double gpu_flops_per_second = 4e14;

  // The sweep designer's allowance per candidate cell, FLOPs; NaN: the current sweep's own cost.
  double design_max_flops = NAN;
  // What the designer's recommended set may cost together, FLOPs; NaN: design_max_flops.
  double design_allowance_flops = NAN;

  std::string compare_preset;  // name of a preset law to compare against; "" for none
  // The two groups the planner compares: 1-based, in the order groups first appear in the data.
  // Checked against the data when it is split (Model: a message, the nearest group shown).
  int compare_group_first = 1;
  int compare_group_second = 2;
  // The group the headline results (fit, plan, status, the plots' main series) come from when the
  // data is split: 1-based as above; 0 pools every group into one fit, an explicit choice.
  int shown_group = 1;
  std::string open_panel = "data";           // see IsKnownPanel
  ModelKind model_kind = ModelKind::kGuess;  // video DiT or language model; see ShownModelKind
  CostInputs cost;                           // the Inference cost panel

  // The planner's options: the plan settings with the one compute model.
  PlanOptions MakePlanOptions() const {
    PlanOptions options = plan;
    options.compute = compute;
    return options;
  }
  // The reader options these settings stand for (compute included).
  ReadOptions MakeReadOptions() const {
    ReadOptions options;
    options.columns = columns;
    options.tokens_per_sample =
        batch_column == BatchColumn::kSamples ? compute.tokens_per_sample : 0;
    options.bad_rows = bad_rows;
    options.keep_flagged = keep_flagged;
    options.keep_unfinished = keep_unfinished;
    options.checkpoints = checkpoints;
    options.checkpoint_tolerance = fit.cell_tolerance;
    options.compute = compute;
    return options;
  }
};

struct DecodeLimits {
  size_t max_input_bytes = 32u << 20;  // binary bytes or JSON text
  size_t max_csv_bytes = 16u << 20;    // csv_text
  size_t max_excluded = 1000000;       // entries of excluded_rows
  int max_row = 10000000;              // largest excluded row number
  size_t max_string = 4096;            // data_name, column headers, compare_preset, open_panel
  size_t max_columns = 64;             // column overrides
  // Also reject option values that no computation accepts (NaN budgets, negative tolerances...;
  // see ValidateState). Off: only what could break the app (enums, sizes, rows) is checked, so a
  // state with a bad value still opens and shows its error where the user saw it.
  bool check_values = true;
};

struct DecodeResult {
  bool ok = false;
  AnalysisState state;  // meaningful only when ok
  int version = 0;      // format version read (0 if not even that could be read)
  std::string message;  // why not ok, for people
  std::string notice;   // ok, but read with a rule of this version (a sentence for people), or ""
};

// The format version this build writes (and the newest it reads).
constexpr int kStateVersion = 4;

struct EncodeOptions {
  // Version 4: the data travels as a compact table (state_table.h) when it reads back the same;
  // off, csv_text travels as it is.
  bool compact_data = true;
  TableCodecOptions table;  // which column encodings the table may use
};

// The model kind a file and a compute model suggest: a video DiT when the compute model is the
// DiT count, when a header names video (a word video(s), clip(s), frame(s), latent(s) or vae), or
// when a tokens-per-sample column holds a size that is not a power of two (a clip's latent tokens,
// e.g. 1280 = 5 x 16 x 16; a language model's context is a power of two); otherwise a language
// model. It reads only what a link keeps (the header, the used columns' values, the compute
// model), so a link's receiver guesses what its sender did.
ModelKind GuessModelKind(const ComputeModel& compute, const ReadResult& read);
// The kind the panels show: the state's choice, or (kGuess) the guess. Never kGuess.
ModelKind ShownModelKind(const AnalysisState& state, const ReadResult& read);
// What one generated item costs to serve as the planner counts it: a video DiT's serving demand
// as set, or a language model's sequence (compute.tokens_per_sample tokens in one forward pass: a
// prefill, or generation with a KV cache; no guidance, no cross-attention).
ServingDemand ServingDemandOf(const AnalysisState& state, ModelKind kind);

// One tokens per sample (version 4): a state of an earlier `version` with the reader's size set
// opens with its batch column counting samples of that size, which also becomes the compute's
// (where the two differed, `notice` says so). The decoders call it.
void OneTokensPerSample(int version, AnalysisState* state, std::string* notice);

// Never fails; an empty vector only if memory ran out.
std::vector<uint8_t> EncodeState(const AnalysisState& state, const EncodeOptions& options = {});
DecodeResult DecodeState(const uint8_t* data, size_t size, const DecodeLimits& limits = {});

// JSON state file; "" only if memory ran out.
std::string StateToJson(const AnalysisState& state);
DecodeResult StateFromJson(std::string_view text, const DecodeLimits& limits = {});
// A state file's limits (the page's File > Open, scalecalc open): any data the page itself opens
// (kMaxDataBytes), not only a link's 16 MiB.
DecodeLimits StateFileLimits();

// The checks the decoders apply after reading: sizes, rows, enums and (limits.check_values) option
// ranges. Call it before encoding to know whether the link will open. `error` gets one sentence.
bool ValidateState(const AnalysisState& state, const DecodeLimits& limits, std::string* error);

}  // namespace scalecalc

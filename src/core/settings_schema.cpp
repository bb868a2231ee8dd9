#include "core/settings_schema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/analysis.h"
#include "core/groups.h"
#include "core/presets.h"

namespace scalecalc {

namespace {

constexpr double kInf = HUGE_VAL;
constexpr bool kOpen = true;

// Row constructors, one per accessor type; the rest of a row is set by its chained helpers.
Setting Base(const char* key, const char* json, SettingType type) {
  Setting s;
  s.key = key;
  s.json = json;
  s.type = type;
  return s;
}
Setting Number(const char* key, const char* json, double* (*field)(AnalysisState&)) {
  Setting s = Base(key, json, SettingType::kNumber);
  s.number = field;
  return s;
}
Setting Integer(const char* key, const char* json, int* (*field)(AnalysisState&)) {
  Setting s = Base(key, json, SettingType::kInteger);
  s.integer = field;
  return s;
}
Setting Seed(const char* key, const char* json, uint64_t* (*field)(AnalysisState&)) {
  Setting s = Base(key, json, SettingType::kSeed);
  s.seed = field;
  return s;
}
Setting Bool(const char* key, const char* json, bool* (*field)(AnalysisState&)) {
  Setting s = Base(key, json, SettingType::kBool);
  s.boolean = field;
  return s;
}
Setting Text(const char* key, const char* json, std::string* (*field)(AnalysisState&),
             size_t DecodeLimits::*cap) {
  Setting s = Base(key, json, SettingType::kText);
  s.text = field;
  s.cap = cap;
  return s;
}
template <typename Enum>
Setting EnumSetting(const char* key, const char* json, Enum* (*field)(AnalysisState&)) {
  Setting s = Base(key, json, SettingType::kEnum);
  s.names = &EnumNamesOf<Enum>();
  s.get_enum = [field](const AnalysisState& state) {
    return static_cast<int>(*field(const_cast<AnalysisState&>(state)));  // read only
  };
  s.set_enum = [field](AnalysisState& state, int value) {
    *field(state) = static_cast<Enum>(value);
  };
  return s;
}

bool KnownPresetOrNone(const std::string& name, std::string* why) {
  if (name.empty() || FindPreset(name)) return true;
  std::string names;
  for (const std::string& n : PresetNames()) names += (names.empty() ? "" : ", ") + n;
  *why = "no preset named '" + name.substr(0, 64) + "' (presets: " + names + ")";
  return false;
}

// The table. Version 1's rows are in the binary format's frozen order; later rows follow by
// version. Never reorder, never remove: old links read fields in this order.
std::vector<Setting> MakeTable() {
  using S = AnalysisState;
  using L = DecodeLimits;
  std::vector<Setting> t = {
      // ---- Version 1 ----------------------------------------------------------------------
      Text(
          "", "csv_text", [](S& s) { return &s.csv_text; }, &L::max_csv_bytes)
          .Stale(Stage::kRead)
          .Label("csv text", "The data, exactly as pasted or dropped."),
      Text(
          "", "data_name", [](S& s) { return &s.data_name; }, &L::max_string)
          .Label("data name", "The file name, or \"example\"."),
      Base("column", "reader.columns", SettingType::kColumns),  // accessor set below
      Number("batch_tokens_per_sample", "reader.tokens_per_sample",
             [](S& s) { return &s.tokens_per_sample; })
          .Range(0, 1e9)
          .None("none", 0)
          .Unit("tokens")
          .Stale(Stage::kRead)
          .Label("tokens per sample (batch column, format 3)",
                 "Links and state files before format 4 stored the batch column's own size "
                 "here; they open with it as the one tokens per sample."),
      EnumSetting(
          "bad_rows", "reader.bad_rows", +[](S& s) { return &s.bad_rows; })
          .Switch("--skip-bad-rows", "skip",
                  "Skip malformed rows with a warning instead of refusing the file.")
          .Stale(Stage::kRead)
          .Label("bad rows", "Refuse a file with malformed rows, or skip them with a warning."),
      EnumSetting(
          "compute", "compute.kind", +[](S& s) { return &s.compute.kind; })
          .Flag("--compute")
          .Stale(Stage::kRead)
          .Label("training FLOPs per token",
                 "6N, or the paper's video DiT count (3/4) N (7 + n_ctx / d)."),
      Number("tokens_per_sample", "compute.tokens_per_sample",
             [](S& s) { return &s.compute.tokens_per_sample; })
          .Flag("--tokens-per-sample")
          .Range(1, 1e8)
          .Unit("tokens")
          .Stale(Stage::kRead)
          .Label("tokens per sample",
                 "The size of one sample: a language model's sequence length, a video DiT's "
                 "latent tokens per clip. It is n_ctx in the DiT count, turns the planner's "
                 "batch into samples and, when the batch column counts samples, the batch "
                 "column into tokens."),
      Number("width_per_depth", "compute.width_per_depth",
             [](S& s) { return &s.compute.width_per_depth; })
          .Flag("--width-per-depth")
          .Range(0, 1e4, kOpen)
          .Stale(Stage::kRead)
          .Label("width per depth", "Shape rule of the DiT count: d = ratio x depth."),
      Base("exclude", "excluded_rows", SettingType::kRows),  // accessor set below
      EnumSetting(
          "optimum", "fit.optimum", +[](S& s) { return &s.fit.optimum; })
          .Flag("--optimum")
          .Stale(Stage::kFit)
          .Label("cell optimum",
                 "How each (N, T) cell's optimal learning rate and batch size is picked: the "
                 "grid point with the lowest loss; every run within a tolerance of it (all enter "
                 "the regressions); or the minimum of a quadratic fitted in (log lr, log batch), "
                 "valid only if it curves upwards inside the sweep."),
      Number("band_tolerance", "fit.band_tolerance", [](S& s) { return &s.fit.band_tolerance; })
          .Range(0, 0.5, false, kOpen)
          .Unit("relative")
          .Stale(Stage::kFit)
          .Label("band tolerance",
                 "Runs within this fraction of their cell's minimum loss enter the regressions "
                 "(0.0025 is 0.25%)."),
      Number("cell_tolerance", "fit.cell_tolerance", [](S& s) { return &s.fit.cell_tolerance; })
          .Range(0, 0.5, false, kOpen)
          .Unit("relative")
          .Stale(Stage::kFit)
          .Label("cell tolerance",
                 "Runs whose N and T agree within this relative gap share a cell."),
      Number("huber_delta", "fit.huber_delta", [](S& s) { return &s.fit.huber_delta; })
          .Range(0, 1, kOpen)
          .Stale(Stage::kFit)
          .Label("Huber delta", "Huber threshold on log residuals of the loss law."),
      Integer("bootstrap", "fit.bootstrap_samples", [](S& s) { return &s.fit.bootstrap_samples; })
          .Flag("--bootstrap")
          .Range(0, 100000)
          .Stale(Stage::kFit)
          .Label("bootstrap samples", "Resamples for the 95% intervals (0: none)."),
      Seed("seed", "fit.seed", [](S& s) { return &s.fit.seed; })
          .Flag("--seed")
          .Stale(Stage::kFit)
          .Label("seed",
                 "Seed of the bootstrap's generator: the same seed gives the same intervals."),
      Bool("extrapolation_check", "fit.extrapolation_check",
           [](S& s) { return &s.fit.extrapolation_check; })
          .Stale(Stage::kFit)
          .Label("extrapolation check", "Refit without the largest model and report its error."),
      Number("budget", "plan.budget_flops", [](S& s) { return &s.plan.budget_flops; })
          .Flag("--budget")
          .Range(0, 1e35, kOpen)
          .Unit("FLOP")
          .Stale(Stage::kPlan)
          .Label("budget",
                 "Training compute to plan for (the page takes it in the unit beside it)."),
      Number("max_params", "plan.max_params", [](S& s) { return &s.plan.max_params; })
          .Flag("--max-params")
          .Range(0, kInf, kOpen)
          .None("none", kInf)
          .Unit("parameters")
          .Stale(Stage::kPlan)
          .Label("largest model size", "Cap on the model size N (empty: none)."),
      Number("max_tokens", "plan.max_tokens", [](S& s) { return &s.plan.max_tokens; })
          .Flag("--max-tokens")
          .Range(0, kInf, kOpen)
          .None("none", kInf)
          .Unit("tokens")
          .Stale(Stage::kPlan)
          .Label("largest token count", "Cap on the training tokens T (empty: none)."),
      Number("tolerance", "plan.loss_tolerance", [](S& s) { return &s.plan.loss_tolerance; })
          .Flag("--tolerance")
          .Range(0, 0.5, kOpen, kOpen)
          .Unit("relative")
          .Stale(Stage::kPlan)
          .Label("loss tolerance",
                 "The smallest model whose predicted loss is within this fraction of the optimum "
                 "at the same budget (0.001 is 0.1%)."),
      Number("videos", "plan.demand.videos", [](S& s) { return &s.plan.demand.videos; })
          .Flag("--videos")
          .Range(0, 1e30)
          .Unit("videos")
          .Stale(Stage::kPlan)
          .Label("videos to generate",
                 "Videos served over the model's life: adds the total-cost optimum (0: none)."),
      Number("sampling_steps", "plan.demand.sampling_steps",
             [](S& s) { return &s.plan.demand.sampling_steps; })
          .Flag("--sampling-steps")
          .Range(1, 1e6)
          .Stale(Stage::kPlan)
          .Label("sampling steps", "Denoising steps per generated video."),
      Bool("guidance", "plan.demand.guidance", [](S& s) { return &s.plan.demand.guidance; })
          .Switch("--no-guidance", "false", "No classifier-free guidance (halves inference).")
          .Stale(Stage::kPlan)
          .Label("classifier-free guidance", "Two forward passes per sampling step."),
      Number("video_tokens", "plan.demand.tokens_per_video",
             [](S& s) { return &s.plan.demand.tokens_per_video; })
          .Flag("--tokens-per-video")
          .Range(1, 1e9)
          .Unit("tokens")
          .Stale(Stage::kPlan)
          .Label("tokens per video", "Latent tokens per generated video."),
      EnumSetting(
          "budget_unit", "display.budget_unit", +[](S& s) { return &s.budget_unit; })
          .Label("budget unit", "The unit budgets are shown and typed in."),
      Number("gpu_flops", "display.gpu_flops_per_second",
             [](S& s) { return &s.gpu_flops_per_second; })
          .Range(0, 1e20, kOpen)
          .Unit("FLOP/s")
          .Label("sustained FLOP/s per GPU", "Throughput of one GPU for the GPU-hours unit."),
      Text(
          "compare", "compare_preset", [](S& s) { return &s.compare_preset; }, &L::max_string)
          .Stale(Stage::kPlan)
          .Label("compare with", "A published law set planned beside yours (empty: none)."),
      Text(
          "panel", "open_panel", [](S& s) { return &s.open_panel; }, &L::max_string)
          .Label("panel", "The panel a link opens on."),
      // ---- Version 2 ----------------------------------------------------------------------
      Number("text_tokens", "plan.demand.text_tokens",
             [](S& s) { return &s.plan.demand.text_tokens; })
          .Flag("--text-tokens")
          .Range(0, 4096)
          .Whole()
          .Unit("tokens")
          .Stale(Stage::kPlan)
          .Label("text tokens", "Text tokens each block's cross-attention reads.")
          .Since(2),
      Bool("cross_attention", "plan.demand.cross_attention",
           [](S& s) { return &s.plan.demand.cross_attention; })
          .Flag("--cross-attention")
          .Stale(Stage::kPlan)
          .Label("cross-attention",
                 "Each block has a cross-attention layer (text-conditioned video DiTs; not "
                 "DiT-XL/2). Without text tokens it still costs its q and o projections.")
          .Since(2),
      Number("fixed_params", "plan.fixed_params", [](S& s) { return &s.plan.fixed_params; })
          .Flag("--params")
          .Range(1, 1e15)
          .None("none", NAN)
          .Unit("parameters")
          .Stale(Stage::kPlan)
          .Label("model size to plan",
                 "Plan this model size instead of optimising it (needed for law sets without a "
                 "loss law).")
          .Since(2),
      Number("sensitivity_cap", "fit.sensitivity_cap", [](S& s) { return &s.fit.sensitivity_cap; })
          .Range(0, kInf, kOpen)
          .None("none", kInf)
          .Unit("relative")
          .Stale(Stage::kFit)
          .Label("sensitivity cap",
                 "The sensitivity fit uses runs at most this much above their cell's optimum "
                 "(empty: every run).")
          .Since(2),
      Text(
          "group_column", "reader.group_column", [](S& s) { return &s.group_column; },
          &L::max_string)
          .Flag("--group-by")
          .Stale(Stage::kRead)
          .Label("group by column", "Fit each value of this column on its own (empty: one fit).")
          .Since(2),
      Bool("keep_flagged", "reader.keep_flagged", [](S& s) { return &s.keep_flagged; })
          .Switch("--keep-flagged", "true", "Keep runs that a flag column marks as bad.")
          .Stale(Stage::kRead)
          .Label("keep flagged runs", "Keep runs that a flag column marks as bad.")
          .Since(2),
      Number("head_dim", "plan.head_dim", [](S& s) { return &s.plan.head_dim; })
          .Flag("--head-dim")
          .Range(1, 1024)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("head dimension", "Width of one attention head.")
          .Since(2),
      Number("width_multiple", "plan.width_multiple", [](S& s) { return &s.plan.width_multiple; })
          .Flag("--width-multiple")
          .Range(0, 16384)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("width multiple",
                 "The planned width is a multiple of this (0: the head dimension).")
          .Since(2),
      Number("batch_divisor", "plan.batch_divisor", [](S& s) { return &s.plan.batch_divisor; })
          .Flag("--batch-divisor")
          .Range(1, 1e9)
          .Whole()
          .Unit("samples")
          .Stale(Stage::kPlan)
          .Label("batch divisor", "The planned batch in samples is a multiple of this.")
          .Since(2),
      Number("batch_tokens", "plan.forced_batch_tokens",
             [](S& s) { return &s.plan.forced_batch_tokens; })
          .Flag("--batch-tokens")
          .Range(0, 1e15, kOpen)
          .None("none", NAN)
          .Unit("tokens")
          .Stale(Stage::kPlan)
          .Label("forced batch size", "Train with this batch (tokens) instead of the batch law's.")
          .Since(2),
      Number("lr", "plan.forced_lr", [](S& s) { return &s.plan.forced_lr; })
          .Flag("--lr")
          .Range(0, 10, kOpen)
          .None("none", NAN)
          .Stale(Stage::kPlan)
          .Label("forced learning rate", "Train with this learning rate instead of the lr law's.")
          .Since(2),
      Number("width", "plan.forced_width", [](S& s) { return &s.plan.forced_width; })
          .Flag("--width")
          .Range(1, 1e6)
          .Whole()
          .None("none", NAN)
          .Stale(Stage::kPlan)
          .Label("forced width", "Plan this model width d instead of the shape rule's.")
          .Since(2),
      Number("depth", "plan.forced_depth", [](S& s) { return &s.plan.forced_depth; })
          .Flag("--depth")
          .Range(1, 1e4)
          .Whole()
          .None("none", NAN)
          .Stale(Stage::kPlan)
          .Label("forced depth", "Plan this many blocks instead of the shape rule's.")
          .Since(2),
      Number("frames", "cost.frames", [](S& s) { return &s.cost.frames; })
          .Range(1, 10000)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("frames", "Frames of the generated video.")
          .Since(2),
      Number("height_px", "cost.height_px", [](S& s) { return &s.cost.height_px; })
          .Range(1, 16384)
          .Whole()
          .Unit("pixels")
          .Stale(Stage::kPlan)
          .Label("height", "Video height in pixels.")
          .Since(2),
      Number("width_px", "cost.width_px", [](S& s) { return &s.cost.width_px; })
          .Range(1, 16384)
          .Whole()
          .Unit("pixels")
          .Stale(Stage::kPlan)
          .Label("width", "Video width in pixels.")
          .Since(2),
      Number("vae_spatial", "cost.vae_spatial", [](S& s) { return &s.cost.vae_spatial; })
          .Range(1, 64)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("VAE spatial", "The VAE's spatial compression factor.")
          .Since(2),
      Number("vae_temporal", "cost.vae_temporal", [](S& s) { return &s.cost.vae_temporal; })
          .Range(1, 64)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("VAE temporal", "The VAE's temporal compression factor (frame 0 is kept).")
          .Since(2),
      Number("patch", "cost.patch", [](S& s) { return &s.cost.patch; })
          .Range(1, 16)
          .Whole()
          .Stale(Stage::kPlan)
          .Label("patch", "Spatial patch size of the DiT.")
          .Since(2),
      Bool("typed_shape", "cost.typed_shape", [](S& s) { return &s.cost.typed_shape; })
          .Label("typed in", "Cost a typed-in shape instead of the planner's models.")
          .Since(2),
      Number("shape_width", "cost.shape_width", [](S& s) { return &s.cost.shape_width; })
          .Range(1, 16384)
          .Whole()
          .Label("width d", "Width of the typed-in model.")
          .Since(2),
      Number("shape_depth", "cost.shape_depth", [](S& s) { return &s.cost.shape_depth; })
          .Range(1, 1000)
          .Whole()
          .Label("depth", "Blocks of the typed-in model.")
          .Since(2),
      Number("shape_heads", "cost.shape_heads", [](S& s) { return &s.cost.shape_heads; })
          .Range(1, 256)
          .Whole()
          .Label("heads", "Attention heads of the typed-in model.")
          .Since(2),
      Number("block_params", "compute.block_params", [](S& s) { return &s.compute.block_params; })
          .Flag("--block-params")
          .Range(12, 16)
          .Whole()
          .Stale(Stage::kRead)
          .Label("parameters per block (d^2)",
                 "N = this x depth x width^2: 16 for the paper's DiT block (the DiT count needs "
                 "it), 12 for a standard transformer block (6N only).")
          .Since(2),
      Number("design_max_flops", "design.max_flops", [](S& s) { return &s.design_max_flops; })
          .Flag("--max-flops")
          .Range(0, 1e35, kOpen)
          .None("auto", NAN)
          .Unit("FLOP")
          .Stale(Stage::kPlan)
          .Label("allowance per candidate (FLOPs)",
                 "design: the most one candidate cell's runs may cost together (auto: what the "
                 "current sweep cost).")
          .Since(2),
      // ---- Version 3 ----------------------------------------------------------------------
      Integer("compare_group_first", "groups.compare_first",
              [](S& s) { return &s.compare_group_first; })
          .Range(1, kMaxGroups)
          .Label("first group",
                 "The planner compares this group's plan with the second group's "
                 "(numbered in the order the groups first appear in the data).")
          .Since(3),
      Integer("compare_group_second", "groups.compare_second",
              [](S& s) { return &s.compare_group_second; })
          .Range(1, kMaxGroups)
          .Label("second group",
                 "The planner compares the first group's plan with this group's "
                 "(numbered in the order the groups first appear in the data).")
          .Since(3),
      // ---- Version 4 ----------------------------------------------------------------------
      Number("design_allowance_flops", "design.allowance_flops",
             [](S& s) { return &s.design_allowance_flops; })
          .Flag("--allowance")
          .Range(0, 1e35, kOpen)
          .None("auto", NAN)
          .Unit("FLOP")
          .Stale(Stage::kPlan)
          .Label("allowance (FLOPs)",
                 "design: what the recommended set of new runs may cost together (auto: the "
                 "per-candidate limit).")
          .Since(4),
      Bool("keep_unfinished", "reader.keep_unfinished", [](S& s) { return &s.keep_unfinished; })
          .Switch("--keep-unfinished", "true",
                  "Keep runs that a status column (status, State) says did not finish.")
          .Stale(Stage::kRead)
          .Label("keep unfinished runs",
                 "Keep runs that a status column (status, State) says failed, crashed, were killed "
                 "or are still running.")
          .Since(4),
      EnumSetting(
          "checkpoints", "reader.checkpoints", +[](S& s) { return &s.checkpoints; })
          .Flag("--checkpoints")
          .Stale(Stage::kRead)
          .Label("checkpoints",
                 "Training curves (a run id, several rows per run): final reads each run's last "
                 "checkpoint; all reads every checkpoint as a token budget, right for constant or "
                 "warmup-stable-decay schedules before the decay, not for cosine schedules.")
          .Since(4),
      EnumSetting(
          "batch_column", "reader.batch_column", +[](S& s) { return &s.batch_column; })
          .Flag("--batch-column")
          .Stale(Stage::kRead)
          .Label("batch column counts",
                 "What the data's batch column counts: tokens, or samples of tokens per sample "
                 "tokens each.")
          .Since(4),
      Integer("shown_group", "groups.shown", [](S& s) { return &s.shown_group; })
          .Range(0, kMaxGroups)
          .Stale(Stage::kFit)
          .Label("headline group",
                 "With a group column, the group whose fit and plan the planner, the status line "
                 "and the plots' main series show (numbered in the order the groups first appear "
                 "in the data); 0 pools all groups into one fit.")
          .Since(4),
      EnumSetting(
          "model_kind", "plan.model_kind", +[](S& s) { return &s.model_kind; })
          .Stale(Stage::kPlan)
          .Label("model kind",
                 "What the model generates, for the planner's and the cost panel's wording and "
                 "inputs: a video DiT (per video; frames, resolution, VAE) or a language model "
                 "(per sequence of tokens per sample tokens); guess: from the compute model and "
                 "the data's columns.")
          .Since(4),
  };
  for (Setting& row : t) {
    const std::string json = row.json;
    if (json == "reader.columns") {
      row.columns = [](S& s) { return &s.columns; };
      row.Flag("--column").Stale(Stage::kRead);
      row.Label("column", "Use this header for the role (empty: guess).");
    } else if (json == "excluded_rows") {
      row.rows = [](S& s) { return &s.excluded_rows; };
      row.Flag("--exclude").Stale(Stage::kRead);
      row.Label("excluded rows",
                "Data rows (1-based) left out of every fit, e.g. 3,8-10. Toggle single runs in "
                "the Data panel.");
    } else if (json == "plan.budget_flops") {
      row.upper_note = "more is absurd: check the units";
      row.in_display_unit = true;
    } else if (json == "compare_preset") {
      row.check_text = KnownPresetOrNone;
    } else if (json == "open_panel") {
      row.names = &PanelNames();
    }
  }
  return t;
}

std::string Quote(std::string_view text) {
  return "'" + std::string(text.substr(0, 200)) + "'";
}

std::string Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return std::string(text.substr(begin, end - begin));
}

bool Fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// A section word in front of page labels where the label alone is ambiguous in a link's message.
std::string Section(const Setting& row) {
  const std::string_view json = row.json;
  if (json.rfind("fit.", 0) == 0) return "fit ";
  if (json.rfind("compute.", 0) == 0) return "compute model ";
  return "";
}

// What a number must be, phrased for the side it broke.
std::string Requirement(const Setting& row, bool above) {
  const std::string kind = row.whole ? "a whole number" : "a finite number";
  const bool positive = row.min == 0 && row.min_open;
  if (above && row.max != kInf) {
    if (row.max_open) return "below " + ShortNumber(row.max);
    return "between " + ShortNumber(row.min) + " and " + ShortNumber(row.max);
  }
  if (positive && (row.max == kInf || !above)) {
    return row.whole ? "a positive whole number" : "a finite positive number";
  }
  if (row.max == kInf) return kind + (row.min_open ? " > " : " >= ") + ShortNumber(row.min);
  return kind + " in " + (row.min_open ? "(" : "[") + ShortNumber(row.min) + ", " +
         ShortNumber(row.max) + (row.max_open ? ")" : "]");
}

std::string Broken(const Setting& row, Audience audience, const std::string& shown,
                   const std::string& requirement, bool above) {
  const std::string note = above && row.upper_note ? std::string("; ") + row.upper_note : "";
  if (audience == Audience::kProgram) {
    return SettingName(row, audience) + " = " + shown + ": must be " + requirement + note;
  }
  return SettingName(row, audience) + " must be " + requirement + " (got " + shown + ")" + note;
}

bool CheckNumber(const Setting& row, double x, Audience audience, const std::string& shown,
                 std::string* error) {
  bool ok;
  if (std::isnan(x)) {
    // NaN means "none" (free, not forced); only the standard NaN, so that a link has one encoding
    // and a state file (which writes "NaN") reproduces it bit for bit.
    uint64_t bits, canonical;
    const double quiet = std::numeric_limits<double>::quiet_NaN();
    std::memcpy(&bits, &x, sizeof bits);
    std::memcpy(&canonical, &quiet, sizeof canonical);
    if (row.allow_nan && bits != canonical) {
      return Fail(error, SettingName(row, audience) + " holds a non-standard NaN (a damaged link)");
    }
    ok = row.allow_nan;
  } else if (std::isinf(x)) {
    ok = x > 0 && row.allow_infinity;
  } else {
    ok = (row.min_open ? x > row.min : x >= row.min) && (row.max_open ? x < row.max : x <= row.max);
    ok = ok && (!row.whole || x == std::floor(x));
  }
  if (ok) return true;
  const bool above = !std::isnan(x) && (x > row.max || (x == row.max && row.max_open));
  return Fail(error, Broken(row, audience, shown, Requirement(row, above), above));
}

// Digits only, at most `max`.
bool ParseUnsigned(std::string_view text, uint64_t max, uint64_t* value) {
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  errno = 0;
  const unsigned long long v = std::strtoull(std::string(text).c_str(), nullptr, 10);
  if (errno != 0 || v > max) return false;
  *value = v;
  return true;
}

bool ParseBool(std::string_view text, bool* value) {
  for (const char* yes : {"true", "on", "yes", "1"}) {
    if (text == yes) return *value = true, true;
  }
  for (const char* no : {"false", "off", "no", "0"}) {
    if (text == no) return *value = false, true;
  }
  return false;
}

bool CheckText(const Setting& row, const std::string& name, const std::string& text,
               const DecodeLimits& limits, std::string* error) {
  const size_t cap = limits.*(row.cap);
  if (text.size() > cap) {
    return Fail(error, name + " too large (" + std::to_string(text.size()) + " bytes; limit " +
                           std::to_string(cap) + ")");
  }
  int index = 0;
  if (row.names && !row.names->FindExact(text, &index)) {
    return Fail(error,
                "unknown " + std::string(row.names->what()) + " " + Quote(text.substr(0, 64)));
  }
  return true;
}

bool CheckRows(const std::vector<int>& rows, const DecodeLimits& limits, std::string* error) {
  if (rows.size() > limits.max_excluded) {
    return Fail(error, "too many excluded rows (" + std::to_string(rows.size()) + "; limit " +
                           std::to_string(limits.max_excluded) + ")");
  }
  for (int row : rows) {
    if (row < 1 || row > limits.max_row) {
      return Fail(error, "excluded row " + std::to_string(row) + " is not a data row (1 to " +
                             std::to_string(limits.max_row) + ")");
    }
  }
  return true;
}

bool CheckColumns(const ColumnOverrides& columns, const DecodeLimits& limits, std::string* error) {
  if (columns.size() > limits.max_columns) {
    return Fail(error, "too many column overrides (" + std::to_string(columns.size()) + "; limit " +
                           std::to_string(limits.max_columns) + ")");
  }
  for (const auto& [role, header] : columns) {
    if (!EnumNamesOf<Role>().Has(static_cast<int>(role))) {
      return Fail(error, "unknown column role " + std::to_string(static_cast<int>(role)));
    }
    if (header.size() > limits.max_string) {
      return Fail(error, "column header too large (" + std::to_string(header.size()) +
                             " bytes; limit " + std::to_string(limits.max_string) + ")");
    }
  }
  return true;
}

// One column override from the page ("column.loss" = "val loss"; "" returns the role to the
// guess) or the CLI ("loss=val loss", each role once).
bool ApplyColumn(const Setting& row, std::string_view key, const std::string& text,
                 Audience audience, ColumnOverrides* columns, std::string* error, bool accumulate) {
  const std::string name = SettingName(row, audience);
  std::string role_text, header;
  if (key.size() > 7 && key.substr(0, 7) == "column.") {
    role_text = std::string(key.substr(7));
    header = text;
  } else {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      return Fail(error,
                  name + ": " + Quote(text) + " is not ROLE=HEADER (e.g. \"loss=smooth loss\")");
    }
    role_text = text.substr(0, eq);
    header = text.substr(eq + 1);
  }
  Role role;
  if (!ParseEnum(role_text, &role)) {
    return Fail(error, name + ": unknown role " + Quote(role_text) +
                           " (roles: " + EnumNamesOf<Role>().List() + ")");
  }
  ColumnOverrides next = *columns;
  const auto same = [&](const auto& c) { return c.first == role; };
  if (accumulate && std::any_of(next.begin(), next.end(), same)) {
    return Fail(error, name + ": role " + Quote(role_text) + " is given twice");
  }
  next.erase(std::remove_if(next.begin(), next.end(), same), next.end());
  if (!header.empty()) next.emplace_back(role, header);
  if (!CheckColumns(next, DecodeLimits{}, error)) return false;
  *columns = std::move(next);
  return true;
}

}  // namespace

std::string ShortNumber(double x) {
  char buffer[40];
  if (x == std::floor(x) && std::fabs(x) < 1e16) {  // whole: all its digits ("1000000000")
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
    if (std::isnan(x) || std::strtod(buffer, nullptr) == x) break;
  }
  return buffer;
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> table = MakeTable();
  return table;
}

const Setting* FindSetting(std::string_view key) {
  if (key.empty()) return nullptr;
  if (key.size() > 7 && key.substr(0, 7) == "column.") key = "column";
  for (const Setting& row : Settings()) {
    if (key == row.key) return &row;
  }
  return nullptr;
}

const Setting* FindFlag(std::string_view flag) {
  for (const Setting& row : Settings()) {
    if ((row.flag && flag == row.flag) || (row.switch_flag && flag == row.switch_flag)) return &row;
  }
  return nullptr;
}

std::string SettingName(const Setting& row, Audience audience) {
  switch (audience) {
    case Audience::kCli:
      if (row.flag) return row.flag;
      if (row.switch_flag) return row.switch_flag;
      return row.label;
    case Audience::kProgram:
      return std::string(row.label) + " (" + row.json + ")";
    case Audience::kPage:
      break;
  }
  return Section(row) + row.label;
}

bool ParseRowList(std::string_view text, int max_row, std::vector<int>* rows, std::string* error) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const size_t dash = item.find('-', 1);
    uint64_t lo = 0, hi = 0;
    const bool ok =
        dash == std::string::npos
            ? ParseUnsigned(item, static_cast<uint64_t>(max_row), &lo) && (hi = lo, true)
            : ParseUnsigned(Trim(item.substr(0, dash)), max_row, &lo) &&
                  ParseUnsigned(Trim(item.substr(dash + 1)), max_row, &hi);
    if (!ok || lo < 1 || hi < lo) {
      return Fail(error, Quote(item) + " is not a row number or range like 5-7 (rows start at 1, " +
                             "at most " + std::to_string(max_row) + ")");
    }
    // Counted before expanding: a short text of many long ranges would otherwise take gigabytes.
    const uint64_t max_listed = DecodeLimits{}.max_excluded;
    if (hi - lo >= max_listed || out.size() + (hi - lo + 1) > max_listed) {
      return Fail(error, "the rows listed (" + Quote(item) + " and before it) come to more than " +
                             std::to_string(max_listed) + " rows");
    }
    for (uint64_t r = lo; r <= hi; ++r) out.push_back(static_cast<int>(r));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  *rows = std::move(out);
  return true;
}

bool ApplySetting(const Setting& row, std::string_view key, const std::string& typed,
                  Audience audience, AnalysisState* state, std::string* error, bool accumulate) {
  const std::string name = SettingName(row, audience);
  const std::string text = row.type == SettingType::kText ? typed : Trim(typed);
  switch (row.type) {
    case SettingType::kNumber:
    case SettingType::kInteger: {
      double x = NAN;
      std::string reason;
      if (row.none_word && (text.empty() || text == row.none_word)) {
        x = row.none_value;
      } else if (!ParseNumber(text, &x, &reason) || std::isnan(x)) {
        // A typed NaN is no number, even where NaN stands for the none word.
        return Fail(error, name + ": " + Quote(text) + " is not a number" +
                               (reason.empty() ? "" : " (" + reason + ")"));
      }
      const bool whole = row.type == SettingType::kInteger || row.whole;
      if (whole && std::isfinite(x) && x != std::floor(x)) {
        Setting as_whole = row;
        as_whole.whole = true;
        return CheckNumber(as_whole, x, audience, text, error);
      }
      if (row.in_display_unit && audience == Audience::kPage && std::isfinite(x)) {
        x = BudgetFlopsFromUnit(*state, x);
      }
      if (row.type == SettingType::kInteger) {
        Setting as_whole = row;
        as_whole.whole = true;
        if (!CheckNumber(as_whole, x, audience, text, error)) return false;
        *row.integer(*state) = static_cast<int>(x);
        return true;
      }
      if (!CheckNumber(row, x, audience, text, error)) return false;
      *row.number(*state) = x;
      return true;
    }
    case SettingType::kSeed: {
      uint64_t v = 0;
      if (!ParseUnsigned(text, std::numeric_limits<uint64_t>::max(), &v)) {
        return Fail(error, name + " must be a whole number >= 0 (got " + text.substr(0, 64) + ")");
      }
      *row.seed(*state) = v;
      return true;
    }
    case SettingType::kBool: {
      bool b = false;
      if (!ParseBool(text, &b)) {
        return Fail(error, name + " must be on or off (true or false; got " + Quote(text) + ")");
      }
      *row.boolean(*state) = b;
      return true;
    }
    case SettingType::kEnum: {
      int v = 0;
      if (!row.names->Parse(text, &v)) {
        return Fail(error, name + ": " + Quote(text) + " is not one of " + row.names->List());
      }
      row.set_enum(*state, v);
      return true;
    }
    case SettingType::kText: {
      int index = 0;
      if (row.names && !row.names->FindExact(text, &index)) {
        return Fail(error, name + ": " + Quote(text) + " is not one of " + row.names->List());
      }
      std::string why;
      if (row.check_text && !row.check_text(text, &why)) return Fail(error, name + ": " + why);
      if (!CheckText(row, name, text, DecodeLimits{}, error)) return false;
      *row.text(*state) = text;
      return true;
    }
    case SettingType::kRows: {
      std::vector<int> rows;
      std::string why;
      if (!ParseRowList(text, DecodeLimits{}.max_row, &rows, &why)) {
        return Fail(error, name + ": " + why);
      }
      std::vector<int>& target = *row.rows(*state);
      if (accumulate) {
        rows.insert(rows.end(), target.begin(), target.end());
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      }
      if (!CheckRows(rows, DecodeLimits{}, &why)) return Fail(error, name + ": " + why);
      target = std::move(rows);
      return true;
    }
    case SettingType::kColumns:
      return ApplyColumn(row, key, typed, audience, row.columns(*state), error, accumulate);
  }
  return Fail(error, name + ": unknown setting type");
}

bool CheckSetting(const Setting& row, const AnalysisState& state, const DecodeLimits& limits,
                  Audience audience, std::string* error) {
  AnalysisState& s = const_cast<AnalysisState&>(state);  // the accessors only read here
  switch (row.type) {
    case SettingType::kNumber: {
      const double x = *row.number(s);
      return CheckNumber(row, x, audience, ShortNumber(x), error);
    }
    case SettingType::kInteger: {
      const int v = *row.integer(s);
      return CheckNumber(row, v, audience, std::to_string(v), error);
    }
    case SettingType::kSeed:
    case SettingType::kBool:
      return true;
    case SettingType::kEnum: {
      const int v = row.get_enum(state);
      if (row.names->Has(v)) return true;
      if (audience == Audience::kProgram) {
        return Fail(error, SettingName(row, audience) + " = " + std::to_string(v) +
                               ": must be one of " + row.names->List());
      }
      return Fail(error, "unknown " + std::string(row.names->what()) + " " + std::to_string(v));
    }
    case SettingType::kText:
      return CheckText(row, row.label, *row.text(s), limits, error);
    case SettingType::kRows:
      return CheckRows(*row.rows(s), limits, error);
    case SettingType::kColumns:
      return CheckColumns(*row.columns(s), limits, error);
  }
  return true;
}

bool CheckSettings(std::string_view prefix, const AnalysisState& state, Audience audience,
                   std::string* error) {
  for (const Setting& row : Settings()) {
    if (std::string_view(row.json).substr(0, prefix.size()) != prefix) continue;
    if (!CheckSetting(row, state, DecodeLimits{}, audience, error)) return false;
  }
  return true;
}

std::string FormatSetting(const Setting& row, const AnalysisState& state) {
  AnalysisState& s = const_cast<AnalysisState&>(state);  // the accessors only read here
  switch (row.type) {
    case SettingType::kNumber: {
      const double x = *row.number(s);
      if (row.none_word && (x == row.none_value || (std::isnan(x) && std::isnan(row.none_value))))
        return row.none_word;
      return ShortNumber(x);
    }
    case SettingType::kInteger:
      return std::to_string(*row.integer(s));
    case SettingType::kSeed:
      return std::to_string(*row.seed(s));
    case SettingType::kBool:
      return *row.boolean(s) ? "true" : "false";
    case SettingType::kEnum:
      return row.names->Name(row.get_enum(state));
    case SettingType::kText:
      return *row.text(s);
    case SettingType::kRows: {
      std::string out;
      for (int r : *row.rows(s)) out += (out.empty() ? "" : ",") + std::to_string(r);
      return out;
    }
    case SettingType::kColumns: {
      std::string out;
      for (const auto& [role, header] : *row.columns(s))
        out += (out.empty() ? "" : "; ") + std::string(ToString(role)) + "=" + header;
      return out;
    }
  }
  return "";
}

}  // namespace scalecalc

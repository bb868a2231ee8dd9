#include "cli/args.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "core/enum_names.h"
#include "core/presets.h"
#include "core/settings_schema.h"

namespace scalecalc {

namespace {

std::string Quote(const std::string& text) {
  return "'" + text + "'";
}

// Splits "--flag=value" into flag and value; a flag without '=' takes the next argument.
class ArgReader {
 public:
  explicit ArgReader(const std::vector<std::string>& argv) : argv_(argv) {}
  bool Done() const { return i_ >= argv_.size(); }
  // The next argument; for "--flag=value" the flag part, with the value kept for Value().
  std::string Next() {
    std::string arg = argv_[i_++];
    inline_value_.clear();
    has_inline_ = false;
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value_ = arg.substr(eq + 1);
        has_inline_ = true;
        arg = arg.substr(0, eq);
      }
    }
    return arg;
  }
  bool Value(const std::string& flag, std::string* value, std::string* error) {
    if (has_inline_) {
      *value = inline_value_;
      has_inline_ = false;
      return true;
    }
    if (Done()) {
      *error = flag + " needs a value";
      return false;
    }
    *value = argv_[i_++];
    return true;
  }
  bool HasInlineValue() const { return has_inline_; }

 private:
  const std::vector<std::string>& argv_;
  size_t i_ = 1;
  std::string inline_value_;
  bool has_inline_ = false;
};

// The sweep designer's settings apply to 'design' only.
bool DesignOnly(const Setting& row) {
  return std::string_view(row.json).rfind("design.", 0) == 0;
}

// Settings of the data and the fit apply to 'fit' only; compute and plan settings to both.
bool FitOnly(const Setting& row) {
  const std::string_view json = row.json;
  return json.rfind("compute.", 0) != 0 && json.rfind("plan.", 0) != 0 && !DesignOnly(row);
}

// --optimum band:PERCENT sets the band tolerance too, by its own row's rule.
bool ApplyOptimum(const Setting& row, const std::string& text, AnalysisState* state,
                  std::string* error) {
  const size_t colon = text.find(':');
  if (!ApplySetting(row, row.key, text.substr(0, colon), Audience::kCli, state, error)) {
    *error = "--optimum: " + Quote(text) + " is not argmin, band[:PERCENT] or smooth";
    return false;
  }
  if (colon == std::string::npos) return true;
  if (state->fit.optimum != OptimumMethod::kBand) {
    *error = "--optimum: only band takes a percentage (got " + Quote(text) + ")";
    return false;
  }
  const Setting& band = *FindSetting("band_tolerance");
  double percent = NAN;
  std::string reason;
  const std::string value = text.substr(colon + 1);
  std::string why;
  if (!ParseNumber(value, &percent, &reason) ||
      !ApplySetting(band, band.key, ShortNumber(percent / 100), Audience::kCli, state, &why)) {
    *error = "--optimum: band percentage must be a number in [" + ShortNumber(band.min * 100) +
             ", " + ShortNumber(band.max * 100) + ") (got " + Quote(value) + ")";
    return false;
  }
  return true;
}

std::string Metavar(const Setting& row) {
  switch (row.type) {
    case SettingType::kEnum: {
      std::string names;
      for (int v = 0; v < row.names->count(); ++v)
        names += std::string(v ? "|" : "") + row.names->Name(v);
      return names;
    }
    case SettingType::kBool:
      return "on|off";
    case SettingType::kRows:
      return "ROWS";
    case SettingType::kColumns:
      return "ROLE=HEADER";
    case SettingType::kText:
      return "NAME";
    case SettingType::kInteger:
    case SettingType::kSeed:
      return "K";
    case SettingType::kNumber:
      break;
  }
  std::string unit = *row.unit ? row.unit : "x";
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return unit;
}

// "  --flag META      help (default D)", wrapped at 99 columns under the help column.
std::string HelpLine(const std::string& flag, const std::string& help) {
  std::string out = "  " + flag;
  const size_t column = 27;
  out += out.size() + 1 < column ? std::string(column - out.size(), ' ')
                                 : "\n" + std::string(column, ' ');
  size_t width = column;
  std::string word;
  std::istringstream words(help);
  bool first = true;
  while (words >> word) {
    if (!first && width + 1 + word.size() > 99) {
      out += "\n" + std::string(column, ' ');
      width = column;
      first = true;
    }
    out += (first ? "" : " ") + word;
    width += (first ? 0 : 1) + word.size();
    first = false;
  }
  return out + "\n";
}

std::string FlagHelp(bool fit_only) {
  const AnalysisState defaults;
  std::string out;
  for (const Setting& row : Settings()) {
    if (FitOnly(row) != fit_only || DesignOnly(row)) continue;
    const std::string shown_default = FormatSetting(row, defaults);
    std::string help = row.help;
    if (row.flag && row.type != SettingType::kRows && row.type != SettingType::kColumns &&
        !shown_default.empty()) {
      help += " (default " + shown_default + ")";
    }
    if (row.type == SettingType::kColumns)
      help += " ROLE is one of: " + EnumNamesOf<Role>().List() + " (repeat the flag per role).";
    if (row.flag && std::string_view(row.flag) == "--tokens-per-sample")
      help +=
          " The batch column counts samples only when this flag is given (without it, the "
          "batch column is in tokens and the default is n_ctx alone).";
    if (row.flag && std::string_view(row.flag) == "--optimum")
      help += " band takes a percentage: band:0.25.";
    if (row.flag && std::string_view(row.flag) == "--batch-column")
      help += " With --tokens-per-sample and no --batch-column: samples.";
    if (row.flag) out += HelpLine(std::string(row.flag) + " " + Metavar(row), help);
    if (row.switch_flag) out += HelpLine(row.switch_flag, row.switch_help);
  }
  return out;
}

}  // namespace

bool ParseArgs(const std::vector<std::string>& argv, CliArgs* args, std::string* error) {
  *args = CliArgs();
  if (argv.size() < 2) {
    *error = "no command (try 'scalecalc --help')";
    return false;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    args->command = Command::kHelp;
    return true;
  }
  if (command == "fit") {
    args->command = Command::kFit;
  } else if (command == "plan") {
    args->command = Command::kPlan;
  } else if (command == "presets") {
    args->command = Command::kPresets;
  } else if (command == "design") {
    args->command = Command::kDesign;
  } else if (command == "open") {
    args->command = Command::kOpen;
  } else {
    *error = "unknown command " + Quote(command) +
             " (commands: fit, plan, design, open, presets, --help)";
    return false;
  }
  ArgReader reader(argv);
  reader.Next();  // the command
  const bool design = args->command == Command::kDesign;
  const bool fit = args->command == Command::kFit || design;  // design fits first
  const bool plan = args->command == Command::kPlan;
  const bool open = args->command == Command::kOpen;
  AnalysisState& state = args->state;
  bool has_budget = false, has_tokens_per_sample = false, has_batch_column = false;
  std::string batch_samples, value;
  while (!reader.Done()) {
    const std::string arg = reader.Next();
    if (arg == "--help" || arg == "-h") {
      args->command = Command::kHelp;
      return true;
    }
    if (arg.empty() || arg[0] != '-' || arg == "-") {
      if (fit && args->runs_path.empty()) {
        args->runs_path = arg;
        continue;
      }
      if (open && args->source.empty()) {
        args->source = arg;
        continue;
      }
      *error = "unexpected argument " + Quote(arg);
      return false;
    }
    if (arg == "--json") {
      if (reader.HasInlineValue()) {
        *error = arg + " takes no value";
        return false;
      }
      args->json = true;
      continue;
    }
    if (open && arg != "--threads") {
      *error =
          "'open' takes its settings from the link or state file; only --json and --threads "
          "apply (got " +
          Quote(arg) + ")";
      return false;
    }
    const Setting* row = FindFlag(arg);
    // Not settings of the analysis: --threads says how, not what (the output is the same).
    const bool cli_only = arg == "--preset" || arg == "--batch-samples" || arg == "--threads";
    if (!row && !cli_only) {
      *error = "unknown option " + Quote(arg) + " (see 'scalecalc --help')";
      return false;
    }
    if (args->command == Command::kPresets) {
      *error = "'presets' takes no option but --json (got " + Quote(arg) + ")";
      return false;
    }
    if (row && DesignOnly(*row) && !design) {
      *error = arg + " applies to 'design' only";
      return false;
    }
    if (row && FitOnly(*row) && !fit) {
      *error = arg + " applies to 'fit' only";
      return false;
    }
    if (arg == "--preset" && !plan) {
      *error = "--preset applies to 'plan' only";
      return false;
    }
    if (arg == "--threads" && !fit && !open) {
      *error = "--threads applies to 'fit', 'design' and 'open' only";
      return false;
    }
    if (row && row->switch_flag && arg == row->switch_flag) {
      if (reader.HasInlineValue()) {
        *error = arg + " takes no value";
        return false;
      }
      if (!ApplySetting(*row, row->key, row->switch_value, Audience::kCli, &state, error))
        return false;
      continue;
    }
    if (!reader.Value(arg, &value, error)) return false;
    if (arg == "--preset") {
      args->preset = value;
    } else if (arg == "--batch-samples") {
      batch_samples = value;
    } else if (arg == "--threads") {
      const bool digits = !value.empty() && value.size() <= 4 &&
                          value.find_first_not_of("0123456789") == std::string::npos;
      const int threads = digits ? std::stoi(value) : 0;
      if (threads < 1 || threads > kMaxThreads) {
        *error = "--threads: " + Quote(value) + " is not a whole number from 1 to " +
                 std::to_string(kMaxThreads);
        return false;
      }
      args->threads = threads;
    } else if (arg == "--optimum") {
      if (!ApplyOptimum(*row, value, &state, error)) return false;
    } else if (!ApplySetting(*row, row->key, value, Audience::kCli, &state, error,
                             /*accumulate=*/true)) {
      return false;
    }
    has_budget = has_budget || arg == "--budget";
    has_tokens_per_sample = has_tokens_per_sample || arg == "--tokens-per-sample";
    has_batch_column = has_batch_column || arg == "--batch-column";
  }

  // One tokens per sample: n_ctx for the DiT count, the plan's batch in samples and, with the
  // batch column in samples, the batch column's. Given without --batch-column, it means (as
  // before format 4) that the batch column counts samples.
  if (has_tokens_per_sample && !has_batch_column) state.batch_column = BatchColumn::kSamples;
  if (!batch_samples.empty()) {
    if (!std::isnan(state.plan.forced_batch_tokens)) {
      *error = "--batch-samples and --batch-tokens both force the batch: give one";
      return false;
    }
    double samples = NAN;
    std::string reason;
    if (!ParseNumber(batch_samples, &samples, &reason) || !(samples >= 1) ||
        samples != std::floor(samples)) {
      *error = "--batch-samples must be a whole number >= 1 (got " + Quote(batch_samples) + ")";
      return false;
    }
    const std::string tokens = ShortNumber(samples * state.compute.tokens_per_sample);
    if (!ApplySetting(*FindFlag("--batch-tokens"), "batch_tokens", tokens, Audience::kCli, &state,
                      error)) {
      *error = "--batch-samples: " + *error + " (samples x --tokens-per-sample)";
      return false;
    }
  }
  state.plan.compute = state.compute;
  args->read = state.MakeReadOptions();
  args->fit = state.fit;
  args->exclude_rows = state.excluded_rows;
  args->plan = state.plan;
  args->has_budget = has_budget;

  if (open && args->source.empty()) {
    *error = "open needs a share link, a file holding one or a state file (or - for stdin)";
    return false;
  }
  if (open && args->source.size() > kMaxLinkArgumentBytes) {
    *error = "open: the argument is " + std::to_string(args->source.size()) +
             " bytes, more than a command line should carry (" +
             std::to_string(kMaxLinkArgumentBytes >> 10) +
             " KiB): put the link in a file, or pass it on standard input with -";
    return false;
  }
  if (fit && args->runs_path.empty()) {
    *error = std::string(design ? "design" : "fit") + " needs a CSV file of runs (or - for stdin)";
    return false;
  }
  // Rules that tie plan fields together, named by their flags.
  if ((has_budget || plan) && !args->plan.CheckShapeRules(Audience::kCli, error)) return false;
  if (design) {
    if (!has_budget) {
      *error = "design needs --budget FLOPS (the budget the plan is for)";
      return false;
    }
  }
  if (plan) {
    if (args->preset.empty()) {
      std::string names;
      for (const std::string& n : PresetNames()) names += (names.empty() ? "" : ", ") + n;
      *error = "plan needs --preset NAME (one of: " + names + ")";
      return false;
    }
    if (FindPreset(args->preset) == nullptr) {
      *error = "--preset: unknown preset " + Quote(args->preset) + " (see 'scalecalc presets')";
      return false;
    }
    if (!has_budget) {
      *error = "plan needs --budget FLOPS";
      return false;
    }
  }
  return true;
}

std::string UsageText() {
  return R"(scalecalc: scaling laws for video diffusion transformers

usage:
  scalecalc fit RUNS.csv [options]     fit the laws to a sweep (RUNS.csv '-' reads stdin)
  scalecalc plan --preset NAME --budget FLOPS [options]
                                       plan a training run from a published law set
  scalecalc design RUNS.csv --budget FLOPS [--max-flops FLOPS] [--allowance FLOPS] [fit options]
                                       the runs to add next: a set of new (N, T) cells with their
                                       lr x batch grids within the allowance, chosen by how much
                                       they narrow N_opt per FLOP (simulated), and the candidates
  scalecalc open LINK|FILE|- [--json]  analyse what the page shares, as the page did: a share
                                       link (the URL or its fragment; in a file, or on stdin
                                       with -) or a saved state file; --json prints the page's
                                       results file (File > Download results (JSON))
  scalecalc presets [--json]           list the published law sets
  scalecalc --help

fit options:
)" + FlagHelp(true) +
         HelpLine("--threads N",
                  "Threads the bootstrap runs on (default: every core); the output is the same "
                  "for any N.") +
         R"(
compute and plan options (fit with --budget, and plan):
)" + FlagHelp(false) +
         HelpLine("--batch-samples K",
                  "Force the batch in samples: K x --tokens-per-sample tokens (instead of "
                  "--batch-tokens).") +
         HelpLine("--preset NAME", "plan: the published law set (see 'scalecalc presets').") +
         HelpLine("--json", "One JSON object on stdout, raw units, NaN as null.") + R"(
design options (with the fit options; --budget is the plan's budget):
)" + HelpLine("--max-flops F", FindFlag("--max-flops")->help) +
         HelpLine("--allowance F", FindFlag("--allowance")->help) +
         R"(
Numbers may be written 1e22, 1.07B, 250M, 3k; caps and forced values take 'none'. Every fit and
plan carries a trust report: a status (ok, partial, failed), a termination and warnings
[{code, message, severity}] in the JSON, and each warning once on stderr as a line
"warning: [code] message" (info notes stay in the reports). Exit status: 0 a result,
full or partial (too few points for a law still reports the cells and what they support;
"status" says which); 1 the fit failed numerically; 2 bad input (flag, value, file, CSV, no data,
or a plan the budget or caps cannot make or that is not physical), with the reason on stderr
(CSV problems by line and column).
)";
}

}  // namespace scalecalc

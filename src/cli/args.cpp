#include "cli/args.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/presets.h"

namespace scalecalc {

namespace {

constexpr int kMaxBootstrap = 100000;
constexpr long kMaxRow = 100000000;

// An unsigned decimal integer, digits only.
bool ParseUnsigned(const std::string& text, unsigned long long max, unsigned long long* value) {
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || v > max) return false;
  *value = v;
  return true;
}

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

bool Number(const std::string& flag, const std::string& text, double* value, std::string* error) {
  std::string reason;
  if (!ParseNumber(text, value, &reason)) {
    *error = flag + ": " + Quote(text) + " is not a number" +
             (reason.empty() ? "" : " (" + reason + ")");
    return false;
  }
  return true;
}

bool PositiveNumber(const std::string& flag, const std::string& text, double* value,
                    std::string* error) {
  if (!Number(flag, text, value, error)) return false;
  if (!(std::isfinite(*value) && *value > 0)) {
    *error = flag + ": " + Quote(text) + " must be a finite positive number";
    return false;
  }
  return true;
}

bool ParseColumn(const std::string& text, ReadOptions* read, std::string* error) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    *error = "--column: " + Quote(text) + " is not ROLE=HEADER (e.g. \"loss=smooth loss\")";
    return false;
  }
  Role role;
  const std::string role_text = text.substr(0, eq);
  if (!FromString(role_text, &role)) {
    *error = "--column: unknown role " + Quote(role_text) +
             " (roles: params, tokens, flops, lr, batch, loss)";
    return false;
  }
  for (const auto& mapped : read->columns) {
    if (mapped.first == role) {
      *error = "--column: role " + Quote(role_text) + " is given twice";
      return false;
    }
  }
  read->columns.emplace_back(role, text.substr(eq + 1));
  return true;
}

bool ParseOptimum(const std::string& text, FitOptions* fit, std::string* error) {
  const size_t colon = text.find(':');
  const std::string method = text.substr(0, colon);
  if (!FromString(method, &fit->optimum)) {
    *error = "--optimum: " + Quote(text) + " is not argmin, band[:PERCENT] or smooth";
    return false;
  }
  if (colon == std::string::npos) return true;
  if (fit->optimum != OptimumMethod::kBand) {
    *error = "--optimum: only band takes a percentage (got " + Quote(text) + ")";
    return false;
  }
  double percent = NAN;
  const std::string value = text.substr(colon + 1);
  if (!Number("--optimum", value, &percent, error)) return false;
  if (!(percent > 0 && percent < 50)) {
    *error = "--optimum: band percentage must be in (0, 50) (got " + Quote(value) + ")";
    return false;
  }
  fit->band_tolerance = percent / 100.0;
  return true;
}

}  // namespace

bool ParseRowList(const std::string& text, std::vector<int>* rows, std::string* error) {
  rows->clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t dash = item.find('-');
    unsigned long long lo = 0, hi = 0;
    const bool ok = dash == std::string::npos
                        ? ParseUnsigned(item, kMaxRow, &lo) && (hi = lo, true)
                        : ParseUnsigned(item.substr(0, dash), kMaxRow, &lo) &&
                              ParseUnsigned(item.substr(dash + 1), kMaxRow, &hi);
    if (!ok || lo < 1 || hi < lo) {
      *error = "--exclude: " + Quote(item) + " in " + Quote(text) +
               " is not a data row number or range (1-based, e.g. 3,5-7)";
      return false;
    }
    if (hi - lo > 1000000) {
      *error = "--exclude: range " + Quote(item) + " is too long";
      return false;
    }
    for (unsigned long long r = lo; r <= hi; ++r) rows->push_back(static_cast<int>(r));
    start = end + 1;
  }
  std::sort(rows->begin(), rows->end());
  rows->erase(std::unique(rows->begin(), rows->end()), rows->end());
  return true;
}

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
  } else {
    *error = "unknown command " + Quote(command) + " (commands: fit, plan, presets, --help)";
    return false;
  }
  ArgReader reader(argv);
  reader.Next();  // the command
  const bool fit = args->command == Command::kFit;
  const bool plan = args->command == Command::kPlan;
  bool has_budget = false;
  double tokens_per_sample = NAN;
  std::string value;
  while (!reader.Done()) {
    const std::string arg = reader.Next();
    if (arg == "--help" || arg == "-h") {
      args->command = Command::kHelp;
      return true;
    }
    // Flags without a value.
    if (arg == "--json" || arg == "--skip-bad-rows" || arg == "--no-guidance") {
      if (reader.HasInlineValue()) {
        *error = arg + " takes no value";
        return false;
      }
      if (arg == "--json") {
        args->json = true;
      } else if (arg == "--no-guidance") {
        args->plan.demand.guidance = false;
      } else if (fit) {
        args->read.bad_rows = BadRowPolicy::kSkip;
      } else {
        *error = arg + " applies to 'fit' only";
        return false;
      }
      continue;
    }
    if (arg.empty() || arg[0] != '-' || arg == "-") {
      if (fit && args->runs_path.empty()) {
        args->runs_path = arg;
        continue;
      }
      *error = "unexpected argument " + Quote(arg);
      return false;
    }
    // Flags with a value.
    static const char* const kFitOnly[] = {"--column", "--optimum", "--bootstrap", "--seed",
                                           "--exclude"};
    static const char* const kKnown[] = {"--column",
                                         "--tokens-per-sample",
                                         "--compute",
                                         "--width-per-depth",
                                         "--optimum",
                                         "--bootstrap",
                                         "--seed",
                                         "--exclude",
                                         "--budget",
                                         "--max-params",
                                         "--max-tokens",
                                         "--tolerance",
                                         "--preset",
                                         "--params",
                                         "--videos",
                                         "--sampling-steps",
                                         "--tokens-per-video",
                                         "--text-tokens"};
    if (std::find(std::begin(kKnown), std::end(kKnown), arg) == std::end(kKnown)) {
      *error = "unknown option " + Quote(arg) + " (see 'scalecalc --help')";
      return false;
    }
    if (!fit && std::find(std::begin(kFitOnly), std::end(kFitOnly), arg) != std::end(kFitOnly)) {
      *error = arg + " applies to 'fit' only";
      return false;
    }
    if (args->command == Command::kPresets) {
      *error = "'presets' takes no option but --json (got " + Quote(arg) + ")";
      return false;
    }
    if (arg == "--preset" && !plan) {
      *error = "--preset applies to 'plan' only";
      return false;
    }
    if (!reader.Value(arg, &value, error)) return false;
    if (arg == "--column") {
      if (!ParseColumn(value, &args->read, error)) return false;
    } else if (arg == "--tokens-per-sample") {
      if (!PositiveNumber(arg, value, &tokens_per_sample, error)) return false;
    } else if (arg == "--compute") {
      if (!FromString(value, &args->plan.compute.kind)) {
        *error = "--compute: " + Quote(value) + " is not 6n or dit";
        return false;
      }
    } else if (arg == "--width-per-depth") {
      if (!PositiveNumber(arg, value, &args->plan.compute.width_per_depth, error)) return false;
    } else if (arg == "--optimum") {
      if (!ParseOptimum(value, &args->fit, error)) return false;
    } else if (arg == "--bootstrap") {
      unsigned long long k = 0;
      if (!ParseUnsigned(value, kMaxBootstrap, &k)) {
        *error = "--bootstrap: " + Quote(value) + " is not a whole number from 0 to " +
                 std::to_string(kMaxBootstrap);
        return false;
      }
      args->fit.bootstrap_samples = static_cast<int>(k);
    } else if (arg == "--seed") {
      unsigned long long seed = 0;
      if (!ParseUnsigned(value, UINT64_MAX, &seed)) {
        *error = "--seed: " + Quote(value) + " is not a whole number >= 0";
        return false;
      }
      args->fit.seed = seed;
    } else if (arg == "--exclude") {
      std::vector<int> rows;
      if (!ParseRowList(value, &rows, error)) return false;
      args->exclude_rows.insert(args->exclude_rows.end(), rows.begin(), rows.end());
    } else if (arg == "--budget") {
      if (!Number(arg, value, &args->plan.budget_flops, error)) return false;
      has_budget = true;
    } else if (arg == "--max-params") {
      if (!Number(arg, value, &args->plan.max_params, error)) return false;
    } else if (arg == "--max-tokens") {
      if (!Number(arg, value, &args->plan.max_tokens, error)) return false;
    } else if (arg == "--tolerance") {
      if (!Number(arg, value, &args->plan.loss_tolerance, error)) return false;
    } else if (arg == "--preset") {
      args->preset = value;
    } else if (arg == "--params") {
      if (!Number(arg, value, &args->plan.fixed_params, error)) return false;
    } else if (arg == "--videos") {
      if (!Number(arg, value, &args->plan.demand.videos, error)) return false;
    } else if (arg == "--sampling-steps") {
      if (!Number(arg, value, &args->plan.demand.sampling_steps, error)) return false;
    } else if (arg == "--tokens-per-video") {
      if (!Number(arg, value, &args->plan.demand.tokens_per_video, error)) return false;
    } else if (arg == "--text-tokens") {
      if (!Number(arg, value, &args->plan.demand.text_tokens, error)) return false;
    }
  }

  // The data's tokens per sample: the batch column counts samples, and it is n_ctx for the DiT
  // count and for batch_samples in the plan.
  if (std::isfinite(tokens_per_sample)) {
    args->read.tokens_per_sample = tokens_per_sample;
    args->plan.compute.tokens_per_sample = tokens_per_sample;
  }
  args->read.compute = args->plan.compute;
  args->has_budget = has_budget;
  std::sort(args->exclude_rows.begin(), args->exclude_rows.end());
  args->exclude_rows.erase(std::unique(args->exclude_rows.begin(), args->exclude_rows.end()),
                           args->exclude_rows.end());

  if (fit && args->runs_path.empty()) {
    *error = "fit needs a CSV file of runs (or - for stdin)";
    return false;
  }
  if (plan) {
    if (args->preset.empty()) {
      *error = "plan needs --preset NAME (one of: " + [] {
        std::string names;
        for (const std::string& n : PresetNames()) names += (names.empty() ? "" : ", ") + n;
        return names;
      }() + ")";
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
  if (fit) {
    std::string why;
    if (!args->fit.IsValid(&why)) {
      *error = "invalid fit options: " + why;
      return false;
    }
  }
  if (has_budget || plan) {
    std::string why;
    if (!args->plan.IsValid(&why)) {
      // Name the flag the user typed, not only the field.
      static const char* const kFlags[][2] = {{"budget_flops", "--budget"},
                                              {"max_params", "--max-params"},
                                              {"max_tokens", "--max-tokens"},
                                              {"loss_tolerance", "--tolerance"},
                                              {"fixed_params", "--params"},
                                              {"demand.videos", "--videos"},
                                              {"demand.sampling_steps", "--sampling-steps"},
                                              {"demand.tokens_per_video", "--tokens-per-video"},
                                              {"demand.text_tokens", "--text-tokens"},
                                              {"tokens per sample", "--tokens-per-sample"},
                                              {"width per depth", "--width-per-depth"}};
      std::string flag = "invalid plan options";
      for (const auto& pair : kFlags) {
        if (why.find(pair[0]) != std::string::npos) {
          flag = pair[1];
          break;
        }
      }
      *error = flag + ": " + why;
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
  scalecalc presets [--json]           list the published law sets
  scalecalc --help

fit options:
  --column ROLE=HEADER     use column HEADER for ROLE (params, tokens, flops, lr, batch, loss),
                           e.g. --column "loss=smooth loss"; repeatable
  --tokens-per-sample K    tokens per sample: the batch column counts samples (x K), and K is
                           n_ctx for the DiT compute count (default 1280)
  --optimum METHOD         cell optimum: argmin (default), band[:PERCENT] (default 0.25), smooth
  --bootstrap K            bootstrap resamples for the intervals (default 1000; 0: none)
  --seed S                 bootstrap seed (default 1)
  --exclude ROWS           leave data rows out, 1-based, e.g. 3,5-7
  --skip-bad-rows          skip malformed rows with a warning instead of refusing the file

compute and plan options (fit with --budget, and plan):
  --compute 6n|dit         training FLOPs per token: 6N (default) or the paper's DiT count
  --width-per-depth R      DiT shape rule d = R depth (default 64)
  --budget FLOPS           compute budget, e.g. 1e22
  --max-params N           cap on the model size, e.g. 3B
  --max-tokens T           cap on the training tokens
  --tolerance REL          "good enough" loss, relative to the optimum (default 0.001)
  --params N               plan this model size instead of optimising it (needed for the
                           presets without a loss law: deepseek, steplaw)
  --videos V               videos served over the model's life: adds the total-cost optimum
  --sampling-steps S       denoising steps per video (default 50)
  --no-guidance            no classifier-free guidance (halves inference)
  --tokens-per-video K     latent tokens per generated video (default 1280)
  --text-tokens M          text tokens read by cross-attention (default 0)
  --json                   one JSON object on stdout, raw units, NaN as null

Numbers may be written 1e22, 1.07B, 250M, 3k. Every fit and plan carries a trust report: a
status (ok, partial, failed), a termination and warnings [{code, message, severity}] in the JSON,
and "warning:" lines on stderr. Exit status: 0 a result, full or partial (too few points for a
law still reports the cells and what they support; "status" says which); 1 the fit failed
numerically; 2 bad input (flag, value, file, CSV, no data, or a plan the budget or caps cannot
make or that is not physical), with the reason on stderr (CSV problems by line and column).
)";
}

}  // namespace scalecalc

// args.h: the scalecalc command line, parsed into plain option structs of the core.
//
//   CliArgs args;
//   std::string error;
//   if (!ParseArgs(argc, argv, &args, &error)) { fprintf(stderr, "scalecalc: %s\n", ...); exit 2; }
//
// The flags are the settings schema's (core/settings_schema.h): each sets one row through
// ApplySetting, which parses the value as people write it (1e22, 1.07B, 250M) and checks the row's
// rule, so every error names the flag and the value, and what reaches main is runnable.
#pragma once

#include <string>
#include <vector>

#include "core/analysis_state.h"
#include "core/csv_reader.h"
#include "core/fit.h"
#include "core/planner.h"

namespace scalecalc {

enum class Command { kHelp, kFit, kPlan, kPresets, kDesign, kOpen };

struct CliArgs {
  Command command = Command::kHelp;
  std::string runs_path;  // fit, design: the CSV file, "-" for stdin
  std::string source;     // open: a share link, a file holding one or a state file, "-" for stdin
  ReadOptions read;       // columns, tokens per sample, bad-row policy, compute model
  FitOptions fit;
  std::vector<int> exclude_rows;  // 1-based data rows, sorted, unique
  bool has_budget = false;        // fit: --budget given, so a plan is made
  PlanOptions plan;               // budget, caps, tolerance, demand, compute (same as read.compute)
  std::string preset;             // plan: --preset NAME
  bool json = false;
  AnalysisState state;  // every setting the flags set (the fields above are taken from it)
  int threads = 0;      // fit: bootstrap threads (--threads), 0: every core. Not shared state.
};

constexpr int kMaxThreads = 1024;
// open: a link given on the command line (larger ones come in a file or on stdin).
constexpr size_t kMaxLinkArgumentBytes = 128u << 10;

// argv[0] is the program; returns false with a message naming the bad flag or value.
bool ParseArgs(const std::vector<std::string>& argv, CliArgs* args, std::string* error);

std::string UsageText();

}  // namespace scalecalc

// args_fuzz.cpp: libFuzzer target for the command-line parser (src/cli/args.cpp).
//
// The input is split at NUL bytes into arguments after "scalecalc". ParseArgs must never crash,
// must explain every refusal, and whatever it accepts must be runnable: the fit and plan options
// it hands to main pass their own IsValid (the promise args.h makes). A broken promise aborts so
// the fuzzer reports it. Seeds: fuzz/corpus/args/ (one command line per file, NUL-separated).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/settings_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> argv = {"scalecalc"};
  std::string current;
  for (size_t i = 0; i < size && argv.size() < 64; ++i) {
    if (data[i] == 0) {
      argv.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (!current.empty() || (size > 0 && data[size - 1] == 0)) argv.push_back(current);

  scalecalc::CliArgs args;
  std::string error;
  if (!scalecalc::ParseArgs(argv, &args, &error)) {
    if (error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  if (!error.empty()) std::abort();
  std::string why;
  if (args.command == scalecalc::Command::kFit) {
    if (args.runs_path.empty() || !args.fit.IsValid(&why)) std::abort();
    for (size_t i = 1; i < args.exclude_rows.size(); ++i) {
      if (args.exclude_rows[i] <= args.exclude_rows[i - 1]) std::abort();  // sorted, unique
    }
  }
  if (args.command == scalecalc::Command::kPlan && args.preset.empty()) std::abort();
  if ((args.has_budget || args.command == scalecalc::Command::kPlan) && !args.plan.IsValid(&why)) {
    std::abort();
  }
  // The row-list syntax on its own (the schema's one parser): 1-based, sorted, unique, capped.
  // A small cap here (ParseArgs above used the real one): a million-row range takes seconds under
  // the fuzzer's instrumentation and would starve the campaign.
  std::vector<int> rows;
  const int max_row = 10000;
  if (argv.size() > 1 && scalecalc::ParseRowList(argv.back(), max_row, &rows, &error)) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] < 1 || rows[i] > max_row) std::abort();
      if (i > 0 && rows[i] <= rows[i - 1]) std::abort();
    }
  }
  return 0;
}

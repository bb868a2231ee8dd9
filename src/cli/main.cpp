// scalecalc command-line tool: fit laws to a CSV of runs, plan from a preset, design the next runs,
// open what the page shares (a link or a state file), list presets.
// See UsageText() in args.cpp for the interface; exit status 0 a result (full or partial: the
// JSON's "status" says which), 1 the fit failed numerically, 2 bad input (flag, value, file, CSV,
// no data, or a plan the budget or caps cannot make).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.h"
#include "cli/report.h"
#include "cli/share_link.h"
#include "core/analysis.h"
#include "core/csv_reader.h"
#include "core/designer.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/presets.h"
#include "core/results_json.h"

namespace scalecalc {
namespace {

constexpr int kExitFitFailed = 1;
constexpr int kExitBadInput = 2;

void Error(const std::string& message) {
  std::fprintf(stderr, "scalecalc: %s\n", message.c_str());
}

// Reads a whole file, or stdin for "-". False with a message naming the path.
bool ReadInput(const std::string& path, size_t max_bytes, std::string* text, std::string* error) {
  const bool is_stdin = path == "-";
  std::FILE* file = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  char buffer[1 << 16];
  size_t got = 0;
  bool too_big = false;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text->append(buffer, got);
    if (text->size() > max_bytes) {
      too_big = true;
      break;
    }
  }
  const bool failed = std::ferror(file) != 0;
  const int saved = errno;
  if (!is_stdin) std::fclose(file);
  const std::string name = is_stdin ? "standard input" : "'" + path + "'";
  if (failed) {
    *error = "cannot read " + name + ": " + std::strerror(saved);
    return false;
  }
  if (too_big) {
    *error = name + " is larger than " + std::to_string(max_bytes >> 20) + " MiB";
    return false;
  }
  return true;
}

// Every warning of a result (severity warning or error; info notes stay in the reports), once
// each: "warning: [code] message", after `who` ("" or "group NAME: ").
void ReportWarnings(const std::vector<Warning>& warnings, const std::string& who) {
  for (const Warning& w : warnings) {
    if (w.severity == Severity::kInfo) continue;
    Error("warning: [" + w.code + "] " + who + w.message);
  }
}

// --threads N (default: every core): how the bootstrap is computed, never what.
BootstrapExecution BootstrapThreads(const CliArgs& args) {
  BootstrapExecution execution;
  execution.threads =
      args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  return execution;
}

// The exit status of one table's fit and plan, its problems said on stderr after `who` ("" or
// "group NAME: "): 0 a result (full or partial), 1 a numerical failure, 2 bad input (no data, or a
// budget the law cannot plan). Shared by the ungrouped and the grouped paths, so a group is
// reported as its rows alone would be.
int ReportTable(const FitSummary& fit, bool planned, const Plan& plan, const std::string& who) {
  int status = 0;
  if (fit.status == ResultStatus::kFailed) {
    Error(who + "fit failed: " + fit.message);
    status = fit.termination == FitTermination::kNoData ? kExitBadInput : kExitFitFailed;
  } else {
    ReportWarnings(fit.warnings, who);
    if (fit.status == ResultStatus::kPartial) {
      Error(who + "partial result (the fit's warnings say what is missing)");
    }
  }
  // A partial fit without a usable loss law makes no plan, but is still a result (exit 0): the
  // plan's entry says why (core/groups.h PlanFit).
  if (!planned || (!plan.ok && !fit.ok)) return status;
  if (!plan.ok) {
    Error(who + "plan: " + plan.message);
    return kExitBadInput;
  }
  ReportWarnings(plan.warnings, who + "plan: ");
  if (plan.status == ResultStatus::kPartial) {
    Error(who + "plan: partial result (the plan's warnings say what is missing)");
  }
  return status;
}

// The comparison table, then each group's fit, plan and Approach 2 as the ungrouped report.
void PrintGroups(const GroupSplit& split, const std::vector<GroupAnalysis>& groups,
                 const PlanOptions& plan_options) {
  std::cout << GroupComparisonReport(split.column, groups);
  for (const GroupAnalysis& g : groups) {
    const TableAnalysis& t = g.analysis;
    std::cout << "\n=== " << split.column << " = " << g.name << " ===\n"
              << t.fit.FullReport() << "\n";
    // An LLM law set has no DiT shape, samples or inference per video: as ungrouped.
    if (t.planned) std::cout << "\n" << PlanReport(t.plan, plan_options, t.fit.laws.video_dit);
    if (t.isoflop.applicable) std::cout << "\n" << IsoFlopReport(t.isoflop, t.comparison);
  }
}

// fit --group-by: each group fitted, planned and put through Approach 2 on its own, with the
// statuses of the ungrouped path per group. Exit 0 when at least one group gives a result (the
// others say why on stderr and in their JSON); otherwise 2 when every group failed for its input
// (no data, a budget it cannot plan), else 1.
int ReportGroupedFit(const CliArgs& args, const Analysis& a, const std::vector<int>& excluded,
                     const std::vector<std::string>& warnings, const std::string& where) {
  if (!a.split.ok) {
    Error(where + ": " + a.split.message);
    return kExitBadInput;
  }
  int results = 0, bad_input = 0;
  bool all_ok = true;
  for (const GroupAnalysis& g : a.groups) {
    const TableAnalysis& t = g.analysis;
    const int status = ReportTable(t.fit, t.planned, t.plan, "group " + g.name + ": ");
    results += status == 0 ? 1 : 0;
    bad_input += status == kExitBadInput ? 1 : 0;
    all_ok = all_ok && status == 0 && t.fit.status == ResultStatus::kOk &&
             (!t.planned || t.plan.status == ResultStatus::kOk);
  }
  const int groups_count = static_cast<int>(a.groups.size());
  const int status = results > 0 ? 0 : bad_input == groups_count ? kExitBadInput : kExitFitFailed;
  if (args.json) {
    Json out = GroupsJson(a.split, a.groups, a.read, excluded, args.plan, warnings);
    // Over all groups: ok when every group is, partial when some give a result, else failed.
    out["status"] = ToString(all_ok        ? ResultStatus::kOk
                             : results > 0 ? ResultStatus::kPartial
                                           : ResultStatus::kFailed);
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << "Input " << where << "\n";
    for (const std::string& note : a.read.notes) std::cout << "  " << note << "\n";
    std::cout << FlaggedReport(a.read.table) << "\n";
    PrintGroups(a.split, a.groups, args.plan);
  }
  return status;
}

// How a design that did not rank exits: the user's limits are input (2, named by their flag),
// anything else a design the data cannot make (1).
struct DesignExit {
  DesignTermination termination;
  int status;
  const char* prefix;  // of the message on stderr
};
constexpr DesignExit kDesignExits[] = {
    {DesignTermination::kMaxFlopsTooSmall, kExitBadInput, "--max-flops: "},
    {DesignTermination::kAllowanceTooSmall, kExitBadInput, "--allowance: "},
    {DesignTermination::kInvalidOptions, kExitBadInput, "design: "},
};
const DesignExit& DesignExitOf(DesignTermination termination) {
  static constexpr DesignExit kOther = {DesignTermination::kNotRun, kExitFitFailed, "design: "};
  for (const DesignExit& exit : kDesignExits) {
    if (exit.termination == termination) return exit;
  }
  return kOther;
}

// design: the next cells to add to the headline table (core/designer.h), with the simulation.
int ReportDesign(const CliArgs& args, const Analysis& a, const std::vector<std::string>& warnings) {
  const FitSummary& fit = a.fit;
  const Design& design = a.design;
  if (fit.status != ResultStatus::kFailed) ReportWarnings(fit.warnings, "");
  if (args.json) {
    Json out = DesignJson(design, fit);
    // The input's problems, then the design's warnings: {code, message, severity} as the fit's.
    Json all = Json::array();
    for (const std::string& text : warnings) {
      all.push_back({{"code", "input"}, {"message", text}, {"severity", "warning"}});
    }
    for (const Json& w : out["warnings"]) all.push_back(w);
    out["warnings"] = all;
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << DesignReport(design, design.options);
  }
  if (!fit.ok) {
    Error("fit failed: " + fit.message);
    return kExitFitFailed;
  }
  if (!design.ok) {
    const DesignExit& exit = DesignExitOf(design.termination);
    Error(std::string(exit.prefix) + design.message);
    return exit.status;
  }
  return 0;
}

// fit, design: the CSV read with the flags' settings, then the core's pipeline (core/analysis.h):
// the plan only with --budget, the design's simulation only for design.
int RunFit(const CliArgs& args) {
  const std::string where = args.runs_path == "-" ? "stdin" : args.runs_path;
  AnalysisState state = args.state;
  std::string error;
  if (!ReadInput(args.runs_path, args.read.max_bytes, &state.csv_text, &error)) {
    Error(error);
    return kExitBadInput;
  }
  Analysis a;
  ReadStage(state, &a);
  const ReadResult& read = a.read;
  std::vector<std::string> warnings;
  for (const InputProblem& problem : read.warnings) {
    Error("warning: " + where + ": " + problem.ToString());
    warnings.push_back(problem.ToString());
  }
  if (!read.ok) {
    for (const InputProblem& problem : read.errors) Error(where + ": " + problem.ToString());
    if (read.errors.empty()) Error(where + ": no runs could be read");
    return kExitBadInput;
  }

  // The user's outlier policy (rows left out by number, visible in the output): a row that is not
  // in the table is refused, or said when the bad-row policy skipped it.
  std::vector<int> excluded;
  for (int row : args.exclude_rows) {
    const bool found = std::any_of(read.table.runs.begin(), read.table.runs.end(),
                                   [row](const Run& run) { return run.data_row == row; });
    if (found) {
      excluded.push_back(row);
    } else if (args.read.bad_rows == BadRowPolicy::kSkip) {
      const std::string message = "--exclude: data row " + std::to_string(row) +
                                  " is not in the table (skipped or missing)";
      Error("warning: " + message);
      warnings.push_back(message);
    } else {
      Error("--exclude: there is no data row " + std::to_string(row) + " in " + where + " (" +
            std::to_string(read.table.runs.size()) + " data rows)");
      return kExitBadInput;
    }
  }
  if (read.table.CountIncluded() == 0) {
    Error(where + ": every run is excluded: nothing to fit");
    return kExitBadInput;
  }

  const bool design = args.command == Command::kDesign;
  AnalyzeOptions options;
  options.execution = BootstrapThreads(args);
  options.plan = args.has_budget;
  options.design_draws = design ? DesignOptions{}.simulation_draws : -1;
  FitStage(state, options, &a);
  PlanStage(state, options, &a);
  if (design) return ReportDesign(args, a, warnings);
  if (!state.group_column.empty()) return ReportGroupedFit(args, a, excluded, warnings, where);

  const FitSummary& fit = a.fit;
  const int status = ReportTable(fit, a.planned, a.plan, "");
  if (args.json) {
    Json out = FitJson(fit, read, excluded, a.planned ? &a.plan : nullptr, args.plan, warnings);
    if (a.isoflop.applicable) out["isoflop"] = IsoFlopJson(a.isoflop, a.isoflop_comparison);
    std::cout << DumpJson(out) << "\n";
  } else {
    // How the columns were guessed (an ambiguity resolved is said here, not refused).
    std::cout << "Input " << where << "\n";
    for (const std::string& note : read.notes) std::cout << "  " << note << "\n";
    std::cout << FlaggedReport(read.table);
    std::cout << "\n" << fit.FullReport() << "\n";
    if (a.planned) std::cout << "\n" << PlanReport(a.plan, args.plan, fit.laws.video_dit);
    if (a.isoflop.applicable) std::cout << "\n" << IsoFlopReport(a.isoflop, a.isoflop_comparison);
  }
  return status;
}

// A state from what `open` was given: a state file (JSON) or a share link's text.
DecodeResult DecodeOpened(const std::string& text) {
  size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;  // a UTF-8 byte-order mark
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  if (start < text.size() && text[start] == '{') {
    // As the page opens a state file.
    DecodeResult decoded = StateFromJson(std::string_view(text).substr(start), StateFileLimits());
    if (!decoded.ok) decoded.message = "this state file could not be opened: " + decoded.message;
    return decoded;
  }
  DecodeResult decoded;
  std::vector<uint8_t> bytes;
  std::string error;
  if (!StateBytesFromLink(std::string_view(text).substr(start), &bytes, &error)) {
    decoded.message = "this link could not be opened: " + error;
    return decoded;
  }
  decoded = DecodeState(bytes.data(), bytes.size());
  if (!decoded.ok) decoded.message = "this link could not be opened: " + decoded.message;
  return decoded;
}

// open: what the page shares, analysed by the core's pipeline as the page analyses it, with the
// state's bootstrap; --json prints the page's results file.
int RunOpen(const CliArgs& args) {
  const bool inline_link = args.source != "-" && LooksLikeLink(args.source);
  const std::string where = inline_link          ? "the link"
                            : args.source == "-" ? "standard input"
                                                 : "'" + args.source + "'";
  std::string text, error;
  if (inline_link) {
    text = args.source;
  } else if (!ReadInput(args.source, kMaxDataBytes, &text, &error)) {
    Error(error);
    return kExitBadInput;
  }
  const DecodeResult decoded = DecodeOpened(text);
  if (!decoded.ok) {
    Error(where + ": " + decoded.message);
    return kExitBadInput;
  }
  if (!decoded.notice.empty()) Error("note: " + decoded.notice);
  const AnalysisState& state = decoded.state;
  AnalyzeOptions options;
  options.execution = BootstrapThreads(args);
  const Analysis analysis = Analyze(state, options);
  const ReadResult& read = analysis.read;
  if (!read.ok) {
    for (const InputProblem& problem : read.errors) Error(where + ": " + problem.ToString());
    if (read.errors.empty()) Error(where + ": no runs could be read");
    return kExitBadInput;
  }
  for (const InputProblem& problem : read.warnings) Error("warning: " + problem.ToString());
  const FitSummary& fit = analysis.fit;
  const std::string headline = analysis.headline_group >= 0
                                   ? "group " + analysis.groups[analysis.headline_group].name + ": "
                                   : "";
  int status = 0;
  if (fit.status == ResultStatus::kFailed) {
    Error(headline + "fit failed: " + fit.message);
    status = fit.termination == FitTermination::kNoData ? kExitBadInput : kExitFitFailed;
  } else {
    ReportWarnings(fit.warnings, headline);
    if (analysis.plan.ok) ReportWarnings(analysis.plan.warnings, headline + "plan: ");
  }
  const PlanOptions plan_options = state.MakePlanOptions();
  if (args.json) {
    std::cout << DumpJson(AnalysisJson(state, analysis)) << "\n";
    return status;
  }
  const size_t runs = read.table.runs.size();
  std::cout << "Opened " << state.data_name << " from " << where << ": " << runs
            << (runs == 1 ? " run" : " runs") << " (format version " << decoded.version << ")\n";
  for (const std::string& note : read.notes) std::cout << "  " << note << "\n";
  std::cout << FlaggedReport(read.table);
  if (!state.group_column.empty()) {
    std::cout << "\n";
    if (analysis.split.ok) {
      PrintGroups(analysis.split, analysis.groups, plan_options);
    } else {
      std::cout << "Groups: " << analysis.split.message << "\n";
    }
    std::cout << "\n=== headline: "
              << (headline.empty() ? "the whole table" : headline.substr(0, headline.size() - 2))
              << " ===\n";
  }
  std::cout << "\n" << fit.FullReport() << "\n";
  if (analysis.planned) {
    std::cout << "\n" << PlanReport(analysis.plan, plan_options, fit.laws.video_dit);
  }
  if (analysis.isoflop.applicable) {
    std::cout << "\n" << IsoFlopReport(analysis.isoflop, analysis.isoflop_comparison);
  }
  std::cout << "\n" << DesignReport(analysis.design, analysis.design.options);
  return status;
}

int RunPlan(const CliArgs& args) {
  const PresetInfo* preset = FindPreset(args.preset);  // checked by ParseArgs
  const Plan plan = MakePlan(preset->laws, args.plan);
  if (args.json) {
    Json out;
    out["preset"] = PresetJson(*preset);
    out["plan"] = PlanJson(plan, args.plan);
    if (!preset->published_optima.empty()) {
      const OptimumComparison cmp =
          CompareOptima(*preset, args.plan.compute, args.plan.budget_flops);
      Json published = Json::array();
      for (double n : cmp.published_params) published.push_back(JsonNumber(n));
      out["comparison"] = {{"budget_flops", JsonNumber(cmp.budget_flops)},
                           {"derived_params", JsonNumber(cmp.derived_params)},
                           {"derived_exponent", JsonNumber(cmp.derived_exponent)},
                           {"published_params", published},
                           {"text", cmp.text}};
    }
    out["warnings"] = WarningsJson(plan.warnings);
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << PresetReport(*preset, args.plan) << "\n"
              << PlanReport(plan, args.plan, preset->laws.video_dit);
  }
  if (!plan.ok) {
    Error("plan: " + plan.message);
    return kExitBadInput;
  }
  ReportWarnings(plan.warnings, "plan: ");
  if (plan.status == ResultStatus::kPartial) {
    Error("plan: partial result (the plan's warnings say what is missing)");
  }
  return 0;
}

int RunPresets(const CliArgs& args) {
  if (args.json) {
    Json list = Json::array();
    for (const PresetInfo& preset : Presets()) list.push_back(PresetJson(preset));
    std::cout << DumpJson({{"presets", list}}) << "\n";
  } else {
    std::cout << PresetListReport();
  }
  return 0;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> argv_strings(argv, argv + argc);
  CliArgs args;
  std::string error;
  if (!ParseArgs(argv_strings, &args, &error)) {
    Error(error);
    return kExitBadInput;
  }
  switch (args.command) {
    case Command::kHelp:
      std::cout << UsageText();
      return 0;
    case Command::kFit:
      return RunFit(args);
    case Command::kPlan:
      return RunPlan(args);
    case Command::kPresets:
      return RunPresets(args);
    case Command::kDesign:
      return RunFit(args);  // reads the runs, then RunDesign
    case Command::kOpen:
      return RunOpen(args);
  }
  return kExitBadInput;
}

}  // namespace
}  // namespace scalecalc

int main(int argc, char** argv) {
  try {
    return scalecalc::Main(argc, argv);
  } catch (const std::exception& e) {  // the core never throws; this guards the CLI's own code
    std::fprintf(stderr, "scalecalc: internal error: %s\n", e.what());
    return 1;
  }
}

#include "app/model.h"

#include <algorithm>
#include <cmath>

namespace scalecalc::app {

namespace {

std::string ParseValue(const std::string& name, const std::string& text, double* value) {
  std::string reason;
  if (!ParseNumber(text, value, &reason)) return name + ": " + reason;
  return "";
}

// Finite and > 0, or the option's message.
std::string ParsePositive(const std::string& name, const std::string& text, double* value) {
  std::string error = ParseValue(name, text, value);
  if (!error.empty()) return error;
  if (!std::isfinite(*value) || *value <= 0)
    return name + " must be a positive number (got " + text + ")";
  return "";
}

// "3,5-7" -> {3, 5, 6, 7}; rows are 1-based data rows.
std::string ParseRows(const std::string& text, std::vector<int>* rows) {
  rows->clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      const size_t dash = item.find('-', 1);
      char* tail = nullptr;
      const long first = std::strtol(item.c_str(), &tail, 10);
      long last = first;
      if (dash != std::string::npos) last = std::strtol(item.c_str() + dash + 1, &tail, 10);
      if (*tail != '\0' || first < 1 || last < first || last > 10000000 ||
          (dash == std::string::npos && tail != item.c_str() + item.size())) {
        return "exclude: \"" + item + "\" is not a row number or range like 5-7 (rows start at 1)";
      }
      if (last - first > 1000000) return "exclude: range " + item + " is too large";
      for (long r = first; r <= last; ++r) rows->push_back(static_cast<int>(r));
    }
    start = end + 1;
  }
  std::sort(rows->begin(), rows->end());
  rows->erase(std::unique(rows->begin(), rows->end()), rows->end());
  return "";
}

}  // namespace

const std::vector<std::string>& Model::OptionNames() {
  static const std::vector<std::string> names = {
      "optimum",    "band_tolerance", "cell_tolerance", "bootstrap",         "seed",
      "exclude",    "budget",         "budget_unit",    "gpu_flops",         "max_params",
      "max_tokens", "tolerance",      "compute",        "tokens_per_sample", "width_per_depth",
      "videos",     "sampling_steps", "guidance",       "video_tokens",      "compare",
      "panel",      "bad_rows",       "column.params",  "column.tokens",     "column.flops",
      "column.lr",  "column.batch",   "column.loss"};
  return names;
}

std::string Model::SetOption(const std::string& name, const std::string& value) {
  const AnalysisState before = analysis;
  AnalysisState& a = analysis;
  double number = NAN;
  std::string error;
  if (name == "optimum") {
    OptimumMethod method;
    if (!FromString(value, &method))
      return "optimum: \"" + value + "\" is not one of argmin, band, smooth";
    a.fit.optimum = method;
    Invalidate(Stale::kFit);
  } else if (name == "band_tolerance") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    if (number >= 0.5)
      return "band_tolerance is a fraction of the minimum loss and must be below 0.5 (0.0025 is "
             "0.25%)";
    a.fit.band_tolerance = number;
    Invalidate(Stale::kFit);
  } else if (name == "cell_tolerance") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    if (number >= 0.5) return "cell_tolerance must be below 0.5 (a relative gap)";
    a.fit.cell_tolerance = number;
    Invalidate(Stale::kFit);
  } else if (name == "bootstrap" || name == "seed") {
    if (!(error = ParseValue(name, value, &number)).empty()) return error;
    if (!(number >= 0) || number != std::floor(number))
      return name + " must be a whole number >= 0 (got " + value + ")";
    if (name == "bootstrap") {
      if (number > 100000) return "bootstrap: at most 100000 resamples (got " + value + ")";
      a.fit.bootstrap_samples = static_cast<int>(number);
    } else {
      if (number > 9007199254740992.0) return "seed must be below 2^53 (got " + value + ")";
      a.fit.seed = static_cast<uint64_t>(number);
    }
    Invalidate(Stale::kFit);
  } else if (name == "exclude") {
    std::vector<int> rows;
    if (!(error = ParseRows(value, &rows)).empty()) return error;
    a.excluded_rows = rows;
    Invalidate(Stale::kRead);
  } else if ((name == "max_params" || name == "max_tokens") && (value.empty() || value == "none")) {
    (name == "max_params" ? a.plan.max_params : a.plan.max_tokens) = INFINITY;  // no cap
    Invalidate(Stale::kPlan);
  } else if (name == "budget" || name == "max_params" || name == "max_tokens" ||
             name == "gpu_flops") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    if (name == "budget") {
      const double flops = BudgetFlopsFromUnit(a, number);  // typed in the unit shown next to it
      if (flops < 1e10 || flops > 1e35)
        return "budget must lie between 1e10 and 1e35 FLOPs (got " + value + ")";
      a.plan.budget_flops = flops;
    } else if (name == "max_params") {
      a.plan.max_params = number;
    } else if (name == "max_tokens") {
      a.plan.max_tokens = number;
    } else {
      a.gpu_flops_per_second = number;
    }
    Invalidate(Stale::kPlan);
  } else if (name == "budget_unit") {
    BudgetUnit unit;
    if (!FromString(value, &unit))
      return "budget_unit: \"" + value + "\" is not one of flops, pf_days, gpu_hours";
    a.budget_unit = unit;
  } else if (name == "tolerance") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    if (number >= 0.5) return "tolerance is relative (0.001 is 0.1%) and must be below 0.5";
    a.plan.loss_tolerance = number;
    Invalidate(Stale::kPlan);
  } else if (name == "compute") {
    ComputeKind kind;
    if (!FromString(value, &kind)) return "compute: \"" + value + "\" is not one of 6n, dit";
    a.compute.kind = kind;
    Invalidate(Stale::kRead);  // tokens may be derived from FLOPs through it
  } else if (name == "tokens_per_sample" || name == "width_per_depth") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    if (name == "tokens_per_sample") {
      if (number < 1 || number > 1e8) return "tokens_per_sample must lie between 1 and 1e8";
      a.compute.tokens_per_sample = number;
    } else {
      if (number > 1e4) return "width_per_depth must be at most 1e4";
      a.compute.width_per_depth = number;
    }
    Invalidate(Stale::kRead);
  } else if (name == "videos") {
    if (!(error = ParseValue(name, value, &number)).empty()) return error;
    if (!std::isfinite(number) || number < 0)
      return "videos must be a number >= 0 (got " + value + ")";
    a.plan.demand.videos = number;
    Invalidate(Stale::kPlan);
  } else if (name == "sampling_steps" || name == "video_tokens") {
    if (!(error = ParsePositive(name, value, &number)).empty()) return error;
    (name == "sampling_steps" ? a.plan.demand.sampling_steps : a.plan.demand.tokens_per_video) =
        number;
    Invalidate(Stale::kPlan);
  } else if (name == "guidance") {
    if (value != "true" && value != "false") return "guidance must be true or false";
    a.plan.demand.guidance = value == "true";
    Invalidate(Stale::kPlan);
  } else if (name == "compare") {
    if (!value.empty() && !FindPreset(value)) return "compare: no preset named \"" + value + "\"";
    a.compare_preset = value;
    Invalidate(Stale::kPlan);
  } else if (name == "panel") {
    if (!IsKnownPanel(value))
      return "panel: \"" + value + "\" is not one of data, fit, plots, planner, cost";
    a.open_panel = value;
  } else if (name == "bad_rows") {
    if (value != "reject" && value != "skip") return "bad_rows must be reject or skip";
    a.bad_rows = value == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kReject;
    Invalidate(Stale::kRead);
  } else if (name.rfind("column.", 0) == 0) {
    Role role;
    if (!FromString(name.substr(7), &role)) return "unknown column role \"" + name.substr(7) + "\"";
    auto& columns = a.columns;
    columns.erase(std::remove_if(columns.begin(), columns.end(),
                                 [&](const auto& c) { return c.first == role; }),
                  columns.end());
    if (!value.empty()) columns.emplace_back(role, value);  // "" returns the role to the guess
    Invalidate(Stale::kRead);
  } else {
    return "unknown option \"" + name + "\"";
  }
  std::string invalid;
  if (!ValidateState(a, DecodeLimits{}, &invalid)) {
    analysis = before;  // never keep a state that a link could not carry
    return invalid;
  }
  ++revision;
  return "";
}

bool Model::IsRowExcluded(int data_row) const {
  return std::binary_search(analysis.excluded_rows.begin(), analysis.excluded_rows.end(), data_row);
}

void Model::SetRowExcluded(int data_row, bool excluded) {
  auto& rows = analysis.excluded_rows;
  std::sort(rows.begin(), rows.end());
  auto it = std::lower_bound(rows.begin(), rows.end(), data_row);
  const bool present = it != rows.end() && *it == data_row;
  if (excluded && !present) rows.insert(it, data_row);
  if (!excluded && present) rows.erase(it);
  Invalidate(Stale::kRead);
}

std::string Model::LoadCsv(const std::string& text, const std::string& name) {
  AnalysisState candidate = analysis;
  candidate.csv_text = text;
  candidate.data_name = name.empty() ? "pasted data" : name;
  candidate.columns.clear();  // new data, new headers: guess again
  candidate.excluded_rows.clear();
  candidate.tokens_per_sample = 0;
  ReadResult result = ReadRuns(candidate.csv_text, candidate.MakeReadOptions());
  if (!result.ok) {
    load_error = "Could not read " + candidate.data_name + "; the previous data is kept.";
    for (size_t i = 0; i < result.errors.size() && i < 5; ++i)
      load_error += "\n" + result.errors[i].ToString();
    if (result.errors.size() > 5)
      load_error += "\n(" + std::to_string(result.errors.size() - 5) + " more)";
    return load_error;
  }
  analysis = std::move(candidate);
  load_error.clear();
  Invalidate(Stale::kRead);
  return "";
}

std::string Model::LoadStateBytes(const std::vector<uint8_t>& bytes) {
  DecodeResult decoded = DecodeState(bytes.data(), bytes.size());
  if (!decoded.ok) return load_error = "This link could not be opened: " + decoded.message;
  analysis = std::move(decoded.state);
  load_error.clear();
  Invalidate(Stale::kRead);
  return "";
}

std::string Model::LoadStateJson(const std::string& text) {
  DecodeResult decoded = StateFromJson(text);
  if (!decoded.ok) return load_error = "This state file could not be opened: " + decoded.message;
  analysis = std::move(decoded.state);
  load_error.clear();
  Invalidate(Stale::kRead);
  return "";
}

bool Model::Recompute() {
  const Stale stage = stale;
  stale = Stale::kNothing;
  if (stage == Stale::kNothing) return false;
  if (stage >= Stale::kRead) read = ReadAnalysisRuns(analysis);
  bool refit = false;
  if (stage >= Stale::kFit) {
    fit = read.ok ? FitAnalysis(analysis, read.table, /*bootstrap=*/false) : FitSummary{};
    if (!read.ok) fit.message = "No data to fit: fix the problems in the Data panel.";
    ++generation;
    refit = true;
  }
  plan = fit.ok ? PlanAnalysis(analysis, fit.laws) : Plan{};
  compare = analysis.compare_preset.empty() ? nullptr : FindPreset(analysis.compare_preset);
  compare_plan = Plan{};
  if (compare && compare->laws.loss.IsSet()) {
    compare_plan = PlanAnalysis(analysis, compare->laws);
  } else if (compare && plan.ok) {
    // A preset with hyperparameter laws only: its lr and batch at our recommended model size.
    AnalysisState at_our_size = analysis;
    at_our_size.plan.fixed_params = plan.optimum.params;
    compare_plan = PlanAnalysis(at_our_size, compare->laws);
  }
  UpdatePlotSeries();
  return refit;
}

void Model::UpdatePlotSeries() {
  const double budget = analysis.plan.budget_flops, tolerance = analysis.plan.loss_tolerance;
  plots = MakePlotSeries(read.table, fit.cells, fit.laws, analysis.compute, budget,
                         plan.ok ? plan.optimum.params : NAN, plan.ok ? plan.optimum.loss : NAN,
                         tolerance);
  compare_iso = IsoComputeSeries{};
  if (compare && compare->laws.loss.IsSet()) {
    compare_iso = MakeIsoComputeSeries(compare->laws, analysis.compute, budget,
                                       plan.ok ? plan.optimum.params : NAN, NAN, tolerance);
  }
}

void Model::AttachBootstrap(int job_generation, const std::vector<double>& flat_samples) {
  if (job_generation != generation || !fit.ok) return;  // a result for an older fit
  if (!AttachBootstrapSamples(flat_samples, &fit)) return;
  plan = PlanAnalysis(analysis, fit.laws);
  UpdatePlotSeries();
}

}  // namespace scalecalc::app

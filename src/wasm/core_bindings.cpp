// core_bindings.cpp: the core's Embind API, for the fitting worker (web/fit_worker.js) and node.
// Plain values across the boundary; errors as messages in the returned object, never exceptions.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/compute_model.h"
#include "core/designer.h"
#include "core/results_json.h"

namespace scalecalc {
namespace {

using emscripten::val;

val Result(bool ok, const std::string& message) {
  val result = val::object();
  result.set("ok", ok);
  result.set("message", message);
  return result;
}

// Runs resamples [first, last) of the bootstrap of the analysis a share-link encoding describes
// (last < 0: to the end) on its whole table (group < 0) or on group number `group` of its group
// column (0-based: the app's Model::groups), one share of a pool of fitting workers: resample k
// draws from its own generator, so the shares concatenated in order are the whole bootstrap.
// `refit` is "warm" (the product) or "legacy" (the refit before warm starts, for the page
// benchmark). progress(done, total) is called as resamples finish. Returns {ok, message, samples:
// Float64Array (FlattenSamples)}.
val BootstrapFromState(const val& state_bytes, int first, int last, const std::string& refit,
                       const val& progress, int group) {
  const std::vector<uint8_t> bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(state_bytes);
  // The page's own hand-off, not a link: a state file's data (a link's limits would leave the
  // bootstrap of a large file undone), with room for the binary table's overhead.
  DecodeLimits limits = StateFileLimits();
  limits.max_input_bytes += 16u << 20;
  const DecodeResult decoded = DecodeState(bytes.data(), bytes.size(), limits);
  if (!decoded.ok) return Result(false, decoded.message);
  const ReadResult read = ReadAnalysisRuns(decoded.state);
  if (!read.ok) return Result(false, "the data could not be read");
  RunTable table;
  std::string error;
  if (!GroupTable(decoded.state, read.table, group, &table, &error)) return Result(false, error);
  BootstrapExecution execution;
  execution.first = std::max(first, 0);
  execution.last = last;
  if (refit == "legacy") {
    execution.refit = BootstrapRefit::kLegacy;
  } else if (refit != "warm") {
    return Result(false, "unknown refit '" + refit + "' (warm or legacy)");
  }
  const FitSummary fit = FitAnalysis(
      decoded.state, table, /*bootstrap=*/true,
      [&](int done, int total) {
        progress(done, total);
        return true;  // cancelling terminates the worker
      },
      execution);
  if (!HasLawsToResample(fit)) return Result(false, fit.message);
  const std::vector<double> flat = FlattenSamples(fit.laws);
  val result = Result(true, "");
  val samples = val::global("Float64Array").new_(flat.size());
  samples.call<void>("set", val(emscripten::typed_memory_view(flat.size(), flat.data())));
  result.set("samples", samples);
  return result;
}

// The sweep designer with its simulation (core/designer.h) for the analysis a share-link encoding
// describes (its headline table), at its plan budget, with its allowance (auto: the per-candidate
// limit, whose auto is the sweep's cost, as in the page). progress(done, total) in refits. Returns
// {ok, message, json} (json: design --json).
val DesignFromState(const val& state_bytes, const val& progress) {
  const std::vector<uint8_t> bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(state_bytes);
  const DecodeResult decoded = DecodeState(bytes.data(), bytes.size());
  if (!decoded.ok) return Result(false, decoded.message);
  const AnalysisState& state = decoded.state;
  AnalyzeOptions options;  // the page's point fits, the design's simulation
  options.bootstrap = false;
  options.plan = false;
  options.design_draws = DesignOptions{}.simulation_draws;
  options.design_progress = [&](int done, int total) {
    progress(done, total);
    return true;  // cancelling terminates the worker
  };
  Analysis a;
  ReadStage(state, &a);
  if (!a.read.ok) return Result(false, "the data could not be read");
  FitStage(state, options, &a);
  if (!a.fit.ok) return Result(false, a.fit.message);
  PlanHeadlineStage(state, options, &a);
  const Design& design = a.design;
  val result = Result(design.ok, design.message);
  result.set("json", DumpJson(DesignJson(design, a.fit)));
  return result;
}

}  // namespace
}  // namespace scalecalc

EMSCRIPTEN_BINDINGS(scalecalc_core) {
  emscripten::function("bootstrapFromState", &scalecalc::BootstrapFromState);
  emscripten::function("designFromState", &scalecalc::DesignFromState);
}

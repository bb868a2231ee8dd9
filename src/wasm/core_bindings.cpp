// core_bindings.cpp: the core's Embind API, for the fitting worker (web/fit_worker.js) and node.
// Plain values across the boundary; errors as messages in the returned object, never exceptions.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/compute_model.h"

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
// Float64Array (FlattenSamples), attempted}.
val BootstrapFromState(const val& state_bytes, int first, int last, const std::string& refit,
                       const val& progress, int group) {
  const std::vector<uint8_t> bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(state_bytes);
  // The page's own hand-off, not a link: data up to the page's 64 MiB file cap (a link's limits,
  // 32 MiB of bytes and 16 MiB of CSV, would leave the bootstrap of a large file undone).
  DecodeLimits limits;
  limits.max_csv_bytes = 64u << 20;
  limits.max_input_bytes = limits.max_csv_bytes + (16u << 20);
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
  if (!fit.ok) return Result(false, fit.message);
  const std::vector<double> flat = FlattenSamples(fit.laws);
  val result = Result(true, "");
  val samples = val::global("Float64Array").new_(flat.size());
  samples.call<void>("set", val(emscripten::typed_memory_view(flat.size(), flat.data())));
  result.set("samples", samples);
  return result;
}

double FlopsPerTokenJs(const std::string& kind_name, double params, double tokens_per_sample,
                       double width_per_depth) {
  ComputeModel model;
  if (!FromString(kind_name, &model.kind)) return NAN;
  model.tokens_per_sample = tokens_per_sample;
  model.width_per_depth = width_per_depth;
  return FlopsPerToken(model, params);
}

}  // namespace
}  // namespace scalecalc

EMSCRIPTEN_BINDINGS(scalecalc_core) {
  emscripten::function("bootstrapFromState", &scalecalc::BootstrapFromState);
  emscripten::function("flopsPerToken", &scalecalc::FlopsPerTokenJs);
}

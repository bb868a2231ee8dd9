// cost_panel_state.h: what the Inference cost panel holds between frames that a link does not
// carry (the timings the page's WebGPU kernels reported), and the request it sends to web/gpu/.
// Its inputs are shareable: AnalysisState::cost (core/cost_inputs.h) and the serving demand.
#pragma once

#include <string>
#include <vector>

#include "core/compute_model.h"

namespace scalecalc::app {

struct MeasureRequest {
  std::string label;
  double tokens, width, heads, text_tokens, depth;
  bool cross_attention;
  // The tokens a software adapter times instead (FallbackTokens), scaled back by the FLOP ratio.
  double fallback_tokens = 0;
};

// Software adapters (SwiftShader, llvmpipe) time a block cut to at most this many FLOPs: under a
// second at their ~1 GFLOP/s on an idle machine (0.1 measured here under load), instead of
// minutes for a full-size block.
constexpr double kFallbackBlockFlops = 5e8;
// Fewest tokens a cut block keeps (the kernels' tiles are 16 rows and more).
constexpr double kFallbackMinTokens = 16;
// The tokens, halved from the request's, at which one block costs at most kFallbackBlockFlops
// (core/dit_flops.h), never below kFallbackMinTokens (nor above the request's tokens).
double FallbackTokens(const MeasureRequest& request);
// MACs of the request's block at `tokens` (core/dit_flops.h).
double RequestBlockMacs(const MeasureRequest& request, double tokens);

// The panel's button that starts a measurement: messages that ask the user to press it quote it.
constexpr const char* kMeasureLabel = "Measure on this GPU";

// The time budget of one "Measure on this GPU", in seconds.
constexpr double kMinBudgetSeconds = 1, kMaxBudgetSeconds = 600;
std::string ValidateBudgetSeconds(double seconds);

struct KernelTiming {
  std::string name;
  double ms = 0, gflops = 0;
};

struct BlockTiming {
  std::string label;
  bool ok = false;
  std::string message;
  double block_ms = 0, block_gflops = 0;  // block_ms at the request's tokens
  // Where a software adapter timed fewer tokens: what it measured, and the FLOP ratio that scaled
  // measured_ms up to block_ms.
  bool extrapolated = false;
  double measured_tokens = 0, measured_ms = 0, flop_ratio = 1;
};

struct CostMeasurement {
  bool running = false;
  double budget_seconds = 60;  // the panel's "time budget (s)"; the kernel check counts too
  int done = 0, total = 0;     // progress while running
  std::string step;            // what is being measured now
  std::vector<MeasureRequest> requests;  // of the running or last measurement
  bool fallback = false;                 // the adapter was a software one
  std::string device;         // adapter name and timing method, or why there is no WebGPU
  std::string message;        // a refusal or failed check, for people
  std::string timing_method;  // "timestamp-query" or "wall-clock"
  std::vector<BlockTiming> blocks;
  std::vector<KernelTiming> kernels;  // of the last block measured
  const BlockTiming* Find(const std::string& label) const;
};

// A model of the panel: its exact shape (the analytic FLOPs, the planner's count) and the one
// the kernels time (width rounded to whole heads, depth to whole blocks).
struct CostRow {
  std::string label;
  double params = 0;
  DitShape exact;
  double width = 0, depth = 0, heads = 0;
};

CostMeasurement& TheCostMeasurement();
// Hands the requests to the page (web/main.js -> web/gpu/dit_gpu.js); the answer arrives in
// OnCostResult as JSON.
// Returns "" or why it did not start (a bad time budget).
std::string StartCostMeasurement(const std::vector<MeasureRequest>& requests);
void CancelCostMeasurement();  // stops between kernels; the answer still arrives in OnCostResult
void OnCostProgress(int done, int total, const std::string& step);
void OnCostResult(const std::string& json);
// The whole result as JSON, for the test hook.
std::string CostMeasurementJson();

}  // namespace scalecalc::app

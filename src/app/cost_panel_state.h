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
};

struct KernelTiming {
  std::string name;
  double ms = 0, gflops = 0;
};

struct BlockTiming {
  std::string label;
  bool ok = false;
  std::string message;
  double block_ms = 0, block_gflops = 0;
};

struct CostMeasurement {
  bool running = false;
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
void StartCostMeasurement(const std::vector<MeasureRequest>& requests);
void OnCostResult(const std::string& json);
// The whole result as JSON, for the test hook.
std::string CostMeasurementJson();

}  // namespace scalecalc::app

// cost_panel_state.h: what the Inference cost panel holds between frames (its inputs, and the
// timings the page's WebGPU kernels reported), and the request it sends to web/gpu/.
#pragma once

#include <string>
#include <vector>

namespace scalecalc::app {

struct CostInputs {
  // The video: 17 frames at 256x256 through a VAE with 8x spatial and 4x temporal compression,
  // patch 2: 5 x 16 x 16 = 1280 tokens, the paper's setting (science.md 3.3).
  double frames = 17, height_px = 256, width_px = 256;
  double vae_spatial = 8, vae_temporal = 4, patch = 2;
  double text_tokens = 0;  // cross-attention to this many text tokens (0: none)
  // A typed-in shape instead of the planner's models.
  bool typed_shape = false;
  double width = 512, depth = 8, heads = 8;
  std::string error;  // why the video inputs are unusable, or ""

  std::string Validate() const;       // video inputs
  std::string ValidateShape() const;  // the typed shape
  double LatentFrames() const;        // 1 + (frames - 1) / vae_temporal, causal VAEs keep frame 0
  double VideoTokens() const;
};

struct MeasureRequest {
  std::string label;
  double tokens, width, heads, text_tokens, depth;
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

// A model whose block the panel times: width rounded to whole heads, depth to whole blocks.
struct CostRow {
  std::string label;
  double params = 0;
  double width = 0, depth = 0, heads = 0;
};

CostInputs& TheCostInputs();
CostMeasurement& TheCostMeasurement();
// Hands the requests to the page (web/main.js -> web/gpu/dit_gpu.js); the answer arrives in
// OnCostResult as JSON.
void StartCostMeasurement(const std::vector<MeasureRequest>& requests);
void OnCostResult(const std::string& json);
// The whole result as JSON, for the test hook.
std::string CostMeasurementJson();

}  // namespace scalecalc::app

// compute_model.h: training FLOPs per token c(N), so that C = c(N) * T, and the DiT shape rule.
//
// Two models (science.md 3.3): the standard 6N, and the paper's count for a cross-attention video
// DiT, c(N) = (3/4) N (7 + n_ctx / d), where the width d follows from N through a shape rule:
// N = 16 depth d^2 with a fixed width/depth ratio.
#pragma once

#include <string>

namespace scalecalc {

enum class ComputeKind { kSixN, kDit };
const char* ToString(ComputeKind kind);                       // "6n", "dit"
bool FromString(const std::string& text, ComputeKind* kind);  // accepts "6n", "6N", "dit"

struct ComputeModel {
  ComputeKind kind = ComputeKind::kSixN;
  double tokens_per_sample = 1280;  // n_ctx: latent tokens per clip (17 frames at 256x256)
  double width_per_depth = 64;      // shape rule for the DiT count: d = width_per_depth * depth

  bool IsValid(std::string* error) const;
};

struct DitShape {
  double width = 0;  // d (model dimension), not rounded
  double depth = 0;  // number of blocks, not rounded
};

// Shape with N = 16 depth d^2 and d = width_per_depth * depth.
DitShape ShapeForParams(const ComputeModel& model, double params);
// Parameters of a DiT of that shape: N = 16 depth d^2 (the inverse of ShapeForParams).
inline double DitParams(double width, double depth) {
  return 16 * depth * width * width;
}
// Training FLOPs per token for a model of `params` parameters.
double FlopsPerToken(const ComputeModel& model, double params);
inline double TrainingFlops(const ComputeModel& m, double params, double tokens) {
  return FlopsPerToken(m, params) * tokens;
}

}  // namespace scalecalc

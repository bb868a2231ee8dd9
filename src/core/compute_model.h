// compute_model.h: training FLOPs per token c(N), so that C = c(N) * T, and the DiT shape rule.
//
// Two models (science.md 3.3): the standard 6N, and the paper's count for a cross-attention video
// DiT, c(N) = (3/4) N (7 + n_ctx / d), where the width d follows from N through a shape rule:
// N = 16 depth d^2 with a fixed width/depth ratio.
//
// Parameters of a shape (ParamsOfShape) follow the block rule N = block_params depth d^2: 16 for
// the paper's DiT block (self-attention 4 d^2, cross-attention 4 d^2, MLP 8 d^2), which the DiT
// count is derived for; with 6N a user may choose 12, a standard transformer block without
// cross-attention. Embeddings and the final layer are not counted (N is non-embedding).
#pragma once

#include <string>

#include "core/enum_names.h"

namespace scalecalc {

enum class ComputeKind { kSixN, kDit };

struct ComputeModel {
  ComputeKind kind = ComputeKind::kSixN;
  double tokens_per_sample = 1280;  // n_ctx: latent tokens per clip (17 frames at 256x256)
  double width_per_depth = 64;      // shape rule for the DiT count: d = width_per_depth * depth
  // Parameters per block in units of d^2: 16 (DiT block with cross-attention; the DiT count needs
  // it) or 12 (a standard transformer block; 6N only). Only 12 and 16 are accepted.
  double block_params = 16;

  bool IsValid(std::string* error) const;
};

struct DitShape {
  double width = 0;  // d (model dimension); not rounded unless heads > 0
  double depth = 0;  // number of blocks; not rounded unless heads > 0
  double heads = 0;  // attention heads of a practical shape (width / head_dim); 0: continuous
  double head_dim = 0;
};

// Shape with N = block_params depth d^2 and d = width_per_depth * depth.
DitShape ShapeForParams(const ComputeModel& model, double params);
// Training FLOPs per token for a model of `params` parameters (the DiT count takes d from the shape
// rule).
double FlopsPerToken(const ComputeModel& model, double params);
// N = block_params depth width^2, and the FLOPs per token of that exact shape (the DiT count with
// this width rather than the shape rule's).
double ParamsOfShape(const ComputeModel& model, double width, double depth);
double FlopsPerTokenOfShape(const ComputeModel& model, double width, double depth);
inline double TrainingFlops(const ComputeModel& m, double params, double tokens) {
  return FlopsPerToken(m, params) * tokens;
}

}  // namespace scalecalc

// cost_inputs.h: the Inference cost panel's inputs, part of the shareable state
// (AnalysisState::cost): the video whose serving cost is shown, and an optional typed-in shape.
// Each field's range is its schema row (settings_schema.cpp); the rules that tie fields together
// are here. The serving demand itself (tokens per video, text tokens, cross-attention, steps,
// guidance) is PlanOptions::demand, shared with the planner, so both count the same FLOPs.
#pragma once

#include <string>

namespace scalecalc {

struct CostInputs {
  // The video: 17 frames at 256x256 through a VAE with 8x spatial and 4x temporal compression,
  // patch 2: 5 x 16 x 16 = 1280 tokens, the paper's setting (science.md 3.3).
  double frames = 17, height_px = 256, width_px = 256;
  double vae_spatial = 8, vae_temporal = 4, patch = 2;
  // A typed-in shape instead of the planner's models.
  bool typed_shape = false;
  double shape_width = 512, shape_depth = 8, shape_heads = 8;

  // "" when height and width are whole multiples of VAE spatial x patch; else a sentence naming
  // the page's controls.
  std::string Validate() const;
  // "" when the typed width is a whole multiple of the typed heads.
  std::string ValidateShape() const;
  double LatentFrames() const;  // 1 + (frames - 1) / vae_temporal: causal VAEs keep frame 0
  double VideoTokens() const;   // latent tokens per video
};

}  // namespace scalecalc

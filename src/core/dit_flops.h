// dit_flops.h: inference cost of a diffusion transformer, counted from its shape (science.md 4).
//
//   DitConfig config;                       // one forward pass over `tokens` latent tokens
//   config.depth = 28; config.width = 1152; config.tokens = 256;
//   double macs = DitForwardMacs(config);   // 118.6e9 for DiT-XL/2 at 256x256
//   double flops = DitVideoFlops(config, /*sampling_steps=*/50, /*guidance=*/true);
//
// Counts the transformer blocks only: the patch embedding, the timestep/text embedders and the
// final projection are O(n d p^2) or O(d^2) per sample and are below 0.1% for any real model.
// Multiply-accumulates (MACs) count 2 FLOPs each.
#pragma once

#include <string>

namespace scalecalc {

struct DitConfig {
  double depth = 0;              // number of blocks
  double width = 0;              // d, model dimension
  double tokens = 0;             // n, latent (video) tokens per sample
  bool cross_attention = false;  // a cross-attention layer per block (text-conditioned video DiT)
  double text_tokens = 0;        // M, text tokens the cross-attention reads (0: q and o only)
  bool adaln = true;             // adaLN modulation: 6 d^2 MACs per block per sample

  bool IsValid(std::string* error) const;  // false with a sentence naming the field
};

// MACs of one block over one sample:
//   q, k, v, o projections 4 n d^2; MLP (ratio 4) 8 n d^2; scores and weighted sum 2 n^2 d;
//   cross-attention 2 n d^2 + 2 M d^2 + 2 n M d; adaLN 6 d^2.
double DitBlockMacs(const DitConfig& config);
// One forward pass of the whole model over one sample: depth * DitBlockMacs.
double DitForwardMacs(const DitConfig& config);
inline double DitForwardFlops(const DitConfig& config) {
  return 2.0 * DitForwardMacs(config);
}
// One generated video: sampling_steps forward passes, twice as many with classifier-free guidance.
double DitVideoFlops(const DitConfig& config, double sampling_steps, bool guidance);

// Latent tokens of a clip: (frames / patch_t) (height / patch) (width / patch), all in latent
// units (after the VAE). 5 latent frames of 32x32 with patch 1x2x2 give 1280 tokens.
double LatentVideoTokens(double latent_frames, double latent_height, double latent_width,
                         double patch_t, double patch_hw);

}  // namespace scalecalc

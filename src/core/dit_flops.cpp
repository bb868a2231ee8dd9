#include "core/dit_flops.h"

#include <cmath>

namespace scalecalc {

bool DitConfig::IsValid(std::string* error) const {
  const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(depth)) {
    *error = "depth must be a finite positive number";
    return false;
  }
  if (!positive(width)) {
    *error = "width must be a finite positive number";
    return false;
  }
  if (!positive(tokens)) {
    *error = "tokens must be a finite positive number";
    return false;
  }
  if (!(std::isfinite(text_tokens) && text_tokens >= 0)) {
    *error = "text tokens must be a finite number >= 0";
    return false;
  }
  return true;
}

double DitBlockMacs(const DitConfig& c) {
  const double n = c.tokens, d = c.width, m = c.text_tokens;
  double macs = 4 * n * d * d     // self-attention projections q, k, v, o
                + 8 * n * d * d   // MLP, hidden 4d
                + 2 * n * n * d;  // q k^T and the weighted sum of v
  if (c.cross_attention) macs += 2 * n * d * d + 2 * m * d * d + 2 * n * m * d;
  if (c.adaln) macs += 6 * d * d;  // shift, scale, gate for both sublayers, once per sample
  return macs;
}

double DitForwardMacs(const DitConfig& c) {
  return c.depth * DitBlockMacs(c);
}

double DitVideoFlops(const DitConfig& c, double sampling_steps, bool guidance) {
  return sampling_steps * (guidance ? 2.0 : 1.0) * DitForwardFlops(c);
}

double LatentVideoTokens(double latent_frames, double latent_height, double latent_width,
                         double patch_t, double patch_hw) {
  return (latent_frames / patch_t) * (latent_height / patch_hw) * (latent_width / patch_hw);
}

}  // namespace scalecalc

#include "core/cost_inputs.h"

#include <cmath>

#include "core/dit_flops.h"

namespace scalecalc {

std::string CostInputs::Validate() const {
  const double step = vae_spatial * patch;
  if (std::fmod(height_px, step) != 0 || std::fmod(width_px, step) != 0) {
    return "height and width must be multiples of VAE spatial x patch (" +
           std::to_string(static_cast<long long>(step)) + ")";
  }
  return "";
}

std::string CostInputs::ValidateShape() const {
  if (std::fmod(shape_width, shape_heads) != 0) return "width d must be a multiple of heads";
  return "";
}

double CostInputs::LatentFrames() const {
  return 1 + std::floor((frames - 1) / vae_temporal);
}

double CostInputs::VideoTokens() const {
  return LatentVideoTokens(LatentFrames(), height_px / vae_spatial, width_px / vae_spatial, 1,
                           patch);
}

}  // namespace scalecalc

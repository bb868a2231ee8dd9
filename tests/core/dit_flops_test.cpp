#include "core/dit_flops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/compute_model.h"

namespace scalecalc {
namespace {

TEST(DitFlops, DitXl2At256MatchesPublishedGmacs) {
  // DiT-XL/2 at 256x256 (Peebles & Xie): 28 blocks, d = 1152, 256 tokens, 118.6 GMACs per forward
  // (their "Gflops" count multiply-accumulates). We count the blocks only; the patch embedding
  // (256 x 16 x 1152 ~ 4.7M MACs), the timestep and label embedders (~1.6M) and the final layer
  // (~9.4M) add < 0.02%, and 118.6 is rounded to 4 digits (+-0.05 = 0.04%): tolerance 0.1%.
  DitConfig config;
  config.depth = 28;
  config.width = 1152;
  config.tokens = 256;
  config.cross_attention = false;  // class-conditional: no text
  config.adaln = true;
  EXPECT_NEAR(DitForwardMacs(config) / 118.6e9, 1.0, 1e-3);
  EXPECT_NEAR(DitForwardFlops(config) / DitForwardMacs(config), 2.0, 1e-15);
}

TEST(DitFlops, BlockTermsByHand) {
  // n = 4 tokens, d = 2, M = 3 text tokens, counted by hand from science.md 4:
  // projections 4*4*4 = 64, MLP 8*4*4 = 128, attention 2*16*2 = 64,
  // cross-attention 2*4*4 + 2*3*4 + 2*4*3*2 = 32 + 24 + 48 = 104, adaLN 6*4 = 24.
  DitConfig config;
  config.depth = 1;
  config.width = 2;
  config.tokens = 4;
  config.text_tokens = 3;
  config.cross_attention = false;
  config.adaln = false;
  EXPECT_DOUBLE_EQ(DitBlockMacs(config), 256);
  config.cross_attention = true;
  EXPECT_DOUBLE_EQ(DitBlockMacs(config), 360);
  config.adaln = true;
  EXPECT_DOUBLE_EQ(DitBlockMacs(config), 384);
  config.depth = 3;
  EXPECT_DOUBLE_EQ(DitForwardMacs(config), 3 * 384);
}

TEST(DitFlops, ForwardIsAThirdOfTheTrainingCount) {
  // The training count c(N) = (3/4) N (7 + n/d) is 3 x (the forward of a cross-attention DiT with
  // no text-side cost and no adaLN), per token: an independent derivation of the same numbers.
  ComputeModel model;
  model.kind = ComputeKind::kDit;
  model.tokens_per_sample = 1280;
  model.width_per_depth = 64;
  for (double params : {1e8, 1.07e9, 3e10}) {
    const DitShape shape = ShapeForParams(model, params);
    DitConfig config;
    config.depth = shape.depth;
    config.width = shape.width;
    config.tokens = model.tokens_per_sample;
    config.cross_attention = true;
    config.text_tokens = 0;
    config.adaln = false;
    const double per_token = 3 * DitForwardFlops(config) / config.tokens;
    EXPECT_NEAR(per_token / FlopsPerToken(model, params), 1.0, 1e-12) << params;
  }
}

TEST(DitFlops, VideoCountsStepsAndGuidance) {
  DitConfig config;
  config.depth = 2;
  config.width = 64;
  config.tokens = 100;
  const double forward = DitForwardFlops(config);
  EXPECT_DOUBLE_EQ(DitVideoFlops(config, 50, true), 100 * forward);
  EXPECT_DOUBLE_EQ(DitVideoFlops(config, 50, false), 50 * forward);
}

TEST(DitFlops, LatentTokens) {
  // 17 frames at 256x256 through a 4x8x8 causal VAE: 5 x 32 x 32 latents; patch 1x2x2 -> 1280.
  EXPECT_DOUBLE_EQ(LatentVideoTokens(5, 32, 32, 1, 2), 1280);
}

TEST(DitFlops, RejectsBadConfigs) {
  DitConfig config;
  std::string error;
  EXPECT_FALSE(config.IsValid(&error));  // all zero
  config.depth = 28;
  config.width = 1152;
  config.tokens = 256;
  EXPECT_TRUE(config.IsValid(&error));
  config.width = NAN;
  EXPECT_FALSE(config.IsValid(&error));
  config.width = 1152;
  config.tokens = INFINITY;
  EXPECT_FALSE(config.IsValid(&error));
  config.tokens = 256;
  config.text_tokens = -1;
  EXPECT_FALSE(config.IsValid(&error));
  EXPECT_NE(error.find("text tokens"), std::string::npos);
}

}  // namespace
}  // namespace scalecalc

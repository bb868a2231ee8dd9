#include "core/compute_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace scalecalc {
namespace {

TEST(ComputeModel, SixNIsSixFlopsPerParameterPerToken) {
  ComputeModel model;
  EXPECT_DOUBLE_EQ(FlopsPerToken(model, 1e9), 6e9);
  EXPECT_DOUBLE_EQ(TrainingFlops(model, 1e9, 2e10), 1.2e20);
}

TEST(ComputeModel, DitShapeSatisfiesParameterCount) {
  ComputeModel model;
  model.kind = ComputeKind::kDit;
  model.width_per_depth = 64;
  const DitShape shape = ShapeForParams(model, 1.07e9);
  // The shape rule's two defining equations: N = 16 depth d^2 and d = r depth.
  EXPECT_NEAR(16 * shape.depth * shape.width * shape.width / 1.07e9, 1.0, 1e-12);
  EXPECT_NEAR(shape.width / shape.depth, 64.0, 1e-12);
}

TEST(ComputeModel, DitCountFromFirstPrinciples) {
  // Per token and block, forward: 14 d^2 MACs of matmuls (self-attention 4, cross-attention q and o
  // 2, MLP 8) = 28 d^2 FLOPs, plus attention 4 n_ctx d FLOPs; training is 3x forward.
  ComputeModel model;
  model.kind = ComputeKind::kDit;
  model.tokens_per_sample = 1280;
  model.width_per_depth = 32;
  const double d = 1024, depth = d / 32, n_ctx = 1280;
  const double params = 16 * depth * d * d;
  const double expected = 3.0 * depth * (28 * d * d + 4 * n_ctx * d);
  EXPECT_NEAR(FlopsPerToken(model, params) / expected, 1.0, 1e-12);
}

TEST(ComputeModel, RejectsBadSettings) {
  ComputeModel model;
  std::string error;
  model.tokens_per_sample = 0;
  EXPECT_FALSE(model.IsValid(&error));
  EXPECT_NE(error.find("tokens per sample"), std::string::npos);
  model.tokens_per_sample = 1280;
  model.width_per_depth = NAN;
  EXPECT_FALSE(model.IsValid(&error));
  ComputeKind kind;
  EXPECT_TRUE(FromString("dit", &kind));
  EXPECT_EQ(kind, ComputeKind::kDit);
  EXPECT_FALSE(FromString("7n", &kind));
}

}  // namespace
}  // namespace scalecalc

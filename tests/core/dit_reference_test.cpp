#include "core/dit_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace scalecalc {
namespace {

DitMatrix Make(int rows, int cols, std::vector<double> values) {
  DitMatrix m(rows, cols);
  m.values = std::move(values);
  return m;
}

// Deterministic values in [-1, 1) (a small LCG: the tests must not depend on the library's RNG).
DitMatrix Random(int rows, int cols, std::uint32_t seed) {
  DitMatrix m(rows, cols);
  std::uint32_t state = seed * 2654435761u + 1u;
  for (double& v : m.values) {
    state = state * 1664525u + 1013904223u;
    v = (state >> 8) / double(1 << 24) * 2.0 - 1.0;
  }
  return m;
}

std::vector<double> RandomVector(int size, std::uint32_t seed) {
  return Random(1, size, seed).values;
}

TEST(DitReference, MatmulByHand) {
  // [[1, 2], [3, 4]] [[5, 6], [7, 8]] = [[19, 22], [43, 50]], and a 1x3 by 3x1 dot product.
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitMatmul(Make(2, 2, {1, 2, 3, 4}), Make(2, 2, {5, 6, 7, 8}), {}, &out, &error))
      << error;
  EXPECT_EQ(out.values, (std::vector<double>{19, 22, 43, 50}));
  ASSERT_TRUE(DitMatmul(Make(1, 3, {1, -2, 3}), Make(3, 1, {4, 5, 6}), {}, &out, &error));
  EXPECT_EQ(out.values, (std::vector<double>{12}));
}

TEST(DitReference, GeluAndSiluKnownValues) {
  // GELU(tanh) at 1: 0.5 (1 + tanh(sqrt(2/pi) 1.044715)) = 0.8411919906... (PyTorch's value);
  // it tends to x for large x and to 0 for very negative x, without NaN.
  EXPECT_NEAR(DitGeluTanh(1.0), 0.8411919906082768, 1e-12);
  EXPECT_EQ(DitGeluTanh(0.0), 0.0);
  EXPECT_NEAR(DitGeluTanh(50.0), 50.0, 1e-12);
  EXPECT_NEAR(DitGeluTanh(-50.0), 0.0, 1e-12);
  // SiLU(1) = 1 / (1 + e^-1) = 0.7310585786...
  EXPECT_NEAR(DitSilu(1.0), 0.7310585786300049, 1e-12);
  EXPECT_NEAR(DitSilu(-1000.0), 0.0, 1e-12);
}

TEST(DitReference, Epilogues) {
  const DitMatrix a = Make(2, 2, {1, 2, 3, 4});
  const DitMatrix b = Make(2, 2, {5, 6, 7, 8});
  DitMatmulOptions options;
  options.epilogue = DitEpilogue::kBias;
  options.bias = {1, -1};
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitMatmul(a, b, options, &out, &error)) << error;
  EXPECT_EQ(out.values, (std::vector<double>{20, 21, 44, 49}));

  options.epilogue = DitEpilogue::kBiasGelu;
  options.bias = {-19, -22};  // a b + bias = [[0, 0], [24, 28]]
  ASSERT_TRUE(DitMatmul(a, b, options, &out, &error)) << error;
  EXPECT_EQ(out.at(0, 0), 0.0);
  EXPECT_NEAR(out.at(1, 1), 28.0, 1e-12);

  options.epilogue = DitEpilogue::kBiasResidual;
  options.bias = {0, 0};
  options.residual = Make(2, 2, {1, 1, 1, 1});
  ASSERT_TRUE(DitMatmul(a, b, options, &out, &error)) << error;
  EXPECT_EQ(out.values, (std::vector<double>{20, 23, 44, 51}));

  // Gate per sample (one row per sample here) and per column.
  options.epilogue = DitEpilogue::kBiasGatedResidual;
  options.gate = Make(2, 2, {0, 1, 2, -1});
  options.rows_per_sample = 1;
  ASSERT_TRUE(DitMatmul(a, b, options, &out, &error)) << error;
  EXPECT_EQ(out.values, (std::vector<double>{1, 23, 87, -49}));
}

TEST(DitReference, GatedResidualWithGateZeroIsIdentity) {
  const DitMatrix a = Random(6, 5, 1), b = Random(5, 4, 2), residual = Random(6, 4, 3);
  DitMatmulOptions options;
  options.epilogue = DitEpilogue::kBiasGatedResidual;
  options.bias = RandomVector(4, 4);
  options.residual = residual;
  options.gate = DitMatrix(2, 4);  // zeros, two samples of three rows
  options.rows_per_sample = 3;
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitMatmul(a, b, options, &out, &error)) << error;
  EXPECT_EQ(out.values, residual.values);
}

TEST(DitReference, SiluInput) {
  DitMatmulOptions options;
  options.silu_input = true;
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitMatmul(Make(1, 2, {1, -1}), Make(2, 1, {1, 1}), options, &out, &error));
  // SiLU(1) + SiLU(-1) = 1 * sigmoid(1) - sigmoid(-1) = 2 sigmoid(1) - 1 = tanh(1/2).
  EXPECT_NEAR(out.at(0, 0), std::tanh(0.5), 1e-12);
}

TEST(DitReference, LayerNormRowsHaveMeanZeroVarianceOne) {
  DitMatrix x = Random(5, 24, 7);
  for (double& v : x.values) v = 3.0 + 10.0 * v;  // shifted and scaled rows
  DitLayerNormOptions options;
  options.epsilon = 0;
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitLayerNorm(x, options, &out, &error)) << error;
  for (int r = 0; r < out.rows; ++r) {
    double mean = 0, square = 0;
    for (int c = 0; c < out.cols; ++c) mean += out.at(r, c) / out.cols;
    for (int c = 0; c < out.cols; ++c) square += out.at(r, c) * out.at(r, c) / out.cols;
    EXPECT_NEAR(mean, 0.0, 1e-12);
    EXPECT_NEAR(square, 1.0, 1e-12);
  }
}

TEST(DitReference, LayerNormModulation) {
  // Row [1, 3]: mean 2, variance 1, x_hat = [-1, 1]; sample 0 keeps it, sample 1 gets
  // x_hat * (1 + [1, -0.5]) + [10, 20] = [8, 20.5].
  DitLayerNormOptions options;
  options.epsilon = 0;
  options.modulate = true;
  options.rows_per_sample = 1;
  options.shift = Make(2, 2, {0, 0, 10, 20});
  options.scale = Make(2, 2, {0, 0, 1, -0.5});
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitLayerNorm(Make(2, 2, {1, 3, 1, 3}), options, &out, &error)) << error;
  EXPECT_NEAR(out.at(0, 0), -1.0, 1e-12);
  EXPECT_NEAR(out.at(0, 1), 1.0, 1e-12);
  EXPECT_NEAR(out.at(1, 0), 8.0, 1e-12);
  EXPECT_NEAR(out.at(1, 1), 20.5, 1e-12);
}

TEST(DitReference, AttentionEqualsExplicitSoftmax) {
  // One head of width 1: scores q k = [0, 1] (scale 1/sqrt(1)), weights [1, e] / (1 + e),
  // out = (1 * 1 + 3 * e) / (1 + e).
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(
      DitAttention(Make(1, 1, {1}), Make(2, 1, {0, 1}), Make(2, 1, {1, 3}), 1, 1, &out, &error))
      << error;
  const double e = std::exp(1.0);
  EXPECT_NEAR(out.at(0, 0), (1 + 3 * e) / (1 + e), 1e-12);

  // Width 4, two heads of 2: scale 1/sqrt(2). Head 0 has equal scores (uniform weights, mean of
  // v); head 1 has scores [2, 0] / sqrt(2) for keys with v = [1, 0].
  const DitMatrix q = Make(1, 4, {0, 0, 1, 1});
  const DitMatrix k = Make(2, 4, {5, 5, 1, 1, -5, 5, 0, 0});
  const DitMatrix v = Make(2, 4, {2, 4, 1, 7, 6, 8, 0, 7});
  ASSERT_TRUE(DitAttention(q, k, v, 2, 1, &out, &error)) << error;
  EXPECT_NEAR(out.at(0, 0), 4.0, 1e-12);
  EXPECT_NEAR(out.at(0, 1), 6.0, 1e-12);
  const double w = 1.0 / (1.0 + std::exp(-2.0 / std::sqrt(2.0)));
  EXPECT_NEAR(out.at(0, 2), w, 1e-12);
  EXPECT_NEAR(out.at(0, 3), 7.0, 1e-12);
}

TEST(DitReference, AttentionSamplesAreIndependent) {
  // Batch of two, cross-attention shapes (3 queries, 5 keys per sample): each sample's output is
  // the attention of that sample alone.
  const DitMatrix q = Random(6, 8, 11), k = Random(10, 8, 12), v = Random(10, 8, 13);
  DitMatrix both, one;
  std::string error;
  ASSERT_TRUE(DitAttention(q, k, v, 2, 2, &both, &error)) << error;
  DitMatrix q1(3, 8), k1(5, 8), v1(5, 8);
  for (int i = 0; i < 24; ++i) q1.values[i] = q.values[24 + i];
  for (int i = 0; i < 40; ++i) k1.values[i] = k.values[40 + i];
  for (int i = 0; i < 40; ++i) v1.values[i] = v.values[40 + i];
  ASSERT_TRUE(DitAttention(q1, k1, v1, 2, 1, &one, &error)) << error;
  for (int i = 0; i < 24; ++i) EXPECT_NEAR(both.values[24 + i], one.values[i], 1e-15);
}

DitBlockWeights RandomWeights(int d, double scale, std::uint32_t seed) {
  auto w = [&](int rows, int cols) {
    DitMatrix m = Random(rows, cols, seed++);
    for (double& v : m.values) v *= scale;
    return m;
  };
  auto b = [&](int size) { return w(1, size).values; };
  DitBlockWeights weights;
  weights.w_mod = w(d, 6 * d);
  weights.b_mod = b(6 * d);
  weights.w_qkv = w(d, 3 * d);
  weights.b_qkv = b(3 * d);
  weights.w_out = w(d, d);
  weights.b_out = b(d);
  weights.w_cross_q = w(d, d);
  weights.b_cross_q = b(d);
  weights.w_cross_kv = w(d, 2 * d);
  weights.b_cross_kv = b(2 * d);
  weights.w_cross_out = w(d, d);
  weights.b_cross_out = b(d);
  weights.w_mlp1 = w(d, 4 * d);
  weights.b_mlp1 = b(4 * d);
  weights.w_mlp2 = w(4 * d, d);
  weights.b_mlp2 = b(d);
  return weights;
}

TEST(DitReference, AdaLnZeroBlockIsIdentity) {
  // adaLN-Zero: with the modulation weights at zero both gates are zero, so the block returns x.
  DitBlockConfig config;
  config.tokens = 5;
  config.width = 8;
  config.heads = 2;
  DitBlockWeights weights = RandomWeights(8, 0.3, 100);
  weights.w_mod = DitMatrix(8, 48);
  weights.b_mod.assign(48, 0.0);
  DitBlockInputs inputs;
  inputs.x = Random(5, 8, 1);
  inputs.c = Random(1, 8, 2);
  DitMatrix out;
  std::string error;
  ASSERT_TRUE(DitBlockForward(config, weights, inputs, &out, &error)) << error;
  EXPECT_EQ(out.values, inputs.x.values);

  // With random gates the block does change x (the check above could not pass by accident).
  weights = RandomWeights(8, 0.3, 100);
  ASSERT_TRUE(DitBlockForward(config, weights, inputs, &out, &error)) << error;
  EXPECT_NE(out.values, inputs.x.values);
}

TEST(DitReference, BlockSamplesAreIndependent) {
  // A batch of two samples gives each sample's own block output (per-sample gates and shifts,
  // attention within a sample only), with cross-attention to 3 text tokens.
  DitBlockConfig config;
  config.tokens = 4;
  config.width = 8;
  config.heads = 2;
  config.text_tokens = 3;
  config.cross_attention = true;
  config.batch = 2;
  const DitBlockWeights weights = RandomWeights(8, 0.4, 200);
  DitBlockInputs both;
  both.x = Random(8, 8, 1);
  both.c = Random(2, 8, 2);
  both.text = Random(6, 8, 3);
  DitMatrix out_both, out_one;
  std::string error;
  ASSERT_TRUE(DitBlockForward(config, weights, both, &out_both, &error)) << error;

  DitBlockInputs second;
  second.x = DitMatrix(4, 8);
  second.c = DitMatrix(1, 8);
  second.text = DitMatrix(3, 8);
  for (int i = 0; i < 32; ++i) second.x.values[i] = both.x.values[32 + i];
  for (int i = 0; i < 8; ++i) second.c.values[i] = both.c.values[8 + i];
  for (int i = 0; i < 24; ++i) second.text.values[i] = both.text.values[24 + i];
  config.batch = 1;
  ASSERT_TRUE(DitBlockForward(config, weights, second, &out_one, &error)) << error;
  for (int i = 0; i < 32; ++i) EXPECT_NEAR(out_both.values[32 + i], out_one.values[i], 1e-14);
}

TEST(DitReference, RejectsBadInput) {
  DitMatrix out;
  std::string error;
  // Shapes that do not chain.
  EXPECT_FALSE(
      DitMatmul(Make(2, 3, {1, 2, 3, 4, 5, 6}), Make(2, 2, {1, 2, 3, 4}), {}, &out, &error));
  EXPECT_NE(error.find("rows"), std::string::npos);
  // Values that do not match the declared shape.
  EXPECT_FALSE(DitMatmul(Make(2, 2, {1, 2, 3}), Make(2, 2, {1, 2, 3, 4}), {}, &out, &error));
  EXPECT_NE(error.find("holds 3 values"), std::string::npos);
  // NaN and infinity.
  EXPECT_FALSE(DitMatmul(Make(1, 1, {NAN}), Make(1, 1, {1}), {}, &out, &error));
  EXPECT_NE(error.find("non-finite"), std::string::npos);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(DitLayerNorm(Make(1, 2, {1, inf}), {}, &out, &error));
  // Missing bias, wrong gate rows, rows per sample that does not divide.
  DitMatmulOptions options;
  options.epilogue = DitEpilogue::kBias;
  EXPECT_FALSE(DitMatmul(Make(1, 1, {1}), Make(1, 1, {1}), options, &out, &error));
  EXPECT_NE(error.find("bias"), std::string::npos);
  options.epilogue = DitEpilogue::kBiasGatedResidual;
  options.bias = {0};
  options.residual = Make(3, 1, {0, 0, 0});
  options.gate = Make(1, 1, {1});
  options.rows_per_sample = 2;
  EXPECT_FALSE(DitMatmul(Make(3, 1, {1, 2, 3}), Make(1, 1, {1}), options, &out, &error));
  EXPECT_NE(error.find("rows per sample"), std::string::npos);
  // Negative and huge dimensions.
  DitMatrix negative;
  negative.rows = -1;
  EXPECT_FALSE(DitMatmul(negative, Make(1, 1, {1}), {}, &out, &error));
  DitMatrix huge;
  huge.rows = 1 << 20;
  huge.cols = 1 << 20;
  EXPECT_FALSE(DitMatmul(huge, huge, {}, &out, &error));
  EXPECT_NE(error.find("cap"), std::string::npos);
  // Attention: heads that do not divide the width, no keys, batch that does not divide.
  EXPECT_FALSE(DitAttention(Random(2, 6, 1), Random(2, 6, 2), Random(2, 6, 3), 4, 1, &out, &error));
  EXPECT_FALSE(DitAttention(Random(2, 4, 1), DitMatrix(0, 4), DitMatrix(0, 4), 1, 1, &out, &error));
  EXPECT_NE(error.find("at least one key"), std::string::npos);
  EXPECT_FALSE(DitAttention(Random(3, 4, 1), Random(3, 4, 2), Random(3, 4, 3), 1, 2, &out, &error));
  // Epilogue names.
  DitEpilogue epilogue;
  EXPECT_TRUE(FromString("bias_gated_residual", &epilogue));
  EXPECT_EQ(epilogue, DitEpilogue::kBiasGatedResidual);
  EXPECT_FALSE(FromString("relu", &epilogue));
}

TEST(DitReference, BlockRejectsBadConfig) {
  DitBlockConfig config;
  std::string error;
  EXPECT_FALSE(config.IsValid(&error));  // empty
  config.tokens = 4;
  config.width = 10;
  config.heads = 3;
  EXPECT_FALSE(config.IsValid(&error));
  EXPECT_NE(error.find("multiple of heads"), std::string::npos);
  config.heads = 2;
  config.cross_attention = true;
  EXPECT_FALSE(config.IsValid(&error));
  EXPECT_NE(error.find("text token"), std::string::npos);
  config.text_tokens = 1;
  EXPECT_TRUE(config.IsValid(&error)) << error;
  config.tokens = 1 << 22;
  EXPECT_FALSE(config.IsValid(&error));
  // A well-formed config with weights of the wrong shape is refused, not read out of bounds.
  config.tokens = 4;
  config.cross_attention = false;
  DitBlockWeights weights = RandomWeights(8, 0.1, 1);
  DitBlockInputs inputs;
  inputs.x = Random(4, 10, 1);
  inputs.c = Random(1, 10, 2);
  DitMatrix out;
  EXPECT_FALSE(DitBlockForward(config, weights, inputs, &out, &error));
  EXPECT_NE(error.find("w_mod"), std::string::npos);
}

}  // namespace
}  // namespace scalecalc

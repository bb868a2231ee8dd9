// dit_reference.h: a double-precision CPU reference of one DiT block (science.md section 4), the
// oracle every WebGPU kernel in shaders/*.wgsl is checked against (web/gpu/check.js, through the
// Embind functions dit* in src/wasm/dit_bindings.cpp).
//
// The block, DiT-style with adaLN-Zero modulation from a per-sample conditioning vector c:
//   [shift1, scale1, gate1, shift2, scale2, gate2] = Linear(SiLU(c))
//   x += gate1 * Attn(LN(x) * (1 + scale1) + shift1)
//   x += CrossAttn(LN(x), text)                       (optional)
//   x += gate2 * MLP(LN(x) * (1 + scale2) + shift2),  MLP = Linear(4d) -> GELU(tanh) -> Linear(d)
//
// Matrices are row-major DitMatrix values. A batch of samples is stacked by rows: the rows of
// sample b are [b * rows_per_sample, (b + 1) * rows_per_sample). Per-sample vectors (conditioning,
// gates, shift, scale) are the rows of a [batch, cols] matrix. Every function checks its shapes and
// inputs (finite, within kDitMaxElements) and returns false with a message in *error; nothing
// throws.
//
//   DitMatrix y;
//   std::string error;
//   if (!DitMatmul(x, w, DitMatmulOptions{}, &y, &error)) { /* report error */ }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace scalecalc {

// Largest matrix the reference accepts (elements). It is an oracle for small checks, not a
// runtime: 2^24 doubles are 128 MiB.
constexpr std::int64_t kDitMaxElements = std::int64_t{1} << 24;

struct DitMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> values;  // rows * cols, row-major

  DitMatrix() = default;
  DitMatrix(int r, int c) : rows(r), cols(c), values(static_cast<size_t>(r) * c, 0.0) {}
  double& at(int r, int c) { return values[static_cast<size_t>(r) * cols + c]; }
  double at(int r, int c) const { return values[static_cast<size_t>(r) * cols + c]; }
};

// What the matmul does after y = a b (in this order): add the bias; then GELU, or a residual.
enum class DitEpilogue {
  kNone,               // y = a b
  kBias,               // y = a b + bias
  kBiasGelu,           // y = GELU(a b + bias)
  kBiasResidual,       // y = residual + (a b + bias)
  kBiasGatedResidual,  // y = residual + gate[sample] * (a b + bias), gate per sample and column
};

struct DitMatmulOptions {
  DitEpilogue epilogue = DitEpilogue::kNone;
  bool silu_input = false;   // use SiLU(a) in place of a (adaLN: Linear(SiLU(c)))
  std::vector<double> bias;  // b.cols values, for every epilogue but kNone
  DitMatrix residual;        // a.rows x b.cols, for the residual epilogues
  DitMatrix gate;            // batch x b.cols, for kBiasGatedResidual
  int rows_per_sample = 0;   // rows of a per sample (gate row = row / rows_per_sample)
};

// GELU with the tanh approximation (as DiT's MLP: approximate="tanh").
double DitGeluTanh(double x);
// SiLU(x) = x / (1 + exp(-x)).
double DitSilu(double x);

// out = epilogue(a b); a is [M, K], b is [K, N].
bool DitMatmul(const DitMatrix& a, const DitMatrix& b, const DitMatmulOptions& options,
               DitMatrix* out, std::string* error);

struct DitLayerNormOptions {
  double epsilon = 1e-6;    // DiT's LayerNorm: no affine weights, eps 1e-6
  bool modulate = false;    // adaLN: x_hat * (1 + scale[sample]) + shift[sample]
  DitMatrix shift;          // batch x width
  DitMatrix scale;          // batch x width
  int rows_per_sample = 0;  // rows of x per sample, when modulating
};

// Row-wise LayerNorm (biased variance), then the optional adaLN modulation.
bool DitLayerNorm(const DitMatrix& x, const DitLayerNormOptions& options, DitMatrix* out,
                  std::string* error);

// Multi-head scaled dot-product attention, softmax(q k^T / sqrt(head_dim)) v per head and sample.
// q is [batch * n, d], k and v are [batch * m, d] (m != n for cross-attention); head h uses
// columns [h * d / heads, (h + 1) * d / heads). out is [batch * n, d].
bool DitAttention(const DitMatrix& q, const DitMatrix& k, const DitMatrix& v, int heads, int batch,
                  DitMatrix* out, std::string* error);

struct DitBlockConfig {
  int tokens = 0;                // n: tokens per sample
  int width = 0;                 // d
  int heads = 1;                 // d must be a multiple of heads
  int text_tokens = 0;           // M: text tokens per sample, for cross-attention
  bool cross_attention = false;  // add the cross-attention sub-block
  int batch = 1;                 // samples
  double epsilon = 1e-6;         // LayerNorm epsilon

  bool IsValid(std::string* error) const;
};

// Weights as [in, out] matrices (y = x W + b) and bias vectors.
struct DitBlockWeights {
  DitMatrix w_mod;  // [d, 6d]: shift1, scale1, gate1, shift2, scale2, gate2
  std::vector<double> b_mod;
  DitMatrix w_qkv;  // [d, 3d]: q, k, v
  std::vector<double> b_qkv;
  DitMatrix w_out;  // [d, d]
  std::vector<double> b_out;
  DitMatrix w_cross_q;  // [d, d]        (cross-attention only)
  std::vector<double> b_cross_q;
  DitMatrix w_cross_kv;  // [d, 2d]: k, v (cross-attention only)
  std::vector<double> b_cross_kv;
  DitMatrix w_cross_out;  // [d, d]      (cross-attention only)
  std::vector<double> b_cross_out;
  DitMatrix w_mlp1;  // [d, 4d]
  std::vector<double> b_mlp1;
  DitMatrix w_mlp2;  // [4d, d]
  std::vector<double> b_mlp2;
};

struct DitBlockInputs {
  DitMatrix x;     // [batch * tokens, d]
  DitMatrix c;     // [batch, d] conditioning (timestep and class/pooled text embedding)
  DitMatrix text;  // [batch * text_tokens, d] (cross-attention only)
};

// One block forward pass; out is [batch * tokens, d].
bool DitBlockForward(const DitBlockConfig& config, const DitBlockWeights& weights,
                     const DitBlockInputs& inputs, DitMatrix* out, std::string* error);

}  // namespace scalecalc

#include "core/dit_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace scalecalc {
namespace {

constexpr double kPi = 3.14159265358979323846;

void SetError(std::string* error, const std::string& message) {
  if (error) *error = message;
}

// Checks that m is a well-formed rows x cols matrix of finite values within the size cap.
bool CheckMatrix(const DitMatrix& m, const char* name, std::string* error) {
  if (m.rows < 0 || m.cols < 0) {
    SetError(error, std::string(name) + " has a negative dimension");
    return false;
  }
  const std::int64_t elements = std::int64_t{m.rows} * m.cols;
  if (elements > kDitMaxElements) {
    SetError(error, std::string(name) + " has " + std::to_string(elements) +
                        " elements, over the reference's cap of " +
                        std::to_string(kDitMaxElements));
    return false;
  }
  if (static_cast<std::int64_t>(m.values.size()) != elements) {
    SetError(error, std::string(name) + " holds " + std::to_string(m.values.size()) +
                        " values for " + std::to_string(m.rows) + " x " + std::to_string(m.cols));
    return false;
  }
  for (size_t i = 0; i < m.values.size(); ++i) {
    if (!std::isfinite(m.values[i])) {
      SetError(error, std::string(name) + " has a non-finite value at row " +
                          std::to_string(i / std::max(m.cols, 1)) + ", column " +
                          std::to_string(i % std::max(m.cols, 1)));
      return false;
    }
  }
  return true;
}

bool CheckShape(const DitMatrix& m, const char* name, int rows, int cols, std::string* error) {
  if (!CheckMatrix(m, name, error)) return false;
  if (m.rows != rows || m.cols != cols) {
    SetError(error, std::string(name) + " is " + std::to_string(m.rows) + " x " +
                        std::to_string(m.cols) + ", expected " + std::to_string(rows) + " x " +
                        std::to_string(cols));
    return false;
  }
  return true;
}

bool CheckVector(const std::vector<double>& v, const char* name, int size, std::string* error) {
  if (static_cast<std::int64_t>(v.size()) != size) {
    SetError(error, std::string(name) + " has " + std::to_string(v.size()) + " values, expected " +
                        std::to_string(size));
    return false;
  }
  for (double value : v) {
    if (!std::isfinite(value)) {
      SetError(error, std::string(name) + " has a non-finite value");
      return false;
    }
  }
  return true;
}

// Checks rows_per_sample against the rows and the per-sample matrix (batch rows).
bool CheckSamples(int rows, int rows_per_sample, const DitMatrix& per_sample, const char* name,
                  std::string* error) {
  if (rows_per_sample <= 0 || rows % rows_per_sample != 0) {
    SetError(error, "rows per sample (" + std::to_string(rows_per_sample) +
                        ") must be positive and divide the " + std::to_string(rows) + " rows");
    return false;
  }
  if (per_sample.rows != rows / rows_per_sample) {
    SetError(error, std::string(name) + " has " + std::to_string(per_sample.rows) +
                        " rows, expected one per sample (" +
                        std::to_string(rows / rows_per_sample) + ")");
    return false;
  }
  return true;
}

// Copies columns [first, first + count) of m.
DitMatrix Columns(const DitMatrix& m, int first, int count) {
  DitMatrix out(m.rows, count);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < count; ++c) out.at(r, c) = m.at(r, first + c);
  }
  return out;
}

}  // namespace

double DitGeluTanh(double x) {
  const double u = std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x);
  return 0.5 * x * (1.0 + std::tanh(u));
}

double DitSilu(double x) {
  return x / (1.0 + std::exp(-x));
}

bool DitMatmul(const DitMatrix& a, const DitMatrix& b, const DitMatmulOptions& options,
               DitMatrix* out, std::string* error) {
  if (!CheckMatrix(a, "a", error) || !CheckMatrix(b, "b", error)) return false;
  if (a.cols != b.rows) {
    SetError(error, "a is " + std::to_string(a.rows) + " x " + std::to_string(a.cols) +
                        " but b has " + std::to_string(b.rows) + " rows");
    return false;
  }
  if (std::int64_t{a.rows} * b.cols > kDitMaxElements) {
    SetError(error, "the product has more elements than the reference's cap");
    return false;
  }
  const int m = a.rows, k = a.cols, n = b.cols;
  const DitEpilogue e = options.epilogue;
  if (e != DitEpilogue::kNone && !CheckVector(options.bias, "bias", n, error)) return false;
  const bool residual = e == DitEpilogue::kBiasResidual || e == DitEpilogue::kBiasGatedResidual;
  if (residual && !CheckShape(options.residual, "residual", m, n, error)) return false;
  const bool gated = e == DitEpilogue::kBiasGatedResidual;
  if (gated) {
    if (!CheckMatrix(options.gate, "gate", error)) return false;
    if (!CheckSamples(m, options.rows_per_sample, options.gate, "gate", error)) return false;
    if (options.gate.cols != n) {
      SetError(error, "gate has " + std::to_string(options.gate.cols) + " columns, expected " +
                          std::to_string(n));
      return false;
    }
  }

  DitMatrix y(m, n);
  std::vector<double> a_row(static_cast<size_t>(k));
  for (int i = 0; i < m; ++i) {
    for (int p = 0; p < k; ++p) a_row[p] = options.silu_input ? DitSilu(a.at(i, p)) : a.at(i, p);
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (int p = 0; p < k; ++p) sum += a_row[p] * b.at(p, j);
      if (e != DitEpilogue::kNone) sum += options.bias[j];
      if (e == DitEpilogue::kBiasGelu) sum = DitGeluTanh(sum);
      if (gated) sum *= options.gate.at(i / options.rows_per_sample, j);
      if (residual) sum += options.residual.at(i, j);
      y.at(i, j) = sum;
    }
  }
  *out = std::move(y);
  return true;
}

bool DitLayerNorm(const DitMatrix& x, const DitLayerNormOptions& options, DitMatrix* out,
                  std::string* error) {
  if (!CheckMatrix(x, "x", error)) return false;
  if (!(options.epsilon >= 0) || !std::isfinite(options.epsilon)) {
    SetError(error, "epsilon must be finite and non-negative");
    return false;
  }
  if (options.modulate) {
    if (!CheckMatrix(options.shift, "shift", error) ||
        !CheckMatrix(options.scale, "scale", error) ||
        !CheckSamples(x.rows, options.rows_per_sample, options.shift, "shift", error) ||
        !CheckShape(options.scale, "scale", options.shift.rows, x.cols, error) ||
        !CheckShape(options.shift, "shift", options.shift.rows, x.cols, error)) {
      return false;
    }
  }
  DitMatrix y(x.rows, x.cols);
  for (int r = 0; r < x.rows; ++r) {
    double mean = 0;
    for (int c = 0; c < x.cols; ++c) mean += x.at(r, c);
    mean /= std::max(x.cols, 1);
    double variance = 0;  // two passes: no cancellation from E[x^2] - E[x]^2
    for (int c = 0; c < x.cols; ++c) variance += (x.at(r, c) - mean) * (x.at(r, c) - mean);
    variance /= std::max(x.cols, 1);
    const double inv_std = 1.0 / std::sqrt(variance + options.epsilon);
    for (int c = 0; c < x.cols; ++c) {
      double v = (x.at(r, c) - mean) * inv_std;
      if (options.modulate) {
        const int s = r / options.rows_per_sample;
        v = v * (1.0 + options.scale.at(s, c)) + options.shift.at(s, c);
      }
      y.at(r, c) = v;
    }
  }
  *out = std::move(y);
  return true;
}

bool DitAttention(const DitMatrix& q, const DitMatrix& k, const DitMatrix& v, int heads, int batch,
                  DitMatrix* out, std::string* error) {
  if (!CheckMatrix(q, "q", error) || !CheckMatrix(k, "k", error) || !CheckMatrix(v, "v", error)) {
    return false;
  }
  if (heads <= 0 || q.cols % heads != 0) {
    SetError(error, "heads (" + std::to_string(heads) + ") must be positive and divide the width " +
                        std::to_string(q.cols));
    return false;
  }
  if (batch <= 0 || q.rows % batch != 0 || k.rows % batch != 0) {
    SetError(error, "batch (" + std::to_string(batch) + ") must be positive and divide the rows");
    return false;
  }
  if (k.cols != q.cols || v.cols != q.cols || v.rows != k.rows) {
    SetError(error, "k and v must have q's width and as many rows as each other");
    return false;
  }
  if (k.rows == 0) {
    SetError(error, "attention needs at least one key");
    return false;
  }
  const int n = q.rows / batch, m = k.rows / batch, dh = q.cols / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
  DitMatrix y(q.rows, q.cols);
  std::vector<double> scores(static_cast<size_t>(m));
  for (int s = 0; s < batch; ++s) {
    for (int h = 0; h < heads; ++h) {
      for (int i = 0; i < n; ++i) {
        const int qi = s * n + i;
        double max_score = -std::numeric_limits<double>::infinity();
        for (int j = 0; j < m; ++j) {
          double dot = 0;
          for (int c = 0; c < dh; ++c) dot += q.at(qi, h * dh + c) * k.at(s * m + j, h * dh + c);
          scores[j] = dot * scale;
          max_score = std::max(max_score, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j < m; ++j) {
          scores[j] = std::exp(scores[j] - max_score);
          sum += scores[j];
        }
        for (int c = 0; c < dh; ++c) {
          double acc = 0;
          for (int j = 0; j < m; ++j) acc += scores[j] * v.at(s * m + j, h * dh + c);
          y.at(qi, h * dh + c) = acc / sum;
        }
      }
    }
  }
  *out = std::move(y);
  return true;
}

bool DitBlockConfig::IsValid(std::string* error) const {
  if (tokens <= 0 || width <= 0 || heads <= 0 || batch <= 0) {
    SetError(error, "tokens, width, heads and batch must be positive");
    return false;
  }
  if (width % heads != 0) {
    SetError(error, "width " + std::to_string(width) + " is not a multiple of heads " +
                        std::to_string(heads));
    return false;
  }
  if (cross_attention && text_tokens <= 0) {
    SetError(error, "cross-attention needs at least one text token");
    return false;
  }
  if (text_tokens < 0) {
    SetError(error, "text tokens must not be negative");
    return false;
  }
  // The widest intermediate is the MLP's hidden layer, [batch * tokens, 4 width].
  if (std::int64_t{batch} * tokens * 4 * width > kDitMaxElements ||
      std::int64_t{width} * 6 * width > kDitMaxElements) {
    SetError(error, "the block is larger than the reference's cap of " +
                        std::to_string(kDitMaxElements) + " elements per matrix");
    return false;
  }
  if (!(epsilon >= 0) || !std::isfinite(epsilon)) {
    SetError(error, "epsilon must be finite and non-negative");
    return false;
  }
  return true;
}

bool DitBlockForward(const DitBlockConfig& config, const DitBlockWeights& weights,
                     const DitBlockInputs& inputs, DitMatrix* out, std::string* error) {
  if (!config.IsValid(error)) return false;
  const int d = config.width, rows = config.batch * config.tokens;
  if (!CheckShape(inputs.x, "x", rows, d, error) ||
      !CheckShape(inputs.c, "c", config.batch, d, error) ||
      !CheckShape(weights.w_mod, "w_mod", d, 6 * d, error) ||
      !CheckVector(weights.b_mod, "b_mod", 6 * d, error) ||
      !CheckShape(weights.w_qkv, "w_qkv", d, 3 * d, error) ||
      !CheckVector(weights.b_qkv, "b_qkv", 3 * d, error) ||
      !CheckShape(weights.w_out, "w_out", d, d, error) ||
      !CheckVector(weights.b_out, "b_out", d, error) ||
      !CheckShape(weights.w_mlp1, "w_mlp1", d, 4 * d, error) ||
      !CheckVector(weights.b_mlp1, "b_mlp1", 4 * d, error) ||
      !CheckShape(weights.w_mlp2, "w_mlp2", 4 * d, d, error) ||
      !CheckVector(weights.b_mlp2, "b_mlp2", d, error)) {
    return false;
  }
  if (config.cross_attention &&
      (!CheckShape(inputs.text, "text", config.batch * config.text_tokens, d, error) ||
       !CheckShape(weights.w_cross_q, "w_cross_q", d, d, error) ||
       !CheckVector(weights.b_cross_q, "b_cross_q", d, error) ||
       !CheckShape(weights.w_cross_kv, "w_cross_kv", d, 2 * d, error) ||
       !CheckVector(weights.b_cross_kv, "b_cross_kv", 2 * d, error) ||
       !CheckShape(weights.w_cross_out, "w_cross_out", d, d, error) ||
       !CheckVector(weights.b_cross_out, "b_cross_out", d, error))) {
    return false;
  }

  // Modulation: [batch, 6d] = Linear(SiLU(c)).
  DitMatmulOptions mod_options;
  mod_options.epilogue = DitEpilogue::kBias;
  mod_options.silu_input = true;
  mod_options.bias = weights.b_mod;
  DitMatrix mod;
  if (!DitMatmul(inputs.c, weights.w_mod, mod_options, &mod, error)) return false;

  DitLayerNormOptions norm;
  norm.epsilon = config.epsilon;
  norm.modulate = true;
  norm.rows_per_sample = config.tokens;

  // Self-attention sub-block.
  norm.shift = Columns(mod, 0, d);
  norm.scale = Columns(mod, d, d);
  DitMatrix h, qkv, attn, x1;
  if (!DitLayerNorm(inputs.x, norm, &h, error)) return false;
  DitMatmulOptions bias;
  bias.epilogue = DitEpilogue::kBias;
  bias.bias = weights.b_qkv;
  if (!DitMatmul(h, weights.w_qkv, bias, &qkv, error)) return false;
  if (!DitAttention(Columns(qkv, 0, d), Columns(qkv, d, d), Columns(qkv, 2 * d, d), config.heads,
                    config.batch, &attn, error)) {
    return false;
  }
  DitMatmulOptions gated;
  gated.epilogue = DitEpilogue::kBiasGatedResidual;
  gated.bias = weights.b_out;
  gated.residual = inputs.x;
  gated.gate = Columns(mod, 2 * d, d);
  gated.rows_per_sample = config.tokens;
  if (!DitMatmul(attn, weights.w_out, gated, &x1, error)) return false;

  // Cross-attention sub-block: plain LayerNorm, no gate.
  if (config.cross_attention) {
    DitLayerNormOptions plain;
    plain.epsilon = config.epsilon;
    DitMatrix h2, q2, kv2, attn2, x2;
    if (!DitLayerNorm(x1, plain, &h2, error)) return false;
    bias.bias = weights.b_cross_q;
    if (!DitMatmul(h2, weights.w_cross_q, bias, &q2, error)) return false;
    bias.bias = weights.b_cross_kv;
    if (!DitMatmul(inputs.text, weights.w_cross_kv, bias, &kv2, error)) return false;
    if (!DitAttention(q2, Columns(kv2, 0, d), Columns(kv2, d, d), config.heads, config.batch,
                      &attn2, error)) {
      return false;
    }
    DitMatmulOptions residual;
    residual.epilogue = DitEpilogue::kBiasResidual;
    residual.bias = weights.b_cross_out;
    residual.residual = x1;
    if (!DitMatmul(attn2, weights.w_cross_out, residual, &x2, error)) return false;
    x1 = std::move(x2);
  }

  // MLP sub-block.
  norm.shift = Columns(mod, 3 * d, d);
  norm.scale = Columns(mod, 4 * d, d);
  DitMatrix h3, hidden;
  if (!DitLayerNorm(x1, norm, &h3, error)) return false;
  DitMatmulOptions gelu;
  gelu.epilogue = DitEpilogue::kBiasGelu;
  gelu.bias = weights.b_mlp1;
  if (!DitMatmul(h3, weights.w_mlp1, gelu, &hidden, error)) return false;
  gated.bias = weights.b_mlp2;
  gated.residual = x1;
  gated.gate = Columns(mod, 5 * d, d);
  return DitMatmul(hidden, weights.w_mlp2, gated, out, error);
}

}  // namespace scalecalc

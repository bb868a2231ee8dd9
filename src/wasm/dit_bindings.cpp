// dit_bindings.cpp: Embind API of the DiT block's CPU reference (core/dit_reference.h), used by
// the WebGPU kernel checks (web/gpu/check.js). Arrays come in as typed arrays or plain arrays
// (row-major) and go out as Float64Array; every function returns {ok, message, values} and never
// throws: a missing or malformed argument is reported in message.
//
//   ditReferenceMatmul(a, b, m, k, n, {epilogue, siluInput, bias, residual, gate, rowsPerSample})
//   ditReferenceLayerNorm(x, rows, width, {epsilon, shift, scale, rowsPerSample})
//   ditReferenceAttention(q, k, v, {batch, queries, keys, width, heads})
//   ditReferenceBlock({tokens, width, heads, textTokens, crossAttention, batch, epsilon},
//                     {wMod, bMod, wQkv, bQkv, wOut, bOut, wCrossQ, bCrossQ, wCrossKv, bCrossKv,
//                      wCrossOut, bCrossOut, wMlp1, bMlp1, wMlp2, bMlp2}, {x, c, text})
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dit_reference.h"

namespace scalecalc {
namespace {

using emscripten::val;

val Result(bool ok, const std::string& message, const std::vector<double>& values) {
  val result = val::object();
  result.set("ok", ok);
  result.set("message", message);
  val array = val::global("Float64Array").new_(values.size());
  if (!values.empty()) {
    array.call<void>("set", emscripten::typed_memory_view(values.size(), values.data()));
  }
  result.set("values", array);
  return result;
}

val Failure(const std::string& message) {
  return Result(false, message, {});
}

bool IsArrayLike(const val& v) {
  if (v.isUndefined() || v.isNull()) return false;
  return val::global("ArrayBuffer").call<bool>("isView", v) ||
         val::global("Array").call<bool>("isArray", v);
}

// Reads an array argument (typed array or array of numbers) into *out.
bool ReadArray(const val& v, const std::string& name, std::vector<double>* out,
               std::string* error) {
  if (!IsArrayLike(v)) {
    *error = name + " must be a typed array or an array of numbers";
    return false;
  }
  const double length = v["length"].as<double>();
  if (!(length >= 0) || length > static_cast<double>(kDitMaxElements)) {
    *error = name + " is longer than the reference's cap";
    return false;
  }
  *out = emscripten::convertJSArrayToNumberVector<double>(v);
  return true;
}

bool ReadMatrix(const val& v, const std::string& name, int rows, int cols, DitMatrix* out,
                std::string* error) {
  if (!ReadArray(v, name, &out->values, error)) return false;
  out->rows = rows;
  out->cols = cols;  // the core checks that rows * cols values came
  return true;
}

// An integer field of an options object; fallback when absent. False when present but not a
// non-negative integer below 2^31.
bool ReadInt(const val& options, const char* key, int fallback, int* out, std::string* error) {
  if (options.isUndefined() || options.isNull() || options[key].isUndefined()) {
    *out = fallback;
    return true;
  }
  const val field = options[key];
  const double value = field.isNumber() ? field.as<double>() : NAN;
  if (!(value >= 0) || value > 2147483647.0 || std::floor(value) != value) {
    *error = std::string(key) + " must be a non-negative integer";
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool Present(const val& options, const char* key) {
  return !options.isUndefined() && !options.isNull() && !options[key].isUndefined() &&
         !options[key].isNull();
}

bool CheckDims(double rows, double cols, std::string* error) {
  for (double v : {rows, cols}) {
    if (!(v >= 0) || v > 2147483647.0 || std::floor(v) != v) {
      *error = "dimensions must be non-negative integers";
      return false;
    }
  }
  return true;
}

val ReferenceMatmul(val a_js, val b_js, double m, double k, double n, val options) {
  std::string error;
  if (!CheckDims(m, k, &error) || !CheckDims(k, n, &error)) return Failure(error);
  DitMatrix a, b;
  if (!ReadMatrix(a_js, "a", int(m), int(k), &a, &error) ||
      !ReadMatrix(b_js, "b", int(k), int(n), &b, &error)) {
    return Failure(error);
  }
  DitMatmulOptions opts;
  if (Present(options, "epilogue")) {
    const std::string name =
        options["epilogue"].isString() ? options["epilogue"].as<std::string>() : "";
    if (!FromString(name, &opts.epilogue)) return Failure("unknown epilogue '" + name + "'");
  }
  opts.silu_input = Present(options, "siluInput") && options["siluInput"].as<bool>();
  if (Present(options, "bias") && !ReadArray(options["bias"], "bias", &opts.bias, &error)) {
    return Failure(error);
  }
  if (Present(options, "residual") &&
      !ReadMatrix(options["residual"], "residual", int(m), int(n), &opts.residual, &error)) {
    return Failure(error);
  }
  if (!ReadInt(options, "rowsPerSample", int(m), &opts.rows_per_sample, &error)) {
    return Failure(error);
  }
  if (Present(options, "gate")) {
    const int samples = opts.rows_per_sample > 0 ? int(m) / opts.rows_per_sample : 0;
    if (!ReadMatrix(options["gate"], "gate", samples, int(n), &opts.gate, &error)) {
      return Failure(error);
    }
  }
  DitMatrix out;
  if (!DitMatmul(a, b, opts, &out, &error)) return Failure(error);
  return Result(true, "", out.values);
}

val ReferenceLayerNorm(val x_js, double rows, double width, val options) {
  std::string error;
  if (!CheckDims(rows, width, &error)) return Failure(error);
  DitMatrix x;
  if (!ReadMatrix(x_js, "x", int(rows), int(width), &x, &error)) return Failure(error);
  DitLayerNormOptions opts;
  if (Present(options, "epsilon")) opts.epsilon = options["epsilon"].as<double>();
  if (!ReadInt(options, "rowsPerSample", int(rows), &opts.rows_per_sample, &error)) {
    return Failure(error);
  }
  opts.modulate = Present(options, "shift") || Present(options, "scale");
  if (opts.modulate) {
    const int samples = opts.rows_per_sample > 0 ? int(rows) / opts.rows_per_sample : 0;
    if (!ReadMatrix(options["shift"], "shift", samples, int(width), &opts.shift, &error) ||
        !ReadMatrix(options["scale"], "scale", samples, int(width), &opts.scale, &error)) {
      return Failure(error);
    }
  }
  DitMatrix out;
  if (!DitLayerNorm(x, opts, &out, &error)) return Failure(error);
  return Result(true, "", out.values);
}

val ReferenceAttention(val q_js, val k_js, val v_js, val options) {
  std::string error;
  int batch = 0, queries = 0, keys = 0, width = 0, heads = 0;
  if (!ReadInt(options, "batch", 1, &batch, &error) ||
      !ReadInt(options, "queries", 0, &queries, &error) ||
      !ReadInt(options, "keys", 0, &keys, &error) ||
      !ReadInt(options, "width", 0, &width, &error) ||
      !ReadInt(options, "heads", 1, &heads, &error)) {
    return Failure(error);
  }
  const std::int64_t q_rows = std::int64_t{batch} * queries, k_rows = std::int64_t{batch} * keys;
  if (q_rows > kDitMaxElements || k_rows > kDitMaxElements) return Failure("too many rows");
  DitMatrix q, k, v;
  if (!ReadMatrix(q_js, "q", int(q_rows), width, &q, &error) ||
      !ReadMatrix(k_js, "k", int(k_rows), width, &k, &error) ||
      !ReadMatrix(v_js, "v", int(k_rows), width, &v, &error)) {
    return Failure(error);
  }
  DitMatrix out;
  if (!DitAttention(q, k, v, heads, batch, &out, &error)) return Failure(error);
  return Result(true, "", out.values);
}

val ReferenceBlock(val config_js, val weights_js, val inputs_js) {
  std::string error;
  DitBlockConfig config;
  if (!ReadInt(config_js, "tokens", 0, &config.tokens, &error) ||
      !ReadInt(config_js, "width", 0, &config.width, &error) ||
      !ReadInt(config_js, "heads", 1, &config.heads, &error) ||
      !ReadInt(config_js, "textTokens", 0, &config.text_tokens, &error) ||
      !ReadInt(config_js, "batch", 1, &config.batch, &error)) {
    return Failure(error);
  }
  config.cross_attention =
      Present(config_js, "crossAttention") && config_js["crossAttention"].as<bool>();
  if (Present(config_js, "epsilon")) config.epsilon = config_js["epsilon"].as<double>();
  if (!config.IsValid(&error)) return Failure(error);
  if (weights_js.isUndefined() || weights_js.isNull() || inputs_js.isUndefined() ||
      inputs_js.isNull()) {
    return Failure("weights and inputs must be objects");
  }
  const int d = config.width, rows = config.batch * config.tokens;
  DitBlockWeights w;
  DitBlockInputs in;
  auto matrix = [&](const char* key, int r, int c, DitMatrix* out) {
    return ReadMatrix(weights_js[key], key, r, c, out, &error);
  };
  auto vector = [&](const char* key, std::vector<double>* out) {
    return ReadArray(weights_js[key], key, out, &error);
  };
  if (!matrix("wMod", d, 6 * d, &w.w_mod) || !vector("bMod", &w.b_mod) ||
      !matrix("wQkv", d, 3 * d, &w.w_qkv) || !vector("bQkv", &w.b_qkv) ||
      !matrix("wOut", d, d, &w.w_out) || !vector("bOut", &w.b_out) ||
      !matrix("wMlp1", d, 4 * d, &w.w_mlp1) || !vector("bMlp1", &w.b_mlp1) ||
      !matrix("wMlp2", 4 * d, d, &w.w_mlp2) || !vector("bMlp2", &w.b_mlp2) ||
      !ReadMatrix(inputs_js["x"], "x", rows, d, &in.x, &error) ||
      !ReadMatrix(inputs_js["c"], "c", config.batch, d, &in.c, &error)) {
    return Failure(error);
  }
  if (config.cross_attention &&
      (!matrix("wCrossQ", d, d, &w.w_cross_q) || !vector("bCrossQ", &w.b_cross_q) ||
       !matrix("wCrossKv", d, 2 * d, &w.w_cross_kv) || !vector("bCrossKv", &w.b_cross_kv) ||
       !matrix("wCrossOut", d, d, &w.w_cross_out) || !vector("bCrossOut", &w.b_cross_out) ||
       !ReadMatrix(inputs_js["text"], "text", config.batch * config.text_tokens, d, &in.text,
                   &error))) {
    return Failure(error);
  }
  DitMatrix out;
  if (!DitBlockForward(config, w, in, &out, &error)) return Failure(error);
  return Result(true, "", out.values);
}

}  // namespace
}  // namespace scalecalc

EMSCRIPTEN_BINDINGS(scalecalc_dit) {
  emscripten::function("ditReferenceMatmul", &scalecalc::ReferenceMatmul);
  emscripten::function("ditReferenceLayerNorm", &scalecalc::ReferenceLayerNorm);
  emscripten::function("ditReferenceAttention", &scalecalc::ReferenceAttention);
  emscripten::function("ditReferenceBlock", &scalecalc::ReferenceBlock);
}

// core_bindings.cpp: the core's Embind API. Plain values across the boundary; errors as strings.
#include <emscripten/bind.h>

#include <cmath>
#include <string>

#include "core/compute_model.h"

namespace scalecalc {
namespace {

double FlopsPerTokenJs(const std::string& kind_name, double params, double tokens_per_sample,
                       double width_per_depth) {
  ComputeModel model;
  if (!FromString(kind_name, &model.kind)) return NAN;
  model.tokens_per_sample = tokens_per_sample;
  model.width_per_depth = width_per_depth;
  return FlopsPerToken(model, params);
}

}  // namespace
}  // namespace scalecalc

EMSCRIPTEN_BINDINGS(scalecalc_core) {
  emscripten::function("flopsPerToken", &scalecalc::FlopsPerTokenJs);
}

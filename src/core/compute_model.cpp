#include "core/compute_model.h"

#include <cmath>

namespace scalecalc {

const char* ToString(ComputeKind kind) {
  switch (kind) {
    case ComputeKind::kSixN:
      return "6n";
    case ComputeKind::kDit:
      return "dit";
  }
  return "?";
}

bool FromString(const std::string& text, ComputeKind* kind) {
  if (text == "6n" || text == "6N") {
    *kind = ComputeKind::kSixN;
    return true;
  }
  if (text == "dit" || text == "DiT" || text == "DIT") {
    *kind = ComputeKind::kDit;
    return true;
  }
  return false;
}

bool ComputeModel::IsValid(std::string* error) const {
  if (!(std::isfinite(tokens_per_sample) && tokens_per_sample >= 1)) {
    *error = "tokens per sample must be a finite number >= 1 (got " +
             std::to_string(tokens_per_sample) + ")";
    return false;
  }
  if (!(std::isfinite(width_per_depth) && width_per_depth > 0)) {
    *error = "width per depth must be a finite positive number (got " +
             std::to_string(width_per_depth) + ")";
    return false;
  }
  return true;
}

DitShape ShapeForParams(const ComputeModel& model, double params) {
  // N = 16 depth d^2 and d = r depth  =>  N = 16 d^3 / r  =>  d = (N r / 16)^(1/3).
  DitShape shape;
  shape.width = std::cbrt(params * model.width_per_depth / 16.0);
  shape.depth = shape.width / model.width_per_depth;
  return shape;
}

double FlopsPerToken(const ComputeModel& model, double params) {
  if (model.kind == ComputeKind::kSixN) return 6.0 * params;
  const DitShape shape = ShapeForParams(model, params);
  return 0.75 * params * (7.0 + model.tokens_per_sample / shape.width);
}

}  // namespace scalecalc

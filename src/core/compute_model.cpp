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
  if (!(block_params == 16 || block_params == 12)) {
    *error = "block params must be 16 (DiT block) or 12 (standard transformer block) (got " +
             std::to_string(block_params) + ")";
    return false;
  }
  if (kind == ComputeKind::kDit && block_params != 16) {
    *error =
        "block params must be 16 with the DiT count (it is derived for 16 d^2 per block); 12 "
        "applies to 6N only";
    return false;
  }
  return true;
}

DitShape ShapeForParams(const ComputeModel& model, double params) {
  // N = k depth d^2 and d = r depth  =>  N = k d^3 / r  =>  d = (N r / k)^(1/3).
  DitShape shape;
  shape.width = std::cbrt(params * model.width_per_depth / model.block_params);
  shape.depth = shape.width / model.width_per_depth;
  return shape;
}

double FlopsPerToken(const ComputeModel& model, double params) {
  if (model.kind == ComputeKind::kSixN) return 6.0 * params;
  const DitShape shape = ShapeForParams(model, params);
  return 0.75 * params * (7.0 + model.tokens_per_sample / shape.width);
}

double ParamsOfShape(const ComputeModel& model, double width, double depth) {
  return model.block_params * depth * width * width;
}

double FlopsPerTokenOfShape(const ComputeModel& model, double width, double depth) {
  const double params = ParamsOfShape(model, width, depth);
  if (model.kind == ComputeKind::kSixN) return 6.0 * params;
  return 0.75 * params * (7.0 + model.tokens_per_sample / width);
}

}  // namespace scalecalc

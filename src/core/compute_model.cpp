#include "core/compute_model.h"

#include <cmath>

#include "core/settings_schema.h"

namespace scalecalc {

bool ComputeModel::IsValid(std::string* error) const {
  AnalysisState state;  // the schema's rows address a whole state
  state.compute = *this;
  if (!CheckSettings("compute.", state, Audience::kProgram, error)) return false;
  if (block_params != 12 && block_params != 16) {
    *error = SettingName(*FindSetting("block_params"), Audience::kProgram) +
             " must be 16 (DiT block) or 12 (standard transformer block)";
    return false;
  }
  if (kind == ComputeKind::kDit && block_params != 16) {
    *error = SettingName(*FindSetting("block_params"), Audience::kProgram) +
             " must be 16 with the DiT count (it is derived for 16 d^2 per block); 12 applies "
             "to 6N only";
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

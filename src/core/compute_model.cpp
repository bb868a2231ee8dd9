#include "core/compute_model.h"

#include <cmath>

#include "core/settings_schema.h"

namespace scalecalc {

bool ComputeModel::IsValid(std::string* error) const {
  AnalysisState state;  // the schema's rows address a whole state
  state.compute = *this;
  return CheckSettings("compute.", state, Audience::kProgram, error);
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

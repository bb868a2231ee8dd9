#include "core/hyper_law_fit.h"

#include <Eigen/Dense>
#include <cmath>

#include "core/cells.h"

namespace scalecalc {

namespace {

// R^2 of centred values y against residuals; NaN when y is constant to rounding (every optimum
// the same value: nothing to explain, whatever the method).
double RSquared(const Eigen::VectorXd& residuals, const Eigen::VectorXd& y) {
  const double spread = y.cwiseAbs().maxCoeff();
  if (!(spread > 1e-12)) return NAN;
  return 1.0 - residuals.squaredNorm() / y.squaredNorm();
}

// Distinct model sizes and token counts among the points; false if a point is not positive and
// finite.
bool CountPointValues(const std::vector<HyperPoint>& points, double distinct_tolerance,
                      int* distinct_n, int* distinct_t, std::string* error) {
  std::vector<double> params, tokens;
  for (const HyperPoint& p : points) {
    if (!(p.params > 0 && p.tokens > 0 && p.value > 0) || !std::isfinite(p.params) ||
        !std::isfinite(p.tokens) || !std::isfinite(p.value)) {
      *error = "a point has a non-positive or non-finite value";
      return false;
    }
    params.push_back(p.params);
    tokens.push_back(p.tokens);
  }
  *distinct_n = CountDistinct(params, distinct_tolerance);
  *distinct_t = CountDistinct(tokens, distinct_tolerance);
  return true;
}

}  // namespace

bool FitHyperLaw(const std::vector<HyperPoint>& points, double distinct_tolerance, PowerLaw2* law,
                 double* r2, std::string* error) {
  int distinct_n = 0, distinct_t = 0;
  if (!CountPointValues(points, distinct_tolerance, &distinct_n, &distinct_t, error)) return false;
  if (distinct_n < 3 || distinct_t < 3) {
    *error = "needs at least 3 distinct model sizes and 3 distinct token counts (has " +
             std::to_string(distinct_n) + " and " + std::to_string(distinct_t) + ")";
    return false;
  }
  const int rows = static_cast<int>(points.size());
  // Centred logs keep the design well conditioned whatever the units.
  double mean_n = 0, mean_t = 0, mean_y = 0;
  for (const HyperPoint& p : points) {
    mean_n += std::log(p.params) / rows;
    mean_t += std::log(p.tokens) / rows;
    mean_y += std::log(p.value) / rows;
  }
  Eigen::MatrixXd design(rows, 3);
  Eigen::VectorXd y(rows);
  for (int r = 0; r < rows; ++r) {
    const HyperPoint& p = points[r];
    design.row(r) << 1.0, std::log(p.params) - mean_n, std::log(p.tokens) - mean_t;
    y(r) = std::log(p.value) - mean_y;
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  qr.setThreshold(1e-10);
  if (qr.rank() < 3) {
    *error = "log N and log T are collinear in these points: the exponents are not identifiable";
    return false;
  }
  const Eigen::VectorXd c = qr.solve(y);
  if (!c.allFinite()) {
    *error = "the least-squares solution is not finite";
    return false;
  }
  law->exp_params = c(1);
  law->exp_tokens = c(2);
  law->coef = std::exp(c(0) + mean_y - c(1) * mean_n - c(2) * mean_t);
  *r2 = RSquared(design * c - y, y);
  if (!std::isfinite(law->coef)) {
    *error = "the law's coefficient overflows (exponents " + std::to_string(c(1)) + " and " +
             std::to_string(c(2)) + "): N and T are too close to collinear";
    return false;
  }
  return true;
}

NTLine MeasureNTLine(const std::vector<HyperPoint>& points) {
  NTLine line;
  const int rows = static_cast<int>(points.size());
  if (rows == 0) return line;
  double mean_n = 0, mean_t = 0;
  for (const HyperPoint& p : points) {
    mean_n += std::log(p.params) / rows;
    mean_t += std::log(p.tokens) / rows;
  }
  double snn = 0, stt = 0, snt = 0;
  for (const HyperPoint& p : points) {
    const double dn = std::log(p.params) - mean_n, dt = std::log(p.tokens) - mean_t;
    snn += dn * dn;
    stt += dt * dt;
    snt += dn * dt;
  }
  line.mean_ratio = std::exp(mean_t - mean_n);
  // Spreads below rounding of the logs count as constant.
  const double tiny = 1e-20 * rows;
  if (snn > tiny && stt > tiny) line.correlation = snt / std::sqrt(snn * stt);
  if (snn > tiny) {
    line.slope = snt / snn;
    line.ratio_coef = std::exp(mean_t - line.slope * mean_n);
  }
  return line;
}

bool FitHyperLawOneVariable(const std::vector<HyperPoint>& points, double distinct_tolerance,
                            PowerLaw2* law, double* r2, bool* in_tokens, std::string* error) {
  int distinct_n = 0, distinct_t = 0;
  if (!CountPointValues(points, distinct_tolerance, &distinct_n, &distinct_t, error)) return false;
  if (!((distinct_n == 1 && distinct_t >= 3) || (distinct_t == 1 && distinct_n >= 3))) {
    *error =
        "a law in one variable needs one model size with at least 3 token counts, or one "
        "token count with at least 3 model sizes (has " +
        std::to_string(distinct_n) + " and " + std::to_string(distinct_t) + ")";
    return false;
  }
  *in_tokens = distinct_n == 1;
  return FitHyperLawIn(points, distinct_tolerance,
                       *in_tokens ? HyperVariables::kTokens : HyperVariables::kParams, 3, law, r2,
                       error);
}

bool FitHyperLawIn(const std::vector<HyperPoint>& points, double distinct_tolerance,
                   HyperVariables variables, int min_distinct, PowerLaw2* law, double* r2,
                   std::string* error) {
  if (variables == HyperVariables::kBoth) {
    return FitHyperLaw(points, distinct_tolerance, law, r2, error);
  }
  int distinct_n = 0, distinct_t = 0;
  if (!CountPointValues(points, distinct_tolerance, &distinct_n, &distinct_t, error)) return false;
  const bool in_tokens = variables == HyperVariables::kTokens;
  const int distinct = in_tokens ? distinct_t : distinct_n;
  if (distinct < min_distinct) {
    *error = std::string("a law in ") + (in_tokens ? "T" : "N") + " alone needs at least " +
             std::to_string(min_distinct) + " distinct " +
             (in_tokens ? "token counts" : "model sizes") + " (has " + std::to_string(distinct) +
             ")";
    return false;
  }
  const int rows = static_cast<int>(points.size());
  double mean_x = 0, mean_y = 0;
  for (const HyperPoint& p : points) {
    mean_x += std::log(in_tokens ? p.tokens : p.params) / rows;
    mean_y += std::log(p.value) / rows;
  }
  Eigen::MatrixXd design(rows, 2);
  Eigen::VectorXd y(rows);
  for (int r = 0; r < rows; ++r) {
    const HyperPoint& p = points[r];
    design.row(r) << 1.0, std::log(in_tokens ? p.tokens : p.params) - mean_x;
    y(r) = std::log(p.value) - mean_y;
  }
  const Eigen::VectorXd c = design.colPivHouseholderQr().solve(y);
  if (!c.allFinite()) {
    *error = "the least-squares solution is not finite";
    return false;
  }
  law->exp_params = in_tokens ? 0.0 : c(1);
  law->exp_tokens = in_tokens ? c(1) : 0.0;
  law->coef = std::exp(c(0) + mean_y - c(1) * mean_x);
  *r2 = RSquared(design * c - y, y);
  return std::isfinite(law->coef);
}

}  // namespace scalecalc

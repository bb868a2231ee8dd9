// loss_law_fit.h: fit L(N, T) = E + A N^-alpha + B T^-beta to measured losses by minimising the sum
// of Huber_delta(log L - log L_hat) (Epoch AI's objective, science.md section 5).
//
//   std::vector<LossPoint> points = {{params, tokens, loss}, ...};
//   LossFitResult fit = FitLossLaw(points, 1e-3);          // full search
//   LossFitResult again = RefitLossLaw(resampled, 1e-3, fit.law);  // L-BFGS-B from fit.law
//   LossRefitter refitter(points, 1e-3, fit.law);           // the bootstrap's warm refits
//   LossFitResult resample = refitter.Refit(weights);
//
// Method: variable projection. For fixed (alpha, beta) the model is linear in (E, A, B); it is
// solved by Gauss-Newton iteratively reweighted least squares for the Huber loss, with the box
// E in [0, min loss], A, B >= 0 handled exactly (every face of the box is tried). A coarse grid
// over (alpha, beta) in (0, 2)^2 finds the basins; the best few are refined in all five parameters
// by L-BFGS-B (LBFGSpp) with analytic gradients. Internally N and T are divided by their geometric
// means and losses by the lowest loss, and A, B are optimised as logs; results are in raw units.
#pragma once

#include <string>
#include <vector>

#include "core/laws.h"

namespace scalecalc {

// The search's box for the exponents alpha and beta (science.md section 5 asks for (0, 2]). An
// exponent on one of these ends was stopped by the search, not by the data.
constexpr double kLossExponentMin = 1e-3;
constexpr double kLossExponentMax = 2.0;

struct LossLawFit {
  LossLaw law;
  Interval E_ci, A_ci, alpha_ci, B_ci, beta_ci;
  double objective = NAN;             // sum of Huber of log residuals at the optimum
  std::vector<std::string> on_bound;  // parameters that ended on a bound ("E", "alpha", ...)
  int points = 0;                     // points fitted (cells, or runs without a sweep)
  // Extrapolation check: refit without the largest model, predict its points.
  double holdout_params = NAN;
  double holdout_rel_error = NAN;     // mean |L_hat - L| / L on the held-out points
  double holdout_signed_error = NAN;  // mean (L_hat - L) / L: > 0 the law over-predicts
  int holdout_points = 0;             // points held out (those of the largest model)
  bool converged = false;             // L-BFGS-B converged (see LossFitResult)
  std::string convergence;
};

struct LossPoint {
  double params = 0;
  double tokens = 0;
  double loss = 0;
  double weight = 1;  // multiplicity (a bootstrap resample); 0 leaves the point out
};

struct LossFitResult {
  bool ok = false;
  LossLaw law;
  double objective = NAN;             // sum of weight * Huber of log residuals
  std::vector<std::string> on_bound;  // "E", "A", "alpha", "B", "beta"
  int iterations = 0;                 // L-BFGS-B iterations over all starts
  std::string error;                  // why not ok
  bool cold_fallback = false;         // LossRefitter: the warm start needed the full search too
  // L-BFGS-B's own verdict on the start that gave the result: converged when it stopped on its
  // gradient or objective-change test (or a stalled line search at a stationary point), not
  // when it ran out of iterations. `convergence` says which.
  bool converged = false;
  std::string convergence;
};

// Iteration cap of each L-BFGS-B run (tests lower it to provoke non-convergence).
constexpr int kLossFitMaxIterations = 400;

// The search grid: alpha and beta each at the centres of kLossSearchGrid equal steps of
// (0, kLossExponentMax) (0.071, 0.214, ..., 1.929). The grid finds the basins, local solvers the
// optimum. A basin can fall between its cells: on 3 Chinchilla resamples in 1,000 one did, which
// a 28 x 28 grid (3x the cost) finds; that grid misses others this one finds (bench/README.md,
// "A thorough reference").
constexpr int kLossSearchGrid = 14;

// Full fit: grid search in (alpha, beta) on a grid of grid_size steps per exponent, then L-BFGS-B
// from the best basins.
LossFitResult FitLossLaw(const std::vector<LossPoint>& points, double huber_delta,
                         int max_iterations = kLossFitMaxIterations,
                         int grid_size = kLossSearchGrid);

// Refit from a starting law (for example the full-data optimum): L-BFGS-B only. Much faster; the
// result can be a different local optimum than FitLossLaw's when the start is far from it.
LossFitResult RefitLossLaw(const std::vector<LossPoint>& points, double huber_delta,
                           const LossLaw& start, int max_iterations = kLossFitMaxIterations);

// Bootstrap refits of one set of points, each with its own weights (multiplicities). The work no
// resample changes (the logs of N, T and loss) is done once, by the constructor. Each Refit runs
// a bounded Newton iteration (the Huber loss's IRLS curvature where its exact Hessian is not
// positive definite) from `start`, the full-data optimum, and from the basins of the (alpha,
// beta) grid: when `start` is on a bound, the cold search's own grid, ranked cheaply and
// projected in full where a basin can be (the start from `start` then kept only if it settles
// soon); otherwise a cheap screen's best, and the cold search too (the better kept,
// cold_fallback set) when the result ends on a bound `start` is not on. Projected BFGS finishes
// each start Newton did not settle near the best. The cold search also runs when no start
// reached a finite objective.
class LossRefitter {
 public:
  LossRefitter(const std::vector<LossPoint>& points, double huber_delta, const LossLaw& start);
  // weights[i] is the multiplicity of point i (size: the constructor's points).
  LossFitResult Refit(const std::vector<double>& weights) const;

 private:
  std::vector<LossPoint> points_;
  std::vector<double> loss_, ln_params_, ln_tokens_, ln_loss_;
  double huber_delta_;
  LossLaw start_;
  bool start_usable_ = false;
  std::vector<std::string> start_on_bound_;  // parameters of `start` on a bound
};

// Sum over points of weight * Huber_delta(log loss - log law(N, T)). NaN if the law predicts a
// non-positive loss anywhere.
double LossObjective(const std::vector<LossPoint>& points, const LossLaw& law, double huber_delta);

// Empty when the points can identify the five parameters: at least 6 points with positive weight,
// 3 distinct N and 3 distinct T (relative tolerance distinct_tolerance), all values positive and
// finite. Otherwise says what is missing.
std::string CheckLossPoints(const std::vector<LossPoint>& points, double distinct_tolerance);

}  // namespace scalecalc

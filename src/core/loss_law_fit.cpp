#include "core/loss_law_fit.h"

#include <LBFGSB.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <utility>

#include "core/cells.h"

namespace scalecalc {

namespace {

// Bounds of the scaled problem. A and B (as multiples of the lowest loss, at the geometric-mean N
// and T) between 1e-12 and 1e12; exponents in [kLossExponentMin, kLossExponentMax] (the header).
constexpr double kLogCoefMin = -27.631021115928547;  // ln 1e-12
constexpr double kLogCoefMax = 27.631021115928547;   // ln 1e12
// Grid basins refined by L-BFGS-B.
constexpr int kStarts = 3;
// IRLS iterations per grid point: enough to rank the basins, L-BFGS-B does the rest.
constexpr int kProjectIterations = 4;
// L-BFGS-B restarts after a failed line search.
constexpr int kRestarts = 8;
// L-BFGS-B's memory (correction pairs) in the searches.
constexpr int kRefineMemory = 8;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Newton iterations of a warm refit (LossRefitter) from each start (30 left a Step Law resample
// short of the cold search's optimum; an iteration costs a fraction of an L-BFGS-B one), and how
// far above the best start's objective an unsettled start is still finished (QuasiNewtonRefine).
constexpr int kNewtonIterations = 100;
constexpr int kPolishIterations = 8;  // PolishStationary: quadratic convergence needs a few
constexpr double kPolishMargin = 0.05;
// Where the warm refit searches the grid (the full-data optimum on a bound), Newton iterations of
// its start from the full-data optimum: a resample whose optimum is near settles within them; one
// whose optimum is elsewhere crawls along a valley the grid's basins reach directly, so the start
// is dropped unless settled (at 10, 3 Step Law resamples in 4,000 ended worse than cold; at 30, 1,
// as with 100 and the finish).
constexpr int kFullDataStartIterations = 30;
// Basins of the cheap screen a warm refit projects exactly (ScreenBasins).
constexpr int kScreenedBasins = 8;
// The warm refit's grid (RefitGridBasins): IRLS iterations every cell gets, and how many of the
// best cells then get the rest of kProjectIterations (with 10 or 15, 5 and 4 Step Law resamples
// in 4,000 missed a basin the cold search finds; with 30, none).
constexpr int kRankingIterations = 1;
constexpr int kRankedCells = 30;
// A warm Newton start that comes this close (max norm, scaled parameters) to a settled start's
// end, still above its objective, would end there: it stops (NewtonRefine).
constexpr double kNearSettledEnd = 1e-3;
// Backtracking halvings of the exact Hessian's Newton step before the majoriser's step is tried
// (40 for that one): where 2^-20 of the step does not descend, the exact model is no guide.
constexpr int kExactStepHalvings = 20;
// Doublings of a full Newton step tried after two full steps in a row (NewtonRefine): across the
// Huber loss's kinks Newton's model is too short-sighted, and without them Newton crawls.
constexpr int kStepDoublings = 3;

using Vec5 = Eigen::Matrix<double, 5, 1>;
using Mat5 = Eigen::Matrix<double, 5, 5>;

// Exponent `index` of a search grid of `grid` steps per exponent (kLossSearchGrid, the header).
double GridExponent(int index, int grid) {
  return (index + 0.5) * (kLossExponentMax / grid);
}

double Huber(double r, double delta) {
  const double a = std::fabs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

// The fit in scaled units: n = N / N_g, t = T / T_g (geometric means), y = L / L_min, so that
// L_hat / L_min = e + a n^-alpha + b t^-beta. Points of zero weight are dropped.
class Problem {
 public:
  Problem(const std::vector<LossPoint>& points, double delta) : delta_(delta) {
    double sum_w = 0, sum_ln_n = 0, sum_ln_t = 0;
    loss_scale_ = kInf;
    for (const LossPoint& p : points) {
      if (!(p.weight > 0)) continue;
      sum_w += p.weight;
      sum_ln_n += p.weight * std::log(p.params);
      sum_ln_t += p.weight * std::log(p.tokens);
      loss_scale_ = std::min(loss_scale_, p.loss);
    }
    ln_params_scale_ = sum_ln_n / sum_w;
    ln_tokens_scale_ = sum_ln_t / sum_w;
    for (const LossPoint& p : points) {
      if (!(p.weight > 0)) continue;
      ln_n_.push_back(std::log(p.params) - ln_params_scale_);
      ln_t_.push_back(std::log(p.tokens) - ln_tokens_scale_);
      y_.push_back(p.loss / loss_scale_);
      log_y_.push_back(std::log(p.loss / loss_scale_));
      w_.push_back(p.weight);
    }
    SetBounds();
    IndexSizes();
  }

  // The same problem from logs computed once (LossRefitter): only the weights are new.
  Problem(const std::vector<double>& ln_params, const std::vector<double>& ln_tokens,
          const std::vector<double>& loss, const std::vector<double>& ln_loss,
          const std::vector<double>& weights, double delta)
      : delta_(delta) {
    const size_t count = weights.size();
    double sum_w = 0, sum_ln_n = 0, sum_ln_t = 0, ln_min = kInf;
    loss_scale_ = kInf;
    for (size_t i = 0; i < count; ++i) {
      if (!(weights[i] > 0)) continue;
      sum_w += weights[i];
      sum_ln_n += weights[i] * ln_params[i];
      sum_ln_t += weights[i] * ln_tokens[i];
      if (loss[i] < loss_scale_) {
        loss_scale_ = loss[i];
        ln_min = ln_loss[i];
      }
    }
    ln_params_scale_ = sum_ln_n / sum_w;
    ln_tokens_scale_ = sum_ln_t / sum_w;
    for (size_t i = 0; i < count; ++i) {
      if (!(weights[i] > 0)) continue;
      ln_n_.push_back(ln_params[i] - ln_params_scale_);
      ln_t_.push_back(ln_tokens[i] - ln_tokens_scale_);
      y_.push_back(loss[i] / loss_scale_);
      log_y_.push_back(ln_loss[i] - ln_min);
      w_.push_back(weights[i]);
    }
    SetBounds();
    IndexSizes();
  }

  int size() const { return static_cast<int>(w_.size()); }
  const Eigen::Matrix<double, 5, 1>& lower() const { return lower_; }
  const Eigen::Matrix<double, 5, 1>& upper() const { return upper_; }

  // a n^-alpha = exp(la - alpha ln n) per point, from one exponential per model size where a
  // sweep repeats its sizes across token counts (at most kSharedSizes of them).
  static constexpr int kSharedSizes = 32;
  struct SizeTerms {
    double by_size[kSharedSizes];
  };
  void FillSizeTerms(double la, double alpha, SizeTerms* terms) const {
    for (size_t d = 0; d < sizes_.size(); ++d) terms->by_size[d] = std::exp(la - alpha * sizes_[d]);
  }
  double SizeTerm(const SizeTerms& terms, int i, double la, double alpha) const {
    return sizes_.empty() ? std::exp(la - alpha * ln_n_[i]) : terms.by_size[size_index_[i]];
  }

  // x = (e, ln a, ln b, alpha, beta). Returns the objective; fills grad when given.
  double Evaluate(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::VectorXd* grad) const {
    const double e = x(0), la = x(1), lb = x(2), alpha = x(3), beta = x(4);
    double f = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
    SizeTerms terms;
    FillSizeTerms(la, alpha, &terms);
    for (int i = 0; i < size(); ++i) {
      const double fn = SizeTerm(terms, i, la, alpha);
      const double ft = std::exp(lb - beta * ln_t_[i]);
      const double s = e + fn + ft;
      const double r = log_y_[i] - std::log(s);
      f += w_[i] * Huber(r, delta_);
      if (grad) {
        // d Huber / d theta = -psi(r) * d log s / d theta.
        const double psi = std::max(-delta_, std::min(delta_, r));
        const double k = -w_[i] * psi / s;
        g0 += k;
        g1 += k * fn;
        g2 += k * ft;
        g3 -= k * fn * ln_n_[i];
        g4 -= k * ft * ln_t_[i];
      }
    }
    if (grad) {
      grad->resize(5);
      *grad << g0, g1, g2, g3, g4;
    }
    return f;
  }

  // The objective with its gradient and two curvatures: the exact Hessian (indefinite where
  // residuals lie beyond delta) and the IRLS majoriser of the Huber loss, sum w min(1, delta/|r|)
  // J J' with J = grad log s (positive semi-definite). NaN-free only where the model is positive.
  double Derivatives(const Vec5& x, Vec5* grad, Mat5* exact, Mat5* irls) const {
    const double e = x(0), la = x(1), lb = x(2), alpha = x(3), beta = x(4);
    double f = 0;
    grad->setZero();
    exact->setZero();
    irls->setZero();
    SizeTerms terms;
    FillSizeTerms(la, alpha, &terms);
    for (int i = 0; i < size(); ++i) {
      const double fn = SizeTerm(terms, i, la, alpha);
      const double ft = std::exp(lb - beta * ln_t_[i]);
      const double s = e + fn + ft;
      const double r = log_y_[i] - std::log(s);
      const double w = w_[i];
      f += w * Huber(r, delta_);
      const double psi = std::max(-delta_, std::min(delta_, r));
      const bool inside = std::fabs(r) <= delta_;
      Vec5 j;
      j << 1.0 / s, fn / s, ft / s, -fn * ln_n_[i] / s, -ft * ln_t_[i] / s;
      *grad -= w * psi * j;
      const Mat5 jj = j * j.transpose();
      exact->noalias() += w * ((inside ? 1.0 : 0.0) + psi) * jj;
      // - psi * (d2 s) / s: s is linear in e, exponential in (ln a, alpha) and (ln b, beta).
      const double kn = -w * psi * fn / s, kt = -w * psi * ft / s;
      (*exact)(1, 1) += kn;
      (*exact)(1, 3) -= kn * ln_n_[i];
      (*exact)(3, 1) -= kn * ln_n_[i];
      (*exact)(3, 3) += kn * ln_n_[i] * ln_n_[i];
      (*exact)(2, 2) += kt;
      (*exact)(2, 4) -= kt * ln_t_[i];
      (*exact)(4, 2) -= kt * ln_t_[i];
      (*exact)(4, 4) += kt * ln_t_[i] * ln_t_[i];
      irls->noalias() += w * (inside ? 1.0 : delta_ / std::fabs(r)) * jj;
    }
    return f;
  }

  // exp(-g ln n) and exp(-g ln t) for every exponent g of a search grid of `grid` steps and every
  // point: params[g * size() + i]. Computed once per problem, shared by the grid's projections.
  struct GridColumns {
    int grid = 0;
    std::vector<double> params, tokens;
  };
  GridColumns MakeGridColumns(int grid = kLossSearchGrid) const {
    const int n = size();
    GridColumns columns;
    columns.grid = grid;
    columns.params.resize(grid * n);
    columns.tokens.resize(grid * n);
    for (int g = 0; g < grid; ++g) {
      for (int i = 0; i < n; ++i) {
        columns.params[g * n + i] = std::exp(-GridExponent(g, grid) * ln_n_[i]);
        columns.tokens[g * n + i] = std::exp(-GridExponent(g, grid) * ln_t_[i]);
      }
    }
    return columns;
  }

  // The grid screened cheaply, for warm refits of many points: at each (alpha, beta) of the grid,
  // the relative least-squares fit of (e, a, b) (Project's first step) and its weighted squared
  // relative error, from sums per exponent (no logarithm). Ranks the basins as Project's Huber
  // objective does, roughly. Returns screen[i * columns.grid + j], inf where no model was feasible;
  // with starts, also each cell's fit: ProjectColumns' start to the last bit (the same sums).
  std::vector<double> ScreenGrid(const GridColumns& columns,
                                 std::vector<Eigen::Vector3d>* starts = nullptr) const {
    const int n = size(), grid = columns.grid;
    std::vector<double> omega(n);
    double s_w = 0, s_y = 0, s_yy = 0;
    for (int p = 0; p < n; ++p) {
      omega[p] = w_[p] / (y_[p] * y_[p]);
      s_w += omega[p];
      s_y += omega[p] * y_[p];
      s_yy += omega[p] * y_[p] * y_[p];
    }
    // Per exponent: sum omega f, omega f^2, omega y f.
    std::vector<double> n1(grid, 0), n11(grid, 0), ny1(grid, 0);
    std::vector<double> t1(grid, 0), t11(grid, 0), ty1(grid, 0);
    for (int g = 0; g < grid; ++g) {
      for (int p = 0; p < n; ++p) {
        const double a = columns.params[g * n + p], b = columns.tokens[g * n + p];
        n1[g] += omega[p] * a;
        n11[g] += omega[p] * a * a;
        ny1[g] += omega[p] * y_[p] * a;
        t1[g] += omega[p] * b;
        t11[g] += omega[p] * b * b;
        ty1[g] += omega[p] * y_[p] * b;
      }
    }
    std::vector<double> screen(grid * grid, kInf);
    if (starts) starts->resize(grid * grid);
    for (int i = 0; i < grid; ++i) {
      for (int j = 0; j < grid; ++j) {
        double cross = 0;
        for (int p = 0; p < n; ++p)
          cross += omega[p] * columns.params[i * n + p] * columns.tokens[j * n + p];
        Eigen::Matrix3d m;
        m << s_w, n1[i], t1[j], n1[i], n11[i], cross, t1[j], cross, t11[j];
        const Eigen::Vector3d v(s_y, ny1[i], ty1[j]);
        const Eigen::Vector3d th = BoxLeastSquares(m, v);
        if (starts) (*starts)[i * grid + j] = th;
        const double q = th.dot(m * th) - 2 * v.dot(th) + s_yy;
        if (std::isfinite(q)) screen[i * grid + j] = q;
      }
    }
    return screen;
  }

  // Variable projection: the best (e, a, b) for fixed exponents, by Gauss-Newton IRLS on the Huber
  // loss of log residuals, with the columns n^-alpha (f1) and t^-beta (f2) given (MakeGridColumns);
  // scratch is reused between calls. Starts as `start` says; settled, when given, is false where
  // max_iterations stopped a still-falling objective. Returns the objective (inf if no feasible
  // positive model was found).
  enum class Start {
    kRelativeLeastSquares,
    kGiven,       // from *theta, an earlier call's result: the same iterations as one longer call
    kGivenRough,  // from *theta, every residual by a series instead of a logarithm (a third of
                  // the cost): for ranking grid cells, not for their final values
  };
  double ProjectColumns(const double* f1, const double* f2, int max_iterations,
                        std::vector<double>* scratch, Eigen::Vector3d* theta,
                        Start start = Start::kRelativeLeastSquares, bool* settled = nullptr) const {
    const int n = size();
    scratch->resize(6 * n);
    // Model values and log residuals at the current and the trial point, IRLS weights and targets.
    double* s_cur = scratch->data();
    double* r_cur = s_cur + n;
    double* s_new = r_cur + n;
    double* r_new = s_new + n;
    double* omega = r_new + n;
    double* z = omega + n;
    const bool rough = start == Start::kGivenRough;
    auto objective = [&](const Eigen::Vector3d& th, double* s, double* r) {
      double f = 0;
      for (int i = 0; i < n; ++i) {
        s[i] = th(0) + th(1) * f1[i] + th(2) * f2[i];
        if (!(s[i] > 0)) return kInf;
        if (rough) {
          // log(y / s) = log1p(u), u = y / s - 1, to 4 terms: off by under 2e-6 where |u| < 0.1.
          const double u = (y_[i] - s[i]) / s[i];
          r[i] = u * (1 - u * (0.5 - u * (1.0 / 3 - 0.25 * u)));
        } else {
          r[i] = log_y_[i] - std::log(s[i]);
        }
        f += w_[i] * Huber(r[i], delta_);
      }
      return f;
    };
    // Weighted least squares of z on [1, f1, f2] within the box (IRLS step).
    auto solve = [&]() {
      double m00 = 0, m01 = 0, m02 = 0, m11 = 0, m12 = 0, m22 = 0, v0 = 0, v1 = 0, v2 = 0;
      for (int i = 0; i < n; ++i) {
        const double o = omega[i], a = f1[i], b = f2[i], oz = o * z[i];
        m00 += o;
        m01 += o * a;
        m02 += o * b;
        m11 += o * a * a;
        m12 += o * a * b;
        m22 += o * b * b;
        v0 += oz;
        v1 += oz * a;
        v2 += oz * b;
      }
      Eigen::Matrix3d m;
      m << m00, m01, m02, m01, m11, m12, m02, m12, m22;
      return BoxLeastSquares(m, Eigen::Vector3d(v0, v1, v2));
    };
    // Start: relative least squares, a first-order match of the log residuals.
    for (int i = 0; i < n; ++i) {
      omega[i] = w_[i] / (y_[i] * y_[i]);
      z[i] = y_[i];
    }
    Eigen::Vector3d th = start == Start::kRelativeLeastSquares ? solve() : *theta;
    double f = objective(th, s_cur, r_cur);
    if (settled) *settled = true;
    for (int iter = 0; iter < max_iterations && std::isfinite(f); ++iter) {
      for (int i = 0; i < n; ++i) {
        const double r = r_cur[i];
        const double h = std::fabs(r) <= delta_ ? 1.0 : delta_ / std::fabs(r);
        omega[i] = w_[i] * h / (s_cur[i] * s_cur[i]);
        z[i] = s_cur[i] * (1.0 + r);  // log y - log s_new ~ (z - s_new) / s
      }
      const Eigen::Vector3d proposal = solve();
      // Damped: halve the step until the true objective decreases.
      double step = 1.0, f_new = kInf;
      Eigen::Vector3d candidate = proposal;
      for (int k = 0; k < 10; ++k) {
        candidate = th + step * (proposal - th);
        f_new = objective(candidate, s_new, r_new);
        if (f_new < f) break;
        step *= 0.5;
      }
      if (!(f_new < f)) break;
      const double gain = f - f_new;
      th = candidate;
      f = f_new;
      std::swap(s_cur, s_new);
      std::swap(r_cur, r_new);
      if (gain <= 1e-6 * f) break;
      if (settled && iter == max_iterations - 1) *settled = false;
    }
    *theta = th;
    return f;
  }

  // Minimise q(th) = th' M th - 2 v' th over e in [0, 1], a >= 0, b >= 0. Convex: the minimum is
  // the unconstrained minimum of some face of the box, so the unconstrained minimum is tried first
  // (when feasible it is the answer), then every face, the best feasible one kept. Cramer's rule:
  // no factorisation objects in the grid's inner loop.
  static Eigen::Vector3d BoxLeastSquares(const Eigen::Matrix3d& m, const Eigen::Vector3d& v) {
    const double hi0 = 1;
    Eigen::Vector3d best = Eigen::Vector3d::Zero();
    double best_q = kInf;
    const double scale = m.cwiseAbs().maxCoeff();
    auto consider = [&](const Eigen::Vector3d& th) {
      if (!(th(0) >= 0 && th(0) <= hi0 && th(1) >= 0 && th(2) >= 0)) return false;
      const double q = th.dot(m * th) - 2 * v.dot(th);
      if (q < best_q) {
        best_q = q;
        best = th;
      }
      return true;
    };
    // All three free.
    {
      const double c00 = m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1);
      const double c01 = m(1, 2) * m(2, 0) - m(1, 0) * m(2, 2);
      const double c02 = m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0);
      const double det = m(0, 0) * c00 + m(0, 1) * c01 + m(0, 2) * c02;
      if (std::fabs(det) > 1e-13 * scale * scale * scale) {
        const Eigen::Matrix3d inverse = m.inverse();
        if (consider(inverse * v)) return best;
      }
    }
    // e fixed at 0 or 1 (the rest free, or fixed at 0), or e free with a or b at 0.
    const double e_values[2] = {0.0, hi0};
    for (int fixed_e = 0; fixed_e < 3; ++fixed_e) {  // 0, 1: e at that value; 2: e free
      for (int mask = 0; mask < 4; ++mask) {         // bit k: coefficient k + 1 at 0
        if (fixed_e == 2 && mask == 0) continue;     // the unconstrained case, done above
        int free_index[3], count = 0;
        Eigen::Vector3d th = Eigen::Vector3d::Zero();
        if (fixed_e < 2) {
          th(0) = e_values[fixed_e];
        } else {
          free_index[count++] = 0;
        }
        for (int k = 0; k < 2; ++k) {
          if (!(mask & (1 << k))) free_index[count++] = k + 1;
        }
        // Solve the free block: m_ff th_f = v_f - m_f,fixed th_fixed.
        double rhs[3];
        for (int a = 0; a < count; ++a) {
          rhs[a] = v(free_index[a]);
          for (int j = 0; j < 3; ++j) {
            bool is_free = false;
            for (int b = 0; b < count; ++b) is_free = is_free || free_index[b] == j;
            if (!is_free) rhs[a] -= m(free_index[a], j) * th(j);
          }
        }
        if (count == 1) {
          const double d = m(free_index[0], free_index[0]);
          if (!(d > 1e-13 * scale)) continue;
          th(free_index[0]) = rhs[0] / d;
        } else if (count == 2) {
          const int a = free_index[0], b = free_index[1];
          const double det = m(a, a) * m(b, b) - m(a, b) * m(b, a);
          if (!(det > 1e-13 * scale * scale)) continue;
          th(a) = (rhs[0] * m(b, b) - m(a, b) * rhs[1]) / det;
          th(b) = (m(a, a) * rhs[1] - m(b, a) * rhs[0]) / det;
        }
        if (!consider(th)) continue;
        // A feasible face whose gradient holds every fixed coefficient against its bound is the
        // minimum over the box (convex): the faces after it cannot do better.
        const Eigen::Vector3d gradient = m * th - v;
        bool optimal = true;
        for (int j = 0; j < 3; ++j) {
          bool is_free = false;
          for (int b = 0; b < count; ++b) is_free = is_free || free_index[b] == j;
          if (is_free) continue;
          optimal = optimal && (th(j) == hi0 && j == 0 ? gradient(j) <= 0 : gradient(j) >= 0);
        }
        if (optimal) return best;
      }
    }
    return best;
  }

  // Parameters of the scaled problem from (e, a, b, alpha, beta), clamped into the box.
  Eigen::VectorXd Pack(double e, double a, double b, double alpha, double beta) const {
    Eigen::VectorXd x(5);
    const double tiny = std::exp(kLogCoefMin);
    x << e, std::log(std::max(a, tiny)), std::log(std::max(b, tiny)), alpha, beta;
    return x.cwiseMax(lower_).cwiseMin(upper_);
  }

  Eigen::VectorXd FromLaw(const LossLaw& law) const {
    // A N^-alpha = (A N_g^-alpha / L_min) n^-alpha * L_min.
    const double a = law.A * std::exp(-law.alpha * ln_params_scale_) / loss_scale_;
    const double b = law.B * std::exp(-law.beta * ln_tokens_scale_) / loss_scale_;
    return Pack(law.E / loss_scale_, a, b, law.alpha, law.beta);
  }

  LossLaw ToLaw(const Eigen::VectorXd& x) const {
    LossLaw law;
    law.E = x(0) * loss_scale_;
    law.alpha = x(3);
    law.beta = x(4);
    law.A = loss_scale_ * std::exp(x(1) + law.alpha * ln_params_scale_);
    law.B = loss_scale_ * std::exp(x(2) + law.beta * ln_tokens_scale_);
    return law;
  }

 private:
  void SetBounds() {
    lower_ << 0.0, kLogCoefMin, kLogCoefMin, kLossExponentMin, kLossExponentMin;
    upper_ << 1.0, kLogCoefMax, kLogCoefMax, kLossExponentMax, kLossExponentMax;
  }

  void IndexSizes() {
    for (double ln_n : ln_n_) {
      const auto found = std::find(sizes_.begin(), sizes_.end(), ln_n);
      size_index_.push_back(static_cast<int>(found - sizes_.begin()));
      if (found == sizes_.end()) sizes_.push_back(ln_n);
    }
    if (sizes_.size() > kSharedSizes) sizes_.clear();  // SizeTerm computes each point's own
  }

  double delta_;
  double loss_scale_ = 1, ln_params_scale_ = 0, ln_tokens_scale_ = 0;
  std::vector<double> ln_n_, ln_t_, y_, log_y_, w_;
  std::vector<double> sizes_;    // the distinct ln n, empty where there are over kSharedSizes
  std::vector<int> size_index_;  // each point's in sizes_
  Eigen::Matrix<double, 5, 1> lower_, upper_;
};

// L-BFGS-B from x (in place). The objective is divided by its starting value so that LBFGSpp's
// absolute tolerances mean the same for every data set. LBFGSpp throws when a line search fails
// (the Huber loss has kinks; a first step can also overshoot badly): the best point evaluated is
// kept, and the solver restarts from it with a fresh memory while that still gains.
struct RefineOutcome {
  bool converged = false;
  std::string how;
};

double Refine(const Problem& problem, Eigen::VectorXd* x, int* evaluations, int max_iterations,
              RefineOutcome* outcome, int memory = kRefineMemory) {
  const double f_start = problem.Evaluate(*x, nullptr);
  const double scale = f_start > 0 && std::isfinite(f_start) ? 1.0 / f_start : 1.0;
  Eigen::VectorXd best = *x;
  double best_f = f_start;
  auto functor = [&](const Eigen::VectorXd& at, Eigen::VectorXd& grad) {
    ++*evaluations;
    const double f = problem.Evaluate(at, &grad);
    if (f < best_f) {
      best_f = f;
      best = at;
    }
    grad *= scale;
    return f * scale;
  };
  LBFGSpp::LBFGSBParam<double> param;
  param.m = memory;
  param.epsilon = 1e-10;
  param.epsilon_rel = 0;
  param.past = 3;
  param.delta = 1e-12;
  param.max_iterations = max_iterations;
  param.max_linesearch = 40;
  const Eigen::VectorXd lower = problem.lower(), upper = problem.upper();
  bool failed = false, gaining = false;
  int used = 0;
  for (int attempt = 0; attempt < kRestarts; ++attempt) {
    const double f_before = best_f;
    failed = false;
    try {
      LBFGSpp::LBFGSBSolver<double> solver(param);
      Eigen::VectorXd at = best;
      double fx = 0;
      used = solver.minimize(functor, at, fx, lower, upper);
    } catch (const std::exception&) {
      failed = true;
    }
    gaining = best_f < f_before * (1 - 1e-9);
    // Converged, or a failed attempt that no longer gains: done.
    if (!failed || !gaining) break;
  }
  *x = best;
  if (!failed) {
    outcome->converged = used < max_iterations;
    outcome->how = outcome->converged ? "converged" : "iteration limit reached";
  } else if (!gaining) {
    // A fresh start from the best point cannot lower the objective at all (the Huber kinks stop
    // the line search): as converged as this objective allows. Said as "converged": which of the
    // two ends a search takes differs between math libraries (native and wasm), the point not.
    outcome->converged = true;
    outcome->how = "converged";
  } else {
    outcome->converged = false;
    outcome->how = "line search failed in every restart while the objective was still falling";
  }
  return best_f;
}

// Newton direction over the free variables (those the gradient does not press against a bound)
// with curvature h; false when h is not positive definite there or the step does not descend.
// The Newton step on `count` free variables (index), at a fixed size: Eigen unrolls those.
template <int N>
bool FreeNewtonStep(const Mat5& h, const Vec5& g, const int* index, Vec5* d) {
  Eigen::Matrix<double, N, N> hf;
  Eigen::Matrix<double, N, 1> gf;
  for (int a = 0; a < N; ++a) {
    gf(a) = g(index[a]);
    for (int b = 0; b < N; ++b) hf(a, b) = h(index[a], index[b]);
  }
  const Eigen::LDLT<Eigen::Matrix<double, N, N>> ldlt(hf);
  if (ldlt.info() != Eigen::Success) return false;
  const auto diag = ldlt.vectorD();
  if (!(diag.minCoeff() > 1e-14 * diag.cwiseAbs().maxCoeff())) return false;
  const Eigen::Matrix<double, N, 1> step = ldlt.solve(-gf);
  if (!step.allFinite()) return false;
  for (int a = 0; a < N; ++a) (*d)(index[a]) = step(a);
  return true;
}

bool NewtonDirection(const Mat5& h, const Vec5& g, const bool free[5], Vec5* d) {
  int index[5], count = 0;
  for (int j = 0; j < 5; ++j) {
    if (free[j]) index[count++] = j;
  }
  d->setZero();
  bool solved = false;
  switch (count) {
    case 1:
      solved = FreeNewtonStep<1>(h, g, index, d);
      break;
    case 2:
      solved = FreeNewtonStep<2>(h, g, index, d);
      break;
    case 3:
      solved = FreeNewtonStep<3>(h, g, index, d);
      break;
    case 4:
      solved = FreeNewtonStep<4>(h, g, index, d);
      break;
    case 5:
      solved = FreeNewtonStep<5>(h, g, index, d);
      break;
    default:
      return false;
  }
  return solved && g.dot(*d) < 0;
}

// Bounded Newton from x (in place), for warm starts near the optimum: the exact Hessian where it
// is positive definite (quadratic convergence once the points inside delta settle), else the IRLS
// majoriser; projected backtracking on the true objective. Variables within kNearBound of a bound
// that the gradient presses against are first held on that bound (Bertsekas' epsilon-active set):
// a free Newton step that the box then clips creeps along the bound instead of reaching it.
// After two full steps in a row, up to kStepDoublings doublings of the next full step are tried,
// the best kept. With settled_ends (earlier starts' settled ends and their objectives), a start
// that comes within kNearSettledEnd of one, above its objective, stops with *duplicate set.
// Returns the objective; converged is false after max_iterations (residuals crossing delta can
// make the Hessian jump).
struct SettledEnd {
  Vec5 x;
  double f;
};
double NewtonRefine(const Problem& problem, Eigen::VectorXd* x_io, int* evaluations,
                    bool* converged_out, int max_iterations = kNewtonIterations,
                    const std::vector<SettledEnd>* settled_ends = nullptr,
                    bool* duplicate = nullptr) {
  constexpr double kNearBound = 1e-3;  // share of a variable's range
  Vec5 x = *x_io, g, step, g_new;
  Mat5 exact, irls, exact_new, irls_new;
  double f = problem.Derivatives(x, &g, &exact, &irls);
  ++*evaluations;
  bool converged = false;
  if (duplicate) *duplicate = false;
  const Vec5 lower = problem.lower(), upper = problem.upper();
  int full_steps = 0;  // full Newton steps in a row, up to the last one
  for (int iter = 0; iter < max_iterations && std::isfinite(f); ++iter) {
    bool moved = false;
    double f_new = f;
    Vec5 x_new = x;
    for (const double near : {kNearBound, 1e-12}) {
      bool free[5];
      Vec5 base = x;  // x with the held variables moved onto their bounds
      for (int j = 0; j < 5; ++j) {
        const double tol = near * (upper(j) - lower(j));
        const bool at_lower = x(j) <= lower(j) + tol && g(j) > 0;
        const bool at_upper = x(j) >= upper(j) - tol && g(j) < 0;
        free[j] = !(at_lower || at_upper);
        if (at_lower) base(j) = lower(j);
        if (at_upper) base(j) = upper(j);
      }
      for (const Mat5* h : {&exact, &irls}) {
        if (!NewtonDirection(*h, g, free, &step)) continue;
        double t = 1;
        const int halvings = h == &exact ? kExactStepHalvings : 40;
        for (int k = 0; k < halvings; ++k, t *= 0.5) {
          x_new = (base + t * step).cwiseMax(lower).cwiseMin(upper);
          f_new = problem.Evaluate(x_new, nullptr);
          ++*evaluations;
          moved = f_new <= f + 1e-4 * g.dot(x_new - x) && f_new < f;
          if (moved) break;
        }
        if (!moved) continue;
        full_steps = t == 1 ? full_steps + 1 : 0;
        for (int k = 0; k < kStepDoublings && full_steps >= 2; ++k) {
          t *= 2;
          const Vec5 x_far = (base + t * step).cwiseMax(lower).cwiseMin(upper);
          const double f_far = problem.Evaluate(x_far, nullptr);
          ++*evaluations;
          if (!(f_far < f_new)) break;
          x_new = x_far;
          f_new = f_far;
        }
        break;
      }
      if (moved) break;
    }
    if (!moved) {
      // No descent along either curvature: stationary, unless the gradient still points into the
      // box (a kink of the Huber loss stops Newton's quadratic model; L-BFGS-B goes on).
      double slope = 0;
      for (int j = 0; j < 5; ++j) {
        const double projected = std::clamp(x(j) - g(j), lower(j), upper(j)) - x(j);
        slope = std::max(slope, std::fabs(projected));
      }
      converged = slope <= 1e-6 * f;
      break;
    }
    const double gain = f - f_new;
    x = x_new;
    f = problem.Derivatives(x, &g, &exact, &irls);
    if (settled_ends) {
      for (const SettledEnd& end : *settled_ends) {
        if (f > end.f && (x - end.x).cwiseAbs().maxCoeff() < kNearSettledEnd) *duplicate = true;
      }
      if (*duplicate) break;
    }
    if (gain <= 1e-12 * f) {
      converged = true;
      break;
    }
  }
  *x_io = x;
  if (converged_out) *converged_out = converged;
  return f;
}

// Newton's steps on the gradient alone, from where a descent stopped. There the objective changes
// by less than its rounding, so a descent leaves the parameters known to about 1e-8 (the square
// root of double precision), and where it stops differs between math libraries (native and wasm
// gave laws 3e-8 apart); the gradient still resolves the optimum. A step is kept while it shrinks
// the gradient over the free variables and does not raise the objective beyond its rounding.
// Returns the objective at the polished point; *stationary when Newton's last step was below 1e-10.
double PolishStationary(const Problem& problem, Eigen::VectorXd* x_io, double f, int* evaluations,
                        bool* stationary) {
  *stationary = false;
  const Vec5 lower = problem.lower(), upper = problem.upper();
  Vec5 x = *x_io, g, step;
  Mat5 exact, irls;
  f = problem.Derivatives(x, &g, &exact, &irls);
  ++*evaluations;
  for (int iter = 0; iter < kPolishIterations; ++iter) {
    bool free[5];
    double norm = 0;
    for (int j = 0; j < 5; ++j) {
      const double tol = 1e-12 * (upper(j) - lower(j));
      free[j] = !((x(j) <= lower(j) + tol && g(j) > 0) || (x(j) >= upper(j) - tol && g(j) < 0));
      if (free[j]) norm += g(j) * g(j);
    }
    if (!NewtonDirection(exact, g, free, &step)) break;
    const Vec5 x_new = (x + step).cwiseMax(lower).cwiseMin(upper);
    Vec5 g_new;
    Mat5 exact_new, irls_new;
    const double f_new = problem.Derivatives(x_new, &g_new, &exact_new, &irls_new);
    ++*evaluations;
    double norm_new = 0;
    for (int j = 0; j < 5; ++j) norm_new += free[j] ? g_new(j) * g_new(j) : 0;
    // The objective's rounding: its residuals are differences of logs (seen: 5e-13 of it).
    if (!(f_new <= f + 1e-9 * std::fabs(f)) || !(norm_new < norm)) break;
    x = x_new;
    f = f_new;
    g = g_new;
    exact = exact_new;
    const double size = step.cwiseAbs().maxCoeff() / (1 + x.cwiseAbs().maxCoeff());
    *stationary = size <= 1e-10;
    if (size <= 1e-15) break;
  }
  *x_io = x;
  return f;
}

// The warm refit's finish where Newton did not settle: projected BFGS with a dense 5 x 5 curvature
// (for 5 variables LBFGSpp's L-BFGS-B spends most of its time in its own linear algebra, about 4x
// this). Starts from Newton's curvature (the exact Hessian where positive definite, else the IRLS
// majoriser); Powell's damped update keeps it positive definite across the Huber loss's kinks.
// Variables on a bound that the gradient presses on are held there; a projected backtracking
// search on the true objective. Stops on the searches' L-BFGS-B tolerances (projected gradient
// 1e-10 of the starting objective, relative decrease under 1e-12 over 3 iterations), or when
// neither the update nor a fresh majoriser finds descent. Returns the objective.
double QuasiNewtonRefine(const Problem& problem, Eigen::VectorXd* x_io, int* evaluations,
                         RefineOutcome* outcome) {
  constexpr int kMaxIterations = kLossFitMaxIterations;
  constexpr int kPast = 3;
  const Vec5 lower = problem.lower(), upper = problem.upper();
  Vec5 x = *x_io, g, x_new, g_new;
  Mat5 curvature, exact, irls;
  double f = problem.Derivatives(x, &g, &exact, &irls);
  ++*evaluations;
  auto fresh_curvature = [&](bool try_exact) {
    bool definite = false;
    if (try_exact) {  // a restart takes the majoriser: no factorisation of the exact Hessian
      const Eigen::LDLT<Mat5> ldlt(exact);
      definite = ldlt.info() == Eigen::Success &&
                 ldlt.vectorD().minCoeff() > 1e-12 * ldlt.vectorD().cwiseAbs().maxCoeff();
    }
    curvature = definite ? exact : irls;
    curvature += 1e-10 * curvature.diagonal().cwiseAbs().maxCoeff() * Mat5::Identity();
  };
  fresh_curvature(true);
  bool fresh = true;
  const double f_start = f;
  double past[kPast + 1];
  std::fill(past, past + kPast + 1, f);
  Eigen::VectorXd grad(5);
  outcome->converged = false;
  outcome->how = "iteration limit reached";
  for (int iter = 0; iter < kMaxIterations && std::isfinite(f); ++iter) {
    bool free[5];
    double projected_gradient = 0;
    for (int j = 0; j < 5; ++j) {
      const double tol = 1e-10 * (upper(j) - lower(j));
      free[j] = !((x(j) <= lower(j) + tol && g(j) > 0) || (x(j) >= upper(j) - tol && g(j) < 0));
      projected_gradient = std::max(projected_gradient,
                                    std::fabs(std::clamp(x(j) - g(j), lower(j), upper(j)) - x(j)));
    }
    if (projected_gradient <= 1e-10 * f_start) {
      *outcome = {true, "converged"};
      break;
    }
    Vec5 step;
    bool moved = false;
    if (NewtonDirection(curvature, g, free, &step)) {
      double t = 1;
      for (int k = 0; k < 40 && !moved; ++k, t *= 0.5) {
        x_new = (x + t * step).cwiseMax(lower).cwiseMin(upper);
        const double f_new = problem.Evaluate(x_new, &grad);
        ++*evaluations;
        moved = f_new <= f + 1e-4 * g.dot(x_new - x) && f_new < f;
        if (moved) {
          g_new = grad;
          const Vec5 s = x_new - x, y = g_new - g, bs = curvature * s;
          const double sbs = s.dot(bs), sy = s.dot(y);
          const double theta = sy < 0.2 * sbs ? 0.8 * sbs / (sbs - sy) : 1.0;
          const Vec5 r = theta * y + (1 - theta) * bs;
          const double sr = s.dot(r);
          if (sbs > 0 && sr > 0) {
            curvature += r * r.transpose() / sr - bs * bs.transpose() / sbs;
          }
          x = x_new;
          g = g_new;
          f = f_new;
        }
      }
    }
    if (!moved) {
      if (fresh) {
        *outcome = {true, "converged (no further decrease from a fresh curvature)"};
        break;
      }
      // The update lost its way at a kink: start again from the majoriser here.
      problem.Derivatives(x, &g, &exact, &irls);
      ++*evaluations;
      fresh_curvature(false);
      fresh = true;
      continue;
    }
    fresh = false;
    past[iter % (kPast + 1)] = f;
    if (iter >= kPast && past[(iter + 1) % (kPast + 1)] - f <= 1e-12 * f) {
      *outcome = {true, "converged"};
      break;
    }
  }
  *x_io = x;
  return f;
}

// A start of the search: grid exponents and the (e, a, b) projected there.
struct GridStart {
  double f;
  double alpha, beta;
  Eigen::Vector3d theta;
};

// The local minima of values over an (alpha, beta) grid of `grid` steps (values[i * grid + j],
// inf where infeasible): grid points no worse than their eight neighbours, best first.
std::vector<int> GridMinima(const std::vector<double>& values, int grid) {
  std::vector<int> minima;
  for (int i = 0; i < grid; ++i) {
    for (int j = 0; j < grid; ++j) {
      const double value = values[i * grid + j];
      if (!std::isfinite(value)) continue;
      bool minimum = true;
      for (int di = -1; di <= 1 && minimum; ++di) {
        for (int dj = -1; dj <= 1 && minimum; ++dj) {
          const int a = i + di, b = j + dj;
          if ((di == 0 && dj == 0) || a < 0 || b < 0 || a >= grid || b >= grid) continue;
          minimum = !(values[a * grid + b] < value);
        }
      }
      if (minimum) minima.push_back(i * grid + j);
    }
  }
  std::stable_sort(minima.begin(), minima.end(),
                   [&](int a, int b) { return values[a] < values[b]; });
  return minima;
}

// The grid's local minima (values, GridMinima), best first, at most kStarts of them.
std::vector<GridStart> BestBasins(const std::vector<GridStart>& cells,
                                  const std::vector<double>& values, int grid) {
  std::vector<GridStart> basins;
  for (int k : GridMinima(values, grid)) basins.push_back(cells[k]);
  if (static_cast<int>(basins.size()) > kStarts) basins.resize(kStarts);
  return basins;
}

// The grid's basins, best first, at most kStarts: the local minima of the projected objective
// over an (alpha, beta) grid of `grid` steps per exponent. The cold fit's starts.
std::vector<GridStart> GridBasins(const Problem& problem, int grid) {
  const Problem::GridColumns columns = problem.MakeGridColumns(grid);
  const int n = problem.size();
  std::vector<double> scratch;
  std::vector<GridStart> cells(grid * grid);
  std::vector<double> values(cells.size());
  for (int i = 0; i < grid; ++i) {
    for (int j = 0; j < grid; ++j) {
      GridStart& g = cells[i * grid + j];
      g.alpha = GridExponent(i, grid);
      g.beta = GridExponent(j, grid);
      g.f = problem.ProjectColumns(&columns.params[i * n], &columns.tokens[j * n],
                                   kProjectIterations, &scratch, &g.theta);
      values[i * grid + j] = g.f;
    }
  }
  return BestBasins(cells, values, grid);
}

// The basins of GridBasins for warm refits, at under half its cost: every cell gets
// kRankingIterations IRLS iterations on series residuals, which rank the cells nearly as the full
// kProjectIterations do; then the kRankedCells best and the neighbours of the best kStarts local
// minima (until those stay put) get the rest, on logarithms. So the basins are GridBasins' (but
// for the series' rounding) unless the short ranking hid one far from the best cells.
std::vector<GridStart> RefitGridBasins(const Problem& problem) {
  const Problem::GridColumns columns = problem.MakeGridColumns();
  const int n = problem.size(), grid = columns.grid;
  const int cell_count = grid * grid;
  std::vector<double> scratch;
  std::vector<GridStart> cells(cell_count);
  std::vector<double> values(cell_count);
  std::vector<char> done(cell_count);  // projected in full, or stopped early by IRLS itself
  std::vector<Eigen::Vector3d> starts;
  problem.ScreenGrid(columns, &starts);  // ProjectColumns' starts from sums shared across cells
  for (int k = 0; k < cell_count; ++k) {
    GridStart& g = cells[k];
    const int i = k / grid, j = k % grid;
    g.alpha = GridExponent(i, grid);
    g.beta = GridExponent(j, grid);
    g.theta = starts[k];
    bool settled = true;
    g.f = problem.ProjectColumns(&columns.params[i * n], &columns.tokens[j * n], kRankingIterations,
                                 &scratch, &g.theta, Problem::Start::kGivenRough, &settled);
    values[k] = g.f;
    done[k] = settled || !std::isfinite(g.f);
  }
  auto complete = [&](int k) {
    if (done[k]) return false;
    done[k] = 1;
    const int i = k / grid, j = k % grid;
    values[k] = cells[k].f = problem.ProjectColumns(
        &columns.params[i * n], &columns.tokens[j * n], kProjectIterations - kRankingIterations,
        &scratch, &cells[k].theta, Problem::Start::kGiven);
    return true;
  };
  std::vector<int> order(cell_count);
  for (int k = 0; k < cell_count; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return values[a] < values[b]; });
  for (int k = 0; k < kRankedCells; ++k) complete(order[k]);
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<int> minima = GridMinima(values, grid);
    if (static_cast<int>(minima.size()) > kStarts) minima.resize(kStarts);
    for (int k : minima) {
      const int i = k / grid, j = k % grid;
      for (int a = std::max(i - 1, 0); a <= std::min(i + 1, grid - 1); ++a) {
        for (int b = std::max(j - 1, 0); b <= std::min(j + 1, grid - 1); ++b)
          changed = complete(a * grid + b) || changed;
      }
    }
  }
  return BestBasins(cells, values, grid);
}

// Warm refits' basins where the grid above is not needed (LossRefitter::Refit says when): the
// screen's best kScreenedBasins local minima, projected as the cold search does, the best kStarts
// of them. Can miss a basin the cold search finds (Refit checks new bounds).
std::vector<GridStart> ScreenBasins(const Problem& problem) {
  const Problem::GridColumns columns = problem.MakeGridColumns();
  const int n = problem.size(), grid = columns.grid;
  const std::vector<double> screen = problem.ScreenGrid(columns);
  std::vector<double> scratch;
  std::vector<GridStart> basins;
  for (int k : GridMinima(screen, grid)) {
    if (static_cast<int>(basins.size()) == kScreenedBasins) break;
    const int i = k / grid, j = k % grid;
    GridStart g{0, GridExponent(i, grid), GridExponent(j, grid), {}};
    g.f = problem.ProjectColumns(&columns.params[i * n], &columns.tokens[j * n], kProjectIterations,
                                 &scratch, &g.theta);
    if (std::isfinite(g.f)) basins.push_back(g);
  }
  std::stable_sort(basins.begin(), basins.end(),
                   [](const GridStart& a, const GridStart& b) { return a.f < b.f; });
  if (static_cast<int>(basins.size()) > kStarts) basins.resize(kStarts);
  return basins;
}

std::vector<std::string> OnBound(const Problem& problem, const Eigen::VectorXd& x) {
  static const char* const kNames[5] = {"E", "A", "B", "alpha", "beta"};
  std::vector<std::string> names;
  for (int j = 0; j < 5; ++j) {
    const double width = problem.upper()(j) - problem.lower()(j);
    const double tol = 1e-7 * width;
    if (x(j) <= problem.lower()(j) + tol || x(j) >= problem.upper()(j) - tol) {
      names.push_back(kNames[j]);
    }
  }
  return names;
}

LossFitResult Finish(const Problem& problem, const Eigen::VectorXd& x, double objective,
                     int evaluations, const RefineOutcome& outcome) {
  LossFitResult result;
  result.converged = outcome.converged;
  result.convergence = outcome.how;
  result.law = problem.ToLaw(x);
  result.objective = objective;
  result.on_bound = OnBound(problem, x);
  result.iterations = evaluations;
  const LossLaw& law = result.law;
  result.ok = std::isfinite(objective) && std::isfinite(law.E) && std::isfinite(law.A) &&
              std::isfinite(law.B) && std::isfinite(law.alpha) && std::isfinite(law.beta);
  if (!result.ok) result.error = "the loss-law fit did not reach a finite optimum";
  return result;
}

}  // namespace

std::string CheckLossPoints(const std::vector<LossPoint>& points, double distinct_tolerance) {
  std::vector<double> params, tokens;
  for (const LossPoint& p : points) {
    if (!(std::isfinite(p.weight) && p.weight >= 0)) return "a point has a bad weight";
    if (p.weight == 0) continue;
    if (!(std::isfinite(p.params) && p.params > 0 && std::isfinite(p.tokens) && p.tokens > 0 &&
          std::isfinite(p.loss) && p.loss > 0)) {
      return "a point has a non-positive or non-finite N, T or loss";
    }
    params.push_back(p.params);
    tokens.push_back(p.tokens);
  }
  if (params.size() < 6) {
    return "the loss law has 5 parameters and needs at least 6 points (has " +
           std::to_string(params.size()) + ")";
  }
  const int distinct_n = CountDistinct(params, distinct_tolerance);
  const int distinct_t = CountDistinct(tokens, distinct_tolerance);
  if (distinct_n < 3 || distinct_t < 3) {
    return "the loss law needs at least 3 distinct model sizes and 3 distinct token counts (has " +
           std::to_string(distinct_n) + " and " + std::to_string(distinct_t) + ")";
  }
  return "";
}

double LossObjective(const std::vector<LossPoint>& points, const LossLaw& law, double huber_delta) {
  double f = 0;
  for (const LossPoint& p : points) {
    if (!(p.weight > 0)) continue;
    const double predicted = law.Eval(p.params, p.tokens);
    if (!(predicted > 0)) return NAN;
    f += p.weight * Huber(std::log(p.loss) - std::log(predicted), huber_delta);
  }
  return f;
}

LossFitResult FitLossLaw(const std::vector<LossPoint>& points, double huber_delta,
                         int max_iterations, int grid_size) {
  const std::string problem_text = CheckLossPoints(points, 0.0);
  if (!problem_text.empty()) {
    LossFitResult result;
    result.error = problem_text;
    return result;
  }
  if (grid_size < 2 || grid_size > 4 * kLossSearchGrid) {
    LossFitResult result;
    result.error = "the loss law's search grid must have 2 to " +
                   std::to_string(4 * kLossSearchGrid) + " steps per exponent";
    return result;
  }
  const Problem problem(points, huber_delta);
  const std::vector<GridStart> basins = GridBasins(problem, grid_size);
  if (basins.empty()) {
    LossFitResult result;
    result.error = "the loss law could not be evaluated on any exponent of the search grid";
    return result;
  }
  Eigen::VectorXd best_x;
  double best_f = kInf;
  int evaluations = 0;
  RefineOutcome best_outcome;
  for (const GridStart& g : basins) {
    Eigen::VectorXd x = problem.Pack(g.theta(0), g.theta(1), g.theta(2), g.alpha, g.beta);
    RefineOutcome outcome;
    const double f = Refine(problem, &x, &evaluations, max_iterations, &outcome);
    if (f < best_f) {
      best_f = f;
      best_x = x;
      best_outcome = outcome;
    }
  }
  bool stationary = false;
  best_f = PolishStationary(problem, &best_x, best_f, &evaluations, &stationary);
  // However L-BFGS ended (its line searches fail on different builds), the optimum was reached.
  if (stationary) best_outcome = {true, "converged"};
  return Finish(problem, best_x, best_f, evaluations, best_outcome);
}

LossFitResult RefitLossLaw(const std::vector<LossPoint>& points, double huber_delta,
                           const LossLaw& start, int max_iterations) {
  const std::string problem_text = CheckLossPoints(points, 0.0);
  if (!problem_text.empty()) {
    LossFitResult result;
    result.error = problem_text;
    return result;
  }
  if (!(start.IsSet() && start.A > 0 && start.B > 0 && std::isfinite(start.alpha) &&
        std::isfinite(start.beta))) {
    return FitLossLaw(points, huber_delta, max_iterations);
  }
  const Problem problem(points, huber_delta);
  Eigen::VectorXd x = problem.FromLaw(start);
  int evaluations = 0;
  RefineOutcome outcome;
  const double f = Refine(problem, &x, &evaluations, max_iterations, &outcome);
  return Finish(problem, x, f, evaluations, outcome);
}

}  // namespace scalecalc

namespace scalecalc {

LossRefitter::LossRefitter(const std::vector<LossPoint>& points, double huber_delta,
                           const LossLaw& start)
    : points_(points), huber_delta_(huber_delta), start_(start) {
  for (const LossPoint& p : points_) {
    loss_.push_back(p.loss);
    ln_params_.push_back(std::log(p.params));
    ln_tokens_.push_back(std::log(p.tokens));
    ln_loss_.push_back(std::log(p.loss));
  }
  start_usable_ = CheckLossPoints(points_, 0.0).empty() && start.IsSet() && start.A > 0 &&
                  start.B > 0 && std::isfinite(start.alpha) && std::isfinite(start.beta);
  if (start_usable_) {
    const Problem problem(points_, huber_delta_);
    start_on_bound_ = OnBound(problem, problem.FromLaw(start_));
  }
}

LossFitResult LossRefitter::Refit(const std::vector<double>& weights) const {
  std::vector<LossPoint> points = points_;
  for (size_t i = 0; i < points.size() && i < weights.size(); ++i) points[i].weight = weights[i];
  const std::string problem_text =
      weights.size() == points_.size() ? CheckLossPoints(points, 0.0) : "one weight per point";
  if (!problem_text.empty()) {
    LossFitResult result;
    result.error = problem_text;
    return result;
  }
  const Problem problem(ln_params_, ln_tokens_, loss_, ln_loss_, weights, huber_delta_);
  // Starts: the full-data optimum, then the basins of the cold search's grid. Newton from each
  // (a few cheap steps where L-BFGS-B takes dozens of costly ones).
  struct Refined {
    Eigen::VectorXd x;
    double f;
    bool converged;
  };
  std::vector<Refined> refined;
  std::vector<SettledEnd> settled;  // a start heading for one of these is not run to its end
  int evaluations = 0;
  // A full-data optimum on a bound (a flat direction: Step Law's E = 0) lets resamples wander
  // between basins the screen ranks wrongly: those refits start from the cold search's own grid
  // basins (RefitGridBasins, about a tenth of the cost of an L-BFGS-B refit on a sweep's cells),
  // and the full-data start is kept only where it settles soon (kFullDataStartIterations).
  // Otherwise resamples stay near the full-data basin and the screen's best suffice.
  const bool exact_grid = !start_usable_ || !start_on_bound_.empty();
  auto refine_from = [&](Eigen::VectorXd y, bool only_if_settled) {
    bool converged = false, duplicate = false;
    const double f_y = NewtonRefine(problem, &y, &evaluations, &converged,
                                    only_if_settled ? kFullDataStartIterations : kNewtonIterations,
                                    &settled, &duplicate);
    if (duplicate || !std::isfinite(f_y) || (only_if_settled && !converged)) return;
    if (converged) settled.push_back({y, f_y});
    refined.push_back({std::move(y), f_y, converged});
  };
  if (start_usable_) refine_from(problem.FromLaw(start_), exact_grid);
  const std::vector<GridStart> basins =
      exact_grid ? RefitGridBasins(problem) : ScreenBasins(problem);
  for (const GridStart& g : basins)
    refine_from(problem.Pack(g.theta(0), g.theta(1), g.theta(2), g.alpha, g.beta), false);
  if (refined.empty()) {
    LossFitResult result = FitLossLaw(points, huber_delta_);
    result.cold_fallback = true;
    return result;
  }
  double best_f = kInf;
  for (const Refined& r : refined) best_f = std::min(best_f, r.f);
  // Where Newton did not settle (the Huber loss's kinks, a valley running into a bound) and the
  // start is near the best, a quasi-Newton method finishes from there.
  Eigen::VectorXd x;
  double f = kInf;
  RefineOutcome outcome;
  for (Refined& r : refined) {
    RefineOutcome how{r.converged,
                      r.converged ? "Newton's step fell below tolerance" : "Newton did not settle"};
    if (!r.converged && r.f <= best_f * (1 + kPolishMargin)) {
      Eigen::VectorXd polish = r.x;
      RefineOutcome polished;
      const double f_polish = QuasiNewtonRefine(problem, &polish, &evaluations, &polished);
      if (f_polish < r.f) {
        r.x = polish;
        r.f = f_polish;
        how = polished;
      }
    }
    if (r.f < f) {
      f = r.f;
      x = r.x;
      outcome = how;
    }
  }
  LossFitResult result = Finish(problem, x, f, evaluations, outcome);
  if (exact_grid) return result;
  // The screen can miss a basin: a result on a bound the full-data optimum is not on (a resample
  // leaving its basin) is checked against the cold search, the better kept.
  bool new_bound = false;
  for (const std::string& name : result.on_bound) {
    if (std::find(start_on_bound_.begin(), start_on_bound_.end(), name) == start_on_bound_.end())
      new_bound = true;
  }
  if (!new_bound) return result;
  LossFitResult cold = FitLossLaw(points, huber_delta_);
  if (!(cold.ok && cold.objective < result.objective)) cold = result;
  cold.cold_fallback = true;
  return cold;
}

}  // namespace scalecalc

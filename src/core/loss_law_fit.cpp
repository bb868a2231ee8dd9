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
// and T) between 1e-12 and 1e12; exponents in (0, 2] as science.md section 5 asks.
constexpr double kLogCoefMin = -27.631021115928547;  // ln 1e-12
constexpr double kLogCoefMax = 27.631021115928547;   // ln 1e12
constexpr double kExponentMin = 1e-3;
constexpr double kExponentMax = 2.0;
// Coarse grid of the variable-projection search: alpha, beta at the centres of 14 equal steps
// of (0, 2) (0.071, 0.214, ..., 1.929). A finer grid (20 x 20, 8 IRLS steps) found the same
// Chinchilla optimum at 2.5x the cost; L-BFGS-B does the fine work.
constexpr int kGridSize = 14;
constexpr double kGridStep = 2.0 / kGridSize;
// Grid basins refined by L-BFGS-B.
constexpr int kStarts = 3;
// IRLS iterations per grid point: enough to rank the basins, L-BFGS-B does the rest.
constexpr int kProjectIterations = 4;
// L-BFGS-B restarts after a failed line search.
constexpr int kRestarts = 8;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Warm refits (LossRefitter): Newton iterations, and the step to the (alpha, beta) neighbours of
// the start whose projected objective is compared with the warm result (one grid step).
constexpr int kNewtonIterations = 30;
constexpr double kNeighbourStep = kGridStep;
// Basins of the cheap screen re-ranked by the projected Huber objective before Newton.
constexpr int kScreenedBasins = 8;

using Vec5 = Eigen::Matrix<double, 5, 1>;
using Mat5 = Eigen::Matrix<double, 5, 5>;

double GridExponent(int index) {
  return (index + 0.5) * kGridStep;
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
  }

  int size() const { return static_cast<int>(w_.size()); }
  const Eigen::Matrix<double, 5, 1>& lower() const { return lower_; }
  const Eigen::Matrix<double, 5, 1>& upper() const { return upper_; }

  // x = (e, ln a, ln b, alpha, beta). Returns the objective; fills grad when given.
  double Evaluate(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::VectorXd* grad) const {
    const double e = x(0), la = x(1), lb = x(2), alpha = x(3), beta = x(4);
    double f = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
    for (int i = 0; i < size(); ++i) {
      const double fn = std::exp(la - alpha * ln_n_[i]);
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
    for (int i = 0; i < size(); ++i) {
      const double fn = std::exp(la - alpha * ln_n_[i]);
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

  // Variable projection: the best (e, a, b) for fixed exponents, by Gauss-Newton IRLS on the Huber
  // loss of log residuals. Returns the objective (inf if no feasible positive model was found).
  double Project(double alpha, double beta, int max_iterations, Eigen::Vector3d* theta) const {
    const int n = size();
    std::vector<double> f1(n), f2(n);
    for (int i = 0; i < n; ++i) {
      f1[i] = std::exp(-alpha * ln_n_[i]);
      f2[i] = std::exp(-beta * ln_t_[i]);
    }
    // Objective at th; keeps the model values and log residuals for the next IRLS step.
    std::vector<double> s_cur(n), r_cur(n), s_new(n), r_new(n);
    auto objective = [&](const Eigen::Vector3d& th, std::vector<double>* s,
                         std::vector<double>* r) {
      double f = 0;
      for (int i = 0; i < n; ++i) {
        (*s)[i] = th(0) + th(1) * f1[i] + th(2) * f2[i];
        if (!((*s)[i] > 0)) return kInf;
        (*r)[i] = log_y_[i] - std::log((*s)[i]);
        f += w_[i] * Huber((*r)[i], delta_);
      }
      return f;
    };
    // Weighted least squares of z on [1, f1, f2] within the box (IRLS step).
    auto solve = [&](const std::vector<double>& omega, const std::vector<double>& z) {
      Eigen::Matrix3d m = Eigen::Matrix3d::Zero();
      Eigen::Vector3d v = Eigen::Vector3d::Zero();
      for (int i = 0; i < n; ++i) {
        const Eigen::Vector3d xi(1.0, f1[i], f2[i]);
        m.noalias() += omega[i] * xi * xi.transpose();
        v.noalias() += omega[i] * z[i] * xi;
      }
      return BoxLeastSquares(m, v);
    };
    std::vector<double> omega(n), z(n);
    // Start: relative least squares, a first-order match of the log residuals.
    for (int i = 0; i < n; ++i) {
      omega[i] = w_[i] / (y_[i] * y_[i]);
      z[i] = y_[i];
    }
    Eigen::Vector3d th = solve(omega, z);
    double f = objective(th, &s_cur, &r_cur);
    for (int iter = 0; iter < max_iterations && std::isfinite(f); ++iter) {
      for (int i = 0; i < n; ++i) {
        const double r = r_cur[i];
        const double h = std::fabs(r) <= delta_ ? 1.0 : delta_ / std::fabs(r);
        omega[i] = w_[i] * h / (s_cur[i] * s_cur[i]);
        z[i] = s_cur[i] * (1.0 + r);  // log y - log s_new ~ (z - s_new) / s
      }
      const Eigen::Vector3d proposal = solve(omega, z);
      // Damped: halve the step until the true objective decreases.
      double step = 1.0, f_new = kInf;
      Eigen::Vector3d candidate = proposal;
      for (int k = 0; k < 10; ++k) {
        candidate = th + step * (proposal - th);
        f_new = objective(candidate, &s_new, &r_new);
        if (f_new < f) break;
        step *= 0.5;
      }
      if (!(f_new < f)) break;
      const double gain = f - f_new;
      th = candidate;
      f = f_new;
      s_cur.swap(s_new);
      r_cur.swap(r_new);
      if (gain <= 1e-6 * f) break;
    }
    *theta = th;
    return f;
  }

  // The search grid screened cheaply for warm refits: at each (alpha, beta) of the grid, the
  // relative least-squares fit of (e, a, b) (Project's first step) and its weighted squared
  // relative error, from sums precomputed per exponent (no logarithm, one exponential per point
  // and exponent). Ranks the basins as Project's Huber objective does, roughly; Newton refines.
  // screen[i * kGridSize + j] is grid point (alpha_i, beta_j), inf where no model was feasible.
  void ScreenGrid(std::vector<double>* screen, std::vector<Eigen::Vector3d>* theta) const {
    const int n = size();
    std::vector<double> f1(kGridSize * n), f2(kGridSize * n), omega(n);
    double s_w = 0, s_y = 0, s_yy = 0;
    for (int p = 0; p < n; ++p) {
      omega[p] = w_[p] / (y_[p] * y_[p]);
      s_w += omega[p];
      s_y += omega[p] * y_[p];
      s_yy += omega[p] * y_[p] * y_[p];
    }
    // Per exponent: sum omega f, omega f^2, omega y f.
    std::vector<double> n1(kGridSize), n11(kGridSize), ny1(kGridSize);
    std::vector<double> t1(kGridSize), t11(kGridSize), ty1(kGridSize);
    for (int g = 0; g < kGridSize; ++g) {
      const double exponent = GridExponent(g);
      n1[g] = n11[g] = ny1[g] = t1[g] = t11[g] = ty1[g] = 0;
      for (int p = 0; p < n; ++p) {
        const double a = f1[g * n + p] = std::exp(-exponent * ln_n_[p]);
        const double b = f2[g * n + p] = std::exp(-exponent * ln_t_[p]);
        n1[g] += omega[p] * a;
        n11[g] += omega[p] * a * a;
        ny1[g] += omega[p] * y_[p] * a;
        t1[g] += omega[p] * b;
        t11[g] += omega[p] * b * b;
        ty1[g] += omega[p] * y_[p] * b;
      }
    }
    screen->assign(kGridSize * kGridSize, kInf);
    theta->assign(kGridSize * kGridSize, Eigen::Vector3d::Zero());
    for (int i = 0; i < kGridSize; ++i) {
      for (int j = 0; j < kGridSize; ++j) {
        double cross = 0;
        for (int p = 0; p < n; ++p) cross += omega[p] * f1[i * n + p] * f2[j * n + p];
        Eigen::Matrix3d m;
        m << s_w, n1[i], t1[j], n1[i], n11[i], cross, t1[j], cross, t11[j];
        const Eigen::Vector3d v(s_y, ny1[i], ty1[j]);
        const Eigen::Vector3d th = QuickBoxLeastSquares(m, v);
        const double q = th.dot(m * th) - 2 * v.dot(th) + s_yy;
        (*screen)[i * kGridSize + j] = std::isfinite(q) ? q : kInf;
        (*theta)[i * kGridSize + j] = th;
      }
    }
  }

  // BoxLeastSquares for the screen: the same faces, solved by Cramer's rule (no factorisation
  // objects), with the unconstrained minimum first (convex: when feasible it is the minimum).
  static Eigen::Vector3d QuickBoxLeastSquares(const Eigen::Matrix3d& m, const Eigen::Vector3d& v) {
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
        consider(th);
      }
    }
    return best;
  }

  // Minimise q(th) = th' M th - 2 v' th over e in [0, 1], a >= 0, b >= 0. Convex: the minimum is
  // the unconstrained minimum of some face of the box, so try every face and keep the best
  // feasible one.
  static Eigen::Vector3d BoxLeastSquares(const Eigen::Matrix3d& m, const Eigen::Vector3d& v) {
    const double lo[3] = {0, 0, 0};
    const double hi[3] = {1, kInf, kInf};
    const int states[3] = {3, 2, 2};  // 0 free, 1 at lower bound, 2 at upper bound
    Eigen::Vector3d best = Eigen::Vector3d::Zero();
    double best_q = kInf;
    for (int s0 = 0; s0 < states[0]; ++s0) {
      for (int s1 = 0; s1 < states[1]; ++s1) {
        for (int s2 = 0; s2 < states[2]; ++s2) {
          const int state[3] = {s0, s1, s2};
          Eigen::Vector3d th;
          int free_index[3], free_count = 0;
          for (int j = 0; j < 3; ++j) {
            if (state[j] == 0) {
              free_index[free_count++] = j;
              th(j) = 0;
            } else {
              th(j) = state[j] == 1 ? lo[j] : hi[j];
            }
          }
          if (free_count > 0) {
            Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 3, 3> mf(free_count,
                                                                              free_count);
            Eigen::Matrix<double, Eigen::Dynamic, 1, 0, 3, 1> rhs(free_count);
            for (int a = 0; a < free_count; ++a) {
              rhs(a) = v(free_index[a]);
              for (int j = 0; j < 3; ++j) {
                if (state[j] != 0) rhs(a) -= m(free_index[a], j) * th(j);
              }
              for (int b = 0; b < free_count; ++b) mf(a, b) = m(free_index[a], free_index[b]);
            }
            Eigen::LDLT<decltype(mf)> ldlt(mf);
            if (ldlt.info() != Eigen::Success) continue;
            const auto d = ldlt.vectorD();
            if (!(d.minCoeff() > 1e-13 * d.cwiseAbs().maxCoeff())) continue;
            const auto sol = ldlt.solve(rhs);
            bool feasible = sol.allFinite();
            for (int a = 0; a < free_count && feasible; ++a) {
              const int j = free_index[a];
              if (sol(a) < lo[j] || sol(a) > hi[j]) feasible = false;
              th(j) = sol(a);
            }
            if (!feasible) continue;
          }
          const double q = th.dot(m * th) - 2 * v.dot(th);
          if (q < best_q) {
            best_q = q;
            best = th;
          }
        }
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
    lower_ << 0.0, kLogCoefMin, kLogCoefMin, kExponentMin, kExponentMin;
    upper_ << 1.0, kLogCoefMax, kLogCoefMax, kExponentMax, kExponentMax;
  }

  double delta_;
  double loss_scale_ = 1, ln_params_scale_ = 0, ln_tokens_scale_ = 0;
  std::vector<double> ln_n_, ln_t_, y_, log_y_, w_;
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
              RefineOutcome* outcome) {
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
  param.m = 8;
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
    // the line search): as converged as this objective allows.
    outcome->converged = true;
    outcome->how = "converged (no further decrease from a fresh start)";
  } else {
    outcome->converged = false;
    outcome->how = "line search failed in every restart while the objective was still falling";
  }
  return best_f;
}

// Newton direction over the free variables (those the gradient does not press against a bound)
// with curvature h; false when h is not positive definite there or the step does not descend.
bool NewtonDirection(const Mat5& h, const Vec5& g, const bool free[5], Vec5* d) {
  int index[5], count = 0;
  for (int j = 0; j < 5; ++j) {
    if (free[j]) index[count++] = j;
  }
  d->setZero();
  if (count == 0) return false;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 5, 5> hf(count, count);
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0, 5, 1> gf(count);
  for (int a = 0; a < count; ++a) {
    gf(a) = g(index[a]);
    for (int b = 0; b < count; ++b) hf(a, b) = h(index[a], index[b]);
  }
  Eigen::LDLT<decltype(hf)> ldlt(hf);
  if (ldlt.info() != Eigen::Success) return false;
  const auto diag = ldlt.vectorD();
  if (!(diag.minCoeff() > 1e-14 * diag.cwiseAbs().maxCoeff())) return false;
  const Eigen::Matrix<double, Eigen::Dynamic, 1, 0, 5, 1> step = ldlt.solve(-gf);
  if (!step.allFinite()) return false;
  for (int a = 0; a < count; ++a) (*d)(index[a]) = step(a);
  return g.dot(*d) < 0;
}

// Bounded Newton from x (in place), for warm starts near the optimum: the exact Hessian where it
// is positive definite (quadratic convergence once the points inside delta settle), else the IRLS
// majoriser; projected backtracking on the true objective. Returns the objective; converged is
// false after kNewtonIterations (residuals crossing delta can make the Hessian jump).
double NewtonRefine(const Problem& problem, Eigen::VectorXd* x_io, int* evaluations,
                    bool* converged_out) {
  Vec5 x = *x_io, g, step, g_new;
  Mat5 exact, irls, exact_new, irls_new;
  double f = problem.Derivatives(x, &g, &exact, &irls);
  ++*evaluations;
  bool converged = false;
  const Vec5 lower = problem.lower(), upper = problem.upper();
  for (int iter = 0; iter < kNewtonIterations && std::isfinite(f); ++iter) {
    bool free[5];
    for (int j = 0; j < 5; ++j) {
      const double tol = 1e-12 * (upper(j) - lower(j));
      free[j] = !((x(j) <= lower(j) + tol && g(j) > 0) || (x(j) >= upper(j) - tol && g(j) < 0));
    }
    bool moved = false;
    double f_new = f;
    Vec5 x_new = x;
    for (const Mat5* h : {&exact, &irls}) {
      if (!NewtonDirection(*h, g, free, &step)) continue;
      double t = 1;
      for (int k = 0; k < 40 && !moved; ++k, t *= 0.5) {
        x_new = (x + t * step).cwiseMax(lower).cwiseMin(upper);
        // Derivatives at the trial point: most steps are taken whole, and then they are reused.
        f_new = problem.Derivatives(x_new, &g_new, &exact_new, &irls_new);
        ++*evaluations;
        moved = f_new <= f + 1e-4 * g.dot(x_new - x) && f_new < f;
      }
      if (moved) break;
    }
    if (!moved) {
      converged = true;  // no descent left along either curvature: a stationary point
      break;
    }
    const double gain = f - f_new;
    x = x_new;
    f = f_new;
    g = g_new;
    exact = exact_new;
    irls = irls_new;
    if (gain <= 1e-12 * f) {
      converged = true;
      break;
    }
  }
  *x_io = x;
  if (converged_out) *converged_out = converged;
  return f;
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
                         int max_iterations) {
  const std::string problem_text = CheckLossPoints(points, 0.0);
  if (!problem_text.empty()) {
    LossFitResult result;
    result.error = problem_text;
    return result;
  }
  const Problem problem(points, huber_delta);
  // Coarse grid of the projected objective.
  struct GridPoint {
    double f;
    int i, j;
    Eigen::Vector3d theta;
  };
  std::vector<GridPoint> grid(kGridSize * kGridSize);
  for (int i = 0; i < kGridSize; ++i) {
    for (int j = 0; j < kGridSize; ++j) {
      GridPoint& g = grid[i * kGridSize + j];
      g.i = i;
      g.j = j;
      g.f = problem.Project(GridExponent(i), GridExponent(j), kProjectIterations, &g.theta);
    }
  }
  // Basins: grid points no worse than their eight neighbours, best first.
  std::vector<GridPoint> basins;
  for (const GridPoint& g : grid) {
    if (!std::isfinite(g.f)) continue;
    bool minimum = true;
    for (int di = -1; di <= 1 && minimum; ++di) {
      for (int dj = -1; dj <= 1; ++dj) {
        const int i = g.i + di, j = g.j + dj;
        if ((di == 0 && dj == 0) || i < 0 || j < 0 || i >= kGridSize || j >= kGridSize) continue;
        if (grid[i * kGridSize + j].f < g.f) {
          minimum = false;
          break;
        }
      }
    }
    if (minimum) basins.push_back(g);
  }
  std::stable_sort(basins.begin(), basins.end(),
                   [](const GridPoint& a, const GridPoint& b) { return a.f < b.f; });
  if (basins.empty()) {
    LossFitResult result;
    result.error = "the loss law could not be evaluated on any exponent of the search grid";
    return result;
  }
  if (static_cast<int>(basins.size()) > kStarts) basins.resize(kStarts);
  Eigen::VectorXd best_x;
  double best_f = kInf;
  int evaluations = 0;
  RefineOutcome best_outcome;
  for (const GridPoint& g : basins) {
    Eigen::VectorXd x =
        problem.Pack(g.theta(0), g.theta(1), g.theta(2), GridExponent(g.i), GridExponent(g.j));
    RefineOutcome outcome;
    const double f = Refine(problem, &x, &evaluations, max_iterations, &outcome);
    if (f < best_f) {
      best_f = f;
      best_x = x;
      best_outcome = outcome;
    }
  }
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
  auto cold = [&](LossFitResult warm) {
    const LossFitResult search = FitLossLaw(points, huber_delta_);
    LossFitResult result =
        search.ok && (!warm.ok || search.objective < warm.objective) ? search : warm;
    result.cold_fallback = true;
    return result;
  };
  if (!start_usable_) return cold(LossFitResult{});
  const Problem problem(ln_params_, ln_tokens_, loss_, ln_loss_, weights, huber_delta_);
  int evaluations = 0;
  Eigen::VectorXd x = problem.FromLaw(start_);
  bool converged = false;
  double f = NewtonRefine(problem, &x, &evaluations, &converged);
  // Other basins: the local minima of the screened grid, best first; Newton from the best few
  // that are not the warm start's own (one grid step or more away from its exponents).
  std::vector<double> screen;
  std::vector<Eigen::Vector3d> theta;
  problem.ScreenGrid(&screen, &theta);
  std::vector<std::pair<double, int>> basins;
  for (int i = 0; i < kGridSize; ++i) {
    for (int j = 0; j < kGridSize; ++j) {
      const double value = screen[i * kGridSize + j];
      if (!std::isfinite(value)) continue;
      bool minimum = true;
      for (int di = -1; di <= 1 && minimum; ++di) {
        for (int dj = -1; dj <= 1 && minimum; ++dj) {
          const int a = i + di, b = j + dj;
          if ((di == 0 && dj == 0) || a < 0 || b < 0 || a >= kGridSize || b >= kGridSize) continue;
          minimum = !(screen[a * kGridSize + b] < value);
        }
      }
      if (minimum) basins.push_back({value, i * kGridSize + j});
    }
  }
  std::stable_sort(basins.begin(), basins.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // The screen's best few basins, re-ranked by the Huber objective projected as the cold search
  // does (Project), then Newton from the best kStarts that are not the warm result's own basin.
  struct Candidate {
    double f;
    double alpha, beta;
    Eigen::Vector3d theta;
  };
  std::vector<Candidate> candidates;
  for (const auto& basin : basins) {
    if (static_cast<int>(candidates.size()) == kScreenedBasins) break;
    const double alpha = GridExponent(basin.second / kGridSize);
    const double beta = GridExponent(basin.second % kGridSize);
    if (std::fabs(alpha - x(3)) < kNeighbourStep && std::fabs(beta - x(4)) < kNeighbourStep) {
      continue;  // the warm result's basin
    }
    Candidate c{0, alpha, beta, Eigen::Vector3d::Zero()};
    c.f = problem.Project(alpha, beta, kProjectIterations, &c.theta);
    if (std::isfinite(c.f)) candidates.push_back(c);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.f < b.f; });
  if (static_cast<int>(candidates.size()) > kStarts) candidates.resize(kStarts);
  for (const Candidate& c : candidates) {
    const double alpha = c.alpha, beta = c.beta;
    const Eigen::Vector3d& th = c.theta;
    Eigen::VectorXd y = problem.Pack(th(0), th(1), th(2), alpha, beta);
    bool y_converged = false;
    const double f_y = NewtonRefine(problem, &y, &evaluations, &y_converged);
    if (f_y < f) {
      f = f_y;
      x = y;
      converged = y_converged;
    }
  }
  RefineOutcome outcome;
  outcome.converged = converged;
  outcome.how = converged ? "Newton's step fell below tolerance" : "Newton did not settle";
  if (!converged && std::isfinite(f)) {
    // The best start's Newton did not settle: L-BFGS-B finishes from there.
    Eigen::VectorXd polish = x;
    RefineOutcome polished;
    const double f_polish =
        Refine(problem, &polish, &evaluations, kLossFitMaxIterations, &polished);
    if (f_polish < f) {
      x = polish;
      f = f_polish;
      outcome = polished;
    }
  }
  LossFitResult result = Finish(problem, x, f, evaluations, outcome);
  bool new_bound = false;
  for (const std::string& name : result.on_bound) {
    if (std::find(start_on_bound_.begin(), start_on_bound_.end(), name) == start_on_bound_.end())
      new_bound = true;
  }
  if (!result.ok || new_bound) return cold(result);
  return result;
}

}  // namespace scalecalc

// designer.h: which runs to add next, so that the plan at a target budget can be trusted.
//
//   DesignOptions options;
//   options.budget_flops = 1e22;    // the budget the plan is for
//   options.max_flops = 1e20;       // what one candidate's runs may cost together
//   Design design = DesignNextRuns(table, fit, options);  // design.ok, design.message, candidates
//
// Candidates are new (N, T) cells on a grid that extends the current sweep: its model sizes and
// token budgets plus one step below the smallest and two above the largest (the step is the
// sweep's own geometric spacing), minus the cells already there. Each gets a mini grid of learning
// rates and batch sizes centred on the fitted laws at (N, T), spaced like the user's own sweep,
// with 3 values per swept dimension, 5 when the law's bootstrap interval at (N, T) reaches past
// one step (so the cell optimum lies inside the grid). Its cost is runs x c(N) T.
//
// Prediction, linearised (cheap, no refit): the loss law is fitted on the cells' optima in log
// space, so its parameters theta = (E, ln A, alpha, ln B, beta) have covariance
// s^2 (J^T J)^-1, J the Jacobian of ln L_hat at the cells and s^2 the residual variance (sum of
// squared log residuals / (cells - 5)). A candidate adds one row to J (it adds one cell optimum);
// the 95% interval of ln N_opt(C) and of ln L_opt(C) at the target budget is then
// +-1.96 sqrt(g^T Cov g), g the gradient of ln N_opt (or ln L_opt) in theta by central differences.
// Candidates are ranked by the narrowing of the N_opt interval (in ln N) per FLOP spent, within the
// allowance. It ignores the Huber weighting and the noise of the new cell's own optimum, and
// assumes the fitted law is right (a linear model around the fit). Never throws, never prints.
#pragma once

#include <string>
#include <vector>

#include "core/compute_model.h"
#include "core/fit.h"
#include "core/run_table.h"

namespace scalecalc {

struct DesignOptions {
  double budget_flops = NAN;  // target budget of the plan the new runs should pin down
  double max_flops = NAN;     // allowance: the most one candidate's runs may cost together
  ComputeModel compute;       // c(N) for the runs' cost and the optimum
  int max_candidates = 20;    // the best this many are listed

  // False with a message naming the field (budget_flops, max_flops), its value and the rule.
  bool IsValid(std::string* error) const;
};

struct DesignCandidate {
  double params = NAN, tokens = NAN;
  std::vector<double> lr;            // the mini grid's learning rates (empty: lr not swept)
  std::vector<double> batch_tokens;  // and batch sizes (whole samples)
  int runs = 0;                      // lr x batch values
  double flops = NAN;                // runs x c(N) T
  Interval expected_params_ci;       // N_opt at the target budget once this cell is added
  Interval expected_loss_ci;         // L_opt at the target budget
  double narrowing = NAN;            // 1 - expected width / current width (ln N_opt)
  double value = NAN;                // ln-width narrowing per FLOP (the rank)
};

struct Design {
  bool ok = false;
  DesignOptions options;  // the options it ran with
  std::string message;    // why not ok (why it cannot rank), or notes
  std::string method = "linearised";
  double budget_flops = NAN;
  double params_opt = NAN, loss_opt = NAN;  // the current fit's optimum at the target budget
  Interval current_params_ci, current_loss_ci;
  double residual_scale = NAN;  // s: rms log residual of the cells, with 5 parameters
  int cells = 0;
  double cheapest_run_flops = NAN;          // one run of the cheapest candidate
  std::vector<DesignCandidate> candidates;  // best first, within max_flops
};

Design DesignNextRuns(const RunTable& table, const FitSummary& fit, const DesignOptions& options);

}  // namespace scalecalc

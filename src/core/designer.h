// designer.h: which runs to add next, so that the plan at a target budget can be trusted.
//
//   DesignOptions options;
//   options.budget_flops = 1e22;     // the budget the plan is for
//   options.allowance_flops = 2e20;  // what the new runs may cost together
//   options.max_flops = 1e20;        // the most one candidate cell may cost
//   Design design = DesignNextRuns(table, fit, options);  // recommended set + ranked candidates
//
// Candidates are new (N, T) cells on a grid that extends the current sweep: its model sizes and
// token budgets plus one step below the smallest and two above the largest (the step is the
// sweep's own geometric spacing), minus the cells already there. Each gets a grid of learning
// rates and batch sizes centred on the fitted laws at (N, T), spaced like the user's own sweep,
// wide enough that the law's bootstrap interval at (N, T) lies strictly inside it (3 values per
// swept dimension at least, 9 at most), so the cell's optimum is not on its edge. Its cost is
// runs x c(N) T.
//
// Screen, linearised (cheap, no refit): the loss law is fitted on the cells' optima in log space,
// so its parameters theta = (E, ln A, alpha, ln B, beta) have covariance s^2 (J^T J)^-1, J the
// Jacobian of ln L_hat at the cells and s^2 the residual variance. A candidate adds one row to J;
// the 95% interval of ln N_opt (and ln L_opt) at the target budget is then +-1.96 sqrt(g^T Cov g).
// It ignores the Huber weighting, the bootstrap and the curvature of N_opt in theta: on the
// paper's laws it can be off by a third, so it only shortlists.
//
// Confirm, by simulation (the reported prediction): the candidate's runs are drawn from the fitted
// laws (loss law at (N, T), the fitted lr / batch sensitivity around the law's optimum, a cell
// offset and a per-run noise that together match the fit's residuals), appended to the table and
// refitted with a bootstrap of `simulation_bootstrap` resamples; the interval of N_opt is averaged
// over `simulation_draws` draws. Draw d of a candidate's noise is seeded by (seed, d, cell), the
// same whatever else is in the set (common random numbers: differences between sets are not
// noise), so a design is deterministic.
//
// The recommended set: greedy by value per FLOP within the allowance. At each step the affordable
// candidates are screened (linearised, given the picks so far), the best `shortlist` by narrowing
// per FLOP and by narrowing alone are simulated together with the picks, and the one that narrows
// the simulated N_opt interval most per FLOP is added (its value re-estimated after the picks
// before it: diminishing returns). It stops when nothing affordable narrows it. The best single
// candidate is kept instead when it narrows more than the greedy set (the knapsack's safeguard).
//
// Not identified (the fit warns n_t_collinear or plan_not_identified, or the cells do not
// determine the law's five parameters): no width can be computed, so candidates are ranked by how
// well they separate what the data cannot: off the sweep's tokens-per-parameter line, larger sizes
// toward N_opt, longer budgets; the set is filled by that rank within the allowance.
// Never throws, never prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/compute_model.h"
#include "core/enum_names.h"
#include "core/fit.h"
#include "core/run_table.h"
#include "core/warnings.h"

namespace scalecalc {

struct DesignOptions {
  double budget_flops = NAN;       // target budget of the plan the new runs should pin down
  double max_flops = NAN;          // the most one candidate's runs may cost together
  double allowance_flops = NAN;    // the recommended set's total; NaN: max_flops
  ComputeModel compute;            // c(N) for the runs' cost and the optimum
  int max_candidates = 20;         // the best this many are listed
  int simulation_draws = 4;        // noise draws per simulated prediction (0: linearised only)
  int confirm_draws = 16;          // fresh draws behind the recommended set's prediction
  int simulation_bootstrap = 100;  // bootstrap resamples of each simulated refit (>= 20)
  int shortlist = 3;               // candidates simulated per greedy step, per criterion
  uint64_t seed = 1;               // the simulation's noise
  int threads = 1;                 // how the refits' bootstraps run (never what they give)

  // False with a message naming the field (budget_flops, max_flops, allowance_flops, ...), its
  // value and the rule.
  bool IsValid(std::string* error) const;
};

struct DesignCandidate {
  double params = NAN, tokens = NAN;
  std::vector<double> lr;            // the cell's learning rates (empty: lr not swept)
  std::vector<double> batch_tokens;  // and batch sizes (whole samples)
  int runs = 0;                      // lr x batch values
  double flops = NAN;                // runs x c(N) T
  double separation = NAN;           // not identified: the rank's score (higher separates more)
  // Linearised screen: N_opt and L_opt at the target budget once this cell alone is added.
  Interval linear_params_ci, linear_loss_ci;
  // Simulated (simulated true): the same from refits; else equal to the linearised ones.
  bool simulated = false;
  Interval expected_params_ci;  // N_opt at the target budget once this cell is added
  Interval expected_loss_ci;    // L_opt at the target budget
  double narrowing = NAN;       // 1 - expected width / current width (ln N_opt)
  double value = NAN;           // ln-width narrowing per FLOP (the rank)
};

// The runs the allowance buys, together.
struct DesignSet {
  std::vector<DesignCandidate> cells;  // in the order picked; each with its marginal prediction
  int runs = 0;
  double flops = 0;
  bool simulated = false;
  Interval expected_params_ci, expected_loss_ci;  // once all of them are added
  double narrowing = NAN;                         // of the N_opt interval's log-width
};

// How DesignNextRuns ended (Ceres' Summary style): ok only when kRanked.
enum class DesignTermination {
  kNotRun,             // no design was asked for (no fit to design from)
  kRanked,             // candidates ranked, a set recommended
  kInvalidOptions,     // DesignOptions::IsValid refused them
  kNoLossLaw,          // the fit has no loss law to predict N_opt with
  kTooFewCells,        // no residual left to estimate the noise from
  kNoOptimum,          // the loss law has no compute-optimal size at the budget
  kMaxFlopsTooSmall,   // max_flops is below one run of the cheapest candidate
  kAllowanceTooSmall,  // the allowance is below the cheapest candidate cell
  kSimulationFailed,   // the bootstrap of the simulation gives no N_opt interval
  kCancelled,          // progress returned false
};

struct Design {
  bool ok = false;
  DesignTermination termination = DesignTermination::kNotRun;
  DesignOptions options;  // the options it ran with
  std::string message;    // why not ok (why it cannot rank), or notes
  std::vector<Warning> warnings;
  // "simulated" (linearised screen, simulation-confirmed), "linearised" (draws = 0) or
  // "separation" (not identified).
  std::string method = "simulated";
  bool identified = true;
  double budget_flops = NAN;
  double params_opt = NAN, loss_opt = NAN;      // the current fit's optimum at the target budget
  Interval current_params_ci, current_loss_ci;  // simulated: the bootstrap's, else linearised
  Interval linear_params_ci, linear_loss_ci;    // the linearised model's current intervals
  double residual_scale = NAN;  // s: rms log residual of the cells, with 5 parameters
  double run_noise = NAN;       // relative per-run noise the simulation draws (within cells)
  double cell_noise = NAN;      // relative offset of a whole cell the simulation draws
  int cells = 0;
  int simulation_draws = 0;                 // draws behind each simulated prediction
  int refits = 0;                           // simulated refits done (the cost)
  double cheapest_run_flops = NAN;          // one run of the cheapest candidate
  std::vector<DesignCandidate> candidates;  // best first, within max_flops
  DesignSet recommended;                    // within allowance_flops
};

// `progress` is called with (refits done, refits planned, an upper bound); returning false
// cancels (ok false, message "cancelled").
Design DesignNextRuns(const RunTable& table, const FitSummary& fit, const DesignOptions& options,
                      const ProgressFn& progress = {});

// The runs of `cells` drawn for simulation draw `draw` (exposed for tests and the page's workers):
// appended to a copy of `table`.
RunTable SimulatedTable(const RunTable& table, const FitSummary& fit, const Design& design,
                        const std::vector<DesignCandidate>& cells, int draw);

}  // namespace scalecalc

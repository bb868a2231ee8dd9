#include "core/designer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/planner.h"
#include "core/presets.h"
#include "test_util.h"

namespace scalecalc {
namespace {

// The known laws the sweep is drawn from: the paper's (raw units), with a quadratic penalty for an
// off-law lr or batch and relative noise on every loss.
struct Truth {
  LawSet laws = FindPreset("paper")->laws;
  double curv_lr = 0.004, curv_batch = 0.002;
  double noise = 4e-4;  // relative: the paper's losses differ by ~1e-4 across a sweep
  double tokens_per_sample = 1280;

  // The 3 x 3 (or the given) lr x batch runs of one cell.
  void AddCell(double n, double t, const std::vector<double>& lrs,
               const std::vector<double>& batches, test::Gaussian* rng, RunTable* table) const {
    for (double lr : lrs) {
      for (double b : batches) {
        Run run;
        run.params = n;
        run.tokens = t;
        run.lr = lr;
        run.batch_tokens = b;
        run.flops = 6 * n * t;
        const double u = std::log(lr / laws.lr.Eval(n, t));
        const double v = std::log(b / laws.batch.Eval(n, t));
        run.loss = laws.loss.Eval(n, t) * (1 + curv_lr * u * u + curv_batch * v * v) *
                   (1 + noise * rng->Next());
        run.data_row = static_cast<int>(table->runs.size()) + 1;
        run.line = run.data_row + 1;
        table->runs.push_back(run);
      }
    }
  }
  std::vector<double> Around(double center) const { return {center / 2, center, center * 2}; }
};

// 5 sizes x 4 budgets of the paper's range; `drop` leaves out one size.
RunTable Sweep(const Truth& truth, double drop, uint64_t seed) {
  RunTable table;
  table.has_lr = table.has_batch = true;
  test::Gaussian rng(seed);
  for (double n : {2e7, 4e7, 8e7, 1.6e8, 3.2e8}) {
    if (n == drop) continue;
    for (double t : {2e9, 4e9, 8e9, 1.6e10}) {
      truth.AddCell(n, t, truth.Around(truth.laws.lr.Eval(n, t)),
                    truth.Around(truth.laws.batch.Eval(n, t)), &rng, &table);
    }
  }
  return table;
}

FitOptions Options(int bootstrap) {
  FitOptions options;
  options.bootstrap_samples = bootstrap;
  options.extrapolation_check = false;
  options.seed = 7;
  return options;
}

// A cheap design on the 5 x 4 sweep (fewer draws and resamples than the defaults).
DesignOptions CheapOptions(double budget) {
  DesignOptions options;
  options.budget_flops = budget;
  options.max_flops = 1e21;
  options.allowance_flops = 3e19;
  options.simulation_draws = 2;
  options.confirm_draws = 2;
  options.simulation_bootstrap = 40;
  options.shortlist = 2;
  return options;
}

TEST(Designer, CandidatesAreNewCostTheirRunsAndAreRanked) {
  const Truth truth;
  const RunTable table = Sweep(truth, /*drop=*/3.2e8, /*seed=*/11);
  const FitSummary fit = Fit(table, Options(60));
  ASSERT_TRUE(fit.ok) << fit.message;
  const DesignOptions options = CheapOptions(1e21);
  const Design design = DesignNextRuns(table, fit, options);
  ASSERT_TRUE(design.ok) << design.message;
  EXPECT_EQ(design.termination, DesignTermination::kRanked);
  EXPECT_EQ(design.method, "simulated");
  EXPECT_EQ(design.simulation_draws, 2);
  EXPECT_GT(design.refits, 1);
  ASSERT_GE(design.candidates.size(), 3u);
  // The per-run noise it simulates is the generator's (4e-4), read from the runs.
  EXPECT_NEAR(design.run_noise / truth.noise, 1.0, 0.3);
  bool simulated_block = true;
  for (size_t i = 0; i < design.candidates.size(); ++i) {
    const DesignCandidate& c = design.candidates[i];
    EXPECT_LE(c.flops, options.max_flops);
    EXPECT_EQ(c.runs, static_cast<int>(c.lr.size() * c.batch_tokens.size()));
    EXPECT_NEAR(c.flops / (c.runs * 6 * c.params * c.tokens), 1.0, 1e-12);
    for (const Cell& cell : fit.cells) {
      EXPECT_FALSE(std::fabs(cell.params / c.params - 1) < 0.01 &&
                   std::fabs(cell.tokens / c.tokens - 1) < 0.01);
    }
    // Simulated candidates come first, each block best first.
    if (!c.simulated) simulated_block = false;
    EXPECT_FALSE(c.simulated && !simulated_block) << i;
    if (i > 0 && design.candidates[i - 1].simulated == c.simulated) {
      EXPECT_GE(design.candidates[i - 1].value, c.value) << i;
    }
    // The cell grid finds its optimum: the true optimal lr and batch lie strictly inside it.
    ASSERT_GE(c.lr.size(), 3u);
    ASSERT_GE(c.batch_tokens.size(), 3u);
    const double lr_true = truth.laws.lr.Eval(c.params, c.tokens);
    const double batch_true = truth.laws.batch.Eval(c.params, c.tokens);
    EXPECT_LT(c.lr.front(), lr_true) << c.params << " " << c.tokens;
    EXPECT_GT(c.lr.back(), lr_true) << c.params << " " << c.tokens;
    EXPECT_LT(c.batch_tokens.front(), batch_true) << c.params << " " << c.tokens;
    EXPECT_GT(c.batch_tokens.back(), batch_true) << c.params << " " << c.tokens;
  }
  // The set: within the allowance, its cost the sum of its cells'.
  const DesignSet& set = design.recommended;
  double flops = 0;
  int runs = 0;
  for (const DesignCandidate& c : set.cells) flops += c.flops, runs += c.runs;
  EXPECT_LE(set.flops, options.allowance_flops);
  EXPECT_NEAR(set.flops, flops, 1e-9 * flops);
  EXPECT_EQ(set.runs, runs);
  if (!set.cells.empty()) {
    EXPECT_TRUE(set.simulated);
    EXPECT_GT(set.narrowing, 0.0);
    EXPECT_LT(set.expected_params_ci.lo, set.expected_params_ci.hi);
  }
}

TEST(Designer, IsDeterministicForAnyThreadCount) {
  const Truth truth;
  const RunTable table = Sweep(truth, 3.2e8, 11);
  const FitSummary fit = Fit(table, Options(60));
  ASSERT_TRUE(fit.ok) << fit.message;
  DesignOptions options = CheapOptions(1e21);
  const Design one = DesignNextRuns(table, fit, options);
  options.threads = 3;
  const Design three = DesignNextRuns(table, fit, options);
  ASSERT_TRUE(one.ok && three.ok) << one.message;
  ASSERT_EQ(one.recommended.cells.size(), three.recommended.cells.size());
  for (size_t i = 0; i < one.recommended.cells.size(); ++i) {
    EXPECT_EQ(one.recommended.cells[i].params, three.recommended.cells[i].params);
    EXPECT_EQ(one.recommended.cells[i].tokens, three.recommended.cells[i].tokens);
  }
  EXPECT_EQ(one.recommended.expected_params_ci.lo, three.recommended.expected_params_ci.lo);
  EXPECT_EQ(one.recommended.expected_params_ci.hi, three.recommended.expected_params_ci.hi);
  ASSERT_EQ(one.candidates.size(), three.candidates.size());
  for (size_t i = 0; i < one.candidates.size(); ++i) {
    EXPECT_EQ(one.candidates[i].expected_params_ci.hi, three.candidates[i].expected_params_ci.hi);
  }
  // Cancelling stops it with a message.
  int calls = 0;
  const Design cancelled =
      DesignNextRuns(table, fit, options, [&calls](int, int) { return ++calls < 2; });
  EXPECT_FALSE(cancelled.ok);
  EXPECT_EQ(cancelled.message, "cancelled");
  EXPECT_EQ(cancelled.termination, DesignTermination::kCancelled);
  EXPECT_STREQ(ToString(cancelled.termination), "cancelled");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

TEST(Designer, SaysWhyItCannotRank) {
  const Truth truth;
  DesignOptions options;
  options.budget_flops = 1e21;
  options.max_flops = 1e21;
  // Data without a loss law: two model sizes cannot identify it.
  RunTable two;
  two.has_lr = two.has_batch = true;
  test::Gaussian rng(3);
  for (double n : {2e7, 4e7}) {
    for (double t : {2e9, 4e9, 8e9}) {
      truth.AddCell(n, t, truth.Around(truth.laws.lr.Eval(n, t)),
                    truth.Around(truth.laws.batch.Eval(n, t)), &rng, &two);
    }
  }
  const FitSummary no_law = Fit(two, Options(0));
  ASSERT_FALSE(no_law.loss.law.IsSet() && no_law.ok);
  Design design = DesignNextRuns(two, no_law, options);
  EXPECT_FALSE(design.ok);
  EXPECT_NE(design.message.find("no loss law"), std::string::npos) << design.message;
  EXPECT_EQ(design.termination, DesignTermination::kNoLossLaw);
  EXPECT_TRUE(design.candidates.empty());

  // An allowance below one run of the cheapest candidate.
  const RunTable table = Sweep(truth, 3.2e8, 11);
  const FitSummary fit = Fit(table, Options(0));
  options.max_flops = 1e15;
  design = DesignNextRuns(table, fit, options);
  EXPECT_FALSE(design.ok);
  EXPECT_NE(design.message.find("max_flops"), std::string::npos) << design.message;
  EXPECT_NE(design.message.find("one run"), std::string::npos) << design.message;
  EXPECT_EQ(design.termination, DesignTermination::kMaxFlopsTooSmall);
  // An allowance below the cheapest candidate cell (each cell is a grid of several runs).
  options.max_flops = 1e21;
  options.allowance_flops = design.cheapest_run_flops * 1.01;
  design = DesignNextRuns(table, fit, options);
  EXPECT_FALSE(design.ok);
  EXPECT_EQ(design.termination, DesignTermination::kAllowanceTooSmall) << design.message;
  options.allowance_flops = NAN;
  // Bad options name the field.
  for (double bad : {0.0, -1.0, double(NAN), double(INFINITY), 1e40}) {
    options.max_flops = bad;
    design = DesignNextRuns(table, fit, options);
    EXPECT_FALSE(design.ok);
    EXPECT_NE(design.message.find("max_flops"), std::string::npos) << bad;
    EXPECT_EQ(design.termination, DesignTermination::kInvalidOptions);
  }
  options.max_flops = 1e21;
  options.budget_flops = NAN;
  EXPECT_NE(DesignNextRuns(table, fit, options).message.find("budget_flops"), std::string::npos);
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

// The sweep: 4 sizes x 6 budgets of the paper's laws, full lr x batch grids (7 x 5) around
// the laws, the largest size removed.
RunTable FourBySix(const Truth& truth, bool drop_largest, uint64_t seed) {
  RunTable table;
  table.has_lr = table.has_batch = true;
  test::Gaussian rng(seed);
  for (double n : {2e7, 4e7, 8e7, 1.6e8}) {
    if (drop_largest && n == 1.6e8) continue;
    for (double t : {1e9, 2e9, 4e9, 8e9, 1.6e10, 3.2e10}) {
      std::vector<double> lrs, batches;
      for (int k = -3; k <= 3; ++k) lrs.push_back(truth.laws.lr.Eval(n, t) * std::pow(1.6, k));
      for (int k = -2; k <= 2; ++k) {
        batches.push_back(std::max(1.0, std::round(truth.laws.batch.Eval(n, t) * std::pow(2.0, k) /
                                                   truth.tokens_per_sample)) *
                          truth.tokens_per_sample);
      }
      truth.AddCell(n, t, lrs, batches, &rng, &table);
    }
  }
  return table;
}

double SweepFlops(const RunTable& table) {
  double total = 0;
  for (const Run& run : table.runs) total += 6 * run.params * run.tokens;
  return total;
}

// The ln-width of N_opt's 95% interval at `budget`, refitted with a bootstrap seeded `seed`
// (MakePlan's interval: not the designer's code path).
double BootstrapWidth(const RunTable& table, double budget, uint64_t seed) {
  FitOptions options = Options(100);
  options.optimum = OptimumMethod::kSmooth;
  options.seed = seed;
  const FitSummary fit = Fit(table, options);
  EXPECT_TRUE(fit.ok) << fit.message;
  PlanOptions plan_options;
  plan_options.budget_flops = budget;
  const Plan plan = MakePlan(fit.laws, plan_options);
  EXPECT_TRUE(plan.ok) << plan.message;
  return std::log(plan.params_ci.hi / plan.params_ci.lo);
}

// A set of cells "run" from the known laws (noise draws 0..draws-1) and refitted with each
// bootstrap seed: the mean realised width.
double RealisedSetWidth(const Truth& truth, const RunTable& table,
                        const std::vector<DesignCandidate>& set, double budget, int draws,
                        const std::vector<uint64_t>& seeds) {
  double sum = 0;
  int count = 0;
  for (int d = 0; d < draws; ++d) {
    RunTable more = table;
    test::Gaussian rng(5000 + d);
    for (const DesignCandidate& c : set) {
      truth.AddCell(c.params, c.tokens, c.lr, c.batch_tokens, &rng, &more);
    }
    for (uint64_t seed : seeds) sum += BootstrapWidth(more, budget, seed), ++count;
  }
  return sum / count;
}

// The "done when": the recommended set, run from the known laws, narrows the N_opt
// interval by at least 15%, at least as much as random sets within the same allowance on average,
// and its predicted width is within 25% of the realised one.
TEST(DesignerDoneWhen, RecommendedSetNarrowsAsPredicted) {
  const Truth truth;
  const double budget = 1e22;
  const RunTable table = FourBySix(truth, /*drop_largest=*/true, /*seed=*/21);
  FitOptions fit_options = Options(100);
  fit_options.optimum = OptimumMethod::kSmooth;
  const FitSummary fit = Fit(table, fit_options);
  ASSERT_TRUE(fit.ok) << fit.message;
  DesignOptions options;
  options.budget_flops = budget;
  options.allowance_flops = SweepFlops(table) / 5;
  options.max_flops = options.allowance_flops;
  options.max_candidates = 1000;  // every candidate, for the random sets
  options.threads = 2;
  const Design design = DesignNextRuns(table, fit, options);
  ASSERT_TRUE(design.ok) << design.message;
  ASSERT_EQ(design.method, "simulated");
  const DesignSet& set = design.recommended;
  ASSERT_FALSE(set.cells.empty());
  EXPECT_LE(set.flops, options.allowance_flops);
  double flops = 0;
  for (const DesignCandidate& c : set.cells) {
    flops += c.flops;
    EXPECT_NEAR(c.flops / (c.runs * 6 * c.params * c.tokens), 1.0, 1e-12);
  }
  EXPECT_NEAR(set.flops / flops, 1.0, 1e-12);

  const std::vector<uint64_t> seeds = {7, 8};
  double current = 0;
  for (uint64_t seed : seeds) current += BootstrapWidth(table, budget, seed) / seeds.size();
  const double realised = RealisedSetWidth(truth, table, set.cells, budget, 12, seeds);
  const double predicted = std::log(set.expected_params_ci.hi / set.expected_params_ci.lo);

  // Random sets: candidates in a random order, each added while the set stays within the allowance.
  std::mt19937_64 engine(3);
  double random_mean = 0;
  const int random_sets = 6;
  for (int r = 0; r < random_sets; ++r) {
    std::vector<DesignCandidate> pool = design.candidates, picked;
    std::shuffle(pool.begin(), pool.end(), engine);
    double spent = 0;
    for (const DesignCandidate& c : pool) {
      if (spent + c.flops <= options.allowance_flops) picked.push_back(c), spent += c.flops;
    }
    random_mean += RealisedSetWidth(truth, table, picked, budget, 4, seeds) / random_sets;
  }
  std::string cells;
  for (const DesignCandidate& c : set.cells) {
    cells += " (" + std::to_string(c.params) + ", " + std::to_string(c.tokens) + ", " +
             std::to_string(c.runs) + " runs)";
  }
  std::printf(
      "current %.4f (designer %.4f) set predicted %.4f realised %.4f random %.4f; %zu cells, "
      "%.3g of %.3g FLOPs, %d refits:%s\n",
      current, std::log(design.current_params_ci.hi / design.current_params_ci.lo), predicted,
      realised, random_mean, set.cells.size(), set.flops, options.allowance_flops, design.refits,
      cells.c_str());
  EXPECT_LE(realised, 0.85 * current);
  EXPECT_LE(realised, random_mean);
  EXPECT_NEAR(predicted / realised, 1.0, 0.25);
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

// Where the fit says N_opt is not identified (issue 25's codes), the designer ranks no width it
// cannot compute: it proposes the cells that separate what the data cannot, within the allowance.
TEST(Designer, NotIdentifiedProposesSeparatingRuns) {
  const Truth truth;
  const RunTable table = Sweep(truth, 3.2e8, 11);
  for (const char* code : {"n_t_collinear", "plan_not_identified"}) {
    FitSummary fit = Fit(table, Options(0));
    ASSERT_TRUE(fit.ok) << fit.message;
    fit.warnings.push_back({code, "N and T move together", Severity::kWarning});
    DesignOptions options = CheapOptions(1e21);
    options.allowance_flops = 5e19;
    const Design design = DesignNextRuns(table, fit, options);
    ASSERT_TRUE(design.ok) << design.message;
    EXPECT_FALSE(design.identified);
    EXPECT_EQ(design.method, "separation");
    EXPECT_EQ(design.refits, 0);  // no simulation of a width it cannot compute
    ASSERT_FALSE(design.warnings.empty());
    EXPECT_EQ(design.warnings.front().code, "design_not_identified");
    EXPECT_NE(design.message.find("larger sizes"), std::string::npos) << design.message;
    if (std::string(code) == "n_t_collinear") {
      EXPECT_NE(design.message.find("move together"), std::string::npos) << design.message;
    }
    // Ranked by separation; no width is claimed.
    ASSERT_GE(design.candidates.size(), 2u);
    for (size_t i = 1; i < design.candidates.size(); ++i) {
      EXPECT_GE(design.candidates[i - 1].separation, design.candidates[i].separation);
    }
    for (const DesignCandidate& c : design.candidates) {
      EXPECT_TRUE(std::isnan(c.narrowing));
      EXPECT_FALSE(c.simulated);
    }
    // The best separates: a size past the sweep's largest (1.6e8) or a budget outside its range
    // (2e9 to 1.6e10), and the set fills the allowance down that rank without exceeding it.
    const DesignCandidate& top = design.candidates.front();
    EXPECT_TRUE(top.params > 1.6e8 * 1.01 || top.tokens > 1.6e10 * 1.01 || top.tokens < 2e9 / 1.01)
        << top.params << " " << top.tokens;
    ASSERT_FALSE(design.recommended.cells.empty());
    EXPECT_LE(design.recommended.flops, options.allowance_flops);
    EXPECT_GT(design.recommended.cells.front().separation, 0.0);
  }
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

// A fit without bootstrap samples (--bootstrap 0, the page's first pass): the simulation draws its
// laws from its own baseline refit, and says how many refits it made.
TEST(Designer, SimulatesFromAFitWithoutBootstrap) {
  const Truth truth;
  const RunTable table = Sweep(truth, 3.2e8, 11);
  const FitSummary fit = Fit(table, Options(0));
  ASSERT_TRUE(fit.ok) << fit.message;
  ASSERT_TRUE(fit.laws.loss_samples.empty());
  const Design design = DesignNextRuns(table, fit, CheapOptions(1e21));
  ASSERT_TRUE(design.ok) << design.message;
  EXPECT_EQ(design.method, "simulated");
  EXPECT_GT(design.refits, 1);
  EXPECT_LT(design.current_params_ci.lo, design.params_opt);
  EXPECT_GT(design.current_params_ci.hi, design.params_opt);
  ASSERT_FALSE(design.recommended.cells.empty());
  EXPECT_TRUE(design.recommended.simulated);
}

}  // namespace
}  // namespace scalecalc

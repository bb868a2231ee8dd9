// Identifiability (issue 25): what the data can pin down. Sweeps are generated here with known
// optima (each cell an exact bowl around its optimum, science.md's laws with chosen exponents), so
// every expectation follows from how the data was made; the public files are read as published.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/csv_reader.h"
#include "core/designer.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/hyper_law_fit.h"
#include "core/planner.h"
#include "core/presets.h"
#include "core/results_json.h"
#include "core/warnings.h"
#include "test_util.h"

namespace scalecalc {
namespace {

RunTable ReadTable(const std::string& path) {
  const ReadResult read = ReadRuns(test::ReadText(path));
  EXPECT_TRUE(read.ok) << path;
  return read.table;
}

const Warning* FindCode(const std::vector<Warning>& warnings, const std::string& code) {
  for (const Warning& w : warnings) {
    if (w.code == code) return &w;
  }
  return nullptr;
}

FitOptions Options(int bootstrap) {
  FitOptions options;
  options.bootstrap_samples = bootstrap;
  options.optimum = OptimumMethod::kArgmin;
  return options;
}

PlanOptions PlanAt(double budget_flops) {
  PlanOptions options;
  options.budget_flops = budget_flops;
  return options;
}

constexpr double kLrExp = -1.0 / 3, kBatchExp = 2.0 / 3;  // lr ~ N^-1/3, batch ~ N^2/3

// The sweep: 7 sizes from 5M to 109M, T = 20 N (times 1 + jitter * a draw in [-1, 1]), a
// 7 x 7 lr x batch grid around each cell's optimum (factor 2 steps, the optimum in the middle, so
// the grid's best run is the optimum itself). Cell loss: Chinchilla-like L(N, T).
RunTable CollinearSweep(double jitter) {
  RunTable table;
  test::Gaussian noise(25);
  for (int k = 0; k < 7; ++k) {
    const double n = 5e6 * std::pow(109.0 / 5.0, k / 6.0);
    const double draw = std::erf(noise.Next());  // in (-1, 1)
    const double t = 20 * n * (1 + jitter * draw);
    const double lr_opt = 0.3 * std::pow(n, kLrExp);
    const double batch_opt = 2.0 * std::pow(n, kBatchExp);
    const double loss = 1.7 + 400 * std::pow(n, -0.34) + 410 * std::pow(t, -0.28);
    test::AddBowlCell(&table, n, t, test::Geometric(lr_opt / 8, 2, 7),
                      test::Geometric(batch_opt / 8, 2, 7), lr_opt, batch_opt, loss);
  }
  return table;
}

TEST(Identifiability, MeasureNTLineFindsTheRatio) {
  std::vector<HyperPoint> line, grid;
  for (double n : {1e7, 3e7, 1e8, 3e8}) {
    line.push_back({n, 20 * n, 1});
    for (double t : {1e9, 1e10}) grid.push_back({n, t, 1});
  }
  const NTLine on = MeasureNTLine(line);
  EXPECT_NEAR(on.correlation, 1.0, 1e-12);
  EXPECT_NEAR(on.mean_ratio, 20.0, 1e-9);
  EXPECT_NEAR(on.slope, 1.0, 1e-12);
  // A full grid: N and T independent.
  EXPECT_NEAR(MeasureNTLine(grid).correlation, 0.0, 1e-12);
  // One size: no correlation to speak of (NaN), never collinear.
  EXPECT_TRUE(std::isnan(MeasureNTLine({{1e8, 1e9, 1}, {1e8, 2e9, 1}}).correlation));
}

TEST(Identifiability, ExactCollinearSweepFitsTheLawsInNAlone) {
  const RunTable table = CollinearSweep(0.0);
  const FitSummary s = Fit(table, Options(0));
  const Warning* w = FindCode(s.warnings, "n_t_collinear");
  ASSERT_NE(w, nullptr) << s.message;
  EXPECT_NE(w->message.find("T/N = 20"), std::string::npos) << w->message;
  for (const HyperLawFit* h : {&s.lr_law, &s.batch_law}) {
    ASSERT_TRUE(h->law.IsSet()) << s.message;
    EXPECT_TRUE(h->collinear);
    EXPECT_TRUE(h->in_params);
    EXPECT_FALSE(h->in_tokens);
  }
  // Along T = 20 N the optimum depends on N alone, with the exponents the data was made with.
  EXPECT_NEAR(s.lr_law.law.exp_params, kLrExp, 1e-9);
  EXPECT_NEAR(s.batch_law.law.exp_params, kBatchExp, 1e-9);
  EXPECT_NEAR(s.lr_law.law.coef, 0.3, 1e-9);
  // Reported, not planned from; every reason filled (no "not fitted: " with nothing after it).
  EXPECT_FALSE(s.laws.lr.IsSet());
  EXPECT_FALSE(s.laws.batch.IsSet());
  EXPECT_EQ(s.status, ResultStatus::kPartial);
  for (const Warning& x : s.warnings) {
    EXPECT_EQ(x.message.find("not fitted: ;"), std::string::npos) << x.message;
    EXPECT_NE(x.message.back(), ' ') << x.message;
  }
  // JSON: a variable the law does not use is null, never 0.
  const Json lr = HyperLawJson(s.lr_law);
  EXPECT_EQ(lr["variables"], Json::array({"N"}));
  EXPECT_TRUE(lr["exp_T"].is_null());
  EXPECT_TRUE(lr["ci95"]["exp_T"].is_null());
  EXPECT_NEAR(lr["exp_N"].get<double>(), kLrExp, 1e-9);
  // The loss law's alpha and beta cannot be told apart either: a plan from it is partial.
  ASSERT_TRUE(s.laws.loss.IsSet());
  const Plan plan = MakePlan(s.laws, PlanAt(1e20));
  ASSERT_TRUE(plan.ok) << plan.message;
  const Warning* p = FindCode(plan.warnings, "plan_not_identified");
  ASSERT_NE(p, nullptr) << plan.message;
  EXPECT_EQ(p->severity, Severity::kError);
  EXPECT_NE(p->message.find("alpha and beta cannot be told apart"), std::string::npos);
  EXPECT_NE(p->message.find("other token budgets"), std::string::npos);
  EXPECT_EQ(plan.status, ResultStatus::kPartial);
  // No resamples asked for: said as an info, which alone would not make the plan partial.
  const Warning* info = FindCode(plan.warnings, "intervals_not_computed");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->severity, Severity::kInfo);
}

// The last rule of issue 25, end to end: on a real collinear sweep (no warning injected) the
// designer claims no interval width and proposes cells off the sweep's T = 20 N line.
TEST(Identifiability, DesignerProposesCellsOffTheCollinearLine) {
  const RunTable table = CollinearSweep(0.0);
  const FitSummary fit = Fit(table, Options(0));
  ASSERT_NE(FindCode(fit.warnings, "n_t_collinear"), nullptr) << fit.message;
  DesignOptions options;
  options.budget_flops = 1e20;
  options.max_flops = 1e19;
  options.allowance_flops = 3e19;
  const Design design = DesignNextRuns(table, fit, options);
  ASSERT_TRUE(design.ok) << design.message;
  EXPECT_FALSE(design.identified);
  ASSERT_FALSE(design.warnings.empty());
  EXPECT_EQ(design.warnings.front().code, "design_not_identified");
  ASSERT_FALSE(design.candidates.empty());
  // The top candidate and every recommended cell leave the line by at least one grid step of T
  // (a factor 109/5 over 6 steps, about 1.67).
  const auto off_line = [](double params, double tokens) {
    return std::abs(std::log(tokens / (20 * params))) >
           0.5 * std::log(std::pow(109.0 / 5, 1.0 / 6));
  };
  EXPECT_TRUE(off_line(design.candidates.front().params, design.candidates.front().tokens))
      << design.candidates.front().params << " " << design.candidates.front().tokens;
  ASSERT_FALSE(design.recommended.cells.empty());
  for (const auto& cell : design.recommended.cells) {
    EXPECT_TRUE(off_line(cell.params, cell.tokens)) << cell.params << " " << cell.tokens;
  }
}

TEST(Identifiability, JitteredCollinearSweepIsStillCollinearAndKeepsIntervals) {
  // T within +-2% of 20 N: the two-variable regression would give exponents of +-3 (the issue's
  // measurement); the correlation of ln N and ln T stays past the threshold.
  const RunTable table = CollinearSweep(0.02);
  const FitSummary s = Fit(table, Options(100));
  ASSERT_NE(FindCode(s.warnings, "n_t_collinear"), nullptr) << s.message;
  ASSERT_TRUE(s.lr_law.law.IsSet());
  EXPECT_NEAR(s.lr_law.law.exp_params, kLrExp, 1e-9);
  EXPECT_NEAR(s.batch_law.law.exp_params, kBatchExp, 1e-9);
  // Intervals from the laws' own resamples, around the exponents the data was made with (exact
  // optima: every resample's regression gives them back).
  for (const auto& [h, exponent] :
       {std::make_pair(&s.lr_law, kLrExp), std::make_pair(&s.batch_law, kBatchExp)}) {
    EXPECT_GT(h->own_bootstrap_attempted, 0);
    ASSERT_TRUE(std::isfinite(h->exp_params_ci.lo) && std::isfinite(h->exp_params_ci.hi));
    EXPECT_LE(h->exp_params_ci.lo, exponent + 1e-9);
    EXPECT_GE(h->exp_params_ci.hi, exponent - 1e-9);
    EXPECT_TRUE(std::isnan(h->exp_tokens_ci.lo));
  }
  const Json batch = HyperLawJson(s.batch_law);
  EXPECT_TRUE(batch["exp_T"].is_null());
  EXPECT_TRUE(batch["ci95"]["exp_N"][0].is_number());
  // The plan: not pinned down.
  const Plan plan = MakePlan(s.laws, PlanAt(1e20));
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_NE(FindCode(plan.warnings, "plan_not_identified"), nullptr) << plan.message;
  EXPECT_EQ(plan.status, ResultStatus::kPartial);
}

// One model size at four token budgets per group (the MoE file): the laws in T alone.
RunTable OneSizeGroup(double params, double lr_exp, double batch_exp) {
  RunTable table;
  for (double t : {1e9, 2e9, 4e9, 8e9}) {
    const double lr_opt = 3e-4 * std::pow(t / 1e9, lr_exp);
    const double batch_opt = 50000 * std::pow(t / 1e9, batch_exp);
    test::AddBowlCell(&table, params, t, test::Geometric(lr_opt / 8, 2, 7),
                      test::Geometric(batch_opt / 8, 2, 7), lr_opt, batch_opt, 3.0);
  }
  return table;
}

TEST(Identifiability, OneSizeLawsKeepTheirIntervalsWithResamples) {
  const FitSummary s = Fit(OneSizeGroup(1e8, -0.07, 0.8), Options(200));
  EXPECT_EQ(s.termination, FitTermination::kTooFewPoints);
  EXPECT_EQ(s.status, ResultStatus::kPartial);
  ASSERT_TRUE(s.lr_law.law.IsSet()) << s.message;
  EXPECT_FALSE(s.lr_law.in_params);
  EXPECT_NEAR(s.lr_law.law.exp_tokens, -0.07, 1e-9);
  // Resamples of the T-alone regressions: intervals exist and hold the true exponents.
  EXPECT_GT(s.bootstrap_samples_done, 0);
  EXPECT_TRUE(s.intervals_withheld.empty()) << s.intervals_withheld;
  ASSERT_TRUE(std::isfinite(s.lr_law.exp_tokens_ci.lo)) << s.message;
  EXPECT_LE(s.lr_law.exp_tokens_ci.lo, -0.07 + 1e-9);
  EXPECT_GE(s.lr_law.exp_tokens_ci.hi, -0.07 - 1e-9);
  ASSERT_TRUE(std::isfinite(s.batch_law.exp_tokens_ci.hi));
  const Json lr = HyperLawJson(s.lr_law);
  EXPECT_EQ(lr["variables"], Json::array({"T"}));
  EXPECT_TRUE(lr["exp_N"].is_null());
  EXPECT_TRUE(lr["ci95"]["exp_N"].is_null());
  // The worker's path: the same samples attached give the same intervals.
  FitSummary again = Fit(OneSizeGroup(1e8, -0.07, 0.8), Options(0));
  again.options.bootstrap_samples = 200;
  ASSERT_TRUE(AttachBootstrapSamples(FlattenSamples(s.laws), &again));
  EXPECT_EQ(again.lr_law.exp_tokens_ci.lo, s.lr_law.exp_tokens_ci.lo);
  EXPECT_EQ(again.batch_law.exp_tokens_ci.hi, s.batch_law.exp_tokens_ci.hi);
}

TEST(Identifiability, GroupComparisonShowsHyperExponentsAndShortReasons) {
  // Four sparsity settings in one file, each one size at four budgets, grouped by a text column.
  RunTable table;
  const double lr_exps[] = {-0.05, -0.07, -0.09, -0.11};
  for (int g = 0; g < 4; ++g) {
    RunTable part = OneSizeGroup(1e8, lr_exps[g], 0.8);
    for (scalecalc::Run& run : part.runs) {
      run.data_row = static_cast<int>(table.runs.size()) + 1;
      table.runs.push_back(run);
    }
  }
  table.has_lr = table.has_batch = true;
  TextColumn sparsity;
  sparsity.name = "sparsity";
  for (size_t r = 0; r < table.runs.size(); ++r) {
    sparsity.values.push_back("s" + std::to_string(r / 196));
  }
  table.text_columns.push_back(sparsity);
  const GroupSplit split = SplitByColumn(table, "sparsity");
  ASSERT_TRUE(split.ok) << split.message;
  ASSERT_EQ(split.groups.size(), 4u);
  const std::vector<GroupAnalysis> groups =
      AnalyzeGroups(split, Options(100), ComputeModel(), nullptr);
  for (int g = 0; g < 4; ++g) {
    const ComparisonRow row = ComparisonRowOf(groups[g].name, groups[g].runs, groups[g].analysis);
    EXPECT_FALSE(row.fitted);
    EXPECT_EQ(row.why_code, "loss_law_not_fitted");
    ASSERT_TRUE(row.lr.fitted);
    EXPECT_EQ(row.lr.variables, "T");
    EXPECT_TRUE(std::isnan(row.lr.exp_params));
    EXPECT_NEAR(row.lr.exp_tokens, lr_exps[g], 1e-9);
    EXPECT_TRUE(std::isfinite(row.lr.exp_tokens_ci.lo));
    EXPECT_TRUE(std::isfinite(row.batch.exp_tokens_ci.hi));
  }
}

// ---- The loss law and the plan ----

std::string EdgePath(const std::string& name) {
  return test::ExternalDataPath("../edge/" + name);
}

TEST(Identifiability, TooFewPointsPlanIsPartial) {
  // units.csv: 7 points for the loss law's 5 parameters (at least 10 needed).
  const FitSummary point = Fit(ReadTable(EdgePath("units.csv")), Options(0));
  ASSERT_TRUE(point.laws.loss.IsSet()) << point.message;
  const Plan plan = MakePlan(point.laws, PlanAt(1e22));
  ASSERT_TRUE(plan.ok) << plan.message;
  const Warning* w = FindCode(plan.warnings, "plan_not_identified");
  ASSERT_NE(w, nullptr) << plan.message;
  EXPECT_NE(w->message.find("only 7 points"), std::string::npos) << w->message;
  EXPECT_EQ(plan.status, ResultStatus::kPartial);
  // With resamples most fail (the audit: 127 of 1,000 kept): said too, and no intervals.
  const FitSummary boot = Fit(ReadTable(EdgePath("units.csv")), Options(40));
  const Plan with = MakePlan(boot.laws, PlanAt(1e22));
  const Warning* b = FindCode(with.warnings, "plan_not_identified");
  ASSERT_NE(b, nullptr) << with.message;
  EXPECT_NE(b->message.find("bootstrap resamples gave a fit"), std::string::npos) << b->message;
  EXPECT_EQ(with.status, ResultStatus::kPartial);
}

TEST(Identifiability, AllCellOptimaOnTheEdgeIsNotOk) {
  const FitSummary s = Fit(ReadTable(EdgePath("alledge.csv")), Options(0));
  ASSERT_TRUE(s.laws.loss.IsSet()) << s.message;
  const Plan plan = MakePlan(s.laws, PlanAt(1e21));
  ASSERT_TRUE(plan.ok) << plan.message;
  const Warning* w = FindCode(plan.warnings, "plan_not_identified");
  ASSERT_NE(w, nullptr) << plan.message;
  EXPECT_NE(w->message.find("edge"), std::string::npos) << w->message;
  EXPECT_NE(plan.status, ResultStatus::kOk);
}

TEST(Identifiability, StepLawPlanIsNotPinnedDown) {
  // Step Law's dense sweep, argmin optima: E on its bound, alpha's interval to the search limit and
  // A's over many orders of magnitude. The fitted numbers stay; the plan at 1e22 is partial.
  const FitSummary s = Fit(test::LoadStepLaw(), Options(200));
  ASSERT_TRUE(s.ok) << s.message;
  const Plan plan = MakePlan(s.laws, PlanAt(1e22));
  ASSERT_TRUE(plan.ok) << plan.message;
  const Warning* w = FindCode(plan.warnings, "plan_not_identified");
  ASSERT_NE(w, nullptr) << plan.message;
  EXPECT_NE(w->message.find("search's limit"), std::string::npos) << w->message;
  EXPECT_EQ(plan.status, ResultStatus::kPartial);
  // Its lr and batch laws are fitted in N and T (the cells separate them: no n_t_collinear).
  EXPECT_EQ(FindCode(s.warnings, "n_t_collinear"), nullptr);
  EXPECT_TRUE(s.lr_law.in_params && s.lr_law.in_tokens);
}

TEST(Identifiability, ChinchillaPlanStaysOk) {
  // 245 runs over a wide range of N and T: every signal clear, N_opt's interval well within 10x.
  const FitSummary s = Fit(test::LoadChinchilla(), Options(50));
  ASSERT_TRUE(s.ok) << s.message;
  const Plan plan = MakePlan(s.laws, PlanAt(1e22));
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(FindCode(plan.warnings, "plan_not_identified"), nullptr) << plan.message;
  EXPECT_LE(plan.params_ci.hi / plan.params_ci.lo, kMaxPlanParamsSpread);
  EXPECT_EQ(plan.status, ResultStatus::kOk) << plan.message;
}

TEST(Identifiability, PresetsAreNotJudgedByIntervals) {
  const Plan plan = MakePlan(FindPreset("paper")->laws, PlanAt(1e22));
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(FindCode(plan.warnings, "plan_not_identified"), nullptr);
  EXPECT_EQ(FindCode(plan.warnings, "intervals_not_computed"), nullptr);
}

TEST(Identifiability, QuickFitBeforeItsBootstrapSaysIntervalsArePending) {
  AnalysisState state;
  state.fit = Options(200);
  const RunTable table = ReadTable(std::string(SCALECALC_ASSETS_DIR) + "/example_sweep.csv");
  const FitSummary quick = FitAnalysis(state, table, /*bootstrap=*/false);
  ASSERT_TRUE(quick.ok) << quick.message;
  const Plan plan = PlanAnalysis(state, quick.laws);
  ASSERT_TRUE(plan.ok) << plan.message;
  const Warning* w = FindCode(plan.warnings, "intervals_not_computed");
  ASSERT_NE(w, nullptr) << plan.message;
  EXPECT_EQ(w->severity, Severity::kInfo);
  EXPECT_NE(w->message.find("pending"), std::string::npos) << w->message;
  // Pending intervals alone do not make the plan partial.
  if (FindCode(plan.warnings, "plan_not_identified") == nullptr) {
    EXPECT_FALSE(HasError(plan.warnings)) << plan.message;
  }
}

TEST(Identifiability, WideNOptIntervalIsPartial) {
  // The example sweep's point fit with 200 attached samples whose N_opt spreads over more than
  // 10x: half the samples with a much smaller alpha (a larger N_opt).
  FitSummary s =
      Fit(ReadTable(std::string(SCALECALC_ASSETS_DIR) + "/example_sweep.csv"), Options(0));
  ASSERT_TRUE(s.ok) << s.message;
  s.options.bootstrap_samples = 200;
  LawSet laws = s.laws;
  laws.loss_samples.assign(200, s.laws.loss);
  laws.lr_samples.assign(200, s.laws.lr);
  laws.batch_samples.assign(200, s.laws.batch);
  const PlanOptions options = PlanAt(1e22);
  const double n_opt = MakePlan(s.laws, options).ideal.params;
  for (int k = 0; k < 100; ++k) {
    // With T = C / (6 N), N_opt = (alpha A / (beta B))^(1 / (alpha + beta)) (C / 6)^a: scaling A
    // by 30^(alpha + beta) moves N_opt 30x (about that for the DiT count); the spread is measured
    // from the plan itself below.
    laws.loss_samples[k].A *=
        std::pow(30.0, laws.loss_samples[k].alpha + laws.loss_samples[k].beta);
  }
  ASSERT_TRUE(AttachBootstrapSamples(FlattenSamples(laws), &s));
  const Plan plan = MakePlan(s.laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  ASSERT_TRUE(std::isfinite(plan.params_ci.lo)) << plan.message;
  ASSERT_GT(plan.params_ci.hi / plan.params_ci.lo, kMaxPlanParamsSpread) << n_opt;
  const Warning* w = FindCode(plan.warnings, "plan_not_identified");
  ASSERT_NE(w, nullptr) << plan.message;
  EXPECT_NE(w->message.find("95% interval"), std::string::npos) << w->message;
  EXPECT_EQ(plan.status, ResultStatus::kPartial);
  // The same point law with every sample equal to it: a zero-width interval, ok.
  FitSummary tight =
      Fit(ReadTable(std::string(SCALECALC_ASSETS_DIR) + "/example_sweep.csv"), Options(0));
  tight.options.bootstrap_samples = 200;
  LawSet same = tight.laws;
  same.loss_samples.assign(200, tight.laws.loss);
  same.lr_samples.assign(200, tight.laws.lr);
  same.batch_samples.assign(200, tight.laws.batch);
  ASSERT_TRUE(AttachBootstrapSamples(FlattenSamples(same), &tight));
  const Plan ok = MakePlan(tight.laws, options);
  EXPECT_EQ(FindCode(ok.warnings, "plan_not_identified"), nullptr) << ok.message;
  // Forced values show no intervals (they were taken at the free optimum): not a missing one.
  PlanOptions forced = options;
  forced.forced_lr = 1e-4;
  const Plan f = MakePlan(tight.laws, forced);
  ASSERT_TRUE(f.ok) << f.message;
  EXPECT_EQ(FindCode(f.warnings, "plan_not_identified"), nullptr) << f.message;
}

// ---- Forced size ----

TEST(Identifiability, ForcedSizeKeepsTheWholeShapeOfThatSize) {
  // DiT-XL/2: 28 blocks of width 1152, 594,542,592 parameters with the paper's 16 d^2 per block
  // (block_params), width per depth 1152 / 28.
  const PresetInfo* paper = FindPreset("paper");
  ASSERT_NE(paper, nullptr);
  PlanOptions options = PlanAt(1e21);
  options.compute.width_per_depth = 1152.0 / 28.0;
  options.fixed_params = options.compute.block_params * 28 * 1152 * 1152;
  ASSERT_EQ(options.fixed_params, 594542592.0);
  const Plan plan = MakePlan(paper->laws, options);
  ASSERT_TRUE(plan.ok) << plan.message;
  EXPECT_EQ(plan.optimum.shape.width, 1152);
  EXPECT_EQ(plan.optimum.shape.depth, 28);
  EXPECT_EQ(plan.optimum.params, 594542592.0);
  // The ideal shape reads as whole numbers, not 27.999999999999996.
  EXPECT_EQ(plan.ideal.shape.depth, 28.0);
  EXPECT_EQ(plan.ideal.shape.width, 1152.0);
}

}  // namespace
}  // namespace scalecalc

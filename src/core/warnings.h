// warnings.h: how far a fit or a plan can be trusted (the "trust report"). Every FitSummary and
// Plan carries a status (ok / partial / failed) and warnings [{code, message, severity}] next to
// its numbers; the checks that produce them live here, apart from the fitting and planning code.
//
//   FitSummary summary = Fit(table, options);   // calls AssessFit before returning
//   for (const Warning& w : summary.warnings) ... // w.code is stable, w.message is for people
//
// Codes are frozen strings (scripts match on them); messages say what the user can change.
#pragma once

#include <string>
#include <vector>

#include "core/enum_names.h"

namespace scalecalc {

enum class Severity { kInfo, kWarning, kError };

// ok: everything the options asked for was computed and nothing is flagged as an error.
// partial: a result (cells at least) but a law is missing or must not be used.
// failed: nothing usable (bad options, numerical failure, no data).
enum class ResultStatus { kOk, kPartial, kFailed };

struct Warning {
  std::string code;     // "cell_outside_range", "params_extrapolation", ... (see warnings.cpp)
  std::string message;  // one sentence for people
  Severity severity = Severity::kWarning;
};

// Thresholds of the checks, in one place (the README quotes them).
// The paper validated its laws ~3-4x beyond its largest fitted model: past 4x is extrapolation.
constexpr double kParamsExtrapolationWarn = 4.0;
// A budget more than this many times the largest fitted run's FLOPs (4x in N is ~25x in C for
// N ~ C^0.43).
constexpr double kFlopsExtrapolationWarn = 25.0;
// Intervals are reported only when at least this fraction of the bootstrap resamples gave a fit.
constexpr double kMinBootstrapKept = 0.9;
// Identifiability (how well the data pins a law down).
// ln N and ln T over the cells correlated at least this much (in absolute value) cannot be told
// apart: the variance inflation 1 / (1 - r^2) is then >= 50, so each exponent's standard error is
// >= 7x what the same cells would give with N and T varied independently (a jitter of a few % in
// T on a fixed T/N ratio gives r ~ 0.9999 and exponents of +-3; the public sweeps have |r| <=
// 0.45). The hyperparameter laws are then fitted in N alone along the sweep's line (n_t_collinear)
// and a plan from the loss law is partial (plan_not_identified).
constexpr double kCollinearCorrelation = 0.99;
// A loss law (5 parameters) needs at least this many points per parameter to be planned from.
constexpr double kMinLossPointsPerParameter = 2;
// A loss-law parameter on its bound together with A's or B's 95% interval spanning more than
// this factor (two orders of magnitude): the data does not pin the law down.
constexpr double kMaxCoefficientSpread = 100;
// Fewer than this fraction of the resamples giving a fit: most fail, the law is not pinned down.
constexpr double kMinBootstrapMajority = 0.5;
// With resamples asked for, a plan from a fit is ok only if its N_opt 95% interval spans at
// most this factor (hi / lo).
constexpr double kMaxPlanParamsSpread = 10;
// Training or inference FLOPs past this are outside what the tool plans (the budget limit too).
constexpr double kMaxPlanFlops = 1e35;

struct FitSummary;
struct Plan;
struct PlanOptions;
struct LawSet;
struct RunTable;

// Adds the fit's warnings, withholds what must not be used (a degenerate law is unset in
// summary->laws, intervals from too few resamples are cleared) and sets summary->status.
void AssessFit(const RunTable& table, FitSummary* summary);

// Clears every interval of the fit when fewer than kMinBootstrapKept of the requested resamples
// gave a fit (also after AttachBootstrapSamples). True when intervals were withheld.
bool WithholdWeakIntervals(FitSummary* summary);

// Warns (interval_on_bound) where an exponent's 95% interval ends on the search's box
// (kLossExponentMin, kLossExponentMax): that end is the search's limit, not the data's. Replaces
// such a warning from before (AssessFit calls it; so does AttachBootstrapSamples).
void WarnIntervalsOnBound(FitSummary* summary);

// Sets summary->laws.not_identified: what the data does not pin down for a plan (alpha and beta
// not told apart in collinear cells, fewer than kMinLossPointsPerParameter points per parameter,
// a parameter on its bound with A's or B's interval past kMaxCoefficientSpread, an exponent's
// interval on the search's limit, most resamples failing, every cell optimum on its sweep's
// edge) and what runs would fix it; empty when nothing is missing. AssessFit calls it, and so does
// AttachBootstrapSamples.
void AssessIdentifiability(FitSummary* summary);

// Adds the plan's extrapolation distance and warnings, refuses (plan->ok = false) a plan that is
// not physical, withholds weak intervals and sets plan->status.
void AssessPlan(const LawSet& laws, const PlanOptions& options, Plan* plan);

// The worst severity present, as a status: error -> partial (a result with a flaw), otherwise ok.
bool HasError(const std::vector<Warning>& warnings);

}  // namespace scalecalc

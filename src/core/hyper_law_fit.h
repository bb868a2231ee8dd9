// hyper_law_fit.h: fit y = coef * N^g * T^b (optimal learning rate or batch size) by ordinary
// least squares of log y on [1, log N, log T].
//
//   std::vector<HyperPoint> points = {{params, tokens, lr_opt}, ...};
//   PowerLaw2 law; double r2; std::string error;
//   if (!FitHyperLaw(points, 0.01, &law, &r2, &error)) ...  // error says why
//
// Internal to the fitting engine (fit.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/laws.h"

namespace scalecalc {

struct HyperLawFit {
  PowerLaw2 law;
  Interval coef_ci, exp_params_ci, exp_tokens_ci;
  int points = 0;   // points in the regression
  double r2 = NAN;  // in log space
  // Which variables the law was fitted in: both, or one when the sweep has a single model size
  // (a law in T alone, exp_params = 0) or a single token budget (in N alone). A one-variable law
  // is reported but not used by the planner (it knows nothing of the other variable).
  bool in_params = true, in_tokens = true;
  // Set when ln N and ln T move together over the points (|correlation| >= kCollinearCorrelation,
  // warnings.h): the law is then fitted in N alone along the sweep's line T ~ ratio N.
  bool collinear = false;
  // A law in one variable beside a loss law is resampled on its own (the loss law's resamples
  // must fit every law at once, and a loss refit fails where a regression would not): the
  // resamples drawn and kept for its intervals; 0 when it shares the loss law's bootstrap.
  int own_bootstrap_attempted = 0, own_bootstrap_kept = 0;
};

struct HyperPoint {
  double params = 0;
  double tokens = 0;
  double value = 0;  // optimal lr, or optimal batch size in tokens
};

// Which variables a law is fitted in: both, N alone (exp_tokens = 0, unused) or T alone.
enum class HyperVariables { kBoth, kParams, kTokens };

// How ln N and ln T move together over the points: their correlation (NaN when either is
// constant), the line ln T = ln(ratio_coef) + slope ln N through them (least squares) and the
// geometric mean of T / N.
struct NTLine {
  double correlation = NAN;
  double slope = NAN, ratio_coef = NAN;
  double mean_ratio = NAN;  // exp(mean(ln T - ln N))
};
NTLine MeasureNTLine(const std::vector<HyperPoint>& points);

// False (law untouched) when the points span fewer than 3 distinct N or T values (values within
// distinct_tolerance relative of each other count as one), when log N and log T are collinear, or
// when a value is not positive and finite. r2 is in log space (NaN when y is constant).
bool FitHyperLaw(const std::vector<HyperPoint>& points, double distinct_tolerance, PowerLaw2* law,
                 double* r2, std::string* error);

// The partial law of a sweep with one model size and >= 3 token budgets (y = coef T^b, *in_tokens
// true) or one budget and >= 3 model sizes (y = coef N^g, *in_tokens false). False with a reason
// for any other shape.
bool FitHyperLawOneVariable(const std::vector<HyperPoint>& points, double distinct_tolerance,
                            PowerLaw2* law, double* r2, bool* in_tokens, std::string* error);

// The law in the given variables: kBoth is FitHyperLaw; kParams (kTokens) regresses log y on
// log N (log T) alone, whatever the other variable does, and needs at least min_distinct
// distinct values of it (3 for a fit; a bootstrap resample of such a fit accepts 2).
bool FitHyperLawIn(const std::vector<HyperPoint>& points, double distinct_tolerance,
                   HyperVariables variables, int min_distinct, PowerLaw2* law, double* r2,
                   std::string* error);

}  // namespace scalecalc

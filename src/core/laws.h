// laws.h: the fitted or published laws, in raw units (parameters, tokens, FLOPs, batch in tokens).
//
// A LawSet is what the planner and the plots consume: a loss law, optional hyperparameter laws,
// and bootstrap samples of each (empty for presets) from which every interval is taken.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace scalecalc {

struct Interval {
  double lo = NAN;
  double hi = NAN;
};

// y = coef * N^exp_params * T^exp_tokens (N parameters, T tokens).
struct PowerLaw2 {
  double coef = NAN;
  double exp_params = 0;
  double exp_tokens = 0;
  double Eval(double params, double tokens) const {
    return coef * std::pow(params, exp_params) * std::pow(tokens, exp_tokens);
  }
  bool IsSet() const { return std::isfinite(coef); }
};

// L(N, T) = E + A N^-alpha + B T^-beta.
struct LossLaw {
  double E = NAN, A = NAN, alpha = NAN, B = NAN, beta = NAN;
  double Eval(double params, double tokens) const {
    return E + A * std::pow(params, -alpha) + B * std::pow(tokens, -beta);
  }
  bool IsSet() const { return std::isfinite(E); }
};

// Loss penalty for off-optimal hyperparameters, fitted (sensitivity.h) on the runs of the sweep
// cells within FitOptions::sensitivity_cap of their cell's optimum:
//   L(lr, B) / L_opt - 1 = c_lr u^2 + c_batch v^2 + c_cross u v,
//   u = ln(lr / lr_opt(N, T)), v = ln(B / B_opt(N, T)).
struct Sensitivity {
  bool ok = false;
  double curv_lr = NAN, curv_batch = NAN, cross = NAN;
  int points = 0;
  double RelativePenalty(double lr_ratio, double batch_ratio) const;
};

// N_opt = coef * C^exponent (C in FLOPs): a source's published compute-optimal size, for sources
// that publish no loss law (the planner plans at it directly).
struct OptimumLaw {
  double coef = NAN, exponent = NAN;
  double Eval(double flops) const { return coef * std::pow(flops, exponent); }
  bool IsSet() const { return std::isfinite(coef) && std::isfinite(exponent); }
};

struct LawSet {
  std::string name;  // "fit", "paper (Yin et al. 2025)", ...
  LossLaw loss;
  PowerLaw2 lr;                       // unset when unknown
  PowerLaw2 batch;                    // batch size in tokens; unset when unknown
  std::vector<LossLaw> loss_samples;  // bootstrap refits (empty: no intervals)
  // Resamples of the fitted lr and batch laws; they may hold a law in one variable that lr (or
  // batch) leaves unset (reported, not planned from): the planner reads them only beside a set law.
  std::vector<PowerLaw2> lr_samples;
  std::vector<PowerLaw2> batch_samples;
  OptimumLaw params_opt;    // set only when there is no loss law
  Sensitivity sensitivity;  // penalty of off-law lr and batch (not ok: unknown, e.g. presets)
  // Non-empty: the samples must not give intervals (too few resamples gave a fit); says why.
  std::string intervals_withheld;
  // Laws fitted to the user's data (false: published law sets, not judged by intervals).
  bool fitted = false;
  // Bootstrap resamples asked for (0: none; the page's quick fit sets the count its bootstrap
  // will compute, so that an empty sample set reads as pending).
  int bootstrap_requested = 0;
  // Non-empty: what the data does not pin down in the loss law and what runs would fix it
  // (AssessFit); a plan from these laws is partial (plan_not_identified).
  std::string not_identified;
  // What the laws were fitted on, for the plan's extrapolation distance (NaN: unknown).
  double fitted_max_params = NAN;  // the largest model size fitted
  double fitted_max_flops = NAN;   // the training FLOPs of the largest fitted run
  // The laws describe a video DiT: shapes, samples per batch and inference per video apply.
  // False for the LLM presets.
  bool video_dit = true;
};

// Bootstrap samples as one flat array, for moving them between wasm modules (the fitting worker
// and the app): per sample the 5 loss-law parameters (E, A, alpha, B, beta), then the 3 lr-law
// and the 3 batch-law values (coef, exp_params, exp_tokens); NaN where a law is absent.
constexpr int kFlatSampleWidth = 11;
std::vector<double> FlattenSamples(const LawSet& laws);
// Replaces the samples of `laws` with `flat`; false (and nothing changed) if the size is not a
// multiple of kFlatSampleWidth.
bool UnflattenSamples(const std::vector<double>& flat, LawSet* laws);

// 2.5% and 97.5% percentiles (linear interpolation); {NaN, NaN} for an empty or all-NaN input.
Interval Percentile95(std::vector<double> values);

}  // namespace scalecalc

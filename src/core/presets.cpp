#include "core/presets.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/planner.h"

namespace scalecalc {

namespace {

constexpr double kBillion = 1e9;

std::string Num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

PresetInfo Paper() {
  PresetInfo p;
  p.name = "paper";
  p.title = "Yin et al. 2025 (video DiT)";
  p.source =
      "Yin et al., \"Towards Precise Scaling Laws for Video Diffusion Transformers\", CVPR 2025, "
      "arXiv 2411.17470";
  p.notes =
      "Fitted on 0.017B-0.26B parameters and 2B-12B tokens with a constant learning rate; "
      "validated at 0.72B and 1.07B. The paper prints its constants with N and T in billions; "
      "converted to raw counts: A_raw = A (1e9)^alpha, B_raw = B (1e9)^beta, "
      "batch coef_raw = 2.1797e4 (1e9)^-(0.8080+0.1906), lr coef_raw = 2e-4 (1e9)^(0.0453+0.1619). "
      "The learning-rate coefficient is printed as 2e-4 and may be rounded. Batch in tokens. "
      "The paper also publishes N_opt = 0.8705 C^0.4294 (from its fitted loss) and "
      "N_opt = 1.5787 C^0.4146 (empirical frontier). These do not follow from minimising its "
      "published loss law: with C = 6NT the minimisation gives an exponent near 0.478, not 0.4294. "
      "Both are shown side by side; the step behind the published exponent is not in the paper.";
  p.laws.name = "paper (Yin et al. 2025)";
  LossLaw& loss = p.laws.loss;
  loss.E = 0.4856;
  loss.alpha = 0.3188;
  loss.A = 0.0082 * std::pow(kBillion, loss.alpha);
  loss.beta = 0.2917;
  loss.B = 0.0373 * std::pow(kBillion, loss.beta);
  // B_opt = 2.1797e4 (T/1e9)^0.8080 (N/1e9)^0.1906 tokens.
  p.laws.batch.exp_tokens = 0.8080;
  p.laws.batch.exp_params = 0.1906;
  p.laws.batch.coef = 2.1797e4 * std::pow(kBillion, -(0.8080 + 0.1906));
  // eta_opt = 2e-4 (T/1e9)^-0.0453 (N/1e9)^-0.1619.
  p.laws.lr.exp_tokens = -0.0453;
  p.laws.lr.exp_params = -0.1619;
  p.laws.lr.coef = 2e-4 * std::pow(kBillion, 0.0453 + 0.1619);
  p.published_optima = {{"published, from the fitted loss law", 0.8705, 0.4294},
                        {"published, empirical frontier", 1.5787, 0.4146}};
  // Its fitted range, for the plan's extrapolation distance: the largest model (0.26B) trained
  // on the largest budget (12B tokens) at 6NT.
  p.laws.fitted_max_params = 0.26e9;
  p.laws.fitted_max_flops = 6 * 0.26e9 * 12e9;
  // At 1e22 FLOPs: 2.43B parameters with fitted hyperparameters against 4.04B with fixed ones,
  // "40.1% lower inference cost" (science.md 3.4).
  p.size_comparison = {1e22, 2.43e9, 4.04e9, 0.401};
  return p;
}

PresetInfo Chinchilla() {
  PresetInfo p;
  p.name = "chinchilla";
  p.title = "Chinchilla (Hoffmann et al. 2022)";
  p.source =
      "Hoffmann et al., \"Training Compute-Optimal Large Language Models\", 2022 "
      "(approach 3)";
  p.notes =
      "Language models; N and D raw counts, C = 6ND. No learning-rate or batch law. "
      "Epoch AI found this fit biased by its optimiser (see the 'epoch' preset).";
  p.laws.name = "chinchilla (Hoffmann et al. 2022)";
  p.laws.video_dit = false;  // an LLM law: no DiT shape, samples or videos
  p.laws.loss = {1.69, 406.4, 0.34, 410.7, 0.28};
  return p;
}

PresetInfo Epoch() {
  PresetInfo p;
  p.name = "epoch";
  p.title = "Chinchilla refit (Epoch AI 2024)";
  p.source = "Besiroglu et al. (Epoch AI), \"Chinchilla Scaling: A replication attempt\", 2024";
  p.notes =
      "Refit of the Chinchilla points with a Huber loss summed in log space; N and D raw "
      "counts, C = 6ND. No learning-rate or batch law.";
  p.laws.name = "epoch (Chinchilla refit)";
  p.laws.video_dit = false;  // an LLM law: no DiT shape, samples or videos
  p.laws.loss = {1.817, 482.0, 0.3478, 2085.4, 0.3658};
  return p;
}

PresetInfo DeepSeek() {
  PresetInfo p;
  p.name = "deepseek";
  p.title = "DeepSeek LLM 2024 (lr, batch)";
  p.source =
      "DeepSeek-AI, \"DeepSeek LLM: Scaling Open-Source Language Models with Longtermism\", "
      "2024";
  p.notes =
      "Published as functions of compute alone: eta = 0.3118 C^-0.125, B = 0.2920 C^0.3271 "
      "(B in tokens, C in FLOPs). Written here as laws in N and T with C = 6NT: "
      "eta = 0.3118 6^-0.125 N^-0.125 T^-0.125, B = 0.2920 6^0.3271 N^0.3271 T^0.3271. DeepSeek "
      "counts compute as M D with M the non-embedding FLOPs per token including attention, which "
      "is close to but not exactly 6N. No loss law: plan with a fixed model size.";
  p.laws.name = "deepseek (DeepSeek LLM 2024)";
  p.laws.video_dit = false;  // an LLM law: no DiT shape, samples or videos
  p.laws.lr = {0.3118 * std::pow(6.0, -0.125), -0.125, -0.125};
  p.laws.batch = {0.2920 * std::pow(6.0, 0.3271), 0.3271, 0.3271};
  return p;
}

PresetInfo StepLaw() {
  PresetInfo p;
  p.name = "steplaw";
  p.title = "Step Law (StepFun 2025, lr, batch)";
  p.source =
      "StepFun, \"Predictable Scale: Part I -- Optimal Hyperparameter Scaling Law in Large "
      "Language Model Pretraining\" (Step Law), 2025";
  p.notes =
      "eta = 1.79 N^-0.713 D^0.307, B = 0.58 D^0.571 (B in tokens; N, D raw counts). "
      "No loss law: plan with a fixed model size.";
  p.laws.name = "steplaw (StepFun 2025)";
  p.laws.video_dit = false;  // an LLM law: no DiT shape, samples or videos
  p.laws.lr = {1.79, -0.713, 0.307};
  p.laws.batch = {0.58, 0.0, 0.571};
  return p;
}

PresetInfo Liang() {
  PresetInfo p;
  p.name = "liang";
  p.title = "Liang et al. 2024 (text-to-image DiT, N_opt)";
  p.source =
      "Liang et al., \"Scaling Laws For Diffusion Transformers\", 2024 (text-to-image, "
      "arXiv 2410.08184)";
  p.notes =
      "Published as N_opt = 0.0009 C^0.5681 and D_opt = 186.85 C^0.4319 (C in FLOPs, N in "
      "parameters, D in tokens). No loss law: the planner plans at the published N_opt(C) "
      "directly, with T = C / c(N); with 6N that is within 0.9% of the published D_opt "
      "(6 x 0.0009 x 186.85 = 1.009). No learning-rate or batch law. Text-to-image, not video.";
  p.laws.name = "liang (Liang et al. 2024)";
  p.laws.params_opt = {0.0009, 0.5681};
  p.published_optima = {{"published N_opt (text-to-image DiT)", 0.0009, 0.5681}};
  return p;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

const std::vector<PresetInfo>& Presets() {
  static const std::vector<PresetInfo> presets = {Paper(),    Chinchilla(), Epoch(),
                                                  DeepSeek(), StepLaw(),    Liang()};
  return presets;
}

const PresetInfo* FindPreset(std::string_view name) {
  const std::string key = Lower(name);
  for (const PresetInfo& p : Presets()) {
    if (p.name == key) return &p;
  }
  return nullptr;
}

std::vector<std::string> PresetNames() {
  std::vector<std::string> names;
  for (const PresetInfo& p : Presets()) names.push_back(p.name);
  return names;
}

double DerivedOptimumExponent(const LossLaw& law, const ComputeModel& compute, double flops_lo,
                              double flops_hi, int points) {
  if (!(flops_lo > 0 && flops_hi > flops_lo && points >= 2)) return NAN;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < points; ++i) {
    const double x =
        std::log(flops_lo) + (std::log(flops_hi) - std::log(flops_lo)) * i / (points - 1);
    const double y = std::log(OptimalParams(law, compute, std::exp(x)));
    if (!std::isfinite(y)) return NAN;
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (points * sxy - sx * sy) / (points * sxx - sx * sx);
}

OptimumComparison CompareOptima(const PresetInfo& preset, const ComputeModel& compute,
                                double budget_flops) {
  OptimumComparison out;
  out.budget_flops = budget_flops;
  for (const PublishedOptimum& p : preset.published_optima) {
    out.published_params.push_back(p.Eval(budget_flops));
  }
  if (!preset.laws.loss.IsSet()) {
    out.text = preset.title + " has no loss law: no compute-optimal model size to derive.";
    for (size_t i = 0; i < out.published_params.size(); ++i) {
      const PublishedOptimum& p = preset.published_optima[i];
      out.text += " " + p.label + ": N_opt = " + Num(p.coef) + " C^" + Num(p.exponent) + " = " +
                  Num(out.published_params[i]) + " at " + Num(budget_flops) +
                  " FLOPs (the planner plans at it directly).";
    }
    return out;
  }
  out.derived_params = OptimalParams(preset.laws.loss, compute, budget_flops);
  if (!std::isfinite(out.derived_params)) {
    // A NaN would pass any "agree within" test: say there is nothing to compare.
    out.text = "At " + Num(budget_flops) + " FLOPs the loss law gives no compute-optimal model " +
               "size (the budget is too small to train one token): nothing to compare.";
    return out;
  }
  // Local exponent from budgets a factor e^0.5 either side.
  out.derived_exponent = DerivedOptimumExponent(
      preset.laws.loss, compute, budget_flops * std::exp(-0.5), budget_flops * std::exp(0.5), 3);
  out.text = "At " + Num(budget_flops) +
             " FLOPs, minimising the loss law with c(N) = " + ToString(compute.kind) +
             " gives N_opt = " + Num(out.derived_params) + " (local exponent " +
             Num(out.derived_exponent) + ").";
  double worst = 0;
  for (size_t i = 0; i < out.published_params.size(); ++i) {
    const PublishedOptimum& p = preset.published_optima[i];
    out.text += " " + p.label + ": N_opt = " + Num(p.coef) + " C^" + Num(p.exponent) + " = " +
                Num(out.published_params[i]) + ".";
    worst = std::max(worst, std::fabs(out.published_params[i] / out.derived_params - 1));
  }
  if (!out.published_params.empty()) {
    out.text += worst > 0.05 ? " The published and derived values differ (by up to " +
                                   Num(100 * worst) + "%): both are shown, neither is hidden."
                             : " The published and derived values agree within 5%.";
  }
  return out;
}

}  // namespace scalecalc

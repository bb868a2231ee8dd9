#include "cli/report.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "core/result_tables.h"

namespace scalecalc {

namespace {

std::string Fmt(const char* format, double value) {
  if (!std::isfinite(value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string G(double value) {
  return Fmt("%.4g", value);
}
std::string Percent(double value) {
  return Fmt("%.1f%%", 100 * value);
}

std::string Ci(const Interval& ci) {
  if (!std::isfinite(ci.lo) || !std::isfinite(ci.hi)) return "";
  return "   [95% CI " + G(ci.lo) + ", " + G(ci.hi) + "]";
}

std::string Line(const std::string& label, const std::string& value, const std::string& tail = "") {
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "  %-22s", label.c_str());
  return buffer + value + tail + "\n";
}

std::string ShapeText(const DitShape& s) {
  if (s.heads > 0) {
    return "width " + Fmt("%.0f", s.width) + ", depth " + Fmt("%.0f", s.depth) + ", " +
           Fmt("%.0f", s.heads) + " heads of " + Fmt("%.0f", s.head_dim);
  }
  return "width " + Fmt("%.0f", s.width) + ", depth " + Fmt("%.1f", s.depth);
}

std::string PointLines(const PlanPoint& p) {
  std::string out;
  out += Line("model size N", G(p.params));
  out += Line("tokens T", G(p.tokens));
  out += Line("predicted loss", Fmt("%.6f", p.loss));
  if (std::isfinite(p.shape.width)) out += Line("shape", ShapeText(p.shape));
  return out;
}

// Word-wraps a paragraph at 96 columns with an indent.
std::string Wrap(const std::string& text, const std::string& indent) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > 96 - indent.size()) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

}  // namespace

std::string PlanReport(const Plan& plan, const PlanOptions& o, bool video_dit) {
  std::string out =
      "Plan at " + G(o.budget_flops) + " FLOPs (compute " + ToString(o.compute.kind) +
      (video_dit ? ", " + G(o.compute.tokens_per_sample) + " tokens per sample" : "") + ")\n";
  out +=
      Line("status", std::string(ToString(plan.status)) + " (" + ToString(plan.termination) + ")");
  for (const Warning& w : plan.warnings) {
    out += Wrap(std::string(ToString(w.severity)) + ": " + w.message + " [" + w.code + "]", "  ");
  }
  if (!plan.ok) return out + "  no plan: " + plan.message + "\n";
  // The page's table (an LLM law set has no DiT shape and no samples), then what only the report
  // says.
  PlanTableOptions table;
  table.sample_word = video_dit ? "sample" : "";
  table.shape = video_dit;
  out += ToAlignedText(PlanTable(plan, o, table));
  if (!plan.intervals_withheld.empty()) out += Line("intervals", plan.intervals_withheld);
  const Extrapolation& e = plan.extrapolation;
  if (std::isfinite(e.params_factor) || std::isfinite(e.flops_factor)) {
    out +=
        Line("extrapolation", Fmt("%.3g", e.params_factor) + "x the largest fitted N, " +
                                  Fmt("%.3g", e.flops_factor) + "x the largest fitted run's FLOPs");
  }
  const bool shaped = std::isfinite(plan.optimum.shape.width);  // LLM presets have no DiT shape
  for (const PlanPoint& q : plan.nearby) {
    out += Line("  nearby shape",
                ShapeText(q.shape) + ": N " + G(q.params) +
                    (std::isfinite(q.loss) ? ", loss " + Fmt("%.6f", q.loss) : std::string()) +
                    ", " + G(q.training_flops) + " FLOPs");
  }
  if (plan.forced) {
    out += Line("free optimum", "N " + G(plan.free_optimum.params) + ", loss " +
                                    Fmt("%.6f", plan.free_optimum.loss) +
                                    (shaped ? ", " + ShapeText(plan.free_optimum.shape) : ""));
    out += Line("constraint costs",
                std::isfinite(plan.constraint_loss_cost)
                    ? Fmt("%.4f%%", 100 * plan.constraint_loss_cost) + " loss, like losing " +
                          Percent(plan.constraint_budget_fraction) + " of the budget"
                    : "unknown");
  }
  if (std::isfinite(plan.inference_flops_per_video)) {
    out += Line("inference per video", G(plan.inference_flops_per_video) + " FLOPs (" +
                                           G(o.demand.sampling_steps) + " steps" +
                                           (o.demand.guidance ? ", guidance, " : ", ") +
                                           G(o.demand.tokens_per_video) + " tokens)");
  }
  if (plan.constrained) out += "  constrained: a cap on N or T is active\n";
  if (!plan.notes.empty()) out += Wrap("note: " + plan.notes, "  ");
  if (std::isfinite(plan.smallest.params)) {
    out += "Smallest model within " + Percent(o.loss_tolerance) + " of the optimal loss:\n";
    out += PointLines(plan.smallest);
    out += Line("inference saving", Percent(plan.inference_saving) + " per token" +
                                        (std::isfinite(plan.inference_saving_fraction)
                                             ? ", " + Percent(plan.inference_saving_fraction) +
                                                   " of DiT FLOPs per video"
                                             : ""));
  }
  if (o.demand.videos > 0 && std::isfinite(plan.total_cost_flops)) {
    out +=
        "Least total cost (training + " + G(o.demand.videos) + " videos) at the optimum's loss:\n";
    out += PointLines(plan.total_cost);
    out += Line("training FLOPs", G(plan.total_cost.training_flops));
    out += Line("total FLOPs", G(plan.total_cost_flops),
                " vs " + G(plan.optimum_total_flops) + " for the compute-optimal plan (saves " +
                    Percent(plan.total_cost_saving) + ")");
  }
  return out;
}

namespace {

std::string CandidateLine(int rank, const DesignCandidate& c, bool separation) {
  char buffer[200];
  const std::string tail = separation ? Fmt("%.2f", c.separation) : Percent(c.narrowing);
  std::snprintf(buffer, sizeof(buffer), "  %-5d %-10s %-10s %-5d %-10s [%s, %s]%*s %s%s\n", rank,
                G(c.params).c_str(), G(c.tokens).c_str(), c.runs, G(c.flops).c_str(),
                G(c.expected_params_ci.lo).c_str(), G(c.expected_params_ci.hi).c_str(), 4, "",
                tail.c_str(), c.simulated || separation ? "" : " (linearised)");
  return buffer;
}

std::string GridLine(const DesignCandidate& c) {
  std::string lrs, batches;
  for (double v : c.lr) lrs += (lrs.empty() ? "" : ", ") + G(v);
  for (double v : c.batch_tokens) batches += (batches.empty() ? "" : ", ") + G(v);
  return "lr {" + lrs + "} x batch tokens {" + batches + "}";
}

}  // namespace

std::string DesignReport(const Design& d, const DesignOptions& o) {
  const double allowance = std::isnan(o.allowance_flops) ? o.max_flops : o.allowance_flops;
  std::string out = "Next runs for a plan at " + G(o.budget_flops) + " FLOPs (allowance " +
                    G(allowance) + " FLOPs, at most " + G(o.max_flops) + " per cell; " + d.method +
                    " prediction";
  if (d.simulation_draws > 0) {
    out += ", " + std::to_string(d.simulation_draws) + " draws per comparison, " +
           std::to_string(o.confirm_draws) + " for the set, " +
           std::to_string(o.simulation_bootstrap) + " resamples each, " + std::to_string(d.refits) +
           " refits";
  }
  out += ")\n";
  if (!d.ok) return out + "  cannot design: " + d.message + "\n";
  for (const Warning& w : d.warnings)
    out += "  " + std::string(ToString(w.severity)) + ": " + w.message + "\n";
  out += Line("current N_opt", G(d.params_opt), Ci(d.current_params_ci));
  out += Line("current loss", Fmt("%.6f", d.loss_opt), Ci(d.current_loss_ci));
  const bool separation = !d.identified;
  const char* header =
      separation
          ? "  rank  params     tokens     runs  FLOPs      N_opt 95% CI              separates\n"
          : "  rank  params     tokens     runs  FLOPs      N_opt 95% CI once added   narrows\n";
  const DesignSet& set = d.recommended;
  out += "Recommended set: " + std::to_string(set.cells.size()) + " cells, " +
         std::to_string(set.runs) + " runs, " + G(set.flops) + " FLOPs";
  if (!separation && !set.cells.empty()) {
    out += "; once all are added N_opt " + Ci(set.expected_params_ci) + ", narrows " +
           Percent(set.narrowing) + (set.simulated ? " (fresh draws)" : "");
  }
  out += "\n";
  if (!set.cells.empty()) {
    out += separation ? std::string(header)
                      : "  pick  params     tokens     runs  FLOPs      N_opt 95% CI up to this "
                        "pick narrows (draws it was chosen on)\n";
    int rank = 0;
    for (const DesignCandidate& c : set.cells) {
      out += CandidateLine(++rank, c, separation);
      out += "        " + GridLine(c) + "\n";
    }
  }
  out += "Candidates, best first (each alone):\n" + std::string(header);
  int rank = 0;
  for (const DesignCandidate& c : d.candidates) out += CandidateLine(++rank, c, separation);
  return out;
}

std::string PresetListReport() {
  std::string out;
  for (const PresetInfo& p : Presets()) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%-12s", p.name.c_str());
    std::string laws;
    if (p.laws.loss.IsSet()) laws += "loss";
    if (p.laws.lr.IsSet()) laws += std::string(laws.empty() ? "" : ", ") + "lr";
    if (p.laws.batch.IsSet()) laws += std::string(laws.empty() ? "" : ", ") + "batch";
    if (p.laws.params_opt.IsSet()) laws += std::string(laws.empty() ? "" : ", ") + "N_opt(C)";
    out += buffer + p.title + " [" + laws + "]\n";
  }
  return out;
}

std::string PresetReport(const PresetInfo& preset, const PlanOptions& options) {
  std::string out = "Preset " + preset.name + ": " + preset.title + "\n";
  out += Wrap("source: " + preset.source, "  ");
  out += Wrap("notes: " + preset.notes, "  ");
  if (!preset.published_optima.empty()) {
    const OptimumComparison cmp = CompareOptima(preset, options.compute, options.budget_flops);
    out += "Published against derived N_opt:\n" + Wrap(cmp.text, "  ");
  }
  return out;
}

std::string FlaggedReport(const RunTable& table) {
  std::string rows;
  int count = 0, kept = 0;
  for (const Run& run : table.runs) {
    if (!run.flagged) continue;
    rows += (rows.empty() ? "" : ", ") + std::to_string(run.data_row);
    ++count;
    kept += run.excluded ? 0 : 1;
  }
  if (count == 0) return "";
  return "  flagged rows (" + std::to_string(count) + ", flagged by column " + table.flag_column +
         (kept > 0 ? "; kept: --keep-flagged" : "; left out: --keep-flagged keeps them") +
         "): " + rows + "\n";
}

std::string IsoFlopReport(const IsoFlopResult& iso, const MethodComparison& cmp) {
  std::string out = "IsoFLOP profiles (Chinchilla's Approach 2)\n";
  if (!iso.applicable) return out + "  " + iso.message + "\n";
  char buffer[256];
  std::snprintf(buffer, sizeof(buffer), "  %-11s %6s %5s %11s %11s %9s  %s\n", "budget", "points",
                "sizes", "N*", "T*", "loss*", "");
  out += buffer;
  for (const IsoFlopBudget& b : iso.budgets) {
    std::snprintf(buffer, sizeof(buffer), "  %-11s %6d %5d %11s %11s %9s  %s\n", G(b.flops).c_str(),
                  b.points, b.sizes, G(b.params_opt).c_str(), G(b.tokens_opt).c_str(),
                  Fmt("%.5f", b.loss_opt).c_str(),
                  b.flag == BudgetFlag::kUsed ? "" : Describe(b.flag).c_str());
    out += buffer;
  }
  if (!iso.ok) return out + "  " + iso.message + "\n";
  out += Line("N*(C) = k C^a", "k " + G(iso.params_coef) + ", a " + Fmt("%.4f", iso.params_exp),
              Ci(iso.params_exp_ci));
  out += Line("T*(C) exponent", Fmt("%.4f", iso.tokens_exp), Ci(iso.tokens_exp_ci));
  if (!iso.message.empty()) out += "  note: " + iso.message + "\n";
  out += "  " + cmp.text + "\n";
  return out;
}

std::string GroupComparisonReport(const std::string& column,
                                  const std::vector<GroupAnalysis>& groups) {
  return "Groups by " + column + "\n" + ToAlignedText(GroupComparisonTable(groups)) +
         "  a = beta / (alpha + beta), the surface fit's N_opt exponent; a (IsoFLOP): Approach "
         "2's;\n"
         "  a value's 95% interval is under it; lr and batch laws: their exponents of N and T (a\n"
         "  law in one variable shows one), or [the warning code] of why the law is missing.\n";
}

}  // namespace scalecalc

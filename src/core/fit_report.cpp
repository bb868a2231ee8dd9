// fit_report.cpp: FitSummary's reports for people (Ceres-style Brief/FullReport), and the
// FitTermination names.
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "core/fit.h"
#include "core/result_tables.h"

namespace scalecalc {

namespace {

std::string Format(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  return buffer;
}

// Constants are printed unrounded enough to be reused: 8 significant digits.
std::string Value(double v) {
  return Format("%.8g", v);
}

std::string Ci(const Interval& ci) {
  if (!std::isfinite(ci.lo)) return "";
  return Format("  95%% [%.6g, %.6g]", ci.lo, ci.hi);
}

std::string Param(const char* name, double value, const Interval& ci) {
  return Format("    %-6s = %-16s", name, Value(value).c_str()) + Ci(ci) + "\n";
}

std::string HyperLine(const char* what, const HyperLawFit& fit) {
  if (!fit.law.IsSet()) return "";
  // A variable the law does not use has no term (never "T^0").
  if (!fit.in_tokens) return Format("%s = %.8g * N^%.6g", what, fit.law.coef, fit.law.exp_params);
  if (!fit.in_params) return Format("%s = %.8g * T^%.6g", what, fit.law.coef, fit.law.exp_tokens);
  return Format("%s = %.8g * N^%.6g * T^%.6g", what, fit.law.coef, fit.law.exp_params,
                fit.law.exp_tokens);
}

std::string HyperSection(const char* title, const char* what, const HyperLawFit& fit) {
  std::string out = std::string(title) + "\n";
  if (!fit.law.IsSet()) return out + "    not fitted (see warnings)\n";
  out += "    " + HyperLine(what, fit) + "   (N parameters, T tokens)\n";
  if (fit.collinear) {
    out +=
        "    fitted in N alone along the sweep's T/N line (N and T move together): reported, "
        "not used for plans\n";
  } else if (!(fit.in_params && fit.in_tokens)) {
    out += std::string("    fitted in ") + (fit.in_tokens ? "T" : "N") + " alone (one " +
           (fit.in_tokens ? "model size" : "token budget") + "): reported, not used for plans\n";
  }
  out += Format("    points %d, r2 (log space) %.6g\n", fit.points, fit.r2);
  if (fit.own_bootstrap_attempted > 0) {
    out += Format("    intervals from its own resamples: %d of %d kept%s\n", fit.own_bootstrap_kept,
                  fit.own_bootstrap_attempted,
                  fit.own_bootstrap_kept >= kMinBootstrapKept * fit.own_bootstrap_attempted
                      ? ""
                      : " (too few: intervals withheld)");
  }
  out += Param("coef", fit.law.coef, fit.coef_ci);
  if (fit.in_params) out += Param("exp N", fit.law.exp_params, fit.exp_params_ci);
  if (fit.in_tokens) out += Param("exp T", fit.law.exp_tokens, fit.exp_tokens_ci);
  return out;
}

}  // namespace

std::string FitSummary::BriefReport() const {
  std::string out = Format("fit %s (%s)", ToString(termination), ToString(status));
  if (loss.law.IsSet()) {
    out +=
        Format(": L = %.8g + %.8g N^-%.8g + %.8g T^-%.8g (objective %.8g, %d points)", loss.law.E,
               loss.law.A, loss.law.alpha, loss.law.B, loss.law.beta, loss.objective, loss.points);
  }
  if (lr_law.law.IsSet()) out += "; " + HyperLine("lr", lr_law);
  if (batch_law.law.IsSet()) out += "; " + HyperLine("batch_tokens", batch_law);
  if (bootstrap_samples_done > 0) out += Format("; %d bootstrap samples", bootstrap_samples_done);
  if (!message.empty()) out += " (" + message + ")";
  return out;
}

std::string FitSummary::FullReport() const {
  std::string out = "Fit report\n";
  out += Format("  termination      %s\n", ToString(termination));
  out += Format("  status           %s\n", ToString(status));
  if (!notes.empty()) out += "  notes            " + notes + "\n";
  for (const Warning& w : warnings) {
    out += Format("  %-16s ", ToString(w.severity)) + w.message + " [" + w.code + "]\n";
  }
  out += Format("  runs             %d in the table, %d fitted, %d excluded\n", runs, runs_included,
                static_cast<int>(excluded_rows.size()));
  if (!excluded_rows.empty()) {
    out += "  excluded rows    ";
    for (size_t i = 0; i < excluded_rows.size(); ++i) {
      out += (i ? ", " : "") + std::to_string(excluded_rows[i]);
    }
    out += "\n";
  }
  int edge = 0, not_convex = 0;
  for (const Cell& cell : cells) {
    edge += cell.on_edge ? 1 : 0;
    not_convex += cell.not_convex ? 1 : 0;
  }
  out += Format("  cells            %d (N, T) cells, cell tolerance %.6g\n",
                static_cast<int>(cells.size()), options.cell_tolerance);
  if (has_sweep) {
    out += Format("  optimum          %s", ToString(options.optimum));
    if (options.optimum == OptimumMethod::kBand) {
      out += Format(" (band %.6g%% above the cell minimum)", 100 * options.band_tolerance);
    }
    out += Format("; %d cells on the edge of their sweep, %d not convex\n", edge, not_convex);
  } else {
    out += "  sweep            none: the loss law is fitted on every included run\n";
  }
  out += Format("  bootstrap        %d of %d samples kept (seed %llu)%s\n", bootstrap_samples_done,
                bootstrap_samples_attempted, static_cast<unsigned long long>(options.seed),
                intervals_withheld.empty() ? "" : ": intervals withheld");

  out += "\nLoss law  L(N, T) = E + A N^-alpha + B T^-beta   (N parameters, T tokens)\n";
  if (loss.law.IsSet()) {
    out += Format("    points %d (%s), objective %.10g = sum of Huber(%.6g) of log residuals\n",
                  loss.points, has_sweep ? "cell optima" : "runs", loss.objective,
                  options.huber_delta);
    out += Param("E", loss.law.E, loss.E_ci);
    out += Param("A", loss.law.A, loss.A_ci);
    out += Param("alpha", loss.law.alpha, loss.alpha_ci);
    out += Param("B", loss.law.B, loss.B_ci);
    out += Param("beta", loss.law.beta, loss.beta_ci);
    std::string bounds;
    for (const std::string& name : loss.on_bound) bounds += (bounds.empty() ? "" : ", ") + name;
    out += "    on a bound: " + (bounds.empty() ? std::string("none") : bounds) + "\n";
    out += "    optimiser: " + loss.convergence + "\n";
    if (std::isfinite(loss.holdout_rel_error)) {
      out += Format(
          "    extrapolation: refit without N = %.6g (%d points held out) predicts its loss with "
          "mean relative error %+.4g%% (mean |error| %.4g%%; + over-predicts)\n",
          loss.holdout_params, loss.holdout_points, 100 * loss.holdout_signed_error,
          100 * loss.holdout_rel_error);
    }
    if (!laws.loss.IsSet()) out += "    not usable for plans (see warnings)\n";
  } else {
    out += "    not fitted (see warnings)\n";
  }

  if (has_sweep) {
    out += "\n" + HyperSection("Learning-rate law", "lr_opt", lr_law);
    out += "\n" + HyperSection("Batch-size law", "batch_tokens_opt", batch_law);
    out +=
        "\nSensitivity  L / L_opt - 1 = c_lr u^2 + c_batch v^2 + c_cross u v, u = ln(lr / "
        "lr_opt), v = ln(B / B_opt)\n";
    if (sensitivity.ok) {
      out += Format("    c_lr %.6g, c_batch %.6g, c_cross %.6g (%d runs)\n", sensitivity.curv_lr,
                    sensitivity.curv_batch, sensitivity.cross, sensitivity.points);
    } else {
      out += "    not available (no positive-definite fit)\n";
    }
  }

  if (has_sweep && !cells.empty()) {
    out += "\nCells\n" + ToAlignedText(CellsTable(*this), "    ");
  }
  return out;
}

}  // namespace scalecalc

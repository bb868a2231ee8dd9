// The Fit panel: how optima are picked, which runs are left out, and the fitted laws with their
// intervals and diagnostics, written so a person can copy them.
#include <algorithm>
#include <cmath>
#include <string>

#include "app/bootstrap_job.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/web_bridge.h"
#include "app/widgets.h"
#include "core/format.h"
#include "core/result_tables.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

struct ParameterRow {
  const char* name;
  double value;
  Interval ci;
};

void ParameterTable(Model& model, const char* id, std::initializer_list<ParameterRow> rows) {
  TableText table;
  table.headers = {"parameter", "value (unrounded)", "95% interval (bootstrap)"};
  for (const ParameterRow& row : rows) {
    const std::string ci = FormatInterval(row.ci, 5);
    table.rows.push_back({row.name, FormatFull(row.value), ci.empty() ? "-" : ci});
  }
  DrawTextTable(id, table, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit);
  TableCopyButtons(model, id, table);
}

void DrawOptions(Model& model) {
  const FitOptions& options = model.analysis.fit;
  SettingCombo(model, "optimum", ImGui::GetFontSize() * 14);
  HelpMarker(FindSetting("optimum")->help);
  if (options.optimum == OptimumMethod::kBand) {
    SameLineIfWide();
    SettingField(model, "band_tolerance", ImGui::GetFontSize() * 5);
  }
  const float narrow = ImGui::GetFontSize() * 6;
  SettingField(model, "bootstrap", narrow);
  SameLineIfWide();
  SettingField(model, "seed", narrow);
  SameLineIfWide();
  SettingField(model, "cell_tolerance", narrow);
  SettingField(model, "exclude", ImGui::GetFontSize() * 16, "none (e.g. 3,8-10)");
  HelpMarker(FindSetting("exclude")->help);
}

void DrawBootstrapStatus(Model& model) {
  const BootstrapJob& job = model.bootstrap;
  if (job.running) {
    const float fraction =
        job.total > 0 ? static_cast<float>(job.done) / static_cast<float>(job.total) : 0.0f;
    const std::string label = BootstrapProgressLabel(model);
    const float width = ImGui::GetFontSize() * (job.group >= 0 ? 24 : 16);
    ImGui::ProgressBar(fraction, ImVec2(std::min(width, ImGui::GetContentRegionAvail().x), 0),
                       label.c_str());
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) CancelBootstrap(model);
  } else if (model.results.fit.bootstrap_samples_done > 0) {
    ImGui::TextDisabled("95%% intervals from %d bootstrap resamples",
                        model.results.fit.bootstrap_samples_done);
    ImGui::SameLine();
    if (ImGui::SmallButton("Run again")) StartBootstrap(model);
  } else if ((model.results.fit.ok || !model.results.groups.empty()) &&
             model.analysis.fit.bootstrap_samples > 0) {
    if (ImGui::Button(kComputeIntervalsLabel)) StartBootstrap(model);
    if (!job.message.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("%s", job.message.c_str());
    }
  }
}

void DrawLaws(Model& model) {
  const FitSummary& fit = model.results.fit;
  if (fit.status == ResultStatus::kFailed) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s",
                       fit.message.empty() ? "No fit yet." : fit.message.c_str());
    return;
  }
  // Everything but the cells' own warnings, which sit beside the cells table.
  std::vector<Warning> law_warnings;
  for (const Warning& w : fit.warnings) {
    if (w.code.compare(0, 5, "cell_") != 0) law_warnings.push_back(w);
  }
  DrawTrustReport(fit.status, law_warnings);
  const LossLawFit& loss = fit.loss;
  Heading("Loss law (raw units: N parameters, T tokens)");
  if (!loss.law.IsSet()) WrappedTextDisabled("not fitted (see the warnings above)");
  if (loss.law.IsSet()) {
    const std::string formula = LossLawFormula(loss.law);
    WrappedText("%s", formula.c_str());
    CopyButton(model, "Copy formula##loss", formula);
    ParameterTable(model, "loss_params",
                   {{"E", loss.law.E, loss.E_ci},
                    {"A", loss.law.A, loss.A_ci},
                    {"alpha", loss.law.alpha, loss.alpha_ci},
                    {"B", loss.law.B, loss.B_ci},
                    {"beta", loss.law.beta, loss.beta_ci}});
    WrappedText("objective (sum of Huber on log residuals): %s   points: %d",
                FormatSci(loss.objective, 8).c_str(), loss.points);
    if (std::isfinite(loss.holdout_rel_error)) {
      WrappedText(
          "extrapolation check: refit without N = %s (%d points held out) predicts its loss with "
          "mean error %s%s (mean |error| %s)",
          FormatCount(loss.holdout_params).c_str(), loss.holdout_points,
          loss.holdout_signed_error >= 0 ? "+" : "",
          FormatPercent(loss.holdout_signed_error, 3).c_str(),
          FormatPercent(loss.holdout_rel_error, 3).c_str());
    }
  }  // loss law fitted (bounds and convergence are in the warnings above)

  if (fit.has_sweep) {
    for (const auto& [title, name, law] :
         {std::tuple{"Optimal learning rate", "lr_opt", &fit.lr_law},
          std::tuple{"Optimal batch size (tokens)", "B_opt", &fit.batch_law}}) {
      Heading(title);
      if (!law->law.IsSet()) {
        WrappedTextDisabled("not fitted or not usable (see the warnings above)");
        continue;
      }
      // A law in one variable (one size, one budget, or N and T moving together) has no term,
      // exponent or interval for the other: shown as not used, never as 0.
      const HyperLawFit& h = *law;
      std::string text = PowerLawFormula(name, h.law);
      if (!h.in_tokens) {
        text = std::string(name) + "(N) = " + FormatSci(h.law.coef, 10) + " * N^" +
               FormatSci(h.law.exp_params, 10) + (h.collinear ? "  (along the sweep's T/N)" : "");
      } else if (!h.in_params) {
        text = std::string(name) + "(T) = " + FormatSci(h.law.coef, 10) + " * T^" +
               FormatSci(h.law.exp_tokens, 10);
      }
      WrappedText("%s", text.c_str());
      ImGui::PushID(name);
      CopyButton(model, "Copy formula", text);
      ParameterTable(model, "law",
                     {{"coefficient", h.law.coef, h.coef_ci},
                      {h.in_params ? "exponent of N" : "exponent of N (not used)",
                       h.in_params ? h.law.exp_params : NAN, h.exp_params_ci},
                      {h.in_tokens ? "exponent of T" : "exponent of T (not used)",
                       h.in_tokens ? h.law.exp_tokens : NAN, h.exp_tokens_ci}});
      ImGui::Text("points: %d   R^2 (log space): %.4f", law->points, law->r2);
      ImGui::PopID();
    }
    const Sensitivity& s = fit.sensitivity;
    if (s.ok) {
      Heading("Sensitivity to off-optimal hyperparameters");
      WrappedText(
          "L / L_opt - 1 = %.4g u^2 + %.4g v^2 + %.4g u v,  u = ln(lr / lr_opt), v = ln(B / B_opt) "
          " (%d runs)",
          s.curv_lr, s.curv_batch, s.cross, s.points);
      WrappedTextDisabled(
          "Half or twice the optimal learning rate costs %s in loss; half or twice the batch, %s.",
          FormatPercent(s.RelativePenalty(2, 1), 3).c_str(),
          FormatPercent(s.RelativePenalty(1, 2), 3).c_str());
    }
  }
}

void DrawCells(Model& model) {
  const FitSummary& fit = model.results.fit;
  if (fit.cells.empty() || !ImGui::CollapsingHeader("Cells (per model size and token budget)"))
    return;
  DrawWarnings(fit.warnings, "cell_");
  const TableText text = CellsTable(fit);
  TableCopyButtons(model, "cells", text);
  const int flags_column = 6;
  DrawTextTable("cells", text,
                ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY,
                ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 12), flags_column);
}

}  // namespace

void DrawFitPanel(Model& model) {
  DrawOptions(model);
  DrawBootstrapStatus(model);
  ImGui::Separator();
  ImGui::BeginChild("fit_results");
  DrawGroupComparison(model);
  DrawLaws(model);
  DrawCells(model);
  if (model.results.fit.status != ResultStatus::kFailed && ImGui::CollapsingHeader("Full report")) {
    const std::string report = model.results.fit.FullReport();
    CopyButton(model, "Copy report", report);
    WrappedTextUnformatted(report);
  }
  ImGui::EndChild();
}

}  // namespace scalecalc::app

// Experiments side by side: the "group by" and "keep flagged rows" controls (Data panel), the
// comparison table (Fit panel), the overlaid plots (Plots panel) and the two-group comparison
// (Planner panel). Everything shown comes from Model::groups (core/groups.h).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/widgets.h"
#include "core/format.h"
#include "core/result_tables.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {}  // namespace

int ShownTextColumns(const Model& model) {
  const RunTable& table = model.results.read.table;
  // ImGui tables hold at most 64 columns: the numbers take 9.
  return std::min<int>(static_cast<int>(table.text_columns.size()), 50) +
         (table.flag_column.empty() ? 0 : 1);
}

void SetupTextColumns(const Model& model) {
  const RunTable& table = model.results.read.table;
  if (!table.flag_column.empty()) ImGui::TableSetupColumn(table.flag_column.c_str());
  const int count = ShownTextColumns(model) - (table.flag_column.empty() ? 0 : 1);
  for (int c = 0; c < count; ++c) ImGui::TableSetupColumn(table.text_columns[c].name.c_str());
}

void DrawTextCells(const Model& model, int run_index) {
  const RunTable& table = model.results.read.table;
  if (!table.flag_column.empty()) {
    ImGui::TableNextColumn();
    if (table.runs[run_index].flagged) ImGui::TextUnformatted("flagged");
  }
  const int count = ShownTextColumns(model) - (table.flag_column.empty() ? 0 : 1);
  for (int c = 0; c < count; ++c) {
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(table.text_columns[c].values[run_index].c_str());
  }
}

void DrawGroupControls(Model& model) {
  const RunTable& table = model.results.read.table;
  if (!table.flag_column.empty()) {
    bool keep = model.analysis.keep_flagged;
    const std::string label = "keep flagged rows (column " + table.flag_column + ")";
    if (ImGui::Checkbox(label.c_str(), &keep))
      model.SetOption("keep_flagged", keep ? "true" : "false");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Rows marked true in %s are left out of the fits unless this is on.",
                        table.flag_column.c_str());
  }
  const std::vector<std::string> columns = GroupableColumns(table);
  if (columns.empty() && model.analysis.group_column.empty()) return;
  const std::string current =
      model.analysis.group_column.empty() ? "(none)" : model.analysis.group_column;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  if (ImGui::BeginCombo("group by", current.c_str())) {
    if (ImGui::Selectable("(none)", model.analysis.group_column.empty()))
      model.SetOption("group_column", "");
    for (const std::string& column : columns) {
      if (ImGui::Selectable(column.c_str(), column == model.analysis.group_column))
        model.SetOption("group_column", column);
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Fit each value of a text column on its own and compare them side by side");
  if (!model.analysis.group_column.empty() && !model.results.split.ok &&
      !model.results.split.message.empty())
    WrappedTextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", model.results.split.message.c_str());
}

void DrawGroupComparison(Model& model) {
  if (model.results.groups.empty()) return;
  int resamples = 0;  // kept by the group with the most (each group resamples on its own)
  bool any_interval = false;
  for (const GroupAnalysis& g : model.results.groups) {
    resamples = std::max(resamples, g.analysis.fit.bootstrap_samples_done);
    const FitSummary& f = g.analysis.fit;
    any_interval = any_interval || std::isfinite(f.loss.E_ci.lo) ||
                   std::isfinite(f.lr_law.coef_ci.lo) || std::isfinite(f.batch_law.coef_ci.lo);
  }
  ImGui::Text("Groups by %s: %d", model.results.split.column.c_str(),
              static_cast<int>(model.results.groups.size()));
  ImGui::SameLine();
  const std::string budget = FormatSci(model.analysis.plan.budget_flops, 3);
  if (resamples > 0) {
    ImGui::TextDisabled(
        "(95%% intervals: bootstrap of each group, %d resamples; a = beta / "
        "(alpha + beta); N_opt and loss at the budget %s)",
        model.analysis.fit.bootstrap_samples, budget.c_str());
  } else {
    ImGui::TextDisabled("(point fits; a = beta / (alpha + beta); N_opt and loss at the budget %s)",
                        budget.c_str());
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersV | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_ScrollX;
  // Every row whole: header, rows of one line (two with intervals), the sideways scrollbar.
  const ImGuiStyle& style = ImGui::GetStyle();
  // (each line of text advances by its height and the item spacing).
  const float line_px = ImGui::GetTextLineHeightWithSpacing(), padding_px = 2 * style.CellPadding.y;
  const float row_px = (any_interval ? 2 : 1) * line_px + padding_px;
  const float height = line_px + padding_px +
                       static_cast<float>(model.results.groups.size()) * row_px +
                       style.ScrollbarSize + 2 * style.FramePadding.y;
  const TableText table = GroupComparisonTable(model.results.groups);
  const int columns = static_cast<int>(table.headers.size());
  if (!ImGui::BeginTable("groups", 1 + columns, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(2, 1);  // the group's name stays while the numbers scroll
  ImGui::TableSetupColumn("show");
  for (const std::string& name : table.headers) ImGui::TableSetupColumn(name.c_str());
  ImGui::TableHeadersRow();
  model.group_shown.resize(model.results.groups.size(), true);
  std::vector<std::string> withheld;  // groups whose resamples were too often unfit
  for (size_t g = 0; g < model.results.groups.size() && g < table.rows.size(); ++g) {
    const GroupAnalysis& group = model.results.groups[g];
    if (!group.analysis.fit.intervals_withheld.empty())
      withheld.push_back(group.name + ": " + group.analysis.fit.intervals_withheld);
    ImGui::TableNextRow();
    ImGui::PushID(static_cast<int>(g));
    ImGui::TableNextColumn();
    bool shown = model.group_shown[g];
    ImGui::PushStyleColor(ImGuiCol_CheckMark, plot::PaletteColor(static_cast<int>(g)));
    if (ImGui::Checkbox("##show", &shown)) model.group_shown[g] = shown;
    ImGui::PopStyleColor();
    const std::vector<std::string>& cells = table.rows[g];
    const ComparisonRow row = ComparisonRowOf(group.name, group.runs, group.analysis);
    for (int c = 0; c < columns && c < static_cast<int>(cells.size()); ++c) {
      ImGui::TableNextColumn();
      if (!row.fitted && c == kGroupLawColumn) {
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", cells[c].c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.why.c_str());
      } else {
        DrawTextCell(cells[c]);
      }
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
  TableCopyButtons(model, "groups", table);  // the same cells, as TSV or Markdown
  for (const std::string& line : withheld) {
    WrappedTextColored(ImVec4(1, 0.75f, 0.3f, 1), "no intervals for %s", line.c_str());
  }
}

void DrawGroupPlots(Model& model, ImVec2 size) {
  if (model.results.groups.empty()) return;
  plot::PlotSpec spec;
  spec.title = "Loss vs compute, by group (click a legend entry to hide it)";
  spec.x = {"training FLOPs C", plot::AxisScale::kLog};
  spec.y = {"loss", plot::AxisScale::kLog};
  if (!plot::BeginPlot("##groups_loss", spec, size)) return;
  for (size_t g = 0; g < model.results.groups.size(); ++g) {
    if (g < model.group_shown.size() && !model.group_shown[g]) continue;
    const GroupAnalysis& group = model.results.groups[g];
    const RunTable& table = model.results.split.groups[g].table;
    std::vector<double> flops, loss;
    for (const Run& run : table.runs) {
      if (run.excluded) continue;
      flops.push_back(run.flops);
      loss.push_back(run.loss);
    }
    const ImU32 color = plot::PaletteColor(static_cast<int>(g));
    plot::Scatter(group.name.c_str(), flops.data(), loss.data(), static_cast<int>(flops.size()),
                  color);
    const Plan& plan = group.analysis.plan;
    if (group.analysis.planned && plan.ok) {
      plot::Marker(group.name.c_str(), plan.budget_flops, plan.optimum.loss, color);
    }
  }
  plot::EndPlot();
}

void DrawGroupPlannerCompare(Model& model) {
  if (model.results.groups.size() < 2) return;
  ImGui::Separator();
  ImGui::TextUnformatted("Compare two groups at this budget");
  const int count = static_cast<int>(model.results.groups.size());
  const GroupPair pair = model.ComparedGroups();
  for (const bool first : {true, false}) {
    const char* key = first ? "compare_group_first" : "compare_group_second";
    const int current = first ? pair.first : pair.second;
    ImGui::PushID(key);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    if (ImGui::BeginCombo(FindSetting(key)->label, model.results.groups[current].name.c_str())) {
      for (int g = 0; g < count; ++g) {
        if (ImGui::Selectable(model.results.groups[g].name.c_str(), g == current))
          model.SetOption(key, std::to_string(g + 1));
      }
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", FindSetting(key)->help);
    ImGui::PopID();
    if (first) SameLineIfWide();
  }
  if (!pair.message.empty())
    WrappedTextColored(ImVec4(1, 0.75f, 0.3f, 1), "%s", pair.message.c_str());
  if (!ImGui::BeginTable("group_plans", 3,
                         ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit))
    return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn(model.results.groups[pair.first].name.c_str());
  ImGui::TableSetupColumn(model.results.groups[pair.second].name.c_str());
  ImGui::TableHeadersRow();
  const TableAnalysis& a = model.results.groups[pair.first].analysis;
  const TableAnalysis& b = model.results.groups[pair.second].analysis;
  const auto row = [&](const char* label, double PlanPoint::*field, int digits) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(label);
    for (const TableAnalysis* t : {&a, &b}) {
      ImGui::TableNextColumn();
      if (t->planned && t->plan.ok) {
        ImGui::TextUnformatted(FormatSci(t->plan.optimum.*field, digits).c_str());
      } else {
        ImGui::TextDisabled("%s", t->fit.ok ? t->plan.message.c_str() : t->fit.message.c_str());
      }
    }
  };
  row("model size N", &PlanPoint::params, 4);
  row("tokens T", &PlanPoint::tokens, 4);
  row("predicted loss", &PlanPoint::loss, 6);
  row("learning rate", &PlanPoint::lr, 3);
  row("batch (tokens)", &PlanPoint::batch_tokens, 3);
  ImGui::EndTable();
}

}  // namespace scalecalc::app

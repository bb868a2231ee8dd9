// panels.h: one function per panel of the page. Each draws into the current ImGui window, reads
// the model's derived results and changes `model.analysis` only through Model::SetOption (the
// schema's keys, labels and help: core/settings_schema.cpp) or SetRowExcluded.
#pragma once

#include <vector>

#include "app/cost_panel_state.h"
#include "app/model.h"
#include "imgui.h"

namespace scalecalc::app {

void DrawDataPanel(Model& model);
void DrawFitPanel(Model& model);
void DrawPlotsPanel(Model& model);
void DrawPlannerPanel(Model& model);
void DrawCostPanel(Model& model);
// The planner's "Next runs" section (panel_next_runs.cpp): the sweep designer's candidates.
void DrawNextRunsSection(Model& model);

// Experiments side by side (panel_groups.cpp) and IsoFLOP profiles (panel_isoflop.cpp), drawn
// inside the panels above.
void DrawGroupControls(Model& model);
// The Data panel's runs table: the file's text columns and flag after the numbers.
int ShownTextColumns(const Model& model);
void SetupTextColumns(const Model& model);
void DrawTextCells(const Model& model, int run_index);  // Data: group by, keep flagged rows
void DrawGroupComparison(Model& model);                 // Fit: a row per group
void DrawGroupPlots(Model& model, ImVec2 size);         // Plots: groups overlaid
void DrawGroupPlannerCompare(Model& model);             // Planner: two groups' plans
void DrawIsoFlopPlots(Model& model, ImVec2 size);       // Plots: Approach 2 vs surface fit

// The cost panel's models (planner's or typed in) and their measurement on the page's GPU.
std::vector<CostRow> CostRows(const Model& model);
void MeasureCostRows(const Model& model);

}  // namespace scalecalc::app

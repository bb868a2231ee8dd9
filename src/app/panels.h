// panels.h: one function per panel of the page. Each draws into the current ImGui window, reads
// the model's derived results and changes `model.analysis` only through Model::SetOption (the
// schema's keys, labels and help: core/settings_schema.cpp) or SetRowExcluded.
#pragma once

#include <vector>

#include "app/cost_panel_state.h"
#include "app/model.h"

namespace scalecalc::app {

void DrawDataPanel(Model& model);
void DrawFitPanel(Model& model);
void DrawPlotsPanel(Model& model);
void DrawPlannerPanel(Model& model);
void DrawCostPanel(Model& model);

// The cost panel's models (planner's or typed in) and their measurement on the page's GPU.
std::vector<CostRow> CostRows(const Model& model);
void MeasureCostRows(const Model& model);

}  // namespace scalecalc::app

// panels.h: one function per panel of the page. Each draws into the current ImGui window, reads
// the model's derived results and changes only `model.analysis` (marking what went stale).
#pragma once

#include "app/model.h"

namespace scalecalc::app {

void DrawDataPanel(Model& model);
void DrawFitPanel(Model& model);
void DrawPlotsPanel(Model& model);
void DrawPlannerPanel(Model& model);
void DrawCostPanel(Model& model);

}  // namespace scalecalc::app

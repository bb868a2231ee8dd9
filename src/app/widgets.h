// widgets.h: small ImGui building blocks shared by the panels.
#pragma once

#include <string>
#include <vector>

#include "app/model.h"
#include "core/warnings.h"

namespace scalecalc::app {

// A text field for one option: shows `current` until the user edits it, applies the typed text
// through Model::SetOption on Enter or when the field loses focus, and shows the error under it.
// Returns true when the option changed.
bool OptionField(Model& model, const char* label, const std::string& option,
                 const std::string& current, float width = 0, const char* hint = nullptr);

// A "(?)" marker with a tooltip.
void HelpMarker(const char* text);
// A small button that copies `text` to the system clipboard and says so.
void CopyButton(Model& model, const char* label, const std::string& text);
// Section heading with a separator.
void Heading(const char* text);
// The trust report of a fit or plan: a status line and each warning, coloured by severity (red
// error, amber warning, grey info). `only_prefix` keeps the warnings whose code starts with it
// ("cell_" beside the cells table), empty: all. Draws nothing when there is nothing to say.
void DrawWarnings(const std::vector<Warning>& warnings, const char* only_prefix = "");
// "Status: partial" coloured like DrawWarnings, then the warnings.
void DrawTrustReport(ResultStatus status, const std::vector<Warning>& warnings);

}  // namespace scalecalc::app

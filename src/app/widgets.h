// widgets.h: small ImGui building blocks shared by the panels.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/model.h"
#include "app/text_layout.h"
#include "core/text_table.h"
#include "core/warnings.h"

namespace scalecalc::app {

// A text field for one option: shows `current` until the user edits it, applies the typed text
// through Model::SetOption on Enter or when the field loses focus, and shows the error under it.
// On phones the label goes above and the field takes the full width (`width` is for desktops).
// Returns true when the option changed.
bool OptionField(Model& model, const char* label, const std::string& option,
                 const std::string& current, float width = 0, const char* hint = nullptr);

// The same for one schema row (core/settings_schema.cpp), by its key: the row's label, its help
// as the tooltip, its current value as it would be typed. `id` keeps two fields of one row apart.
bool SettingField(Model& model, const char* key, float width = 0, const char* hint = nullptr,
                  const char* id = nullptr);
// A checkbox for a bool row, a combo box of the descriptor's labels for an enum row.
bool SettingCheckbox(Model& model, const char* key, const char* id = nullptr);
bool SettingCombo(Model& model, const char* key, float width = 0);

// With a group column: which group the headline results come from (the first by default), or
// all groups pooled, an explicit, labelled choice. Draws nothing without groups.
void HeadlineGroupCombo(Model& model, const char* id);

// The model kind (video DiT / language model): the state's choice, "guess" naming what the core
// guessed. The planner and the cost panel both draw it.
void ModelKindCombo(Model& model, const char* id);

// A "(?)" marker with a tooltip.
void HelpMarker(const char* text);
// A small button that copies `text` to the system clipboard and says so.
void CopyButton(Model& model, const char* label, const std::string& text);
// A tooltip (on hover or keyboard focus of the last item) that names its keyboard shortcut.
void ShortcutTooltip(const char* text);
// "Copy" (tab-separated, for spreadsheets) and "Copy Markdown" buttons for a table.
// `markdown`, when given, makes the Markdown copy (a table with its provenance line, say).
void TableCopyButtons(Model& model, const char* id, const TableText& table,
                      const std::function<std::string()>& markdown = {});
// "Save PNG" (the plot as drawn, at the device's resolution) and "Save CSV" (its series) buttons
// for the plot drawn last; `name` names the files and the plot's recorded rectangle.
void PlotExportButtons(Model& model, const char* name);
// Section heading with a separator.
void Heading(const char* text);
// The trust report of a fit or plan: a status line and each warning, coloured by severity (red
// error, amber warning, grey info). `only_prefix` keeps the warnings whose code starts with it
// ("cell_" beside the cells table), empty: all. Draws nothing when there is nothing to say.
void DrawWarnings(const std::vector<Warning>& warnings, const char* only_prefix = "");
// "Status: partial" coloured like DrawWarnings, then the warnings.
void DrawTrustReport(ResultStatus status, const std::vector<Warning>& warnings);

}  // namespace scalecalc::app

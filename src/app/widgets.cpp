#include "app/widgets.h"

#include <map>

#include "app/layout.h"
#include "app/plot/plot.h"
#include "app/web_bridge.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "imgui_stdlib.h"

namespace scalecalc::app {

namespace {
struct FieldState {
  std::string text;   // what is in the box
  std::string error;  // why the last edit was refused
  bool editing = false;
};
std::map<ImGuiID, FieldState> field_states;  // keyed by widget id, like ImGui's own storage

}  // namespace

bool OptionField(Model& model, const char* label, const std::string& option,
                 const std::string& current, float width, const char* hint) {
  const ImGuiID id = ImGui::GetID(label);
  FieldState& field = field_states[id];
  if (!field.editing && field.error.empty()) field.text = current;
  const std::string shown = FieldLabel(label, width);  // label above, full width, on phones
  const bool has_error = !field.error.empty();
  if (has_error) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.45f, 0.12f, 0.12f, 1));
  const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
  const bool entered = hint ? ImGui::InputTextWithHint(shown.c_str(), hint, &field.text, flags)
                            : ImGui::InputText(shown.c_str(), &field.text, flags);
  RecordItemRect("field." + option);
  if (ImGui::IsItemActive()) RecordItemRect("active.field." + option);
  if (has_error) ImGui::PopStyleColor();
  field.editing = ImGui::IsItemActive();
  bool changed = false;
  if (entered || ImGui::IsItemDeactivatedAfterEdit()) {
    field.error = model.SetOption(option, field.text);
    changed = field.error.empty();
    field.editing = false;
  }
  if (!field.error.empty())
    WrappedTextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", field.error.c_str());
  return changed;
}

namespace {
std::string Label(const Setting& row, const char* id) {
  return id ? std::string(row.label) + "##" + id : std::string(row.label);
}
void Tooltip(const Setting& row) {
  if (*row.help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.help);
}
}  // namespace

bool SettingField(Model& model, const char* key, float width, const char* hint, const char* id) {
  const Setting& row = *FindSetting(key);
  const bool changed = OptionField(model, Label(row, id).c_str(), key,
                                   FormatSetting(row, model.analysis), width, hint);
  Tooltip(row);
  return changed;
}

bool SettingCheckbox(Model& model, const char* key, const char* id) {
  const Setting& row = *FindSetting(key);
  bool value = *row.boolean(model.analysis);
  const bool changed = ImGui::Checkbox(Label(row, id).c_str(), &value);
  Tooltip(row);
  if (changed) model.SetOption(key, value ? "true" : "false");
  return changed;
}

bool SettingCombo(Model& model, const char* key, float width) {
  const Setting& row = *FindSetting(key);
  const EnumNames& names = *row.names;
  const int current = row.get_enum(model.analysis);
  const std::string label = FieldLabel(row.label, width);  // label above on phones
  bool changed = false;
  if (ImGui::BeginCombo(label.c_str(), names.Label(current))) {
    for (int v = 0; v < names.count(); ++v) {
      if (ImGui::Selectable(names.Label(v), v == current) && v != current) {
        changed = model.SetOption(key, names.Name(v)).empty();
      }
    }
    ImGui::EndCombo();
  }
  Tooltip(row);
  return changed;
}

void ModelKindCombo(Model& model, const char* id) {
  const Setting& row = *FindSetting("model_kind");
  const EnumNames& names = *row.names;
  const int current = row.get_enum(model.analysis);
  const std::string guessed = names.Label(static_cast<int>(model.Kind()));
  const auto label_of = [&](int v) {
    return v == static_cast<int>(ModelKind::kGuess) ? "guess: " + guessed
                                                    : std::string(names.Label(v));
  };
  ImGui::PushID(id);
  const std::string label = FieldLabel(row.label, ImGui::GetFontSize() * 12);
  if (ImGui::BeginCombo(label.c_str(), label_of(current).c_str())) {
    for (int v = 0; v < names.count(); ++v) {
      if (ImGui::Selectable(label_of(v).c_str(), v == current) && v != current)
        model.SetOption("model_kind", names.Name(v));
    }
    ImGui::EndCombo();
  }
  RecordItemRect(std::string("model_kind.") + id);
  Tooltip(row);
  ImGui::PopID();
}

void HeadlineGroupCombo(Model& model, const char* id) {
  if (model.results.groups.empty()) return;
  const Setting& row = *FindSetting("shown_group");
  const int current = model.HeadlineGroup();  // -1: pooled
  const std::string pooled = "all groups pooled (one law for every group)";
  const std::string shown =
      current < 0 ? pooled : "group " + model.results.groups[static_cast<size_t>(current)].name;
  ImGui::PushID(id);
  const std::string label = FieldLabel(row.label, ImGui::GetFontSize() * 14);
  if (ImGui::BeginCombo(label.c_str(), shown.c_str())) {
    for (size_t g = 0; g < model.results.groups.size(); ++g) {
      const std::string name = "group " + model.results.groups[g].name;
      if (ImGui::Selectable(name.c_str(), static_cast<int>(g) == current))
        model.SetOption("shown_group", std::to_string(g + 1));
    }
    ImGui::Separator();
    if (ImGui::Selectable(pooled.c_str(), current < 0)) model.SetOption("shown_group", "0");
    ImGui::EndCombo();
  }
  RecordItemRect(std::string("headline_group.") + id);
  Tooltip(row);
  ImGui::PopID();
}

void HelpMarker(const char* text) {
  SameLineIfWide();  // on phones the field before it is full width
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    WrappedTextUnformatted(text, nullptr, ImGui::GetFontSize() * 30);
    ImGui::EndTooltip();
  }
}

void CopyButton(Model& model, const char* label, const std::string& text) {
  if (ImGui::SmallButton(label)) {
    web::CopyToClipboard(text);
    model.Notify("Copied to the clipboard");
  }
}

void ShortcutTooltip(const char* text) {
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s", text);
  } else if (ImGui::IsItemFocused() && !GImGui->NavDisableHighlight) {
    // Reached with the keyboard: beside the item. (A click also focuses an item; the tooltip
    // would then follow the mouse across the page.)
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y + 2));
    ImGui::SetTooltip("%s", text);
  }
}

void TableCopyButtons(Model& model, const char* id, const TableText& table,
                      const std::function<std::string()>& markdown) {
  ImGui::PushID(id);
  if (ImGui::SmallButton("Copy")) {
    web::CopyToClipboard(ToTsv(table));
    model.Notify("Table copied (tab-separated: pastes into a spreadsheet)");
  }
  RecordItemRect(std::string("copy.") + id);
  ShortcutTooltip("Copy the table as tab-separated text, for a spreadsheet");
  ImGui::SameLine();
  if (ImGui::SmallButton("Copy Markdown")) {
    web::CopyToClipboard(markdown ? markdown() : ToMarkdown(table));
    model.Notify("Table copied as Markdown");
  }
  ImGui::PopID();
}

void PlotExportButtons(Model& model, const char* name) {
  // The plot just drawn: its frame on screen and its series.
  const plot::PlotView& view = plot::LastPlotView();
  RecordRect(std::string("plot.") + name, view.frame_min, view.frame_max);
  RecordValues(std::string("view.") + name, {view.x.min, view.x.max, view.y.min, view.y.max});
  RecordRect(std::string("reset.") + name, view.reset_min, view.reset_max);
  RecordValues(std::string("moved.") + name, {view.user_view ? 1.0 : 0.0});
  const plot::PlotStats& stats = plot::LastPlotStats();
  RecordValues(std::string("stats.") + name,
               {static_cast<double>(stats.points), static_cast<double>(stats.points_drawn)});
  ImGui::PushID(name);
  if (ImGui::SmallButton("Save PNG")) {
    web::SaveCanvasPng(std::string("scalecalc-") + name + ".png", view.frame_min, view.frame_max);
    model.Notify("Plot saved as PNG");
  }
  RecordItemRect(std::string("png.") + name);
  ImGui::SameLine();
  if (ImGui::SmallButton("Save CSV")) {
    // Formatted only on a click: every point of every series, too dear for each frame.
    web::Download(std::string("scalecalc-") + name + ".csv", "text/csv", plot::LastPlotCsv());
    model.Notify("Plot data saved as CSV");
  }
  ImGui::PopID();
}

void Heading(const char* text) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1), "%s", text);
  ImGui::Separator();
}

namespace {
ImVec4 SeverityColour(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return ImVec4(1, 0.45f, 0.4f, 1);
    case Severity::kWarning:
      return ImVec4(1, 0.8f, 0.35f, 1);
    case Severity::kInfo:
      break;
  }
  return ImVec4(0.65f, 0.65f, 0.65f, 1);
}
}  // namespace

void DrawWarnings(const std::vector<Warning>& warnings, const char* only_prefix) {
  const std::string prefix = only_prefix ? only_prefix : "";
  for (const Warning& w : warnings) {
    if (w.code.compare(0, prefix.size(), prefix) != 0) continue;
    // Wrapped at spaces only (Dear ImGui's own wrap splits "(2.6e+08)" after the '.').
    const ImVec4 colour = SeverityColour(w.severity);
    ImGui::BeginGroup();
    WrappedTextUnformatted(std::string(ToString(w.severity)) + ": " + w.message, &colour);
    ImGui::EndGroup();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("code: %s", w.code.c_str());
  }
}

void DrawTrustReport(ResultStatus status, const std::vector<Warning>& warnings) {
  if (status == ResultStatus::kOk && warnings.empty()) return;
  const Severity worst = status == ResultStatus::kFailed    ? Severity::kError
                         : status == ResultStatus::kPartial ? Severity::kWarning
                                                            : Severity::kInfo;
  ImGui::TextColored(SeverityColour(worst), "Status: %s", ToString(status));
  DrawWarnings(warnings);
}

}  // namespace scalecalc::app

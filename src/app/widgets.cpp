#include "app/widgets.h"

#include <map>

#include "app/web_bridge.h"
#include "imgui.h"
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
  if (width > 0) ImGui::SetNextItemWidth(width);
  const bool has_error = !field.error.empty();
  if (has_error) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.45f, 0.12f, 0.12f, 1));
  const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
  const bool entered = hint ? ImGui::InputTextWithHint(label, hint, &field.text, flags)
                            : ImGui::InputText(label, &field.text, flags);
  if (has_error) ImGui::PopStyleColor();
  field.editing = ImGui::IsItemActive();
  bool changed = false;
  if (entered || ImGui::IsItemDeactivatedAfterEdit()) {
    field.error = model.SetOption(option, field.text);
    changed = field.error.empty();
    field.editing = false;
  }
  if (!field.error.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", field.error.c_str());
    ImGui::PopTextWrapPos();
  }
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
  if (width > 0) ImGui::SetNextItemWidth(width);
  bool changed = false;
  if (ImGui::BeginCombo(row.label, names.Label(current))) {
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

void HelpMarker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void CopyButton(Model& model, const char* label, const std::string& text) {
  if (ImGui::SmallButton(label)) {
    web::CopyToClipboard(text);
    model.notice = "Copied to the clipboard";
  }
}

void Heading(const char* text) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1), "%s", text);
  ImGui::Separator();
}

}  // namespace scalecalc::app

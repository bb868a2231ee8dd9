#include "app/app.h"

#include <algorithm>

namespace scalecalc::app {

App& TheApp() {
  static App app;
  return app;
}

void ApplyTheme(ImGuiStyle* style) {
  ImGui::StyleColorsDark(style);
  style->WindowRounding = 4;
  style->FrameRounding = 3;
  style->FramePadding = ImVec2(8, 4);
  style->ItemSpacing = ImVec2(8, 6);
}

void App::Start() {}

std::string App::LoadCsv(const std::string& text, const std::string& name) {
  if (text.empty()) return last_error_ = "the pasted text is empty";
  csv_text_ = text;
  data_name_ = name;
  last_error_.clear();
  return "";
}

void App::Frame() {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->Pos);
  ImGui::SetNextWindowSize(viewport->Size);
  ImGui::Begin("scalecalc", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_MenuBar);
  if (ImGui::BeginMenuBar()) {
    ImGui::TextUnformatted("scalecalc");
    ImGui::EndMenuBar();
  }
  const long lines = std::count(csv_text_.begin(), csv_text_.end(), '\n');
  ImGui::Text("Data: %s (%ld lines)", data_name_.empty() ? "none" : data_name_.c_str(), lines);
  if (!last_error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", last_error_.c_str());
  ImGui::End();
}

}  // namespace scalecalc::app

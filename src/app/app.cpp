#include "app/app.h"

#include "app/bootstrap_job.h"
#include "app/examples.h"
#include "app/format.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/share.h"
#include "app/web_bridge.h"

namespace scalecalc::app {

namespace {
struct PanelEntry {
  const char* id;     // as in AnalysisState::open_panel
  const char* title;  // tab label
  void (*draw)(Model&);
};
const PanelEntry kPanels[] = {
    {"data", "Data", DrawDataPanel},           {"fit", "Fit", DrawFitPanel},
    {"plots", "Plots", DrawPlotsPanel},        {"planner", "Planner", DrawPlannerPanel},
    {"cost", "Inference cost", DrawCostPanel},
};
}  // namespace

App& TheApp() {
  static App app;
  return app;
}

void ApplyTheme(ImGuiStyle* style) {
  ImGui::StyleColorsDark(style);
  style->WindowRounding = 0;
  style->FrameRounding = 3;
  style->TabRounding = 3;
  style->FramePadding = ImVec2(8, 4);
  style->ItemSpacing = ImVec2(8, 6);
  style->CellPadding = ImVec2(6, 3);
  ImVec4* colors = style->Colors;
  colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1);
  colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  colors[ImGuiCol_MenuBarBg] = ImVec4(0.13f, 0.14f, 0.17f, 1);
  colors[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.03f);
}

void App::Start() {}

void App::OnPaste(const std::string& text) {
  if (ImGui::GetIO().WantTextInput) {
    ImGui::GetIO().AddInputCharactersUTF8(text.c_str());  // into the focused field
    return;
  }
  if (model_.LoadCsv(text, "pasted data").empty()) {
    model_.notice = "Pasted data loaded";
    model_.SetOption("panel", "data");
  }
}

void App::DrawMenuBar() {
  if (!ImGui::BeginMenuBar()) return;
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1), "scalecalc");
  ImGui::TextDisabled("scaling laws for video diffusion transformers");
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open CSV or state file...")) web::OpenFilePicker();
    if (ImGui::MenuItem("Save state file")) SaveStateFile(model_);
    ImGui::Separator();
    if (ImGui::MenuItem("Copy share link")) CopyShareLink(model_);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Load example")) {
    for (int i = 0; i < ExampleCount(); ++i) {
      if (ImGui::MenuItem(GetExample(i).title)) RequestExample(i);
    }
    ImGui::EndMenu();
  }
  const float button_width =
      ImGui::CalcTextSize("Copy link").x + ImGui::GetStyle().FramePadding.x * 2;
  ImGui::SetCursorPosX(ImGui::GetWindowWidth() - button_width - ImGui::GetStyle().WindowPadding.x);
  if (ImGui::Button("Copy link")) CopyShareLink(model_);
  ImGui::EndMenuBar();
}

void App::DrawStatusBar() {
  ImGui::Separator();
  const BootstrapJob& job = model_.bootstrap;
  if (job.running) {
    ImGui::ProgressBar(
        job.total > 0 ? static_cast<float>(job.done) / static_cast<float>(job.total) : 0.0f,
        ImVec2(ImGui::GetFontSize() * 10, ImGui::GetFontSize() * 0.9f), "");
    ImGui::SameLine();
    ImGui::TextDisabled("bootstrap %d / %d", job.done, job.total);
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) CancelBootstrap(model_);
    ImGui::SameLine();
  }
  if (!model_.notice.empty()) {
    ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.6f, 1), "%s", model_.notice.c_str());
    ImGui::SameLine();
  }
  if (fitting_frame_) {
    ImGui::TextDisabled("fitting...");
    return;
  }
  const FitSummary& fit = model_.fit;
  ImGui::TextDisabled("%s: %d runs  |  %s", model_.analysis.data_name.c_str(),
                      static_cast<int>(model_.read.table.runs.size()),
                      fit.ok ? LossLawFormula(fit.laws.loss).c_str() : "no fit");
}

void App::Update() {
  if (model_.Recompute() && model_.analysis.fit.bootstrap_samples > 0) {
    CancelBootstrap(model_);
    StartBootstrap(model_);  // intervals follow every change, off the main thread
  }
  SyncShareLink(model_);
}

void App::Frame() {
  // New data (a load, a paste, a link, an example) first gets a frame that says "fitting...", and
  // its fit runs in the next one: the page answers at once instead of after the fit. Other
  // changes refit at once (a frame of "fitting..." on every edit would flicker).
  fitting_frame_ = !fitting_frame_ && model_.stale == Stale::kRead &&
                   model_.analysis.data_name != shown_data_name_;
  if (!fitting_frame_) {
    Update();
    shown_data_name_ = model_.analysis.data_name;
  }

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->Pos);
  ImGui::SetNextWindowSize(viewport->Size);
  ImGui::Begin("scalecalc", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_MenuBar);
  DrawMenuBar();
  const float status_height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
  ImGui::BeginChild("panels", ImVec2(0, -status_height));
  if (ImGui::BeginTabBar("panels")) {
    // The state names the open panel (links restore it); a tab the user clicks updates the state.
    std::string& open = model_.analysis.open_panel;
    const char* drawn = nullptr;
    for (const PanelEntry& panel : kPanels) {
      const bool select = open == panel.id && shown_panel_ != panel.id;
      if (ImGui::BeginTabItem(panel.title, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0)) {
        drawn = panel.id;
        ImGui::BeginChild(panel.id);
        if (fitting_frame_)
          ImGui::TextDisabled("fitting...");
        else
          panel.draw(model_);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
    if (drawn && shown_panel_ != drawn) {
      if (open == shown_panel_) {  // not a change of state: the user clicked another tab
        open = drawn;
        ++model_.revision;
      }
      shown_panel_ = drawn;
    }
  }
  ImGui::EndChild();
  DrawStatusBar();
  ImGui::End();
  if (plot::g_show_demo) plot::ShowPlotDemo(&plot::g_show_demo);  // the plot widget's demo
}

}  // namespace scalecalc::app

#include "app/app.h"

#include <algorithm>

#include "app/bootstrap_job.h"
#include "app/examples.h"
#include "app/frame_pacing.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/plot/plot.h"
#include "app/share.h"
#include "app/web_bridge.h"
#include "app/widgets.h"
#include "core/format.h"
#include "imgui_internal.h"

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
  colors[ImGuiCol_NavHighlight] = ImVec4(1.0f, 0.78f, 0.25f, 1);  // keyboard focus: clearly seen
}

void App::Start() {}

void App::OnPaste(const std::string& text) {
  if (ImGui::GetIO().WantTextInput) {
    ImGui::GetIO().AddInputCharactersUTF8(text.c_str());  // into the focused field
    return;
  }
  if (model_.LoadCsv(text, "pasted data").empty()) {
    model_.Notify("Pasted data loaded");
    model_.SetOption("panel", "data");
  }
}

void App::DrawHeaderMenus() {
  const bool file_open = ImGui::BeginMenu("File");
  RecordItemRect("header.file");
  if (file_open) {
    if (ImGui::MenuItem("Open CSV or state file...")) web::OpenFilePicker();
    ShortcutTooltip("Or paste a table anywhere on the page (Ctrl+V)");
    if (ImGui::MenuItem("Save state file")) SaveStateFile(model_);
    if (ImGui::MenuItem("Download results (JSON)")) DownloadResults(model_);
    RecordItemRect("menu.results");
    ShortcutTooltip(
        "The fitted laws, plan, groups and design, as scalecalc open --json prints them");
    ImGui::Separator();
    if (ImGui::MenuItem("Copy share link", "Ctrl+L")) CopyShareLink(model_);
    ImGui::EndMenu();
  }
  const bool examples_open = ImGui::BeginMenu("Load example");
  RecordItemRect("header.examples");
  if (examples_open) {
    for (int i = 0; i < ExampleCount(); ++i) {
      if (ImGui::MenuItem(GetExample(i).title)) RequestExample(i);
    }
    ImGui::EndMenu();
  }
}

void App::DrawMenuBar() {
  if (!ImGui::BeginMenuBar()) return;
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1), "scalecalc");
  RecordItemRect("header.title");
  if (IsPhone()) {
    // Title, one menu with everything, and Copy link: what fits 390 CSS px.
    const bool menu_open = ImGui::BeginMenu("Menu");
    RecordItemRect("header.menu");
    if (menu_open) {
      DrawHeaderMenus();
      ImGui::EndMenu();
    }
  } else {
    ImGui::TextDisabled("scaling laws for video diffusion transformers");
    RecordItemRect("header.subtitle");
    DrawHeaderMenus();
  }
  const float button_width =
      ImGui::CalcTextSize("Copy link").x + ImGui::GetStyle().FramePadding.x * 2;
  const float right = ImGui::GetWindowWidth() - button_width - ImGui::GetStyle().WindowPadding.x;
  // Never over what is already drawn: on a window too narrow the button follows the menus.
  ImGui::SetCursorPosX(std::max(right, ImGui::GetCursorPosX()));
  if (ImGui::Button("Copy link")) CopyShareLink(model_);
  RecordItemRect("header.copy_link");
  ShortcutTooltip("Copy a link to this analysis (Ctrl+L)");
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
    if (IsPhone()) {  // one line of a narrow screen: the group's name is on the Fit panel
      ImGui::TextDisabled("bootstrap %d / %d", job.done, job.total);
    } else {
      ImGui::TextDisabled("%s", BootstrapProgressLabel(model_).c_str());
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) CancelBootstrap(model_);
    ImGui::SameLine();
  }
  if (!model_.notice.empty()) {
    // Green for done, amber for a caution beside a success, red for a problem or a refusal.
    const ImVec4 colour =
        model_.notice_level == NoticeLevel::kProblem   ? ImVec4(1.0f, 0.45f, 0.4f, 1)
        : model_.notice_level == NoticeLevel::kCaution ? ImVec4(1.0f, 0.78f, 0.3f, 1)
                                                       : ImVec4(0.5f, 0.9f, 0.6f, 1);
    ImGui::TextColored(colour, "%s", model_.notice.c_str());
    RecordItemRect("status.notice");
    ImGui::SameLine();
    if (model_.notice_offers_state_file) {
      if (ImGui::SmallButton("Save state file")) SaveStateFile(model_);
      RecordItemRect("status.save_state");
      ImGui::SameLine();
    }
  }
  if (!loading_text_.empty() || fitting_frame_) {
    ImGui::TextDisabled("%s", loading_text_.empty() ? "fitting..." : loading_text_.c_str());
    return;
  }
  const FitSummary& fit = model_.results.fit;
  // Grouped data: the headline is one group's (or, chosen, all pooled), and says which.
  const std::string source = model_.HeadlineLabel();
  const int runs = static_cast<int>(model_.HeadlineTable().runs.size());
  if (IsPhone()) {  // one line of a narrow screen: the formula is on the Fit panel
    ImGui::TextDisabled("%d runs%s  |  %s", runs, source.empty() ? "" : " of one group",
                        fit.ok ? "fitted" : "no fit");
    return;
  }
  ImGui::TextDisabled("%s%s: %d runs  |  %s", model_.analysis.data_name.c_str(),
                      source.empty() ? "" : (", " + source).c_str(), runs,
                      fit.ok ? LossLawFormula(fit.laws.loss).c_str() : "no fit");
}

void App::Update() {
  if (model_.Recompute() && model_.analysis.fit.bootstrap_samples > 0) {
    CancelBootstrap(model_);
    StartBootstrap(model_);  // intervals follow every change, off the main thread
  }
  model_.DescribeOpenedLink();
  SyncShareLink(model_);
}

void App::OnTouchPointer(float x_css, float y_css, bool down) {
  touch_seen_ = true;
  touch_events_.push_back(TouchEvent{x_css * pixel_ratio_, y_css * pixel_ratio_, down});
}

void App::OnTouchScroll(float x_css, float y_css, float dx_css, float dy_css) {
  touch_seen_ = true;
  touch_events_.push_back(TouchEvent{x_css * pixel_ratio_, y_css * pixel_ratio_, false});
  // Dear ImGui scrolls 5 font sizes per vertical wheel unit and 2 per horizontal one (1.86).
  const float font = ImGui::GetFontSize() > 0 ? ImGui::GetFontSize() : 15 * pixel_ratio_;
  wheel_y_ += dy_css * pixel_ratio_ / (5 * font);
  wheel_x_ += dx_css * pixel_ratio_ / (2 * font);
}

void App::OnPinch(float x_css, float y_css, double scale, float dx_css, float dy_css) {
  touch_seen_ = true;
  plot::PinchZoom(ImVec2(x_css * pixel_ratio_, y_css * pixel_ratio_), scale,
                  ImVec2(dx_css * pixel_ratio_, dy_css * pixel_ratio_));
}

// The panel tabs in the keyboard's Tab order (Dear ImGui 1.86's Tab reaches text fields only):
// Tab while no field is being typed in focuses the tab bar; there Left and Right change panels
// (browsers keep Ctrl+Tab and Ctrl+PageUp/PageDown for their own tabs); Tab, Enter, Space or
// Down go into the panel (Tab on to its first field), Escape or a click leaves. Runs before
// ImGui::NewFrame: a key it takes is hidden from Dear ImGui for this frame.
void App::ApplyKeyboardTabs() {
  ImGuiIO& io = ImGui::GetIO();
  const auto key = [&](ImGuiKey_ k) { return io.KeyMap[k]; };
  const auto pressed = [&](int k) {  // down now, up in the last frame
    return k >= 0 && k < IM_ARRAYSIZE(io.KeysDown) && io.KeysDown[k] && io.KeysDownDuration[k] < 0;
  };
  const auto take = [&](int k) {
    if (k >= 0 && k < IM_ARRAYSIZE(io.KeysDown)) io.KeysDown[k] = false;
  };
  const int tab = key(ImGuiKey_Tab), left = key(ImGuiKey_LeftArrow),
            right = key(ImGuiKey_RightArrow), down = key(ImGuiKey_DownArrow),
            enter = key(ImGuiKey_Enter), space = key(ImGuiKey_Space), escape = key(ImGuiKey_Escape);
  if (!tabs_focused_) {
    const bool popup = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId);
    if (pressed(tab) && !io.WantTextInput && !io.KeyCtrl && !io.KeyShift && !popup) {
      tabs_focused_ = true;
      take(tab);
      WakeFrames();
    }
    return;
  }
  if (io.MouseDown[0]) {
    tabs_focused_ = false;
    return;
  }
  const int count = static_cast<int>(sizeof kPanels / sizeof kPanels[0]);
  int current = 0;
  for (int i = 0; i < count; ++i) {
    if (model_.analysis.open_panel == kPanels[i].id) current = i;
  }
  if (pressed(left) || pressed(right)) {
    const int next = (current + (pressed(right) ? 1 : count - 1)) % count;
    model_.SetOption("panel", kPanels[next].id);
    take(left);
    take(right);
  } else if (pressed(tab) || pressed(enter) || pressed(space) || pressed(down)) {
    tabs_focused_ = false;  // Tab goes on to Dear ImGui: the panel's first field
    take(enter);
    take(space);
    take(down);
  } else if (pressed(escape)) {
    tabs_focused_ = false;
    take(escape);
  }
}

void App::ApplyTouchInput() {
  ApplyKeyboardTabs();
  ImGuiIO& io = ImGui::GetIO();
  // On-screen Backspace: down one frame, up the next (Dear ImGui 1.86 reads held keys).
  const int backspace = io.KeyMap[ImGuiKey_Backspace];
  if (backspace >= 0 && backspace < IM_ARRAYSIZE(io.KeysDown)) {
    if (backspace_down_) {
      io.KeysDown[backspace] = false;
      backspace_down_ = false;
    } else if (virtual_backspaces_ > 0) {
      io.KeysDown[backspace] = true;
      backspace_down_ = true;
      --virtual_backspaces_;
    }
  }
  // A finger's tap on a plot is no click into it: a one-finger drag after it still scrolls.
  plot::SetClickEngagesWheel(!touch_seen_);
  if (!touch_seen_) return;
  // Moves pass at once; a press or a release ends this frame's share, so a tap shorter than a
  // frame is still one frame down and one up.
  while (!touch_events_.empty()) {
    const TouchEvent event = touch_events_.front();
    touch_events_.pop_front();
    const bool changes = event.down != touch_.down;
    touch_ = event;
    if (changes) break;
  }
  io.MousePos = ImVec2(touch_.x, touch_.y);
  io.MouseDown[0] = touch_.down;
  io.MouseWheel += wheel_y_;
  io.MouseWheelH += wheel_x_;
  wheel_x_ = wheel_y_ = 0;
}

void App::Frame(bool repeat) {
  // New data (a load, a paste, a link, an example) first gets a frame that says "fitting...", and
  // its fit runs in the next one: the page answers at once instead of after the fit. Other
  // changes refit at once (a frame of "fitting..." on every edit would flicker).
  if (!repeat)
    fitting_frame_ = !fitting_frame_ && model_.stale == Stale::kRead &&
                     model_.analysis.data_name != shown_data_name_;
  if (!fitting_frame_ && !repeat && loading_text_.empty()) {
    Update();
    shown_data_name_ = model_.analysis.data_name;
  }
  BeginLayoutFrame(pixel_ratio_);
  ImGuiIO& io = ImGui::GetIO();
  // Escape closes whatever popup is open (a menu, a combo), wherever the keyboard focus is.
  const int any_popup = ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) &&
      ImGui::IsPopupOpen("", any_popup) && !GImGui->OpenPopupStack.empty())
    ImGui::ClosePopupToLevel(0, true);
  if (io.KeyCtrl && ImGui::IsKeyPressed('L', false)) CopyShareLink(model_);  // GLFW_KEY_L

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
    // Dear ImGui selects a tab one frame after it is asked to: until the tab asked for is drawn, a
    // different tab drawn is not the user's click (a state that changes twice within one frame,
    // a paste then a link's panel, would otherwise flip back).
    std::string& open = model_.analysis.open_panel;
    const char* drawn = nullptr;
    for (const PanelEntry& panel : kPanels) {
      const bool select = open == panel.id && shown_panel_ != panel.id;
      if (select) requested_panel_ = panel.id;
      const bool open_tab =
          ImGui::BeginTabItem(panel.title, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
      RecordItemRect(std::string("tab.") + panel.id);
      if (open_tab) {
        drawn = panel.id;
        if (tabs_focused_) {  // the keyboard is on the tabs: ring the open one
          const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
          ImGui::GetForegroundDrawList()->AddRect(
              min, max, ImGui::GetColorU32(ImGuiCol_NavHighlight), 3, 0, 2 * pixel_ratio_);
          RecordRect("tabs.focus", min, max);
        }
        ImGui::BeginChild(panel.id);
        // Keyboard: Tab moves between the fields of the focused window, so the open panel takes
        // the focus when it changes, and when Tab is pressed while the header has it.
        if (shown_panel_ != panel.id || (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Tab)) &&
                                         GImGui->NavWindow == GImGui->CurrentWindow->RootWindow))
          ImGui::SetWindowFocus();
        const ImVec2 origin = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
        RecordRect("content", origin, ImVec2(origin.x + avail.x, origin.y + avail.y));
        if (!loading_text_.empty())
          ImGui::TextDisabled("%s", loading_text_.c_str());
        else if (fitting_frame_)
          ImGui::TextDisabled("fitting...");
        else
          panel.draw(model_);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
    if (drawn && shown_panel_ != drawn) {
      // Not a change of state (none asked for, or the one asked for is on its way): the user
      // clicked another tab.
      if (open == shown_panel_ && requested_panel_.empty()) {
        open = drawn;
        ++model_.revision;
      }
      shown_panel_ = drawn;
    }
    if (drawn && requested_panel_ == drawn) requested_panel_.clear();
  }
  ImGui::EndChild();
  DrawStatusBar();
  ImGui::End();
  RecordValues("popup_open", {ImGui::IsPopupOpen("", any_popup) ? 1.0 : 0.0});  // the test hook
  RecordValues("tabs_focused", {tabs_focused_ ? 1.0 : 0.0});
  if (plot::g_show_demo) plot::ShowPlotDemo(&plot::g_show_demo);  // the plot widget's demo
}

}  // namespace scalecalc::app

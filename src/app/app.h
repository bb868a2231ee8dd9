// app.h: the scalecalc page's application object. Owns the Model, draws the menu bar, one tab
// per panel and the status bar, and keeps derived results current between frames. main.cpp
// drives Frame(); app_bindings.cpp forwards what JavaScript delivers (pastes, drops, links,
// worker results) and the test hook.
#pragma once

#include <deque>
#include <string>

#include "app/model.h"
#include "imgui.h"

namespace scalecalc::app {

class App {
 public:
  void Start();
  // Draws the app. `repeat`: the same frame again (a layout pass before it was thrown away), so
  // no refit and no new "fitting..." decision.
  void Frame(bool repeat = false);
  // Brings derived results up to date (each frame does; the test hook too, before reading).
  void Update();
  void SetPixelRatio(float ratio) { pixel_ratio_ = ratio; }
  // While the page fetches the first data: frames show `text` where results go, and do not fit
  // the empty state. "" ends it.
  void SetLoading(const std::string& text) { loading_text_ = text; }

  Model& model() { return model_; }
  // Text pasted into the page: goes to the focused text field if there is one, else it is data.
  void OnPaste(const std::string& text);

  // Touch, as the page's JavaScript reads it (GLFW has no multi-touch). Positions in CSS px.
  // A finger down/up/moving as the mouse (a tap is a click, a long press on a plot reads it):
  void OnTouchPointer(float x_css, float y_css, bool down);
  // A one-finger drag (on a plot too) scrolls what is under the finger (dx, dy: how far the
  // finger moved).
  void OnTouchScroll(float x_css, float y_css, float dx_css, float dy_css);
  // Two fingers on a plot: `scale` > 1 zooms the plot under the centre in; the centre moved by
  // (dx, dy), which pans the plot with it.
  void OnPinch(float x_css, float y_css, double scale, float dx_css = 0, float dy_css = 0);
  // A key of the on-screen keyboard that arrives without a usable key code (Backspace on
  // Android's keyboards): pressed for one frame.
  void OnVirtualBackspace() { virtual_backspaces_ += 1; }
  // Feeds queued touch input to Dear ImGui; main.cpp calls it after the backend's NewFrame,
  // so it overrides the backend's mouse once a touch has been seen. Also takes the keys that
  // reach the panel tabs from the keyboard (Tab while no field is being typed in).
  void ApplyTouchInput();

 private:
  void DrawMenuBar();
  void DrawStatusBar();

  void DrawHeaderMenus();

  struct TouchEvent {
    float x = 0, y = 0;  // device px
    bool down = false;
  };

  Model model_;
  std::string shown_panel_;      // the tab drawn in the last frame
  std::string requested_panel_;  // the tab Dear ImGui was asked to select and has not drawn yet
  bool fitting_frame_ = false;   // this frame shows "fitting..." and leaves the refit to the next
  std::string loading_text_;     // the first data is on its way (SetLoading)
  std::string shown_data_name_;  // the data the panels show (new data gets a "fitting..." frame)
  float pixel_ratio_ = 1;
  std::deque<TouchEvent> touch_events_;  // at most one press or release reaches each frame
  bool touch_seen_ = false;
  TouchEvent touch_;                 // where the finger is (or was last), and whether it is down
  float wheel_x_ = 0, wheel_y_ = 0;  // touch scrolling not yet passed on, in wheel units
  int virtual_backspaces_ = 0;       // on-screen Backspace presses not yet passed on
  bool backspace_down_ = false;      // one of them is held this frame
  // The panel tabs have the keyboard focus: Left/Right change panels, Tab/Enter/Down go into the
  // panel, Escape leaves (ApplyKeyboardTabs).
  bool tabs_focused_ = false;
  void ApplyKeyboardTabs();
};

App& TheApp();

// The scalecalc look, at pixel ratio 1 (main.cpp scales it): includes a keyboard-focus highlight.
void ApplyTheme(ImGuiStyle* style);

}  // namespace scalecalc::app

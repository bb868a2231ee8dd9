// app.h: the scalecalc page's application object. Owns the Model, draws the menu bar, one tab
// per panel and the status bar, and keeps derived results current between frames. main.cpp
// drives Frame(); app_bindings.cpp forwards what JavaScript delivers (pastes, drops, links,
// worker results) and the test hook.
#pragma once

#include <string>

#include "app/model.h"
#include "imgui.h"

namespace scalecalc::app {

class App {
 public:
  void Start();
  void Frame();
  // Brings derived results up to date (each frame does; the test hook too, before reading).
  void Update();
  void SetPixelRatio(float ratio) { pixel_ratio_ = ratio; }

  Model& model() { return model_; }
  // Text pasted into the page: goes to the focused text field if there is one, else it is data.
  void OnPaste(const std::string& text);

 private:
  void DrawMenuBar();
  void DrawStatusBar();

  Model model_;
  std::string shown_panel_;      // the tab drawn in the last frame
  bool fitting_frame_ = false;   // this frame shows "fitting..." and leaves the refit to the next
  std::string shown_data_name_;  // the data the panels show (new data gets a "fitting..." frame)
  float pixel_ratio_ = 1;
};

App& TheApp();

// The scalecalc look, at pixel ratio 1 (main.cpp scales it).
void ApplyTheme(ImGuiStyle* style);

}  // namespace scalecalc::app

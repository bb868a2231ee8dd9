// app.h: the scalecalc page's application object. Holds the UI state in plain structs, calls the
// core for every number, draws one window per panel. main.cpp drives Frame(); app_bindings.cpp
// exposes the entry points JavaScript needs (paste, drop, share links, the test hook).
#pragma once

#include <string>

#include "imgui.h"

namespace scalecalc::app {

class App {
 public:
  void Start();
  void Frame();
  void SetPixelRatio(float ratio) { pixel_ratio_ = ratio; }

  // Replaces the data with `text` if it reads; otherwise keeps the current data and returns the
  // message shown to the user. Returns "" on success.
  std::string LoadCsv(const std::string& text, const std::string& name);
  const std::string& data_name() const { return data_name_; }

 private:
  std::string csv_text_;
  std::string data_name_;
  std::string last_error_;
  float pixel_ratio_ = 1;
};

App& TheApp();

// The scalecalc look, at pixel ratio 1 (main.cpp scales it).
void ApplyTheme(ImGuiStyle* style);

}  // namespace scalecalc::app

// app_bindings.cpp: what the page's JavaScript may call in the app module.
#include <emscripten/bind.h>

#include <string>

#include "app/app.h"

namespace {

std::string LoadCsv(const std::string& text, const std::string& name) {
  return scalecalc::app::TheApp().LoadCsv(text, name);
}

}  // namespace

EMSCRIPTEN_BINDINGS(scalecalc_app) {
  emscripten::function("loadCsv", &LoadCsv);
}

// examples.h: the data sets the "Load example" menu offers. The page fetches the file (it is part
// of the static site) and hands the text back to ApplyExample.
#pragma once

#include <string>

#include "app/model.h"

namespace scalecalc::app {

struct Example {
  const char* title;    // for the menu
  const char* path;     // relative to the site
  const char* name;     // shown as the data name
  const char* options;  // "name=value;..." applied after loading (e.g. Step Law's 2048 tokens)
};

int ExampleCount();
const Example& GetExample(int index);
// Asks the page to fetch example `index`; the text arrives in ApplyExample.
void RequestExample(int index);
// Loads the fetched text and its options. Returns "" or the error.
std::string ApplyExample(Model& model, int index, const std::string& text);

}  // namespace scalecalc::app

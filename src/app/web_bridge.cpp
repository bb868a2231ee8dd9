#include "app/web_bridge.h"

#include <emscripten.h>

// Each call forwards to a function main.js installs on Module.bridge. Strings cross as UTF-8.
EM_JS(void, js_report_fatal, (const char* message), { Module.reportFatal(UTF8ToString(message)); });
EM_JS(void, js_copy_to_clipboard, (const char* text),
      { Module.bridge.copyToClipboard(UTF8ToString(text)); });
EM_JS(void, js_download, (const char* name, const char* mime, const char* content),
      { Module.bridge.download(UTF8ToString(name), UTF8ToString(mime), UTF8ToString(content)); });
EM_JS(void, js_open_file_picker, (), { Module.bridge.openFilePicker(); });
EM_JS(void, js_fetch_example, (int index, const char* path),
      { Module.bridge.fetchExample(index, UTF8ToString(path)); });

namespace scalecalc::app::web {

void ReportFatal(const std::string& message) {
  js_report_fatal(message.c_str());
}
void CopyToClipboard(const std::string& text) {
  js_copy_to_clipboard(text.c_str());
}
void Download(const std::string& file_name, const std::string& mime, const std::string& content) {
  js_download(file_name.c_str(), mime.c_str(), content.c_str());
}
void OpenFilePicker() {
  js_open_file_picker();
}
void FetchExample(int index, const std::string& path) {
  js_fetch_example(index, path.c_str());
}

}  // namespace scalecalc::app::web

#include "app/web_bridge.h"

#include <GLES3/gl3.h>
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <vector>

// Each call forwards to a function main.js installs on Module.bridge. Strings cross as UTF-8.
EM_JS(void, js_report_fatal, (const char* message), { Module.reportFatal(UTF8ToString(message)); });
EM_JS(void, js_copy_to_clipboard, (const char* text),
      { Module.bridge.copyToClipboard(UTF8ToString(text)); });
EM_JS(void, js_download, (const char* name, const char* mime, const char* content),
      { Module.bridge.download(UTF8ToString(name), UTF8ToString(mime), UTF8ToString(content)); });
EM_JS(void, js_open_file_picker, (), { Module.bridge.openFilePicker(); });
EM_JS(void, js_fetch_example, (int index, const char* path),
      { Module.bridge.fetchExample(index, UTF8ToString(path)); });

// RGBA rows bottom-up, as glReadPixels gives them; the page flips and encodes them.
EM_JS(void, js_save_png, (const char* name, const unsigned char* rgba, int width, int height), {
  Module.bridge.savePng(UTF8ToString(name), HEAPU8.slice(rgba, rgba + width * height * 4), width,
                        height);
});

namespace scalecalc::app::web {

namespace {
struct PngRequest {
  bool pending = false;
  std::string file_name;
  int x = 0, y = 0, width = 0, height = 0;  // top-left origin, device px
};
PngRequest png_request;
}  // namespace

void SaveCanvasPng(const std::string& file_name, ImVec2 min, ImVec2 max) {
  png_request.pending = true;
  png_request.file_name = file_name;
  png_request.x = static_cast<int>(std::floor(min.x));
  png_request.y = static_cast<int>(std::floor(min.y));
  png_request.width = static_cast<int>(std::ceil(max.x)) - png_request.x;
  png_request.height = static_cast<int>(std::ceil(max.y)) - png_request.y;
}

void CaptureRequestedPng(int framebuffer_height_px) {
  if (!png_request.pending) return;
  png_request.pending = false;
  const int width = png_request.width, height = png_request.height;
  if (width <= 0 || height <= 0) return;
  std::vector<unsigned char> rgba(static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(png_request.x, framebuffer_height_px - png_request.y - height, width, height,
               GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  js_save_png(png_request.file_name.c_str(), rgba.data(), width, height);
}

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

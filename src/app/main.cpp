// main.cpp: the platform layer. A GLFW window on the page's canvas, a WebGL2 context, the
// emscripten main loop, device-pixel-ratio handling and the UI font. Everything else is App.
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <emscripten/html5_webgl.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/frame_pacing.h"
#include "app/frame_stats.h"
#include "app/ui_font.h"
#include "app/web_bridge.h"
#include "app/webgl_renderer.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"

namespace {

constexpr float kFontSizeCssPx = 15.0f;
// The atlas holds only the glyphs the UI draws: the ranges the embedded font was cut to
// (SCALECALC_UI_GLYPH_RANGES in src/app/CMakeLists.txt, one list for both).
constexpr ImWchar kGlyphRanges[] = {SCALECALC_UI_GLYPH_RANGES, 0};

struct Platform {
  GLFWwindow* window = nullptr;
  int width_px = 0;  // canvas backing store, device pixels
  int height_px = 0;
  double pixel_ratio = 0;  // devicePixelRatio the fonts and style were built for
  ImGuiStyle base_style;   // style at ratio 1, scaled on every ratio change
};
Platform platform;

// Fonts and sizes follow devicePixelRatio (high-DPI screens and browser zoom), so text is drawn
// at the screen's own resolution instead of being stretched.
void RebuildForPixelRatio(double ratio) {
  platform.pixel_ratio = ratio;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.OversampleH = 2;
  const float size = std::round(kFontSizeCssPx * static_cast<float>(ratio));
  config.FontDataOwnedByAtlas = false;  // kUiFont is the module's own constant data
  if (!io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(kUiFont),
                                      static_cast<int>(kUiFontSize), size, &config, kGlyphRanges)) {
    ImFontConfig fallback;
    fallback.SizePixels = size;
    fallback.GlyphRanges = kGlyphRanges;
    io.Fonts->AddFontDefault(&fallback);
  }
  scalecalc::app::UploadFontAtlas();
  ImGui::GetStyle() = platform.base_style;
  ImGui::GetStyle().ScaleAllSizes(static_cast<float>(ratio));
  scalecalc::app::TheApp().SetPixelRatio(static_cast<float>(ratio));
}

// The canvas fills the window in CSS pixels (web/index.html); its backing store is its CSS size
// in device pixels (web/main.js sizes it the same way before creating the context, so the first
// frame reallocates nothing). GLFW's mouse coordinates are already scaled to the backing store.
void CanvasSizePx(int* width, int* height) {
  double css_width = 0, css_height = 0;
  emscripten_get_element_css_size("#canvas", &css_width, &css_height);
  const double ratio = emscripten_get_device_pixel_ratio();
  *width = static_cast<int>(std::lround(css_width * ratio));
  *height = static_cast<int>(std::lround(css_height * ratio));
}

void SyncCanvasSize() {
  const double ratio = emscripten_get_device_pixel_ratio();
  int width = 0, height = 0;
  CanvasSizePx(&width, &height);
  if (width != platform.width_px || height != platform.height_px) {
    scalecalc::app::WakeFrames();
    platform.width_px = width;
    platform.height_px = height;
    int current_width = 0, current_height = 0;  // setting even the same size resets the buffer
    emscripten_get_canvas_element_size("#canvas", &current_width, &current_height);
    if (current_width != width || current_height != height)
      emscripten_set_canvas_element_size("#canvas", width, height);
  }
  if (ratio != platform.pixel_ratio) RebuildForPixelRatio(ratio);
}

// Emscripten 3.1.6's GLFW hands over the browser's raw wheel deltas (pixels, positive = down)
// instead of GLFW's notches (positive = up): convert, so scrolling and plot zoom go the right way.
void OnScroll(GLFWwindow* window, double dx_pixels, double dy_pixels) {
  scalecalc::app::WakeFrames();
  ImGui_ImplGlfw_ScrollCallback(window, -dx_pixels / 100.0, -dy_pixels / 100.0);
}

// Dear ImGui 1.86 reads held keys once a frame: a key pressed and released between two frames
// (a quick Enter on a slow frame) would never be seen down. Each release whose press no frame has
// seen yet waits for the frame after the one that sees the press (an edge queue, as for touches).
struct KeyEdges {
  struct Release {
    int key, scancode, mods;
  };
  std::vector<int> unseen;       // pressed since the last frame began
  std::vector<Release> waiting;  // released before any frame saw them down
  std::vector<Release> due;      // to apply when the next frame begins
};
KeyEdges key_edges;

void OnKey(GLFWwindow* window, int key, int scancode, int action, int mods) {
  scalecalc::app::WakeFrames();
  if (action == GLFW_PRESS) {
    key_edges.unseen.push_back(key);
  } else if (action == GLFW_RELEASE && std::find(key_edges.unseen.begin(), key_edges.unseen.end(),
                                                 key) != key_edges.unseen.end()) {
    key_edges.waiting.push_back({key, scancode, mods});
    return;
  }
  ImGui_ImplGlfw_KeyCallback(window, key, scancode, action, mods);
}

// At the start of each frame: the releases of keys the last frame saw down happen now; presses
// so far are seen by this frame.
void ApplyKeyEdges(GLFWwindow* window) {
  for (const KeyEdges::Release& r : key_edges.due)
    ImGui_ImplGlfw_KeyCallback(window, r.key, r.scancode, GLFW_RELEASE, r.mods);
  key_edges.due.swap(key_edges.waiting);
  key_edges.waiting.clear();
  key_edges.unseen.clear();
}

// A lost WebGL context (the GPU process restarted, a phone took the GPU back from a background
// tab) comes back only if its loss event is prevented: returning true does that. The restored
// context has none of the app's GL objects: the renderer makes them again.
EM_BOOL OnContextLost(int, const void*, void*) {
  return EM_TRUE;
}
EM_BOOL OnContextRestored(int, const void*, void*) {
  if (const std::string failure = scalecalc::app::InitWebGlRenderer(); !failure.empty()) {
    scalecalc::app::web::ReportFatal("scalecalc could not draw again: " + failure);
    return EM_TRUE;
  }
  scalecalc::app::UploadFontAtlas();
  scalecalc::app::WakeFrames();
  return EM_TRUE;
}

// One Dear ImGui frame of the app, up to its draw data. `repeat`: the same frame laid out again.
void BuildImGuiFrame(bool repeat) {
  if (!repeat) ApplyKeyEdges(platform.window);
  ImGui_ImplGlfw_NewFrame();
  scalecalc::app::TheApp().ApplyTouchInput();  // after the backend, which knows only the mouse
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize =
      ImVec2(static_cast<float>(platform.width_px), static_cast<float>(platform.height_px));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  if (io.DeltaTime <= 0) io.DeltaTime = 1e-3f;  // a repeat can fall in the backend's same instant
  ImGui::NewFrame();
  scalecalc::app::TheApp().Frame(repeat);
  ImGui::Render();
}

void Frame() {
  SyncCanvasSize();
  glfwPollEvents();
  const double frame_start_ms =
      emscripten_get_now();  // the frame's CPU cost: new frame to draw data
  BuildImGuiFrame(/*repeat=*/false);
  // Dear ImGui sizes tabs (and auto-sized windows) one frame after they are first submitted: the
  // very first frame is laid out twice, so the first one on screen already shows the tabs.
  if (ImGui::GetFrameCount() == 1) BuildImGuiFrame(/*repeat=*/true);
  scalecalc::app::TheFrameStats().Add(emscripten_get_now() - frame_start_ms);
  glViewport(0, 0, platform.width_px, platform.height_px);
  glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  scalecalc::app::DrawImGuiData(*ImGui::GetDrawData(), platform.width_px, platform.height_px);
  scalecalc::app::web::CaptureRequestedPng(platform.height_px);  // a plot's "Save PNG"
  scalecalc::app::PaceFrames(scalecalc::app::TheApp().model().bootstrap.running,
                             *ImGui::GetDrawData());
}

}  // namespace

int main() {
  if (!glfwInit()) {
    scalecalc::app::web::ReportFatal("GLFW could not start");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // The context web/main.js creates first, with the same attributes (GL_CONTEXT_ATTRIBUTES): an
  // opaque canvas without depth or stencil buffers, which the UI does not use.
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  // At the canvas's own size: resizing a live WebGL canvas reallocates its drawing buffer, which
  // on a software rasteriser stalled the start by a quarter of a second (bench/README.md).
  int width = 0, height = 0;
  CanvasSizePx(&width, &height);
  platform.window = glfwCreateWindow(width > 0 ? width : 1280, height > 0 ? height : 720,
                                     "scalecalc", nullptr, nullptr);
  if (!platform.window) {
    scalecalc::app::web::ReportFatal("WebGL2 is not available in this browser");
    return 1;
  }
  glfwMakeContextCurrent(platform.window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is part of the shared state, not of local storage
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;  // Tab, arrows, Enter, Space, Escape
  scalecalc::app::ApplyTheme(&platform.base_style);
  ImGui::GetStyle() = platform.base_style;
  // Input wakes the frame rate (frame_pacing.h). Installed before Dear ImGui's backend, whose own
  // callbacks call these first; it reads the cursor by polling, so the position has one of its own.
  using scalecalc::app::WakeFrames;
  glfwSetMouseButtonCallback(platform.window, [](GLFWwindow*, int, int, int) { WakeFrames(); });
  glfwSetCharCallback(platform.window, [](GLFWwindow*, unsigned int) { WakeFrames(); });
  glfwSetCursorEnterCallback(platform.window, [](GLFWwindow*, int) { WakeFrames(); });
  glfwSetWindowFocusCallback(platform.window, [](GLFWwindow*, int) { WakeFrames(); });
  glfwSetCursorPosCallback(platform.window, [](GLFWwindow*, double, double) { WakeFrames(); });
  ImGui_ImplGlfw_InitForOpenGL(platform.window, true);
  glfwSetKeyCallback(platform.window, OnKey);  // wakes, queues short presses, then the backend's
  glfwSetScrollCallback(platform.window, OnScroll);
  if (const std::string failure = scalecalc::app::InitWebGlRenderer(); !failure.empty()) {
    scalecalc::app::web::ReportFatal("scalecalc could not start: " + failure);
    return 1;
  }
  emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_FALSE, OnContextLost);
  emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_FALSE, OnContextRestored);
  scalecalc::app::TheApp().Start();

  emscripten_set_main_loop(Frame, 0, false);
  return 0;
}

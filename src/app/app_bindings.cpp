// app_bindings.cpp: what the page's JavaScript (web/main.js) may call in the app module: data
// arriving (paste, drop, file picker, examples, share links), worker reports, and the test hook
// (setOption / getResults / selectPanel) that browser tests use instead of scraping the canvas.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <utility>
#include <vector>

#include "app/app.h"
#include "app/bootstrap_job.h"
#include "app/cost_panel_state.h"
#include "app/design_job.h"
#include "app/examples.h"
#include "app/frame_pacing.h"
#include "app/frame_stats.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/plan_report.h"

namespace scalecalc::app {
namespace {

Model& model() {
  return TheApp().model();
}

void OnPaste(const std::string& text) {
  TheApp().OnPaste(text);
}

// The text by value: embind's copy of the JavaScript string is moved into the state, not copied.
std::string LoadCsv(std::string text, const std::string& name) {
  return model().LoadCsv(std::move(text), name);
}

// A dropped or picked file: a state file (JSON) restores an analysis, anything else is data.
std::string OpenFile(const std::string& name, std::string text) {
  const size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  const bool json = (name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0) ||
                    (first != std::string::npos && text[first] == '{');
  if (!json) {
    std::string error = model().LoadCsv(std::move(text), name);
    if (error.empty()) model().notice = "Opened " + name;
    return error;
  }
  std::string error = model().LoadStateJson(text);
  if (error.empty() && model().notice.empty()) model().notice = "Opened " + name;
  return error;
}

std::string LoadStateBytes(const emscripten::val& bytes) {
  std::string error =
      model().LoadStateBytes(emscripten::convertJSArrayToNumberVector<uint8_t>(bytes));
  return error;
}

// Input the page refused before it reached the core (a broken link, an oversized file): the
// current state stays, the message is shown where load errors are.
void ReportLoadError(const std::string& message) {
  model().load_error = message;
}

// What the page is fetching before the first data ("loading the example..."), shown where the
// panels and the status go; "" once it has arrived (or failed).
void SetLoading(const std::string& text) {
  TheApp().SetLoading(text);
}

std::string OnExampleText(int index, const std::string& text) {
  return ApplyExample(model(), index, text);
}

void OnBootstrapProgress(int generation, int done, int total) {
  BootstrapJob& job = model().bootstrap;
  if (generation != job.generation || !job.running) return;
  job.done = done;
  job.total = total;
}

// A job's samples (group -1: the whole table); the chain's next job starts (bootstrap_job.h).
// `failure`: "" (the fit's own answer, `message` its error when not ok), or the pool's own
// failure (bootstrap_pool.js), worded here with the button's label.
void OnBootstrapResult(int generation, int group, bool ok, const std::string& message,
                       const std::string& failure, const emscripten::val& samples) {
  BootstrapJob& job = model().bootstrap;
  if (generation != job.generation || group != job.group || !job.running) return;
  job.running = false;
  job.message = failure.empty() ? message : WorkerFailureMessage(failure);
  if (!ok) return;
  model().AttachBootstrap(generation, group,
                          emscripten::convertJSArrayToNumberVector<double>(samples));
  ContinueBootstrap(model());
}

void OnDesignProgressJs(int generation, int done, int total) {
  OnDesignProgress(model(), generation, done, total);
}
void OnDesignResultJs(int generation, bool ok, const std::string& message,
                      const std::string& json) {
  OnDesignResult(model(), generation, ok, message, json);
}
void StartDesignSimulationJs() {
  StartDesignSimulation(model());
}
void CancelDesignSimulationJs() {
  CancelDesignSimulation(model());
}

void OnCostResultJs(const std::string& json) {
  OnCostResult(json);
}
void OnCostProgressJs(int done, int total, const std::string& step) {
  OnCostProgress(done, total, step);
}
// Test hook: the cost panel's "time budget (s)" as a user types it; "" or why it is refused.
std::string SetCostBudget(double seconds) {
  TheCostMeasurement().budget_seconds = seconds;
  return ValidateBudgetSeconds(seconds);
}
void CancelCostMeasurementJs() {
  CancelCostMeasurement();
}
// Test hook: the cost panel's default models (planner + paper), as "Measure on this GPU" does.
void MeasurePlannedModels() {
  model().SetOption("typed_shape", "false");
  MeasureCostRows(model());
}

// Test hook for the cost panel: a typed-in shape and a small video, then a measurement.
void MeasureTypedShape(double width, double depth, double heads, double frames, double height_px,
                       double width_px) {
  Model& m = model();
  for (const auto& [key, value] : {std::pair<const char*, double>{"shape_width", width},
                                   {"shape_depth", depth},
                                   {"shape_heads", heads},
                                   {"frames", frames},
                                   {"height_px", height_px},
                                   {"width_px", width_px}}) {
    m.SetOption(key, ShortNumber(value));
  }
  m.SetOption("typed_shape", "true");
  MeasureCostRows(m);
}
std::string GetCostResult() {
  return CostMeasurementJson();
}

void SetNotice(const std::string& text) {
  model().Notify(text);
}
// A problem the page met (copying refused, a PNG not encoded): never in the success colour.
void SetProblemNotice(const std::string& text) {
  model().Notify(text, NoticeLevel::kProblem);
}
// The outcome of Copy link, for the data `serial` (Model::data_serial): dropped when other data
// was loaded meanwhile. level: NoticeLevel.
void ShareNotice(const std::string& text, int level, bool offer_state_file, int serial) {
  Model& m = model();
  if (serial != m.data_serial) return;
  const NoticeLevel kind = level == 2   ? NoticeLevel::kProblem
                           : level == 1 ? NoticeLevel::kCaution
                                        : NoticeLevel::kDone;
  m.Notify(text, kind, offer_state_file);
}
// Test hook: the status bar's notice as {text, level, offersStateFile}.
emscripten::val GetNotice() {
  const Model& m = model();
  emscripten::val notice = emscripten::val::object();
  notice.set("text", m.notice);
  notice.set("level", static_cast<int>(m.notice_level));
  notice.set("offersStateFile", m.notice_offers_state_file);
  return notice;
}

// Test hook.
std::string SetOption(const std::string& name, const std::string& value) {
  return model().SetOption(name, value);
}
std::string GetResults() {
  TheApp().Update();
  return ResultsJson(model());
}
// The results file's text (File > Download results (JSON)).
std::string ResultsJsonJs() {
  TheApp().Update();
  return AnalysisResultsJson(model());
}
std::string StateJsonJs() {
  return StateToJson(model().analysis);
}
std::string GetLoadError() {
  return model().load_error;
}
void CancelBootstrapJs() {
  CancelBootstrap(model());
}
// Test hook: the comparison table's "show" box of group `index` (0-based), as a click sets it.
std::string SetGroupShown(int index, bool shown) {
  Model& m = model();
  if (index < 0 || index >= static_cast<int>(m.group_shown.size()))
    return "there is no group " + std::to_string(index + 1);
  m.group_shown[index] = shown;
  return "";
}
std::string SelectPanel(const std::string& panel) {
  return model().SetOption("panel", panel);
}
// Frame cost for benchmarks (frame_stats.h).
std::string FrameStatsJson() {
  return TheFrameStats().Json();
}
void ResetFrameStats() {
  TheFrameStats().Reset();
}

// Touch and the on-screen keyboard (web/main.js reads touches; GLFW has no multi-touch).
void TouchPointer(float x, float y, bool down) {
  TheApp().OnTouchPointer(x, y, down);
}
void TouchScroll(float x, float y, float dx, float dy) {
  TheApp().OnTouchScroll(x, y, dx, dy);
}
void TouchPinch(float x, float y, double scale, float dx, float dy) {
  TheApp().OnPinch(x, y, scale, dx, dy);
}
bool PlotAt(float x, float y) {
  return PointInRect("plot.", x, y);
}
bool WantsTextInput() {
  return ImGui::GetIO().WantTextInput;
}
void TypeText(const std::string& text) {
  ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
}
void VirtualBackspace() {
  TheApp().OnVirtualBackspace();
}
// Test hook: where the header's widgets, the content area and each plot were drawn last frame.
std::string LayoutRects() {
  return LayoutRectsJson();
}

// A call from the page that can change what is shown wakes the frame rate first
// (frame_pacing.h): a test or the page that calls it sees the change in the next frame.
template <auto F>
struct Waking;
template <typename R, typename... Args, R (*F)(Args...)>
struct Waking<F> {
  static R Call(Args... args) {
    WakeFrames();
    return F(std::forward<Args>(args)...);
  }
};

// Test hook: whether the page draws at the idle rate now (frame_pacing.h).
bool FramesIdleJs() {
  return FramesIdle();
}

}  // namespace
}  // namespace scalecalc::app

// Every call that can change what is shown wakes the frame rate; the getters and the bootstrap's
// progress (which the idle rate draws) do not.
EMSCRIPTEN_BINDINGS(scalecalc_app) {
  using namespace scalecalc::app;
  emscripten::function("onPaste", &Waking<&OnPaste>::Call);
  emscripten::function("loadCsv", &Waking<&LoadCsv>::Call);
  emscripten::function("openFile", &Waking<&OpenFile>::Call);
  emscripten::function("loadStateBytes", &Waking<&LoadStateBytes>::Call);
  emscripten::function("reportLoadError", &Waking<&ReportLoadError>::Call);
  emscripten::function("onExampleText", &Waking<&OnExampleText>::Call);
  emscripten::function("setLoading", &Waking<&SetLoading>::Call);
  emscripten::function("onBootstrapProgress", &OnBootstrapProgress);
  emscripten::function("onBootstrapResult", &Waking<&OnBootstrapResult>::Call);
  emscripten::function("onDesignProgress", &Waking<&OnDesignProgressJs>::Call);
  emscripten::function("onDesignResult", &Waking<&OnDesignResultJs>::Call);
  emscripten::function("startDesignSimulation", &Waking<&StartDesignSimulationJs>::Call);
  emscripten::function("cancelDesignSimulation", &Waking<&CancelDesignSimulationJs>::Call);
  emscripten::function("setNotice", &Waking<&SetNotice>::Call);
  emscripten::function("setProblemNotice", &Waking<&SetProblemNotice>::Call);
  emscripten::function("shareNotice", &Waking<&ShareNotice>::Call);
  emscripten::function("getNotice", &GetNotice);
  emscripten::function("onCostResult", &Waking<&OnCostResultJs>::Call);
  emscripten::function("onCostProgress", &Waking<&OnCostProgressJs>::Call);
  emscripten::function("setCostBudget", &Waking<&SetCostBudget>::Call);
  emscripten::function("cancelCostMeasurement", &Waking<&CancelCostMeasurementJs>::Call);
  emscripten::function("measurePlannedModels", &Waking<&MeasurePlannedModels>::Call);
  emscripten::function("measureTypedShape", &Waking<&MeasureTypedShape>::Call);
  emscripten::function("getCostResult", &GetCostResult);
  emscripten::function("setOption", &Waking<&SetOption>::Call);
  emscripten::function("getResults", &GetResults);
  emscripten::function("resultsJson", &ResultsJsonJs);
  emscripten::function("getLoadError", &GetLoadError);
  emscripten::function("stateJson", &StateJsonJs);
  emscripten::function("cancelBootstrap", &Waking<&CancelBootstrapJs>::Call);
  emscripten::function("selectPanel", &Waking<&SelectPanel>::Call);
  emscripten::function("setGroupShown", &Waking<&SetGroupShown>::Call);
  emscripten::function("frameStatsJson", &FrameStatsJson);
  emscripten::function("resetFrameStats", &ResetFrameStats);
  emscripten::function("touchPointer", &Waking<&TouchPointer>::Call);
  emscripten::function("touchScroll", &Waking<&TouchScroll>::Call);
  emscripten::function("touchPinch", &Waking<&TouchPinch>::Call);
  emscripten::function("plotAt", &PlotAt);
  emscripten::function("wantsTextInput", &WantsTextInput);
  emscripten::function("typeText", &Waking<&TypeText>::Call);
  emscripten::function("virtualBackspace", &Waking<&VirtualBackspace>::Call);
  emscripten::function("layoutRects", &LayoutRects);
  emscripten::function("framesIdle", &FramesIdleJs);
}

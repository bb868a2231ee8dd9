#include "app/cost_panel_state.h"

#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "app/text_layout.h"
#include "core/dit_flops.h"
#include "core/json.h"

EM_JS(void, js_measure_blocks, (const char* json),
      { Module.bridge.measureBlocks(UTF8ToString(json)); });
EM_JS(void, js_cancel_cost_measurement, (), { Module.bridge.cancelCostMeasurement(); });

namespace scalecalc::app {

namespace {
bool InRange(double v, double lo, double hi) {
  return std::isfinite(v) && v >= lo && v <= hi;
}
}  // namespace

const BlockTiming* CostMeasurement::Find(const std::string& label) const {
  for (const BlockTiming& b : blocks) {
    if (b.label == label) return &b;
  }
  return nullptr;
}

CostMeasurement& TheCostMeasurement() {
  static CostMeasurement measurement;
  return measurement;
}

double RequestBlockMacs(const MeasureRequest& request, double tokens) {
  DitConfig config;
  config.depth = request.depth;
  config.width = request.width;
  config.tokens = tokens;
  config.cross_attention = request.cross_attention;
  config.text_tokens = request.text_tokens;
  return DitBlockMacs(config);
}

double FallbackTokens(const MeasureRequest& request) {
  double tokens = request.tokens;
  while (tokens > kFallbackMinTokens && 2 * RequestBlockMacs(request, tokens) > kFallbackBlockFlops)
    tokens = std::max(kFallbackMinTokens, std::floor(tokens / 2));
  return tokens;
}

std::string ValidateBudgetSeconds(double seconds) {
  if (!InRange(seconds, kMinBudgetSeconds, kMaxBudgetSeconds))
    return "time budget (s) must be a number of seconds from 1 to 600";
  return "";
}

std::string StartCostMeasurement(const std::vector<MeasureRequest>& requests) {
  CostMeasurement& m = TheCostMeasurement();
  const std::string error = ValidateBudgetSeconds(m.budget_seconds);
  if (!error.empty()) {
    m.message = error;
    return error;
  }
  Json list = Json::array();
  m.requests = requests;
  for (MeasureRequest& r : m.requests) {
    r.fallback_tokens = FallbackTokens(r);
    list.push_back({{"label", r.label},
                    {"tokens", r.tokens},
                    {"fallbackTokens", r.fallback_tokens},
                    {"width", r.width},
                    {"heads", r.heads},
                    {"textTokens", r.text_tokens},
                    {"crossAttention", r.cross_attention},
                    {"depth", r.depth}});
  }
  m.running = true;
  m.done = 0;
  m.total = static_cast<int>(requests.size());
  m.step.clear();
  m.message.clear();
  const Json request = {{"budgetSeconds", m.budget_seconds}, {"requests", list}};
  js_measure_blocks(request.dump().c_str());
  return "";
}

void CancelCostMeasurement() {
  if (TheCostMeasurement().running) js_cancel_cost_measurement();
}

void OnCostProgress(int done, int total, const std::string& step) {
  CostMeasurement& m = TheCostMeasurement();
  if (!m.running) return;
  m.done = done;
  m.total = total;
  m.step = step;
}

// A field of the page's JSON when it has the fallback's type, else the fallback (nlohmann's
// value() would throw on a wrong type: a malformed measurement reads as absent fields instead).
static std::string StringField(const Json& object, const char* key, const char* fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}
static double NumberField(const Json& object, const char* key, double fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}
static bool BoolField(const Json& object, const char* key, bool fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// Fills `out` from the page's JSON; a field of the wrong type reads as absent.
static void ReadCostJson(const Json& json, CostMeasurement* out) {
  CostMeasurement& m = *out;
  m.device = StringField(json, "device", "");
  m.message = StringField(json, "message", "");
  // The page could not fetch the measurement's code (web/main.js): worded here, with the label.
  if (StringField(json, "failure", "") == "download") {
    m.message = DownloadRetryMessage("The measurement's code", kMeasureLabel) + ".";
  }
  m.timing_method = StringField(json, "timing", "");
  m.fallback = BoolField(json, "fallback", false);
  m.blocks.clear();
  m.kernels.clear();
  if (json.contains("blocks") && json["blocks"].is_array()) {
    for (const auto& b : json["blocks"]) {
      if (!b.is_object()) continue;
      BlockTiming timing;
      timing.label = StringField(b, "label", "");
      timing.ok = BoolField(b, "ok", false);
      timing.message = StringField(b, "message", "");
      timing.block_ms = timing.measured_ms = NumberField(b, "blockMs", 0.0);
      timing.block_gflops = NumberField(b, "blockGflops", 0.0);
      timing.measured_tokens = NumberField(b, "measuredTokens", 0.0);
      // Timed at fewer tokens (a software adapter): scaled up by the core's FLOP ratio.
      for (const MeasureRequest& r : m.requests) {
        if (!timing.ok || r.label != timing.label || !(timing.measured_tokens > 0) ||
            timing.measured_tokens == r.tokens)
          continue;
        timing.extrapolated = true;
        timing.flop_ratio =
            RequestBlockMacs(r, r.tokens) / RequestBlockMacs(r, timing.measured_tokens);
        timing.block_ms = timing.measured_ms * timing.flop_ratio;
      }
      m.blocks.push_back(timing);
    }
  }
  if (json.contains("kernels") && json["kernels"].is_array()) {
    for (const auto& k : json["kernels"]) {
      if (k.is_object())
        m.kernels.push_back(
            {StringField(k, "name", ""), NumberField(k, "ms", 0.0), NumberField(k, "gflops", 0.0)});
    }
  }
}

void OnCostResult(const std::string& text) {
  CostMeasurement& m = TheCostMeasurement();
  m.running = false;
  // Parsed from a string_view's iterators, as the state decoder parses: one instantiation of
  // nlohmann's parser in the module, not one per input type.
  const std::string_view view(text);
  const Json json = Json::parse(view.begin(), view.end(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    m.message = "the WebGPU measurement returned nothing readable";
    return;
  }
  ReadCostJson(json, &m);
}

std::string CostMeasurementJson() {
  const CostMeasurement& m = TheCostMeasurement();
  Json blocks = Json::array();
  for (const BlockTiming& b : m.blocks) {
    blocks.push_back({{"label", b.label},
                      {"ok", b.ok},
                      {"message", b.message},
                      {"blockMs", b.block_ms},
                      {"blockGflops", b.block_gflops},
                      {"extrapolated", b.extrapolated},
                      {"measuredTokens", b.measured_tokens},
                      {"measuredMs", b.measured_ms},
                      {"flopRatio", b.flop_ratio}});
  }
  Json requests = Json::array();
  for (const MeasureRequest& r : m.requests)
    requests.push_back({{"label", r.label},
                        {"tokens", r.tokens},
                        {"fallbackTokens", r.fallback_tokens},
                        {"width", r.width},
                        {"textTokens", r.text_tokens}});
  return Json{{"running", m.running},      {"done", m.done},
              {"total", m.total},          {"budgetSeconds", m.budget_seconds},
              {"fallback", m.fallback},    {"requests", requests},
              {"device", m.device},        {"message", m.message},
              {"timing", m.timing_method}, {"blocks", blocks}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace scalecalc::app

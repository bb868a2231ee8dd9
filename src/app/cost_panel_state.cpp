#include "app/cost_panel_state.h"

#include <emscripten.h>

#include <cmath>
#include <nlohmann/json.hpp>

EM_JS(void, js_measure_blocks, (const char* json),
      { Module.bridge.measureBlocks(UTF8ToString(json)); });

namespace scalecalc::app {

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

void StartCostMeasurement(const std::vector<MeasureRequest>& requests) {
  nlohmann::json list = nlohmann::json::array();
  for (const MeasureRequest& r : requests) {
    list.push_back({{"label", r.label},
                    {"tokens", r.tokens},
                    {"width", r.width},
                    {"heads", r.heads},
                    {"textTokens", r.text_tokens},
                    {"crossAttention", r.cross_attention},
                    {"depth", r.depth}});
  }
  CostMeasurement& m = TheCostMeasurement();
  m.running = true;
  m.message.clear();
  js_measure_blocks(list.dump().c_str());
}

// Fills `out` from the page's JSON; throws on a field of the wrong type.
static void ReadCostJson(const nlohmann::json& json, CostMeasurement* out) {
  CostMeasurement& m = *out;
  m.device = json.value("device", "");
  m.message = json.value("message", "");
  m.timing_method = json.value("timing", "");
  m.blocks.clear();
  m.kernels.clear();
  if (json.contains("blocks") && json["blocks"].is_array()) {
    for (const auto& b : json["blocks"]) {
      if (!b.is_object()) continue;
      m.blocks.push_back({b.value("label", ""), b.value("ok", false), b.value("message", ""),
                          b.value("blockMs", 0.0), b.value("blockGflops", 0.0)});
    }
  }
  if (json.contains("kernels") && json["kernels"].is_array()) {
    for (const auto& k : json["kernels"]) {
      if (k.is_object())
        m.kernels.push_back({k.value("name", ""), k.value("ms", 0.0), k.value("gflops", 0.0)});
    }
  }
}

void OnCostResult(const std::string& text) {
  CostMeasurement& m = TheCostMeasurement();
  m.running = false;
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    m.message = "the WebGPU measurement returned nothing readable";
    return;
  }
  try {  // a field of the wrong type throws in nlohmann's value(): report, never abort
    ReadCostJson(json, &m);
  } catch (const std::exception& error) {
    m.message = std::string("the WebGPU measurement returned malformed results: ") + error.what();
  }
}

std::string CostMeasurementJson() {
  const CostMeasurement& m = TheCostMeasurement();
  nlohmann::json blocks = nlohmann::json::array();
  for (const BlockTiming& b : m.blocks) {
    blocks.push_back({{"label", b.label},
                      {"ok", b.ok},
                      {"message", b.message},
                      {"blockMs", b.block_ms},
                      {"blockGflops", b.block_gflops}});
  }
  return nlohmann::json{{"running", m.running},
                        {"device", m.device},
                        {"message", m.message},
                        {"timing", m.timing_method},
                        {"blocks", blocks}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace scalecalc::app

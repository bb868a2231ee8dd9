#include "app/design_job.h"

#include <emscripten.h>

#include <string>
#include <vector>

#include "core/json.h"

EM_JS(void, js_start_design, (int generation, const uint8_t* bytes, int size),
      { Module.bridge.startDesign(generation, HEAPU8.slice(bytes, bytes + size)); });
EM_JS(void, js_cancel_design, (), { Module.bridge.cancelDesign(); });
EM_JS(double, js_now_ms, (), { return performance.now(); });

namespace scalecalc::app {

namespace {

double Number(const Json& j) {
  return j.is_number() ? j.get<double>() : NAN;
}
Interval Ci(const Json& j) {
  return j.is_array() && j.size() == 2 ? Interval{Number(j[0]), Number(j[1])} : Interval{};
}

// The set and its numbers from design --json; false when it is not one.
bool ReadSummary(const std::string& text, DesignSimulation* job) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("recommended") || !j.contains("simulation")) return false;
  const Json& set = j["recommended"];
  for (const Json& c : set.value("cells", Json::array())) {
    DesignCandidate cell;
    cell.params = Number(c["params"]);
    cell.tokens = Number(c["tokens"]);
    cell.runs = c.value("runs", 0);
    cell.flops = Number(c["flops"]);
    for (const Json& v : c.value("lr", Json::array())) cell.lr.push_back(Number(v));
    for (const Json& v : c.value("batch_tokens", Json::array()))
      cell.batch_tokens.push_back(Number(v));
    cell.expected_params_ci = Ci(c["expected_params_ci95"]);
    job->set_cells.push_back(cell);
  }
  job->set_runs = set.value("runs", 0);
  job->set_flops = Number(set["flops"]);
  job->set_narrowing = Number(set["narrowing"]);
  job->set_params_ci = Ci(set["expected_params_ci95"]);
  job->current_params_ci = Ci(j["current"]["params_ci95"]);
  job->draws = j["simulation"].value("draws", 0);
  job->confirm_draws = j["simulation"].value("confirm_draws", 0);
  job->refits = j["simulation"].value("refits", 0);
  return true;
}

}  // namespace

void StartDesignSimulation(Model& model) {
  if (!model.results.design.ok || !model.results.design.identified) return;
  DesignSimulation& job = model.design_simulation;
  job = DesignSimulation{};
  job.running = true;
  job.generation = model.generation;
  job.started_ms = js_now_ms();
  const std::vector<uint8_t> bytes = EncodeState(model.analysis);
  js_start_design(model.generation, bytes.data(), static_cast<int>(bytes.size()));
}

void CancelDesignSimulation(Model& model) {
  DesignSimulation& job = model.design_simulation;
  if (!job.running) return;
  js_cancel_design();
  job.running = false;
  job.message = "cancelled";
}

void OnDesignProgress(Model& model, int generation, int done, int total) {
  DesignSimulation& job = model.design_simulation;
  if (generation != job.generation || !job.running) return;
  job.done = done;
  job.total = total;
}

void OnDesignResult(Model& model, int generation, bool ok, const std::string& message,
                    const std::string& json) {
  DesignSimulation& job = model.design_simulation;
  if (generation != job.generation || !job.running) return;
  job.running = false;
  job.has_result = true;
  job.ok = ok;
  job.message = message;
  job.json = json;
  job.seconds = (js_now_ms() - job.started_ms) / 1000;
  if (ok && !ReadSummary(json, &job)) {
    job.ok = false;
    job.message = "the design worker's answer could not be read";
  }
}

}  // namespace scalecalc::app

#include "app/bootstrap_job.h"

#include <emscripten.h>

EM_JS(void, js_start_bootstrap, (int generation, const uint8_t* bytes, int size, int total),
      { Module.bridge.startBootstrap(generation, HEAPU8.slice(bytes, bytes + size), total); });
EM_JS(void, js_cancel_bootstrap, (), { Module.bridge.cancelBootstrap(); });

namespace scalecalc::app {

void StartBootstrap(Model& model) {
  if (!model.fit.ok || model.analysis.fit.bootstrap_samples <= 0) return;
  const std::vector<uint8_t> bytes = EncodeState(model.analysis);
  model.bootstrap =
      BootstrapJob{true, 0, model.analysis.fit.bootstrap_samples, model.generation, ""};
  js_start_bootstrap(model.generation, bytes.data(), static_cast<int>(bytes.size()),
                     model.analysis.fit.bootstrap_samples);
}

void CancelBootstrap(Model& model) {
  if (!model.bootstrap.running) return;
  js_cancel_bootstrap();
  model.bootstrap.running = false;
  model.bootstrap.message = "bootstrap cancelled";
}

}  // namespace scalecalc::app

#include "app/bootstrap_job.h"

#include <emscripten.h>

#include <algorithm>
#include <string>

#include "app/text_layout.h"

EM_JS(void, js_start_bootstrap,
      (int generation, int group, const uint8_t* bytes, int size, int total), {
        Module.bridge.startBootstrap(generation, group, HEAPU8.slice(bytes, bytes + size), total);
      });
EM_JS(void, js_cancel_bootstrap, (), { Module.bridge.cancelBootstrap(); });

namespace scalecalc::app {

namespace {

constexpr int kNoJob = -2;

// The job after `after` (kNoJob: the first): the whole table (-1) when it has laws to resample,
// then each such group (a partial one too: its lr and batch laws keep intervals); kNoJob when none
// is left.
int NextJob(const Model& model, int after) {
  // The whole table only when it is the headline (a headline group's job serves it too).
  if (after < -1 && HasLawsToResample(model.results.fit) && model.HeadlineGroup() < 0) return -1;
  for (int g = std::max(after + 1, 0); g < static_cast<int>(model.results.groups.size()); ++g) {
    if (HasLawsToResample(model.results.groups[g].analysis.fit)) return g;
  }
  return kNoJob;
}

void Launch(Model& model, int group) {
  const int total = model.analysis.fit.bootstrap_samples;
  model.bootstrap = BootstrapJob{true, 0, total, model.generation, group, ""};
  // The workers get the data as it is: nothing to gain from the link's compact table here, and
  // no second reading of the text per job.
  EncodeOptions whole_text;
  whole_text.compact_data = false;
  const std::vector<uint8_t> bytes = EncodeState(model.analysis, whole_text);
  js_start_bootstrap(model.generation, group, bytes.data(), static_cast<int>(bytes.size()), total);
}

}  // namespace

void StartBootstrap(Model& model) {
  if (model.analysis.fit.bootstrap_samples <= 0) return;
  const int first = NextJob(model, kNoJob);
  if (first != kNoJob) Launch(model, first);
}

void ContinueBootstrap(Model& model) {
  const BootstrapJob& done = model.bootstrap;
  if (done.running || done.generation != model.generation || !done.message.empty()) return;
  const int next = NextJob(model, done.group);
  if (next != kNoJob) Launch(model, next);
}

void CancelBootstrap(Model& model) {
  if (!model.bootstrap.running) return;
  js_cancel_bootstrap();
  model.bootstrap.running = false;
  model.bootstrap.message = "bootstrap cancelled";
}

std::string WorkerFailureMessage(const std::string& failure) {
  if (failure == "download")
    return DownloadRetryMessage("the bootstrap's worker", kComputeIntervalsLabel);
  return std::string("the bootstrap stopped on an error in its worker: press \"") +
         kComputeIntervalsLabel + "\" to try again";
}

std::string BootstrapProgressLabel(const Model& model) {
  const BootstrapJob& job = model.bootstrap;
  std::string label = "bootstrap";
  if (job.group >= 0 && job.group < static_cast<int>(model.results.groups.size())) {
    label += " of group " + model.results.groups[job.group].name + " (" +
             std::to_string(job.group + 1) + " of " + std::to_string(model.results.groups.size()) +
             ")";
  }
  return label + " " + std::to_string(job.done) + " / " + std::to_string(job.total);
}

}  // namespace scalecalc::app

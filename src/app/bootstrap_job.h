// bootstrap_job.h: bootstrap intervals computed off the main thread. The state is encoded (the
// same bytes as a share link) and handed to web/fit_worker.js, which runs the core's fit with
// resampling in its own wasm instance and reports progress; the samples come back to
// Model::AttachBootstrap. Cancelling withdraws a job the worker has not started and terminates
// the worker when it is computing (web/main.js).
#pragma once

#include "app/model.h"

namespace scalecalc::app {

void StartBootstrap(Model& model);
void CancelBootstrap(Model& model);

}  // namespace scalecalc::app

// bootstrap_job.h: bootstrap intervals computed off the main thread. The state is encoded (the
// same bytes as a share link) and handed to the page's pool of fitting workers
// (web/bootstrap_pool.js, web/fit_worker.js), each running the core's fit for a share of the
// resamples in its own wasm instance; progress is summed, and the shares' samples, concatenated
// in order, come back to Model::AttachBootstrap. Cancelling terminates the workers.
#pragma once

#include "app/model.h"

namespace scalecalc::app {

void StartBootstrap(Model& model);
void CancelBootstrap(Model& model);

}  // namespace scalecalc::app

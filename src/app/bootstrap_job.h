// bootstrap_job.h: bootstrap intervals computed off the main thread. The state is encoded (the
// same bytes as a share link) and handed to the page's pool of fitting workers
// (web/bootstrap_pool.js, web/fit_worker.js), each running the core's fit for a share of the
// resamples in its own wasm instance; progress is summed, and the shares' samples, concatenated
// in order, come back to Model::AttachBootstrap. Cancelling terminates the workers.
//
// With a group column, the jobs run one after another with the same options and seed: the whole
// table, then each fitted group in order (the worker fits the group's rows alone, as the CLI's
// --group-by does). Cancel stops the chain; a failed job ends it with its message.
#pragma once

#include <string>

#include "app/model.h"

namespace scalecalc::app {

// The Fit panel's button that starts the chain: messages that ask the user to press it quote it.
constexpr const char* kComputeIntervalsLabel = "Compute intervals (bootstrap)";

// What to tell the user when the page's pool of workers failed on its own (not the fit):
// `failure` "download" (a worker's script could not be fetched) or "error" (a worker stopped on
// an error), as web/bootstrap_pool.js reports them.
std::string WorkerFailureMessage(const std::string& failure);

// Starts the chain from its first job (the whole table when fitted, else the first fitted group).
void StartBootstrap(Model& model);
// After a job's samples are attached: starts the next job of the chain, if any.
void ContinueBootstrap(Model& model);
void CancelBootstrap(Model& model);
// "bootstrap 120 / 1000", with the group and how far the chain is when it runs for a group.
std::string BootstrapProgressLabel(const Model& model);

}  // namespace scalecalc::app

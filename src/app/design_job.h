// design_job.h: the sweep designer's simulation (core/designer.h) off the main thread. The state is
// encoded (the same bytes as a share link) and handed to a fitting worker of its own
// (web/fit_worker.js, message type 'design'), which runs the simulated design (hundreds of
// refits) with progress; the result comes back as `design --json`. Cancelling terminates the
// worker. A new fit (another generation) drops an older result.
#pragma once

#include "app/model.h"

namespace scalecalc::app {

constexpr const char* kSimulateDesignLabel = "Simulate the set (workers)";

void StartDesignSimulation(Model& model);
void CancelDesignSimulation(Model& model);
// From the worker: progress in refits, then the result.
void OnDesignProgress(Model& model, int generation, int done, int total);
void OnDesignResult(Model& model, int generation, bool ok, const std::string& message,
                    const std::string& json);

}  // namespace scalecalc::app

#include "app/frame_pacing.h"

#include <emscripten.h>

namespace scalecalc::app {

namespace {

double last_activity_ms = 0;
bool idle = false;

// The idle rate runs on timeouts, not animation frames: a page that asks for every animation
// frame keeps the browser's frame pipeline busy even when it draws none of them.
void SetIdle(bool value) {
  if (value == idle) return;
  idle = value;
  if (idle) {
    emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, kIdleFrameMs);
  } else {
    emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
  }
}

}  // namespace

void WakeFrames() {
  last_activity_ms = emscripten_get_now();
  SetIdle(false);
}

void PaceFrames(bool bootstrap_running) {
  SetIdle(bootstrap_running && emscripten_get_now() - last_activity_ms > kIdleAfterMs);
}

bool FramesIdle() {
  return idle;
}

}  // namespace scalecalc::app

// frame_pacing.h: how often the page draws. Every animation frame while anything happens; while a
// bootstrap runs and nothing else has happened for kIdleAfterMs, one frame every kIdleFrameMs,
// which still moves its progress bar. On a CPU rasteriser (SwiftShader) the page's frames took a
// quarter of the fitting worker's time on 2 cores (bench/README.md). Input (main.cpp's GLFW
// callbacks, the touch bindings) and every call from the page that can change what is shown
// (app_bindings.cpp) bring back every frame at once.
#pragma once

namespace scalecalc::app {

// Long enough for Dear ImGui to settle what an input changed (a few frames), short against a
// bootstrap of a second.
constexpr double kIdleAfterMs = 100;
constexpr int kIdleFrameMs = 200;

// Something happened: draw every animation frame again, from the next one.
void WakeFrames();
// After each frame: the idle rate once a bootstrap is running and nothing has happened for
// kIdleAfterMs, else every animation frame.
void PaceFrames(bool bootstrap_running);
// Whether the page draws at the idle rate now (the test hook).
bool FramesIdle();

}  // namespace scalecalc::app

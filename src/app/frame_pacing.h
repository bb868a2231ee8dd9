// frame_pacing.h: how often the page draws. Every animation frame while anything happens; once
// nothing has happened for kIdleAfterMs, one frame every kIdleFrameMs while the screen stands
// still, or while a bootstrap runs (its progress bar still moves at that rate). On a CPU
// rasteriser (SwiftShader) the page's frames took a quarter of the fitting worker's time on 2
// cores (bench/README.md), and a page that redraws a still screen 60 times a second spends a
// laptop's or phone's battery on nothing. Input (main.cpp's GLFW callbacks, the touch bindings),
// every call from the page that can change what is shown (app_bindings.cpp) and an idle frame
// that draws something new (a late result, a text cursor's blink) bring back every frame at once.
#pragma once

#include <cstdint>

struct ImDrawData;

namespace scalecalc::app {

// Long enough for Dear ImGui to settle what an input changed (a few frames), short against a
// bootstrap of a second.
constexpr double kIdleAfterMs = 100;
constexpr int kIdleFrameMs = 200;

// Something happened: draw every animation frame again, from the next one.
void WakeFrames();
// After each frame, with what it drew: the idle rate once nothing has happened for kIdleAfterMs
// and either a bootstrap is running or the frame drew what the one before it did; else every
// animation frame.
void PaceFrames(bool bootstrap_running, const ImDrawData& draw_data);
// Whether the page draws at the idle rate now (the test hook).
bool FramesIdle();

// What a frame drew, as one number: its vertices, indices, clip rectangles and textures hashed
// (64-bit FNV-1a over 8-byte words, so a change in any one word always changes it).
uint64_t DrawSignature(const ImDrawData& draw_data);

}  // namespace scalecalc::app

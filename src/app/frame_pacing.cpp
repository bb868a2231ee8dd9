#include "app/frame_pacing.h"

#include <emscripten.h>

#include <cstddef>
#include <cstring>

#include "imgui.h"

namespace scalecalc::app {

namespace {

double last_activity_ms = 0;
bool idle = false;
uint64_t last_signature = 0;  // of the previous quiet frame; 0: none yet

// The idle rate runs on timeouts, not animation frames: a page that asks for every animation
// frame keeps the browser's frame pipeline busy even when it draws none of them.
void SetIdle(bool value) {
  if (value == idle) return;
  idle = value;
  if (idle) {
    emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, kIdleFrameMs);
  } else {
    emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
    // The idle rate's pending timeout would hold the next frame back by up to kIdleFrameMs, the
    // answer to a click included: a fresh loop draws at the next animation frame (the old loop's
    // timeout then finds itself stale and ends).
    emscripten_pause_main_loop();
    emscripten_resume_main_loop();
  }
}

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t Mix(uint64_t hash, const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (; bytes >= 8; bytes -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    hash = (hash ^ word) * kFnvPrime;
  }
  if (bytes > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, bytes);
    hash = (hash ^ word) * kFnvPrime;
  }
  return hash;
}

}  // namespace

void WakeFrames() {
  last_activity_ms = emscripten_get_now();
  last_signature = 0;
  SetIdle(false);
}

void PaceFrames(bool bootstrap_running, const ImDrawData& draw_data) {
  if (emscripten_get_now() - last_activity_ms <= kIdleAfterMs) return;
  if (bootstrap_running) {
    SetIdle(true);
    return;
  }
  const uint64_t signature = DrawSignature(draw_data);
  const bool unchanged = signature == last_signature;
  last_signature = signature;
  if (unchanged) {
    SetIdle(true);
  } else if (idle) {
    WakeFrames();  // something new on screen: let it settle at the full rate
  }
}

bool FramesIdle() {
  return idle;
}

uint64_t DrawSignature(const ImDrawData& draw_data) {
  uint64_t hash = Mix(kFnvOffset, &draw_data.DisplaySize, sizeof draw_data.DisplaySize);
  for (int n = 0; n < draw_data.CmdListsCount; ++n) {
    const ImDrawList& list = *draw_data.CmdLists[n];
    hash = Mix(hash, list.VtxBuffer.Data, static_cast<size_t>(list.VtxBuffer.size_in_bytes()));
    hash = Mix(hash, list.IdxBuffer.Data, static_cast<size_t>(list.IdxBuffer.size_in_bytes()));
    for (const ImDrawCmd& command : list.CmdBuffer) {
      const ImTextureID texture = command.GetTexID();
      hash = Mix(hash, &command.ClipRect, sizeof command.ClipRect);
      hash = Mix(hash, &texture, sizeof texture);
      hash = Mix(hash, &command.ElemCount, sizeof command.ElemCount);
      hash = Mix(hash, &command.IdxOffset, sizeof command.IdxOffset);
    }
  }
  return hash == 0 ? 1 : hash;  // 0 means "none yet"
}

}  // namespace scalecalc::app

// webgl_renderer.h: Dear ImGui's draw data on the page's WebGL2 context.
//
// In place of Dear ImGui's OpenGL 3 backend, which is written for a context shared with unknown
// code: it reads the GL state back before every draw and restores it after. On WebGL each such
// read is a synchronous round trip to the browser's GPU process, which waits for every command
// queued before it; on a software rasteriser three of them took 40 ms of the first frame
// (bench/README.md, "The page"). The app owns its context, so this renderer sets the state it
// draws with, restores nothing, and never reads from the GL except once, to check its shaders.
// The one texture it samples is the font atlas, as a single coverage channel: an RGBA image
// (ImGui::Image) would need a second fragment shader.
#pragma once

#include <string>

#include "imgui.h"

namespace scalecalc::app {

// Creates the shader program, buffers and vertex layout in the current context. Empty on
// success, else what failed (the shader compiler's log), for the page's error message. Called
// again when a lost context is restored (then UploadFontAtlas too): the old objects are gone.
std::string InitWebGlRenderer();

// Uploads Dear ImGui's font atlas as the font texture (replacing the previous one) and hands the
// texture to the atlas. Called whenever the atlas is rebuilt.
void UploadFontAtlas();

// Draws one frame's draw data over the whole framebuffer. Leaves scissoring off, so that a
// later clear or read-back covers the whole canvas.
void DrawImGuiData(const ImDrawData& draw_data, int framebuffer_width_px,
                   int framebuffer_height_px);

}  // namespace scalecalc::app

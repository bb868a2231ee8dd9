// web_bridge.h: the few things the app asks of the page's JavaScript (web/main.js): messages the
// canvas cannot show, the clipboard, downloads, the file picker and the example files. (The URL
// fragment is share.h's, the fitting worker bootstrap_job.h's, the WebGPU kernels
// cost_panel_state.h's.)
#pragma once

#include <string>

#include "imgui.h"

namespace scalecalc::app::web {

void ReportFatal(const std::string& message);  // replaces the canvas with a readable message
void CopyToClipboard(const std::string& text);
void Download(const std::string& file_name, const std::string& mime, const std::string& content);
void OpenFilePicker();
// Saves a region of the canvas (screen pixels = device pixels) as a PNG download: read back right
// after this frame is rendered (CaptureRequestedPng), so it is exactly what is on screen.
void SaveCanvasPng(const std::string& file_name, ImVec2 min, ImVec2 max);
// Called by the platform layer after rendering a frame, with the GL context current.
void CaptureRequestedPng(int framebuffer_height_px);
// Fetches a file of the site; the text comes back through the app's onExampleText(index, text).
void FetchExample(int index, const std::string& path);

}  // namespace scalecalc::app::web

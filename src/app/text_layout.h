// text_layout.h: the app's pure text helpers, free of Dear ImGui so they test natively.
//   - WrapWords: breaks text into lines at spaces only, so "0.1%" or "2.087e+09" is never split
//     (Dear ImGui's own word wrap breaks after '.' and ',').
//   - LayoutMode: the page's arrangement for a window width in CSS pixels.
//   - DownloadRetryMessage: one wording for every piece of code the page fetches on demand.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace scalecalc::app {

// Measures the width of a piece of text in the caller's units (pixels for ImGui).
using TextWidthFn = std::function<float(std::string_view)>;

// Lines of `text` no wider than `max_width` where possible: breaks at spaces (and at '\n', which
// always breaks); a single word wider than the line stays whole on its own line. Spaces at a
// break are dropped. max_width <= 0 or not finite: only '\n' breaks.
std::vector<std::string> WrapWords(std::string_view text, float max_width,
                                   const TextWidthFn& width_of);

// "<what> could not be downloaded from this site: check the connection, then press "<label>"
// again".
std::string DownloadRetryMessage(const std::string& what, const std::string& control_label);

enum class LayoutMode {
  kPhone,    // one column: stacked sections, full-width fields with labels above, menu button
  kDesktop,  // today's arrangement
};
// Below this width (CSS px) the page uses the phone layout. Chosen from screenshots: the
// desktop header (title, subtitle, File, Load example, Copy link) needs ~700 px, and two plots
// side by side are unreadable below ~360 px each.
constexpr float kPhoneMaxWidthCssPx = 720;
LayoutMode LayoutModeForWidth(float width_css_px);

}  // namespace scalecalc::app

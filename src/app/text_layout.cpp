#include "app/text_layout.h"

#include <algorithm>
#include <cmath>

namespace scalecalc::app {

namespace {

// Lines are runs of the paragraph itself, so spacing inside a line is kept as written.
void WrapParagraph(std::string_view paragraph, float max_width, const TextWidthFn& width_of,
                   std::vector<std::string>* lines) {
  const bool wraps = std::isfinite(max_width) && max_width > 0;
  size_t line_begin = 0;  // leading spaces of the paragraph are kept (indentation)
  size_t line_end = std::string_view::npos;  // end of the line's last word; npos: no word yet
  size_t i = 0;
  while (true) {
    const size_t start = paragraph.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    size_t end = paragraph.find(' ', start);
    if (end == std::string_view::npos) end = paragraph.size();
    if (wraps && line_end != std::string_view::npos &&
        width_of(paragraph.substr(line_begin, end - line_begin)) > max_width) {
      lines->emplace_back(paragraph.substr(line_begin, line_end - line_begin));
      line_begin = start;
    }
    line_end = end;
    i = end;
  }
  lines->emplace_back(line_end == std::string_view::npos
                          ? std::string_view()
                          : paragraph.substr(line_begin, line_end - line_begin));
}

}  // namespace

std::vector<std::string> WrapWords(std::string_view text, float max_width,
                                   const TextWidthFn& width_of) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (true) {
    const size_t newline = text.find('\n', begin);
    const std::string_view paragraph = text.substr(
        begin, newline == std::string_view::npos ? std::string_view::npos : newline - begin);
    WrapParagraph(paragraph, max_width, width_of, &lines);
    if (newline == std::string_view::npos) break;
    begin = newline + 1;
  }
  return lines;
}

std::string DownloadRetryMessage(const std::string& what, const std::string& control_label) {
  return what + " could not be downloaded from this site: check the connection, then press \"" +
         control_label + "\" again";
}

LayoutMode LayoutModeForWidth(float width_css_px) {
  return std::isfinite(width_css_px) && width_css_px < kPhoneMaxWidthCssPx ? LayoutMode::kPhone
                                                                           : LayoutMode::kDesktop;
}

}  // namespace scalecalc::app

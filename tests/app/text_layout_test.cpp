// The app's pure text helpers: word wrap that never splits a number, and the layout breakpoint.
// Widths are measured as character counts (a monospace oracle independent of any font).
#include "app/text_layout.h"

#include <gtest/gtest.h>

#include <limits>
#include <sstream>

namespace scalecalc::app {
namespace {

float Chars(std::string_view text) {
  return static_cast<float>(text.size());
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TEST(WrapWords, NeverSplitsANumberAndKeepsLinesWithinTheWidth) {
  // The sentences the issue saw broken by Dear ImGui's wrap ("0. / 10%", "2. / 087e+09").
  const std::string text =
      "A 1.07B-parameter model is predicted within 0.10% of the optimal loss = 2.087e+09 "
      "FLOPs, 37.7% less inference compute per video.";
  for (float width : {8.0f, 12.0f, 20.0f, 33.0f, 60.0f}) {
    const std::vector<std::string> lines = WrapWords(text, width, Chars);
    std::vector<std::string> rejoined;
    for (const std::string& line : lines) {
      // A line is too wide only when it is one word longer than the width.
      if (Chars(line) > width) {
        EXPECT_EQ(Words(line).size(), 1u) << "'" << line << "'";
      }
      for (const std::string& w : Words(line)) rejoined.push_back(w);
      EXPECT_NE(line.front(), ' ');
      EXPECT_NE(line.back(), ' ');
    }
    EXPECT_EQ(rejoined, Words(text)) << "every word, whole and in order, at width " << width;
  }
}

TEST(WrapWords, FillsLinesGreedily) {
  // Greedy: a word goes on the current line whenever it fits.
  EXPECT_EQ(WrapWords("aa bb cc dd", 5, Chars), (std::vector<std::string>{"aa bb", "cc dd"}));
  EXPECT_EQ(WrapWords("aa bb cc dd", 4, Chars), (std::vector<std::string>{"aa", "bb", "cc", "dd"}));
  EXPECT_EQ(WrapWords("aaaaaaa b", 3, Chars), (std::vector<std::string>{"aaaaaaa", "b"}));
}

TEST(WrapWords, NewlinesBreakAndOddWidthsDoNotWrap) {
  EXPECT_EQ(WrapWords("one\ntwo three", 100, Chars),
            (std::vector<std::string>{"one", "two three"}));
  EXPECT_EQ(WrapWords("a b\n\nc", 1, Chars), (std::vector<std::string>{"a", "b", "", "c"}));
  for (float width : {0.0f, -5.0f, std::numeric_limits<float>::quiet_NaN(),
                      std::numeric_limits<float>::infinity()}) {
    EXPECT_EQ(WrapWords("x y z", width, Chars), (std::vector<std::string>{"x y z"}));
  }
  EXPECT_EQ(WrapWords("", 10, Chars), (std::vector<std::string>{""}));
  EXPECT_EQ(WrapWords("  indented text", 100, Chars),
            (std::vector<std::string>{"  indented text"}));
  // Spacing inside a line stays as written ("objective: 1e-07   points: 20").
  EXPECT_EQ(WrapWords("a   b  c", 100, Chars), (std::vector<std::string>{"a   b  c"}));
  EXPECT_EQ(WrapWords("a   b  c", 5, Chars), (std::vector<std::string>{"a   b", "c"}));
  EXPECT_EQ(WrapWords("   ", 5, Chars), (std::vector<std::string>{""}));
}

TEST(LayoutMode, PhoneBelowTheBreakpoint) {
  EXPECT_EQ(LayoutModeForWidth(390), LayoutMode::kPhone);  // the phone
  EXPECT_EQ(LayoutModeForWidth(kPhoneMaxWidthCssPx - 1), LayoutMode::kPhone);
  EXPECT_EQ(LayoutModeForWidth(kPhoneMaxWidthCssPx), LayoutMode::kDesktop);
  EXPECT_EQ(LayoutModeForWidth(1280), LayoutMode::kDesktop);
  EXPECT_EQ(LayoutModeForWidth(std::numeric_limits<float>::quiet_NaN()), LayoutMode::kDesktop);
}

}  // namespace
}  // namespace scalecalc::app

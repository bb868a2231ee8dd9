// model_test_util.h: data and checks shared by the app model's tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace scalecalc::app::test {

// `groups` groups of the same 3 x 4 surface sweep, each from its own law (lab g: alpha 0.30 +
// 0.02 g), so every group fits.
inline std::string GroupedCsv(int groups) {
  std::string csv = "params,tokens,loss,lab\n";
  for (int g = 0; g < groups; ++g) {
    for (double n : {1e8, 3e8, 1e9}) {
      for (double t : {2e9, 6e9, 2e10, 6e10}) {
        const double loss = 1.7 + 400 * std::pow(n, -(0.30 + 0.02 * g)) + 410 * std::pow(t, -0.28);
        char line[128];
        std::snprintf(line, sizeof line, "%.17g,%.17g,%.17g,lab%d\n", n, t, loss, g + 1);
        csv += line;
      }
    }
  }
  return csv;
}

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace scalecalc::app::test

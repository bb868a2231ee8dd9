// format.h: numbers and laws as people read them (and copy them). Presentation only: the values
// come from the core.
#pragma once

#include <string>

#include "core/laws.h"

namespace scalecalc::app {

std::string FormatCount(double value);            // 1.07B, 260M, 81.9k, 512
std::string FormatSci(double value, int digits);  // 5.85e+20 with `digits` significant digits
std::string FormatFull(double value);             // unrounded, round-trip exact (%.17g)
std::string FormatInterval(const Interval& ci, int digits);  // [lo, hi] or "" when unknown
std::string FormatPercent(double fraction, int decimals);    // 0.401 -> 40.1%

// "<what> could not be downloaded from this site: check the connection, then press "<label>"
// again": one wording for every piece of code the page fetches on demand.
std::string DownloadRetryMessage(const std::string& what, const std::string& control_label);

// "L(N, T) = E + A N^-alpha + B T^-beta" with the constants filled in (unrounded).
std::string LossLawFormula(const LossLaw& law);
// "lr_opt(N, T) = coef * N^g * T^b" (unrounded).
std::string PowerLawFormula(const std::string& name, const PowerLaw2& law);

}  // namespace scalecalc::app

// format.h: numbers and laws as people read them (and copy them), one way for the page, its copies
// and the CLI's tables.
#pragma once

#include <string>

#include "core/laws.h"

namespace scalecalc {

std::string FormatCount(double value);            // 1.07B, 260M, 81.9k, 512
std::string FormatSci(double value, int digits);  // 5.85e+20 with `digits` significant digits
std::string FormatFull(double value);             // unrounded, round-trip exact (%.17g)
std::string FormatInterval(const Interval& ci, int digits);  // [lo, hi] or "" when unknown
std::string FormatPercent(double fraction, int decimals);    // 0.401 -> 40.1%

// "L(N, T) = E + A N^-alpha + B T^-beta" with the constants filled in (unrounded).
std::string LossLawFormula(const LossLaw& law);
// "lr_opt(N, T) = coef * N^g * T^b" (unrounded).
std::string PowerLawFormula(const std::string& name, const PowerLaw2& law);

}  // namespace scalecalc

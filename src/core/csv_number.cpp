// csv_number.cpp: ParseNumber (declared in csv_reader.h), numbers as users write them.
//
// The grammar is checked here by hand, then the digits are handed to fast_float's from_chars
// (Debian's libfast-float-dev, header-only): correctly rounded, locale-free, and the same code in
// the native and the wasm builds (emscripten's libc++ has no std::from_chars for double, and its
// musl strtod made number parsing the largest part of reading a big file in the page).
#include <fast_float/fast_float.h>

#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

#include "core/csv_reader.h"

namespace scalecalc {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Decimal exponent of a multiplier suffix, or -1 when `c` is not one.
int SuffixExponent(char c) {
  switch (c) {
    case 'k':
    case 'K':
      return 3;
    case 'M':
      return 6;
    case 'B':
    case 'b':
    case 'G':
      return 9;
    case 'T':
    case 't':
      return 12;
    default:
      return -1;
  }
}

// Saturation of the exponent: far beyond any double and any mantissa length, far below overflow.
constexpr long long kMaxExponent = 1000000000000000LL;

// Converts "[-]d.ddd e[-]ddd" (built by ParseNumber, whose magnitude is within +-400) to the
// nearest double: infinity or zero when out of range, as strtod gives (fast_float 3.9 returns
// them itself; `large` tells which for a version that reports the range as an error instead).
double Convert(const std::string& number, bool large) {
  double value = 0;
  const fast_float::from_chars_result result =
      fast_float::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    const bool negative = number[0] == '-';
    const double big = large ? HUGE_VAL : 0.0;
    return negative ? -big : big;
  }
  return value;
}

}  // namespace

bool ParseNumber(std::string_view text, double* value, std::string* reason) {
  auto fail = [reason](const char* why) {
    if (reason != nullptr) *reason = why;
    return false;
  };
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  const std::string_view s = text.substr(begin, end - begin);
  if (s.empty()) return fail("empty");
  if (s.find(',') != std::string_view::npos) {
    return fail(
        "has a comma, which could be a thousands separator or a decimal comma: write "
        "1070 or 1.07");
  }

  size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') {
    negative = s[i] == '-';
    ++i;
  }
  const std::string_view word = s.substr(i);
  if (EqualsNoCase(word, "nan")) {
    *value = NAN;  // its sign means nothing
    return true;
  }
  if (EqualsNoCase(word, "inf") || EqualsNoCase(word, "infinity")) {
    *value = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }

  const size_t int_begin = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  const std::string_view int_digits = s.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (i < s.size() && s[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    frac_digits = s.substr(frac_begin, i - frac_begin);
  }
  if (int_digits.empty() && frac_digits.empty()) return fail("expected digits");

  // Exponent, saturated: the digits of a text under 2^31 bytes cannot bring a larger one back.
  long long exponent = 0;
  bool has_exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      exponent_negative = s[i] == '-';
      ++i;
    }
    if (i >= s.size() || !IsDigit(s[i])) return fail("incomplete exponent");
    while (i < s.size() && IsDigit(s[i])) {
      if (exponent < kMaxExponent) exponent = exponent * 10 + (s[i] - '0');
      ++i;
    }
    if (exponent_negative) exponent = -exponent;
    has_exponent = true;
  }

  const size_t number_end = i;
  while (i < s.size() && IsSpace(s[i])) ++i;  // "1.07 B"
  if (i == s.size() && exponent > -10000 && exponent < 10000) {
    // No suffix and an exponent fast_float reads exactly (it saturates exponents from 65536):
    // the number as written, any number of digits, with no canonical copy built. Most cells of a
    // large file take this path.
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);  // fast_float reads no '+'
    double parsed = 0;
    const fast_float::from_chars_result result =
        fast_float::from_chars(first, s.data() + number_end, parsed);
    if (result.ec == std::errc() && result.ptr == s.data() + number_end) {
      *value = parsed;
      return true;
    }
  }
  if (i < s.size()) {
    const int suffix = SuffixExponent(s[i]);
    if (suffix < 0) {
      if (s[i] == 'm') return fail("'m' is ambiguous (milli or million): write M for million");
      return fail("unexpected characters after the number");
    }
    if (has_exponent) return fail("has both an exponent and a suffix");
    if (i + 1 != s.size()) return fail("unexpected characters after the suffix");
    exponent += suffix;
  }

  // Canonical form "[-]d.ddd e<magnitude>" from the first nonzero digit, where magnitude is the
  // decimal exponent of that digit: the conversion never sees a huge exponent or leading zeros,
  // and far out of range is settled here.
  const double zero = negative ? -0.0 : 0.0;
  const double infinity = negative ? -HUGE_VAL : HUGE_VAL;
  long long magnitude = 0;
  std::string_view significant;  // from the first nonzero digit, the point left out
  std::string_view rest;  // fraction digits after `significant` when it starts in the integer part
  const size_t first_int = int_digits.find_first_not_of('0');
  if (first_int != std::string_view::npos) {
    magnitude = static_cast<long long>(int_digits.size() - first_int) - 1;
    significant = int_digits.substr(first_int);
    rest = frac_digits;
  } else {
    const size_t first_frac = frac_digits.find_first_not_of('0');
    if (first_frac == std::string_view::npos) {
      *value = zero;
      return true;
    }
    magnitude = -static_cast<long long>(first_frac) - 1;
    significant = frac_digits.substr(first_frac);
  }
  magnitude += exponent;
  if (magnitude > 400) {  // beyond 1.8e308: infinity, as strtod gives
    *value = infinity;
    return true;
  }
  if (magnitude < -400) {  // below the smallest subnormal, 4.9e-324
    *value = zero;
    return true;
  }
  std::string number;
  number.reserve(significant.size() + rest.size() + 12);
  if (negative) number += '-';
  number += significant[0];
  if (significant.size() > 1 || !rest.empty()) {
    number += '.';
    number.append(significant.substr(1));
    number.append(rest);
  }
  number += 'e';
  number += std::to_string(magnitude);
  *value = Convert(number, magnitude > 0);
  return true;
}

}  // namespace scalecalc

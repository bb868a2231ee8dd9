// settings_schema.h: the one description of every shareable setting. A row per field of
// AnalysisState says its stable key (setOption, the test hook), its state-file path, its CLI flag,
// type and unit, range, which stage a change makes stale, the page's label and help, and the
// state-format version it arrived in. The binary and JSON codecs, ValidateState, the options'
// IsValid, Model::SetOption, the CLI's parser and --help, and the panels' tooltips all read it.
//
//   const Setting* row = FindSetting("tolerance");
//   std::string error;
//   if (!ApplySetting(*row, "tolerance", "0.002", Audience::kPage, &state, &error)) show(error);
//   row->stale;                                   // Stage::kPlan: replan
//
// Rules (see README "Design"): a new option is one row here plus its use; rows never move (the
// binary format writes them in table order, version by version); a new row takes the current
// kStateVersion, and bumping the version is one line in analysis_state.h. Enum names live in
// enum_names.cpp. Errors are bool + std::string* (one sentence naming what the user can change).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/analysis_state.h"
#include "core/enum_names.h"

namespace scalecalc {

// What a change makes stale; each stage implies the ones after it (the app's Stale mirrors it).
enum class Stage { kNone = 0, kPlan = 1, kFit = 2, kRead = 3 };

enum class SettingType {
  kNumber,   // double (NaN or infinity only where the row allows them)
  kInteger,  // int
  kSeed,     // uint64_t, typed as digits
  kBool,     // true/false, on/off
  kEnum,     // one of `names`
  kText,     // std::string, at most `cap` bytes
  kRows,     // std::vector<int>: 1-based data rows, typed "3,5-7"
  kColumns,  // std::vector<std::pair<Role, std::string>>: role -> header overrides
};

// Who typed a value decides how a message names the setting: the page by its label, the CLI by
// its flag, a program (the options' IsValid) by label and state-file path.
enum class Audience { kPage, kCli, kProgram };

using ColumnOverrides = std::vector<std::pair<Role, std::string>>;

struct Setting {
  const char* key = "";                // setOption name; "" for what is not set by name (csv_text)
  const char* json = "";               // state-file path, "fit.band_tolerance"
  const char* flag = nullptr;          // CLI flag taking a value, or none
  const char* switch_flag = nullptr;   // CLI flag without a value ("--no-guidance"), or none
  const char* switch_value = nullptr;  // what switch_flag sets ("false")
  const char* switch_help = "";        // --help's line for switch_flag
  SettingType type = SettingType::kNumber;
  const char* unit = "";  // of the stored value: "FLOP", "tokens", "relative", ...
  double min = -HUGE_VAL, max = HUGE_VAL;
  bool min_open = false, max_open = false;
  bool whole = false;               // kNumber: whole numbers only
  bool allow_infinity = false;      // +Infinity is a value ("no cap")
  bool allow_nan = false;           // NaN is a value ("free": computed, not forced)
  const char* none_word = nullptr;  // typed "" or this word stores none_value
  double none_value = 0;
  const char* upper_note = nullptr;     // added to the message when the value is above max
  bool in_display_unit = false;         // typed in the state's budget unit (the page only)
  const EnumNames* names = nullptr;     // kEnum; kText whose value must be one of them
  size_t DecodeLimits::*cap = nullptr;  // kText: the limit on its length
  bool (*check_text)(const std::string& text, std::string* why) = nullptr;  // kText, as typed
  Stage stale = Stage::kNone;
  const char* label = "";  // the page's control
  const char* help = "";   // tooltip and --help line
  int version = 1;         // state format version it was added in

  // Accessors: exactly one is set, the one of `type`.
  double* (*number)(AnalysisState&) = nullptr;
  int* (*integer)(AnalysisState&) = nullptr;
  uint64_t* (*seed)(AnalysisState&) = nullptr;
  bool* (*boolean)(AnalysisState&) = nullptr;
  std::string* (*text)(AnalysisState&) = nullptr;
  std::vector<int>* (*rows)(AnalysisState&) = nullptr;
  ColumnOverrides* (*columns)(AnalysisState&) = nullptr;
  std::function<int(const AnalysisState&)> get_enum;
  std::function<void(AnalysisState&, int)> set_enum;

  // Table-building helpers (settings_schema.cpp).
  Setting& Flag(const char* f) { return flag = f, *this; }
  Setting& Switch(const char* f, const char* value, const char* h) {
    return switch_flag = f, switch_value = value, switch_help = h, *this;
  }
  Setting& Range(double lo, double hi, bool lo_open = false, bool hi_open = false) {
    return min = lo, max = hi, min_open = lo_open, max_open = hi_open, *this;
  }
  Setting& Whole() { return whole = true, *this; }
  Setting& None(const char* word, double value) {
    none_word = word, none_value = value;
    allow_infinity = allow_infinity || value == HUGE_VAL;
    allow_nan = allow_nan || std::isnan(value);
    return *this;
  }
  Setting& Unit(const char* u) { return unit = u, *this; }
  Setting& Stale(Stage s) { return stale = s, *this; }
  Setting& Label(const char* l, const char* h) { return label = l, help = h, *this; }
  Setting& Since(int v) { return version = v, *this; }
};

// Every setting, in binary-format order: version 1's fields in their frozen order, then version
// 2's, and so on.
const std::vector<Setting>& Settings();
// By setOption key ("column.loss" finds the column row); nullptr if none.
const Setting* FindSetting(std::string_view key);
// By CLI flag (with or without a value); nullptr if none.
const Setting* FindFlag(std::string_view flag);

// How messages name a row for `audience`.
std::string SettingName(const Setting& row, Audience audience);

// Sets `row` from text as a person types it ("1e22", "1.07B", "smooth", "3,5-7", "none"),
// checking the row's own rule; `key` picks the column role of "column.ROLE". On failure the
// state is unchanged and `error` names the setting for `audience`. With accumulate, rows and
// column overrides add to what is there (repeated CLI flags) instead of replacing it.
bool ApplySetting(const Setting& row, std::string_view key, const std::string& text,
                  Audience audience, AnalysisState* state, std::string* error,
                  bool accumulate = false);

// Checks one row's value in `state` (enum range, number range, text length, rows).
bool CheckSetting(const Setting& row, const AnalysisState& state, const DecodeLimits& limits,
                  Audience audience, std::string* error);
// Checks every row whose state-file path starts with `prefix` ("fit.", "plan.", ...).
bool CheckSettings(std::string_view prefix, const AnalysisState& state, Audience audience,
                   std::string* error);

// The row's value in `state` as a person would type it back ("1e+22", "none", "3,5-7").
std::string FormatSetting(const Setting& row, const AnalysisState& state);

// "3,5-7" -> {3, 5, 6, 7}: 1-based, sorted, unique, at most `max_row`; "" is no rows. `error`
// gets the reason without a name in front.
bool ParseRowList(std::string_view text, int max_row, std::vector<int>* rows, std::string* error);

// Shortest text that reads back to exactly x ("0.5", "1e+35", "nan").
std::string ShortNumber(double x);

}  // namespace scalecalc

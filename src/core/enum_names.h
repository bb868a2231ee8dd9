// enum_names.h: one descriptor per enum that is written or read (the shareable state's, and the
// results' severities, statuses, terminations, outcomes and flags): each value's frozen name (state
// files, links' JSON twin, the CLI, setOption) and its label (the page's combo boxes). Adding an
// enum value is one line in enum_names.cpp plus its algorithm; the names never change once
// released (state files hold them).
//
//   const EnumNames& names = EnumNamesOf<OptimumMethod>();
//   names.Name(1);                  // "band"
//   names.Label(1);                 // "near-optimal band"
//   int v; names.Parse("Smooth", &v);   // true, v = 2 (any case here; FindExact is exact)
//   ToString(OptimumMethod::kBand);     // "band"; FromString("band", &method) parses
//   names.List();                   // "argmin, band, smooth"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace scalecalc {

enum class Role;
enum class BadRowPolicy;
enum class CheckpointPolicy;
enum class ComputeKind;
enum class OptimumMethod;
enum class FitTermination;
enum class BudgetUnit;
enum class BatchColumn;
enum class ModelKind;
enum class Severity;
enum class ResultStatus;
enum class PlanTermination;
enum class SmoothOutcome;
enum class BudgetFlag;
enum class DitEpilogue;
enum class DesignTermination;
enum class IsoFlopTermination;

struct EnumValueName {
  const char* name;   // frozen
  const char* label;  // for people
};

// How Parse reads a name: people type the state's settings in any case; the results' names
// (severities, statuses, terminations) are written by programs and read back exactly.
enum class NameCase { kAny, kExact };

// Values are 0 .. count-1, in the order of their enum.
class EnumNames {
 public:
  template <size_t N>
  constexpr EnumNames(const char* what, const EnumValueName (&values)[N],
                      NameCase parse_case = NameCase::kAny)
      : what_(what), values_(values), count_(static_cast<int>(N)), parse_case_(parse_case) {}

  const char* what() const { return what_; }  // "optimum method"
  int count() const { return count_; }
  bool Has(int value) const { return value >= 0 && value < count_; }
  const char* Name(int value) const { return Has(value) ? values_[value].name : "?"; }
  const char* Label(int value) const { return Has(value) ? values_[value].label : "?"; }
  bool FindExact(std::string_view name, int* value) const;  // state files: exact names only
  bool Parse(std::string_view text, int* value) const;      // as the descriptor's NameCase says
  std::string List() const;                                 // "argmin, band, smooth"

 private:
  const char* what_;
  const EnumValueName* values_;
  int count_;
  NameCase parse_case_;
};

template <typename Enum>
const EnumNames& EnumNamesOf();
// clang-format off
template <> const EnumNames& EnumNamesOf<Role>();
template <> const EnumNames& EnumNamesOf<BadRowPolicy>();
template <> const EnumNames& EnumNamesOf<CheckpointPolicy>();
template <> const EnumNames& EnumNamesOf<ComputeKind>();
template <> const EnumNames& EnumNamesOf<OptimumMethod>();
template <> const EnumNames& EnumNamesOf<FitTermination>();
template <> const EnumNames& EnumNamesOf<BudgetUnit>();
template <> const EnumNames& EnumNamesOf<BatchColumn>();
template <> const EnumNames& EnumNamesOf<ModelKind>();
template <> const EnumNames& EnumNamesOf<Severity>();
template <> const EnumNames& EnumNamesOf<ResultStatus>();
template <> const EnumNames& EnumNamesOf<PlanTermination>();
template <> const EnumNames& EnumNamesOf<SmoothOutcome>();
template <> const EnumNames& EnumNamesOf<BudgetFlag>();
template <> const EnumNames& EnumNamesOf<DitEpilogue>();
template <> const EnumNames& EnumNamesOf<DesignTermination>();
template <> const EnumNames& EnumNamesOf<IsoFlopTermination>();
// clang-format on

// The page's panels, by the name a link opens them with ("data", "fit", ...).
const EnumNames& PanelNames();

// The frozen name of any described enum value, and its inverse (EnumNames::Parse).
template <typename Enum>
const char* EnumName(Enum value) {
  return EnumNamesOf<Enum>().Name(static_cast<int>(value));
}
template <typename Enum>
const char* EnumLabel(Enum value) {
  return EnumNamesOf<Enum>().Label(static_cast<int>(value));
}
template <typename Enum>
bool ParseEnum(std::string_view text, Enum* value) {
  int v = 0;
  if (!EnumNamesOf<Enum>().Parse(text, &v)) return false;
  *value = static_cast<Enum>(v);
  return true;
}
// Exact names only (what a program wrote: JSON, state files).
template <typename Enum>
bool FindEnumExact(std::string_view text, Enum* value) {
  int v = 0;
  if (!EnumNamesOf<Enum>().FindExact(text, &v)) return false;
  *value = static_cast<Enum>(v);
  return true;
}

// ToString(FitTermination::kConverged) == "converged", and back: every described enum, one way.
template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
const char* ToString(Enum value) {
  return EnumName(value);
}
template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
bool FromString(std::string_view text, Enum* value) {
  return ParseEnum(text, value);
}

}  // namespace scalecalc

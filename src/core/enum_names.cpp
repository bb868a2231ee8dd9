#include "core/enum_names.h"

#include "core/analysis_state.h"
#include "core/cells.h"
#include "core/compute_model.h"
#include "core/csv_reader.h"
#include "core/designer.h"
#include "core/dit_reference.h"
#include "core/fit.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/warnings.h"

namespace scalecalc {

namespace {

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Index = enum value. Names are frozen: state files and links hold them.
constexpr EnumValueName kRoles[] = {{"params", "model size N"},
                                    {"tokens", "training tokens T"},
                                    {"flops", "training FLOPs"},
                                    {"lr", "learning rate"},
                                    {"batch", "batch size"},
                                    {"loss", "loss"},
                                    {"tokens_per_sample", "tokens per sample"}};
constexpr EnumValueName kBadRows[] = {{"reject", "reject the file"},
                                      {"skip", "skip them with a warning"}};
constexpr EnumValueName kCheckpoints[] = {
    {"final", "each run's last checkpoint"},
    {"all", "every checkpoint (constant-lr or WSD runs before the decay)"}};
constexpr EnumValueName kComputeKinds[] = {{"6n", "6N"},
                                           {"dit", "video DiT: (3/4) N (7 + n_ctx / d)"}};
constexpr EnumValueName kOptimumMethods[] = {
    {"argmin", "grid argmin"}, {"band", "near-optimal band"}, {"smooth", "smooth quadratic model"}};
constexpr EnumValueName kTerminations[] = {{"success", "success"},
                                           {"no data", "no data"},
                                           {"too few points", "too few points"},
                                           {"failed", "failed"},
                                           {"cancelled", "cancelled"}};
constexpr EnumValueName kBudgetUnits[] = {
    {"flops", "FLOPs"}, {"pf_days", "PF-days"}, {"gpu_hours", "GPU-hours"}};
constexpr EnumValueName kBatchColumns[] = {{"tokens", "tokens"}, {"samples", "samples"}};
constexpr EnumValueName kModelKinds[] = {
    {"guess", "guess from the data"}, {"video", "video DiT"}, {"language", "language model"}};
// The results' names (JSON, reports): frozen as well, scripts read them.
constexpr EnumValueName kSeverities[] = {
    {"info", "note"}, {"warning", "warning"}, {"error", "error"}};
constexpr EnumValueName kStatuses[] = {{"ok", "ok"}, {"partial", "partial"}, {"failed", "failed"}};
constexpr EnumValueName kPlanTerminations[] = {{"success", "success"},
                                               {"invalid options", "invalid options"},
                                               {"no loss law", "no loss law"},
                                               {"refused", "refused (not physical)"}};
constexpr EnumValueName kSmoothOutcomes[] = {{"not tried", "not tried"},
                                             {"fitted", "fitted"},
                                             {"too few values", "too few values"},
                                             {"not convex", "not convex"},
                                             {"outside the range", "outside the range"},
                                             {"outside the window", "outside the window"}};
constexpr EnumValueName kBudgetFlags[] = {{"", "used"},
                                          {"few sizes", "few sizes"},
                                          {"not convex", "not convex"},
                                          {"vertex outside", "vertex outside"}};
constexpr EnumValueName kEpilogues[] = {{"none", "none"},
                                        {"bias", "bias"},
                                        {"bias_gelu", "bias, GELU"},
                                        {"bias_residual", "bias, residual"},
                                        {"bias_gated_residual", "bias, gated residual"}};
constexpr EnumValueName kDesignTerminations[] = {
    {"not run", "not run"},
    {"ranked", "ranked"},
    {"invalid options", "invalid options"},
    {"no loss law", "no loss law"},
    {"too few cells", "too few cells"},
    {"no optimum", "no compute-optimal size"},
    {"max flops too small", "the per-candidate limit is below one run"},
    {"allowance too small", "the allowance is below the cheapest candidate"},
    {"simulation failed", "simulation failed"},
    {"cancelled", "cancelled"}};
constexpr EnumValueName kIsoFlopTerminations[] = {{"fitted", "fitted"},
                                                  {"not an isoflop grid", "not an IsoFLOP grid"},
                                                  {"too few vertices", "too few vertices"}};
constexpr EnumValueName kPanels[] = {{"data", "Data"},
                                     {"fit", "Fit"},
                                     {"plots", "Plots"},
                                     {"planner", "Planner"},
                                     {"cost", "Inference cost"}};

}  // namespace

bool EnumNames::FindExact(std::string_view name, int* value) const {
  for (int i = 0; i < count_; ++i) {
    if (name == values_[i].name) {
      *value = i;
      return true;
    }
  }
  return false;
}

bool EnumNames::Parse(std::string_view text, int* value) const {
  if (FindExact(text, value)) return true;
  if (parse_case_ == NameCase::kExact) return false;
  for (int i = 0; i < count_; ++i) {
    if (SameIgnoringCase(text, values_[i].name)) {
      *value = i;
      return true;
    }
  }
  return false;
}

std::string EnumNames::List() const {
  std::string list;
  for (int i = 0; i < count_; ++i) list += std::string(i ? ", " : "") + values_[i].name;
  return list;
}

namespace {
constexpr EnumNames kRoleNames("column role", kRoles);
constexpr EnumNames kBadRowNames("bad-row policy", kBadRows);
constexpr EnumNames kCheckpointNames("checkpoints", kCheckpoints);
constexpr EnumNames kComputeNames("compute model", kComputeKinds);
constexpr EnumNames kOptimumNames("optimum method", kOptimumMethods);
constexpr EnumNames kTerminationNames("fit termination", kTerminations);
constexpr EnumNames kBudgetUnitNames("budget unit", kBudgetUnits);
constexpr EnumNames kPanelNames("panel", kPanels);
constexpr EnumNames kBatchColumnNames("batch column unit", kBatchColumns);
constexpr EnumNames kModelKindNames("model kind", kModelKinds);
constexpr EnumNames kSeverityNames("severity", kSeverities, NameCase::kExact);
constexpr EnumNames kStatusNames("result status", kStatuses, NameCase::kExact);
constexpr EnumNames kPlanTerminationNames("plan termination", kPlanTerminations, NameCase::kExact);
constexpr EnumNames kSmoothOutcomeNames("smooth optimum outcome", kSmoothOutcomes,
                                        NameCase::kExact);
constexpr EnumNames kBudgetFlagNames("IsoFLOP budget flag", kBudgetFlags, NameCase::kExact);
constexpr EnumNames kEpilogueNames("matmul epilogue", kEpilogues, NameCase::kExact);
constexpr EnumNames kDesignTerminationNames("design termination", kDesignTerminations,
                                            NameCase::kExact);
constexpr EnumNames kIsoFlopTerminationNames("IsoFLOP termination", kIsoFlopTerminations,
                                             NameCase::kExact);
}  // namespace

// clang-format off
template <> const EnumNames& EnumNamesOf<Role>() { return kRoleNames; }
template <> const EnumNames& EnumNamesOf<BadRowPolicy>() { return kBadRowNames; }
template <> const EnumNames& EnumNamesOf<CheckpointPolicy>() { return kCheckpointNames; }
template <> const EnumNames& EnumNamesOf<ComputeKind>() { return kComputeNames; }
template <> const EnumNames& EnumNamesOf<OptimumMethod>() { return kOptimumNames; }
template <> const EnumNames& EnumNamesOf<FitTermination>() { return kTerminationNames; }
template <> const EnumNames& EnumNamesOf<BudgetUnit>() { return kBudgetUnitNames; }
template <> const EnumNames& EnumNamesOf<BatchColumn>() { return kBatchColumnNames; }
template <> const EnumNames& EnumNamesOf<ModelKind>() { return kModelKindNames; }
template <> const EnumNames& EnumNamesOf<Severity>() { return kSeverityNames; }
template <> const EnumNames& EnumNamesOf<ResultStatus>() { return kStatusNames; }
template <> const EnumNames& EnumNamesOf<PlanTermination>() { return kPlanTerminationNames; }
template <> const EnumNames& EnumNamesOf<SmoothOutcome>() { return kSmoothOutcomeNames; }
template <> const EnumNames& EnumNamesOf<BudgetFlag>() { return kBudgetFlagNames; }
template <> const EnumNames& EnumNamesOf<DitEpilogue>() { return kEpilogueNames; }
template <> const EnumNames& EnumNamesOf<DesignTermination>() { return kDesignTerminationNames; }
template <> const EnumNames& EnumNamesOf<IsoFlopTermination>() { return kIsoFlopTerminationNames; }
const EnumNames& PanelNames() { return kPanelNames; }
// clang-format on

bool IsKnownPanel(std::string_view panel) {
  int index = 0;
  return PanelNames().FindExact(panel, &index);
}

}  // namespace scalecalc

#include "core/groups.h"

#include <cmath>
#include <map>

namespace scalecalc {

namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool SameUpToCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IsBlankText(const std::string& text) {
  return text.find_first_not_of(" \t") == std::string::npos;
}

std::string ColumnList(const RunTable& table) {
  std::string out;
  for (const TextColumn& c : table.text_columns) out += (out.empty() ? "" : ", ") + c.name;
  return out.empty() ? "(none)" : out;
}

}  // namespace

GroupSplit SplitByColumn(const RunTable& table, const std::string& column, int max_groups) {
  GroupSplit split;
  const TextColumn* text = table.FindColumn(column);
  for (size_t i = 0; i < table.text_columns.size() && text == nullptr; ++i) {
    if (SameUpToCase(table.text_columns[i].name, column)) text = &table.text_columns[i];
  }
  if (column.empty()) {
    split.message = "group by (--group-by): no column given";
    return split;
  }
  if (text == nullptr) {
    const std::string shown = column.size() > 60 ? column.substr(0, 60) + "..." : column;
    split.message = "group by (--group-by): there is no text column named '" + shown +
                    "'; the columns not used by the fit are: " + ColumnList(table);
    return split;
  }
  split.column = text->name;
  std::map<std::string, size_t> index;  // value -> group
  std::vector<std::vector<size_t>> members;
  for (size_t r = 0; r < table.runs.size(); ++r) {
    const std::string name = IsBlankText(text->values[r]) ? kBlankGroupName : text->values[r];
    auto [it, inserted] = index.emplace(name, members.size());
    if (inserted) {
      if (static_cast<int>(members.size()) >= max_groups) {
        split.message = "group by (--group-by): column '" + text->name + "' has more than " +
                        std::to_string(max_groups) +
                        " distinct values: pick a column that names a few experiments";
        split.groups.clear();
        return split;
      }
      members.emplace_back();
      split.groups.push_back({name, RunTable()});
    }
    members[it->second].push_back(r);
  }
  for (size_t g = 0; g < members.size(); ++g) {
    RunTable& sub = split.groups[g].table;
    sub.flag_column = table.flag_column;
    for (const TextColumn& c : table.text_columns) {
      TextColumn copy;
      copy.name = c.name;
      copy.column = c.column;
      copy.numeric = c.numeric;
      sub.text_columns.push_back(std::move(copy));
    }
    bool all_lr = true, all_batch = true;
    for (size_t r : members[g]) {
      const Run& run = table.runs[r];
      sub.runs.push_back(run);
      all_lr = all_lr && !std::isnan(run.lr);
      all_batch = all_batch && !std::isnan(run.batch_tokens);
      for (size_t c = 0; c < table.text_columns.size(); ++c) {
        sub.text_columns[c].values.push_back(table.text_columns[c].values[r]);
      }
    }
    // As the reader sets them for these rows alone.
    sub.has_lr = !sub.runs.empty() && all_lr;
    sub.has_batch = !sub.runs.empty() && all_batch;
  }
  if (split.groups.empty()) {
    split.message = "group by (--group-by): the table has no rows";
    return split;
  }
  split.ok = true;
  return split;
}

std::vector<std::string> GroupableColumns(const RunTable& table) {
  std::vector<std::string> out;
  for (const TextColumn& c : table.text_columns) {
    if (c.numeric) continue;
    const int distinct = c.CountDistinct();
    if (distinct >= 2 && distinct <= kMaxGroups) out.push_back(c.name);
  }
  return out;
}

IsoFlopOptions IsoFlopOptionsFor(const FitOptions& fit_options) {
  IsoFlopOptions options;
  options.budget_tolerance = fit_options.cell_tolerance;
  options.bootstrap_samples = fit_options.bootstrap_samples;
  options.seed = fit_options.seed;
  return options;
}

bool PlanFit(const FitSummary& fit, const PlanOptions& options, Plan* plan) {
  *plan = Plan{};
  if (fit.status == ResultStatus::kFailed) return false;
  *plan = MakePlan(fit.laws, options);
  if (!plan->ok && !fit.ok)
    plan->message = "not planned: the fit is partial (" + plan->message + ")";
  return true;
}

void PlanAndCompare(const PlanOptions* plan_options, TableAnalysis* analysis) {
  TableAnalysis& t = *analysis;
  t.planned = plan_options != nullptr && PlanFit(t.fit, *plan_options, &t.plan);
  if (!t.planned) t.plan = Plan{};
  t.comparison = CompareMethods(t.isoflop, t.fit, t.planned ? &t.plan : nullptr);
}

TableAnalysis AnalyzeTable(const RunTable& table, const FitOptions& fit_options,
                           const ComputeModel& compute, const PlanOptions* plan_options,
                           const ProgressFn& progress, const BootstrapExecution& execution) {
  TableAnalysis out;
  out.fit = Fit(table, fit_options, progress, execution);
  out.isoflop =
      FitIsoFlop(IsoFlopPointsOf(table, out.fit, compute), compute, IsoFlopOptionsFor(fit_options));
  PlanAndCompare(plan_options, &out);
  return out;
}

namespace {

// The first warning code of `fit` that starts with `prefix`; "" when none.
std::string WarningCode(const FitSummary& fit, const std::string& prefix) {
  for (const Warning& w : fit.warnings) {
    if (w.code.compare(0, prefix.size(), prefix) == 0) return w.code;
  }
  return "";
}

ComparisonRow::HyperColumn HyperColumnOf(const FitSummary& fit, bool lr) {
  ComparisonRow::HyperColumn c;
  const HyperLawFit& h = lr ? fit.lr_law : fit.batch_law;
  if (h.law.IsSet()) {
    c.fitted = true;
    c.variables = h.in_params && h.in_tokens ? "N T" : h.in_params ? "N" : "T";
    if (h.in_params) c.exp_params = h.law.exp_params, c.exp_params_ci = h.exp_params_ci;
    if (h.in_tokens) c.exp_tokens = h.law.exp_tokens, c.exp_tokens_ci = h.exp_tokens_ci;
    return c;
  }
  c.why_code = WarningCode(fit, lr ? "lr_law_" : "batch_law_");
  if (c.why_code.empty()) c.why_code = h.points > 0 ? "not_fitted" : "not_swept";
  return c;
}

}  // namespace

ComparisonRow ComparisonRowOf(const std::string& name, int runs, const TableAnalysis& analysis) {
  ComparisonRow row;
  const FitSummary& fit = analysis.fit;
  row.name = name;
  row.runs = runs;
  row.used = fit.runs_included;
  row.excluded = runs - fit.runs_included;
  row.fitted = fit.ok && fit.laws.loss.IsSet();
  row.why = row.fitted ? "" : (fit.message.empty() ? "not fitted" : fit.message);
  if (!row.fitted) {
    row.why_code = WarningCode(fit, "loss_law_");
    if (row.why_code.empty()) row.why_code = ToString(fit.termination);
  }
  row.lr = HyperColumnOf(fit, true);
  row.batch = HyperColumnOf(fit, false);
  if (row.fitted) {
    row.law = fit.laws.loss;
    row.E_ci = fit.loss.E_ci, row.A_ci = fit.loss.A_ci, row.alpha_ci = fit.loss.alpha_ci;
    row.B_ci = fit.loss.B_ci, row.beta_ci = fit.loss.beta_ci;
    row.a = analysis.comparison.ok ? analysis.comparison.surface_exp
                                   : row.law.beta / (row.law.alpha + row.law.beta);
    std::vector<double> a_samples;
    for (const LossLaw& s : fit.laws.loss_samples) a_samples.push_back(s.beta / (s.alpha + s.beta));
    row.a_ci = Percentile95(a_samples);
  }
  if (analysis.planned && analysis.plan.ok) {
    row.params_opt = analysis.plan.optimum.params;
    row.params_ci = analysis.plan.params_ci;
    row.loss_opt = analysis.plan.optimum.loss;
    row.loss_ci = analysis.plan.loss_ci;
  }
  if (analysis.isoflop.ok) {
    row.isoflop_exp = analysis.isoflop.params_exp;
    row.isoflop_exp_ci = analysis.isoflop.params_exp_ci;
  }
  return row;
}

std::vector<GroupAnalysis> AnalyzeGroups(const GroupSplit& split, const FitOptions& fit_options,
                                         const ComputeModel& compute,
                                         const PlanOptions* plan_options,
                                         const BootstrapExecution& execution) {
  std::vector<GroupAnalysis> out;
  if (!split.ok) return out;
  for (const RunGroup& group : split.groups) {
    GroupAnalysis g;
    g.name = group.name;
    g.runs = static_cast<int>(group.table.runs.size());
    g.excluded = g.runs - group.table.CountIncluded();
    g.analysis = AnalyzeTable(group.table, fit_options, compute, plan_options, {}, execution);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace scalecalc

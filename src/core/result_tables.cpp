#include "core/result_tables.h"

#include <cmath>

#include "core/format.h"

namespace scalecalc {

TableText CellsTable(const FitSummary& fit) {
  TableText text;
  text.headers = {"params N", "tokens T", "runs", "lr_opt", "batch_opt (tokens)", "loss", "flags"};
  for (const Cell& c : fit.cells) {
    std::string flags;
    const auto edge = [&](const char* what, int side, bool beyond) {
      if (side == 0) return;
      flags += std::string(what) + (side < 0 ? " below " : " above ");
      if (beyond) flags += "(outside range) ";
    };
    edge("lr", c.lr_edge, c.lr_beyond);
    edge("batch", c.batch_edge, c.batch_beyond);
    if (c.smooth == SmoothOutcome::kNotConvex || c.not_convex) flags += "not convex ";
    if (c.smooth == SmoothOutcome::kTooFewValues) flags += "too few values ";
    if (c.smooth == SmoothOutcome::kOutsideWindow) flags += "outside window ";
    if (!flags.empty()) flags.pop_back();
    text.rows.push_back({FormatCount(c.params), FormatCount(c.tokens), std::to_string(c.runs),
                         FormatSci(c.lr, 4), FormatCount(c.batch_tokens), FormatSci(c.loss, 6),
                         flags});
  }
  return text;
}

namespace {

std::string Range(const Interval& ci, std::string (*format)(double)) {
  if (!std::isfinite(ci.lo) || !std::isfinite(ci.hi)) return "";
  return "[" + format(ci.lo) + ", " + format(ci.hi) + "]";
}
std::string Sci4(double v) {
  return FormatSci(v, 4);
}
std::string Sci6(double v) {
  return FormatSci(v, 6);
}

std::string ShapeText(const PlanPoint& x) {
  if (!(x.shape.width > 0 && x.shape.depth > 0)) return "-";  // a law set without shapes
  return FormatCount(x.shape.width) + " x " + FormatCount(x.shape.depth) + " (" +
         FormatCount(x.shape.heads) + " heads of " + FormatCount(x.shape.head_dim) + ")";
}

}  // namespace

TableText PlanTable(const Plan& plan, const PlanOptions& options, const PlanTableOptions& table) {
  TableText text;
  text.headers = {"quantity", "recommended", "95% interval"};
  const Plan* compare = table.compare != nullptr && table.compare->ok ? table.compare : nullptr;
  if (table.compare != nullptr) text.headers.push_back(table.compare_title);
  const PlanPoint& p = plan.optimum;
  const auto row = [&](const std::string& quantity, std::string (*format)(double),
                       double (*of)(const Plan&), const Interval& ci = {}) {
    text.rows.push_back({quantity, format(of(plan)), Range(ci, format)});
    if (table.compare != nullptr) text.rows.back().push_back(compare ? format(of(*compare)) : "");
  };
  row("compute budget (FLOPs)", Sci4, [](const Plan& x) { return x.budget_flops; });
  row(
      std::isnan(options.fixed_params) ? "model size N (parameters)"
                                       : "model size N (parameters, fixed)",
      FormatCount, [](const Plan& x) { return x.optimum.params; }, plan.params_ci);
  if (table.shape) {
    text.rows.push_back({"shape: width d x depth", ShapeText(p), ""});
    if (table.compare != nullptr)
      text.rows.back().push_back(compare ? ShapeText(compare->optimum) : "");
  }
  row("continuous optimum N", FormatCount, [](const Plan& x) { return x.ideal.params; });
  row(
      "training tokens T", FormatCount, [](const Plan& x) { return x.optimum.tokens; },
      plan.tokens_ci);
  row("tokens per parameter", Sci4,
      [](const Plan& x) { return x.optimum.tokens / x.optimum.params; });
  row(
      "learning rate", Sci4, [](const Plan& x) { return x.optimum.lr; }, plan.lr_ci);
  row(
      "batch size (tokens)", FormatCount, [](const Plan& x) { return x.optimum.batch_tokens; },
      plan.batch_ci);
  if (!table.sample_word.empty()) {
    row("batch size (" + table.sample_word + "s of " +
            FormatFull(options.compute.tokens_per_sample) + " tokens)",
        FormatCount, [](const Plan& x) { return x.optimum.batch_samples; });
  }
  row("optimizer steps", FormatCount, [](const Plan& x) { return x.optimum.steps; });
  row(
      "predicted loss", Sci6, [](const Plan& x) { return x.optimum.loss; }, plan.loss_ci);
  if (plan.forced) {  // loss added by an lr or batch off its law, and what that costs
    const double penalty = p.hyperparameter_penalty;
    text.rows.push_back(
        {"hyperparameter penalty",
         std::isfinite(penalty) ? FormatPercent(penalty, 3) : "unknown (no sensitivity fit)", ""});
    text.rows.push_back(
        {"forced values cost (loss)", FormatPercent(plan.constraint_loss_cost, 3), ""});
  }
  return text;
}

namespace {

// A value with its 95% interval on a second line when there is one.
std::string ValueCell(double value, const Interval& ci, int digits) {
  const std::string interval = FormatInterval(ci, digits);
  return FormatSci(value, digits) + (interval.empty() ? "" : "\n" + interval);
}

// An exponent of an lr or batch law; "-" for a variable the law does not use.
std::string ExponentCell(double value, const Interval& ci) {
  return std::isfinite(value) ? ValueCell(value, ci, 3) : "-";
}

}  // namespace

TableText GroupComparisonTable(const std::vector<GroupAnalysis>& groups) {
  TableText text;
  text.headers = {"group",       "runs used", "excluded",
                  "E",           "A",         "alpha",
                  "B",           "beta",      "a",
                  "a (IsoFLOP)", "N_opt",     "loss at budget",
                  "lr: exp N",   "lr: exp T", "batch: exp N",
                  "batch: exp T"};
  for (const GroupAnalysis& g : groups) {
    const ComparisonRow r = ComparisonRowOf(g.name, g.runs, g.analysis);
    std::vector<std::string> row = {r.name, std::to_string(r.used), std::to_string(r.excluded)};
    if (r.fitted) {
      row.insert(row.end(),
                 {ValueCell(r.law.E, r.E_ci, 4), ValueCell(r.law.A, r.A_ci, 4),
                  ValueCell(r.law.alpha, r.alpha_ci, 4), ValueCell(r.law.B, r.B_ci, 4),
                  ValueCell(r.law.beta, r.beta_ci, 4), ValueCell(r.a, r.a_ci, 4),
                  ValueCell(r.isoflop_exp, r.isoflop_exp_ci, 3),
                  ValueCell(r.params_opt, r.params_ci, 3), ValueCell(r.loss_opt, r.loss_ci, 5)});
    } else {
      row.push_back("loss law not fitted [" + r.why_code + "]");
      row.resize(row.size() + 8);
    }
    for (const ComparisonRow::HyperColumn* c : {&r.lr, &r.batch}) {
      if (c->fitted) {
        row.push_back(ExponentCell(c->exp_params, c->exp_params_ci));
        row.push_back(ExponentCell(c->exp_tokens, c->exp_tokens_ci));
      } else {
        row.insert(row.end(), {"[" + c->why_code + "]", ""});
      }
    }
    text.rows.push_back(std::move(row));
  }
  return text;
}

}  // namespace scalecalc

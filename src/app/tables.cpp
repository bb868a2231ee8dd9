#include "app/tables.h"

#include "app/format.h"

namespace scalecalc::app {

TableText CellsTable(const FitSummary& fit) {
  TableText text;
  text.headers = {"params N", "tokens T", "runs", "lr_opt", "batch_opt (tokens)", "loss", "flags"};
  for (const Cell& c : fit.cells) {
    std::string flags;
    if (c.lr_edge != 0) flags += std::string("lr ") + (c.lr_edge < 0 ? "below " : "above ");
    if (c.batch_edge != 0)
      flags += std::string("batch ") + (c.batch_edge < 0 ? "below " : "above ");
    if (c.smooth == SmoothOutcome::kNotConvex || c.not_convex) flags += "not convex ";
    if (c.smooth == SmoothOutcome::kTooFewValues) flags += "too few values ";
    if (!flags.empty()) flags.pop_back();
    text.rows.push_back({FormatCount(c.params), FormatCount(c.tokens), std::to_string(c.runs),
                         FormatSci(c.lr, 4), FormatCount(c.batch_tokens), FormatSci(c.loss, 6),
                         flags});
  }
  return text;
}

}  // namespace scalecalc::app

// tables.h: the tables the panels show, as text (text_layout.h's TableText), each built once from
// the core's results: the panel draws it (DrawTextTable), Copy writes it as TSV or Markdown, and
// tests read it, so what is shown is what is copied.
#pragma once

#include "app/text_layout.h"
#include "core/fit.h"

namespace scalecalc::app {

// The Fit panel's cells: N, T, runs, the optimal lr and batch, the loss, and the flags (an lr or
// batch optimum on the sweep's edge, a smooth optimum not convex or from too few values).
TableText CellsTable(const FitSummary& fit);

}  // namespace scalecalc::app

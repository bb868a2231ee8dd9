#include "core/run_table.h"

namespace scalecalc {

std::string InputProblem::ToString() const {
  std::string where;
  if (line > 0) where = "line " + std::to_string(line);
  if (column > 0)
    where += (where.empty() ? "" : ", ") + std::string("column ") + std::to_string(column);
  return where.empty() ? message : where + ": " + message;
}

}  // namespace scalecalc

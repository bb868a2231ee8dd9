#include "core/run_table.h"

#include <set>

namespace scalecalc {

std::string InputProblem::ToString() const {
  std::string where;
  if (line > 0) where = "line " + std::to_string(line);
  if (column > 0)
    where += (where.empty() ? "" : ", ") + std::string("column ") + std::to_string(column);
  return where.empty() ? message : where + ": " + message;
}

int TextColumn::CountDistinct() const {
  return static_cast<int>(std::set<std::string>(values.begin(), values.end()).size());
}

}  // namespace scalecalc

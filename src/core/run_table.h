// run_table.h: the runs a user measured, in raw units, as every fit and plot reads them.
//
// One Run is one training run: model size, tokens seen, compute, learning rate, batch size and the
// final validation loss. Quantities a file did not give are NaN (lr and batch when a data set has
// no sweep, as the Chinchilla points). `data_row` is the 1-based row among data rows (what the user
// names in --exclude); `line` is the 1-based line in the original text, for messages.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace scalecalc {

struct Run {
  double params = NAN;        // N, non-embedding parameters
  double tokens = NAN;        // T, training tokens
  double flops = NAN;         // C, training compute in FLOPs
  double lr = NAN;            // peak learning rate
  double batch_tokens = NAN;  // batch size in tokens per optimizer step
  double loss = NAN;          // final validation loss
  int data_row = 0;           // 1-based among data rows
  int line = 0;               // 1-based line in the source text
  bool excluded = false;      // left out of every fit by the user's outlier policy
  bool flagged = false;       // marked true in the file's flag column (RunTable::flag_column)
  // Training curves (ReadResult::curves): the run this checkpoint belongs to, 0-based; -1 when the
  // file holds one row per run. The bootstrap resamples whole runs by it.
  int curve = -1;
};

// A column no role took, kept as written (text), one value per run: shown, and usable for grouping.
struct TextColumn {
  std::string name;                 // the header as read
  int column = 0;                   // 1-based column in the file
  bool numeric = false;             // every non-blank value reads as a number
  std::vector<std::string> values;  // aligned with RunTable::runs
  int CountDistinct() const;        // distinct values (blank counts as one)
};

struct RunTable {
  std::vector<Run> runs;
  bool has_lr = false;                   // every run has a learning rate
  bool has_batch = false;                // every run has a batch size
  std::vector<TextColumn> text_columns;  // every column no role took, in file order
  // Header of the boolean flag column (outlier, is_outlier, exclude, excluded); "" when none.
  // Its true rows are Run::flagged, and excluded unless ReadOptions::keep_flagged.
  std::string flag_column;

  const TextColumn* FindColumn(const std::string& name) const {
    for (const TextColumn& c : text_columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  // True when the runs contain a sweep: several learning rates or batch sizes at one (N, T).
  bool HasSweep() const { return has_lr || has_batch; }
  int CountIncluded() const {
    int n = 0;
    for (const Run& r : runs) n += r.excluded ? 0 : 1;
    return n;
  }
};

// A problem with the input, located where the user can find it. line/column are 1-based; 0 means
// "not tied to a line" (an empty file) or "whole row".
struct InputProblem {
  int line = 0;
  int column = 0;
  std::string message;

  std::string ToString() const;  // "line 4, column 2: loss is not a number (\"abc\")"
};

}  // namespace scalecalc

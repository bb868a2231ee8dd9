// test_util.h: helpers shared by the fit tests: synthetic sweeps, a minimal CSV loader for the
// public data sets in shared/data/external (plain comma-separated files without quoting) and a
// platform-independent random source for synthetic data. Test-only: the product reads CSV with
// core/csv_reader.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/run_table.h"

namespace scalecalc {
namespace test {

// The whole file as bytes ("" if it cannot be read).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// `count` values first, first * ratio, first * ratio^2, ...
inline std::vector<double> Geometric(double first, double ratio, int count) {
  std::vector<double> values;
  for (int k = 0; k < count; ++k) values.push_back(first * std::pow(ratio, k));
  return values;
}

// One (N, T) cell on a grid of learning rates and batch sizes (tokens), its loss an exact convex
// bowl in (ln lr, ln batch) of height `loss_opt` at its minimum (lr_opt, batch_opt).
inline void AddBowlCell(RunTable* table, double params, double tokens,
                        const std::vector<double>& lrs, const std::vector<double>& batches,
                        double lr_opt, double batch_opt, double loss_opt) {
  table->has_lr = table->has_batch = true;
  for (double lr : lrs) {
    for (double batch : batches) {
      Run run;
      run.params = params;
      run.tokens = tokens;
      run.flops = 6 * params * tokens;
      run.lr = lr;
      run.batch_tokens = batch;
      const double u = std::log(lr / lr_opt), v = std::log(batch / batch_opt);
      run.loss = loss_opt * (1 + 0.01 * u * u + 0.004 * v * v + 0.002 * u * v);
      run.data_row = static_cast<int>(table->runs.size()) + 1;
      table->runs.push_back(run);
    }
  }
}

// Rows of a CSV file as maps from header name to cell text; empty if the file cannot be read.
inline std::vector<std::map<std::string, std::string>> ReadCsvRows(const std::string& path) {
  std::vector<std::map<std::string, std::string>> rows;
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& text) {
    std::vector<std::string> cells;
    std::stringstream stream(text);
    std::string cell;
    while (std::getline(stream, cell, ',')) {
      if (!cell.empty() && cell.back() == '\r') cell.pop_back();
      cells.push_back(cell);
    }
    return cells;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (header.empty()) {
      header = split(line);
      continue;
    }
    const std::vector<std::string> cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

// The build points SCALECALC_EXTERNAL_DATA_DIR at ../shared/data/external beside the checkout;
// a checkout elsewhere (a git worktree) can name the folder in the environment variable of the
// same name instead.
inline std::string ExternalDataPath(const std::string& name) {
  std::string dir;
#ifdef SCALECALC_EXTERNAL_DATA_DIR
  dir = SCALECALC_EXTERNAL_DATA_DIR;
#endif
  if (!std::ifstream(dir + "/" + name).good()) {
    if (const char* env = std::getenv("SCALECALC_EXTERNAL_DATA_DIR")) dir = env;
  }
  return dir + "/" + name;
}

// Epoch AI's extraction of the Chinchilla runs: N = Model Size, C = Training FLOP, T = C / (6 N).
inline RunTable LoadChinchilla() {
  RunTable table;
  int row_number = 0;
  for (const auto& row : ReadCsvRows(ExternalDataPath("chinchilla_epoch_svg_extracted.csv"))) {
    Run run;
    run.params = std::stod(row.at("Model Size"));
    run.flops = std::stod(row.at("Training FLOP"));
    run.tokens = run.flops / (6.0 * run.params);
    run.loss = std::stod(row.at("loss"));
    run.data_row = ++row_number;
    run.line = row_number + 1;
    table.runs.push_back(run);
  }
  return table;
}

// Marks the `count` highest-loss runs excluded (Epoch's outlier policy for the Chinchilla data).
inline void ExcludeHighestLosses(RunTable* table, int count) {
  std::vector<double> losses;
  for (const Run& run : table->runs) losses.push_back(run.loss);
  std::sort(losses.begin(), losses.end());
  const double limit = losses[losses.size() - count];
  for (Run& run : table->runs) run.excluded = run.loss >= limit;
}

// StepFun's Step Law sweeps: N, D (tokens), lr, bs in sequences of 2048 tokens, loss.
inline RunTable LoadStepLaw() {
  RunTable table;
  int row_number = 0;
  for (const auto& row : ReadCsvRows(ExternalDataPath("steplaw_dense_lr_bs_loss.csv"))) {
    Run run;
    run.params = std::stod(row.at("N"));
    run.tokens = std::stod(row.at("D"));
    run.lr = std::stod(row.at("lr"));
    run.batch_tokens = std::stod(row.at("bs")) * 2048.0;
    run.loss = std::stod(row.at("loss"));
    run.flops = 6.0 * run.params * run.tokens;
    run.data_row = ++row_number;
    run.line = row_number + 1;
    table.runs.push_back(run);
  }
  table.has_lr = table.has_batch = !table.runs.empty();
  return table;
}

// Standard normal draws from the raw 64-bit output of mt19937_64 (Box-Muller), so that synthetic
// data are identical under libstdc++ and emscripten's libc++ (std::normal_distribution is not).
class Gaussian {
 public:
  explicit Gaussian(uint64_t seed) : engine_(seed) {}
  double Next() {
    const double u1 = (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace test
}  // namespace scalecalc

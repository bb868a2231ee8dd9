// fit_bench: times the loss-law fit and its bootstrap on the Chinchilla points (Epoch AI's
// extraction, the 5 highest losses excluded as Epoch did) and prints the objective and constants.
// bench/run_fit_bench.sh runs it beside bench/reference_epoch.py (Epoch's own method in scipy).
//
//   fit_bench [--data FILE] [--reps N] [--boot N] [--seed S]
//
// Portable C++17 (std::chrono, std::clock): builds natively and with em++ (run under node).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/bootstrap.h"
#include "core/laws.h"
#include "core/loss_law_fit.h"

namespace {

using scalecalc::LossLaw;
using scalecalc::LossPoint;

#ifndef SCALECALC_EXTERNAL_DATA_DIR
#define SCALECALC_EXTERNAL_DATA_DIR "../shared/data/external"
#endif

// The columns Epoch's analysis uses: Model Size (N), Training FLOP (C), loss; D = C / (6 N).
bool LoadChinchilla(const std::string& path, std::vector<LossPoint>* points, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  std::string line;
  std::vector<std::string> header;
  int col_n = -1, col_c = -1, col_loss = -1;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, ',')) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
        if (cells[i] == "Model Size") col_n = i;
        if (cells[i] == "Training FLOP") col_c = i;
        if (cells[i] == "loss") col_loss = i;
      }
      if (col_n < 0 || col_c < 0 || col_loss < 0) {
        *error = path + ": needs the columns Model Size, Training FLOP and loss";
        return false;
      }
      continue;
    }
    const int need = std::max(col_n, std::max(col_c, col_loss));
    if (static_cast<int>(cells.size()) <= need) continue;
    LossPoint p;
    p.params = std::strtod(cells[col_n].c_str(), nullptr);
    const double flops = std::strtod(cells[col_c].c_str(), nullptr);
    p.tokens = flops / (6.0 * p.params);
    p.loss = std::strtod(cells[col_loss].c_str(), nullptr);
    points->push_back(p);
  }
  if (points->empty()) {
    *error = path + ": no data rows";
    return false;
  }
  return true;
}

struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  double WallSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double CpuSeconds() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

void PrintLaw(const char* what, const LossLaw& law, double objective) {
  std::printf("%-28s objective %.10g  E %.8g  A %.8g  alpha %.8g  B %.8g  beta %.8g\n", what,
              objective, law.E, law.A, law.alpha, law.B, law.beta);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path =
      std::string(SCALECALC_EXTERNAL_DATA_DIR) + "/chinchilla_epoch_svg_extracted.csv";
  if (const char* env = std::getenv("SCALECALC_EXTERNAL_DATA_DIR")) {
    path = std::string(env) + "/chinchilla_epoch_svg_extracted.csv";
  }
  int reps = 50, boot = 1000;
  unsigned long long seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--data" && has_value) {
      path = argv[++i];
    } else if (arg == "--reps" && has_value) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--boot" && has_value) {
      boot = std::max(0, std::atoi(argv[++i]));
    } else if (arg == "--seed" && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: fit_bench [--data FILE] [--reps N] [--boot N] [--seed S]\n");
      return 2;
    }
  }
  std::vector<LossPoint> all;
  std::string error;
  if (!LoadChinchilla(path, &all, &error)) {
    std::fprintf(stderr, "fit_bench: %s\n", error.c_str());
    return 1;
  }
  // Epoch's outlier policy: keep the losses below the 5th highest.
  std::vector<double> losses;
  for (const LossPoint& p : all) losses.push_back(p.loss);
  std::sort(losses.begin(), losses.end());
  const double limit = losses[losses.size() >= 5 ? losses.size() - 5 : 0];
  std::vector<LossPoint> points;
  for (const LossPoint& p : all) {
    if (p.loss < limit) points.push_back(p);
  }
  const double delta = 1e-3;
  std::printf(
      "fit_bench: %zu of %zu Chinchilla points (5 highest losses excluded), Huber delta %g\n",
      points.size(), all.size(), delta);

  // The full fit: grid over (alpha, beta) by variable projection, then L-BFGS-B.
  scalecalc::LossFitResult fit;
  Timer fit_timer;
  for (int r = 0; r < reps; ++r) fit = scalecalc::FitLossLaw(points, delta);
  const double fit_cpu_ms = 1e3 * fit_timer.CpuSeconds() / reps;
  const double fit_wall_ms = 1e3 * fit_timer.WallSeconds() / reps;
  if (!fit.ok) {
    std::fprintf(stderr, "fit_bench: fit failed: %s\n", fit.error.c_str());
    return 1;
  }
  std::printf("loss-law fit: %.3f ms CPU, %.3f ms wall per fit (%d repetitions)\n", fit_cpu_ms,
              fit_wall_ms, reps);
  PrintLaw("ours", fit.law, fit.objective);
  LossLaw epoch;
  epoch.E = 1.817;
  epoch.A = 482.0;
  epoch.alpha = 0.3478;
  epoch.B = 2085.4;
  epoch.beta = 0.3658;
  const double epoch_objective = scalecalc::LossObjective(points, epoch, delta);
  PrintLaw("Epoch's published constants", epoch, epoch_objective);

  // Bootstrap: resample the points with replacement, refit from the full-data optimum.
  std::vector<scalecalc::BootstrapUnit> units;
  for (const LossPoint& p : points) {
    scalecalc::BootstrapUnit unit;
    unit.loss = p;
    units.push_back(unit);
  }
  scalecalc::BootstrapSettings settings;
  settings.samples = boot;
  settings.seed = seed;
  settings.huber_delta = delta;
  settings.distinct_tolerance = 0.01;
  settings.start = fit.law;
  Timer boot_timer;
  const scalecalc::BootstrapResult result = scalecalc::RunBootstrap(units, settings, {});
  const double boot_cpu = boot_timer.CpuSeconds(), boot_wall = boot_timer.WallSeconds();
  std::vector<double> alphas, betas, es;
  for (const LossLaw& law : result.loss) {
    alphas.push_back(law.alpha);
    betas.push_back(law.beta);
    es.push_back(law.E);
  }
  const scalecalc::Interval alpha_ci = scalecalc::Percentile95(alphas);
  const scalecalc::Interval beta_ci = scalecalc::Percentile95(betas);
  const scalecalc::Interval e_ci = scalecalc::Percentile95(es);
  std::printf(
      "bootstrap: %d refits in %.3f s CPU, %.3f s wall (%zu kept); 95%%: alpha [%.4f, %.4f]"
      " beta [%.4f, %.4f] E [%.4f, %.4f]\n",
      boot, boot_cpu, boot_wall, result.loss.size(), alpha_ci.lo, alpha_ci.hi, beta_ci.lo,
      beta_ci.hi, e_ci.lo, e_ci.hi);

  // Machine-readable lines for run_fit_bench.sh.
  std::printf("RESULT objective %.12g\n", fit.objective);
  std::printf("RESULT epoch_constants_objective %.12g\n", epoch_objective);
  std::printf(
      "RESULT E %.10g\nRESULT A %.10g\nRESULT alpha %.10g\nRESULT B %.10g\n"
      "RESULT beta %.10g\n",
      fit.law.E, fit.law.A, fit.law.alpha, fit.law.B, fit.law.beta);
  std::printf("RESULT fit_seconds %.9g\n", fit_cpu_ms / 1e3);
  std::printf("RESULT fit_wall_seconds %.9g\n", fit_wall_ms / 1e3);
  std::printf("RESULT bootstrap_refits %d\n", boot);
  std::printf("RESULT bootstrap_seconds %.9g\n", boot_cpu);
  std::printf("RESULT bootstrap_wall_seconds %.9g\n", boot_wall);
  return 0;
}

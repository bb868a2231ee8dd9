// Files as experiment trackers export them (MLflow's search_runs, W&B's runs table and its API
// recipe, decimal-comma spreadsheets) and training curves, read with no column flags.
//
// The oracle: one sweep generated from known laws (a loss law and lr / batch optima with a convex
// bowl around them) written as a plain file, and the same runs written in each tracker's shape,
// with runs that did not finish and a training loss beside the validation loss. Both must give
// the same table and the same laws bit for bit; the unfinished runs are left out and listed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/bootstrap.h"
#include "core/cells.h"
#include "core/csv_fields.h"
#include "core/csv_reader.h"
#include "core/fit.h"

namespace scalecalc {
namespace {

// The shortest "%.{p}g" text that reads back as the same double (as Python's repr writes floats).
std::string Shortest(double x) {
  char text[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  return text;
}

struct SweepRun {
  double params, tokens, lr, batch_tokens, loss, train_loss;
  int run;  // the (N, lr, batch) run it is a checkpoint of
};

constexpr double kParams[] = {3e7, 6e7, 1.2e8, 2.4e8, 4.8e8};
constexpr double kTokens[] = {2e9, 4e9, 8e9};
constexpr double kLrs[] = {2.5e-4, 3.5355339059327376e-4, 5e-4, 7.0710678118654752e-4,
                           1e-3,   1.4142135623730951e-3, 2e-3};
constexpr double kBatches[] = {32768, 46340.950011841578, 65536, 92681.900023683156, 131072};

double SweepLoss(double params, double tokens, double lr, double batch_tokens) {
  const double law = 0.45 + 30 * std::pow(params, -0.3) + 40 * std::pow(tokens, -0.3);
  const double lr_opt = 1e-3 * std::pow(params / 1e8, -0.2);
  const double batch_opt = 6.5e4 * std::pow(tokens / 4e9, 0.5);
  const double u = std::log(lr / lr_opt), v = std::log(batch_tokens / batch_opt);
  return law * (1 + 0.01 * u * u + 0.004 * v * v + 0.002 * u * v);
}

// Run-major order (N, lr, batch, then T): the order the curves file lists its checkpoints in, so
// that every file lists the same runs in the same order.
std::vector<SweepRun> Sweep() {
  std::vector<SweepRun> runs;
  int run = 0;
  for (double params : kParams) {
    for (double lr : kLrs) {
      for (double batch : kBatches) {
        for (double tokens : kTokens) {
          const double loss = SweepLoss(params, tokens, lr, batch);
          runs.push_back({params, tokens, lr, batch, loss, loss * 0.97 - 0.01, run});
        }
        ++run;
      }
    }
  }
  return runs;
}

std::vector<SweepRun> FinalCheckpoints() {
  std::vector<SweepRun> out;
  for (const SweepRun& r : Sweep()) {
    if (r.tokens == kTokens[2]) out.push_back(r);
  }
  return out;
}

std::string PlainFile(const std::vector<SweepRun>& runs) {
  std::string text = "params,tokens,lr,batch_tokens,loss\n";
  for (const SweepRun& r : runs) {
    text += Shortest(r.params) + "," + Shortest(r.tokens) + "," + Shortest(r.lr) + "," +
            Shortest(r.batch_tokens) + "," + Shortest(r.loss) + "\n";
  }
  return text;
}

// Fits with a quick, deterministic setting: no bootstrap (the point fits are compared).
FitSummary QuickFit(const RunTable& table) {
  FitOptions options;
  options.bootstrap_samples = 0;
  options.optimum = OptimumMethod::kSmooth;
  return Fit(table, options);
}

// Equal bit for bit, NaN included.
bool Same(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void ExpectSameRuns(const RunTable& a, const RunTable& b) {
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_PRED2(Same, a.runs[i].params, b.runs[i].params) << i;
    EXPECT_PRED2(Same, a.runs[i].tokens, b.runs[i].tokens) << i;
    EXPECT_PRED2(Same, a.runs[i].lr, b.runs[i].lr) << i;
    EXPECT_PRED2(Same, a.runs[i].batch_tokens, b.runs[i].batch_tokens) << i;
    EXPECT_PRED2(Same, a.runs[i].loss, b.runs[i].loss) << i;
  }
  EXPECT_EQ(a.has_lr, b.has_lr);
  EXPECT_EQ(a.has_batch, b.has_batch);
}

void ExpectSameLaws(const FitSummary& a, const FitSummary& b) {
  ASSERT_TRUE(a.ok);
  ASSERT_TRUE(b.ok);
  EXPECT_EQ(a.loss.law.E, b.loss.law.E);
  EXPECT_EQ(a.loss.law.A, b.loss.law.A);
  EXPECT_EQ(a.loss.law.alpha, b.loss.law.alpha);
  EXPECT_EQ(a.loss.law.B, b.loss.law.B);
  EXPECT_EQ(a.loss.law.beta, b.loss.law.beta);
  EXPECT_EQ(a.lr_law.law.coef, b.lr_law.law.coef);
  EXPECT_EQ(a.lr_law.law.exp_params, b.lr_law.law.exp_params);
  EXPECT_EQ(a.lr_law.law.exp_tokens, b.lr_law.law.exp_tokens);
  EXPECT_EQ(a.batch_law.law.coef, b.batch_law.law.coef);
  EXPECT_EQ(a.batch_law.law.exp_params, b.batch_law.law.exp_params);
  EXPECT_EQ(a.batch_law.law.exp_tokens, b.batch_law.law.exp_tokens);
  EXPECT_EQ(a.cells.size(), b.cells.size());
}

// Reads `text` as the user's file with default options (no column flags) and checks it against
// the plain file of `runs`: the same table, the same laws, and `unfinished` runs listed.
void ExpectLikePlain(const std::string& text, const std::vector<SweepRun>& runs, size_t unfinished,
                     const ReadOptions& options = {}) {
  const ReadResult plain = ReadRuns(PlainFile(runs));
  ASSERT_TRUE(plain.ok);
  const ReadResult read = ReadRuns(text, options);
  ASSERT_TRUE(read.ok) << (read.errors.empty() ? "" : read.errors[0].ToString());
  ExpectSameRuns(plain.table, read.table);
  const FitSummary plain_fit = QuickFit(plain.table), read_fit = QuickFit(read.table);
  ASSERT_EQ(plain_fit.cells.size(), read_fit.cells.size());
  for (size_t c = 0; c < plain_fit.cells.size(); ++c) {
    EXPECT_EQ(plain_fit.cells[c].params, read_fit.cells[c].params);
    EXPECT_EQ(plain_fit.cells[c].tokens, read_fit.cells[c].tokens);
    EXPECT_EQ(plain_fit.cells[c].loss, read_fit.cells[c].loss);
    EXPECT_EQ(plain_fit.cells[c].runs, read_fit.cells[c].runs);
  }
  if (runs.size() == Sweep().size()) ExpectSameLaws(plain_fit, read_fit);
  EXPECT_EQ(read.unfinished.size(), unfinished);
  bool noted = unfinished == 0;
  for (const std::string& note : read.notes) {
    noted = noted || note.find("left out: the run did not finish") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

// ---- MLflow: mlflow.search_runs(...).to_csv(...) ------------------------------------------------

std::string MlflowFile() {
  std::string text =
      "run_id,experiment_id,status,artifact_uri,start_time,end_time,metrics.val_loss,"
      "metrics.train_loss,metrics.lr,params.n_params,params.tokens,params.lr,params.batch_tokens,"
      "tags.mlflow.runName\n";
  int k = 0;
  auto row = [&](const SweepRun& r, const char* status, const std::string& val_loss) {
    const std::string id = "a1b2c3" + std::to_string(k++);
    // metrics.lr is the schedule's last value (a decayed 1e-6): never the run's lr.
    text += id + ",1," + status + ",mlflow-artifacts:/1/" + id +
            "/artifacts,2024-05-01 10:00:00+00:00,2024-05-01 11:00:00+00:00," + val_loss + "," +
            Shortest(r.train_loss) + ",1e-06," + Shortest(r.params) + "," + Shortest(r.tokens) +
            "," + Shortest(r.lr) + "," + Shortest(r.batch_tokens) + ",run-" + std::to_string(k) +
            "\n";
  };
  const std::vector<SweepRun> runs = Sweep();
  for (size_t i = 0; i < runs.size(); ++i) {
    row(runs[i], "FINISHED", Shortest(runs[i].loss));
    if (i == 3) row(runs[i], "FAILED", "");                          // no loss: never read
    if (i == 9) row(runs[i], "KILLED", Shortest(runs[i].loss * 2));  // a loss, but not finished
    if (i == 20) row(runs[i], "RUNNING", "");
  }
  return text;
}

TEST(TrackerFiles, MlflowSearchRunsReadsLikeThePlainFile) {
  ExpectLikePlain(MlflowFile(), Sweep(), 3);
  const ReadResult read = ReadRuns(MlflowFile());
  ASSERT_TRUE(read.ok);
  EXPECT_EQ(read.unfinished[0].line, 6);  // header, 4 finished rows, then the failed one
  EXPECT_EQ(read.unfinished[0].column, 3);
  EXPECT_NE(read.unfinished[0].message.find("failed"), std::string::npos);
  EXPECT_NE(read.unfinished[0].message.find("a1b2c34"), std::string::npos);  // the run's id
  // The columns the table depends on: run_id (it decides whether rows are curves and names runs in
  // messages), status, metrics.val_loss and the four params.
  EXPECT_EQ(read.used_columns, (std::vector<int>{0, 2, 6, 9, 10, 11, 12}));
}

TEST(TrackerFiles, KeepUnfinishedBringsTheRunsBack) {
  ReadOptions options;
  options.keep_unfinished = true;
  options.bad_rows = BadRowPolicy::kSkip;  // the failed and running runs have no loss
  const ReadResult read = ReadRuns(MlflowFile(), options);
  ASSERT_TRUE(read.ok);
  EXPECT_TRUE(read.unfinished.empty());
  EXPECT_EQ(read.table.runs.size(), Sweep().size() + 1);  // the killed run is back
  const ReadResult strict = ReadRuns(MlflowFile(), [] {
    ReadOptions o;
    o.keep_unfinished = true;
    return o;
  }());
  ASSERT_FALSE(strict.ok);
  EXPECT_EQ(strict.errors[0].line, 6);
  EXPECT_EQ(strict.errors[0].column, 7);  // metrics.val_loss of the failed run
}

// ---- W&B: the runs table's "Export as CSV"
// -------------------------------------------------------

std::string WandbRunsTable() {
  std::string text =
      "Name,State,Notes,User,Tags,Created,Runtime,Sweep,model.n_params,tokens,lr,batch_tokens,"
      "seed,val/loss,train/loss,train/lr,_step,_runtime,_timestamp\n";
  int k = 0;
  auto row = [&](const SweepRun& r, const char* state, const std::string& val_loss) {
    text += "run-" + std::to_string(k++) + "," + state + ",,alice,\"baseline, v2\"," +
            "2024-05-01T10:00:00.000Z,3600,sw1," + Shortest(r.params) + "," + Shortest(r.tokens) +
            "," + Shortest(r.lr) + "," + Shortest(r.batch_tokens) + ",0," + val_loss + "," +
            Shortest(r.train_loss) + ",3e-06,1000,3600,1714557600\n";
  };
  const std::vector<SweepRun> runs = Sweep();
  for (size_t i = 0; i < runs.size(); ++i) {
    row(runs[i], "finished", Shortest(runs[i].loss));
    if (i == 5) row(runs[i], "crashed", Shortest(runs[i].loss * 1.5));
    if (i == 30) row(runs[i], "failed", "NaN");
  }
  return text;
}

TEST(TrackerFiles, WandbRunsTableReadsLikeThePlainFile) {
  ExpectLikePlain(WandbRunsTable(), Sweep(), 2);
  const ReadResult read = ReadRuns(WandbRunsTable());
  ASSERT_TRUE(read.ok);
  // val/loss is the loss; train/loss (a training loss) and train/lr (the schedule's last value)
  // stay text columns.
  EXPECT_NE(read.table.FindColumn("train/loss"), nullptr);
  EXPECT_NE(read.table.FindColumn("train/lr"), nullptr);
  EXPECT_EQ(read.used_columns, (std::vector<int>{0, 1, 8, 9, 10, 11, 13}));  // Name: a run id
  EXPECT_FALSE(read.curves);                                                 // one row per Name
}

// ---- W&B: the documented API recipe (summary and config dict reprs)
// --------------------------------

std::string PyDictRow(const SweepRun& r, bool with_loss) {
  std::string summary = "{'_step': 1000, 'train/loss': " + Shortest(r.train_loss) +
                        ", 'train/lr': 3e-06, '_wandb': {'runtime': 3600}";
  if (with_loss) summary += ", 'val/loss': " + Shortest(r.loss);
  summary += "}";
  const std::string config =
      "{'lr': " + Shortest(r.lr) + ", 'batch_tokens': " + Shortest(r.batch_tokens) +
      ", 'tokens': " + Shortest(r.tokens) + ", 'model': {'n_params': " + Shortest(r.params) +
      ", 'name': 'dit', 'tied': True}, 'tags': ['a', 'b'], 'note': None}";
  return "\"" + summary + "\",\"" + config + "\"";
}

std::string WandbApiFile() {
  // pandas.DataFrame({"summary": ..., "config": ..., "name": ..., "state": ...}).to_csv(...)
  std::string text = ",summary,config,name,state\n";
  int k = 0;
  const std::vector<SweepRun> runs = Sweep();
  for (size_t i = 0; i < runs.size(); ++i) {
    text += std::to_string(k) + "," + PyDictRow(runs[i], true) + ",run-" + std::to_string(k) +
            ",finished\n";
    ++k;
    if (i == 7) {
      text += std::to_string(k) + "," + PyDictRow(runs[i], false) + ",run-" + std::to_string(k) +
              ",crashed\n";
      ++k;
    }
  }
  return text;
}

TEST(TrackerFiles, WandbApiRecipeWithDictCellsReadsLikeThePlainFile) {
  ExpectLikePlain(WandbApiFile(), Sweep(), 1);
  const ReadResult read = ReadRuns(WandbApiFile());
  ASSERT_TRUE(read.ok);
  // summary.train/lr (the schedule's end) is no lr; the config's is.
  EXPECT_EQ(read.table.runs[0].lr, kLrs[0]);
  EXPECT_NE(read.table.FindColumn("summary.train/lr"), nullptr);
  // Columns used: summary (the loss), config (the settings), name (a run id) and state.
  EXPECT_EQ(read.used_columns, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_NE(read.headers.end(),
            std::find(read.headers.begin(), read.headers.end(), "config.model.n_params"));
}

TEST(TrackerFiles, AMalformedDictIsALocatedError) {
  std::string text = WandbApiFile();
  const size_t at = text.find("'lr': ", text.find('\n', text.find('\n') + 1));  // second row
  text.replace(at, 6, "'lr' ");                                                 // no ':'
  const ReadResult read = ReadRuns(text);
  ASSERT_FALSE(read.ok);
  ASSERT_FALSE(read.errors.empty());
  EXPECT_EQ(read.errors[0].line, 3);
  EXPECT_EQ(read.errors[0].column, 3);  // the config column
  EXPECT_NE(read.errors[0].message.find("\"config\""), std::string::npos);
  EXPECT_NE(read.errors[0].message.find("':' expected"), std::string::npos);
}

// ---- Decimal comma with ';'
// ----------------------------------------------------------------------

std::string Comma(std::string number) {
  for (char& c : number) c = c == '.' ? ',' : c;
  return number;
}

std::string DecimalCommaFile() {
  std::string text = "params;tokens;lr;batch_tokens;val_loss;train_loss;status\n";
  const std::vector<SweepRun> runs = Sweep();
  for (size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& r = runs[i];
    const std::string cells = Comma(Shortest(r.params)) + ";" + Comma(Shortest(r.tokens)) + ";" +
                              Comma(Shortest(r.lr)) + ";" + Comma(Shortest(r.batch_tokens)) + ";";
    text += cells + Comma(Shortest(r.loss)) + ";" + Comma(Shortest(r.train_loss)) + ";finished\n";
    if (i == 11) text += cells + "9,5;1,0;failed\n";
  }
  return text;
}

TEST(TrackerFiles, DecimalCommaWithSemicolonsReadsLikeThePlainFile) {
  ExpectLikePlain(DecimalCommaFile(), Sweep(), 1);
  const ReadResult read = ReadRuns(DecimalCommaFile());
  ASSERT_TRUE(read.ok);
  bool told = false;
  for (const std::string& note : read.notes) {
    told = told || note.find("decimal comma") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

TEST(TrackerFiles, MixingDecimalCommaAndPointIsALocatedError) {
  const ReadResult read = ReadRuns("params;tokens;loss\n1,5e8;2e9;0,5\n3e8;4e9;0.45\n");
  ASSERT_FALSE(read.ok);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].line, 3);
  EXPECT_EQ(read.errors[0].column, 3);
  EXPECT_NE(read.errors[0].message.find("line 2, column 1"), std::string::npos);
  const ReadResult both = ReadRuns("params;tokens;loss\n1.000,5;2e9;0,5\n");
  ASSERT_FALSE(both.ok);
  EXPECT_EQ(both.errors[0].column, 1);
  // With ',' as the separator a comma inside a quoted number stays ambiguous, as before.
  EXPECT_FALSE(ReadRuns("params,tokens,loss\n\"1,5\",2e9,0.5\n").ok);
}

// ---- Status columns
// ------------------------------------------------------------------------------

TEST(TrackerFiles, AnUnknownStatusIsALocatedError) {
  const ReadResult read = ReadRuns(
      "params,tokens,loss,State\n1e8,2e9,0.5,finished\n"
      "2e8,2e9,0.4,exploded\n");
  ASSERT_FALSE(read.ok);
  EXPECT_EQ(read.errors[0].line, 3);
  EXPECT_EQ(read.errors[0].column, 4);
  EXPECT_NE(read.errors[0].message.find("\"exploded\""), std::string::npos);
  // Case does not matter; blank is a run with no status (kept).
  const ReadResult ok = ReadRuns("params,tokens,loss,status\n1e8,2e9,0.5,FINISHED\n2e8,2e9,0.4,\n");
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.table.runs.size(), 2u);
}

// ---- W&B line-plot export
// ------------------------------------------------------------------------

TEST(TrackerFiles, TheWideLinePlotExportSaysWhatToExportInstead) {
  const ReadResult read = ReadRuns(
      "Step,run-a - val/loss,run-a - val/loss__MIN,run-a - val/loss__MAX\n100,3.1,3.1,3.1\n");
  ASSERT_FALSE(read.ok);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_NE(read.errors[0].message.find("Export as CSV"), std::string::npos);
  EXPECT_NE(read.errors[0].message.find("settings"), std::string::npos);
}

// ---- Training curves
// -----------------------------------------------------------------------------

// One row per checkpoint of every (N, lr, batch) run, with rows where only the training loss was
// logged (no validation loss), and a crashed run.
std::string CurvesFile() {
  std::string text = "run_id,step,tokens,params,lr,batch_tokens,val_loss,train_loss,state\n";
  const std::vector<SweepRun> runs = Sweep();
  for (size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& r = runs[i];
    const std::string settings =
        Shortest(r.params) + "," + Shortest(r.lr) + "," + Shortest(r.batch_tokens) + ",";
    const std::string id = "r" + std::to_string(r.run);
    const double step = r.tokens / r.batch_tokens;
    // A training-loss-only row halfway to this checkpoint.
    text += id + "," + Shortest(step - 10) + "," + Shortest(r.tokens - 10 * r.batch_tokens) + "," +
            settings + "," + Shortest(r.train_loss + 0.01) + ",finished\n";
    text += id + "," + Shortest(step) + "," + Shortest(r.tokens) + "," + settings +
            Shortest(r.loss) + "," + Shortest(r.train_loss) + ",finished\n";
    if (r.run == 17) {  // a crashed run beside run 17, at each of its checkpoints
      text += "crashed-1," + Shortest(step) + "," + Shortest(r.tokens) + "," + settings +
              "9,9,crashed\n";
    }
  }
  return text;
}

TEST(TrainingCurves, AllCheckpointsGiveThePlainSweepsLaws) {
  ReadOptions options;
  options.checkpoints = CheckpointPolicy::kAll;
  ExpectLikePlain(CurvesFile(), Sweep(), 3, options);
  const ReadResult read = ReadRuns(CurvesFile(), options);
  ASSERT_TRUE(read.ok);
  EXPECT_TRUE(read.curves);
  EXPECT_EQ(read.curve_names.size(), 175u);  // the crashed run never gets a name: left out first
  for (const scalecalc::Run& run : read.table.runs) EXPECT_GE(run.curve, 0);
  // Each run's three checkpoints carry its index.
  EXPECT_EQ(read.table.runs[0].curve, read.table.runs[2].curve);
  EXPECT_NE(read.table.runs[2].curve, read.table.runs[3].curve);
}

TEST(TrainingCurves, FinalGivesTheLastCheckpointCells) {
  ExpectLikePlain(CurvesFile(), FinalCheckpoints(), 3);
  const ReadResult read = ReadRuns(CurvesFile());
  ASSERT_TRUE(read.ok);
  // Checkpoints without a validation loss are reported as left out.
  bool told = false;
  for (const std::string& note : read.notes) {
    told = told || note.find("525 checkpoints have no loss") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

TEST(TrainingCurves, BatchSizesLoggedEveryKStepsAreMatchedToCommonBudgets) {
  // Steps 1000, 2000, ... with batches of 2^15, 2^16, 2^17 tokens: the runs reach 32.8M, 65.5M,
  // 131M tokens per 1000 steps. Every run trains to 2^32 tokens. The budgets all three reach are
  // the largest batch's checkpoints (1000k steps x 2^17): 32 budgets per model size.
  std::string text = "run,step,params,lr,batch_tokens,loss\n";
  int run = 0;
  for (double params : {1e8, 2e8}) {
    for (double lr : {5e-4, 1e-3}) {
      for (double batch : {32768.0, 65536.0, 131072.0}) {
        const double last_step = 4294967296.0 / batch;
        for (double step = 1000; step <= last_step; step += 1000) {
          text += "r" + std::to_string(run) + "," + Shortest(step) + "," + Shortest(params) + "," +
                  Shortest(lr) + "," + Shortest(batch) + "," +
                  Shortest(SweepLoss(params, step * batch, lr, batch)) + "\n";
        }
        ++run;
      }
    }
  }
  ReadOptions options;
  options.checkpoints = CheckpointPolicy::kAll;
  const ReadResult read = ReadRuns(text, options);
  ASSERT_TRUE(read.ok) << read.errors[0].ToString();
  EXPECT_TRUE(read.curves);
  std::vector<Cell> cells = GroupCells(read.table, 0.01);
  ASSERT_EQ(cells.size(), 2u * 32u);
  for (const Cell& cell : cells) {
    EXPECT_EQ(cell.runs, 6) << cell.params << " " << cell.tokens;  // every lr x batch run
    EXPECT_EQ(std::fmod(cell.tokens, 131072000.0), 0.0);
  }
  // The tokens are step x batch tokens; the step column is used.
  EXPECT_EQ(read.used_columns, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(TrainingCurves, CheckpointsThatGoBackOrRepeatAreReported) {
  const std::string text =
      "run_id,tokens,params,loss\n"
      "a,1e9,1e8,3.0\n"
      "a,2e9,1e8,2.9\n"
      "a,2e9,1e8,2.8\n"  // repeats
      "b,1e9,2e8,2.9\n"
      "b,3e9,2e8,2.7\n"
      "b,2e9,2e8,2.8\n";  // back
  const ReadResult read = ReadRuns(text);
  ASSERT_FALSE(read.ok);
  ASSERT_EQ(read.errors.size(), 2u);
  EXPECT_EQ(read.errors[0].line, 4);
  EXPECT_EQ(read.errors[0].column, 2);
  EXPECT_NE(read.errors[0].message.find("repeats the checkpoint of line 3"), std::string::npos);
  EXPECT_EQ(read.errors[1].line, 7);
  EXPECT_NE(read.errors[1].message.find("goes back before"), std::string::npos);
  ReadOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  const ReadResult skipped = ReadRuns(text, skip);
  ASSERT_TRUE(skipped.ok);
  ASSERT_EQ(skipped.table.runs.size(), 2u);  // final: a's at 2e9 (line 3), b's at 3e9
  EXPECT_EQ(skipped.table.runs[0].line, 3);
  EXPECT_EQ(skipped.table.runs[1].line, 6);
}

TEST(TrainingCurves, IdsWhoseRowsChangeSettingsAreNoRuns) {
  // "name" as a model label repeated over budgets and learning rates: read as before, said so.
  const std::string text =
      "name,params,tokens,lr,loss\nsmall,1e8,2e9,1e-3,3.0\nsmall,1e8,2e9,2e-3,2.9\n"
      "small,1e8,4e9,1e-3,2.8\nbig,2e8,2e9,1e-3,2.7\n";
  const ReadResult read = ReadRuns(text);
  ASSERT_TRUE(read.ok);
  EXPECT_FALSE(read.curves);
  EXPECT_EQ(read.table.runs.size(), 4u);
  EXPECT_EQ(read.table.runs[0].curve, -1);
  bool told = false;
  for (const std::string& note : read.notes) {
    told = told || note.find("\"name\" is not read as run ids") != std::string::npos;
  }
  EXPECT_TRUE(told);
  const ReadResult plain = ReadRuns(
      "params,tokens,lr,loss\n1e8,2e9,1e-3,3.0\n1e8,2e9,2e-3,2.9\n1e8,4e9,1e-3,2.8\n"
      "2e8,2e9,1e-3,2.7\n");
  ASSERT_TRUE(plain.ok);
  ExpectSameRuns(plain.table, read.table);
}

TEST(TrainingCurves, UniqueRunIdsReadExactlyAsWithoutThem) {
  const ReadResult with = ReadRuns("name,params,tokens,loss\na,1e8,2e9,0.5\nb,2e8,2e9,0.4\n");
  const ReadResult without = ReadRuns("params,tokens,loss\n1e8,2e9,0.5\n2e8,2e9,0.4\n");
  ASSERT_TRUE(with.ok);
  ASSERT_TRUE(without.ok);
  EXPECT_FALSE(with.curves);
  ExpectSameRuns(with.table, without.table);
  EXPECT_EQ(with.table.runs[0].curve, -1);
  ASSERT_EQ(with.table.text_columns.size(), 1u);  // the id stays a text column
  // A blank loss is an error there, as in any file.
  EXPECT_FALSE(ReadRuns("name,params,tokens,loss\na,1e8,2e9,\nb,2e8,2e9,0.4\n").ok);
}

// ---- The dict flattener
// --------------------------------------------------------------------------

TEST(PyDict, FlattensNestedKeysAndPythonValues) {
  std::vector<csv_internal::DictEntry> entries;
  std::string error;
  size_t offset = 0;
  ASSERT_TRUE(csv_internal::FlattenPyDict(
      "{'lr': 5e-05, \"model\": {'n_params': 1000000, 'deep': {'x': -1}}, 'ok': True, "
      "'no': False, 'none': None, 'list': [1, (2, 3), {'a': 4}], 'k': 'a \\'b\\'', }",
      &entries, &error, &offset))
      << error;
  ASSERT_EQ(entries.size(), 8u);
  EXPECT_EQ(entries[0].key, "lr");
  EXPECT_EQ(entries[0].value, "5e-05");
  EXPECT_EQ(entries[1].key, "model.n_params");
  EXPECT_EQ(entries[2].key, "model.deep.x");
  EXPECT_EQ(entries[2].value, "-1");
  EXPECT_EQ(entries[3].value, "true");
  EXPECT_EQ(entries[4].value, "false");
  EXPECT_EQ(entries[5].value, "");
  EXPECT_EQ(entries[6].value, "[1, (2, 3), {'a': 4}]");
  EXPECT_EQ(entries[7].value, "a 'b'");
  ASSERT_TRUE(csv_internal::FlattenPyDict("  ", &entries, &error, &offset));
  EXPECT_TRUE(entries.empty());
}

TEST(PyDict, MalformedDictsSayWhereAndWhy) {
  std::vector<csv_internal::DictEntry> entries;
  std::string error;
  size_t offset = 0;
  struct Case {
    const char* text;
    const char* why;
    size_t offset;
  } cases[] = {{"{'a': 1", "not closed", 7},
               {"{'a' 1}", "':' expected", 5},
               {"{'a': 1 'b': 2}", "',' or '}' expected", 8},
               {"{'a: 1}", "string is not closed", 7},
               {"{'a': [1, 2}", "unbalanced", 11},
               {"{'a': 1}}", "text after", 8},
               {"[1, 2]", "starts with '{'", 0},
               {"{'a': }", "value is missing", 6}};
  for (const Case& c : cases) {
    EXPECT_FALSE(csv_internal::FlattenPyDict(c.text, &entries, &error, &offset)) << c.text;
    EXPECT_NE(error.find(c.why), std::string::npos) << c.text << ": " << error;
    EXPECT_EQ(offset, c.offset) << c.text;
    EXPECT_TRUE(entries.empty());
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{'a': ";
  EXPECT_FALSE(csv_internal::FlattenPyDict(deep, &entries, &error, &offset));
  EXPECT_NE(error.find("deeper than 32"), std::string::npos) << error;
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

// ---- The bootstrap of curves resamples whole runs ---------------------------------------------

TEST(TrainingCurves, TheBootstrapResamplesWholeRuns) {
  // Each run's checkpoints share one offset (a run-level effect), as real curves do.
  std::string text = "run_id,tokens,params,lr,batch_tokens,loss\n";
  for (const SweepRun& r : Sweep()) {
    const double offset = 1 + 0.004 * std::sin(12.9898 * r.run);  // fixed, run-specific
    text += "r" + std::to_string(r.run) + "," + Shortest(r.tokens) + "," + Shortest(r.params) +
            "," + Shortest(r.lr) + "," + Shortest(r.batch_tokens) + "," +
            Shortest(r.loss * offset) + "\n";
  }
  ReadOptions read_options;
  read_options.checkpoints = CheckpointPolicy::kAll;
  const ReadResult read = ReadRuns(text, read_options);
  ASSERT_TRUE(read.ok);
  FitOptions options;
  options.optimum = OptimumMethod::kSmooth;
  options.bootstrap_samples = 40;
  BootstrapExecution one, two;
  one.threads = 1;
  two.threads = 2;
  const FitSummary a = Fit(read.table, options, {}, one);
  const FitSummary b = Fit(read.table, options, {}, two);
  ASSERT_TRUE(a.ok) << a.message;
  EXPECT_NE(a.message.find("whole runs resampled (175 training curves"), std::string::npos)
      << a.message;
  EXPECT_GE(a.bootstrap_samples_done, 36);
  ASSERT_EQ(a.laws.loss_samples.size(), b.laws.loss_samples.size());  // any thread count
  for (size_t k = 0; k < a.laws.loss_samples.size(); ++k) {
    EXPECT_EQ(a.laws.loss_samples[k].alpha, b.laws.loss_samples[k].alpha);
  }
  // The same table without run ids (cells drawn) gives other resamples.
  RunTable no_curves = read.table;
  for (scalecalc::Run& run : no_curves.runs) run.curve = -1;
  const FitSummary cells = Fit(no_curves, options);
  ASSERT_TRUE(cells.ok);
  EXPECT_EQ(cells.message.find("whole runs"), std::string::npos);
  EXPECT_EQ(cells.loss.law.alpha, a.loss.law.alpha);  // the point fit is the same
  EXPECT_NE(cells.loss.alpha_ci.lo, a.loss.alpha_ci.lo);
}

TEST(Bootstrap, RebuildDrawsEveryRunCountOnce) {
  BootstrapSettings settings;
  settings.samples = 5;
  settings.run_count = 7;
  std::vector<std::vector<int>> seen;
  settings.rebuild = [&](const std::vector<int>& counts) {
    seen.push_back(counts);
    return std::vector<BootstrapUnit>{};
  };
  const BootstrapResult result = RunBootstrapRange({}, settings, 0, 5, {});
  ASSERT_EQ(seen.size(), 5u);
  for (size_t k = 0; k < seen.size(); ++k) {
    ASSERT_EQ(seen[k].size(), 7u);
    int total = 0;
    for (int c : seen[k]) total += c;
    EXPECT_EQ(total, 7);
    EXPECT_EQ(seen[k], ResampleCounts(settings.seed, k, 7));  // the seeded draw of resample k
  }
  EXPECT_EQ(result.skipped, 5);  // no units: nothing to fit
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

TEST(TrackerFiles, ATableWithNoRunLeftIsRefusedWithAReason) {
  const ReadResult unfinished = ReadRuns("params,tokens,loss,status\n1e8,2e9,2.5,FAILED\n");
  ASSERT_FALSE(unfinished.ok);
  ASSERT_EQ(unfinished.errors.size(), 1u);
  EXPECT_NE(unfinished.errors[0].message.find("--keep-unfinished"), std::string::npos);
  EXPECT_EQ(unfinished.unfinished.size(), 1u);
  const ReadResult step_zero =
      ReadRuns("run,_step,n_params,lr,batch_tokens,val/loss\nx,0,1e8,3e-4,65536,4.0\n");
  ASSERT_FALSE(step_zero.ok);
  EXPECT_NE(step_zero.errors[0].message.find("step 0"), std::string::npos);
}

}  // namespace
}  // namespace scalecalc

namespace scalecalc {
namespace {

TEST(TrackerFiles, BatchInSamplesWithASequenceLengthParamAsToday) {
  const ReadResult read = ReadRuns(
      "run_id,status,metrics.val_loss,params.n_params,params.tokens,params.lr,params.batch_size,"
      "params.seq_len\na,FINISHED,2.5,1e8,2e9,3e-4,32,2048\nb,FINISHED,2.4,2e8,2e9,3e-4,64,4096\n");
  ASSERT_TRUE(read.ok) << read.errors[0].ToString();
  EXPECT_EQ(read.table.runs[0].batch_tokens, 32.0 * 2048);
  EXPECT_EQ(read.table.runs[1].batch_tokens, 64.0 * 4096);
  EXPECT_EQ(read.used_columns, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));  // 0: a run id
}

TEST(TrackerFiles, AResultNeverStandsForASetting) {
  // metrics.lr (the schedule's last value) and summary.tokens_per_sample are no settings: without
  // params.lr the table has no learning rates.
  const ReadResult read =
      ReadRuns("metrics.val_loss,metrics.lr,params.n_params,params.tokens\n2.5,1e-6,1e8,2e9\n");
  ASSERT_TRUE(read.ok);
  EXPECT_FALSE(read.table.has_lr);
  EXPECT_TRUE(std::isnan(read.table.runs[0].lr));
  // ...and a setting never stands for a loss.
  const ReadResult loss = ReadRuns("config.loss,config.n_params,config.tokens\n2.5,1e8,2e9\n");
  ASSERT_FALSE(loss.ok);
  EXPECT_NE(loss.errors[0].message.find("missing required column for loss"), std::string::npos);
}

}  // namespace
}  // namespace scalecalc

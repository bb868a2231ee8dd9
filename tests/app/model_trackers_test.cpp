// The app's Model with trackers' files (issue 28): the Data panel's switches are state
// (keep_unfinished, checkpoints), checked where they are typed, and a state file of a file larger
// than a link carries (16 MiB of CSV) opens again.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "app/model.h"
#include "core/analysis_state.h"

namespace scalecalc::app {
namespace {

// Curves of 4 model sizes x 2 learning rates, `steps` checkpoints each, and a crashed run.
std::string Curves(int steps) {
  std::string csv = "run_id,step,params,lr,batch_tokens,val/loss,state\n";
  int run = 0;
  char line[200];
  for (double n : {1e8, 2e8, 4e8, 8e8}) {
    for (double lr : {5e-4, 1e-3}) {
      for (int k = 1; k <= steps; ++k) {
        const double tokens = k * 1000.0 * 65536;
        const double loss = (0.45 + 30 * std::pow(n, -0.3) + 40 * std::pow(tokens, -0.3)) *
                            (1 + 0.01 * std::pow(std::log(lr / 7e-4), 2));
        std::snprintf(line, sizeof line, "r%d,%d,%.17g,%.17g,65536,%.17g,finished\n", run, k * 1000,
                      n, lr, loss);
        csv += line;
      }
      ++run;
    }
  }
  csv += "crashed,1000,1e9,5e-4,65536,3.5,crashed\n";
  return csv;
}

TEST(ModelTrackers, CheckpointsAndUnfinishedRunsAreStateSwitches) {
  Model model;
  ASSERT_EQ(model.LoadCsv(Curves(4), "curves.csv"), "");
  ASSERT_EQ(model.SetOption("bootstrap", "0"), "");
  model.Recompute();
  ASSERT_TRUE(model.results.read.ok);
  EXPECT_TRUE(model.results.read.curves);
  EXPECT_EQ(model.results.read.table.runs.size(), 8u);  // final: each run's last checkpoint
  EXPECT_EQ(model.results.read.unfinished.size(), 1u);
  ASSERT_EQ(model.SetOption("checkpoints", "all"), "");
  model.Recompute();
  EXPECT_EQ(model.results.read.table.runs.size(), 32u);
  ASSERT_EQ(model.SetOption("keep_unfinished", "true"), "");
  model.Recompute();
  EXPECT_EQ(model.results.read.table.runs.size(),
            33u);  // the crashed run is back (its own model size)
  EXPECT_TRUE(model.results.read.unfinished.empty());
  EXPECT_NE(model.SetOption("checkpoints", "sometimes"), "");
  EXPECT_EQ(model.analysis.checkpoints, CheckpointPolicy::kAll);
  // A load reads the file once; an option changed before the next recompute reads it again.
  Model fresh;
  ASSERT_EQ(fresh.LoadCsv(Curves(4), "curves.csv"), "");
  EXPECT_EQ(fresh.results.read.table.runs.size(), 8u);  // the load's own read, kept for Recompute
  ASSERT_EQ(fresh.SetOption("checkpoints", "all"), "");
  fresh.Recompute();
  EXPECT_EQ(fresh.results.read.table.runs.size(), 32u);
  // The switches travel in links and state files.
  const DecodeResult back = StateFromJson(StateToJson(model.analysis));
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.state.checkpoints, CheckpointPolicy::kAll);
  EXPECT_TRUE(back.state.keep_unfinished);
}

TEST(ModelTrackers, AStateFileOfAFileTooLargeForALinkOpens) {
  Model model;
  const std::string csv = Curves(30000);  // about 17 MiB: more than a link's 16 MiB of CSV
  ASSERT_GT(csv.size(), 16u << 20);
  ASSERT_EQ(model.LoadCsv(csv, "big.csv"), "");
  std::string error;
  EXPECT_FALSE(ValidateState(model.analysis, DecodeLimits(), &error));  // no link for it
  const std::string file = StateToJson(model.analysis);
  Model other;
  EXPECT_EQ(other.LoadStateJson(file), "");
  EXPECT_EQ(other.analysis.csv_text, csv);
}

}  // namespace
}  // namespace scalecalc::app

// The app's Model with a group column (src/app/model.h, no UI): the planner's two compared groups
// live in the shared state, are checked where they are typed, and a state whose numbers the data
// does not have opens with the nearest groups and a message naming the control; each group has its
// plot series; a group's bootstrap samples attach to that group alone.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "app/model.h"
#include "model_test_util.h"

namespace scalecalc::app {
namespace {

using test::Contains;
using test::GroupedCsv;

Model GroupedModel(int groups) {
  Model model;
  EXPECT_EQ(model.LoadCsv(GroupedCsv(groups), "labs.csv"), "");
  model.Recompute();
  EXPECT_EQ(model.SetOption("bootstrap", "0"), "");
  EXPECT_EQ(model.SetOption("group_column", "lab"), "");
  model.Recompute();
  return model;
}

TEST(ModelGroups, ComparedGroupsAreStateCheckedWhereTyped) {
  Model model = GroupedModel(3);
  ASSERT_EQ(model.results.groups.size(), 3u);
  // The defaults: the first two groups.
  GroupPair pair = model.ComparedGroups();
  EXPECT_EQ(pair.first, 0);
  EXPECT_EQ(pair.second, 1);
  EXPECT_EQ(pair.message, "");
  EXPECT_EQ(model.SetOption("compare_group_first", "3"), "");
  EXPECT_EQ(model.analysis.compare_group_first, 3);
  EXPECT_EQ(model.ComparedGroups().first, 2);
  // A group the data has not: refused, naming the control and the column's count.
  const int revision = model.revision;
  const std::string message = model.SetOption("compare_group_second", "4");
  EXPECT_TRUE(Contains(message, "second group")) << message;
  EXPECT_TRUE(Contains(message, "3 groups")) << message;
  EXPECT_FALSE(Contains(message, "compare_group")) << message;
  EXPECT_EQ(model.analysis.compare_group_second, 2);
  EXPECT_EQ(model.revision, revision);
  for (const char* bad : {"0", "-1", "1.5", "x", "51"}) {
    EXPECT_TRUE(Contains(model.SetOption("compare_group_first", bad), "first group")) << bad;
  }
  EXPECT_EQ(model.analysis.compare_group_first, 3);
  // They travel in the link's bytes.
  Model receiver;
  EXPECT_EQ(receiver.LoadStateBytes(EncodeState(model.analysis)), "");
  receiver.Recompute();
  EXPECT_EQ(receiver.ComparedGroups().first, 2);
  EXPECT_EQ(receiver.ComparedGroups().second, 1);
}

TEST(ModelGroups, NumbersPastTheDataAreClampedWithAMessage) {
  Model model = GroupedModel(5);
  EXPECT_EQ(model.SetOption("compare_group_first", "5"), "");
  EXPECT_EQ(model.SetOption("compare_group_second", "4"), "");
  // The data changes to two groups (a link made on other data, or a new file grouped again).
  AnalysisState state = model.analysis;
  state.csv_text = GroupedCsv(2);
  Model receiver;
  EXPECT_EQ(receiver.LoadStateBytes(EncodeState(state)), "");
  receiver.Recompute();
  ASSERT_EQ(receiver.results.groups.size(), 2u);
  const GroupPair pair = receiver.ComparedGroups();
  EXPECT_EQ(pair.first, 1);
  EXPECT_EQ(pair.second, 1);
  EXPECT_TRUE(Contains(pair.message, "first group: there is no group 5 (lab has 2 groups)"))
      << pair.message;
  EXPECT_TRUE(Contains(pair.message, "second group: there is no group 4")) << pair.message;
  // One group: nothing to compare, nothing said.
  state.csv_text = GroupedCsv(1);
  Model single;
  EXPECT_EQ(single.LoadStateBytes(EncodeState(state)), "");
  single.Recompute();
  EXPECT_EQ(single.ComparedGroups().message, "");
}

TEST(ModelGroups, EachGroupHasItsPlotSeriesAndItsOwnBootstrap) {
  Model model = GroupedModel(3);
  ASSERT_EQ(model.group_plots.size(), 3u);
  for (size_t g = 0; g < 3; ++g) {
    int cells = 0;
    for (const SizeGroup& size : model.group_plots[g].size_groups) {
      cells += static_cast<int>(size.loss.size());
      for (double r : size.residual) EXPECT_LT(std::abs(r), 1e-3);  // its own law fits it
    }
    EXPECT_EQ(cells, 12) << g;  // 3 sizes x 4 budgets, one run each
  }
  // A group's samples (computed as the worker does) attach to it and to nothing else.
  AnalysisState state = model.analysis;
  state.fit.bootstrap_samples = 20;
  RunTable table;
  std::string error;
  ASSERT_TRUE(GroupTable(state, model.results.read.table, 1, &table, &error)) << error;
  const FitSummary with_samples = FitAnalysis(state, table, /*bootstrap=*/true);
  ASSERT_TRUE(with_samples.ok);
  model.AttachBootstrap(model.generation, 1, FlattenSamples(with_samples.laws));
  EXPECT_EQ(model.results.groups[1].analysis.fit.bootstrap_samples_done,
            with_samples.bootstrap_samples_done);
  EXPECT_EQ(model.results.groups[1].analysis.fit.loss.alpha_ci.lo, with_samples.loss.alpha_ci.lo);
  EXPECT_TRUE(model.results.groups[1].analysis.planned);
  EXPECT_EQ(model.results.groups[0].analysis.fit.bootstrap_samples_done, 0);
  EXPECT_EQ(model.results.fit.bootstrap_samples_done, 0);
  // An older fit's samples, or a group that does not exist, change nothing.
  model.AttachBootstrap(model.generation - 1, 0, FlattenSamples(with_samples.laws));
  model.AttachBootstrap(model.generation, 7, FlattenSamples(with_samples.laws));
  EXPECT_EQ(model.results.groups[0].analysis.fit.bootstrap_samples_done, 0);
}

// The rows of group `g` (0-based) of GroupedCsv alone.
std::string OneGroupCsv(int groups, int g) {
  const std::string all = GroupedCsv(groups);
  std::string out = all.substr(0, all.find('\n') + 1);
  const std::string tag = ",lab" + std::to_string(g + 1) + "\n";
  size_t start = out.size();
  while (start < all.size()) {
    const size_t end = all.find('\n', start) + 1;
    const std::string line = all.substr(start, end - start);
    if (line.size() >= tag.size() && line.compare(line.size() - tag.size(), tag.size(), tag) == 0)
      out += line;
    start = end;
  }
  return out;
}

Model UngroupedModel(const std::string& csv) {
  Model model;
  EXPECT_EQ(model.LoadCsv(csv, "rows.csv"), "");
  EXPECT_EQ(model.SetOption("bootstrap", "0"), "");
  model.Recompute();
  return model;
}

void ExpectSameLossLaw(const LossLaw& a, const LossLaw& b) {
  EXPECT_DOUBLE_EQ(a.E, b.E);
  EXPECT_DOUBLE_EQ(a.A, b.A);
  EXPECT_DOUBLE_EQ(a.alpha, b.alpha);
  EXPECT_DOUBLE_EQ(a.B, b.B);
  EXPECT_DOUBLE_EQ(a.beta, b.beta);
}

// Once grouped, the headline (fit, plan, plots) is one group's, the first by default: the same
// as fitting that group's rows alone; pooling every group is an explicit choice (0), the same as
// the file without a group column.
TEST(ModelGroups, HeadlineIsTheChosenGroupNotThePool) {
  Model model = GroupedModel(3);
  ASSERT_EQ(model.results.groups.size(), 3u);
  EXPECT_EQ(model.analysis.shown_group, 1);
  EXPECT_EQ(model.HeadlineGroup(), 0);
  EXPECT_EQ(model.HeadlineLabel(), "group lab1 (1 of 3)");
  const Model first = UngroupedModel(OneGroupCsv(3, 0));
  ASSERT_TRUE(model.results.fit.ok && first.results.fit.ok);
  ExpectSameLossLaw(model.results.fit.laws.loss, first.results.fit.laws.loss);
  EXPECT_EQ(model.HeadlineTable().runs.size(), 12u);
  ASSERT_TRUE(model.results.plan.ok && first.results.plan.ok);
  EXPECT_DOUBLE_EQ(model.results.plan.optimum.params, first.results.plan.optimum.params);
  EXPECT_EQ(model.plots.run_tokens.size(), 12u);  // the plots' main series: its runs only

  EXPECT_EQ(model.SetOption("shown_group", "3"), "");
  model.Recompute();
  EXPECT_EQ(model.HeadlineLabel(), "group lab3 (3 of 3)");
  ExpectSameLossLaw(model.results.fit.laws.loss,
                    UngroupedModel(OneGroupCsv(3, 2)).results.fit.laws.loss);

  EXPECT_EQ(model.SetOption("shown_group", "0"), "");
  model.Recompute();
  EXPECT_EQ(model.HeadlineGroup(), -1);
  EXPECT_EQ(model.HeadlineLabel(), "all 3 groups pooled");
  ExpectSameLossLaw(model.results.fit.laws.loss,
                    UngroupedModel(GroupedCsv(3)).results.fit.laws.loss);
  EXPECT_EQ(model.plots.run_tokens.size(), 36u);

  // A number the data has not (a link made for other data): the nearest group.
  EXPECT_EQ(model.SetOption("shown_group", "9"), "");
  model.Recompute();
  EXPECT_EQ(model.HeadlineGroup(), 2);
  // Bad input names the control.
  for (const char* bad : {"-1", "abc", "1.5", "nan", "1e9", ""}) {
    const std::string message = model.SetOption("shown_group", bad);
    EXPECT_TRUE(Contains(message, "headline group")) << bad << ": " << message;
  }
}

// The headline group's resamples are the headline's; the whole table's are nobody's headline.
TEST(ModelGroups, HeadlineGroupBootstrapAttachesToTheHeadline) {
  Model model = GroupedModel(2);
  AnalysisState state = model.analysis;
  state.fit.bootstrap_samples = 20;
  RunTable table;
  std::string error;
  ASSERT_TRUE(GroupTable(state, model.results.read.table, 0, &table, &error)) << error;
  const FitSummary with_samples = FitAnalysis(state, table, /*bootstrap=*/true);
  ASSERT_TRUE(with_samples.ok);
  model.AttachBootstrap(model.generation, -1, FlattenSamples(with_samples.laws));
  EXPECT_EQ(model.results.fit.bootstrap_samples_done, 0);
  model.AttachBootstrap(model.generation, 0, FlattenSamples(with_samples.laws));
  EXPECT_EQ(model.results.fit.bootstrap_samples_done, with_samples.bootstrap_samples_done);
  EXPECT_EQ(model.results.fit.loss.alpha_ci.lo, with_samples.loss.alpha_ci.lo);
}

}  // namespace
}  // namespace scalecalc::app

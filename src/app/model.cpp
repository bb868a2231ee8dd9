#include "app/model.h"

#include <algorithm>
#include <cmath>

namespace scalecalc::app {

std::string Model::SetOption(const std::string& name, const std::string& value) {
  const Setting* row = FindSetting(name);
  if (!row) return "unknown option '" + name.substr(0, 64) + "'";
  std::string error;
  const AnalysisState before = analysis;
  // The group column is checked against the data now, so that a typo is said where it was typed.
  if (name == "group_column" && !value.empty() && results.read.ok) {
    const GroupSplit split_check = SplitByColumn(results.read.table, value);
    if (!split_check.ok) return split_check.message;
  }
  if (!ApplySetting(*row, name, value, Audience::kPage, &analysis, &error)) return error;
  // A compared group the data has not: refused where it was typed (a link may still carry one).
  const std::vector<GroupAnalysis>& groups = results.groups;
  if ((name == "compare_group_first" || name == "compare_group_second") && !groups.empty()) {
    const int number = name == "compare_group_first" ? analysis.compare_group_first
                                                     : analysis.compare_group_second;
    if (number > static_cast<int>(groups.size())) {
      analysis = before;
      return std::string(row->label) + ": there is no group " + std::to_string(number) + " (" +
             results.split.column + " has " + std::to_string(groups.size()) + " groups)";
    }
  }
  // Rules that tie plan fields together (a width of whole heads, a batch of whole samples).
  const PlanOptions options = analysis.MakePlanOptions();
  if (!options.CheckShapeRules(Audience::kPage, &error) || !analysis.compute.IsValid(&error)) {
    analysis = before;
    return error;
  }
  if (std::string_view(row->json).rfind("cost.", 0) == 0 && analysis.cost.Validate().empty()) {
    // The cost panel's video is the serving demand's: the planner counts the same tokens.
    const Setting* tokens = FindSetting("video_tokens");
    ApplySetting(*tokens, "", ShortNumber(analysis.cost.VideoTokens()), Audience::kPage, &analysis,
                 &error);  // out of range: the planner keeps its tokens, the panel says why
  }
  Invalidate(row->stale);
  return "";
}

void Model::SetRowExcluded(int data_row, bool excluded) {
  auto& rows = analysis.excluded_rows;
  std::sort(rows.begin(), rows.end());
  auto it = std::lower_bound(rows.begin(), rows.end(), data_row);
  const bool present = it != rows.end() && *it == data_row;
  if (excluded && !present) rows.insert(it, data_row);
  if (!excluded && present) rows.erase(it);
  Invalidate(Stale::kRead);
}

std::string Model::LoadCsv(std::string text, const std::string& name) {
  // The settings are copied without the previous data's text (tens of MB for a large file).
  std::string previous_text = std::move(analysis.csv_text);
  AnalysisState candidate = analysis;
  analysis.csv_text = std::move(previous_text);
  candidate.csv_text = std::move(text);
  candidate.data_name = name.empty() ? "pasted data" : name;
  candidate.columns.clear();  // new data, new headers: guess again
  candidate.excluded_rows.clear();
  candidate.batch_column = BatchColumn::kTokens;  // until the user (or the prompt) says samples
  candidate.group_column.clear();                 // the new file may not have the column
  ReadResult result = ReadRuns(candidate.csv_text, candidate.MakeReadOptions());
  if (!result.ok) {
    load_error = "Could not read " + candidate.data_name + "; the previous data is kept.";
    for (size_t i = 0; i < result.errors.size() && i < 5; ++i)
      load_error += "\n" + result.errors[i].ToString();
    if (result.errors.size() > 5)
      load_error += "\n(" + std::to_string(result.errors.size() - 5) + " more)";
    return load_error;
  }
  analysis = std::move(candidate);
  load_error.clear();
  NewData();
  results.read = std::move(result);  // no excluded rows yet: what ReadAnalysisRuns would give
  read_is_current = true;
  return "";
}

std::string Model::LoadStateBytes(const std::vector<uint8_t>& bytes) {
  DecodeResult decoded = DecodeState(bytes.data(), bytes.size());
  if (!decoded.ok) return load_error = "This link could not be opened: " + decoded.message;
  analysis = std::move(decoded.state);
  load_error.clear();
  NewData();
  opened_link_version = decoded.version;
  opened_link_notice = decoded.notice;  // told with the link's description
  return "";
}

std::string Model::LoadStateJson(const std::string& text) {
  // A state file is what the page offers when a link would be too long (a large file).
  DecodeResult decoded = StateFromJson(text, StateFileLimits());
  if (!decoded.ok) return load_error = "This state file could not be opened: " + decoded.message;
  analysis = std::move(decoded.state);
  load_error.clear();
  NewData();
  if (!decoded.notice.empty()) Notify(decoded.notice, NoticeLevel::kCaution);
  return "";
}

void Model::DescribeOpenedLink() {
  if (opened_link_version == 0 || stale != Stale::kNone) return;
  const int version = opened_link_version;
  opened_link_version = 0;
  const size_t runs = results.read.table.runs.size();
  std::string text = "Opened a shared link: " + analysis.data_name + ", " + std::to_string(runs) +
                     (runs == 1 ? " run" : " runs");
  const GroupSplit& split = results.split;
  if (!analysis.group_column.empty() && split.ok) {
    text += ", " + std::to_string(split.groups.size()) + " groups by '" + split.column + "'";
  }
  if (version < kStateVersion) {
    text += "; made by an earlier scalecalc (link format version " + std::to_string(version) +
            "), upgraded to version " + std::to_string(kStateVersion);
  }
  if (results.fit.ok && analysis.fit.bootstrap_samples > 0) {
    text += "; the bootstrap intervals are recomputed here (same seed: the same intervals)";
  }
  NoticeLevel level = NoticeLevel::kDone;
  if (!opened_link_notice.empty()) {  // what the upgrade changed (one tokens per sample)
    text += ". " + opened_link_notice;
    level = NoticeLevel::kCaution;
  }
  opened_link_notice.clear();
  Notify(std::move(text), level);
}

namespace {
// The page's cheap path: point fits on the main thread, intervals pending until the workers'
// resamples are attached (then the fit's plans are made again from them).
AnalyzeOptions PointFits() {
  AnalyzeOptions options;
  options.bootstrap = false;
  return options;
}
}  // namespace

bool Model::Recompute() {
  const Stale stage = stale;
  stale = Stale::kNone;
  if (stage == Stale::kNone) return false;
  // The pipeline's stages (core/analysis.h) from the stalest on.
  Analysis& r = results;
  if (stage >= Stale::kRead && !read_is_current) ReadStage(analysis, &r);
  read_is_current = false;
  bool refit = false;
  if (stage >= Stale::kFit) {
    FitStage(analysis, PointFits(), &r);
    if (!r.read.ok) r.fit.message = "No data to fit: fix the problems in the Data panel.";
    UpdateGroupPlots();
    ++generation;
    refit = true;
  }
  PlanStage(analysis, PointFits(), &r);
  compare = analysis.compare_preset.empty() ? nullptr : FindPreset(analysis.compare_preset);
  compare_plan = Plan{};
  if (compare && (compare->laws.loss.IsSet() || compare->laws.params_opt.IsSet())) {
    compare_plan = PlanAnalysis(analysis, compare->laws);
  } else if (compare && r.plan.ok) {
    // A preset with hyperparameter laws only: its lr and batch at our recommended model size.
    AnalysisState at_our_size = analysis;
    at_our_size.plan.fixed_params = r.plan.optimum.params;
    compare_plan = PlanAnalysis(at_our_size, compare->laws);
  }
  UpdatePlotSeries();
  return refit;
}

void Model::UpdatePlotSeries() {
  const double budget = analysis.plan.budget_flops, tolerance = analysis.plan.loss_tolerance;
  const FitSummary& fit = results.fit;
  const Plan& plan = results.plan;
  plots =
      MakePlotSeries(HeadlineTable(), fit.cells, fit.laws, analysis.compute, budget,
                     plan.ok ? plan.ideal.params : NAN, plan.ok ? plan.ideal.loss : NAN, tolerance);
  compare_iso = IsoComputeSeries{};
  if (compare && compare->laws.loss.IsSet()) {
    compare_iso = MakeIsoComputeSeries(compare->laws, analysis.compute, budget,
                                       plan.ok ? plan.optimum.params : NAN, NAN, tolerance);
  }
}

void Model::AttachBootstrap(int job_generation, int group,
                            const std::vector<double>& flat_samples) {
  if (job_generation != generation) return;  // a result for an older fit
  FitSummary& fit = results.fit;
  if (group >= 0) {
    if (group >= static_cast<int>(results.groups.size())) return;
    FitSummary& group_fit = results.groups[group].analysis.fit;
    if (!HasLawsToResample(group_fit) || !AttachBootstrapSamples(flat_samples, &group_fit)) return;
    PlanGroupStage(analysis, PointFits(), group, &results);
    // The headline group's resamples are the headline's too (its fit is the same point fit).
    if (group != HeadlineGroup() || !AttachBootstrapSamples(flat_samples, &fit)) return;
  } else {
    if (HeadlineGroup() >= 0) return;  // the whole table's resamples: not the headline's
    if (!HasLawsToResample(fit) || !AttachBootstrapSamples(flat_samples, &fit)) return;
  }
  PlanHeadlineStage(analysis, PointFits(), &results);  // the design's grids span the intervals
  UpdatePlotSeries();
}

void Model::UpdateGroupPlots() {
  group_shown.assign(results.groups.size(), true);
  // The plots' series of every group, once per fit (they do not depend on the budget).
  group_plots.clear();
  for (size_t g = 0; g < results.groups.size(); ++g) {
    const FitSummary& f = results.groups[g].analysis.fit;
    group_plots.push_back(MakePlotSeries(results.split.groups[g].table, f.cells, f.laws,
                                         analysis.compute, analysis.plan.budget_flops, NAN, NAN,
                                         analysis.plan.loss_tolerance));
  }
}

GroupPair Model::ComparedGroups() const {
  GroupPair pair;
  const int count = static_cast<int>(results.groups.size());
  if (count < 2) return pair;
  const auto pick = [&](int number, const char* label, int* index) {
    *index = std::clamp(number, 1, count) - 1;
    if (number > count) {
      if (!pair.message.empty()) pair.message += " ";
      pair.message += std::string(label) + ": there is no group " + std::to_string(number) + " (" +
                      results.split.column + " has " + std::to_string(count) +
                      " groups); showing group " + std::to_string(*index + 1) + ".";
    }
  };
  pick(analysis.compare_group_first, FindSetting("compare_group_first")->label, &pair.first);
  pick(analysis.compare_group_second, FindSetting("compare_group_second")->label, &pair.second);
  return pair;
}

int Model::HeadlineGroup() const {
  return results.headline_group;
}

const RunTable& Model::HeadlineTable() const {
  return results.HeadlineTable();
}

std::string Model::HeadlineLabel() const {
  const std::vector<GroupAnalysis>& groups = results.groups;
  if (groups.empty()) return "";
  const int g = HeadlineGroup();
  if (g < 0) return "all " + std::to_string(groups.size()) + " groups pooled";
  return "group " + groups[g].name + " (" + std::to_string(g + 1) + " of " +
         std::to_string(groups.size()) + ")";
}

}  // namespace scalecalc::app

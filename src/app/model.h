// model.h: the app's state and everything derived from it, with no UI. The panels edit
// `analysis` (through SetOption for anything typed) and mark what went stale; Recompute() brings
// the reading, the fit and the plans up to date by calling the core. JavaScript's share links,
// state files and the test hook go through the same functions, so one path is tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/analysis_state.h"
#include "core/csv_reader.h"
#include "core/designer.h"
#include "core/fit.h"
#include "core/groups.h"
#include "core/isoflop.h"
#include "core/planner.h"
#include "core/plot_series.h"
#include "core/presets.h"
#include "core/settings_schema.h"

namespace scalecalc::app {

// How far the derived results lag behind `analysis`: the schema's stages (settings_schema.h).
using Stale = Stage;

// A bootstrap running in the Web Workers for fit generation `generation`. With groups, one job
// after another: the whole table, then each fitted group (app/bootstrap_job.h).
struct BootstrapJob {
  bool running = false;
  int done = 0;
  int total = 0;
  int generation = -1;  // the fit it belongs to; results for older fits are dropped
  int group = -1;       // -1: the whole table; else the index into Model::groups
  std::string message;  // "cancelled", an error, or ""
};

// The designer's simulation (design_job.h), computed in a worker.
struct DesignSimulation {
  bool running = false;
  int done = 0, total = 0;  // refits
  int generation = -1;      // the fit it belongs to; results for older fits are dropped
  bool has_result = false;
  bool ok = false;
  std::string message;  // why not ok, "cancelled", or ""
  std::string json;     // design --json of the simulated design
  double seconds = 0;   // how long it took
  double started_ms = 0;
  // Read from `json` (ok only): the simulated set and its numbers.
  std::vector<DesignCandidate> set_cells;
  int set_runs = 0;
  double set_flops = NAN, set_narrowing = NAN;
  Interval set_params_ci, current_params_ci;
  int draws = 0, confirm_draws = 0, refits = 0;
};

// Which two groups the planner compares, checked against the groups the data has now.
struct GroupPair {
  int first = 0, second = 0;  // indices into Model::groups (valid when there are >= 2 groups)
  std::string message;        // why the state's numbers were not used as they are ("": they were)
};

// How the status bar shows a notice: done (green), a caution beside a success (amber), a problem
// or refusal (red). A problem is never shown in the success colour.
enum class NoticeLevel { kDone = 0, kCaution = 1, kProblem = 2 };

struct Model {
  AnalysisState analysis;  // what a share link carries

  // Derived (never edited by panels): the core's pipeline (core/analysis.h), stage by stage.
  Analysis results;
  // `results.read` already is the read of `analysis` (LoadCsv read the file to check it):
  // Recompute need not read a large file twice.
  bool read_is_current = false;
  const PresetInfo* compare = nullptr;  // preset to compare with, or null
  Plan compare_plan;
  int generation = 0;             // bumped on every refit
  std::vector<bool> group_shown;  // legend toggles of the comparison (one per group)
  // Each group's loss-vs-tokens and residual series (no iso-compute line), one per group.
  std::vector<PlotSeries> group_plots;
  PlotSeries plots;              // what the Plots panel draws, for fit, plan and samples
  IsoComputeSeries compare_iso;  // the compared preset's iso-compute line (no band)

  BootstrapJob bootstrap;
  DesignSimulation design_simulation;
  std::string load_error;  // why the last paste, drop, link or file was refused
  // A transient line in the status bar ("Link copied"), about the data loaded when it was set:
  // every load clears it, and notices that arrive late (the page's copy of a link) carry the
  // data_serial they were about and are dropped when the data changed since.
  std::string notice;
  NoticeLevel notice_level = NoticeLevel::kDone;
  bool notice_offers_state_file = false;  // "Save state file" beside it
  int data_serial = 0;                    // bumped by every load (paste, file, link, example)
  // Set by LoadStateBytes: the format version of the link just opened, described once it is read
  // (DescribeOpenedLink); 0 when there is nothing to describe.
  int opened_link_version = 0;
  std::string opened_link_notice;  // what opening it changed (an older format's rule)

  void Notify(std::string text, NoticeLevel level = NoticeLevel::kDone,
              bool offer_state_file = false) {
    notice = std::move(text);
    notice_level = level;
    notice_offers_state_file = offer_state_file;
  }

  // What the panels speak of (the state's choice, or the core's guess from the compute model and
  // the data read): never ModelKind::kGuess.
  ModelKind Kind() const { return ShownModelKind(analysis, results.read); }
  // The planner's and cost panel's word for one sample: "video" or "sequence".
  const char* SampleWord() const { return Kind() == ModelKind::kVideo ? "video" : "sequence"; }

  Stale stale = Stale::kRead;
  int revision = 0;  // bumped on every change of `analysis` (the share link follows it)

  void Invalidate(Stale stage) {
    ++revision;
    if (static_cast<int>(stage) > static_cast<int>(stale)) stale = stage;
    if (static_cast<int>(stage) >= static_cast<int>(Stale::kRead)) read_is_current = false;
  }
  // Brings read, fit and plans up to date. Returns true when the fit changed (a new bootstrap is
  // due).
  bool Recompute();

  // Replaces the data if `text` reads (with fresh column guesses and no exclusions); otherwise
  // keeps everything and returns the message (also kept in load_error). "" on success.
  std::string LoadCsv(std::string text, const std::string& name);  // moves from `text`
  // Replaces the whole state from a share link's bytes or a state file; same contract.
  std::string LoadStateBytes(const std::vector<uint8_t>& bytes);
  std::string LoadStateJson(const std::string& text);
  // After a link was opened and read: the notice that says what it holds (its data's name, runs,
  // groups; that an older format was upgraded; that the bootstrap is recomputed).
  void DescribeOpenedLink();

  // Sets one option from text, as a user types it ("1e22", "1.07B", "smooth", "3,5-7"), by its
  // schema key (settings_schema.cpp). Returns "" or a message naming the page's control.
  std::string SetOption(const std::string& name, const std::string& value);

  // Excluding or including a data row (1-based) from the fits.
  void SetRowExcluded(int data_row, bool excluded);

  // Recomputes `plots` and `compare_iso` from fit, plan and options (after every change of them:
  // the panel only draws).
  void UpdatePlotSeries();

  // Attaches the worker's bootstrap samples to the current fit (group -1) or to group `group`'s
  // (flat: per sample 5 loss-law parameters, then 3 lr-law, then 3 batch-law values; NaN where a
  // law is absent), and replans with them.
  void AttachBootstrap(int generation, int group, const std::vector<double>& flat_samples);

  // The planner's two groups: the state's 1-based numbers when the data has them, otherwise the
  // nearest ones with a message naming the control.
  GroupPair ComparedGroups() const;
  // The group the headline results (fit, plan, plots, design) come from: an index into groups, or
  // -1 when the data is not split or all groups are pooled (analysis.shown_group 0). A number the
  // data has not gives the nearest group.
  int HeadlineGroup() const;
  // The table the headline results are computed from: that group's rows, or the whole table.
  const RunTable& HeadlineTable() const;
  // "group NAME (2 of 8)", "all 8 groups pooled" or "" (no groups): the headline's source.
  std::string HeadlineLabel() const;

 private:
  // After a load replaced `analysis`: a new serial, no notice about the previous data.
  void NewData() {
    ++data_serial;
    Notify("");
    opened_link_version = 0;
    opened_link_notice.clear();
    Invalidate(Stale::kRead);
  }
  void UpdateGroupPlots();  // each group's plot series and visibility (after a refit)
};

}  // namespace scalecalc::app

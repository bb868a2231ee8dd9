// The Data panel: where runs come in (paste, drop, pick, examples), how columns were mapped, what
// was wrong, and which runs enter the fits.
#include <algorithm>

#include "app/examples.h"
#include "app/layout.h"
#include "app/panels.h"
#include "app/web_bridge.h"
#include "app/widgets.h"
#include "core/format.h"
#include "imgui.h"

namespace scalecalc::app {

namespace {

const Role kRoles[] = {Role::kParams, Role::kTokens, Role::kFlops,
                       Role::kLr,     Role::kBatch,  Role::kLoss};

void DrawProblems(const char* title, const std::vector<InputProblem>& problems, ImVec4 color) {
  if (problems.empty()) return;
  ImGui::TextColored(color, "%s (%d)", title, static_cast<int>(problems.size()));
  const float height = std::min<float>(static_cast<float>(problems.size()), 6.0f) *
                       ImGui::GetTextLineHeightWithSpacing();
  ImGui::BeginChild(title, ImVec2(0, height + ImGui::GetStyle().WindowPadding.y), true);
  for (const InputProblem& p : problems) ImGui::TextColored(color, "%s", p.ToString().c_str());
  ImGui::EndChild();
}

void DrawColumnMapping(Model& model) {
  const ReadResult& read = model.results.read;
  if (!BeginWideTable("mapping", 3, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit,
                      static_cast<int>(sizeof kRoles / sizeof kRoles[0]))) {
    return;
  }
  TableText mapping;  // for Copy: the roles and the columns they took
  mapping.headers = {"role", "column used", "chosen"};
  ImGui::TableSetupColumn("role");
  ImGui::TableSetupColumn("column used");
  ImGui::TableSetupColumn("change");
  ImGui::TableHeadersRow();
  for (Role role : kRoles) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ToString(role));
    ImGui::TableNextColumn();
    std::string used = "-";
    for (const auto& [r, index] : read.mapping) {
      if (r == role && index >= 0 && index < static_cast<int>(read.headers.size()))
        used = read.headers[index];
    }
    ImGui::TextUnformatted(used.c_str());
    ImGui::TableNextColumn();
    std::string current = "(guess)";
    for (const auto& [r, header] : model.analysis.columns) {
      if (r == role) current = header;
    }
    ImGui::PushID(static_cast<int>(role));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (ImGui::BeginCombo("##column", current.c_str())) {
      const std::string option = std::string("column.") + ToString(role);
      if (ImGui::Selectable("(guess)", current == "(guess)")) model.SetOption(option, "");
      for (const std::string& header : read.headers) {
        if (ImGui::Selectable(header.c_str(), header == current)) model.SetOption(option, header);
      }
      ImGui::EndCombo();
    }
    ImGui::PopID();
    mapping.rows.push_back({ToString(role), used, current});
  }
  ImGui::EndTable();
  TableCopyButtons(model, "mapping", mapping);
}

TableText RunsText(const std::vector<Run>& runs) {
  TableText text;
  text.headers = {"use",     "row", "line",           "params N", "tokens T",
                  "FLOPs C", "lr",  "batch (tokens)", "loss"};
  for (const Run& run : runs) {
    text.rows.push_back({run.excluded ? "no" : "yes", std::to_string(run.data_row),
                         std::to_string(run.line), FormatFull(run.params), FormatFull(run.tokens),
                         FormatFull(run.flops), FormatFull(run.lr), FormatFull(run.batch_tokens),
                         FormatFull(run.loss)});
  }
  return text;
}

void DrawRunsTable(Model& model) {
  const std::vector<Run>& runs = model.results.read.table.runs;
  ImGui::TextDisabled("Runs");
  ImGui::SameLine();
  TableCopyButtons(model, "runs", RunsText(runs));
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                                ImGuiTableFlags_Resizable;
  // On phones at least a screenful of rows, however much the sections above take.
  const ImVec2 size(0, IsPhone() ? std::max(ImGui::GetContentRegionAvail().y,
                                            ImGui::GetTextLineHeightWithSpacing() * 14)
                                 : 0);
  if (!BeginWideTable("runs", 9 + ShownTextColumns(model), flags, -1, size)) return;
  if (!IsPhone()) ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* name :
       {"use", "row", "line", "params N", "tokens T", "FLOPs C", "lr", "batch (tokens)", "loss"}) {
    ImGui::TableSetupColumn(name);
  }
  SetupTextColumns(model);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(runs.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const Run& run = runs[i];
      ImGui::TableNextRow();
      ImGui::PushID(i);
      ImGui::TableNextColumn();
      bool use = !run.excluded;
      if (ImGui::Checkbox("##use", &use)) model.SetRowExcluded(run.data_row, !use);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip(use ? "Click to exclude this run from the fits"
                              : "Click to include this run again");
      if (run.excluded)
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TableNextColumn();
      ImGui::Text("%d", run.data_row);
      ImGui::TableNextColumn();
      ImGui::Text("%d", run.line);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatCount(run.params).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatCount(run.tokens).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatSci(run.flops, 3).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatSci(run.lr, 3).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatCount(run.batch_tokens).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatSci(run.loss, 6).c_str());
      DrawTextCells(model, i);
      if (run.excluded) ImGui::PopStyleColor();
      ImGui::PopID();
    }
  }
  // For tests: where the table is, and how far it is scrolled (CSS px).
  const ImVec2 scroll(ImGui::GetScrollX(), ImGui::GetScrollY());
  ImGui::EndTable();
  RecordItemRect("table.runs");
  RecordValues("scroll.runs", {scroll.x / PixelRatio(), scroll.y / PixelRatio()});
}

// What the batch column counts (tokens, or samples of the one tokens per sample, which the
// planner uses too), and, when the column looks like samples but is read as tokens, the question
// in full, right beside the switch.
void DrawBatchColumnUnit(Model& model) {
  const AnalysisState& a = model.analysis;
  int unit = static_cast<int>(a.batch_column);
  ImGui::TextUnformatted("Batch column counts:");
  const EnumNames& units = EnumNamesOf<BatchColumn>();
  for (int v = 0; v < units.count(); ++v) {
    SameLineIfWide();
    if (ImGui::RadioButton(units.Label(v), &unit, v))
      model.SetOption("batch_column", units.Name(v));
    RecordItemRect(std::string("batch_column.") + units.Name(v));
  }
  SameLineIfWide();
  SettingField(model, "tokens_per_sample", ImGui::GetFontSize() * 8, nullptr, "data_tps");
  HelpMarker(FindSetting("batch_column")->help);
  if (model.results.read.batch_looks_like_samples && a.batch_column == BatchColumn::kTokens) {
    WrappedTextColored(
        ImVec4(1, 0.8f, 0.35f, 1), "%s",
        "Every value of the batch column is small for tokens per step: it looks like a count of "
        "samples (sequences or clips), yet it is read as tokens, which makes every batch size "
        "and the batch law far too small. If it counts samples, choose \"samples\" above and set "
        "tokens per sample to one sample's size (a language model's sequence length, a video "
        "DiT's latent tokens per clip).");
    RecordItemRect("batch_prompt");
    if (ImGui::Button("The batch counts samples")) model.SetOption("batch_column", "samples");
  }
}

}  // namespace

void DrawDataPanel(Model& model) {
  const ReadResult& read = model.results.read;
  const RunTable& table = read.table;
  ImGui::Text("%s", model.analysis.data_name.c_str());
  SameLineIfWide();
  WrappedTextDisabled("%d runs, %d excluded%s", static_cast<int>(table.runs.size()),
                      static_cast<int>(table.runs.size()) - table.CountIncluded(),
                      table.HasSweep() ? ", with a learning-rate/batch sweep" : ", no sweep");
  if (ImGui::Button("Open CSV file...")) web::OpenFilePicker();
  ShortcutTooltip("Or paste a table anywhere on the page (Ctrl+V)");
  ImGui::SameLine();
  if (ImGui::Button("Load example...")) ImGui::OpenPopup("examples");
  if (ImGui::BeginPopup("examples")) {
    for (int i = 0; i < ExampleCount(); ++i) {
      if (ImGui::Selectable(GetExample(i).title)) RequestExample(i);
    }
    ImGui::EndPopup();
  }
  SameLineIfWide();
  const ImVec4 dim = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
  WrappedTextColored(dim, "or paste with Ctrl/Cmd+V, or drop a .csv file anywhere");

  if (!model.load_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.35f, 0.1f, 0.1f, 0.6f));
    const int lines =
        1 + static_cast<int>(std::count(model.load_error.begin(), model.load_error.end(), '\n'));
    ImGui::BeginChild(
        "load_error",
        ImVec2(0, (static_cast<float>(lines) + 0.6f) * ImGui::GetTextLineHeightWithSpacing()),
        true);
    WrappedText("%s", model.load_error.c_str());
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }

  if (ImGui::CollapsingHeader("Reading options and column mapping",
                              ImGuiTreeNodeFlags_DefaultOpen)) {
    int policy = static_cast<int>(model.analysis.bad_rows);
    ImGui::TextUnformatted("Bad rows:");
    const EnumNames& policies = EnumNamesOf<BadRowPolicy>();
    for (int v = 0; v < policies.count(); ++v) {
      SameLineIfWide();
      if (ImGui::RadioButton(policies.Label(v), &policy, v))
        model.SetOption("bad_rows", policies.Name(v));
    }
    DrawBatchColumnUnit(model);
    // Training curves: which checkpoints are runs.
    if (read.curves || model.analysis.checkpoints != CheckpointPolicy::kFinal) {
      int checkpoints = static_cast<int>(model.analysis.checkpoints);
      ImGui::TextUnformatted("Checkpoints:");
      const EnumNames& names = EnumNamesOf<CheckpointPolicy>();
      for (int v = 0; v < names.count(); ++v) {
        SameLineIfWide();
        if (ImGui::RadioButton(names.Label(v), &checkpoints, v))
          model.SetOption("checkpoints", names.Name(v));
      }
      HelpMarker(FindSetting("checkpoints")->help);
    }
    // A status column left runs out (or would): the switch that brings them back.
    if (!read.unfinished.empty() || model.analysis.keep_unfinished) {
      bool keep = model.analysis.keep_unfinished;
      if (ImGui::Checkbox("keep unfinished runs", &keep))
        model.SetOption("keep_unfinished", keep ? "true" : "false");
      HelpMarker(FindSetting("keep_unfinished")->help);
    }
    DrawColumnMapping(model);
    if (!read.notes.empty() && ImGui::TreeNode("How the file was read")) {
      for (const std::string& note : read.notes) WrappedTextDisabled("%s", note.c_str());
      ImGui::TreePop();
    }
  }
  DrawGroupControls(model);
  DrawProblems("Problems", read.errors, ImVec4(1, 0.45f, 0.4f, 1));
  DrawProblems("Warnings", read.warnings, ImVec4(1, 0.8f, 0.35f, 1));
  DrawRunsTable(model);
}

}  // namespace scalecalc::app

#include "app/share.h"

#include <emscripten.h>

#include "app/plan_report.h"
#include "app/web_bridge.h"

// `serial`: the data the link is about (Model::data_serial); the page's notices name it, so that
// a notice arriving after another load is dropped.
EM_JS(void, js_share_state, (const uint8_t* bytes, int size, bool copy, int serial),
      { Module.bridge.shareState(HEAPU8.slice(bytes, bytes + size), copy, serial); });

namespace scalecalc::app {

namespace {
int synced_revision = -1;

void ShareState(const Model& model, bool copy) {
  const std::vector<uint8_t> bytes = EncodeState(model.analysis);
  js_share_state(bytes.data(), static_cast<int>(bytes.size()), copy, model.data_serial);
}
}  // namespace

void CopyShareLink(Model& model) {
  ShareState(model, /*copy=*/true);
  synced_revision = model.revision;
}

void SaveStateFile(Model& model) {
  web::Download("scalecalc-state.json", "application/json", StateToJson(model.analysis));
  model.Notify("State file saved: drop it on the page (or open it) to restore this analysis");
}

void DownloadResults(Model& model) {
  web::Download("scalecalc-results.json", "application/json", AnalysisResultsJson(model));
  if (model.bootstrap.running) {
    model.Notify("Results saved before the intervals are done: save again when the bootstrap ends",
                 NoticeLevel::kCaution);
  } else {
    model.Notify("Results saved: scalecalc open with this page's link prints the same JSON");
  }
}

void SyncShareLink(Model& model) {
  if (model.revision == synced_revision) return;
  synced_revision = model.revision;
  // Data past a link's 16 MiB of text (the decoder's limit) makes a link only when the columns the
  // fit uses are far smaller than the file; encoding it (the file read twice and its table
  // built) took seconds after every change of a 60 MB file, whose link was then refused. Such
  // data gets its link when Copy link asks for one; until then the address bar holds no link
  // (empty bytes: the page drops the fragment), never the link of the data before.
  if (model.analysis.csv_text.size() > DecodeLimits().max_csv_bytes) {
    js_share_state(nullptr, 0, /*copy=*/false, model.data_serial);
    return;
  }
  ShareState(model, /*copy=*/false);
}

}  // namespace scalecalc::app

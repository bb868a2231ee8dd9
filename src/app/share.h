// share.h: the analysis as a link (URL fragment) or a state file, and its results as a file. The
// state is encoded by the core (EncodeState / StateToJson); web/share.js compresses it into the
// fragment, so it never reaches a server. The address bar follows the state without adding history
// entries.
#pragma once

#include "app/model.h"

namespace scalecalc::app {

// Copies the share link (any link the page's decoder opens; past that, offers the state file);
// past 16,000 characters it also says that some chat tools cut long messages and offers the file.
// The page reports back through ShareNotice (app_bindings.cpp).
void CopyShareLink(Model& model);
// Downloads the state as a JSON file that opens again by drop or the file picker.
void SaveStateFile(Model& model);
// Downloads the results as JSON (the same text `scalecalc open LINK --json` prints).
void DownloadResults(Model& model);
// Updates the address bar's fragment when the state changed since the last call.
void SyncShareLink(Model& model);

}  // namespace scalecalc::app

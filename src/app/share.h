// share.h: the analysis as a link (URL fragment) or a state file. The state is encoded by the
// core (EncodeState / StateToJson); web/share.js compresses it into the fragment, so it never
// reaches a server. The address bar follows the state without adding history entries.
#pragma once

#include "app/model.h"

namespace scalecalc::app {

// Copies the share link; when it would be too long for chat tools, says so and offers the file.
void CopyShareLink(Model& model);
// Downloads the state as a JSON file that opens again by drop or the file picker.
void SaveStateFile(Model& model);
// Updates the address bar's fragment when the state changed since the last call.
void SyncShareLink(Model& model);

}  // namespace scalecalc::app

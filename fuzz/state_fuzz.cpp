// state_fuzz.cpp: libFuzzer target for the share-link and state-file decoders.
//
// Feeds the input to DecodeState (bytes of a link) and StateFromJson (text of a state file), with
// value checks on and off. Whatever decodes must re-encode to bytes that decode to the same bytes
// again, and a current-version binary input that decodes with its data as text must be the
// canonical encoding of its state with the data as text (one state, one encoding). A version-4
// link whose data is a table (state_table.h) has many encodings (the sender picks the column
// encodings); its state must still re-encode to a link that opens to the same bytes. A mismatch
// aborts so the fuzzer reports it.
// Seeds: fuzz/corpus/state/.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/analysis_state.h"

namespace {

void CheckStable(const scalecalc::AnalysisState& state, const scalecalc::DecodeLimits& limits) {
  const std::vector<uint8_t> once = scalecalc::EncodeState(state);
  const scalecalc::DecodeResult again = scalecalc::DecodeState(once.data(), once.size(), limits);
  if (!again.ok) std::abort();  // a decoded state must encode to a link that opens
  if (scalecalc::EncodeState(again.state) != once) std::abort();
  // The JSON file of the state must open too, with the same binary encoding.
  const scalecalc::DecodeResult file =
      scalecalc::StateFromJson(scalecalc::StateToJson(state), limits);
  if (!file.ok) std::abort();
  // NaN payloads do not survive JSON ("NaN"); only compare when none is unchecked.
  if (limits.check_values && scalecalc::EncodeState(file.state) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (bool check_values : {true, false}) {
    scalecalc::DecodeLimits limits;
    limits.check_values = check_values;

    const scalecalc::DecodeResult bin = scalecalc::DecodeState(data, size, limits);
    if (bin.ok) {
      if (bin.message.size() != 0) std::abort();
      // Byte 3 is the data's form: 0 the text as it is (the varint of version 4's csv_text).
      if (bin.version == scalecalc::kStateVersion && data[3] == 0) {
        scalecalc::EncodeOptions as_text;
        as_text.compact_data = false;
        const std::vector<uint8_t> canonical = scalecalc::EncodeState(bin.state, as_text);
        if (canonical != std::vector<uint8_t>(data, data + size)) std::abort();
      }
      CheckStable(bin.state, limits);
    } else if (bin.message.empty()) {
      std::abort();  // every refusal says why
    }

    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const scalecalc::DecodeResult json = scalecalc::StateFromJson(text, limits);
    if (json.ok) {
      CheckStable(json.state, limits);
    } else if (json.message.empty()) {
      std::abort();
    }
  }
  return 0;
}

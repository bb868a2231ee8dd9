// link_size_bench: the length of a share link for the three public files, by encoding of the data,
// side by side (bench/README.md, "Share-link sizes"). A link is "s1." and the base64url text (no
// padding) of a CRC-32 (4 bytes) and the state bytes deflated raw (web/share.js); deflate here is
// zlib's at its default level, what CompressionStream uses in Chromium and node.
//
//   build/native/bench/link_size_bench [DATA_DIR]   (default: $SCALECALC_EXTERNAL_DATA_DIR, else
//                                                    the build's shared/data/external)
//
// Every encoding is checked: the link's state decodes to a text that reads to the same runs
// (doubles bit for bit), the same exclusions and groups as the sender's.
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/analysis_state.h"
#include "core/csv_reader.h"
#include "core/groups.h"

namespace {

using scalecalc::AnalysisState;
using scalecalc::EncodeOptions;

size_t DeflatedSize(const std::vector<uint8_t>& bytes) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&z, bytes.size()));
  z.next_in = const_cast<uint8_t*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  const size_t size = z.total_out;
  deflateEnd(&z);
  return size;
}

// Characters of "s1." + base64url(crc32 + deflated), without padding.
size_t LinkChars(size_t deflated) {
  const size_t bytes = 4 + deflated;
  return 3 + bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
}

bool SameDoubles(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The receiver's view equals the sender's: runs bit for bit, exclusions, groups.
bool Opens(const AnalysisState& sent, const std::vector<uint8_t>& bytes) {
  const scalecalc::DecodeResult r = scalecalc::DecodeState(bytes.data(), bytes.size());
  if (!r.ok) return false;
  const scalecalc::ReadResult a = scalecalc::ReadRuns(sent.csv_text, sent.MakeReadOptions());
  const scalecalc::ReadResult b = scalecalc::ReadRuns(r.state.csv_text, r.state.MakeReadOptions());
  if (!a.ok || !b.ok || a.table.runs.size() != b.table.runs.size()) return false;
  for (size_t i = 0; i < a.table.runs.size(); ++i) {
    const scalecalc::Run& x = a.table.runs[i];
    const scalecalc::Run& y = b.table.runs[i];
    if (!SameDoubles(x.params, y.params) || !SameDoubles(x.tokens, y.tokens) ||
        !SameDoubles(x.loss, y.loss) || !SameDoubles(x.lr, y.lr) ||
        !SameDoubles(x.batch_tokens, y.batch_tokens) || x.data_row != y.data_row ||
        x.excluded != y.excluded) {
      return false;
    }
  }
  const scalecalc::GroupSplit ga = scalecalc::SplitByColumn(a.table, sent.group_column);
  const scalecalc::GroupSplit gb = scalecalc::SplitByColumn(b.table, r.state.group_column);
  if (ga.groups.size() != gb.groups.size()) return false;
  for (size_t g = 0; g < ga.groups.size(); ++g) {
    if (ga.groups[g].name != gb.groups[g].name ||
        ga.groups[g].table.runs.size() != gb.groups[g].table.runs.size()) {
      return false;
    }
  }
  return r.state.excluded_rows == sent.excluded_rows;
}

struct Encoding {
  const char* name;
  EncodeOptions options;
};

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("SCALECALC_EXTERNAL_DATA_DIR");
  const std::string dir = argc > 1                         ? argv[1]
                          : env != nullptr && *env != '\0' ? env
                                                           : SCALECALC_EXTERNAL_DATA_DIR;
  struct Case {
    const char* label;
    const char* file;
    double tokens_per_sample;
    const char* group;
    size_t bound;
  };
  const Case cases[] = {
      {"Step Law sweep (1,911 runs), 2048 tokens/sample", "steplaw_dense_lr_bs_loss.csv", 2048, "",
       16000},
      {"IsoFLOP collection (947), grouped by experiment", "isoflops_multi_source.csv", 0,
       "experiment", 20000},
      {"Epoch's Chinchilla extraction (245)", "chinchilla_epoch_svg_extracted.csv", 0, "", 16000},
  };
  std::vector<Encoding> encodings;
  EncodeOptions text;
  text.compact_data = false;
  encodings.push_back({"whole text (version 3)", text});
  EncodeOptions canonical;
  canonical.table.dictionaries = canonical.table.decimals = canonical.table.doubles = false;
  encodings.push_back({"used columns, numbers as shortest decimals", canonical});
  EncodeOptions dictionary = canonical;
  dictionary.table.dictionaries = true;
  encodings.push_back({"+ dictionaries", dictionary});
  EncodeOptions doubles = dictionary;
  doubles.table.doubles = true;
  encodings.push_back({"+ binary doubles", doubles});
  encodings.push_back({"+ decimals as integers (version 4)", EncodeOptions()});

  std::printf("| data | bound |");
  for (const Encoding& e : encodings) std::printf(" %s |", e.name);
  std::printf("\n|---|---|");
  for (size_t i = 0; i < encodings.size(); ++i) std::printf("---|");
  std::printf("\n");
  int failures = 0;
  for (const Case& c : cases) {
    std::ifstream file(dir + "/" + c.file, std::ios::binary);
    std::stringstream buffer;
    buffer << file.rdbuf();
    AnalysisState state;
    state.csv_text = buffer.str();
    state.data_name = c.file;
    state.tokens_per_sample = c.tokens_per_sample;
    state.group_column = c.group;
    state.excluded_rows = {3, 1, 17};
    if (state.csv_text.empty()) {
      std::fprintf(stderr, "cannot read %s/%s\n", dir.c_str(), c.file);
      return 2;
    }
    std::printf("| %s | %zu |", c.label, c.bound);
    for (const Encoding& e : encodings) {
      const std::vector<uint8_t> bytes = scalecalc::EncodeState(state, e.options);
      const bool opens = Opens(state, bytes);
      failures += opens ? 0 : 1;
      std::printf(" %zu (%zu B)%s |", LinkChars(DeflatedSize(bytes)), bytes.size(),
                  opens ? "" : " DOES NOT OPEN");
    }
    std::printf("\n");
  }
  std::printf("\nCells: link characters (state bytes before deflate).\n");
  return failures == 0 ? 0 : 1;
}

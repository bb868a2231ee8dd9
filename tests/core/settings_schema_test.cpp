// The settings schema: the table's invariants, the one rule per setting, every row refusing bad
// input with a message that names what the user touches, and version-1, 2 and 3 links and
// state files (fixtures made by the code before the next version existed) still opening.
#include "core/settings_schema.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/analysis.h"
#include "core/compute_model.h"
#include "core/csv_reader.h"
#include "core/fit.h"
#include "core/planner.h"
#include "test_util.h"

namespace scalecalc {
namespace {

using Bytes = std::vector<uint8_t>;

std::string Fixture(const char* name) {
  return test::ReadText(std::string(SCALECALC_TESTS_DIR) + "/core/fixtures/" + name);
}

// base64url without padding, written here so the fixture is read independently of the page.
Bytes FromBase64Url(const std::string& text) {
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int d = -1;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    if (c >= '0' && c <= '9') d = c - '0' + 52;
    if (c == '-') d = 62;
    if (c == '_') d = 63;
    if (d < 0) continue;  // the trailing newline
    acc = acc << 6 | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

// The values tests/core/fixtures/README.md's generator set: written out again by hand.
void ExpectFixtureState(const AnalysisState& s) {
  EXPECT_EQ(s.csv_text,
            "N,D,lr,bs,val loss\n1e8,2e9,1e-4,128,0.61\n1e8,2e9,2e-4,128,0.6\n"
            "2e8,4e9,1e-4,256,0.55\n2e8,4e9,2e-4,256,0.56\n");
  EXPECT_EQ(s.data_name, "fixture_sweep.csv");
  const ColumnOverrides columns = {
      {Role::kParams, "N"}, {Role::kTokens, "D"}, {Role::kBatch, "bs"}, {Role::kLoss, "val loss"}};
  EXPECT_EQ(s.columns, columns);
  EXPECT_EQ(s.tokens_per_sample, 2048);
  EXPECT_EQ(s.bad_rows, BadRowPolicy::kSkip);
  EXPECT_EQ(s.compute.kind, ComputeKind::kDit);
  EXPECT_EQ(s.compute.tokens_per_sample, 2048);
  EXPECT_EQ(s.compute.width_per_depth, 48);
  EXPECT_EQ(s.excluded_rows, (std::vector<int>{2, 4}));
  EXPECT_EQ(s.fit.optimum, OptimumMethod::kBand);
  EXPECT_EQ(s.fit.band_tolerance, 0.004);
  EXPECT_EQ(s.fit.cell_tolerance, 0.02);
  EXPECT_EQ(s.fit.huber_delta, 0.002);
  EXPECT_EQ(s.fit.bootstrap_samples, 250);
  EXPECT_EQ(s.fit.seed, 77u);
  EXPECT_FALSE(s.fit.extrapolation_check);
  EXPECT_EQ(s.plan.budget_flops, 3e21);
  EXPECT_EQ(s.plan.max_params, 5e9);
  EXPECT_EQ(s.plan.max_tokens, 1e12);
  EXPECT_EQ(s.plan.loss_tolerance, 0.002);
  EXPECT_EQ(s.plan.demand.videos, 1e7);
  EXPECT_EQ(s.plan.demand.sampling_steps, 30);
  EXPECT_FALSE(s.plan.demand.guidance);
  EXPECT_EQ(s.plan.demand.tokens_per_video, 2560);
  EXPECT_EQ(s.budget_unit, BudgetUnit::kPfDays);
  EXPECT_EQ(s.gpu_flops_per_second, 3e14);
  EXPECT_EQ(s.compare_preset, "paper");
  EXPECT_EQ(s.open_panel, "planner");
  EXPECT_EQ(s.plan.compute.kind, ComputeKind::kDit);
  // Fields version 1 did not have keep their defaults.
  const AnalysisState d;
  EXPECT_EQ(s.plan.demand.text_tokens, d.plan.demand.text_tokens);
  EXPECT_TRUE(s.plan.demand.cross_attention);
  EXPECT_TRUE(std::isnan(s.plan.fixed_params));
  EXPECT_EQ(s.group_column, "");
  EXPECT_FALSE(s.keep_flagged);
  EXPECT_EQ(s.plan.head_dim, 64);
  EXPECT_TRUE(std::isnan(s.plan.forced_lr));
  EXPECT_EQ(s.cost.frames, 17);
  EXPECT_FALSE(s.cost.typed_shape);
}

TEST(StateFixtures, Version1LinkPayloadOpens) {
  const Bytes bytes = FromBase64Url(Fixture("state_v1.link.txt"));
  ASSERT_GT(bytes.size(), 3u);
  EXPECT_EQ(bytes[2], 1);  // really a version-1 link
  const DecodeResult r = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, 1);
  ExpectFixtureState(r.state);
}

TEST(StateFixtures, Version1StateFileOpens) {
  const std::string text = Fixture("state_v1.json");
  ASSERT_NE(text.find("\"version\": 1,"), std::string::npos);
  const DecodeResult r = StateFromJson(text);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, 1);
  ExpectFixtureState(r.state);
}

TEST(StateFixtures, Version1FileRefusesVersion2Fields) {
  std::string text = Fixture("state_v1.json");
  text.insert(text.rfind('}'), ", \"cost\": {\"frames\": 33}");
  EXPECT_EQ(StateFromJson(text).message, "state file has unknown field 'cost'");
}

// A state with every version-2 field away from its default.
AnalysisState Version2State() {
  AnalysisState s;
  s.plan.demand.text_tokens = 77;
  s.plan.demand.cross_attention = false;
  s.plan.fixed_params = 7e9;
  s.fit.sensitivity_cap = 0.1;
  s.group_column = "family";
  s.keep_flagged = true;
  s.plan.head_dim = 128;
  s.plan.width_multiple = 256;
  s.plan.batch_divisor = 8;
  s.plan.forced_batch_tokens = 4e6;
  s.plan.forced_lr = 3e-4;
  s.plan.forced_width = 2048;
  s.plan.forced_depth = 24;
  s.cost = {33, 480, 848, 16, 8, 1, true, 1536, 20, 12};
  return s;
}

void ExpectVersion2Fields(const AnalysisState& s) {
  EXPECT_EQ(s.plan.demand.text_tokens, 77);
  EXPECT_FALSE(s.plan.demand.cross_attention);
  EXPECT_EQ(s.plan.fixed_params, 7e9);
  EXPECT_EQ(s.fit.sensitivity_cap, 0.1);
  EXPECT_EQ(s.group_column, "family");
  EXPECT_TRUE(s.keep_flagged);
  EXPECT_EQ(s.plan.head_dim, 128);
  EXPECT_EQ(s.plan.width_multiple, 256);
  EXPECT_EQ(s.plan.batch_divisor, 8);
  EXPECT_EQ(s.plan.forced_batch_tokens, 4e6);
  EXPECT_EQ(s.plan.forced_lr, 3e-4);
  EXPECT_EQ(s.plan.forced_width, 2048);
  EXPECT_EQ(s.plan.forced_depth, 24);
  EXPECT_EQ(s.cost.frames, 33);
  EXPECT_EQ(s.cost.height_px, 480);
  EXPECT_EQ(s.cost.width_px, 848);
  EXPECT_EQ(s.cost.vae_spatial, 16);
  EXPECT_EQ(s.cost.vae_temporal, 8);
  EXPECT_EQ(s.cost.patch, 1);
  EXPECT_TRUE(s.cost.typed_shape);
  EXPECT_EQ(s.cost.shape_width, 1536);
  EXPECT_EQ(s.cost.shape_depth, 20);
  EXPECT_EQ(s.cost.shape_heads, 12);
}

TEST(StateVersion2, NewFieldsRoundTripInBothFormats) {
  const AnalysisState s = Version2State();
  const Bytes bytes = EncodeState(s);
  const DecodeResult binary = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(binary.ok) << binary.message;
  EXPECT_EQ(binary.version, kStateVersion);
  ExpectVersion2Fields(binary.state);
  const DecodeResult json = StateFromJson(StateToJson(s));
  ASSERT_TRUE(json.ok) << json.message;
  ExpectVersion2Fields(json.state);
}

// Version 4's rows, in table order, as the binary format writes them for state `s` (small enum,
// bool and group values: one-byte varints).
Bytes Version4Tail(const AnalysisState& s) {
  Bytes tail;
  uint64_t bits;
  std::memcpy(&bits, &s.design_allowance_flops, 8);  // design.allowance_flops: a double
  for (int i = 0; i < 8; ++i) tail.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  tail.push_back(s.keep_unfinished ? 1 : 0);                // reader.keep_unfinished
  tail.push_back(static_cast<uint8_t>(s.checkpoints));      // reader.checkpoints
  tail.push_back(static_cast<uint8_t>(s.batch_column));     // reader.batch_column
  tail.push_back(static_cast<uint8_t>(2 * s.shown_group));  // groups.shown: zigzag
  tail.push_back(static_cast<uint8_t>(s.model_kind));       // plan.model_kind
  return tail;
}

// The encoding without version 4's rows: what ends with version 3's fields.
Bytes WithoutVersion4(const AnalysisState& s) {
  Bytes bytes = EncodeState(s);
  const Bytes tail = Version4Tail(s);
  EXPECT_GE(bytes.size(), tail.size());
  EXPECT_EQ(Bytes(bytes.end() - static_cast<long>(tail.size()), bytes.end()), tail);
  bytes.resize(bytes.size() - tail.size());
  return bytes;
}

TEST(StateVersion2, TailLayoutIsFrozen) {
  // Version 2 appends, after version 1's fields, in this order (if this breaks, links broke):
  Bytes tail;
  auto d = [&](double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (int i = 0; i < 8; ++i) tail.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  };
  auto u = [&](uint8_t v) { tail.push_back(v); };
  d(77);   // plan.demand.text_tokens
  u(0);    // plan.demand.cross_attention
  d(7e9);  // plan.fixed_params
  d(0.1);  // fit.sensitivity_cap
  u(6);    // group_column: length, bytes
  for (char c : std::string("family")) u(static_cast<uint8_t>(c));
  u(1);                   // keep_flagged
  d(128), d(256), d(8);   // plan.head_dim, width_multiple, batch_divisor
  d(4e6), d(3e-4);        // plan.forced_batch_tokens, forced_lr
  d(2048), d(24);         // plan.forced_width, forced_depth
  d(33), d(480), d(848);  // cost.frames, height_px, width_px
  d(16), d(8), d(1);      // cost.vae_spatial, vae_temporal, patch
  u(1);                   // cost.typed_shape
  d(1536), d(20), d(12);  // cost.shape_width, shape_depth, shape_heads
  d(16), d(NAN);          // compute.block_params, design.max_flops (defaults)
  // Version 3's fields follow (their defaults here: the next test freezes them).
  u(2), u(4);  // groups.compare_first 1, compare_second 2: zigzag varints
  for (uint8_t b : Version4Tail(Version2State())) u(b);  // then version 4's
  const Bytes bytes = EncodeState(Version2State());
  ASSERT_GT(bytes.size(), tail.size());
  EXPECT_EQ(Bytes(bytes.end() - static_cast<long>(tail.size()), bytes.end()), tail);
}

TEST(StateVersion4, Issue28TailLayoutIsFrozen) {
  // Issue 28's version-4 rows: reader.keep_unfinished, reader.checkpoints.
  AnalysisState s;
  s.keep_unfinished = true;
  s.checkpoints = CheckpointPolicy::kAll;
  const Bytes tail = Version4Tail(s);
  EXPECT_EQ(Bytes(tail.begin() + 8, tail.begin() + 10), Bytes({1, 1}));
  const Bytes bytes = EncodeState(s);
  ASSERT_GT(bytes.size(), tail.size());
  EXPECT_EQ(bytes[2], 4);
  EXPECT_EQ(Bytes(bytes.end() - static_cast<long>(tail.size()), bytes.end()), tail);
  for (const DecodeResult& back :
       {DecodeState(bytes.data(), bytes.size()), StateFromJson(StateToJson(s))}) {
    ASSERT_TRUE(back.ok) << back.message;
    EXPECT_TRUE(back.state.keep_unfinished);
    EXPECT_EQ(back.state.checkpoints, CheckpointPolicy::kAll);
    EXPECT_TRUE(back.state.MakeReadOptions().keep_unfinished);
    EXPECT_EQ(back.state.MakeReadOptions().checkpoints, CheckpointPolicy::kAll);
  }
  const std::string json = StateToJson(s);
  EXPECT_NE(json.find("checkpoints\": \"all\""), std::string::npos) << json;
}

TEST(StateVersion3, TailLayoutIsFrozen) {
  // Version 3 appends, after version 2's fields, in this order (if this breaks, links broke):
  AnalysisState s;
  s.compare_group_first = 7;
  s.compare_group_second = 50;
  const Bytes tail = {14, 100};  // groups.compare_first, compare_second: zigzag varints
  Bytes bytes = WithoutVersion4(s);
  ASSERT_GT(bytes.size(), tail.size());
  EXPECT_EQ(Bytes(bytes.end() - static_cast<long>(tail.size()), bytes.end()), tail);
  // Without version 4's rows and its data form (0: the text) before the data: a version-3 link.
  bytes[2] = 3;
  ASSERT_EQ(bytes[3], 0);
  bytes.erase(bytes.begin() + 3);
  const DecodeResult back = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.state.compare_group_first, 7);
  EXPECT_EQ(back.state.compare_group_second, 50);
  const DecodeResult json = StateFromJson(StateToJson(s));
  ASSERT_TRUE(json.ok) << json.message;
  EXPECT_EQ(json.state.compare_group_first, 7);
  EXPECT_EQ(json.state.compare_group_second, 50);
}

TEST(StateVersion4, DesignerTailLayoutIsFrozen) {
  AnalysisState s;
  s.design_allowance_flops = 3.5e20;
  const Bytes tail = Version4Tail(s);
  const Bytes bytes = EncodeState(s);
  ASSERT_GT(bytes.size(), tail.size());
  EXPECT_EQ(bytes[2], 4);
  EXPECT_EQ(Bytes(bytes.end() - static_cast<long>(tail.size()), bytes.end()), tail);
  const DecodeResult back = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.state.design_allowance_flops, 3.5e20);
  const DecodeResult json = StateFromJson(StateToJson(s));
  ASSERT_TRUE(json.ok) << json.message;
  EXPECT_EQ(json.state.design_allowance_flops, 3.5e20);
  // Auto (NaN) survives both.
  const Bytes auto_bytes = EncodeState(AnalysisState{});
  const DecodeResult auto_back = DecodeState(auto_bytes.data(), auto_bytes.size());
  ASSERT_TRUE(auto_back.ok) << auto_back.message;
  EXPECT_TRUE(std::isnan(auto_back.state.design_allowance_flops));
}

TEST(StateVersion4, TailLayoutOfOneTokensPerSampleIsFrozen) {
  // Issue 26's version-4 rows: reader.batch_column ("tokens" 0, "samples" 1), groups.shown.
  AnalysisState s;
  s.batch_column = BatchColumn::kSamples;
  s.compute.tokens_per_sample = 2048;
  s.shown_group = 5;
  const Bytes tail = Version4Tail(s);
  EXPECT_EQ(Bytes(tail.end() - 3, tail.end() - 1), (Bytes{1, 10}));  // then plan.model_kind
  const Bytes bytes = EncodeState(s);
  EXPECT_EQ(bytes[2], 4);
  EXPECT_EQ(Bytes(bytes.end() - 3, bytes.end() - 1), (Bytes{1, 10}));
  const DecodeResult back = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.state.batch_column, BatchColumn::kSamples);
  EXPECT_EQ(back.state.shown_group, 5);
  EXPECT_EQ(back.notice, "");  // a version-4 state is read as it is
  EXPECT_EQ(back.state.MakeReadOptions().tokens_per_sample, 2048);
  const DecodeResult json = StateFromJson(StateToJson(s));
  ASSERT_TRUE(json.ok) << json.message;
  EXPECT_EQ(json.state.batch_column, BatchColumn::kSamples);
  EXPECT_NE(StateToJson(s).find("\"batch_column\": \"samples\""), std::string::npos);
  // Tokens: the reader gets no size, whatever the compute count's.
  s.batch_column = BatchColumn::kTokens;
  EXPECT_EQ(s.MakeReadOptions().tokens_per_sample, 0);
}

TEST(StateVersion4, TailLayoutOfModelKindIsFrozen) {
  // Issue 26's model kind, the last version-4 row: "guess" 0 (the default), "video" 1,
  // "language" 2.
  for (const auto& [kind, byte, name] :
       {std::tuple{ModelKind::kGuess, 0, "guess"}, std::tuple{ModelKind::kVideo, 1, "video"},
        std::tuple{ModelKind::kLanguage, 2, "language"}}) {
    AnalysisState s;
    s.model_kind = kind;
    EXPECT_EQ(Version4Tail(s).back(), byte);
    const Bytes bytes = EncodeState(s);
    EXPECT_EQ(bytes.back(), byte);
    const DecodeResult back = DecodeState(bytes.data(), bytes.size());
    ASSERT_TRUE(back.ok) << back.message;
    EXPECT_EQ(back.state.model_kind, kind);
    const std::string json = StateToJson(s);
    EXPECT_NE(json.find(std::string("\"model_kind\": \"") + name + "\""), std::string::npos)
        << json;
    const DecodeResult from_json = StateFromJson(json);
    ASSERT_TRUE(from_json.ok) << from_json.message;
    EXPECT_EQ(from_json.state.model_kind, kind);
  }
  // A kind past the last is refused, in both formats, naming the field.
  AnalysisState s;
  Bytes bytes = EncodeState(s);
  bytes.back() = 3;
  const DecodeResult bad = DecodeState(bytes.data(), bytes.size());
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("model_kind"), std::string::npos) << bad.message;
  std::string json = StateToJson(s);
  const size_t at = json.find("\"model_kind\": \"guess\"");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, std::strlen("\"model_kind\": \"guess\""), "\"model_kind\": \"cartoon\"");
  const DecodeResult bad_json = StateFromJson(json);
  EXPECT_FALSE(bad_json.ok);
  EXPECT_NE(bad_json.message.find("cartoon"), std::string::npos) << bad_json.message;
}

// Before version 4 the reader had its own tokens per sample (0: the batch column in tokens). Old
// states open with one size: the reader's if it was set (the batch column then counts samples),
// else the compute count's; a notice says so only where the two differed.
TEST(StateVersion4, EarlierStatesOpenWithOneTokensPerSample) {
  struct Case {
    double reader, compute;
    BatchColumn batch;
    double size;
    bool notice;
  };
  for (const Case& c : {Case{0, 1280, BatchColumn::kTokens, 1280, false},
                        Case{2048, 2048, BatchColumn::kSamples, 2048, false},
                        Case{2048, 1280, BatchColumn::kSamples, 2048, true},
                        Case{4096, 300, BatchColumn::kSamples, 4096, true}}) {
    for (int version = 1; version <= 3; ++version) {
      AnalysisState s;
      s.tokens_per_sample = c.reader;
      s.compute.tokens_per_sample = c.compute;
      std::string notice;
      OneTokensPerSample(version, &s, &notice);
      EXPECT_EQ(s.batch_column, c.batch) << c.reader << " " << c.compute;
      EXPECT_EQ(s.compute.tokens_per_sample, c.size);
      EXPECT_EQ(s.plan.compute.tokens_per_sample, c.size);
      EXPECT_EQ(s.MakeReadOptions().tokens_per_sample,
                c.batch == BatchColumn::kSamples ? c.size : 0);
      EXPECT_EQ(!notice.empty(), c.notice) << notice;
      if (c.notice) {
        EXPECT_NE(notice.find("one now"), std::string::npos) << notice;
      }
    }
    // Version 4 reads the switch: the old field changes nothing.
    AnalysisState s;
    s.tokens_per_sample = c.reader;
    s.compute.tokens_per_sample = c.compute;
    std::string notice;
    OneTokensPerSample(4, &s, &notice);
    EXPECT_EQ(s.batch_column, BatchColumn::kTokens);
    EXPECT_EQ(s.compute.tokens_per_sample, c.compute);
    EXPECT_EQ(notice, "");
  }
  // Through the state file of version 3: the same rule, and the decoder's notice.
  const std::string file =
      "{\"format\": \"scalecalc-state\", \"version\": 3, \"csv_text\": \"\", \"reader\": "
      "{\"tokens_per_sample\": 2048}, \"compute\": {\"tokens_per_sample\": 1280}}";
  const DecodeResult r = StateFromJson(file);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.state.compute.tokens_per_sample, 2048);
  EXPECT_EQ(r.state.batch_column, BatchColumn::kSamples);
  EXPECT_NE(r.notice.find("2048 serves both"), std::string::npos) << r.notice;
  // ... and a version-3 file may not hold the version-4 switch.
  EXPECT_FALSE(StateFromJson("{\"format\": \"scalecalc-state\", \"version\": 3, \"csv_text\": "
                             "\"\", \"reader\": {\"batch_column\": \"samples\"}}")
                   .ok);
}

// Links and state files made before version 3 (tests/core/fixtures/README.md) keep opening, with
// the version-3 fields at their defaults.
TEST(StateFixtures, Version2LinkPayloadOpens) {
  const Bytes bytes = FromBase64Url(Fixture("state_v2.link.txt"));
  ASSERT_GT(bytes.size(), 3u);
  EXPECT_EQ(bytes[2], 2);  // really a version-2 link
  const DecodeResult r = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.state.data_name, "fixture_v2.csv");
  ExpectVersion2Fields(r.state);
  EXPECT_EQ(r.state.compare_group_first, 1);
  EXPECT_EQ(r.state.compare_group_second, 2);
}

TEST(StateFixtures, Version2StateFileOpens) {
  const std::string text = Fixture("state_v2.json");
  ASSERT_NE(text.find("\"version\": 2,"), std::string::npos);
  const DecodeResult r = StateFromJson(text);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, 2);
  ExpectVersion2Fields(r.state);
  EXPECT_EQ(r.state.compare_group_first, 1);
}

TEST(StateFixtures, Version2FileRefusesVersion3Fields) {
  std::string text = Fixture("state_v2.json");
  text.insert(text.rfind('}'), ", \"groups\": {\"compare_first\": 3}");
  EXPECT_EQ(StateFromJson(text).message, "state file has unknown field 'groups'");
}

// Made by the code of main at be25e05 (format version 3) before version 4 existed: every
// version-2 and version-3 field away from its default, a grouped three-row CSV.
void ExpectVersion3Fixture(const DecodeResult& r) {
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(r.state.data_name, "fixture_v3.csv");
  EXPECT_EQ(r.state.csv_text,
            "params,tokens,loss,family\n1e8,2e9,3.1,a\n2e8,2e9,3.0,b\n4e8,2e9,2.9,c\n");
  ExpectVersion2Fields(r.state);
  EXPECT_EQ(r.state.compare_group_first, 3);
  EXPECT_EQ(r.state.compare_group_second, 2);
}

TEST(StateFixtures, Version3LinkPayloadOpens) {
  const Bytes bytes = FromBase64Url(Fixture("state_v3.link.txt"));
  ASSERT_GT(bytes.size(), 3u);
  EXPECT_EQ(bytes[2], 3);  // really a version-3 link
  ExpectVersion3Fixture(DecodeState(bytes.data(), bytes.size()));
}

TEST(StateFixtures, Version3StateFileOpens) {
  const std::string text = Fixture("state_v3.json");
  ASSERT_NE(text.find("\"version\": 3,"), std::string::npos);
  ExpectVersion3Fixture(StateFromJson(text));
}

TEST(StateVersion3, ComparedGroupsOutOfRangeAreRefusedByName) {
  AnalysisState s;
  std::string error;
  const Setting* first = FindSetting("compare_group_first");
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(ApplySetting(*first, "compare_group_first", "0", Audience::kPage, &s, &error));
  EXPECT_NE(error.find("first group"), std::string::npos) << error;
  EXPECT_FALSE(ApplySetting(*first, "compare_group_first", "51", Audience::kPage, &s, &error));
  EXPECT_NE(error.find("first group"), std::string::npos) << error;
  EXPECT_FALSE(ApplySetting(*first, "compare_group_first", "2.5", Audience::kPage, &s, &error));
  EXPECT_EQ(s.compare_group_first, 1);
  // A link with a number past the table's range does not open, and says which control.
  s.compare_group_second = 1000;
  const Bytes bytes = EncodeState(s);
  const DecodeResult r = DecodeState(bytes.data(), bytes.size());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("second group"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("compare_group"), std::string::npos) << r.message;
}

// ---------------------------------------------------------------------------------------------
// The table.

bool IsSnakeCase(const std::string& word) {
  return word.find('_') != std::string::npos &&
         std::all_of(word.begin(), word.end(), [](char c) { return std::islower(c) || c == '_'; });
}

TEST(SettingsSchema, TableInvariants) {
  std::set<std::string> keys, paths, flags;
  int version = 1;
  const AnalysisState defaults;
  for (const Setting& row : Settings()) {
    SCOPED_TRACE(row.json);
    EXPECT_TRUE(paths.insert(row.json).second) << "duplicate path";
    if (*row.key) {
      EXPECT_TRUE(keys.insert(row.key).second) << "duplicate key";
    }
    for (const char* flag : {row.flag, row.switch_flag}) {
      if (!flag) continue;
      EXPECT_EQ(std::string(flag).rfind("--", 0), 0u);
      EXPECT_TRUE(flags.insert(flag).second) << "duplicate flag " << flag;
    }
    EXPECT_GE(row.version, version) << "rows come version by version";
    version = row.version;
    EXPECT_LE(row.version, kStateVersion);
    EXPECT_GT(std::strlen(row.label), 0u);
    EXPECT_GT(std::strlen(row.help), 0u);
    EXPECT_LE(row.min, row.max);
    // Defaults are valid, and what FormatSetting writes reads back to the same value.
    std::string error;
    EXPECT_TRUE(CheckSetting(row, defaults, DecodeLimits{}, Audience::kPage, &error)) << error;
    if (*row.key && !row.in_display_unit && row.type != SettingType::kColumns) {
      AnalysisState copy;
      const std::string text = FormatSetting(row, copy);
      EXPECT_TRUE(ApplySetting(row, row.key, text, Audience::kPage, &copy, &error))
          << text << ": " << error;
      EXPECT_EQ(FormatSetting(row, copy), text);
    }
  }
  // Version 4 changed how the data travels (state_table.h); the settings it adds come with the
  // issues that add them, so the newest row may be of version 3 or 4.
  EXPECT_GE(version, 3);
  EXPECT_LE(version, kStateVersion);
  // Every key finds its row, every flag too.
  for (const Setting& row : Settings()) {
    if (*row.key) {
      EXPECT_EQ(FindSetting(row.key), &row);
    }
    if (row.flag) {
      EXPECT_EQ(FindFlag(row.flag), &row);
    }
  }
  EXPECT_EQ(FindSetting("column.loss"), FindSetting("column"));
  EXPECT_EQ(FindSetting("no_such_option"), nullptr);
}

// The rules the issue asked to unify: one each (bootstrap at most 100,000; band tolerance in
// [0, 0.5); rows at most 10,000,000; loss tolerance in (0, 0.5)).
TEST(SettingsSchema, OneRulePerSetting) {
  auto accepts = [](const char* key, const char* value) {
    AnalysisState s;
    std::string error;
    return ApplySetting(*FindSetting(key), key, value, Audience::kPage, &s, &error);
  };
  EXPECT_TRUE(accepts("bootstrap", "100000"));
  EXPECT_FALSE(accepts("bootstrap", "100001"));
  EXPECT_TRUE(accepts("band_tolerance", "0"));
  EXPECT_TRUE(accepts("band_tolerance", "0.4999"));
  EXPECT_FALSE(accepts("band_tolerance", "0.5"));
  EXPECT_TRUE(accepts("exclude", "10000000"));
  EXPECT_FALSE(accepts("exclude", "10000001"));
  EXPECT_FALSE(accepts("tolerance", "0"));
  EXPECT_FALSE(accepts("tolerance", "0.5"));
  // The options' own checks use the same rows.
  FitOptions fit;
  fit.bootstrap_samples = 100001;
  EXPECT_FALSE(fit.IsValid(nullptr));
  fit.bootstrap_samples = 100000;
  fit.band_tolerance = 0.5;
  EXPECT_FALSE(fit.IsValid(nullptr));
  AnalysisState s;
  s.excluded_rows = {10000001};
  std::string error;
  EXPECT_FALSE(ValidateState(s, DecodeLimits{}, &error));
}

TEST(SettingsSchema, EveryTypedSettingRefusesBadInput) {
  const char* const bad_for_all[] = {"1.2.3", "abc", "1e", "--5", "0x10", "1,5"};
  for (const Setting& row : Settings()) {
    if (!*row.key) continue;
    SCOPED_TRACE(row.key);
    const bool numeric = row.type == SettingType::kNumber || row.type == SettingType::kInteger;
    std::vector<std::string> bad;
    if (numeric || row.type == SettingType::kSeed) {
      bad.assign(std::begin(bad_for_all), std::end(bad_for_all));
      if (!row.allow_nan) bad.push_back("NaN");
      if (!row.allow_infinity) bad.push_back("inf");
      bad.push_back("-inf");
      if (row.min >= 0) bad.push_back("-1");
      if (row.max < 1e300) bad.push_back("1e300");
      if (!row.none_word) bad.push_back("");
    } else if (row.type == SettingType::kBool || row.type == SettingType::kEnum) {
      bad = {"", "maybe", "2"};
    } else if (row.type == SettingType::kRows) {
      bad = {"0", "-3", "2-1", "a", "5-", "1-2000000", "1;2"};
    } else if (row.type == SettingType::kText) {
      bad = {std::string(5000, 'x')};
    }
    for (const std::string& value : bad) {
      for (Audience audience : {Audience::kPage, Audience::kCli}) {
        AnalysisState s;
        const std::string before = StateToJson(s);
        std::string error;
        const std::string key = row.type == SettingType::kColumns ? "column.loss" : row.key;
        EXPECT_FALSE(ApplySetting(row, key, value, audience, &s, &error)) << "'" << value << "'";
        EXPECT_EQ(StateToJson(s), before) << "refused values change nothing";
        // Named by what the user touches: the page's label or the CLI's flag...
        const std::string name = SettingName(row, audience);
        EXPECT_NE(error.find(name), std::string::npos) << error;
        // ...and never by a C++ identifier or a state-file path.
        EXPECT_EQ(error.find("::"), std::string::npos) << error;
        EXPECT_EQ(error.find(row.json), std::string::npos) << error;
        std::istringstream words(error);
        for (std::string word; words >> word;) {
          if (row.flag && audience == Audience::kCli) {
            EXPECT_FALSE(IsSnakeCase(word)) << error;
          }
        }
      }
    }
  }
}

// A link or state file with a bad value says which setting, by the page's label.
TEST(SettingsSchema, LinkMessagesNameTheSetting) {
  for (const Setting& row : Settings()) {
    if (row.type != SettingType::kNumber) continue;
    SCOPED_TRACE(row.json);
    AnalysisState s;
    *row.number(s) = -HUGE_VAL;  // no row allows it
    std::string error;
    EXPECT_FALSE(ValidateState(s, DecodeLimits{}, &error));
    EXPECT_NE(error.find(row.label), std::string::npos) << error;
    EXPECT_EQ(error.find("::"), std::string::npos) << error;
    EXPECT_EQ(error.find(row.json), std::string::npos) << error;
    // The options' own checks name the state-file path (what a program sets).
    std::string program;
    EXPECT_FALSE(CheckSetting(row, s, DecodeLimits{}, Audience::kProgram, &program));
    EXPECT_NE(program.find(row.json), std::string::npos) << program;
  }
}

TEST(SettingsSchema, ValuesAsPeopleTypeThem) {
  AnalysisState s;
  std::string error;
  auto set = [&](const char* key, const char* value) {
    return ApplySetting(*FindSetting(key), key, value, Audience::kPage, &s, &error);
  };
  ASSERT_TRUE(set("max_params", "3B")) << error;
  EXPECT_EQ(s.plan.max_params, 3e9);
  ASSERT_TRUE(set("max_params", "")) << error;  // no cap
  EXPECT_EQ(s.plan.max_params, HUGE_VAL);
  ASSERT_TRUE(set("lr", "3e-4")) << error;
  ASSERT_TRUE(set("lr", "none")) << error;
  EXPECT_TRUE(std::isnan(s.plan.forced_lr));
  ASSERT_TRUE(set("optimum", "Smooth")) << error;
  EXPECT_EQ(s.fit.optimum, OptimumMethod::kSmooth);
  ASSERT_TRUE(set("cross_attention", "off")) << error;
  EXPECT_FALSE(s.plan.demand.cross_attention);
  ASSERT_TRUE(set("column.loss", "val loss")) << error;
  ASSERT_TRUE(set("column.loss", "ema loss")) << error;  // the page replaces
  EXPECT_EQ(s.columns, (ColumnOverrides{{Role::kLoss, "ema loss"}}));
  ASSERT_TRUE(set("column.loss", "")) << error;  // back to the guess
  EXPECT_TRUE(s.columns.empty());
  ASSERT_TRUE(set("seed", "18446744073709551615")) << error;
  EXPECT_EQ(s.fit.seed, UINT64_MAX);
  // The page types budgets in the unit it shows: 1 PF-day is 8.64e19 FLOPs.
  ASSERT_TRUE(set("budget_unit", "pf_days")) << error;
  ASSERT_TRUE(set("budget", "2")) << error;
  EXPECT_DOUBLE_EQ(s.plan.budget_flops, 2 * 8.64e19);
  EXPECT_FALSE(set("compare", "nosuch"));
  EXPECT_NE(error.find("compare with"), std::string::npos) << error;
  EXPECT_FALSE(set("panel", "settings"));
  EXPECT_NE(error.find("data, fit, plots, planner, cost"), std::string::npos) << error;
}

TEST(SettingsSchema, RowListParser) {
  std::vector<int> rows;
  std::string error;
  ASSERT_TRUE(ParseRowList("3,5-7", 100, &rows, &error)) << error;
  EXPECT_EQ(rows, (std::vector<int>{3, 5, 6, 7}));
  ASSERT_TRUE(ParseRowList(" 9 , 3,3, 1 - 2 ", 100, &rows, &error)) << error;
  EXPECT_EQ(rows, (std::vector<int>{1, 2, 3, 9}));
  ASSERT_TRUE(ParseRowList("", 100, &rows, &error));
  EXPECT_TRUE(rows.empty());
  for (const char* bad : {"0", "-5", "2-1", "x", "5-", "101", "3.5", "1e2"}) {
    EXPECT_FALSE(ParseRowList(bad, 100, &rows, &error)) << bad;
    EXPECT_NE(error.find("rows start at 1"), std::string::npos) << error;
  }
  // A few kilobytes of long ranges (found by the fuzz campaign: 300 of "1-999999" took 37 s and
  // 2 GB) are refused before they are expanded, naming the limit; at the limit they are fine.
  const int limit = static_cast<int>(DecodeLimits{}.max_excluded);
  std::string many;
  for (int k = 0; k < 300; ++k) many += (k ? "," : "") + std::string("1-999999");
  EXPECT_FALSE(ParseRowList(many, 10000000, &rows, &error));
  EXPECT_NE(error.find("more than " + std::to_string(limit) + " rows"), std::string::npos) << error;
  ASSERT_TRUE(ParseRowList("1-" + std::to_string(limit / 2) + "," + std::to_string(limit / 2 + 1) +
                               "-" + std::to_string(limit),
                           10000000, &rows, &error))
      << error;
  EXPECT_EQ(rows.size(), static_cast<size_t>(limit));
  EXPECT_FALSE(ParseRowList("1-" + std::to_string(limit) + ",1", 10000000, &rows, &error));
}

TEST(SettingsSchema, EnumDescriptorsRoundTrip) {
  for (const EnumNames* names :
       {&EnumNamesOf<Role>(), &EnumNamesOf<BadRowPolicy>(), &EnumNamesOf<ComputeKind>(),
        &EnumNamesOf<OptimumMethod>(), &EnumNamesOf<FitTermination>(), &EnumNamesOf<BudgetUnit>(),
        &PanelNames()}) {
    std::set<std::string> seen;
    for (int v = 0; v < names->count(); ++v) {
      int back = -1;
      EXPECT_TRUE(names->FindExact(names->Name(v), &back));
      EXPECT_EQ(back, v);
      EXPECT_TRUE(seen.insert(names->Name(v)).second);
      EXPECT_GT(std::strlen(names->Label(v)), 0u);
    }
  }
  // The frozen names state files hold.
  EXPECT_STREQ(ToString(OptimumMethod::kSmooth), "smooth");
  EXPECT_STREQ(ToString(FitTermination::kNoData), "no data");
  EXPECT_STREQ(ToString(ComputeKind::kSixN), "6n");
  ComputeKind kind;
  EXPECT_TRUE(FromString("DiT", &kind));
  EXPECT_EQ(kind, ComputeKind::kDit);
  EXPECT_EQ(EnumNamesOf<Role>().List(),
            "params, tokens, flops, lr, batch, loss, tokens_per_sample");
}

// Found by state_fuzz: a NaN with a payload in a field where NaN means "not forced" opened, but
// its state file (which writes "NaN") reopened as a different link. Such links are refused.
TEST(SettingsSchema, OnlyTheStandardNanMeansNone) {
  AnalysisState state;
  state.csv_text = "params,tokens,loss\n1e8,2e9,3.1\n";
  std::vector<uint8_t> bytes = EncodeState(state);
  DecodeResult decoded = DecodeState(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok) << decoded.message;
  EXPECT_TRUE(std::isnan(decoded.state.plan.forced_lr));
  const DecodeResult file = StateFromJson(StateToJson(decoded.state));
  ASSERT_TRUE(file.ok) << file.message;
  EXPECT_EQ(EncodeState(file.state), bytes);

  const uint64_t payload = 0x7ff87a0000000000ull;  // quiet NaN, non-zero payload
  std::memcpy(&state.plan.forced_lr, &payload, sizeof payload);
  ASSERT_TRUE(std::isnan(state.plan.forced_lr));
  std::string error;
  EXPECT_FALSE(ValidateState(state, DecodeLimits{}, &error));
  EXPECT_NE(error.find("non-standard NaN"), std::string::npos) << error;
  bytes = EncodeState(state);
  decoded = DecodeState(bytes.data(), bytes.size());
  EXPECT_FALSE(decoded.ok);
  EXPECT_FALSE(decoded.message.empty());
}

}  // namespace
}  // namespace scalecalc

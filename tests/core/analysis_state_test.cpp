#include "core/analysis_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/settings_schema.h"

namespace scalecalc {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr double kInf = std::numeric_limits<double>::infinity();

uint64_t Bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return b;
}
double FromBits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, 8);
  return x;
}

// Field-by-field, doubles compared bit for bit (NaN payloads, the sign of zero). plan.compute is
// not stored and must come back equal to compute.
void ExpectSameState(const AnalysisState& a, const AnalysisState& b) {
  EXPECT_EQ(a.csv_text, b.csv_text);
  EXPECT_EQ(a.data_name, b.data_name);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(Bits(a.tokens_per_sample), Bits(b.tokens_per_sample));
  EXPECT_EQ(a.bad_rows, b.bad_rows);
  EXPECT_EQ(a.compute.kind, b.compute.kind);
  EXPECT_EQ(Bits(a.compute.tokens_per_sample), Bits(b.compute.tokens_per_sample));
  EXPECT_EQ(Bits(a.compute.width_per_depth), Bits(b.compute.width_per_depth));
  EXPECT_EQ(a.excluded_rows, b.excluded_rows);
  EXPECT_EQ(a.fit.optimum, b.fit.optimum);
  EXPECT_EQ(Bits(a.fit.band_tolerance), Bits(b.fit.band_tolerance));
  EXPECT_EQ(Bits(a.fit.cell_tolerance), Bits(b.fit.cell_tolerance));
  EXPECT_EQ(Bits(a.fit.huber_delta), Bits(b.fit.huber_delta));
  EXPECT_EQ(a.fit.bootstrap_samples, b.fit.bootstrap_samples);
  EXPECT_EQ(a.fit.seed, b.fit.seed);
  EXPECT_EQ(a.fit.extrapolation_check, b.fit.extrapolation_check);
  EXPECT_EQ(Bits(a.plan.budget_flops), Bits(b.plan.budget_flops));
  EXPECT_EQ(Bits(a.plan.max_params), Bits(b.plan.max_params));
  EXPECT_EQ(Bits(a.plan.max_tokens), Bits(b.plan.max_tokens));
  EXPECT_EQ(Bits(a.plan.loss_tolerance), Bits(b.plan.loss_tolerance));
  EXPECT_EQ(Bits(a.plan.demand.videos), Bits(b.plan.demand.videos));
  EXPECT_EQ(Bits(a.plan.demand.sampling_steps), Bits(b.plan.demand.sampling_steps));
  EXPECT_EQ(a.plan.demand.guidance, b.plan.demand.guidance);
  EXPECT_EQ(Bits(a.plan.demand.tokens_per_video), Bits(b.plan.demand.tokens_per_video));
  EXPECT_EQ(a.budget_unit, b.budget_unit);
  EXPECT_EQ(Bits(a.gpu_flops_per_second), Bits(b.gpu_flops_per_second));
  EXPECT_EQ(a.compare_preset, b.compare_preset);
  EXPECT_EQ(a.open_panel, b.open_panel);
  EXPECT_EQ(b.plan.compute.kind, b.compute.kind);
  EXPECT_EQ(Bits(b.plan.compute.tokens_per_sample), Bits(b.compute.tokens_per_sample));
  EXPECT_EQ(Bits(b.plan.compute.width_per_depth), Bits(b.compute.width_per_depth));
}

// A state with every field away from its default and awkward values where the rules allow them.
AnalysisState RichState(size_t csv_bytes) {
  AnalysisState s;
  s.csv_text.resize(csv_bytes);
  for (size_t i = 0; i < csv_bytes; ++i) {
    s.csv_text[i] = static_cast<char>((i * 131 + i / 7) & 0xff);  // every byte, NUL included
  }
  s.data_name = "données_Ωμέγα_🎬 sweep.csv";
  s.columns = {{Role::kParams, "N (params)"}, {Role::kLoss, "loss/ema"}, {Role::kLr, ""}};
  s.tokens_per_sample = -0.0;
  s.bad_rows = BadRowPolicy::kSkip;
  s.compute.kind = ComputeKind::kDit;
  s.compute.tokens_per_sample = 4096.5;
  s.compute.width_per_depth = 0.1;
  s.excluded_rows = {7, 1, 100000, 3};
  s.fit.optimum = OptimumMethod::kSmooth;
  s.fit.band_tolerance = std::numeric_limits<double>::denorm_min();
  s.fit.cell_tolerance = 2.2250738585072009e-308;  // largest denormal
  s.fit.huber_delta = 1.0 / 3.0;
  s.fit.bootstrap_samples = 0;
  s.fit.seed = std::numeric_limits<uint64_t>::max();
  s.fit.extrapolation_check = false;
  s.plan.budget_flops = 5.85e20;
  s.plan.max_params = kInf;
  s.plan.max_tokens = 1.7976931348623157e308;
  s.plan.loss_tolerance = 0.1 + 0.2;
  s.plan.demand.videos = 1e9;
  s.plan.demand.sampling_steps = 25;
  s.plan.demand.guidance = false;
  s.plan.demand.tokens_per_video = 12345.678;
  s.budget_unit = BudgetUnit::kGpuHours;
  s.gpu_flops_per_second = 9.89e14;
  s.compare_preset = "paper (α=0.28)";
  s.open_panel = "planner";
  s.plan.compute = s.compute;
  return s;
}

// A hand encoder for the version-1 layout, independent of EncodeState.
struct Hand {
  Bytes b;
  Hand& U(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if (v) byte |= 0x80;
      b.push_back(byte);
    } while (v);
    return *this;
  }
  Hand& Z(int64_t v) { return U(v < 0 ? (static_cast<uint64_t>(-(v + 1)) * 2 + 1) : v * 2); }
  Hand& D(double x) {
    const uint64_t bits = Bits(x);
    for (int i = 0; i < 8; ++i) b.push_back((bits >> (8 * i)) & 0xff);
    return *this;
  }
  Hand& S(const std::string& s) {
    U(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Hand& Raw(std::initializer_list<uint8_t> bytes) {
    b.insert(b.end(), bytes);
    return *this;
  }
};

DecodeResult Decode(const Bytes& b, const DecodeLimits& limits = {}) {
  return DecodeState(b.data(), b.size(), limits);
}

// ---------------------------------------------------------------------------------------------

TEST(AnalysisState, DefaultStateIsValidAndRoundTrips) {
  AnalysisState s;
  std::string error;
  EXPECT_TRUE(ValidateState(s, DecodeLimits(), &error)) << error;
  DecodeResult r = Decode(EncodeState(s));
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, kStateVersion);
  ExpectSameState(s, r.state);
}

TEST(AnalysisState, BinaryRoundTripIsBitExact) {
  // 1 MB of every byte value as CSV text, -0.0, denormals, +Inf, UINT64_MAX, unicode names.
  const AnalysisState s = RichState(1 << 20);
  const Bytes bytes = EncodeState(s);
  EXPECT_GT(bytes.size(), size_t{1} << 20);
  DecodeResult r = Decode(bytes);
  ASSERT_TRUE(r.ok) << r.message;
  ExpectSameState(s, r.state);
  EXPECT_TRUE(std::signbit(r.state.tokens_per_sample));
}

TEST(AnalysisState, NaNPayloadsAndInfinitiesSurviveWhenValuesAreNotChecked) {
  AnalysisState s = RichState(10);
  const uint64_t payloads[] = {0x7ff8000000000000ull, 0x7ff0000000000001ull,  // quiet, signalling
                               0xfff8dead0000beefull, 0x7fffffffffffffffull};
  s.tokens_per_sample = FromBits(payloads[0]);
  s.compute.tokens_per_sample = FromBits(payloads[1]);
  s.compute.width_per_depth = -kInf;
  s.fit.huber_delta = FromBits(payloads[2]);
  s.plan.budget_flops = FromBits(payloads[3]);
  s.plan.max_tokens = -kInf;
  s.gpu_flops_per_second = -0.0;
  DecodeLimits unchecked;
  unchecked.check_values = false;
  DecodeResult r = Decode(EncodeState(s), unchecked);
  ASSERT_TRUE(r.ok) << r.message;
  ExpectSameState(s, r.state);

  // With the checks on (the default) the same link is refused and says which value is wrong.
  DecodeResult checked = Decode(EncodeState(s));
  EXPECT_FALSE(checked.ok);
  EXPECT_EQ(checked.message,
            "the link holds an invalid setting: tokens per sample (batch column, format 3) must "
            "be a finite number in [0, 1000000000] (got nan)");
}

// The version-1 layout, written out field by field, with the compute count's tokens per sample.
Bytes HandBuiltVersion1(double compute_tokens_per_sample) {
  Hand h;
  h.Raw({'S', 'C', 1});
  h.S("params,tokens,loss\n1e6,2e9,0.5\n");            // csv_text
  h.S("sweep.csv");                                    // data_name
  h.U(2).U(5).S("val_loss").U(0).S("N");               // columns: loss -> val_loss, params -> N
  h.D(1280);                                           // tokens_per_sample (the reader's)
  h.U(1);                                              // bad_rows: skip
  h.U(1).D(compute_tokens_per_sample).D(32);           // compute: dit, n_ctx, width/depth
  h.U(3).Z(2).Z(5).Z(300);                             // excluded_rows
  h.U(2).D(0.005).D(0.02).D(0.01).Z(200).U(300).U(0);  // fit: smooth ... seed 300, no check
  h.D(1e23).D(5e9).D(kInf).D(0.002);                   // plan: budget, caps, loss tolerance
  h.D(1e6).D(40).U(1).D(2560);                         // demand: videos, steps, guidance, tokens
  h.U(1).D(3e14);                                      // budget unit: pf_days, GPU FLOP/s
  h.S("paper");                                        // compare_preset
  h.S("cost");                                         // open_panel
  return h.b;
}

TEST(AnalysisState, HandBuiltVersion1StringDecodes) {
  // If this test breaks, old links broke. The reader's tokens per sample (1280) differs from the
  // compute count's (2048): since version 4 there is one, and the reader's wins (issue 26).
  DecodeResult r = Decode(HandBuiltVersion1(2048));
  ASSERT_TRUE(r.ok) << r.message;
  const AnalysisState& s = r.state;
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(s.csv_text, "params,tokens,loss\n1e6,2e9,0.5\n");
  EXPECT_EQ(s.data_name, "sweep.csv");
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.columns[0].first, Role::kLoss);
  EXPECT_EQ(s.columns[0].second, "val_loss");
  EXPECT_EQ(s.columns[1].first, Role::kParams);
  EXPECT_EQ(s.columns[1].second, "N");
  EXPECT_EQ(s.tokens_per_sample, 1280);
  EXPECT_EQ(s.batch_column, BatchColumn::kSamples);  // a reader's size: the batch counted samples
  EXPECT_EQ(r.notice,
            "This analysis was saved with two tokens per sample (1280 for the batch column, 2048 "
            "for the compute count); there is one now, and 1280 serves both (see tokens per "
            "sample).");
  EXPECT_EQ(s.bad_rows, BadRowPolicy::kSkip);
  EXPECT_EQ(s.compute.kind, ComputeKind::kDit);
  EXPECT_EQ(s.compute.tokens_per_sample, 1280);
  EXPECT_EQ(s.compute.width_per_depth, 32);
  EXPECT_EQ(s.excluded_rows, (std::vector<int>{2, 5, 300}));
  EXPECT_EQ(s.fit.optimum, OptimumMethod::kSmooth);
  EXPECT_EQ(s.fit.band_tolerance, 0.005);
  EXPECT_EQ(s.fit.cell_tolerance, 0.02);
  EXPECT_EQ(s.fit.huber_delta, 0.01);
  EXPECT_EQ(s.fit.bootstrap_samples, 200);
  EXPECT_EQ(s.fit.seed, 300u);
  EXPECT_FALSE(s.fit.extrapolation_check);
  EXPECT_EQ(s.plan.budget_flops, 1e23);
  EXPECT_EQ(s.plan.max_params, 5e9);
  EXPECT_EQ(s.plan.max_tokens, kInf);
  EXPECT_EQ(s.plan.loss_tolerance, 0.002);
  EXPECT_EQ(s.plan.demand.videos, 1e6);
  EXPECT_EQ(s.plan.demand.sampling_steps, 40);
  EXPECT_TRUE(s.plan.demand.guidance);
  EXPECT_EQ(s.plan.demand.tokens_per_video, 2560);
  EXPECT_EQ(s.budget_unit, BudgetUnit::kPfDays);
  EXPECT_EQ(s.gpu_flops_per_second, 3e14);
  EXPECT_EQ(s.compare_preset, "paper");
  EXPECT_EQ(s.open_panel, "cost");
  EXPECT_EQ(s.plan.compute.kind, ComputeKind::kDit);
  EXPECT_EQ(s.plan.compute.tokens_per_sample, 1280);

  // This build writes its own version: version 1's fields byte for byte as above (with the one
  // tokens per sample), then the later versions'. Since version 4 the data is preceded by its
  // form: 0, the text as it is (here with compaction off; the columns this state maps are not in
  // its text anyway, so no table is made).
  EncodeOptions whole;
  whole.compact_data = false;
  const Bytes written = EncodeState(s, whole);
  Bytes v1_fields = HandBuiltVersion1(1280);
  v1_fields[2] = static_cast<uint8_t>(kStateVersion);
  v1_fields.insert(v1_fields.begin() + 3, 0);  // version 4: the data's form, text
  ASSERT_GT(written.size(), v1_fields.size());
  EXPECT_EQ(Bytes(written.begin(), written.begin() + v1_fields.size()), v1_fields);
}

TEST(AnalysisState, EmptyInput) {
  EXPECT_EQ(DecodeState(nullptr, 0).message, "the link is empty");
  const uint8_t byte = 'S';
  EXPECT_EQ(DecodeState(&byte, 0).message, "the link is empty");
  EXPECT_FALSE(DecodeState(&byte, 0).ok);
}

TEST(AnalysisState, BadMagic) {
  Bytes b = EncodeState(AnalysisState());
  b[0] = 'X';
  EXPECT_EQ(Decode(b).message, "not a scalecalc link (bad magic)");
  const std::string json = "{\"format\": \"scalecalc-state\"}";
  EXPECT_EQ(Decode(Bytes(json.begin(), json.end())).message, "not a scalecalc link (bad magic)");
  EXPECT_EQ(Decode(Bytes{'S', 'D', 1}).message, "not a scalecalc link (bad magic)");
}

TEST(AnalysisState, UnknownVersions) {
  Bytes b = EncodeState(AnalysisState());
  const int next = kStateVersion + 1;
  b[2] = static_cast<uint8_t>(next);
  DecodeResult r = Decode(b);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.version, next);
  EXPECT_EQ(r.message, "this link was made by a newer version (" + std::to_string(next) +
                           ") of scalecalc; this page reads versions up to " +
                           std::to_string(kStateVersion));
  b[2] = 255;
  EXPECT_NE(Decode(b).message.find("newer version (255)"), std::string::npos);
  b[2] = 0;
  EXPECT_EQ(Decode(b).message, "not a scalecalc link (version 0)");
}

TEST(AnalysisState, TruncatedAtEveryOffset) {
  const Bytes full = EncodeState(RichState(40));
  ASSERT_TRUE(Decode(full).ok);
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes prefix(full.begin(), full.begin() + n);
    DecodeResult r = Decode(prefix);
    ASSERT_FALSE(r.ok) << n;
    if (n == 0) {
      EXPECT_EQ(r.message, "the link is empty");
    } else {
      // "the link is truncated (ended inside field 'x')" or "(field 'x' declares ...)".
      EXPECT_EQ(r.message.rfind("the link is truncated (", 0), 0u) << n << ": " << r.message;
      EXPECT_NE(r.message.find("field '"), std::string::npos) << n << ": " << r.message;
    }
  }
  // A cut inside the CSV names it.
  const Bytes cut(full.begin(), full.begin() + 20);
  EXPECT_EQ(Decode(cut).message,
            "the link is truncated (field 'csv_text' declares 40 bytes, only 15 remain)");
  // A cut inside the last string of version 1 names it, and so does a cut in the last field.
  const std::string panel = "\x07planner";
  const auto at = std::search(full.begin(), full.end(), panel.begin(), panel.end());
  ASSERT_NE(at, full.end());
  const Bytes in_panel(full.begin(), at + 7);
  EXPECT_EQ(Decode(in_panel).message,
            "the link is truncated (field 'open_panel' declares 7 bytes, only 6 remain)");
  const Bytes last(full.begin(), full.end() - 1);
  // The last field is the schema's last row (rows are appended as settings are added), named
  // without its "reader." or "display." group.
  std::string last_field = Settings().back().json;
  for (const std::string group : {"reader.", "display."}) {
    if (last_field.rfind(group, 0) == 0) last_field = last_field.substr(group.size());
  }
  EXPECT_EQ(Decode(last).message,
            std::string("the link is truncated (ended inside field '") + last_field + "')");
}

TEST(AnalysisState, EverySingleByteCorruptionIsCaughtOrCanonical) {
  const Bytes full = EncodeState(RichState(24));
  int accepted = 0, refused = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    // Every single-bit flip and the extreme values (all 255 values at every byte are slow under
    // the sanitizers; the fuzzer covers the rest).
    std::vector<int> values = {0x00, 0x01, 0x7f, 0x80, 0xff};
    for (int bit = 0; bit < 8; ++bit) values.push_back(full[i] ^ (1 << bit));
    for (int v : values) {
      if (v == full[i]) continue;
      Bytes b = full;
      b[i] = static_cast<uint8_t>(v);
      DecodeResult r = Decode(b);
      if (r.ok) {
        // One state has one encoding: whatever is accepted re-encodes to the same bytes.
        ASSERT_EQ(EncodeState(r.state), b) << "byte " << i << " = " << v;
        ++accepted;
      } else {
        ASSERT_FALSE(r.message.empty()) << "byte " << i << " = " << v;
        ASSERT_LT(r.message.size(), 300u) << r.message;
        ++refused;
      }
    }
  }
  // Both outcomes happen (a changed CSV byte is a valid state; a changed magic is not).
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST(AnalysisState, HugeDeclaredLengthsAreRefusedBeforeAllocating) {
  const uint64_t huge = uint64_t{1} << 60;
  // csv_text claiming 2^60 bytes.
  Hand a;
  a.Raw({'S', 'C', 1}).U(huge);
  EXPECT_EQ(Decode(a.b).message, "csv text too large (1152921504606846976 bytes; limit 16777216)");
  // With no cap, a length that size_t can hold (2^31 also on wasm32) is still refused before it
  // is allocated: only the bytes present can be read.
  DecodeLimits no_caps;
  no_caps.max_csv_bytes = SIZE_MAX;
  no_caps.max_excluded = SIZE_MAX;
  no_caps.max_columns = SIZE_MAX;
  const uint64_t big = uint64_t{1} << 31;
  Hand a2;
  a2.Raw({'S', 'C', 1}).U(big).Raw({'x', 'y'});
  EXPECT_EQ(Decode(a2.b, no_caps).message,
            "the link is truncated (field 'csv_text' declares 2147483648 bytes, only 2 remain)");

  // A count of 2^60 excluded rows (or column overrides).
  Hand prefix;
  prefix.Raw({'S', 'C', 1}).S("x").S("d");
  Hand cols = prefix;
  cols.U(huge);
  EXPECT_EQ(Decode(cols.b).message, "too many column overrides (1152921504606846976; limit 64)");
  Hand cols2 = prefix;
  cols2.U(big);
  EXPECT_EQ(Decode(cols2.b, no_caps).message,
            "the link is truncated (field 'columns' declares 2147483648 items, only 0 bytes "
            "remain)");
  Hand rows = prefix;
  rows.U(0).D(0).U(0).U(0).D(1280).D(64);
  Hand rows2 = rows;
  rows.U(huge);
  EXPECT_EQ(Decode(rows.b).message, "too many excluded rows (1152921504606846976; limit 1000000)");
  rows2.U(big).Z(1).Z(2);
  EXPECT_EQ(Decode(rows2.b, no_caps).message,
            "the link is truncated (field 'excluded_rows' declares 2147483648 items, only 2 bytes "
            "remain)");
}

TEST(AnalysisState, MalformedVarintsAreRefused) {
  // 11 continuation bytes, a 10th byte above 1, and a non-shortest form.
  Hand a;
  a.Raw({'S', 'C', 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  EXPECT_EQ(Decode(a.b).message, "the link is damaged (malformed number in field 'csv_text')");
  Hand b;
  b.Raw({'S', 'C', 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02});
  EXPECT_EQ(Decode(b.b).message, "the link is damaged (malformed number in field 'csv_text')");
  Hand c;
  c.Raw({'S', 'C', 1, 0x80, 0x00});
  EXPECT_EQ(Decode(c.b).message, "the link is damaged (malformed number in field 'csv_text')");
}

TEST(AnalysisState, TrailingBytes) {
  Bytes b = EncodeState(AnalysisState());
  b.push_back(0);
  b.push_back(0);
  EXPECT_EQ(Decode(b).message, "the link is damaged (2 trailing bytes after the state)");
}

TEST(AnalysisState, OutOfRangeValuesAreNamed) {
  auto refused = [](AnalysisState s) {
    std::string error;
    EXPECT_FALSE(ValidateState(s, DecodeLimits(), &error));
    DecodeResult r = Decode(EncodeState(s));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "the link holds an invalid setting: " + error);
    return error;
  };
  AnalysisState s;
  s.excluded_rows = {3, 0};
  EXPECT_EQ(refused(s), "excluded row 0 is not a data row (1 to 10000000)");
  s.excluded_rows = {-5};
  EXPECT_EQ(refused(s), "excluded row -5 is not a data row (1 to 10000000)");
  s = AnalysisState();
  s.open_panel = "settings";
  EXPECT_EQ(refused(s), "unknown panel 'settings'");
  s = AnalysisState();
  s.fit.bootstrap_samples = -1;
  EXPECT_NE(refused(s).find("bootstrap samples"), std::string::npos);
  s = AnalysisState();
  s.plan.budget_flops = -1e22;
  EXPECT_EQ(refused(s), "budget must be a finite positive number (got -1e+22)");
  s = AnalysisState();
  s.plan.max_params = std::nan("");
  EXPECT_NE(refused(s).find("largest model size"), std::string::npos);
  s = AnalysisState();
  s.compute.width_per_depth = 0;
  EXPECT_NE(refused(s).find("compute model width per depth"), std::string::npos);
  s = AnalysisState();
  s.fit.band_tolerance = 2;
  EXPECT_NE(refused(s).find("fit band tolerance"), std::string::npos);
  s = AnalysisState();
  s.data_name = std::string(5000, 'x');
  EXPECT_EQ(Decode(EncodeState(s)).message, "data name too large (5000 bytes; limit 4096)");

  // Enums out of range, written by hand.
  Hand h;
  h.Raw({'S', 'C', 1}).S("").S("").U(1).U(7).S("h");
  EXPECT_EQ(Decode(h.b).message, "the link is damaged (unknown value 7 in field 'columns.role')");
}

TEST(AnalysisState, InputSizeLimit) {
  AnalysisState s;
  s.csv_text = std::string(1000, 'a');
  DecodeLimits small;
  small.max_input_bytes = 500;
  const Bytes b = EncodeState(s);
  EXPECT_EQ(Decode(b, small).message,
            "the link is too large (" + std::to_string(b.size()) + " bytes; limit 500)");
  small.max_input_bytes = 1 << 20;
  small.max_csv_bytes = 999;
  EXPECT_EQ(Decode(b, small).message, "csv text too large (1000 bytes; limit 999)");
}

// ---------------------------------------------------------------------------------------------
// JSON state file.

TEST(AnalysisStateJson, RoundTripIsExact) {
  // Invalid UTF-8 in the CSV goes through base64; valid unicode names stay readable.
  const AnalysisState s = RichState(1 << 20);
  const std::string text = StateToJson(s);
  ASSERT_FALSE(text.empty());
  EXPECT_NE(text.find("\"format\": \"scalecalc-state\""), std::string::npos);
  EXPECT_NE(text.find("données_Ωμέγα_🎬 sweep.csv"), std::string::npos);
  EXPECT_NE(text.find("\"base64\""), std::string::npos);
  DecodeResult r = StateFromJson(text);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.version, kStateVersion);
  ExpectSameState(s, r.state);
}

TEST(AnalysisStateJson, ValidUtf8CsvStaysText) {
  AnalysisState s;
  s.csv_text = "params,tokens,loss\n1.7e7,2e9,0.51234\n\"ü\",\"\\\",\t\r\n";
  const std::string text = StateToJson(s);
  EXPECT_EQ(text.find("base64"), std::string::npos);
  DecodeResult r = StateFromJson(text);
  ASSERT_TRUE(r.ok) << r.message;
  ExpectSameState(s, r.state);
}

TEST(AnalysisStateJson, NonFiniteValuesAreStringsAndSurvive) {
  AnalysisState s = RichState(5);
  s.tokens_per_sample = std::nan("");
  s.plan.max_tokens = -kInf;
  s.plan.budget_flops = -0.0;
  const std::string text = StateToJson(s);
  EXPECT_NE(text.find("\"tokens_per_sample\": \"NaN\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"max_params\": \"Infinity\""), std::string::npos);
  EXPECT_NE(text.find("\"max_tokens\": \"-Infinity\""), std::string::npos);
  DecodeLimits unchecked;
  unchecked.check_values = false;
  DecodeResult r = StateFromJson(text, unchecked);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(std::isnan(r.state.tokens_per_sample));
  EXPECT_EQ(r.state.plan.max_params, kInf);
  EXPECT_EQ(r.state.plan.max_tokens, -kInf);
  EXPECT_EQ(r.state.plan.budget_flops, 0.0);
  EXPECT_TRUE(std::signbit(r.state.plan.budget_flops));
  // Checked (the default): NaN is refused with its name.
  EXPECT_EQ(StateFromJson(text).message,
            "the state file holds an invalid setting: tokens per sample (batch column, format 3) "
            "must be a finite number in [0, 1000000000] (got nan)");
}

TEST(AnalysisStateJson, HandWrittenFileReadsWithDefaults) {
  // Written by hand, not by StateToJson: the names of version 1.
  const char* text = R"({
    "format": "scalecalc-state", "version": 1,
    "csv_text": "params,tokens,loss\n1e6,2e9,0.5\n",
    "data_name": "runs.csv",
    "reader": {"columns": [{"role": "tokens_per_sample", "header": "ctx"}], "bad_rows": "skip"},
    "compute": {"kind": "dit", "width_per_depth": 48},
    "excluded_rows": [4, 2],
    "fit": {"optimum": "band", "seed": 18446744073709551615, "bootstrap_samples": 10},
    "plan": {"budget_flops": 1e21, "max_params": "Infinity", "demand": {"guidance": false}},
    "display": {"budget_unit": "pf_days", "gpu_flops_per_second": 5e14},
    "open_panel": "plots"
  })";
  DecodeResult r = StateFromJson(text);
  ASSERT_TRUE(r.ok) << r.message;
  const AnalysisState& s = r.state;
  const AnalysisState d;
  EXPECT_EQ(s.csv_text, "params,tokens,loss\n1e6,2e9,0.5\n");
  EXPECT_EQ(s.data_name, "runs.csv");
  ASSERT_EQ(s.columns.size(), 1u);
  EXPECT_EQ(s.columns[0].first, Role::kTokensPerSample);
  EXPECT_EQ(s.columns[0].second, "ctx");
  EXPECT_EQ(s.bad_rows, BadRowPolicy::kSkip);
  EXPECT_EQ(s.compute.kind, ComputeKind::kDit);
  EXPECT_EQ(s.compute.width_per_depth, 48);
  EXPECT_EQ(s.compute.tokens_per_sample, d.compute.tokens_per_sample);
  EXPECT_EQ(s.excluded_rows, (std::vector<int>{4, 2}));
  EXPECT_EQ(s.fit.optimum, OptimumMethod::kBand);
  EXPECT_EQ(s.fit.seed, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(s.fit.bootstrap_samples, 10);
  EXPECT_EQ(s.fit.band_tolerance, d.fit.band_tolerance);
  EXPECT_EQ(s.plan.budget_flops, 1e21);
  EXPECT_EQ(s.plan.max_params, kInf);
  EXPECT_FALSE(s.plan.demand.guidance);
  EXPECT_EQ(s.budget_unit, BudgetUnit::kPfDays);
  EXPECT_EQ(s.gpu_flops_per_second, 5e14);
  EXPECT_EQ(s.compare_preset, "");
  EXPECT_EQ(s.open_panel, "plots");
  EXPECT_EQ(s.plan.compute.width_per_depth, 48);
}

TEST(AnalysisStateJson, MalformedAndForeignFiles) {
  auto message = [](const std::string& text) {
    DecodeResult r = StateFromJson(text);
    EXPECT_FALSE(r.ok) << text;
    return r.message;
  };
  EXPECT_EQ(message(""), "the state file is empty");
  EXPECT_EQ(message(" \n\t"), "the state file is empty");
  EXPECT_EQ(message("{"), "not a scalecalc state file (invalid JSON near byte 2)");
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\", \"version\": 1,}")
                .rfind("not a scalecalc state file (invalid JSON near byte", 0),
            0u);
  EXPECT_EQ(message("\xff\xfe{}").rfind("not a scalecalc state file (invalid JSON", 0), 0u);
  EXPECT_EQ(message("null"), "not a scalecalc state file (no \"format\": \"scalecalc-state\")");
  EXPECT_EQ(message("[1, 2]"), "not a scalecalc state file (no \"format\": \"scalecalc-state\")");
  EXPECT_EQ(message("{\"format\": \"other\", \"version\": 1}"),
            "not a scalecalc state file (no \"format\": \"scalecalc-state\")");
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\"}"),
            "the state file has no integer \"version\"");
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\", \"version\": \"1\"}"),
            "the state file has no integer \"version\"");
  const std::string next = std::to_string(kStateVersion + 1);
  EXPECT_EQ(
      message("{\"format\": \"scalecalc-state\", \"version\": " + next + ", \"csv_text\": \"\"}"),
      "this state file was made by a newer version (" + next +
          ") of scalecalc; this page reads versions up to " + std::to_string(kStateVersion));
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\", \"version\": 0, \"csv_text\": \"\"}"),
            "the state file has an unknown version (0)");
  EXPECT_NE(message("{\"format\": \"scalecalc-state\", \"version\": 18446744073709551615}")
                .find("newer version"),
            std::string::npos);
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\", \"version\": 1}"),
            "the state file has no \"csv_text\"");
  EXPECT_EQ(message("{\"format\": \"scalecalc-state\", \"version\": 1, \"csv_text\": 5}"),
            "state file field 'csv_text' must be a string (got integer)");
}

TEST(AnalysisStateJson, WrongTypesAndValuesNameTheirField) {
  auto message = [](const std::string& fields) {
    const std::string text =
        "{\"format\": \"scalecalc-state\", \"version\": 1, \"csv_text\": \"a\", " + fields + "}";
    DecodeResult r = StateFromJson(text);
    EXPECT_FALSE(r.ok) << text;
    return r.message;
  };
  EXPECT_EQ(message("\"fit\": {\"seed\": \"x\"}"),
            "state file field 'fit.seed' must be an integer >= 0 (got string)");
  EXPECT_EQ(message("\"fit\": {\"seed\": -1}"),
            "state file field 'fit.seed' must be an integer >= 0 (got integer)");
  EXPECT_EQ(message("\"fit\": {\"bootstrap_samples\": 1.5}"),
            "state file field 'fit.bootstrap_samples' must be an integer (got number)");
  EXPECT_EQ(message("\"fit\": {\"bootstrap_samples\": 3000000000}"),
            "state file field 'fit.bootstrap_samples' is out of range");
  EXPECT_EQ(message("\"fit\": {\"optimum\": \"best\"}"),
            "state file field 'fit.optimum' has unknown value 'best' (expected one of argmin, "
            "band, smooth)");
  EXPECT_EQ(message("\"fit\": 3"), "state file field 'fit' must be an object (got integer)");
  EXPECT_EQ(message("\"fit\": {\"extrapolation_check\": 1}"),
            "state file field 'fit.extrapolation_check' must be true or false (got integer)");
  EXPECT_EQ(message("\"plan\": {\"budget_flops\": \"lots\"}"),
            "state file field 'plan.budget_flops' must be a number (or \"NaN\", \"Infinity\", "
            "\"-Infinity\") (got string)");
  EXPECT_EQ(message("\"plan\": {\"budget_flops\": null}"),
            "state file field 'plan.budget_flops' must be a number (or \"NaN\", \"Infinity\", "
            "\"-Infinity\") (got null)");
  EXPECT_EQ(message("\"plan\": {\"budget_flops\": \"NaN\"}"),
            "the state file holds an invalid setting: budget must be a finite positive number "
            "(got nan)");
  EXPECT_EQ(message("\"plan\": {\"budget_flops\": 1e400}"),
            "the state file holds a number too large for a double");
  EXPECT_EQ(message("\"plan\": {\"demand\": {\"guidance\": true, \"steps\": 3}}"),
            "state file has unknown field 'plan.demand.steps'");
  EXPECT_EQ(message("\"colour\": \"red\""), "state file has unknown field 'colour'");
  EXPECT_EQ(message("\"excluded_rows\": [1, \"2\"]"),
            "state file field 'excluded_rows[]' must be an integer (got string)");
  EXPECT_EQ(message("\"excluded_rows\": [1, 0]"),
            "the state file holds an invalid setting: excluded row 0 is not a data row (1 to "
            "10000000)");
  EXPECT_EQ(message("\"excluded_rows\": {}"),
            "state file field 'excluded_rows' must be an array (got object)");
  EXPECT_EQ(message("\"reader\": {\"columns\": [{\"role\": \"size\", \"header\": \"N\"}]}"),
            "state file field 'reader.columns[].role' has unknown value 'size' (expected one of "
            "params, tokens, flops, lr, batch, loss, tokens_per_sample)");
  EXPECT_EQ(message("\"reader\": {\"columns\": [{\"role\": \"lr\"}]}"),
            "each of reader.columns needs a \"role\" and a \"header\"");
  EXPECT_EQ(message("\"data_name\": {\"base64\": \"not base64!\"}"),
            "state file field 'data_name' holds invalid base64");
  EXPECT_EQ(message("\"data_name\": {\"base64\": \"QQ==\", \"x\": 1}"),
            "state file field 'data_name' must be a string (got object)");
  EXPECT_EQ(message("\"open_panel\": \"\""),
            "the state file holds an invalid setting: unknown "
            "panel ''");
  EXPECT_EQ(message("\"data_name\": \"" + std::string(5000, 'n') + "\""),
            "data name too large (5000 bytes; limit 4096)");
}

TEST(AnalysisStateJson, HostileShapesAreRefusedBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(StateFromJson(deep).message, "the state file is nested too deeply");
  DecodeLimits small;
  small.max_excluded = 10;
  std::string wide =
      "{\"format\": \"scalecalc-state\", \"version\": 1, \"csv_text\": \"\", "
      "\"excluded_rows\": [";
  for (int i = 1; i <= 5000; ++i) wide += std::to_string(i) + ",";
  wide += "1]}";
  EXPECT_EQ(StateFromJson(wide, small).message,
            "the state file holds too many values (limit 1010)");
  // Commas inside strings are text, not values.
  std::string commas = "{\"format\": \"scalecalc-state\", \"version\": 1, \"csv_text\": \"" +
                       std::string(5000, ',') + "\"}";
  EXPECT_TRUE(StateFromJson(commas, small).ok);
  DecodeLimits unlimited;
  unlimited.max_excluded = SIZE_MAX;
  EXPECT_TRUE(StateFromJson(wide, unlimited).ok);
  small.max_input_bytes = 100;
  EXPECT_EQ(StateFromJson(commas, small).message.rfind("the state file is too large (", 0), 0u);
}

TEST(AnalysisStateJson, TruncatedAtManyOffsets) {
  AnalysisState s = RichState(30);
  const std::string text = StateToJson(s);
  // Up to the closing brace: without only the final newline the file is complete.
  ASSERT_EQ(text.substr(text.size() - 2), "}\n");
  for (size_t n = 0; n < text.size() - 1; n += 3) {
    DecodeResult r = StateFromJson(std::string_view(text).substr(0, n));
    EXPECT_FALSE(r.ok) << n;
    EXPECT_FALSE(r.message.empty());
  }
}

TEST(AnalysisState, BudgetUnitNames) {
  for (BudgetUnit u : {BudgetUnit::kFlops, BudgetUnit::kPfDays, BudgetUnit::kGpuHours}) {
    BudgetUnit back = BudgetUnit::kFlops;
    ASSERT_TRUE(FromString(ToString(u), &back));
    EXPECT_EQ(back, u);
  }
  BudgetUnit unit;
  EXPECT_FALSE(FromString("hours", &unit));
  EXPECT_STREQ(ToString(BudgetUnit::kPfDays), "pf_days");
  EXPECT_TRUE(IsKnownPanel("cost"));
  EXPECT_FALSE(IsKnownPanel("Cost"));
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ModelKind GuessFor(const std::string& csv, ComputeKind compute_kind = ComputeKind::kSixN) {
  ComputeModel compute;
  compute.kind = compute_kind;
  return GuessModelKind(compute, ReadRuns(csv));
}

TEST(ModelKind, GuessFollowsTheComputeModelAndTheColumns) {
  const std::string plain = "params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n";
  EXPECT_EQ(GuessFor(plain), ModelKind::kLanguage);
  EXPECT_EQ(GuessFor(plain, ComputeKind::kDit), ModelKind::kVideo);  // the DiT count
  // A header word that names video, in any case and punctuation; not a word inside another.
  EXPECT_EQ(GuessFor("params,tokens,Frames,loss\n1e8,2e9,33,3.1\n"), ModelKind::kVideo);
  EXPECT_EQ(GuessFor("params,tokens,loss,bs (clips)\n1e8,2e9,3.1,64\n"), ModelKind::kVideo);
  EXPECT_EQ(GuessFor("params,tokens,loss,condition,cliprate\n1e8,2e9,3.1,a,1\n"),
            ModelKind::kLanguage);
  // A tokens-per-sample column: 1280 latent tokens per clip (5 x 16 x 16) is a video's; 2048 (a
  // power of two) a language model's context.
  EXPECT_EQ(GuessFor("params,tokens,batch_size,tokens_per_sample,loss\n1e8,2e9,16,1280,3.1\n"),
            ModelKind::kVideo);
  EXPECT_EQ(GuessFor("params,tokens,batch_size,seq_len,loss\n1e8,2e9,16,2048,3.1\n"
                     "2e8,4e9,16,4096,2.9\n"),
            ModelKind::kLanguage);
  EXPECT_EQ(GuessFor("params,tokens,batch_size,seq_len,loss\n1e8,2e9,16,2048,3.1\n"
                     "2e8,4e9,16,3000,2.9\n"),
            ModelKind::kVideo);
  // No data at all: the compute model alone.
  EXPECT_EQ(GuessFor(""), ModelKind::kLanguage);
}

TEST(ModelKind, GuessOnTheBuiltInAndPublicFiles) {
  const std::string assets = SCALECALC_ASSETS_DIR, external = SCALECALC_EXTERNAL_DATA_DIR;
  EXPECT_EQ(GuessFor(ReadWhole(assets + "/example_sweep.csv")), ModelKind::kVideo);
  for (const char* name : {"chinchilla_epoch_svg_extracted.csv", "steplaw_dense_lr_bs_loss.csv",
                           "isoflops_multi_source.csv"}) {
    const std::string text = ReadWhole(external + "/" + name);
    if (text.empty()) GTEST_SKIP() << "no " << external << "/" << name;
    EXPECT_EQ(GuessFor(text), ModelKind::kLanguage) << name;
  }
}

TEST(ModelKind, TheStateChoiceWinsOverTheGuess) {
  AnalysisState state;  // the default, and every older link's: guess
  EXPECT_EQ(state.model_kind, ModelKind::kGuess);
  const ReadResult video = ReadRuns("params,tokens,frames,loss\n1e8,2e9,33,3.1\n");
  EXPECT_EQ(ShownModelKind(state, video), ModelKind::kVideo);
  state.model_kind = ModelKind::kLanguage;
  EXPECT_EQ(ShownModelKind(state, video), ModelKind::kLanguage);
  state.model_kind = ModelKind::kVideo;
  EXPECT_EQ(ShownModelKind(state, ReadRuns("params,tokens,loss\n1e8,2e9,3.1\n")),
            ModelKind::kVideo);
}

TEST(ModelKind, ALanguageModelServesOneForwardPassPerSequence) {
  AnalysisState state;
  state.compute.tokens_per_sample = 4096;
  state.plan.demand.sampling_steps = 30;
  state.plan.demand.text_tokens = 77;
  const ServingDemand video = ServingDemandOf(state, ModelKind::kVideo);
  EXPECT_EQ(video.sampling_steps, 30);
  EXPECT_EQ(video.tokens_per_video, state.plan.demand.tokens_per_video);
  EXPECT_TRUE(video.guidance);
  const ServingDemand text = ServingDemandOf(state, ModelKind::kLanguage);
  EXPECT_EQ(text.tokens_per_video, 4096);
  EXPECT_EQ(text.sampling_steps, 1);
  EXPECT_FALSE(text.guidance);
  EXPECT_FALSE(text.cross_attention);
  EXPECT_EQ(text.text_tokens, 0);
  std::string error;
  EXPECT_TRUE(text.IsValid(&error)) << error;
}

}  // namespace
}  // namespace scalecalc

// The data of a version-4 link (state_table.h): what the receiver reads is what the sender read,
// runs bit for bit, exclusions, groups and messages; damaged tables are refused with a reason.
// The oracle is the reader applied to the sender's own text, never the codec's output.
#include "core/state_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/analysis_state.h"
#include "core/csv_reader.h"
#include "core/groups.h"

namespace scalecalc {
namespace {

using Bytes = std::vector<uint8_t>;

std::string External(const std::string& name) {
  const char* env = std::getenv("SCALECALC_EXTERNAL_DATA_DIR");
  std::ifstream in(
      std::string(env != nullptr && *env != '\0' ? env : SCALECALC_EXTERNAL_DATA_DIR) + "/" + name,
      std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The byte after "SC" and the version: the data field's form (0 text, 1 table).
int DataForm(const Bytes& bytes) {
  return bytes.size() > 3 ? bytes[3] : -1;
}

DecodeResult RoundTrip(const AnalysisState& s, Bytes* bytes = nullptr) {
  const Bytes b = EncodeState(s);
  if (bytes != nullptr) *bytes = b;
  return DecodeState(b.data(), b.size());
}

// The receiver's reading of its text equals the sender's reading of the original.
void ExpectSameReading(const AnalysisState& sent, const AnalysisState& got) {
  const ReadResult a = ReadRuns(sent.csv_text, sent.MakeReadOptions());
  const ReadResult b = ReadRuns(got.csv_text, got.MakeReadOptions());
  ASSERT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.headers, b.headers);
  EXPECT_EQ(a.mapping, b.mapping);
  ASSERT_EQ(a.table.runs.size(), b.table.runs.size());
  for (size_t i = 0; i < a.table.runs.size(); ++i) {
    const Run& x = a.table.runs[i];
    const Run& y = b.table.runs[i];
    EXPECT_TRUE(SameBits(x.params, y.params) && SameBits(x.tokens, y.tokens) &&
                SameBits(x.flops, y.flops) && SameBits(x.lr, y.lr) &&
                SameBits(x.batch_tokens, y.batch_tokens) && SameBits(x.loss, y.loss))
        << "run " << i;
    EXPECT_EQ(x.data_row, y.data_row);
    EXPECT_EQ(x.line, y.line);
    EXPECT_EQ(x.excluded, y.excluded);
    EXPECT_EQ(x.flagged, y.flagged);
  }
  ASSERT_EQ(a.warnings.size(), b.warnings.size());
  for (size_t i = 0; i < a.warnings.size(); ++i) {
    EXPECT_EQ(a.warnings[i].ToString(), b.warnings[i].ToString());
  }
  ASSERT_EQ(a.errors.size(), b.errors.size());
  for (size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].ToString(), b.errors[i].ToString());
  }
  EXPECT_EQ(sent.excluded_rows, got.excluded_rows);
  const GroupSplit ga = SplitByColumn(a.table, sent.group_column);
  const GroupSplit gb = SplitByColumn(b.table, got.group_column);
  EXPECT_EQ(ga.ok, gb.ok);
  EXPECT_EQ(ga.message, gb.message);
  ASSERT_EQ(ga.groups.size(), gb.groups.size());
  for (size_t g = 0; g < ga.groups.size(); ++g) {
    EXPECT_EQ(ga.groups[g].name, gb.groups[g].name);
    EXPECT_EQ(ga.groups[g].table.runs.size(), gb.groups[g].table.runs.size());
  }
}

struct PublicCase {
  const char* file;
  double tokens_per_sample;
  const char* group;
  size_t max_state_bytes;  // well under the text: the values of unused columns are gone
};

TEST(StateTable, PublicFilesTravelAsTablesAndReadTheSame) {
  const PublicCase cases[] = {
      {"steplaw_dense_lr_bs_loss.csv", 2048, "", 20000},
      {"isoflops_multi_source.csv", 0, "experiment", 30000},
      {"chinchilla_epoch_svg_extracted.csv", 0, "", 8000},
  };
  for (const PublicCase& c : cases) {
    SCOPED_TRACE(c.file);
    AnalysisState s;
    s.csv_text = External(c.file);
    ASSERT_GT(s.csv_text.size(), 1000u) << "public data not found";
    s.data_name = c.file;
    s.tokens_per_sample = c.tokens_per_sample;
    s.group_column = c.group;
    s.excluded_rows = {5, 2, 40};
    Bytes bytes;
    const DecodeResult r = RoundTrip(s, &bytes);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.version, 4);
    EXPECT_EQ(DataForm(bytes), 1);
    EXPECT_LT(bytes.size(), c.max_state_bytes);
    ExpectSameReading(s, r.state);
    // The receiver's text re-encodes to the same link (a copy of a copy is the same link).
    EXPECT_EQ(EncodeState(r.state), bytes);
  }
}

TEST(StateTable, UnusedColumnsKeepTheirNamesButNotTheirValues) {
  AnalysisState s;
  s.csv_text =
      "x,color,Model Size,Training FLOP,loss,family\n"
      "154.03592,#faebdd,6795600349.289497,9.993852799709755e+18,5.005581996196243,a\n"
      "151.6,#f8d1b8,2979521172.1967993,9.227541223049181e+18,4.665232074214,b\n";
  s.group_column = "FAMILY";  // groups match the header up to case
  const DecodeResult r = RoundTrip(s);
  ASSERT_TRUE(r.ok) << r.message;
  ExpectSameReading(s, r.state);
  const ReadResult read = ReadRuns(r.state.csv_text, r.state.MakeReadOptions());
  ASSERT_TRUE(read.ok);
  EXPECT_EQ(read.headers, (std::vector<std::string>{"x", "color", "Model Size", "Training FLOP",
                                                    "loss", "family"}));
  const TextColumn* color = read.table.FindColumn("color");
  ASSERT_NE(color, nullptr);
  EXPECT_EQ(color->values, (std::vector<std::string>{"", ""}));
  const TextColumn* family = read.table.FindColumn("family");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.state.csv_text.find("faebdd"), std::string::npos);
  EXPECT_EQ(r.state.csv_text.find("154.03592"), std::string::npos);
}

TEST(StateTable, LinesRowsAndMessagesKeepTheirNumbers) {
  // Comments, blank lines, a byte order mark, CRLF, semicolons, quoted fields, a row of
  // separators, a bad row (skipped with a warning), a wrong field count, flags and exclusions.
  AnalysisState s;
  s.csv_text =
      "\xEF\xBB\xBF# sweep of 3 June\r\n"
      "\r\n"
      "name;params;tokens;loss;\"lr; peak\";outlier\r\n"
      "\"a;1\";1e8;2e9;3.1;1e-3;false\r\n"
      "// a comment between rows\r\n"
      "b;2e8;4e9;abc;2e-3;no\r\n"
      ";;;;;\r\n"
      "c;3.5e8;8.25e9;2.9;3e-3;TRUE\r\n"
      "d;4e8\r\n"
      "\"#e\";5.1e8;1.07B;2.7;250M;0\r\n"
      "f;-6e8;2e10;2.5;1e-3;\r\n"
      "g;7e8;3e10;2.4;5e-4;1";
  s.bad_rows = BadRowPolicy::kSkip;
  s.excluded_rows = {4, 1};
  s.columns = {{Role::kLr, "lr; peak"}};
  Bytes bytes;
  const DecodeResult r = RoundTrip(s, &bytes);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(DataForm(bytes), 1);
  ExpectSameReading(s, r.state);
  const ReadResult read = ReadRuns(s.csv_text, s.MakeReadOptions());
  ASSERT_TRUE(read.ok);
  EXPECT_EQ(read.table.runs.size(), 4u);  // a, c, #e, g
  EXPECT_GE(read.warnings.size(), 3u);    // abc, the short row, the negative params
}

TEST(StateTable, EveryNumberComesBackBitForBit) {
  // Suffixes, exponents, 17 digits, subnormals, the largest double, leading and trailing zeros.
  const char* values[] = {"1.07B",
                          "250M",
                          "3k",
                          "1.5T",
                          "0.1",
                          ".5",
                          "5.",
                          "0.30000000000000004",
                          "4.9e-324",
                          "2.2250738585072009e-308",
                          "000123.4500",
                          "6795600349.289497",
                          "1e+22",
                          "9007199254740993",
                          "123456789012345678901234567890"};
  AnalysisState s;
  s.csv_text = "params,tokens,loss\n";
  int row = 0;
  for (const char* params : values) {
    for (const char* loss : {"2.413517", "5.005581996196243", "1e-300", "1.7976931348623157e308"}) {
      s.csv_text += std::string(params) + "," + std::to_string(1000 + row++) + "e9," + loss + "\n";
    }
  }
  Bytes bytes;
  const DecodeResult r = RoundTrip(s, &bytes);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(DataForm(bytes), 1);
  ExpectSameReading(s, r.state);
}

TEST(StateTable, EachColumnEncodingRoundTrips) {
  // One column per encoding the codec has: a dictionary (few values), decimals (short), doubles
  // (17 digits), text (a blank cell), each forced by turning the others off.
  AnalysisState s;
  s.csv_text = "params,tokens,loss,lr\n";
  for (int i = 0; i < 40; ++i) {
    s.csv_text += std::to_string(1 + i % 3) + "e8," + std::to_string(2000 + 37 * i) + "e6," +
                  std::to_string(1.0 / (3 + i)) + "," + (i == 7 ? "" : "0.001") + "\n";
  }
  for (int variant = 0; variant < 4; ++variant) {
    EncodeOptions options;
    options.table.dictionaries = variant != 1;
    options.table.decimals = variant != 2;
    options.table.doubles = variant != 3;
    options.table.drop_unused = variant != 0;
    const Bytes bytes = EncodeState(s, options);
    EXPECT_EQ(DataForm(bytes), 1);
    const DecodeResult r = DecodeState(bytes.data(), bytes.size());
    ASSERT_TRUE(r.ok) << r.message;
    ExpectSameReading(s, r.state);
  }
}

TEST(StateTable, TextTravelsAsItIsWhenATableWouldNotReadTheSame) {
  // Unreadable text: the receiver must see the same errors, from the same text.
  for (const char* text : {"", "no,roles,here\n1,2,3\n", "params,tokens,loss\n1e8,2e9,nan\n",
                           "\xFF\xFEp\0a\0", "params,tokens,loss\n"}) {
    AnalysisState s;
    s.csv_text = text;
    Bytes bytes;
    const DecodeResult r = RoundTrip(s, &bytes);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(DataForm(bytes), 0) << text;
    EXPECT_EQ(r.state.csv_text, s.csv_text);
  }
  // Two runs that differ only in a column nobody uses are no duplicates; without that column's
  // values they would be. The text travels whole.
  AnalysisState s;
  s.csv_text = "params,tokens,loss,note\n1e8,2e9,3,first\n1e8,2e9,3,second\n2e8,2e9,2.5,x\n";
  Bytes bytes;
  const DecodeResult r = RoundTrip(s, &bytes);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(DataForm(bytes), 0);
  EXPECT_EQ(r.state.csv_text, s.csv_text);
  // The same file with compaction off (state files, or EncodeOptions) keeps every byte.
  AnalysisState steplaw;
  steplaw.csv_text = External("steplaw_dense_lr_bs_loss.csv");
  steplaw.tokens_per_sample = 2048;
  EncodeOptions whole;
  whole.compact_data = false;
  const Bytes full = EncodeState(steplaw, whole);
  const DecodeResult back = DecodeState(full.data(), full.size());
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.state.csv_text, steplaw.csv_text);
  const DecodeResult file = StateFromJson(StateToJson(steplaw));
  ASSERT_TRUE(file.ok) << file.message;
  EXPECT_EQ(file.state.csv_text, steplaw.csv_text);
}

// ---------------------------------------------------------------------------------------------
// The layout, written by hand: if this breaks, version-4 links broke.

struct Hand {
  std::string b;
  Hand& U(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if (v) byte |= 0x80;
      b.push_back(static_cast<char>(byte));
    } while (v);
    return *this;
  }
  Hand& S(const std::string& s) {
    U(s.size());
    b += s;
    return *this;
  }
  Hand& Raw(std::initializer_list<uint8_t> bytes) {
    for (uint8_t x : bytes) b.push_back(static_cast<char>(x));
    return *this;
  }
};

TEST(StateTable, HandBuiltTableExpands) {
  Hand h;
  h.U(5).U(';').U(5);        // 5 lines, ';', 5 columns
  h.Raw({0, 1, 2, 0, 2});    // empty, kept (header), row, empty, row
  h.S("p;t;loss;note;grp");  // the header as written
  h.U(3).U(2).U(2);          // p: decimal, exponent +1 (zigzag 2), width 2
  h.Raw({0x00, 0x10});       //    planes, high bytes first: values 1 (0x0001), 4112 (0x1010)
  h.Raw({0x01, 0x10});
  h.U(4);                                                   // t: doubles, big-endian
  h.Raw({0x41, 0xdd, 0xcd, 0x65, 0, 0, 0, 0});              // 2e9
  h.Raw({0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // largest double
  h.U(1).S("3.5").S("x;\"y\"");                             // loss: text (quoted on the way out)
  h.U(0);                                                   // note: dropped
  h.U(2).U(1).S("#a").U(1).Raw({0, 0});                     // grp: dictionary of one entry, width 1
  std::string text, error;
  ASSERT_TRUE(ExpandCsv(h.b, 1 << 20, &text, &error)) << error;
  EXPECT_EQ(text,
            "\n"
            "p;t;loss;note;grp\n"
            "1e1;2000000000;3.5;;\"#a\"\n"
            "\n"
            "4112e1;1.7976931348623157e+308;\"x;\"\"y\"\"\";;\"#a\"\n");
}

TEST(StateTable, DamagedTablesAreRefusedWithAReason) {
  const auto refuse = [](const std::string& payload, size_t max_bytes = 1 << 20) {
    std::string text, error;
    EXPECT_FALSE(ExpandCsv(payload, max_bytes, &text, &error));
    EXPECT_FALSE(error.empty());
    return error;
  };
  EXPECT_EQ(refuse(""), "its line count is damaged");
  EXPECT_EQ(refuse(Hand().U(1).U('|').b), "its separator is damaged");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(0).b), "its column count is damaged");
  EXPECT_EQ(refuse(Hand().U(2).U(',').U(1).Raw({1}).b), "its line kinds are truncated");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({7}).b), "a line kind is unknown");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(9).b), "a column kind is unknown");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(2).U(1).S("a").U(1).Raw({3}).b),
            "a dictionary index is out of range");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(2).U(1).S("a").U(4).Raw({0}).b),
            "a dictionary's indexes are damaged");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(4).Raw({1, 2, 3}).b),
            "a number column is truncated");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(3).U(2000).U(1).Raw({1}).b),
            "a decimal column is damaged");
  EXPECT_EQ(refuse(Hand().U(1).U(',').U(1).Raw({2}).U(1).S("a").Raw({0}).b),
            "it has trailing bytes");
  // Declared sizes past what the input holds or the text may grow to, before allocating.
  EXPECT_EQ(refuse(Hand().U(uint64_t{1} << 40).U(',').U(1).b), "its line count is damaged");
  EXPECT_EQ(refuse(Hand().U(2).U(',').U(uint64_t{1} << 40).Raw({2, 2}).b),
            "its column count is damaged");
  EXPECT_EQ(refuse(Hand().U(2).U(',').U(600).Raw({2, 2}).b, 1000), "it expands too far");
  // A dictionary entry repeated past the limit: refused while writing, not after.
  Hand bomb;
  bomb.U(2000).U(',').U(1);
  for (int i = 0; i < 2000; ++i) bomb.Raw({2});
  bomb.U(2).U(1).S(std::string(1000, 'x')).U(1);
  for (int i = 0; i < 2000; ++i) bomb.Raw({0});
  EXPECT_EQ(refuse(bomb.b, 100000), "it expands too far");
}

TEST(StateTable, TruncatedOrCorruptedLinksNeverOpenWrongly) {
  AnalysisState s;
  s.csv_text = External("chinchilla_epoch_svg_extracted.csv");
  const Bytes bytes = EncodeState(s);
  ASSERT_EQ(DataForm(bytes), 1);
  // Every truncation is refused with a message.
  for (size_t n = 0; n < bytes.size(); n += 7) {
    const DecodeResult r = DecodeState(bytes.data(), n);
    EXPECT_FALSE(r.ok) << n;
    EXPECT_FALSE(r.message.empty());
  }
  // A changed byte either is refused or opens to a state whose text reads (or fails) cleanly.
  for (size_t i = 3; i < bytes.size(); i += 13) {
    Bytes damaged = bytes;
    damaged[i] ^= 0x5a;
    const DecodeResult r = DecodeState(damaged.data(), damaged.size());
    if (!r.ok) {
      EXPECT_FALSE(r.message.empty());
    } else {
      ReadRuns(r.state.csv_text, r.state.MakeReadOptions());
    }
  }
  const DecodeResult r = DecodeState(bytes.data(), 8);
  EXPECT_EQ(r.message.substr(0, 22), "the link is truncated ");
}

TEST(StateTable, ALinkFollowsEveryChangeOfTheDataAndHowItReads) {
  // The encoder keeps its last table while the text and the reading settings stay the same.
  AnalysisState s;
  s.csv_text = "params,tokens,loss,note\n1e8,2e9,3.1,a\n2e8,4e9,2.9,b\n4e8,8e9,2.7,a\n";
  const auto receive = [&]() {
    const Bytes bytes = EncodeState(s);
    EXPECT_EQ(DataForm(bytes), 1);
    const DecodeResult r = DecodeState(bytes.data(), bytes.size());
    EXPECT_TRUE(r.ok) << r.message;
    ExpectSameReading(s, r.state);
    return r.state.csv_text;
  };
  EXPECT_EQ(receive().find(",a"), std::string::npos);  // no group: the note column is dropped
  s.plan.budget_flops = 3e21;                          // not a reading setting
  EXPECT_EQ(receive().find(",a"), std::string::npos);
  s.group_column = "note";
  EXPECT_NE(receive().find(",a"), std::string::npos);
  s.csv_text.replace(s.csv_text.find("3.1"), 3, "3.3");
  receive();  // the receiver reads 3.3 as the sender does (a stale table would say 3.1)
  s.columns = {{Role::kLoss, "params"}, {Role::kParams, "loss"}};  // swapped on purpose
  receive();
  s.tokens_per_sample = 7;
  receive();
}

TEST(StateTable, ReaderListsTheColumnsItUses) {
  const ReadResult read =
      ReadRuns("note,params,outlier,tokens,loss,lr,extra\nx,1e8,0,2e9,3,1e-3,y\n", ReadOptions());
  ASSERT_TRUE(read.ok);
  EXPECT_EQ(read.used_columns, (std::vector<int>{1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace scalecalc

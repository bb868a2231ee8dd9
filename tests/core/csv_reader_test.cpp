#include "core/csv_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/csv_fields.h"

namespace scalecalc {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- Helpers ------------------------------------------------------------------------------------

// The public data sets. SCALECALC_EXTERNAL_DATA_DIR points beside the repository; a checkout kept
// elsewhere (a git worktree) names the folder in the environment variable of the same name.
std::string ExternalPath(const std::string& name) {
  const char* env = std::getenv("SCALECALC_EXTERNAL_DATA_DIR");
  return std::string(env != nullptr && *env != '\0' ? env : SCALECALC_EXTERNAL_DATA_DIR) + "/" +
         name;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string AllProblems(const ReadResult& r) {
  std::string out;
  for (const InputProblem& p : r.errors) out += "error " + p.ToString() + "\n";
  for (const InputProblem& p : r.warnings) out += "warning " + p.ToString() + "\n";
  return out;
}

std::string AllNotes(const ReadResult& r) {
  std::string out;
  for (const std::string& n : r.notes) out += n + "\n";
  return out;
}

// The one error of a rejected text, checked for place and wording.
void ExpectOneError(const std::string& text, int line, int column, const std::string& words,
                    const ReadOptions& options = {}) {
  SCOPED_TRACE(text);
  const ReadResult r = ReadRuns(text, options);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.table.runs.empty());
  ASSERT_EQ(r.errors.size(), 1u) << AllProblems(r);
  EXPECT_EQ(r.errors[0].line, line) << r.errors[0].ToString();
  EXPECT_EQ(r.errors[0].column, column) << r.errors[0].ToString();
  EXPECT_PRED2(Contains, r.errors[0].message, (words));
}

int MappedColumn(const ReadResult& r, Role role) {
  for (const auto& [mapped, column] : r.mapping) {
    if (mapped == role) return column;
  }
  return -1;
}

bool HasWarning(const ReadResult& r, const std::string& words) {
  for (const InputProblem& p : r.warnings) {
    if (p.message.find(words) != std::string::npos) return true;
  }
  return false;
}

// --- Role names ---------------------------------------------------------------------------------

TEST(CsvRole, ToStringAndFromStringAreInverse) {
  for (Role role : {Role::kParams, Role::kTokens, Role::kFlops, Role::kLr, Role::kBatch,
                    Role::kLoss, Role::kTokensPerSample}) {
    Role back = Role::kParams;
    ASSERT_TRUE(FromString(ToString(role), &back)) << ToString(role);
    EXPECT_EQ(back, role);
  }
  EXPECT_STREQ(ToString(Role::kParams), "params");
  EXPECT_STREQ(ToString(Role::kTokensPerSample), "tokens_per_sample");
  Role role = Role::kLoss;
  EXPECT_FALSE(FromString("parameters", &role));
  EXPECT_FALSE(FromString("", &role));
  EXPECT_EQ(role, Role::kLoss);
}

// --- ParseNumber --------------------------------------------------------------------------------

TEST(ParseNumber, AcceptsTheWaysPeopleWriteNumbers) {
  // Each text and the double literal it must give exactly (correct rounding: "1.07B" must be the
  // same double as 1.07e9, not 1.07 * 1e9).
  const std::pair<const char*, double> cases[] = {
      {"1.07e9", 1.07e9},
      {"1070000000", 1070000000.0},
      {"1.07B", 1.07e9},
      {"1.07b", 1.07e9},
      {"1.07 B", 1.07e9},
      {"250M", 250e6},
      {"3k", 3e3},
      {"3K", 3e3},
      {"1.5T", 1.5e12},
      {"2G", 2e9},
      {" 42 ", 42.0},
      {"\t7\t", 7.0},
      {"+5", 5.0},
      {"-5", -5.0},
      {".5", 0.5},
      {"5.", 5.0},
      {"1E-3", 1e-3},
      {"5.85e+20", 5.85e20},
      {"0.1", 0.1},
      {"0", 0.0},
      {"2.3976109618296744", 2.3976109618296744},
      {"9.993852799709755e+18", 9.993852799709755e18},
      {"2.2250738585072014e-308", 2.2250738585072014e-308},
      {"1.7976931348623157e308", 1.7976931348623157e308},
  };
  for (const auto& [text, expected] : cases) {
    double value = -1;
    std::string reason;
    EXPECT_TRUE(ParseNumber(text, &value, &reason)) << text << ": " << reason;
    EXPECT_EQ(value, expected) << text;
  }
}

TEST(ParseNumber, LongMantissaAndExtremeExponents) {
  double value = 0;
  std::string reason;
  // 0.000...0001e300 with 300 zeros after the point is exactly 1.
  ASSERT_TRUE(ParseNumber("0." + std::string(299, '0') + "1e300", &value, &reason)) << reason;
  EXPECT_EQ(value, 1.0);
  ASSERT_TRUE(ParseNumber(std::string(400, '9'), &value, &reason));  // 10^400 - 1: overflows
  EXPECT_TRUE(std::isinf(value) && value > 0);
  ASSERT_TRUE(ParseNumber("1e309", &value, &reason));
  EXPECT_TRUE(std::isinf(value) && value > 0);
  ASSERT_TRUE(ParseNumber("-1e99999999999999999999", &value, &reason));
  EXPECT_TRUE(std::isinf(value) && value < 0);
  ASSERT_TRUE(ParseNumber("1e-99999999999999999999", &value, &reason));
  EXPECT_EQ(value, 0.0);
  ASSERT_TRUE(ParseNumber("1e-400", &value, &reason));
  EXPECT_EQ(value, 0.0);
  ASSERT_TRUE(ParseNumber("1000000T", &value, &reason));
  EXPECT_EQ(value, 1e18);
  // Leading zeros do not count toward the exponent range: 10^-500 x 10^500 is 1.
  ASSERT_TRUE(ParseNumber("0." + std::string(499, '0') + "1e500", &value, &reason));
  EXPECT_EQ(value, 1.0);
  ASSERT_TRUE(ParseNumber(std::string(500, '0') + "2.5e-1", &value, &reason));
  EXPECT_EQ(value, 0.25);
  ASSERT_TRUE(ParseNumber("-0.000", &value, &reason));
  EXPECT_EQ(value, 0.0);
  EXPECT_TRUE(std::signbit(value));
  ASSERT_TRUE(ParseNumber("4.9e-324", &value, &reason));  // the smallest subnormal
  EXPECT_EQ(value, 4.9406564584124654e-324);
  ASSERT_TRUE(ParseNumber("1.8e308", &value, &reason));
  EXPECT_TRUE(std::isinf(value));
}

// glibc's strtod (correctly rounded, an implementation independent of the parser's) on numbers
// written every way ParseNumber reads without a suffix: digits before and after the point,
// leading zeros, long mantissas, exponents near the ends of the range and past them.
TEST(ParseNumber, AgreesBitForBitWithStrtod) {
  uint64_t state = 12345;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  for (int k = 0; k < 200000; ++k) {
    std::string text;
    if (next(4) == 0) text += "-";
    const uint64_t zeros = next(3) == 0 ? next(30) : 0;
    text.append(zeros, '0');
    const uint64_t int_digits = next(25);
    for (uint64_t d = 0; d < int_digits; ++d) text += static_cast<char>('0' + next(10));
    const uint64_t frac_digits = next(3) == 0 ? 0 : next(30);
    if (frac_digits > 0 || int_digits == 0) {
      text += '.';
      for (uint64_t d = 0; d < frac_digits || (int_digits == 0 && d == 0); ++d)
        text += static_cast<char>('0' + next(10));
    }
    if (next(2) == 0) {
      text += next(2) ? 'e' : 'E';
      const int64_t exponent = static_cast<int64_t>(next(700)) - 350;
      text += std::to_string(exponent);
    }
    double parsed = 0;
    std::string reason;
    ASSERT_TRUE(ParseNumber(text, &parsed, &reason)) << text << ": " << reason;
    const double expected = std::strtod(text.c_str(), nullptr);
    uint64_t a = 0, b = 0;
    std::memcpy(&a, &parsed, 8);
    std::memcpy(&b, &expected, 8);
    ASSERT_EQ(a, b) << text;
  }
}

TEST(ParseNumber, NanAndInfinityAreNumbersForTheCallerToRefuse) {
  double value = 0;
  std::string reason;
  for (const char* text : {"nan", "NaN", "-nan", "NAN"}) {
    ASSERT_TRUE(ParseNumber(text, &value, &reason)) << text;
    EXPECT_TRUE(std::isnan(value)) << text;
  }
  for (const char* text : {"inf", "Inf", "infinity", "+INF"}) {
    ASSERT_TRUE(ParseNumber(text, &value, &reason)) << text;
    EXPECT_TRUE(std::isinf(value) && value > 0) << text;
  }
  ASSERT_TRUE(ParseNumber("-Infinity", &value, &reason));
  EXPECT_TRUE(std::isinf(value) && value < 0);
}

TEST(ParseNumber, RejectsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"1,070", "comma"},      {"1,07", "comma"},       {"abc", "digits"},
      {"", "empty"},           {"   ", "empty"},        {"1e", "exponent"},
      {"1e+", "exponent"},     {"1.2.3", "unexpected"}, {"1..2", "unexpected"},
      {"--1", "digits"},       {"1k5", "unexpected"},   {"1e9B", "exponent and a suffix"},
      {"3m", "ambiguous"},     {"0x10", "unexpected"},  {"1_000", "unexpected"},
      {"e5", "digits"},        {".", "digits"},         {"-", "digits"},
      {"1 000", "unexpected"}, {"12%", "unexpected"},   {"1.07BB", "after the suffix"},
      {"nanx", "digits"},      {"\"1\"", "digits"},     {"1e5\xff", "unexpected"},
  };
  for (const auto& [text, words] : cases) {
    double value = 123;
    std::string reason;
    EXPECT_FALSE(ParseNumber(text, &value, &reason)) << text << " gave " << value;
    EXPECT_PRED2(Contains, reason, (words)) << text;
  }
  double value = 0;
  EXPECT_FALSE(ParseNumber("x", &value, nullptr));  // the reason is optional
}

// --- Formats ------------------------------------------------------------------------------------

TEST(CsvFormat, CommaSeparatedWithTokensDerivesFlopsFromSixN) {
  const ReadResult r = ReadRuns("params,tokens,loss\n1e9,2e10,2.5\n2e9,4e10,2.4\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.delimiter, ',');
  ASSERT_EQ(r.table.runs.size(), 2u);
  const scalecalc::Run& run = r.table.runs[1];
  EXPECT_EQ(run.params, 2e9);
  EXPECT_EQ(run.tokens, 4e10);
  EXPECT_DOUBLE_EQ(run.flops, 6 * 2e9 * 4e10);  // C = 6 N T
  EXPECT_EQ(run.loss, 2.4);
  EXPECT_TRUE(std::isnan(run.lr));
  EXPECT_TRUE(std::isnan(run.batch_tokens));
  EXPECT_EQ(run.data_row, 2);
  EXPECT_EQ(run.line, 3);
  EXPECT_FALSE(run.excluded);
  EXPECT_FALSE(r.table.has_lr);
  EXPECT_FALSE(r.table.has_batch);
  EXPECT_EQ(r.headers, (std::vector<std::string>{"params", "tokens", "loss"}));
  EXPECT_EQ(MappedColumn(r, Role::kParams), 0);
  EXPECT_EQ(MappedColumn(r, Role::kTokens), 1);
  EXPECT_EQ(MappedColumn(r, Role::kLoss), 2);
  EXPECT_EQ(MappedColumn(r, Role::kFlops), -1);
  EXPECT_PRED2(Contains, AllNotes(r), ("flops derived from tokens"));
}

TEST(CsvFormat, SemicolonAndTabSeparators) {
  const ReadResult semi = ReadRuns("N;D;loss;lr\n1e9;2e10;2.5;3e-4\n");
  ASSERT_TRUE(semi.ok) << AllProblems(semi);
  EXPECT_EQ(semi.delimiter, ';');
  EXPECT_EQ(semi.table.runs[0].lr, 3e-4);
  EXPECT_TRUE(semi.table.has_lr);

  const ReadResult tab = ReadRuns("model size\ttraining tokens\tval loss\n1.07B\t4B\t0.52\n");
  ASSERT_TRUE(tab.ok) << AllProblems(tab);
  EXPECT_EQ(tab.delimiter, '\t');
  EXPECT_EQ(tab.table.runs[0].params, 1.07e9);
  EXPECT_EQ(tab.table.runs[0].tokens, 4e9);
  EXPECT_EQ(tab.table.runs[0].loss, 0.52);
}

TEST(CsvFormat, SeparatorTieIsBrokenByTheFirstDataLine) {
  // Two commas and two semicolons in the header; the data line splits as the header on ';' only.
  EXPECT_EQ(ReadRuns("N;D;loss,x,y\n1e9;2e10;2.5\n").delimiter, ';');
  // No data line to decide: comma.
  EXPECT_EQ(ReadRuns("N;D;loss,x,y\n").delimiter, ',');
}

TEST(CsvFormat, QuotedFieldsFollowRfc4180) {
  const std::string text =
      "\"name, with comma\",\"Model Size\",\"tokens\",\"loss\"\n"
      "\"say \"\"hi\"\"; ok\",\"1.07e9\", \"4e9\" ,\" 0.52 \"\n";
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.headers[0], "name, with comma");
  EXPECT_EQ(r.table.runs[0].params, 1.07e9);
  EXPECT_EQ(r.table.runs[0].tokens, 4e9);
  EXPECT_EQ(r.table.runs[0].loss, 0.52);

  csv_internal::Fields fields;
  csv_internal::SplitError error;
  ASSERT_TRUE(csv_internal::SplitFields("\"say \"\"hi\"\"; ok\",,\"\",x ,", ',', &fields, &error));
  ASSERT_EQ(fields.count, 5u);
  EXPECT_EQ(fields[0], "say \"hi\"; ok");
  EXPECT_EQ(fields[1], "");
  EXPECT_EQ(fields[2], "");
  EXPECT_EQ(fields[3], "x");
  EXPECT_EQ(fields[4], "");
}

TEST(CsvFormat, CommentsBlankLinesCrlfBomAndNoFinalNewline) {
  const std::string text =
      "\xEF\xBB\xBF# exported from the sweep\r\n"
      "\r\n"
      "// units: raw\r\n"
      "params,tokens,loss\r\n"
      "1e9,2e10,2.5\r\n"
      "   \r\n"
      "# a comment between rows\r\n"
      "2e9,4e10,2.4";
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 2u);
  EXPECT_EQ(r.headers[0], "params");  // no BOM left in the name
  EXPECT_EQ(r.table.runs[0].line, 5);
  EXPECT_EQ(r.table.runs[0].data_row, 1);
  EXPECT_EQ(r.table.runs[1].line, 8);
  EXPECT_EQ(r.table.runs[1].data_row, 2);  // comments and blank lines are not data rows
  EXPECT_EQ(r.table.runs[1].loss, 2.4);

  // Old Mac line endings (lone CR) and a trailing newline.
  const ReadResult cr = ReadRuns("params,tokens,loss\r1e9,2e10,2.5\r2e9,4e10,2.4\r");
  ASSERT_TRUE(cr.ok) << AllProblems(cr);
  EXPECT_EQ(cr.table.runs.size(), 2u);
  EXPECT_EQ(cr.table.runs[1].line, 3);
}

TEST(CsvFormat, RowsOfOnlySeparatorsAreBlank) {
  const ReadResult r = ReadRuns("params,tokens,loss\n1e9,2e10,2.5\n,,\n , , \n2e9,4e10,2.4\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 2u);
  EXPECT_EQ(r.table.runs[1].data_row, 2);
  EXPECT_EQ(r.table.runs[1].line, 5);
  EXPECT_PRED2(Contains, AllNotes(r), ("rows with only separators, read as blank lines: 2"));
}

TEST(CsvFormat, QuotedAndSuffixedNumbers) {
  const ReadResult r = ReadRuns("params,tokens,loss\n\"250M\", 3k ,\"2.5\"\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].params, 250e6);
  EXPECT_EQ(r.table.runs[0].tokens, 3000.0);
}

// --- Header aliases -----------------------------------------------------------------------------

struct AliasCase {
  const char* header;
  Role role;
};

class CsvAlias : public ::testing::TestWithParam<AliasCase> {};

// Each alias alone in a table whose other columns use other roles' plain names.
TEST_P(CsvAlias, MapsToItsRole) {
  const AliasCase& c = GetParam();
  const std::string header = c.header;
  std::vector<std::string> columns = {"params", "tokens", "loss"};
  switch (c.role) {
    case Role::kParams:
      columns[0] = header;
      break;
    case Role::kTokens:
      columns[1] = header;
      break;
    case Role::kFlops:
      columns[1] = header;
      break;
    case Role::kLoss:
      columns[2] = header;
      break;
    default:
      columns.push_back(header);
      break;
  }
  std::string text = columns[0] + "," + columns[1] + "," + columns[2];
  if (columns.size() > 3) text += "," + columns[3];
  text += "\n1e9,2e20,2.5" + std::string(columns.size() > 3 ? ",100" : "") + "\n";
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << text << AllProblems(r);
  const int expected = c.role == Role::kParams   ? 0
                       : c.role == Role::kTokens ? 1
                       : c.role == Role::kFlops  ? 1
                       : c.role == Role::kLoss   ? 2
                                                 : 3;
  EXPECT_EQ(MappedColumn(r, c.role), expected) << text << AllNotes(r);
}

INSTANTIATE_TEST_SUITE_P(
    AllRoles, CsvAlias,
    ::testing::Values(
        AliasCase{"params", Role::kParams}, AliasCase{"n_params", Role::kParams},
        AliasCase{"model_size", Role::kParams}, AliasCase{"Model Size", Role::kParams},
        AliasCase{"N", Role::kParams}, AliasCase{"parameters", Role::kParams},
        AliasCase{"non_embedding_params", Role::kParams},
        AliasCase{"NON-EMBEDDING PARAMS", Role::kParams}, AliasCase{" Model_Size ", Role::kParams},
        AliasCase{"tokens", Role::kTokens}, AliasCase{"D", Role::kTokens},
        AliasCase{"T", Role::kTokens}, AliasCase{"training_tokens", Role::kTokens},
        AliasCase{"data", Role::kTokens}, AliasCase{"flops", Role::kFlops},
        AliasCase{"compute", Role::kFlops}, AliasCase{"C", Role::kFlops},
        AliasCase{"Training FLOP", Role::kFlops}, AliasCase{"budget", Role::kFlops},
        AliasCase{"lr", Role::kLr}, AliasCase{"learning_rate", Role::kLr},
        AliasCase{"Learning Rate", Role::kLr}, AliasCase{"eta", Role::kLr},
        AliasCase{"bs", Role::kBatch}, AliasCase{"batch_size", Role::kBatch},
        AliasCase{"batch_tokens", Role::kBatch}, AliasCase{"batch", Role::kBatch},
        AliasCase{"Batch Size (tokens)", Role::kBatch}, AliasCase{"loss", Role::kLoss},
        AliasCase{"val_loss", Role::kLoss}, AliasCase{"eval_loss", Role::kLoss},
        AliasCase{"smooth loss", Role::kLoss}, AliasCase{"validation_loss", Role::kLoss},
        AliasCase{"Val-Loss", Role::kLoss}));

TEST(CsvAliases, TokensPerSampleColumnAliases) {
  for (const char* name : {"tokens_per_sample", "seq_len", "n_ctx", "context"}) {
    const std::string text =
        std::string("params,tokens,loss,bs,") + name + "\n1e9,2e10,2.5,8,100\n";
    const ReadResult r = ReadRuns(text);
    ASSERT_TRUE(r.ok) << name << AllProblems(r);
    EXPECT_EQ(MappedColumn(r, Role::kTokensPerSample), 4) << name;
    EXPECT_EQ(r.table.runs[0].batch_tokens, 800.0) << name;  // 8 samples x 100 tokens
  }
}

TEST(CsvAliases, SimilarNamesAreNotGuessed) {
  // "dataset", "D/N", "train_loss", "tokens_per_sample" without batch: none maps to a role.
  const ReadResult r = ReadRuns("params,dataset,D/N,train_loss\n1e9,x,3,2.5\n");
  EXPECT_FALSE(r.ok);
  EXPECT_PRED2(Contains, AllProblems(r), ("missing required column for loss"));
  EXPECT_PRED2(Contains, AllProblems(r), ("missing required column for tokens or flops"));
}

TEST(CsvAliases, AmbiguousLossPrefersTheFinalLossAndSaysSo) {
  const ReadResult r = ReadRuns("N,D,smooth loss,loss\n1e9,2e10,2.6,2.5\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(MappedColumn(r, Role::kLoss), 3);
  EXPECT_EQ(r.table.runs[0].loss, 2.5);
  EXPECT_PRED2(Contains, AllNotes(r),
               ("loss: used \"loss\" (column 4) over \"smooth loss\" (column 3)"));
  EXPECT_TRUE(HasWarning(r, "smooth"));

  const ReadResult val = ReadRuns("N,D,loss,val_loss\n1e9,2e10,2.6,2.5\n");
  ASSERT_TRUE(val.ok) << AllProblems(val);
  EXPECT_EQ(MappedColumn(val, Role::kLoss), 3);  // validation over an unqualified loss
  EXPECT_PRED2(Contains, AllNotes(val), ("\"val_loss\" (column 4) over \"loss\" (column 3)"));
}

TEST(CsvAliases, RepeatedHeaderUsesTheFirstAndSaysSo) {
  const ReadResult r = ReadRuns("N,D,loss,loss\n1e9,2e10,2.5,2.6\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(MappedColumn(r, Role::kLoss), 2);
  EXPECT_PRED2(Contains, AllNotes(r), ("same name: the first is used"));
}

TEST(CsvAliases, OnlyASmoothedLossIsUsedWithAWarning) {
  const ReadResult r = ReadRuns("N,D,smooth loss\n1e9,2e10,2.6\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_TRUE(HasWarning(r, "smoothed loss"));
}

TEST(CsvAliases, ExplicitColumnsOverrideTheGuess) {
  ReadOptions options;
  options.columns = {{Role::kLoss, "smooth loss"}, {Role::kTokens, "my tokens"}};
  const ReadResult r = ReadRuns("N,my tokens,smooth loss,loss\n1e9,2e10,2.6,2.5\n", options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(MappedColumn(r, Role::kLoss), 2);
  EXPECT_EQ(r.table.runs[0].loss, 2.6);
  EXPECT_EQ(r.table.runs[0].tokens, 2e10);

  // Up to case and separators, as the guess.
  options.columns = {{Role::kLoss, "SMOOTH_LOSS"}};
  const ReadResult loose = ReadRuns("N,D,smooth loss,loss\n1e9,2e10,2.6,2.5\n", options);
  ASSERT_TRUE(loose.ok) << AllProblems(loose);
  EXPECT_EQ(MappedColumn(loose, Role::kLoss), 2);
}

TEST(CsvAliases, OverrideNamingAMissingHeaderListsTheHeaders) {
  ReadOptions options;
  options.columns = {{Role::kLoss, "eval/loss"}};
  ExpectOneError("N,D,loss\n1e9,2e10,2.5\n", 1, 0, "no column named \"eval/loss\"", options);
  const ReadResult r = ReadRuns("N,D,loss\n1e9,2e10,2.5\n", options);
  EXPECT_PRED2(Contains, r.errors[0].message, ("\"N\", \"D\", \"loss\""));

  options.columns = {{Role::kLoss, "loss"}, {Role::kParams, "loss"}};
  ExpectOneError("N,D,loss\n1e9,2e10,2.5\n", 1, 3, "given for two roles", options);
  options.columns = {{Role::kLoss, "loss"}, {Role::kLoss, "D"}};
  ExpectOneError("N,D,loss\n1e9,2e10,2.5\n", 1, 2, "two columns given for loss", options);
}

// --- Tokens, FLOPs, batch -----------------------------------------------------------------------

TEST(CsvCompute, TokensFromFlopsWithBothComputeModels) {
  const std::string text = "params,flops,loss\n1e9,1.2e20,2.5\n";
  const ReadResult six = ReadRuns(text);
  ASSERT_TRUE(six.ok) << AllProblems(six);
  EXPECT_DOUBLE_EQ(six.table.runs[0].tokens, 1.2e20 / (6 * 1e9));  // T = C / (6 N)
  EXPECT_EQ(six.table.runs[0].flops, 1.2e20);
  EXPECT_PRED2(Contains, AllNotes(six), ("tokens derived from flops"));

  ReadOptions options;
  options.compute.kind = ComputeKind::kDit;
  const ReadResult dit = ReadRuns(text, options);
  ASSERT_TRUE(dit.ok) << AllProblems(dit);
  // science.md 3.3: c(N) = (3/4) N (7 + n_ctx / d) with N = 16 d^3 / r (r = 64, n_ctx = 1280):
  // d = 1587.4 at N = 1e9, so c = 5.855 N, a little under 6N: more tokens for the same FLOPs.
  const double d = std::cbrt(1e9 * 64 / 16);
  const double flops_per_token = 0.75 * 1e9 * (7 + 1280 / d);
  EXPECT_NEAR(dit.table.runs[0].tokens / (1.2e20 / flops_per_token), 1.0, 1e-12);
  EXPECT_GT(dit.table.runs[0].tokens, six.table.runs[0].tokens);
}

TEST(CsvCompute, BothGivenAreKeptAndMissingCellsAreDerived) {
  // Row 1 has both (flops not 6NT: an iso-FLOP budget), row 2 only tokens, row 3 only flops.
  const ReadResult r =
      ReadRuns("params,tokens,flops,loss\n1e9,2e10,1e20,2.5\n1e9,3e10,,2.4\n2e9,,1.2e20,2.3\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].tokens, 2e10);
  EXPECT_EQ(r.table.runs[0].flops, 1e20);
  EXPECT_DOUBLE_EQ(r.table.runs[1].flops, 6 * 1e9 * 3e10);
  EXPECT_DOUBLE_EQ(r.table.runs[2].tokens, 1.2e20 / (6 * 2e9));

  ExpectOneError("params,tokens,flops,loss\n1e9,,,2.5\n", 2, 2, "tokens and flops are both empty");
}

TEST(CsvBatch, BsWithTokensPerSampleOptionIsInSamples) {
  ReadOptions options;
  options.tokens_per_sample = 2048;
  const ReadResult r = ReadRuns("N,D,lr,bs,loss\n1e9,2e10,1e-3,736,2.5\n", options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].batch_tokens, 736.0 * 2048);
  EXPECT_TRUE(r.table.has_batch);
  EXPECT_FALSE(HasWarning(r, "looks like"));
}

TEST(CsvBatch, SmallBsWithoutTokensPerSampleIsTokensWithAWarning) {
  const ReadResult r = ReadRuns("N,D,bs,loss\n1e9,2e10,736,2.5\n2e9,2e10,1024,2.4\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].batch_tokens, 736.0);
  EXPECT_TRUE(HasWarning(r, "looks like a count of samples"));
  EXPECT_PRED2(Contains, AllNotes(r), ("looks like a count of samples"));

  const ReadResult big = ReadRuns("N,D,bs,loss\n1e9,2e10,65536,2.5\n2e9,2e10,1024,2.4\n");
  ASSERT_TRUE(big.ok) << AllProblems(big);
  EXPECT_FALSE(HasWarning(big, "looks like"));
}

TEST(CsvBatch, SamplesHeaderNeedsTokensPerSample) {
  ExpectOneError("N,D,batch_size (samples),loss\n1e9,2e10,64,2.5\n", 1, 3,
                 "counts samples: give tokens per sample");
  ReadOptions options;
  options.tokens_per_sample = 1280;
  const ReadResult r = ReadRuns("N,D,batch_size_samples,loss\n1e9,2e10,64,2.5\n", options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].batch_tokens, 64.0 * 1280);  // the paper's 64 clips = 81,920 tokens
}

TEST(CsvBatch, BatchInTokensIsNeverMultiplied) {
  ReadOptions options;
  options.tokens_per_sample = 2048;
  const ReadResult r =
      ReadRuns("N,D,batch_tokens,seq_len,loss\n1e9,2e10,81920,1280,2.5\n", options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].batch_tokens, 81920.0);
  EXPECT_PRED2(Contains, AllNotes(r), ("already in tokens"));
}

TEST(CsvBatch, TokensPerSampleColumnBeatsTheOptionExceptWhereEmpty) {
  ReadOptions options;
  options.tokens_per_sample = 10;
  const ReadResult r =
      ReadRuns("N,D,bs,seq_len,loss\n1e9,2e10,4,100,2.5\n2e9,2e10,4,,2.4\n", options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_EQ(r.table.runs[0].batch_tokens, 400.0);
  EXPECT_EQ(r.table.runs[1].batch_tokens, 40.0);
  ExpectOneError("N,D,bs,seq_len,loss\n1e9,2e10,4,,2.5\n", 2, 4,
                 "tokens_per_sample (\"seq_len\") is empty");
}

TEST(CsvOptional, LrAndBatchAreInTheTableOnlyWhenEveryRowHasThem) {
  const ReadResult all = ReadRuns("N,D,lr,batch_tokens,loss\n1e9,2e10,1e-3,65536,2.5\n");
  ASSERT_TRUE(all.ok) << AllProblems(all);
  EXPECT_TRUE(all.table.has_lr);
  EXPECT_TRUE(all.table.has_batch);
  EXPECT_TRUE(all.table.HasSweep());

  const ReadResult some =
      ReadRuns("N,D,lr,batch_tokens,loss\n1e9,2e10,1e-3,65536,2.5\n2e9,2e10,,65536,2.4\n");
  ASSERT_TRUE(some.ok) << AllProblems(some);
  EXPECT_FALSE(some.table.has_lr);
  EXPECT_TRUE(some.table.has_batch);
  EXPECT_EQ(some.table.runs[0].lr, 1e-3);  // kept on the runs that have it
  EXPECT_TRUE(HasWarning(some, "lr is empty in 1 of 2 runs"));
}

// --- Bad input ----------------------------------------------------------------------------------

TEST(CsvBad, NotANumber) {
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n1e9,3e10,abc\n", 3, 3,
                 "loss is not a number: \"abc\"");
  ExpectOneError("Model Size,tokens,loss\n1,070,2e10,2.5\n", 2, 4, "wrong number of fields");
  // With ';' as the separator a comma is a decimal comma: 1,070 is 1.07, and 2.5 beside it
  // writes the other form.
  ExpectOneError("Model Size;tokens;loss\n1,070;2e10;2.5\n", 2, 3,
                 "loss \"2.5\" is written with a decimal point but line 2, column 1 with a decimal "
                 "comma");
  ExpectOneError("N,D,loss\n3m,2e10,2.5\n", 2, 1, "ambiguous");
}

TEST(CsvBad, NegativeZeroNanInfAndEmpty) {
  ExpectOneError("params,tokens,loss\n-1e9,2e10,2.5\n", 2, 1, "params must be > 0, got \"-1e9\"");
  ExpectOneError("params,tokens,loss\n1e9,0,2.5\n", 2, 2, "tokens must be > 0, got \"0\"");
  ExpectOneError("params,tokens,loss\n1e9,2e10,NaN\n", 2, 3, "loss is NaN");
  ExpectOneError("params,tokens,loss,lr\n1e9,2e10,2.5,inf\n", 2, 4, "lr is infinite");
  ExpectOneError("params,tokens,loss,lr\n1e9,2e10,2.5,-1e-3\n", 2, 4, "lr must be > 0");
  ExpectOneError("params,tokens,loss,bs\n1e9,2e10,2.5,0\n", 2, 4, "batch (\"bs\") must be > 0");
  ExpectOneError("params,tokens,loss\n1e9,2e10,\n", 2, 3, "loss is empty");
  ExpectOneError("params,tokens,loss\n,2e10,2.5\n", 2, 1, "params is empty");
  ExpectOneError("params,tokens,loss\n1e9,1e400,2.5\n", 2, 2, "tokens is infinite");
  ExpectOneError("params,flops,loss\n1e300,1e-300,2.5\n", 2, 2, "tokens derived from flops");
}

TEST(CsvBad, MissingRequiredColumnListsHeadersAndAliases) {
  const ReadResult r = ReadRuns("size,tokens,loss\n1e9,2e10,2.5\n");
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1u) << AllProblems(r);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_PRED2(Contains, r.errors[0].message, ("missing required column for params"));
  EXPECT_PRED2(Contains, r.errors[0].message, ("found \"size\", \"tokens\", \"loss\""));
  EXPECT_PRED2(Contains, r.errors[0].message, ("n_params"));
  EXPECT_PRED2(Contains, r.errors[0].message, ("model_size"));

  const ReadResult both = ReadRuns("# comment\nparams,lr\n1e9,1e-3\n");
  ASSERT_EQ(both.errors.size(), 2u) << AllProblems(both);
  EXPECT_EQ(both.errors[0].line, 2);
  EXPECT_PRED2(Contains, AllProblems(both), ("missing required column for loss"));
  EXPECT_PRED2(Contains, AllProblems(both), ("tokens or flops"));
  EXPECT_PRED2(Contains, AllProblems(both), ("training_tokens"));
  EXPECT_PRED2(Contains, AllProblems(both), ("Training FLOP"));
}

TEST(CsvBad, DuplicatedRunNamesTheFirstOccurrence) {
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n2e9,2e10,2.4\n# c\n1.0e9,2.0e10,2.50\n", 5, 0,
                 "duplicated run: same values as line 2 (data row 1)");
  // Equal up to the relative tolerance (1e-12) is a duplicate; 1e-9 apart is not.
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n1.000000000000001e9,2e10,2.5\n", 3, 0,
                 "duplicated run");
  const ReadResult apart = ReadRuns("params,tokens,loss\n1e9,2e10,2.5\n1.000000001e9,2e10,2.5\n");
  EXPECT_TRUE(apart.ok) << AllProblems(apart);
  // Runs that differ only in learning rate are a sweep, not duplicates.
  const ReadResult sweep =
      ReadRuns("params,tokens,lr,loss\n1e9,2e10,1e-3,2.5\n1e9,2e10,2e-3,2.5\n");
  EXPECT_TRUE(sweep.ok) << AllProblems(sweep);
}

TEST(CsvBad, RaggedRowSaysExpectedAndGot) {
  ExpectOneError("params,tokens,loss\n1e9,2e10\n", 2, 3, "expected 3 (as the header), got 2");
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5,7\n", 2, 4, "expected 3 (as the header), got 4");
}

TEST(CsvBad, EmptyInputAndHeaderOnly) {
  for (const char* text :
       {"", "\n\n", "  \r\n\t\n", "# only a comment\n// and another\n", "\xEF\xBB\xBF"}) {
    ExpectOneError(text, 0, 0, "empty input");
  }
  ExpectOneError("# runs\nparams,tokens,loss\n", 2, 0, "header only");
  ExpectOneError("params,tokens,loss\n\n# nothing yet\n,,\n", 1, 0, "header only");
}

TEST(CsvBad, UnterminatedQuoteAndTextAfterAQuote) {
  ExpectOneError("params,tokens,loss\n1e9,\"2e10,2.5\n", 2, 2, "unterminated quote");
  ExpectOneError("params,tokens,loss\n1e9,\"2e10\"x,2.5\n", 2, 2, "after a closing quote");
  ExpectOneError("params,\"tokens,loss\n1e9,2e10,2.5\n", 1, 2, "header: unterminated quote");
  // A stray quote spoils its own row only: with kSkip the next row is read.
  ReadOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  const ReadResult r = ReadRuns("params,tokens,loss\n1e9,\"2e10,2.5\n2e9,2e10,2.4\n", skip);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 1u);
  EXPECT_EQ(r.table.runs[0].data_row, 2);
}

TEST(CsvBad, TextOverMaxBytesIsRefusedBeforeReading) {
  ReadOptions options;
  options.max_bytes = 100;
  std::string text = "params,tokens,loss\n";
  while (text.size() <= 100) text += "1e9,2e10,2.5\n";
  ExpectOneError(text, 0, 0, "over the limit of 100", options);
  // Exactly at the limit is fine.
  options.max_bytes = 32;
  const ReadResult at = ReadRuns("params,tokens,loss\n1e9,2e10,2.5\n", options);  // 32 bytes
  EXPECT_TRUE(at.ok) << AllProblems(at);
}

TEST(CsvBad, RowsOverMaxRowsIsAnError) {
  ReadOptions options;
  options.max_rows = 2;
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n2e9,2e10,2.5\n# c\n3e9,2e10,2.5\n", 5, 0,
                 "more than 2 data rows", options);
}

TEST(CsvBad, Utf16IsRefusedWithAHint) {
  ExpectOneError(std::string("\xFF\xFEp\0a\0", 6), 0, 0, "UTF-16");
}

TEST(CsvBad, MessagesQuoteArbitraryBytesSafely) {
  const char raw[] = "params,tokens,loss\n1e9,2e10,\xff\x01\"q\0\n";
  const ReadResult r = ReadRuns(std::string(raw, sizeof(raw) - 1));
  ASSERT_EQ(r.errors.size(), 1u) << AllProblems(r);
  EXPECT_PRED2(Contains, r.errors[0].message, ("\\xff\\x01\\\"q\\x00"));
  // Valid UTF-8 stays readable.
  EXPECT_EQ(csv_internal::Quote("Größe"), "\"Größe\"");
  EXPECT_EQ(csv_internal::Quote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // a surrogate
  EXPECT_EQ(csv_internal::Quote(std::string(100, 'x')), "\"" + std::string(40, 'x') + "...\"");
}

TEST(CsvBad, InvalidOptionsAreErrors) {
  ReadOptions options;
  options.tokens_per_sample = -1;
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n", 0, 0, "tokens_per_sample", options);
  options = {};
  options.compute.tokens_per_sample = NAN;
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n", 0, 0, "compute model", options);
  options = {};
  options.duplicate_tolerance = NAN;
  ExpectOneError("params,tokens,loss\n1e9,2e10,2.5\n", 0, 0, "duplicate_tolerance", options);
}

TEST(CsvBad, WrongUnitsAreFlagged) {
  // Parameters and tokens written in billions: read as given, but the user is asked.
  const ReadResult r = ReadRuns("params,tokens,loss\n1.07,4,0.52\n0.72,10,0.51\n");
  ASSERT_TRUE(r.ok) << AllProblems(r);
  EXPECT_TRUE(HasWarning(r, "params: every value is below"));
  EXPECT_TRUE(HasWarning(r, "tokens: every value is below"));
}

TEST(CsvPolicy, RejectListsEveryErrorUpToACap) {
  std::string text = "params,tokens,loss\n";
  for (int i = 0; i < 80; ++i) text += "1e9,2e10,bad" + std::to_string(i) + "\n";
  text += "1e9,2e10,2.5\n";
  const ReadResult r = ReadRuns(text);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.table.runs.empty());
  ASSERT_EQ(r.errors.size(), 51u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[49].line, 51);
  EXPECT_EQ(r.errors[50].message, "and 30 more errors");
}

TEST(CsvPolicy, SkipKeepsGoodRowsAndWarnsForEachBadOne) {
  ReadOptions options;
  options.bad_rows = BadRowPolicy::kSkip;
  const ReadResult r = ReadRuns(
      "params,tokens,loss\n1e9,2e10,2.5\n1e9,2e10,abc\n2e9,-1,2.4\n3e9,3e10\n1e9,2e10,2.5\n4e9,"
      "4e10,2.3\n",
      options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 2u);
  EXPECT_EQ(r.table.runs[1].data_row, 6);  // numbering keeps the skipped rows
  EXPECT_EQ(r.table.runs[1].line, 7);
  int skipped = 0;
  for (const InputProblem& w : r.warnings) {
    if (w.message.find("row skipped") == std::string::npos) continue;
    ++skipped;
    EXPECT_GE(w.line, 3);
  }
  EXPECT_EQ(skipped, 4) << AllProblems(r);  // abc, negative, ragged, duplicate
  EXPECT_TRUE(r.errors.empty());

  ExpectOneError("params,tokens,loss\n1e9,2e10,abc\n", 0, 0, "no valid data row", options);
}

// --- Real data ----------------------------------------------------------------------------------

TEST(CsvRealData, ChinchillaFromModelSizeAndTrainingFlop) {
  const std::string text = ReadFileText(ExternalPath("chinchilla_epoch_svg_extracted.csv"));
  ASSERT_FALSE(text.empty()) << "missing " << ExternalPath("chinchilla_epoch_svg_extracted.csv");
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 245u);  // the data set's README
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kParams)], "Model Size");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kFlops)], "Training FLOP");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kLoss)], "loss");
  // First row of the file, as printed there.
  const scalecalc::Run& first = r.table.runs[0];
  EXPECT_EQ(first.params, 6795600349.289497);
  EXPECT_EQ(first.flops, 9.993852799709755e+18);
  EXPECT_EQ(first.loss, 5.005581996196243);
  EXPECT_EQ(first.line, 2);
  for (const scalecalc::Run& run : r.table.runs) {
    EXPECT_NEAR(run.tokens / (run.flops / (6 * run.params)), 1.0, 1e-15);  // D = C / (6 N)
  }
  EXPECT_FALSE(r.table.has_lr);
  EXPECT_FALSE(r.table.has_batch);
}

TEST(CsvRealData, StepLawPrefersLossOverSmoothLossAndReadsBsInSequences) {
  const std::string text = ReadFileText(ExternalPath("steplaw_dense_lr_bs_loss.csv"));
  ASSERT_FALSE(text.empty()) << "missing " << ExternalPath("steplaw_dense_lr_bs_loss.csv");
  ReadOptions options;
  options.tokens_per_sample = 2048;  // the study's sequence length (data set README)
  const ReadResult r = ReadRuns(text, options);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 1911u);
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kParams)], "N");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kTokens)], "D");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kLoss)], "loss");
  EXPECT_PRED2(Contains, AllNotes(r), ("\"loss\" (column 8) over \"smooth loss\" (column 9)"));
  EXPECT_TRUE(r.table.has_lr);
  EXPECT_TRUE(r.table.has_batch);
  // First row: h 960, lr 0.0003453, bs 736, loss 2.413517, D 1e11, N 214663680.
  const scalecalc::Run& first = r.table.runs[0];
  EXPECT_EQ(first.params, 214663680.0);
  EXPECT_EQ(first.tokens, 100000000000.0);
  EXPECT_EQ(first.lr, 0.0003453);
  EXPECT_EQ(first.loss, 2.413517);
  EXPECT_EQ(first.batch_tokens, 736.0 * 2048);
  EXPECT_DOUBLE_EQ(first.flops, 6 * 214663680.0 * 1e11);
  EXPECT_FALSE(HasWarning(r, "looks like"));

  // Without the sequence length, bs is read as tokens and the reader says it looks like samples.
  const ReadResult plain = ReadRuns(text);
  ASSERT_TRUE(plain.ok) << AllProblems(plain);
  EXPECT_EQ(plain.table.runs[0].batch_tokens, 736.0);
  EXPECT_TRUE(HasWarning(plain, "looks like a count of samples"));
  EXPECT_PRED2(Contains, AllNotes(plain), ("looks like a count of samples"));
}

TEST(CsvRealData, IsoflopsMultiSource) {
  const std::string text = ReadFileText(ExternalPath("isoflops_multi_source.csv"));
  ASSERT_FALSE(text.empty()) << "missing " << ExternalPath("isoflops_multi_source.csv");
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), 947u);
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kParams)], "params");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kTokens)], "tokens");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kFlops)], "budget");
  EXPECT_EQ(r.headers[MappedColumn(r, Role::kLoss)], "loss");
  const scalecalc::Run& first = r.table.runs[0];
  EXPECT_EQ(first.tokens, 16372620203.715488);
  EXPECT_EQ(first.params, 1017959646.0);
  EXPECT_EQ(first.flops, 1e20);  // both given: the budget is kept, not recomputed
  EXPECT_EQ(first.loss, 2.554520985765487);
  EXPECT_PRED2(Contains, AllNotes(r), ("ignored columns"));
}

// --- Scale and robustness -----------------------------------------------------------------------

TEST(CsvScale, TwoHundredThousandRows) {
  const int rows = 200000;
  std::string text = "params,tokens,lr,loss\n";
  text.reserve(static_cast<size_t>(rows) * 40);
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(1000000 + i) + ",2e10,1e-3," + std::to_string(2.0 + i * 1e-6) + "\n";
  }
  const ReadResult r = ReadRuns(text);
  ASSERT_TRUE(r.ok) << AllProblems(r);
  ASSERT_EQ(r.table.runs.size(), static_cast<size_t>(rows));
  EXPECT_EQ(r.table.runs.back().data_row, rows);
  EXPECT_EQ(r.table.runs.back().params, 1000000.0 + rows - 1);

  // The row cap stops the same text early.
  ReadOptions options;
  options.max_rows = 1000;
  const ReadResult capped = ReadRuns(text, options);
  EXPECT_FALSE(capped.ok);
  ASSERT_EQ(capped.errors.size(), 1u);
  EXPECT_EQ(capped.errors[0].line, 1002);
}

TEST(CsvScale, ArbitraryBytesNeverBreakTheReader) {
  // Deterministic pseudo-random texts from CSV-ish bytes: the reader must answer, and a table it
  // returns must hold only valid runs.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char alphabet[] = "0123456789.eE+-,;\t\"\r\n #/kMB nanif\xff\xef\xbb\xbf";
  const std::string header[] = {"params,tokens,loss\n", "N;D;lr;bs;loss\n", "", "\"x\",C,loss\n"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text = header[next() % 4];
    const size_t length = next() % 120;
    for (size_t i = 0; i < length; ++i) text += alphabet[next() % (sizeof(alphabet) - 1)];
    ReadOptions options;
    options.bad_rows = trial % 2 ? BadRowPolicy::kSkip : BadRowPolicy::kReject;
    options.tokens_per_sample = trial % 3 ? 0 : 2048;
    const ReadResult r = ReadRuns(text, options);
    EXPECT_EQ(r.ok, r.errors.empty()) << trial;
    EXPECT_LE(r.errors.size(), 51u);
    if (!r.ok) continue;
    EXPECT_FALSE(r.table.runs.empty()) << trial;
    for (const scalecalc::Run& run : r.table.runs) {
      EXPECT_TRUE(std::isfinite(run.params) && run.params > 0) << trial;
      EXPECT_TRUE(std::isfinite(run.tokens) && run.tokens > 0) << trial;
      EXPECT_TRUE(std::isfinite(run.flops) && run.flops > 0) << trial;
      EXPECT_TRUE(std::isfinite(run.loss) && run.loss > 0) << trial;
    }
  }
}

}  // namespace
}  // namespace scalecalc

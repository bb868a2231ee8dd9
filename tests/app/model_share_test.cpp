// The app's Model and share links (issue 27; src/app/model.h, no UI): opening a link says what it
// holds (data name, runs, groups, an older format upgraded, the bootstrap recomputed), and
// notices belong to the data they were about (a load clears them; the page's late notice about
// earlier data is dropped by its serial).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/model.h"
#include "model_test_util.h"

namespace scalecalc::app {
namespace {

using test::Contains;
using test::GroupedCsv;

std::vector<uint8_t> SenderLink(int bootstrap_samples) {
  Model sender;
  EXPECT_EQ(sender.LoadCsv(GroupedCsv(2), "labs.csv"), "");
  EXPECT_EQ(sender.SetOption("bootstrap", std::to_string(bootstrap_samples)), "");
  EXPECT_EQ(sender.SetOption("group_column", "lab"), "");
  return EncodeState(sender.analysis);
}

TEST(ModelShare, OpeningALinkSaysWhatItHolds) {
  Model receiver;
  ASSERT_EQ(receiver.LoadStateBytes(SenderLink(0)), "");
  receiver.DescribeOpenedLink();  // not read yet: nothing to say
  EXPECT_EQ(receiver.notice, "");
  receiver.Recompute();
  receiver.DescribeOpenedLink();
  EXPECT_EQ(receiver.notice, "Opened a shared link: labs.csv, 24 runs, 2 groups by 'lab'");
  EXPECT_EQ(receiver.notice_level, NoticeLevel::kDone);
  // Said once.
  receiver.Notify("Link copied (100 characters)");
  receiver.Recompute();
  receiver.DescribeOpenedLink();
  EXPECT_EQ(receiver.notice, "Link copied (100 characters)");

  // With bootstrap samples: they are recomputed here, and the notice says so.
  Model with_bootstrap;
  ASSERT_EQ(with_bootstrap.LoadStateBytes(SenderLink(50)), "");
  with_bootstrap.Recompute();
  with_bootstrap.DescribeOpenedLink();
  EXPECT_TRUE(Contains(with_bootstrap.notice, "bootstrap intervals are recomputed here"))
      << with_bootstrap.notice;
}

// base64url without padding (the fixtures' form), decoded here independently of the page.
std::vector<uint8_t> FromBase64Url(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const size_t d = alphabet.find(c);
    if (d == std::string::npos) continue;  // the file's line ending
    acc = (acc << 6 | static_cast<uint32_t>(d)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

TEST(ModelShare, AnOlderFormatSaysItWasUpgraded) {
  std::ifstream in(std::string(SCALECALC_TESTS_DIR) + "/core/fixtures/state_v3.link.txt");
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<uint8_t> bytes = FromBase64Url(text.str());
  ASSERT_GT(bytes.size(), 3u);
  ASSERT_EQ(bytes[2], 3);
  Model receiver;
  ASSERT_EQ(receiver.LoadStateBytes(bytes), "");
  receiver.Recompute();
  receiver.DescribeOpenedLink();
  EXPECT_TRUE(Contains(receiver.notice, "Opened a shared link: fixture_v3.csv, 3 runs"))
      << receiver.notice;
  EXPECT_TRUE(Contains(receiver.notice, "(link format version 3), upgraded to version 4"))
      << receiver.notice;
}

// The model kind the panels speak of: guessed from the data and the compute model, changeable,
// carried by a link; an older link (no model kind) opens with the guess.
TEST(ModelShare, TheModelKindIsGuessedChangedAndShared) {
  Model model;
  ASSERT_EQ(model.LoadCsv(GroupedCsv(2), "labs.csv"), "");
  model.Recompute();
  EXPECT_EQ(model.Kind(), ModelKind::kLanguage);  // 6N, no video column
  EXPECT_STREQ(model.SampleWord(), "sequence");
  EXPECT_EQ(model.SetOption("compute", "dit"), "");
  EXPECT_EQ(model.Kind(), ModelKind::kVideo);  // the DiT count
  EXPECT_EQ(model.SetOption("compute", "6n"), "");
  EXPECT_EQ(model.SetOption("model_kind", "video"), "");
  EXPECT_EQ(model.Kind(), ModelKind::kVideo);  // the choice wins
  EXPECT_STREQ(model.SampleWord(), "video");
  const std::string refused = model.SetOption("model_kind", "image");
  EXPECT_TRUE(Contains(refused, "model kind")) << refused;
  EXPECT_TRUE(Contains(refused, "guess, video, language")) << refused;
  EXPECT_EQ(model.analysis.model_kind, ModelKind::kVideo);

  Model receiver;
  ASSERT_EQ(receiver.LoadStateBytes(EncodeState(model.analysis)), "");
  receiver.Recompute();
  EXPECT_EQ(receiver.Kind(), ModelKind::kVideo);

  // The version-3 fixture (params, tokens, loss; 6N): the guess, a language model.
  std::ifstream in(std::string(SCALECALC_TESTS_DIR) + "/core/fixtures/state_v3.link.txt");
  std::stringstream text;
  text << in.rdbuf();
  Model old;
  ASSERT_EQ(old.LoadStateBytes(FromBase64Url(text.str())), "");
  old.Recompute();
  EXPECT_EQ(old.analysis.model_kind, ModelKind::kGuess);
  EXPECT_EQ(old.Kind(), GuessModelKind(old.analysis.compute, old.results.read));
}

TEST(ModelShare, ALoadClearsTheNoticeAboutThePreviousData) {
  Model model;
  ASSERT_EQ(model.LoadCsv(GroupedCsv(2), "labs.csv"), "");
  const int serial = model.data_serial;
  model.Notify("Link copied (20,000 characters). Some chat tools cut messages this long",
               NoticeLevel::kCaution, true);
  EXPECT_TRUE(model.notice_offers_state_file);
  ASSERT_EQ(model.LoadCsv(GroupedCsv(2), "again.csv"), "");
  EXPECT_NE(model.data_serial, serial);
  EXPECT_EQ(model.notice, "");
  EXPECT_FALSE(model.notice_offers_state_file);
  // A refused load keeps the data, its serial and its notice.
  model.Notify("Pasted data loaded");
  const int kept = model.data_serial;
  EXPECT_NE(model.LoadCsv("no,table\n", "bad.csv"), "");
  EXPECT_EQ(model.data_serial, kept);
  EXPECT_EQ(model.notice, "Pasted data loaded");
  EXPECT_NE(model.LoadStateBytes({'S', 'C'}), "");
  EXPECT_EQ(model.data_serial, kept);
}

}  // namespace
}  // namespace scalecalc::app

// A table as text, written every way it is shown: TSV and Markdown for Copy, aligned columns for
// the CLI. Expected strings are written out by hand.
#include "core/text_table.h"

#include <gtest/gtest.h>

namespace scalecalc {
namespace {

TEST(TableText, TabSeparatedPastesAsAGrid) {
  TableText t;
  t.headers = {"quantity", "recommended"};
  t.rows = {{"model size N", "1.07B"}, {"tab\there", "new\nline"}, {"short"}};
  EXPECT_EQ(ToTsv(t),
            "quantity\trecommended\n"
            "model size N\t1.07B\n"
            "tab here\tnew line\n"
            "short\t\n");
}

TEST(TableText, MarkdownEscapesPipesAndPadsRows) {
  TableText t;
  t.headers = {"a", "b"};
  t.rows = {{"x|y", "1"}, {"z"}};
  EXPECT_EQ(ToMarkdown(t),
            "| a | b |\n"
            "| --- | --- |\n"
            "| x\\|y | 1 |\n"
            "| z |  |\n");
  EXPECT_EQ(ToMarkdown(TableText{}), "");
  EXPECT_EQ(ToTsv(TableText{}), "");
}

TEST(TableText, AlignedColumnsStackACellsLines) {
  TableText t;
  t.headers = {"group", "E", "a"};
  t.rows = {{"wide name", "1.5\n[1.4, 1.6]", "0.5"}, {"b", "-"}};
  EXPECT_EQ(ToAlignedText(t, "  "),
            "  group      E           a\n"
            "  wide name  1.5         0.5\n"
            "             [1.4, 1.6]\n"
            "  b          -\n");
  EXPECT_EQ(ToAlignedText(TableText{}), "");
}

}  // namespace
}  // namespace scalecalc

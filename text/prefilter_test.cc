#include "text/internal/prefilter.h"

#include <string>

#include "gtest/gtest.h"

namespace tessera::text::internal {
namespace {

TEST(PrefilterTest, EdgesOfTypicalRules) {
  PatternEdges e = AnalyzePattern("\\s+\\p{Lu}");
  EXPECT_EQ(e.first, "[\\t\\n\\f\\r\\p{Z}]");
  e = AnalyzePattern(
      "\\p{Lu}[\\p{Ll}\\p{M}]{1,24}[\\x20\\x{A0}]{1,2}\\p{Lu}\\.");
  EXPECT_EQ(e.first, "[\\p{Lu}]");
  EXPECT_EQ(e.last, "[\\x{2E}]");
  EXPECT_EQ(e.before_last, "[\\p{Lu}]");
  e = AnalyzePattern("^[\\x20\\t]{0,4}\\d{0,2}\\d\\.");
  EXPECT_EQ(e.first, "");  // optional first atom
  EXPECT_EQ(e.last, "[\\x{2E}]");
  EXPECT_EQ(e.before_last, "[\\p{Nd}]");
  e = AnalyzePattern("[a-cX\\-]z");
  EXPECT_EQ(e.first, "[\\x{61}-\\x{63}\\x{58}\\x{2D}]");
  EXPECT_EQ(e.last, "[\\x{7A}]");
  e = AnalyzePattern("«\\x{A0}");
  EXPECT_EQ(e.first, "[\\x{AB}]");
  EXPECT_EQ(e.last, "[\\x{A0}]");
}

TEST(PrefilterTest, QuantifiersAndZeroWidthAtoms) {
  // A repeated last atom pins the last character only.
  PatternEdges e = AnalyzePattern("a\\s{1,2}");
  EXPECT_EQ(e.last, "[\\t\\n\\f\\r\\p{Z}]");
  EXPECT_EQ(e.before_last, "");
  // Optional last atom: nothing is certain.
  EXPECT_EQ(AnalyzePattern("a\\.?").last, "");
  EXPECT_EQ(AnalyzePattern("a\\.*").last, "");
  EXPECT_EQ(AnalyzePattern("a\\.{0,2}").last, "");
  // Zero-width atoms consume nothing and are skipped.
  e = AnalyzePattern("\\bDr\\.\\b");
  EXPECT_EQ(e.first, "[\\x{44}]");
  EXPECT_EQ(e.last, "[\\x{2E}]");
  EXPECT_EQ(e.before_last, "[\\x{72}]");
  EXPECT_EQ(AnalyzePattern("(?=x)a").first, "[\\x{61}]");
}

TEST(PrefilterTest, GivesUpWhenUnsure) {
  // Top-level alternation: the last atom belongs to one branch only.
  EXPECT_EQ(AnalyzePattern("ab|c\\.").last, "");
  EXPECT_EQ(AnalyzePattern("ab|c\\.").first, "");
  // Inline flags change what a literal matches.
  EXPECT_EQ(AnalyzePattern("(?i)abc").first, "");
  EXPECT_EQ(AnalyzePattern("x(?i:b)c").last, "");
  // Groups at the edge are opaque.
  EXPECT_EQ(AnalyzePattern("(?:a|b)").first, "");
  EXPECT_EQ(AnalyzePattern("x(?:a|b)").last, "");
  // Any character, quoting, set operations, back-references.
  EXPECT_EQ(AnalyzePattern(".a").first, "");
  EXPECT_EQ(AnalyzePattern("\\Qa.b\\E").first, "");
  EXPECT_EQ(AnalyzePattern("[a-z&&[^x]]").first, "");
  EXPECT_EQ(AnalyzePattern("(a)\\1").last, "");
  EXPECT_EQ(AnalyzePattern("").first, "");
}

}  // namespace
}  // namespace tessera::text::internal

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

TEST(PrefilterTest, LeadAndTheCharacterAfterIt) {
  PatternEdges e = AnalyzePattern("\\s+\\p{Lu}");
  EXPECT_EQ(e.lead, "[\\t\\n\\f\\r\\p{Z}]");
  EXPECT_EQ(e.lead_min, 1);
  EXPECT_EQ(e.after_lead, "[\\p{Lu}]");
  e = AnalyzePattern("[\\x20\\x{A0}]{0,2}[\\d(]");
  EXPECT_EQ(e.lead_min, 0);
  EXPECT_EQ(e.after_lead, "[[\\p{Nd}]\\x{28}]");
  // No certain atom after the first: nothing.
  EXPECT_EQ(AnalyzePattern("\\s+(?:a|b)").after_lead, "");
  EXPECT_EQ(AnalyzePattern("\\s+a?").after_lead, "");
}

TEST(PrefilterTest, TailThroughGroupsAlternationsAndLineStarts) {
  // A list marker at the start of a line: the character before the letter
  // is a space, a tab or a line break, or there is none.
  PatternEdges e = AnalyzePattern("^[\\x20\\t]{0,4}[A-Za-z]\\.");
  EXPECT_EQ(e.tail[0], "[\\x{2E}]");
  EXPECT_FALSE(e.tail_at_start[0]);
  EXPECT_EQ(e.tail[1], "[\\x{41}-\\x{5A}\\x{61}-\\x{7A}]");
  EXPECT_FALSE(e.tail_at_start[1]);
  ASSERT_FALSE(e.tail[2].empty());
  EXPECT_TRUE(e.tail_at_start[2]);
  // Alternatives ending differently: their union.
  e = AnalyzePattern("(?:\\.\\.\\.|…)");
  EXPECT_EQ(e.tail[0], "[[\\x{2E}][\\x{2026}]]");
  EXPECT_EQ(e.tail[1], "");  // "…" alone is one character
  EXPECT_TRUE(e.tail_at_start[1]);
  // "(?:^|[\\s(])": a space, a bracket or a line start before the token.
  e = AnalyzePattern("(?:^|[\\s(])\\p{Lu}\\.");
  EXPECT_EQ(e.tail[1], "[\\p{Lu}]");
  EXPECT_NE(e.tail[2].find("\\x{28}"), std::string::npos);
  EXPECT_TRUE(e.tail_at_start[2]);
  // Quantified groups and optional atoms at the end.
  e = AnalyzePattern("a(?:bc){1,3}");
  EXPECT_EQ(e.tail[0], "[\\x{63}]");
  EXPECT_EQ(e.tail[1], "[\\x{62}]");
  EXPECT_EQ(e.tail[2], "[[\\x{61}][\\x{63}]]");
  EXPECT_EQ(AnalyzePattern("ab?").tail[0], "[[\\x{61}][\\x{62}]]");
}

TEST(PrefilterTest, TailGivesUpWhenUnsure) {
  // Case-insensitive groups, back-references and quoting: unknown.
  EXPECT_EQ(AnalyzePattern("a(?i:b)").tail[0], "");
  EXPECT_EQ(AnalyzePattern("(a)\\1").tail[0], "");
  EXPECT_EQ(AnalyzePattern("\\Qa.\\E").tail[0], "");
  // Inline flags for the whole pattern.
  EXPECT_EQ(AnalyzePattern("(?i)ab").tail[0], "");
  // Zero-width assertions consume nothing.
  EXPECT_EQ(AnalyzePattern("a\\b(?=x)").tail[0], "[\\x{61}]");
}

}  // namespace
}  // namespace tessera::text::internal

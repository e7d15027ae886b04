#include "text/normalize.h"

#include <string>

#include "gtest/gtest.h"

namespace tessera::text {
namespace {

TEST(NormalizeNfcTest, ComposesDecomposedText) {
  const std::string decomposed = "e\xCC\x81t\xC3\xA9";  // e + U+0301, then é
  EXPECT_FALSE(IsNfc(decomposed));
  EXPECT_EQ(NormalizeNfc(decomposed), "été");
  EXPECT_TRUE(IsNfc(NormalizeNfc(decomposed)));
  // Hangul jamo compose into a syllable.
  EXPECT_EQ(NormalizeNfc("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "한");
  // Singletons are replaced: U+212B ANGSTROM SIGN becomes U+00C5.
  EXPECT_EQ(NormalizeNfc("\xE2\x84\xAB"), "\xC3\x85");
}

TEST(NormalizeNfcTest, AsciiAndNfcTextUnchanged) {
  EXPECT_TRUE(IsNfc(""));
  EXPECT_EQ(NormalizeNfc(""), "");
  EXPECT_TRUE(IsNfc("plain text"));
  const std::string nfc = "Déjà vu — 世界 — Ελλάδα";
  EXPECT_TRUE(IsNfc(nfc));
  EXPECT_EQ(NormalizeNfc(nfc), nfc);
}

// French typography depends on these spaces; NFC must keep every one.
TEST(NormalizeNfcTest, KeepsSpacesAndLineEndings) {
  const std::string nbsp = "\xC2\xA0";             // U+00A0
  const std::string nnbsp = "\xE2\x80\xAF";        // U+202F
  const std::string thin = "\xE2\x80\x89";         // U+2009
  const std::string ideographic = "\xE3\x80\x80";  // U+3000
  const std::string text = "«" + nnbsp + "Gaza doit vivre" + nnbsp + "!" +
                           nnbsp + "»" + nbsp + "Le FPLP écrit" + nnbsp +
                           ":\t1" + thin + "000\r\nfin" + ideographic +
                           "終\n\n";
  EXPECT_TRUE(IsNfc(text));
  EXPECT_EQ(NormalizeNfc(text), text);
  // Also when something else in the text does change.
  const std::string mixed = "e\xCC\x81" + nbsp + ":" + nnbsp + "»\r\n";
  EXPECT_EQ(NormalizeNfc(mixed), "é" + nbsp + ":" + nnbsp + "»\r\n");
}

TEST(NormalizeNfcTest, IllFormedBytesAreKept) {
  EXPECT_EQ(NormalizeNfc("a\xFF"
                         "b"),
            "a\xFF"
            "b");
  EXPECT_EQ(NormalizeNfc("e\xCC\x81\xFF"), "\xC3\xA9\xFF");
}

}  // namespace
}  // namespace tessera::text

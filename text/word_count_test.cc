#include "text/word_count.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace tessera::text {
namespace {

std::string ReadShared(const std::string& path) {
  std::ifstream in(std::string(TESSERA_SHARED_DIR) + "/" + path,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CountWordsTest, EmptyAndPunctuationOnly) {
  EXPECT_EQ(CountWords("", "en"), 0);
  EXPECT_EQ(CountWords("  \n\t ", "en"), 0);
  EXPECT_EQ(CountWords("« … » ! — ?", "fr"), 0);
}

TEST(CountWordsTest, English) {
  // Contractions are one word; numbers count.
  EXPECT_EQ(CountWords("Hello, world! It's 5 o'clock.", "en"), 5);
  // "U.S." and "3.5" are one word each.
  EXPECT_EQ(CountWords("The U.S. economy grew 3.5% in 2023.", "en"), 7);
}

// French elision: the elided article or pronoun is a word of its own, as in
// CAT tools' counts; "aujourd'hui" is one word.
TEST(CountWordsTest, FrenchElisionCountsSeparately) {
  EXPECT_EQ(CountWords("l'homme", "fr"), 2);
  EXPECT_EQ(CountWords("L’homme qu’il a vu aujourd’hui.", "fr"), 7);
  EXPECT_EQ(CountWords("jusqu'à lorsqu'elle presqu'île", "fr"), 6);
  // Outside French and Italian, ICU's one word stands.
  EXPECT_EQ(CountWords("l'homme", "en"), 1);
  EXPECT_EQ(CountWords("dell'anno", "it"), 2);
}

TEST(CountWordsTest, FrenchUdhrArticleOne) {
  const std::string doc = ReadShared("corpus/udhr/udhr_fra.xml");
  const std::string para =
      "Tous les êtres humains naissent libres et égaux en dignité et en "
      "droits. Ils sont doués de raison et de conscience et doivent agir les "
      "uns envers les autres dans un esprit de fraternité.";
  ASSERT_NE(doc.find(para), std::string::npos);
  EXPECT_EQ(CountWords(para, "fr"), 34);
}

TEST(CountWordsTest, German) {
  EXPECT_EQ(CountWords("Die Straße ist 3,5 km lang.", "de"), 6);
  EXPECT_EQ(CountWords("Donaudampfschifffahrtsgesellschaft", "de"), 1);
}

TEST(CountWordsTest, ChineseCountsCharacters) {
  const std::string doc = ReadShared("corpus/udhr/udhr_cmn_hans.xml");
  const std::string para =
      "人人生而自由,在尊严和权利上一律平等。他们赋有理性和良心,"
      "并应以兄弟关系的精神相对待。";
  ASSERT_NE(doc.find(para), std::string::npos);
  // 39 Han characters; the commas and full stops are not words.
  EXPECT_EQ(CountWords(para, "zh-Hans"), 39);
}

TEST(CountWordsTest, JapaneseCountsCharacters) {
  EXPECT_EQ(CountWords("私は東京に住んでいます。", "ja"), 11);
  // Katakana with the prolonged sound mark: 7 characters.
  EXPECT_EQ(CountWords("コンピューター", "ja"), 7);
  // Latin and digits in Japanese text count as words.
  EXPECT_EQ(CountWords("iPhone 15 を買いました", "ja"), 2 + 6);
}

TEST(CountWordsTest, KoreanCountsSpaceSeparatedWords) {
  EXPECT_EQ(CountWords("대한민국은 민주공화국이다.", "ko"), 2);
}

TEST(CountWordsTest, UnknownOrMalformedTagUsesRootRules) {
  EXPECT_EQ(CountWords("two words", "not a tag"), 2);
  EXPECT_EQ(CountWords("two words", "xx"), 2);
}

}  // namespace
}  // namespace tessera::text

// The term-matching rules of memory.proto ("Glossary terms") in several
// scripts: word boundaries, case folding, white space, inflections.
#include "services/memory/glossary/glossary_match.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::memory::glossary {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The matched texts, in order.
std::vector<std::string> Found(std::string_view text, std::string_view lang,
                               std::string_view term, bool case_sensitive,
                               bool inflections = false) {
  MatchText t(text, lang);
  std::vector<std::string> out;
  for (const Span& s : t.Find(term, case_sensitive, inflections)) {
    out.push_back(std::string(text.substr(s.start, s.end - s.start)));
  }
  return out;
}

TEST(GlossaryMatchTest, FrenchMultiWordTermIgnoresCaseAndSpacing) {
  const std::string text =
      "Les Nations unies et les nations\u00a0Unies ; nations-unies non.";
  EXPECT_THAT(Found(text, "fr", "Nations Unies", false),
              ElementsAre("Nations unies", "nations\u00a0Unies"));
  // Byte ranges, not characters: "é" is two bytes.
  MatchText t("Le comité de l'ONU", "fr");
  EXPECT_THAT(t.Find("comité", false, false), ElementsAre(Span{3, 10}));
}

TEST(GlossaryMatchTest, ApostrophesSeparateElisionsAndPossessives) {
  EXPECT_THAT(Found("l'ONU et l’Organisation", "fr", "onu", false),
              ElementsAre("ONU"));
  EXPECT_THAT(Found("l'ONU et l’Organisation", "fr", "organisation",
                    false),
              ElementsAre("Organisation"));
  EXPECT_THAT(Found("The UN's report", "en", "UN", true), ElementsAre("UN"));
  EXPECT_THAT(Found("aujourd'hui", "fr", "aujourd'hui", false),
              ElementsAre("aujourd'hui"));
}

TEST(GlossaryMatchTest, CaseSensitiveEntriesKeepCase) {
  EXPECT_THAT(Found("Apple and apple", "en", "Apple", true),
              ElementsAre("Apple"));
  EXPECT_THAT(Found("Apple and apple", "en", "Apple", false),
              ElementsAre("Apple", "apple"));
}

TEST(GlossaryMatchTest, NeverInsideAWord) {
  EXPECT_THAT(Found("Unions and reunion", "en", "union", false), IsEmpty());
  EXPECT_THAT(Found("The union.", "en", "union", false), ElementsAre("union"));
}

TEST(GlossaryMatchTest, GermanCompoundsAreOneWord) {
  const std::string text = "Der Vertragsstaat und der Vertrag.";
  EXPECT_THAT(Found(text, "de", "Vertrag", false), ElementsAre("Vertrag"));
  // Full case folding: ß and SS are equal ignoring case.
  EXPECT_THAT(Found("Die STRASSE ist breit", "de", "Straße", false),
              ElementsAre("STRASSE"));
  EXPECT_THAT(Found("Die STRASSE ist breit", "de", "Straße", true), IsEmpty());
}

TEST(GlossaryMatchTest, InflectionsAddUpToThreeLetters) {
  const std::string text =
      "Les organisations, l'organisation et les organisationnelles.";
  EXPECT_THAT(Found(text, "fr", "organisation", false, true),
              ElementsAre("organisations", "organisation"));
  EXPECT_THAT(Found(text, "fr", "organisation", false, false),
              ElementsAre("organisation"));
  EXPECT_THAT(Found("Die Organisationen", "de", "Organisation", false, true),
              ElementsAre("Organisationen"));
  // Short last words never extend: acronyms stay exact.
  EXPECT_THAT(Found("Les ONUS", "fr", "ONU", false, true), IsEmpty());
}

TEST(GlossaryMatchTest, RussianCaseFoldingAndEndings) {
  const std::string text = "Организация Объединённых Наций и ООН.";
  EXPECT_THAT(Found(text, "ru", "оон", false), ElementsAre("ООН"));
  EXPECT_THAT(Found(text, "ru", "оон", true), IsEmpty());
  EXPECT_THAT(Found("в организации", "ru", "организаци", false, true),
              ElementsAre("организации"));
}

TEST(GlossaryMatchTest, ArabicHasNoCaseAndBoundariesHold) {
  const std::string text = "الأمم المتحدة والأمم";
  EXPECT_THAT(Found(text, "ar", "الأمم المتحدة", false),
              ElementsAre("الأمم المتحدة"));
  // Glued "و" (and) makes one word: no hit inside it.
  EXPECT_THAT(Found(text, "ar", "الأمم", false), ElementsAre("الأمم"));
}

TEST(GlossaryMatchTest, ChineseTermsMatchOnDictionaryWords) {
  const std::string text = "联合国安理会今天开会。";
  EXPECT_THAT(Found(text, "zh", "联合国", false), ElementsAre("联合国"));
  // The same ideographs that are not a word boundary of the text do not.
  MatchText t(text, "zh");
  EXPECT_THAT(t.Find("合国", false, false), IsEmpty());
}

TEST(GlossaryMatchTest, CandidateKeysCoverEveryTermKeyThatCanOccur) {
  const struct {
    std::string text, lang, term;
    bool inflect;
  } cases[] = {
      {"Les Nations unies votent", "fr", "nations unies", false},
      {"Les organisations", "fr", "Organisation", true},
      {"联合国安理会今天开会。", "zh", "联合国", false},
      {"Die STRASSE", "de", "Straße", false},
      {"#MeToo ist laut", "de", "#metoo", false},
  };
  for (const auto& c : cases) {
    MatchText t(c.text, c.lang);
    ASSERT_FALSE(t.Find(c.term, false, c.inflect).empty()) << c.term;
    std::vector<std::string> keys = t.CandidateKeys();
    EXPECT_TRUE(std::binary_search(keys.begin(), keys.end(),
                                   TermKey(c.term, c.lang)))
        << c.term << " key " << TermKey(c.term, c.lang);
  }
}

TEST(GlossaryMatchTest, TermsNeedAWord) {
  EXPECT_TRUE(HasWord("ONU", "fr"));
  EXPECT_TRUE(HasWord("2030", "fr"));
  EXPECT_FALSE(HasWord("« ! »", "fr"));
  EXPECT_EQ(TermKey("Nations Unies", "fr"), "nations");
}

}  // namespace
}  // namespace tessera::memory::glossary

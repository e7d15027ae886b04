#include "text/qa.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::text {
namespace {

std::vector<QaCode> Codes(const std::vector<QaIssue>& issues) {
  std::vector<QaCode> codes;
  for (const QaIssue& i : issues) codes.push_back(i.code);
  return codes;
}

bool Has(const std::vector<QaIssue>& issues, QaCode code) {
  return std::any_of(issues.begin(), issues.end(),
                     [&](const QaIssue& i) { return i.code == code; });
}

TEST(QuotationMarksTest, ComesFromCldr) {
  EXPECT_EQ(QuotationMarksFor("fr").open, "«");
  EXPECT_EQ(QuotationMarksFor("fr").close, "»");
  EXPECT_EQ(QuotationMarksFor("de").open, "„");
  EXPECT_EQ(QuotationMarksFor("de").close, "“");
  EXPECT_EQ(QuotationMarksFor("en").open, "“");
  EXPECT_EQ(QuotationMarksFor("en").close, "”");
  EXPECT_EQ(QuotationMarksFor("ru").open, "«");
  EXPECT_EQ(QuotationMarksFor("ru").close, "»");
}

TEST(CheckTranslationTest, CleanTranslationHasNoFinding) {
  EXPECT_THAT(CheckTranslation("We demand 3 things.", "Nous exigeons 3 choses.",
                               "en", "fr"),
              ::testing::IsEmpty());
}

TEST(CheckTranslationTest, MissingUrlIsAnError) {
  auto issues = CheckTranslation("See https://example.org/a now.",
                                 "Voir maintenant.", "en", "fr");
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].code, QaCode::kPlaceholderMissing);
  EXPECT_EQ(issues[0].severity, QaSeverity::kError);
}

TEST(CheckTranslationTest, AlteredEmailIsAnErrorPointingAtIt) {
  const std::string target = "Écrivez à info@exemple.org maintenant.";
  auto issues =
      CheckTranslation("Write to info@example.org now.", target, "en", "fr");
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].code, QaCode::kPlaceholderAltered);
  EXPECT_EQ(target.substr(issues[0].start, issues[0].end - issues[0].start),
            "info@exemple.org");
}

TEST(CheckTranslationTest, UnchangedUrlPasses) {
  auto issues =
      CheckTranslation("See https://example.org/a now.",
                       "Voir https://example.org/a maintenant.", "en", "fr");
  EXPECT_FALSE(Has(issues, QaCode::kPlaceholderMissing));
  EXPECT_FALSE(Has(issues, QaCode::kPlaceholderAltered));
}

TEST(CheckTranslationTest, NumbersComparedByValue) {
  EXPECT_FALSE(Has(CheckTranslation("It costs 1.5 million.",
                                    "Cela coûte 1,5 million.", "en", "fr"),
                   QaCode::kNumberMismatch));
  auto issues = CheckTranslation("It costs 1.5 million.",
                                 "Cela coûte 2,5 millions.", "en", "fr");
  EXPECT_TRUE(Has(issues, QaCode::kNumberMismatch));
  for (const QaIssue& i : issues) EXPECT_EQ(i.severity, QaSeverity::kWarning);
}

TEST(CheckTranslationTest, WhitespaceDifferences) {
  EXPECT_TRUE(
      Has(CheckTranslation("Hello world.", " Bonjour monde.", "en", "fr"),
          QaCode::kWhitespace));
  EXPECT_TRUE(
      Has(CheckTranslation("Hello world. ", "Bonjour monde.", "en", "fr"),
          QaCode::kWhitespace));
}

TEST(CheckTranslationTest, FinalPunctuation) {
  EXPECT_TRUE(Has(CheckTranslation("Is it true?", "C'est vrai.", "en", "fr"),
                  QaCode::kFinalPunctuation));
  EXPECT_TRUE(Has(CheckTranslation("It is true.", "C'est vrai", "en", "fr"),
                  QaCode::kFinalPunctuation));
  // Full-width forms are the same class.
  EXPECT_FALSE(Has(CheckTranslation("It is true.", "这是真的。", "en", "zh"),
                   QaCode::kFinalPunctuation));
}

TEST(CheckTranslationTest, QuotesOfTheTargetLocale) {
  const std::string src = "He said \u201cno\u201d to them.";
  EXPECT_TRUE(
      Has(CheckTranslation(src, "Il a dit \u201cnon\u201d à eux.", "en", "fr"),
          QaCode::kQuotes));
  EXPECT_FALSE(Has(CheckTranslation(src, "Il a dit « non » à eux.", "en", "fr"),
                   QaCode::kQuotes));
  EXPECT_FALSE(Has(
      CheckTranslation(src, "Er sagte \u201enein\u201c zu ihnen.", "en", "de"),
      QaCode::kQuotes));
  EXPECT_TRUE(
      Has(CheckTranslation(src, "Er sagte «nein» zu ihnen.", "en", "de"),
          QaCode::kQuotes));
  EXPECT_TRUE(Has(CheckTranslation(src, "Он сказал \"нет\" им.", "en", "ru"),
                  QaCode::kQuotes));
}

TEST(CheckTranslationTest, DoubledSpaces) {
  auto issues =
      CheckTranslation("Hello world.", "Bonjour  le monde.", "en", "fr");
  ASSERT_TRUE(Has(issues, QaCode::kDoubleSpace));
  EXPECT_FALSE(
      Has(CheckTranslation("Hello  world.", "Bonjour  le monde.", "en", "fr"),
          QaCode::kDoubleSpace));
}

TEST(CheckTranslationTest, IdenticalToSource) {
  EXPECT_THAT(
      Codes(CheckTranslation("Hello world.", "Hello world.", "en", "fr")),
      ::testing::ElementsAre(QaCode::kIdenticalToSource));
}

TEST(CheckTranslationTest, LengthRatioOutsideBand) {
  EXPECT_TRUE(Has(CheckTranslation("This is a fairly long sentence here.",
                                   "Oui.", "en", "fr"),
                  QaCode::kLengthRatio));
  EXPECT_FALSE(
      Has(CheckTranslation("This is a fairly long sentence here.",
                           "C'est une phrase assez longue ici.", "en", "fr"),
          QaCode::kLengthRatio));
  // Chinese is much shorter in characters, and that is fine.
  EXPECT_FALSE(Has(CheckTranslation("This is a fairly long sentence here.",
                                    "这是一个相当长的句子。", "en", "zh"),
                   QaCode::kLengthRatio));
}

TEST(CheckTranslationTest, ErrorsComeFirst) {
  auto issues =
      CheckTranslation("Mail info@example.org today.", "Courriel.", "en", "fr");
  ASSERT_GE(issues.size(), 2u);
  EXPECT_EQ(issues[0].severity, QaSeverity::kError);
  EXPECT_EQ(issues.back().severity, QaSeverity::kWarning);
}

}  // namespace
}  // namespace tessera::text

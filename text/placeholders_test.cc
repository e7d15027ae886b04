#include "text/placeholders.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::text {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Found {
  PlaceholderKind kind;
  std::string text;
  friend bool operator==(const Found&, const Found&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Found& f) {
    return os << static_cast<int>(f.kind) << ":" << f.text;
  }
};

std::vector<Found> Find(const std::string& s) {
  std::vector<Found> out;
  size_t prev_end = 0;
  for (const Placeholder& p : FindPlaceholders(s)) {
    EXPECT_LE(prev_end, p.begin) << "placeholders overlap or are unsorted";
    EXPECT_LT(p.begin, p.end);
    EXPECT_LE(p.end, s.size());
    prev_end = p.end;
    out.push_back({p.kind, s.substr(p.begin, p.end - p.begin)});
  }
  return out;
}

Found Url(std::string s) { return {PlaceholderKind::kUrl, std::move(s)}; }
Found Email(std::string s) { return {PlaceholderKind::kEmail, std::move(s)}; }
Found Num(std::string s) { return {PlaceholderKind::kNumber, std::move(s)}; }

const std::string kNbsp = "\xC2\xA0";
const std::string kNnbsp = "\xE2\x80\xAF";

TEST(PlaceholdersTest, Urls) {
  EXPECT_THAT(Find("Voir https://example.org/a?b=1&c=2. Merci"),
              ElementsAre(Url("https://example.org/a?b=1&c=2")));
  EXPECT_THAT(Find("à l'adresse www.icor.info"),
              ElementsAre(Url("www.icor.info")));
  EXPECT_THAT(Find("(voir www.icor.info)"), ElementsAre(Url("www.icor.info")));
  EXPECT_THAT(Find("(see https://en.wikipedia.org/wiki/Foo_(bar))."),
              ElementsAre(Url("https://en.wikipedia.org/wiki/Foo_(bar)")));
  EXPECT_THAT(Find("HTTP://EXAMPLE.COM/X, then ftp://files.example.net/a!"),
              ElementsAre(Url("HTTP://EXAMPLE.COM/X"),
                          Url("ftp://files.example.net/a")));
  EXPECT_THAT(Find("« https://exemple.fr/été »"),
              ElementsAre(Url("https://exemple.fr/été")));
  EXPECT_THAT(Find("<https://x.org/a>"), ElementsAre(Url("https://x.org/a")));
  // Numbers inside a URL belong to it.
  EXPECT_THAT(Find("https://www.example.50.com/2024/05/page.html."),
              ElementsAre(Url("https://www.example.50.com/2024/05/page.html")));
}

TEST(PlaceholdersTest, NotUrls) {
  EXPECT_THAT(Find("xhttp://foo is glued to a word"), IsEmpty());
  EXPECT_THAT(Find("http:// alone"), IsEmpty());
  EXPECT_THAT(Find("the www. prefix"), IsEmpty());
  // Bare domains are not detected.
  EXPECT_THAT(Find("citée d'après fightbacknews.com"), IsEmpty());
}

TEST(PlaceholdersTest, Emails) {
  EXPECT_THAT(Find("un mail à srapapc@gmail.com )."),
              ElementsAre(Email("srapapc@gmail.com")));
  EXPECT_THAT(Find("Her email is Jane.Doe@example.com. I sent"),
              ElementsAre(Email("Jane.Doe@example.com")));
  EXPECT_THAT(Find("<first.last+tag@sub.example.co.uk>"),
              ElementsAre(Email("first.last+tag@sub.example.co.uk")));
  EXPECT_THAT(Find("user@localhost, a@b.c, @mention, x@-bad.com"), IsEmpty());
}

// Found by fuzz_segmenter: a second '@' right after an address made an
// address that overlapped the first.
TEST(PlaceholdersTest, EmailsNeverOverlap) {
  EXPECT_THAT(Find("Her email is Jane.Doe@example.com.Doe@example.can email."),
              ElementsAre(Email("Jane.Doe@example.com.Doe")));
  EXPECT_THAT(Find("a@example.org b@example.net"),
              ElementsAre(Email("a@example.org"), Email("b@example.net")));
}

TEST(PlaceholdersTest, Numbers) {
  EXPECT_THAT(
      Find("1,000.5 and 1" + kNbsp + "000,5 and 12.5%"),
      ElementsAre(Num("1,000.5"), Num("1" + kNbsp + "000,5"), Num("12.5%")));
  EXPECT_THAT(Find("soit 12,5" + kNnbsp + "% des voix"),
              ElementsAre(Num("12,5" + kNnbsp + "%")));
  EXPECT_THAT(Find("environ 2 000 prisonniers"), ElementsAre(Num("2 000")));
  EXPECT_THAT(Find("10 000 000 habitants"), ElementsAre(Num("10 000 000")));
  EXPECT_THAT(Find("1'000 CHF"), ElementsAre(Num("1'000")));
  EXPECT_THAT(Find("Statut 08.11.2025. Fin"), ElementsAre(Num("08.11.2025")));
  EXPECT_THAT(Find("le 7 octobre 2023"), ElementsAre(Num("7"), Num("2023")));
  EXPECT_THAT(Find("de -5 à +3 et −7"),
              ElementsAre(Num("-5"), Num("+3"), Num("−7")));
  EXPECT_THAT(Find("pages 10-20"), ElementsAre(Num("10"), Num("20")));
  // A four-digit group cannot be followed by a space-separated group.
  EXPECT_THAT(Find("in 2023 2000 people"),
              ElementsAre(Num("2023"), Num("2000")));
  EXPECT_THAT(Find("١٢٣ and ४५"), ElementsAre(Num("١٢٣"), Num("४५")));
}

TEST(PlaceholdersTest, DigitsGluedToLettersAreWords) {
  EXPECT_THAT(Find("A4 paper, 3D, MP3, 1er mai, 2e tour, 100km"), IsEmpty());
  EXPECT_THAT(Find("COVID-19"), ElementsAre(Num("19")));
  EXPECT_THAT(Find("du 5e arrt (CJPP5)"), IsEmpty());
}

TEST(PlaceholdersTest, MixedInOrder) {
  EXPECT_THAT(Find("Écrire à a@b.org ou voir www.x.org, 3 fois."),
              ElementsAre(Email("a@b.org"), Url("www.x.org"), Num("3")));
}

// fuzz_segmenter finding: the number "1,0" ran into the address "0@0.That".
TEST(PlaceholdersTest, NumberRunningIntoAnEmailIsNotANumber) {
  EXPECT_THAT(Find("bought 1,0@0.That is"), ElementsAre(Email("0@0.That")));
}

TEST(IsNonTranslatableTest, OnlyNumbersUrlsEmailsPunctuation) {
  EXPECT_TRUE(IsNonTranslatable(""));
  EXPECT_TRUE(IsNonTranslatable("2024"));
  EXPECT_TRUE(IsNonTranslatable("12,5" + kNnbsp + "%"));
  EXPECT_TRUE(IsNonTranslatable("www.icor.info"));
  EXPECT_TRUE(IsNonTranslatable("https://example.org/page"));
  EXPECT_TRUE(IsNonTranslatable("srapapc@gmail.com"));
  EXPECT_TRUE(IsNonTranslatable("— 1 —"));
  EXPECT_TRUE(IsNonTranslatable("* * *"));
  EXPECT_TRUE(IsNonTranslatable("08.11.2025 – www.icor.info"));
  EXPECT_TRUE(IsNonTranslatable("€ 5 / $ 6 → ¹"));
}

TEST(IsNonTranslatableTest, AnyLetterOutsideUrlsIsTranslatable) {
  EXPECT_FALSE(IsNonTranslatable("1er"));
  EXPECT_FALSE(IsNonTranslatable("A4"));
  EXPECT_FALSE(IsNonTranslatable("Page 2"));
  EXPECT_FALSE(IsNonTranslatable("ICOR"));
  EXPECT_FALSE(IsNonTranslatable("www.icor.info et"));
  EXPECT_FALSE(IsNonTranslatable("fightbacknews.com"));
  EXPECT_FALSE(IsNonTranslatable("第一条"));
}

}  // namespace
}  // namespace tessera::text

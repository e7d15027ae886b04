#include "text/segmenter.h"

#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "text/internal/rules_data.h"

namespace tessera::text {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const std::string kNbsp = "\xC2\xA0";       // U+00A0
const std::string kNnbsp = "\xE2\x80\xAF";  // U+202F

std::shared_ptr<const Segmenter> For(std::string_view tag) {
  absl::StatusOr<std::shared_ptr<const Segmenter>> s =
      Segmenter::ForLanguage(tag);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : nullptr;
}

// The sentences of `text`, untrimmed; also checks the offsets' contract.
std::vector<std::string> Pieces(const Segmenter& seg, std::string_view text) {
  const std::vector<size_t> ends = seg.Split(text);
  std::vector<std::string> out;
  size_t prev = 0;
  for (size_t end : ends) {
    EXPECT_GT(end, prev) << "offsets must ascend";
    out.emplace_back(text.substr(prev, end - prev));
    prev = end;
  }
  if (!text.empty()) {
    EXPECT_EQ(prev, text.size());
  }
  EXPECT_EQ(absl::StrJoin(out, ""), text);
  return out;
}

// Strips ASCII whitespace, NBSP and narrow NBSP at both ends.
std::string Trim(std::string s) {
  for (;;) {
    if (!s.empty() &&
        std::string_view(" \t\r\n").find(s.back()) != std::string_view::npos) {
      s.pop_back();
    } else if (s.size() >= 2 && s.compare(s.size() - 2, 2, kNbsp) == 0) {
      s.resize(s.size() - 2);
    } else if (s.size() >= 3 && s.compare(s.size() - 3, 3, kNnbsp) == 0) {
      s.resize(s.size() - 3);
    } else {
      break;
    }
  }
  size_t b = 0;
  for (;;) {
    if (b < s.size() &&
        std::string_view(" \t\r\n").find(s[b]) != std::string_view::npos) {
      ++b;
    } else if (s.compare(b, 2, kNbsp) == 0) {
      b += 2;
    } else if (s.compare(b, 3, kNnbsp) == 0) {
      b += 3;
    } else {
      break;
    }
  }
  return s.substr(b);
}

// The sentences of `text`, whitespace-trimmed.
std::vector<std::string> Sentences(const Segmenter& seg,
                                   std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& p : Pieces(seg, text)) out.push_back(Trim(p));
  return out;
}

// --- Basic contract ---------------------------------------------------------

TEST(SegmenterTest, EmptyAndTrivialText) {
  auto en = For("en");
  EXPECT_THAT(en->Split(""), IsEmpty());
  EXPECT_THAT(en->Split("Hello"), ElementsAre(5));
  EXPECT_THAT(en->Split("   "), ElementsAre(3));
  EXPECT_THAT(en->Split("Hello. World."), ElementsAre(7, 13));
}

TEST(SegmenterTest, TrailingWhitespaceBelongsToPrecedingSentence) {
  auto en = For("en");
  EXPECT_THAT(Pieces(*en, "One.   Two.  "), ElementsAre("One.   ", "Two.  "));
  EXPECT_THAT(Pieces(*en, "  Lead. Next."), ElementsAre("  Lead. ", "Next."));
}

TEST(SegmenterTest, OffsetsPointIntoOriginalUtf8) {
  auto fr = For("fr");
  const std::string text = "Où est-il ? Là-bas, près de l’église. 世界。";
  const std::vector<size_t> ends = fr->Split(text);
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(text.substr(0, ends[0]), "Où est-il ? ");
  EXPECT_EQ(text.substr(ends[0], ends[1] - ends[0]),
            "Là-bas, près de l’église. ");
  // Supplementary-plane characters map back correctly too.
  EXPECT_THAT(Sentences(*fr, "Un 😀 ici. Deux 𝄞 là."),
              ElementsAre("Un 😀 ici.", "Deux 𝄞 là."));
}

TEST(SegmenterTest, IllFormedBytesStillMapToOriginalOffsets) {
  auto en = For("en");
  const std::string text = "Bad \xC3 byte. Next \xF0\x9F one.";
  EXPECT_THAT(Pieces(*en, text),
              ElementsAre("Bad \xC3 byte. ", "Next \xF0\x9F one."));
}

// --- Whitespace -------------------------------------------------------------

TEST(SegmenterTest, SingleLineBreakInsideParagraphIsNotABoundary) {
  auto en = For("en");
  EXPECT_THAT(Pieces(*en, "This is a sentence\ncut off in the middle."),
              ElementsAre("This is a sentence\ncut off in the middle."));
  EXPECT_THAT(Pieces(*en, "Wrapped line\r\nwith CRLF and\u2028LS."),
              ElementsAre("Wrapped line\r\nwith CRLF and\u2028LS."));
  // ICU alone would break at the line break.
  EXPECT_THAT(Pieces(*en, "Heading without period\nAnd the text."),
              ElementsAre("Heading without period\nAnd the text."));
}

TEST(SegmenterTest, LineBreakAfterTerminatorEndsSentence) {
  auto en = For("en");
  EXPECT_THAT(Pieces(*en, "First.\nSecond."),
              ElementsAre("First.\n", "Second."));
  EXPECT_THAT(Pieces(*en, "First.\r\n  Second."),
              ElementsAre("First.\r\n  ", "Second."));
}

TEST(SegmenterTest, BlankLineAlwaysEndsSentence) {
  auto en = For("en");
  EXPECT_THAT(Pieces(*en, "Title\n\nBody text"),
              ElementsAre("Title\n\n", "Body text"));
  EXPECT_THAT(Pieces(*en, "Title\r\n\r\nBody"),
              ElementsAre("Title\r\n\r\n", "Body"));
  EXPECT_THAT(Pieces(*en, "Title\n" + kNbsp + "\nBody"),
              ElementsAre("Title\n" + kNbsp + "\n", "Body"));
  EXPECT_THAT(Pieces(*en, "Title\u2029Body"),
              ElementsAre("Title\u2029", "Body"));
  // Even a lone closing mark across a blank line stays separate.
  EXPECT_THAT(Pieces(*en, "Text.\n\n* * *"), ElementsAre("Text.\n\n", "* * *"));
  // Leading blank lines join the first sentence.
  EXPECT_THAT(Pieces(*en, "\n\n\nStart."), ElementsAre("\n\n\nStart."));
}

TEST(SegmenterTest, SeveralSpacesAndTabsAreFine) {
  auto en = For("en");
  EXPECT_THAT(Pieces(*en, "One.  \t Two.    Three."),
              ElementsAre("One.  \t ", "Two.    ", "Three."));
}

TEST(SegmenterTest, NoBreakSpaceAfterAbbreviationDoesNotBreak) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr, "M." + kNbsp + "Dupont est arrivé. Il repart."),
              ElementsAre("M." + kNbsp + "Dupont est arrivé.", "Il repart."));
  EXPECT_THAT(Sentences(*fr, "M." + kNnbsp + "Dupont est là."),
              ElementsAre("M." + kNnbsp + "Dupont est là."));
  // Glued by one NBSP, even after a word that is no abbreviation.
  EXPECT_THAT(Sentences(*fr, "Voir la fig." + kNbsp + "Deux."),
              ElementsAre("Voir la fig." + kNbsp + "Deux."));
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "Ask Dr." + kNbsp + "Watson today."),
              ElementsAre("Ask Dr." + kNbsp + "Watson today."));
}

// --- Abbreviations and the suffix trap ---------------------------------------

TEST(SegmenterTest, EnglishTitlesAndAbbreviations) {
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "Mr. Smith met Dr. Watson. They talked."),
              ElementsAre("Mr. Smith met Dr. Watson.", "They talked."));
  EXPECT_THAT(Sentences(*en, "I can see Mt. Fuji from here."),
              ElementsAre("I can see Mt. Fuji from here."));
  EXPECT_THAT(
      Sentences(*en, "St. Michael's Church is on 5th st. near the light."),
      ElementsAre("St. Michael's Church is on 5th st. near the light."));
  EXPECT_THAT(Sentences(*en, "Bring fruit, e.g. Apples and pears."),
              ElementsAre("Bring fruit, e.g. Apples and pears."));
  EXPECT_THAT(Sentences(*en, "Please turn to p. 55. Then read."),
              ElementsAre("Please turn to p. 55.", "Then read."));
  EXPECT_THAT(Sentences(*en, "I live in the U.S. How about you?"),
              ElementsAre("I live in the U.S.", "How about you?"));
  EXPECT_THAT(Sentences(*en, "They met (see Dr. Lee) in May. Good."),
              ElementsAre("They met (see Dr. Lee) in May.", "Good."));
}

// ICU's own suppressions match "pp." as a suffix of "Philipp."; word lists
// compare whole tokens.
TEST(SegmenterTest, SuffixTrapPhilippIsNotPp) {
  auto en = For("en");
  EXPECT_THAT(
      Sentences(*en, "Read pp. 5-7 first. I met Philipp. Then we left."),
      ElementsAre("Read pp. 5-7 first.", "I met Philipp.", "Then we left."));
  auto de = For("de");
  EXPECT_THAT(Sentences(*de, "Das war Philipp. Dann ging er. Siehe S. 5."),
              ElementsAre("Das war Philipp.", "Dann ging er.", "Siehe S. 5."));
  EXPECT_THAT(Sentences(*en, "He was a Mist. Dr. No was not."),
              ElementsAre("He was a Mist.", "Dr. No was not."));
}

TEST(SegmenterTest, Initials) {
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "My name is Jonas E. Smith."),
              ElementsAre("My name is Jonas E. Smith."));
  EXPECT_THAT(Sentences(*en, "J. R. R. Tolkien wrote it. It sold."),
              ElementsAre("J. R. R. Tolkien wrote it.", "It sold."));
  EXPECT_THAT(Sentences(*en,
                        "We make a good team, you and I. Did you see Albert "
                        "I. Jones yesterday?"),
              ElementsAre("We make a good team, you and I.",
                          "Did you see Albert I. Jones yesterday?"));
  auto ru = For("ru");
  EXPECT_THAT(Sentences(*ru, "Это написал А. С. Пушкин. Потом он уехал."),
              ElementsAre("Это написал А. С. Пушкин.", "Потом он уехал."));
}

TEST(SegmenterTest, FrenchAbbreviations) {
  auto fr = For("fr");
  EXPECT_THAT(
      Sentences(*fr,
                "M. Dupont et Mme Roux sont venus. Ils sont "
                "repartis."),
      ElementsAre("M. Dupont et Mme Roux sont venus.", "Ils sont repartis."));
  EXPECT_THAT(
      Sentences(*fr,
                "Voir l'art. 3 et la p. 12. La suite est "
                "claire."),
      ElementsAre("Voir l'art. 3 et la p. 12.", "La suite est claire."));
  EXPECT_THAT(Sentences(*fr, "Des villes, p. ex. Paris, ont voté. Bien."),
              ElementsAre("Des villes, p. ex. Paris, ont voté.", "Bien."));
  EXPECT_THAT(
      Sentences(*fr,
                "César vint en 52 av. J.-C. Les Gaulois "
                "résistèrent."),
      ElementsAre("César vint en 52 av. J.-C.", "Les Gaulois résistèrent."));
  EXPECT_THAT(Sentences(*fr, "Voir cf. Annexe 2. Merci."),
              ElementsAre("Voir cf. Annexe 2.", "Merci."));
}

TEST(SegmenterTest, GermanAbbreviationsOrdinalsAndDates) {
  auto de = For("de");
  EXPECT_THAT(Sentences(*de, "Obst, z. B. Äpfel, ist gesund. Gemüse auch."),
              ElementsAre("Obst, z. B. Äpfel, ist gesund.", "Gemüse auch."));
  EXPECT_THAT(Sentences(*de, "Obst, z.B. Äpfel, ist gesund."),
              ElementsAre("Obst, z.B. Äpfel, ist gesund."));
  EXPECT_THAT(
      Sentences(*de,
                "Am 3. Oktober feiern wir. Am 12. Juni 2020 "
                "auch."),
      ElementsAre("Am 3. Oktober feiern wir.", "Am 12. Juni 2020 auch."));
  EXPECT_THAT(Sentences(*de,
                        "Der 2. Weltkrieg endete 1945. Danach kam der "
                        "Wiederaufbau."),
              ElementsAre("Der 2. Weltkrieg endete 1945.",
                          "Danach kam der Wiederaufbau."));
  EXPECT_THAT(Sentences(*de, "Siehe Nr. 5 im Anhang. Hr. Müller weiß es."),
              ElementsAre("Siehe Nr. 5 im Anhang.", "Hr. Müller weiß es."));
  // A number that ends a sentence still ends it.
  EXPECT_THAT(Sentences(*de, "Das Ergebnis war 5. Dann gingen wir."),
              ElementsAre("Das Ergebnis war 5.", "Dann gingen wir."));
}

TEST(SegmenterTest, OtherLanguagesHaveTheirTitles) {
  EXPECT_THAT(Sentences(*For("es"), "El Sr. García llegó. La Dra. López no."),
              ElementsAre("El Sr. García llegó.", "La Dra. López no."));
  EXPECT_THAT(Sentences(*For("it"),
                        "Il Sig. Rossi è arrivato. Il Dott. "
                        "Bianchi no."),
              ElementsAre("Il Sig. Rossi è arrivato.", "Il Dott. Bianchi no."));
  EXPECT_THAT(Sentences(*For("pt-BR"),
                        "O Sr. Silva chegou. A Dra. Costa "
                        "não."),
              ElementsAre("O Sr. Silva chegou.", "A Dra. Costa não."));
  EXPECT_THAT(Sentences(*For("nl"),
                        "Hij sprak met dhr. Jansen. Daarna ging "
                        "hij."),
              ElementsAre("Hij sprak met dhr. Jansen.", "Daarna ging hij."));
  EXPECT_THAT(Sentences(*For("ru"),
                        "Он живёт в г. Москве. В 2010-2012 гг. "
                        "Виктор посещал ул. 1 Мая."),
              ElementsAre("Он живёт в г. Москве.",
                          "В 2010-2012 гг. Виктор посещал ул. 1 Мая."));
}

TEST(SegmenterTest, FrenchOrdinalsNumbersAndDates) {
  auto fr = For("fr");
  EXPECT_THAT(
      Sentences(*fr,
                "Le 1er mai 2024, nous défilons. Le 2e cortège "
                "part à 14 h. Au XIXe siècle, non."),
      ElementsAre("Le 1er mai 2024, nous défilons.",
                  "Le 2e cortège part à 14 h.", "Au XIXe siècle, non."));
  EXPECT_THAT(Sentences(*fr,
                        "Le 7 octobre 2023, tout a changé. Environ 2 000 "
                        "prisonniers, soit 12,5 %. Fin."),
              ElementsAre("Le 7 octobre 2023, tout a changé.",
                          "Environ 2 000 prisonniers, soit 12,5 %.", "Fin."));
  EXPECT_THAT(Sentences(*fr, "Statut au 08.11.2025. Autre signature."),
              ElementsAre("Statut au 08.11.2025.", "Autre signature."));
}

TEST(SegmenterTest, ListMarkersAtStart) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr, "1. PCPCI Parti Communiste de Côte d'Ivoire"),
              ElementsAre("1. PCPCI Parti Communiste de Côte d'Ivoire"));
  EXPECT_THAT(Sentences(*fr, "a) Premier point. Suite du point."),
              ElementsAre("a) Premier point.", "Suite du point."));
  EXPECT_THAT(Sentences(*fr, "IV. Les revendications"),
              ElementsAre("IV. Les revendications"));
  EXPECT_THAT(Sentences(*fr, "• Accès immédiat et libre"),
              ElementsAre("• Accès immédiat et libre"));
  // Each line starting with a marker starts a sentence, even when the line
  // before it has no final punctuation.
  EXPECT_THAT(
      Sentences(*fr, "1. ORC Congo\n2. UPC Cameroun\n- A propos\n• Fin"),
      ElementsAre("1. ORC Congo", "2. UPC Cameroun", "- A propos", "• Fin"));
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "• 9. The first item • 10. The second item"),
              ElementsAre("• 9. The first item", "• 10. The second item"));
}

TEST(SegmenterTest, ColonEndingALineStartsABlock) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr,
                        "Premiers signataires :\nAgir Contre le "
                        "Colonialisme – AFD"),
              ElementsAre("Premiers signataires :",
                          "Agir Contre le Colonialisme – AFD"));
  // Not inside a line.
  EXPECT_THAT(Sentences(*fr, "Nous exigeons : Accès immédiat."),
              ElementsAre("Nous exigeons : Accès immédiat."));
}

// --- Quotes, emphasis and marks ----------------------------------------------

TEST(SegmenterTest, FrenchGuillemetsWithSpaces) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr,
                        "La campagne « Gaza doit vivre ! » pour "
                        "l'hôpital Al-Awda ! Faites confiance."),
              ElementsAre("La campagne « Gaza doit vivre ! » pour l'hôpital "
                          "Al-Awda !",
                          "Faites confiance."));
  EXPECT_THAT(Sentences(*fr, "« C'est fini ! » Il partit."),
              ElementsAre("« C'est fini ! »", "Il partit."));
  EXPECT_THAT(Sentences(*fr, "Il a dit : « Fin. » Puis il partit."),
              ElementsAre("Il a dit : « Fin. »", "Puis il partit."));
  // With narrow no-break spaces, as French typography wants.
  const std::string quoted = "«" + kNnbsp + "Pourquoi" + kNnbsp + "?" + kNnbsp +
                             "»" + " demanda-t-il. Rien" + kNnbsp + "!";
  EXPECT_THAT(Sentences(*fr, quoted),
              ElementsAre("«" + kNnbsp + "Pourquoi" + kNnbsp + "?" + kNnbsp +
                              "» demanda-t-il.",
                          "Rien" + kNnbsp + "!"));
}

TEST(SegmenterTest, QuotesAfterTerminator) {
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "She turned to him, \"This is great.\" she said."),
              ElementsAre("She turned to him, \"This is great.\" she said."));
  EXPECT_THAT(Sentences(*en, "She said, \"This is great.\" She left."),
              ElementsAre("She said, \"This is great.\"", "She left."));
  EXPECT_THAT(Sentences(*en, "“Help!” she cried. Nobody came."),
              ElementsAre("“Help!” she cried.", "Nobody came."));
  EXPECT_THAT(Sentences(*en,
                        "She works at Yahoo! in the accounting "
                        "department."),
              ElementsAre("She works at Yahoo! in the accounting department."));
}

TEST(SegmenterTest, MarkdownEmphasisAndFootnoteMarkStayWithSentence) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr,
                        "**Préparons le pacte !** Internationalisons la "
                        "collecte."),
              ElementsAre("**Préparons le pacte !**",
                          "Internationalisons la collecte."));
  EXPECT_THAT(
      Sentences(*fr,
                "Le FPLP écrit : « *L'accord est signé. Il "
                "tient.* »¹"),
      ElementsAre("Le FPLP écrit : « *L'accord est signé.", "Il tient.* »¹"));
}

TEST(SegmenterTest, EllipsisAndNoSpaceAfterPeriod) {
  auto fr = For("fr");
  EXPECT_THAT(Sentences(*fr, "Il hésita… puis partit. Voilà."),
              ElementsAre("Il hésita… puis partit.", "Voilà."));
  EXPECT_THAT(Sentences(*fr, "aux mouvements de protestations.manifestations."),
              ElementsAre("aux mouvements de protestations.manifestations."));
  EXPECT_THAT(
      Sentences(*fr, "Voir www.icor.info et srapapc@gmail.com. Merci."),
      ElementsAre("Voir www.icor.info et srapapc@gmail.com.", "Merci."));
}

TEST(SegmenterTest, ChineseAndJapanese) {
  EXPECT_THAT(Sentences(*For("zh-Hans"),
                        "人人生而自由。他们赋有理性和良心！"
                        "对吗？"),
              ElementsAre("人人生而自由。", "他们赋有理性和良心！", "对吗？"));
  EXPECT_THAT(Sentences(*For("ja"), "これはペンです。あれは何ですか？"),
              ElementsAre("これはペンです。", "あれは何ですか？"));
}

TEST(SegmenterTest, InlineEnumerations) {
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "1.) The first item 2.) The second item"),
              ElementsAre("1.) The first item", "2.) The second item"));
  EXPECT_THAT(Sentences(*en, "a. The first item b. The second item"),
              ElementsAre("a. The first item", "b. The second item"));
  EXPECT_THAT(Sentences(*en, "We need: 1) bread 2) milk 3) eggs"),
              ElementsAre("We need:", "1) bread", "2) milk", "3) eggs"));
  // Not in sequence, or not starting a line or following a colon: no list.
  EXPECT_THAT(Sentences(*en, "He won 1) race and lost 3) others."),
              ElementsAre("He won 1) race and lost 3) others."));
  EXPECT_THAT(Sentences(*en, "Add 1) salt 2) pepper."),
              ElementsAre("Add 1) salt 2) pepper."));
  // No space after the marker: "1.gelato, 2.carne" is not a list.
  EXPECT_THAT(Sentences(*For("it"), "Ecco: 1.gelato, 2.carne, 3.riso."),
              ElementsAre("Ecco: 1.gelato, 2.carne, 3.riso."));
  // A date is not an enumeration: "1. 2. 2020".
  EXPECT_THAT(Sentences(*For("de"), "Am 1. 2. 2020 kam er. Gut."),
              ElementsAre("Am 1. 2. 2020 kam er.", "Gut."));
}

TEST(SegmenterTest, EmbeddedQuotationsAndBrackets) {
  // A quotation that does not end with a terminator of its own is part of
  // the sentence around it.
  EXPECT_THAT(Sentences(*For("sk"),
                        "„Prieskumy beriem na ľahkú váhu. V podstate ma to "
                        "nezaujíma,“ reagoval Matovič. Potom odišiel."),
              ElementsAre("„Prieskumy beriem na ľahkú váhu. V podstate ma to "
                          "nezaujíma,“ reagoval Matovič.",
                          "Potom odišiel."));
  EXPECT_THAT(Sentences(*For("ru"),
                        "«Куда ты? – спросила мама. – Завтра выходной». Он "
                        "промолчал."),
              ElementsAre("«Куда ты? – спросила мама. – Завтра выходной».",
                          "Он промолчал."));
  // One that ends with its own terminator may hold several sentences.
  EXPECT_THAT(
      Sentences(*For("fr"), "Il a dit : « C'est fini. On rentre. » Puis rien."),
      ElementsAre("Il a dit : « C'est fini.", "On rentre. »", "Puis rien."));
  // Brackets alike, and an omission mark is not an end.
  EXPECT_THAT(
      Sentences(*For("de"), "Er kam (siehe Nr. 5. Absatz) spät. Dann ging er."),
      ElementsAre("Er kam (siehe Nr. 5. Absatz) spät.", "Dann ging er."));
  EXPECT_THAT(
      Sentences(*For("it"),
                "\"Ei fu. Siccome immobile / [...]\" (Manzoni). Poi."),
      ElementsAre("\"Ei fu. Siccome immobile / [...]\" (Manzoni).", "Poi."));
  // A title in 《》 with a "！" inside.
  EXPECT_THAT(Sentences(*For("zh"), "我们去看《摔跤吧！爸爸》好吗？好！"),
              ElementsAre("我们去看《摔跤吧！爸爸》好吗？", "好！"));
}

TEST(SegmenterTest, OpeningBracketAfterTerminatorStartsNextSentence) {
  // ICU counts "《" after "。”" as closing punctuation of the sentence
  // before.
  EXPECT_THAT(Sentences(*For("zh"), "他说：“完了。”《宣言》全文如下。"),
              ElementsAre("他说：“完了。”", "《宣言》全文如下。"));
  EXPECT_THAT(Sentences(*For("ja"), "次です。「はい。」これは本です。"),
              ElementsAre("次です。", "「はい。」", "これは本です。"));
  // A quoting particle keeps the quotation in its sentence.
  EXPECT_THAT(Sentences(*For("ja"), "「そうですか。」と彼は言った。次。"),
              ElementsAre("「そうですか。」と彼は言った。", "次。"));
}

TEST(SegmenterTest, AbbreviationsWrittenWithSpaces) {
  EXPECT_THAT(Sentences(*For("es"), "Vive en los EE. UU. desde 2010. Bien."),
              ElementsAre("Vive en los EE. UU. desde 2010.", "Bien."));
  EXPECT_THAT(Sentences(*For("sk"), "Firma ABC s. r. o. zanikla. Koniec."),
              ElementsAre("Firma ABC s. r. o. zanikla.", "Koniec."));
  EXPECT_THAT(Sentences(*For("kk"), "Мысалы, т. б. (тағы басқа). Соңы."),
              ElementsAre("Мысалы, т. б. (тағы басқа).", "Соңы."));
}

TEST(SegmenterTest, ProperNamesAfterAbbreviations) {
  auto en = For("en");
  EXPECT_THAT(Sentences(*en, "I work for the U.S. Government in Virginia."),
              ElementsAre("I work for the U.S. Government in Virginia."));
  EXPECT_THAT(Sentences(*en, "I live in the U.S. How about you?"),
              ElementsAre("I live in the U.S.", "How about you?"));
  EXPECT_THAT(Sentences(*en, "I visited the U.S.A. last year."),
              ElementsAre("I visited the U.S.A. last year."));
}

TEST(SegmenterTest, EllipsesAndNumbers) {
  auto en = For("en");
  EXPECT_THAT(
      Sentences(*en, "the thing is . . . I didn’t mean it. Next . . . . End."),
      ElementsAre("the thing is . . . I didn’t mean it.", "Next . . . .",
                  "End."));
  EXPECT_THAT(Sentences(*en, "It was compounds. . . . The practice stayed."),
              ElementsAre("It was compounds.", ". . . The practice stayed."));
  EXPECT_THAT(Sentences(*For("nl"), "Het was raak. ...en toen barste het."),
              ElementsAre("Het was raak.", "...en toen barste het."));
  EXPECT_THAT(Sentences(*For("es"), "1 + 1 es 2. 2 + 2 es 4. El auto."),
              ElementsAre("1 + 1 es 2.", "2 + 2 es 4.", "El auto."));
  EXPECT_THAT(Sentences(*For("es"), "Compra: 1.Helado, 2.Carne. ¿Algo más?"),
              ElementsAre("Compra: 1.Helado, 2.Carne.", "¿Algo más?"));
  EXPECT_THAT(Sentences(*en, "Please turn to p. 55. Then read."),
              ElementsAre("Please turn to p. 55.", "Then read."));
}

TEST(SegmenterTest, MoreLanguages) {
  // Armenian: the colon typed for the full stop "։".
  EXPECT_THAT(Sentences(*For("hy"), "Բարև Ձեզ: Իմ անունն Արմինե է:"),
              ElementsAre("Բարև Ձեզ:", "Իմ անունն Արմինե է:"));
  // Greek: a whole word before a period ends a sentence before lower case;
  // an abbreviation does not.
  EXPECT_THAT(Sentences(*For("el"), "Δεν ήρθε κανένας. το σπίτι ήταν άδειο."),
              ElementsAre("Δεν ήρθε κανένας.", "το σπίτι ήταν άδειο."));
  EXPECT_THAT(Sentences(*For("el"), "Βλ. σελ. 5 και π.χ. το σπίτι."),
              ElementsAre("Βλ. σελ. 5 και π.χ. το σπίτι."));
  // Kazakh: a question before a lower-case word ends, before a dash not.
  EXPECT_THAT(Sentences(*For("kk"), "Кім? не? Бар? — деді."),
              ElementsAre("Кім?", "не?", "Бар? — деді."));
  // Initials before a surname in Cyrillic.
  EXPECT_THAT(Sentences(*For("kk"), "Кезінде А. Фарахани келді."),
              ElementsAre("Кезінде А. Фарахани келді."));
  // Turkish ordinals; Slovak, Polish dates and Roman ordinals.
  EXPECT_THAT(Sentences(*For("tr"), "1. Dünya Savaşı başladı. Toplam 25. Ali."),
              ElementsAre("1. Dünya Savaşı başladı.", "Toplam 25.", "Ali."));
  EXPECT_THAT(Sentences(*For("sk"), "Ide o príslušníkov XII. Pluku."),
              ElementsAre("Ide o príslušníkov XII. Pluku."));
  EXPECT_THAT(Sentences(*For("sk"), "Založená 7. Apríla 2020. Koniec."),
              ElementsAre("Založená 7. Apríla 2020.", "Koniec."));
  EXPECT_THAT(Sentences(*For("pl"), "W 1990 r. w Warszawie. XX w. był trudny."),
              ElementsAre("W 1990 r. w Warszawie.", "XX w. był trudny."));
  // Bulgarian and Ukrainian years, Danish ordinals before a month.
  EXPECT_THAT(Sentences(*For("bg"), "Управлява 150 г. Саргон надделява."),
              ElementsAre("Управлява 150 г. Саргон надделява."));
  EXPECT_THAT(Sentences(*For("uk"), "Проф. Шевченко прийшов. Див. розд. 3."),
              ElementsAre("Проф. Шевченко прийшов.", "Див. розд. 3."));
  EXPECT_THAT(Sentences(*For("da"), "Den 1. Maj er fri. Skt. Hans er i juni."),
              ElementsAre("Den 1. Maj er fri.", "Skt. Hans er i juni."));
  // Devanagari, Bengali and Ethiopic titles; Devanagari has no capitals.
  EXPECT_THAT(Sentences(*For("hi"), "डॉ. शर्मा आए। वे खुश थे।"),
              ElementsAre("डॉ. शर्मा आए।", "वे खुश थे।"));
  EXPECT_THAT(Sentences(*For("mr"), "सौ. कुलकर्णी आल्या. आज दसरा आहे."),
              ElementsAre("सौ. कुलकर्णी आल्या.", "आज दसरा आहे."));
  EXPECT_THAT(Sentences(*For("bn"), "ডা. রহমান এলেন। তিনি খুশি।"),
              ElementsAre("ডা. রহমান এলেন।", "তিনি খুশি।"));
  EXPECT_THAT(Sentences(*For("am"), "ዶ.ር አበበ መጣ። ምን አልክ?"),
              ElementsAre("ዶ.ር አበበ መጣ።", "ምን አልክ?"));
  // Arabic: bidi marks around an abbreviation's period; the colon and the
  // comma do not end sentences.
  EXPECT_THAT(Sentences(*For("ar"),
                        "وقال د\u202a.\u202c ديفيد إنها مريضة، وقال: لا. ثم "
                        "غادر."),
              ElementsAre("وقال د\u202a.\u202c ديفيد إنها مريضة، وقال: لا.",
                          "ثم غادر."));
}

TEST(SegmenterTest, ArbitraryBytesKeepTheContract) {
  // Ill-formed UTF-8, control characters and every rule family's trigger
  // characters, at random: offsets ascend, end at the size, and cover the
  // text (Pieces checks all three).
  std::mt19937 rng(42);
  const std::string alphabet =
      ". ! ? … : ; , ( ) [ ] \" « » „ “ ” ' \n \r \t 1 2 a b A B "
      "\xC2\xA0 \xE2\x80\xAF \xE3\x80\x82 \xEF\xBC\x9F \xE2\x80\xA2 "
      "\x80 \xC3 \xE2\x80 \xF0\x9F \xFF";
  const std::vector<std::string> pieces = absl::StrSplit(alphabet, ' ');
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> len(1, 80);
  for (const char* lang : {"en", "fr", "de", "ru", "ja", "hy", "ar", "el"}) {
    auto seg = For(lang);
    for (int i = 0; i < 300; ++i) {
      std::string text;
      for (int k = len(rng); k > 0; --k) {
        text += pieces[pick(rng)];
        if (k % 3 == 0) text += ' ';
      }
      Pieces(*seg, text);
    }
  }
}

// --- Rule engine (custom rules) ---------------------------------------------

TEST(SegmenterRulesTest, NobreakVetoesAndFirstMatchWins) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create(R"(
# "Foo." before anything: no break; then a broader break rule.
nobreak \bFoo\. \s
break \. \s
)",
                                                   "en"));
  EXPECT_THAT(Sentences(*seg, "Ask Foo. Bar said no. Then he went."),
              ElementsAre("Ask Foo. Bar said no.", "Then he went."));
}

TEST(SegmenterRulesTest, BreakRuleAddsBoundaryIcuDoesNotPropose) {
  auto plain = Segmenter::Create("", "en");
  ASSERT_OK(plain);
  // ICU does not break "end.Then" (no space).
  EXPECT_THAT(Sentences(**plain, "The end.Then more."),
              ElementsAre("The end.Then more."));
  ASSERT_OK_AND_ASSIGN(auto seg,
                       Segmenter::Create("break \\p{Ll}\\. \\p{Lu}", "en"));
  EXPECT_THAT(Sentences(*seg, "The end.Then more."),
              ElementsAre("The end.", "Then more."));
}

TEST(SegmenterRulesTest, WordListsMatchWholeTokens) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create(R"(
words ABBR pp. Gen.
iwords CI etc.
nobreak @ABBR \s
nobreak @CI \s
)",
                                                   "en"));
  EXPECT_THAT(Sentences(*seg, "See pp. Five. I met Philipp. He left."),
              ElementsAre("See pp. Five.", "I met Philipp.", "He left."));
  // Case-sensitive list: "GEN." is not "Gen.".
  EXPECT_THAT(Sentences(*seg, "Gen. Lee came. GEN. Lee left."),
              ElementsAre("Gen. Lee came.", "GEN.", "Lee left."));
  // Case-insensitive, and leading brackets are not part of the token.
  EXPECT_THAT(Sentences(*seg, "Fruit (ETC. Apples) here."),
              ElementsAre("Fruit (ETC. Apples) here."));
}

TEST(SegmenterRulesTest, CandidatesPatternAddsPositions) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create(R"(
candidates §
break \s §
)",
                                                   "en"));
  EXPECT_THAT(Sentences(*seg, "Intro § One § Two"),
              ElementsAre("Intro", "§ One", "§ Two"));
}

TEST(SegmenterRulesTest, AfterListsAndExtraTerminators) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create(R"(
terminators :
words PREFIX Gen.
words STARTERS It
break @PREFIX @STARTERS
nobreak @PREFIX \s
break [a-z]: \s+\p{Lu}
)",
                                                   "en"));
  EXPECT_THAT(Sentences(*seg, "Ask Gen. Lee. Ask Gen. It works."),
              ElementsAre("Ask Gen. Lee.", "Ask Gen.", "It works."));
  EXPECT_THAT(Sentences(*seg, "Note: Then more. Time 10:30 Ok."),
              ElementsAre("Note:", "Then more.", "Time 10:30 Ok."));
}

TEST(SegmenterRulesTest, WordListsIgnoreFormatCharactersAndJoinSpacedParts) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create(R"(
iwords ABBR z.b. dr.
nobreak @ABBR \s
)",
                                                   "de"));
  EXPECT_THAT(Sentences(*seg, "Obst, z. B. Äpfel. Dr\u200e. Weber kam."),
              ElementsAre("Obst, z. B. Äpfel.", "Dr\u200e. Weber kam."));
}

TEST(SegmenterRulesTest, QuotesAndEnumerationsAreDirectives) {
  // Without the directives, ICU's breaks stand.
  ASSERT_OK_AND_ASSIGN(auto plain, Segmenter::Create("", "en"));
  EXPECT_THAT(Sentences(*plain, "He said «Stop. Now,» and left."),
              ElementsAre("He said «Stop.", "Now,» and left."));
  EXPECT_THAT(Sentences(*plain, "1. One 2. Two"),
              ElementsAre("1.", "One 2.", "Two"));
  ASSERT_OK_AND_ASSIGN(auto seg,
                       Segmenter::Create("quotes «»\nenumerations N.", "en"));
  EXPECT_THAT(Sentences(*seg, "He said «Stop. Now,» and left."),
              ElementsAre("He said «Stop. Now,» and left."));
  EXPECT_THAT(Sentences(*seg, "1. One 2. Two"),
              ElementsAre("1. One", "2. Two"));
}

TEST(SegmenterRulesTest, IncludeBuiltInFile) {
  ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::Create("include en", "en"));
  EXPECT_THAT(Sentences(*seg, "Mr. Smith came."),
              ElementsAre("Mr. Smith came."));
}

TEST(SegmenterRulesTest, ErrorsNameFileAndLine) {
  EXPECT_THAT(Segmenter::Create("nobreak \\bFoo\\. (\n", "en"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("<custom>:1: after pattern '('")));
  EXPECT_THAT(
      Segmenter::Create("# ok\nnobreak a+\\. \\s", "en"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("<custom>:2"), HasSubstr("bounded length"))));
  EXPECT_THAT(Segmenter::Create("nobreak @NOPE \\s", "en"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'NOPE' is never declared")));
  EXPECT_THAT(Segmenter::Create("include nosuchfile", "en"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no rule file 'nosuchfile'")));
  EXPECT_THAT(Segmenter::Create("", "not a tag"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Registry ---------------------------------------------------------------

TEST(SegmenterRegistryTest, CachedAndSharedPerLanguage) {
  auto fr = For("fr");
  EXPECT_EQ(fr, For("fr"));
  EXPECT_EQ(fr, For("fr-CA"));
  EXPECT_EQ(fr->rules_name(), "fr");
  EXPECT_EQ(For("pt-BR")->rules_name(), "pt");
  // Languages without a rule file share the common rules.
  EXPECT_EQ(For("ckb")->rules_name(), "common");
  EXPECT_EQ(For("ckb"), For("sw"));
  EXPECT_THAT(Segmenter::ForLanguage("en--US"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SegmenterRegistryTest, EveryBuiltInRuleFileCompiles) {
  const std::vector<std::string_view> names = internal::BuiltinRuleFileNames();
  EXPECT_THAT(names, Contains("common"));
  for (const char* lang :
       {"en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk",
        "bg", "pl", "sk", "da", "tr", "el", "ar", "fa", "ur",
        "hy", "hi", "mr", "bn", "zh", "ja", "am", "my", "kk"}) {
    EXPECT_THAT(names, Contains(lang));
  }
  for (std::string_view name : names) {
    // "common" and the fragments ("_cyrillic") are only included.
    if (name == "common" || name[0] == '_') {
      EXPECT_OK(Segmenter::Create(StrCat("include ", name), "en")) << name;
      continue;
    }
    ASSERT_OK_AND_ASSIGN(auto seg, Segmenter::ForLanguage(name));
    EXPECT_EQ(seg->rules_name(), name);
  }
}

TEST(SegmenterTest, ConcurrentSplitsAgree) {
  auto fr = For("fr");
  const std::string text =
      "M. Dupont est venu. « Gaza doit vivre ! » pour tous ! Le 1er mai, "
      "2 000 personnes.\nLigne suivante. Fin.\n\nNouveau paragraphe.";
  const std::vector<size_t> want = fr->Split(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        if (fr->Split(text) != want) ++mismatches;
        // Interleave another language on the same thread.
        if (For("de")->Split("Am 3. Oktober. Ja.").size() != 2) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// --- Seed documents
// -----------------------------------------------------------

std::string ReadShared(const std::string& path) {
  std::ifstream in(std::string(TESSERA_SHARED_DIR) + "/" + path,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits a document into paragraphs (blocks separated by blank lines) and
// segments each one; returns every non-blank sentence, trimmed. Segmenting
// the whole document at once must give the same sentences, since a blank
// line always ends one.
std::vector<std::string> SegmentSeed(const std::string& file) {
  const std::string doc = ReadShared("corpus/seeds/" + file);
  auto fr = For("fr");
  std::vector<std::string> by_paragraph;
  for (absl::string_view para : absl::StrSplit(doc, absl::ByString("\n\n"))) {
    for (std::string& s : Sentences(*fr, std::string(para))) {
      if (!s.empty()) by_paragraph.push_back(std::move(s));
    }
  }
  std::vector<std::string> whole;
  for (std::string& s : Sentences(*fr, doc)) {
    if (!s.empty()) whole.push_back(std::move(s));
  }
  EXPECT_EQ(whole, by_paragraph);
  return by_paragraph;
}

TEST(SeedSegmentationTest, IcorResolution) {
  const std::vector<std::string> s =
      SegmentSeed("icor-resolution-gaza-ceasefire.fr.txt");
  EXPECT_THAT(s, Contains("Partout, à Gaza et dans le monde entier, les gens "
                          "célèbrent l'annonce du cessez-le-feu."));
  // The quotation is split at its inner full stop; the closing emphasis,
  // guillemet and footnote mark stay with the second half.
  EXPECT_THAT(s, Contains("Le FPLP écrit : « *L'accord de cessez-le-feu est la "
                          "première étape pour mettre fin au génocide."));
  EXPECT_THAT(s, Contains("La fermeté et la résistance active du peuple "
                          "palestinien ont brisé la machine de guerre "
                          "sioniste et rendu l'accord possible.* »¹"));
  EXPECT_THAT(s, Contains("Les forces révolutionnaires faisaient souvent "
                          "partie activement aux mouvements de "
                          "protestations.manifestations."));
  EXPECT_THAT(s, Contains("Ainsi, environ 2 000 prisonniers palestiniens "
                          "doivent être libérés."));
  EXPECT_THAT(s, Contains("1 Déclaration du FPLP du 9 octobre 2025, citée "
                          "d'après fightbacknews.com"));
  EXPECT_THAT(s, Contains("Nous exigeons :"));
  EXPECT_THAT(s, Contains("Accès immédiat et libre pour les denrées "
                          "alimentaires et autres biens de première "
                          "nécessité, ainsi que pour les organisations qui "
                          "souhaitent reconstruire le pays avec le peuple "
                          "palestinien !"));
  EXPECT_THAT(s, Contains("Fin immédiate du blocus contraire au droit "
                          "international !"));
  EXPECT_THAT(s, Contains("Restons donc vigilants !"));
  EXPECT_THAT(s, Contains("**Préparons dès maintenant la mise en œuvre du "
                          "pacte de solidarité !**"));
  EXPECT_THAT(s, Contains("Internationalisons la collecte de dons et la "
                          "mobilisation des brigadistes."));
  EXPECT_THAT(s, Contains("Et surtout : collectons les 500 000 dollars minimum "
                          "encore nécessaires à cet effet !"));
  // A bold demand with a quoted "!" inside and a second sentence.
  EXPECT_THAT(s, Contains("- **Collectons des dons dans le monde entier pour "
                          "la campagne « Gaza doit vivre ! » pour la "
                          "reconstruction de l'hôpital Al-Awda !"));
  EXPECT_THAT(s, Contains("Faites confiance aux masses populaires et "
                          "appuyez-vous sur elles.**"));
  EXPECT_THAT(s, Contains("- **Retrait complet de toutes les troupes "
                          "d'occupation israéliennes !**"));
  EXPECT_THAT(s, Contains("Statut des signataires 08.11.2025."));
  EXPECT_THAT(s, Contains("Autre signature possible."));
  EXPECT_THAT(s, Contains("Liste actuelle des signataires à l'adresse "
                          "www.icor.info"));

  // The 28 signatories, one sentence each, in order.
  std::vector<std::string> signatories;
  for (const std::string& sentence : s) {
    const size_t dot = sentence.find(". ");
    if (dot == std::string::npos || dot > 2) continue;
    if (sentence.find_first_not_of("0123456789") != dot) continue;
    signatories.push_back(sentence);
  }
  ASSERT_EQ(signatories.size(), 28u);
  for (size_t i = 0; i < signatories.size(); ++i) {
    EXPECT_THAT(signatories[i], StartsWith(std::to_string(i + 1) + ". "));
    EXPECT_EQ(signatories[i].find('\n'), std::string::npos) << signatories[i];
  }
  EXPECT_EQ(signatories[3],
            "4. CPSA (ML) Communist Party of South Africa (Marxist-Leninist) "
            "(Parti communiste d'Afrique du Sud (marxistes-léninistes))");
  EXPECT_EQ(signatories[10],
            "11. Krasnyj Klin Аб'яднання беларускіх камуністаў «Чырвоны Клін» "
            "(Association des communistes biélorusses \"Coin Rouge\"), "
            "Bélarus");
}

TEST(SeedSegmentationTest, RedPartyReport) {
  const std::vector<std::string> s =
      SegmentSeed("red-party-toulouse-report.fr.txt");
  EXPECT_THAT(s, Contains("Actualité > Du monde à la ’Red Party’ en soutien au "
                          "Bataillon International de Libération" +
                          kNbsp + "(...)"));
  EXPECT_THAT(s, Contains("Le vendredi 03 février 2017 s’est tenue la Red "
                          "Party à Toulouse."));
  EXPECT_THAT(s, Contains("Dans le cadre des «" + kNbsp +
                          "Vendredi de la solidarité" + kNbsp +
                          "» du Centre Social Autogéré - CSA de Toulouse, "
                          "c’est finalement plus d’une centaine de personnes "
                          "qui sont venues durant la soirée."));
  EXPECT_THAT(s, Contains("Pour celles et ceux voulant suivre les prochaines "
                          "initiatives c’est ICI."));
  EXPECT_THAT(s, Contains("D’ailleurs, il a été rappelé qu’elle est ouverte "
                          "aux bonnes volontés collectives ou individuelles "
                          "se reconnaissant dans son texte d’appel (voir ICI "
                          "pour le signer envoyer un mail à "
                          "srapapc@gmail.com )."));
  EXPECT_THAT(s, Contains("A ce sujet, pour continuer le débat, n’hésitez pas "
                          "à consulter ces deux documents sur notre site" +
                          kNbsp + ":"));
  EXPECT_THAT(s, Contains("-" + kNbsp +
                          "A propos du Confédéralisme "
                          "Démocratique"));
  EXPECT_THAT(s,
              Contains("-" + kNbsp + "Guerre en Syrie et au Kurdistan" + kNbsp +
                       ": lettre ouverte pour sortir de la confusion"));
  EXPECT_THAT(s, Contains("Merci à elle et eux pour l’ambiance" + kNbsp + "!"));
  // Lines holding only an NBSP separate paragraphs; they join the sentence
  // before them rather than start one.
  const std::string doc =
      ReadShared("corpus/seeds/red-party-toulouse-report.fr.txt");
  const std::vector<std::string> pieces = Pieces(*For("fr"), doc);
  EXPECT_THAT(pieces, Contains("Il est important de les faire vivre. "));
  EXPECT_THAT(pieces, Contains("Pour celles et ceux voulant suivre les "
                               "prochaines initiatives c’est ICI.\n\n" +
                               kNbsp + "\n\n"));
}

TEST(SeedSegmentationTest, CnpjdpiCommunique) {
  const std::vector<std::string> s =
      SegmentSeed("cnpjdpi-communique-omar-alsoumi.fr.txt");
  EXPECT_THAT(s, Contains("Son seul “crime” est d’avoir dénoncé les massacres "
                          "de civils à Gaza, pourtant documentés par l’ONU et "
                          "condamnés par le Tribunal pénal international."));
  EXPECT_THAT(s, Contains("Ce qui arrive à Omar Alsoumi n’est pas un fait "
                          "isolé."));
  EXPECT_THAT(s, Contains("La FIDH, dans son rapport « Criminalisation et "
                          "contrôle du récit : la solidarité avec la "
                          "Palestine en ligne de mire » (octobre 2025), "
                          "alerte sur cette offensive répressive visant à "
                          "faire taire les voix de la solidarité."));
  EXPECT_THAT(s, Contains("Être solidaire de la Palestine n’est pas un crime "
                          ": c’est un devoir."));
  EXPECT_THAT(s, Contains("Le CNPJDPI exige la libération immédiate d’Omar "
                          "Alsoumi et l’abandon de toutes les poursuites à "
                          "son encontre"));
  // The ~50 signatories separated by dashes stay one segment: "Ami(e)s",
  // "5e arrt" and "militant·es" do not split it.
  int list_segments = 0;
  for (const std::string& sentence : s) {
    if (sentence.find("Agir Contre le Colonialisme Aujourd’hui") !=
        std::string::npos) {
      ++list_segments;
      EXPECT_THAT(sentence, HasSubstr("Ami(e)s Contre la Guerre (4ACG)"));
      EXPECT_THAT(sentence, HasSubstr("du 5e arrt (CJPP5)"));
      EXPECT_THAT(sentence, HasSubstr("Union syndicale Solidaires"));
    }
  }
  EXPECT_EQ(list_segments, 1);
  EXPECT_THAT(s, Contains(">> Téléchargé le communiqué (pdf)\nPremiers "
                          "signataires du Collectif national pour une paix "
                          "juste et durable entre Palestiniens et Israéliens "
                          ":"));
}

}  // namespace
}  // namespace tessera::text

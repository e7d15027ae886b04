#include "services/memory/memory_score.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/memory/memory_oracle.h"
#include "services/memory/memory_test_corpus.h"

namespace tessera::memory {
namespace {

ScoreForm P(const std::string& readable, const std::string& lang = "fr") {
  auto c = formats::ParseReadable(readable);
  EXPECT_TRUE(c.ok()) << readable;
  return Prepare(*c, lang);
}

TEST(MemoryScoreTest, TokenKinds) {
  ScoreForm f = P("Nous {1}exigeons{/1} :  12,5 % de https://x.org, maintenant !");
  std::vector<std::pair<TokenKind, std::string>> got;
  for (const Token& t : f.tokens) got.emplace_back(t.kind, t.text);
  using K = TokenKind;
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair{K::kWord, std::string("Nous")},
                       std::pair{K::kCode, std::string("{1}")},
                       std::pair{K::kWord, std::string("exigeons")},
                       std::pair{K::kCode, std::string("{/1}")},
                       std::pair{K::kPunct, std::string(":")},
                       std::pair{K::kNumber, std::string("12,5 %")},
                       std::pair{K::kWord, std::string("de")},
                       std::pair{K::kNumber, std::string("https://x.org")},
                       std::pair{K::kPunct, std::string(",")},
                       std::pair{K::kWord, std::string("maintenant")},
                       std::pair{K::kPunct, std::string("!")}));
  EXPECT_EQ(f.normalized, "Nous exigeons : 12,5 % de https://x.org, maintenant !");
}

TEST(MemoryScoreTest, OnlyNumbersCodesPunctuationDifferMeansNinetyFiveOrMore) {
  const ScoreForm a = P("Le conseil adopte la résolution 2025 sur la paix et la justice.");
  EXPECT_DOUBLE_EQ(Score(a, a), 1.0);
  const double number = Score(a, P("Le conseil adopte la résolution 2026 sur la paix et la justice."));
  const double code = Score(a, P("Le conseil adopte la {1}résolution{/1} 2025 sur la paix et la justice."));
  const double punct = Score(a, P("Le conseil adopte la résolution 2025 sur la paix et la justice !"));
  const double word = Score(a, P("Le conseil adopte la résolution 2025 sur la guerre et la justice."));
  const double casing = Score(a, P("le Conseil adopte la résolution 2025 sur la paix et la justice."));
  for (double s : {number, code, punct, casing}) {
    EXPECT_GE(s, 0.95);
    EXPECT_LT(s, 1.0);
  }
  EXPECT_LT(word, 0.95);
  // 11 words, a number, a full stop: W = 11.6; "paix" -> "guerre" costs
  // 0.75 + 0.25 * 6/6.
  EXPECT_NEAR(word, 1 - 1.0 / 11.6, 1e-9);
  // A paired code added costs 2 * 0.2; moved, the same.
  EXPECT_NEAR(code, 1 - 0.4 / 12.0, 1e-9);
  EXPECT_NEAR(Score(P("Le conseil adopte la {1}résolution{/1} 2025 sur la paix et la justice."),
                    P("Le conseil adopte la {1}résolution 2025{/1} sur la paix et la justice.")),
              1 - 0.4 / 12.0, 1e-9);
}

TEST(MemoryScoreTest, ShortSegmentsUseCharacters) {
  // 3 words: 1 - Levenshtein / longer length, codes removed.
  EXPECT_NEAR(Score(P("Nous {1}exigeons{/1} :"), P("Vous exigez :")),
              1 - 4.0 / 15, 1e-12);
}

TEST(MemoryScoreTest, CutOffAgreesWithOracle) {
  std::mt19937_64 rng(7);
  const auto corpus = LoadCorpus(TESSERA_SHARED_DIR "/corpus");
  ASSERT_GT(corpus.size(), 500u);
  int compared = 0;
  for (size_t i = 0; i < corpus.size(); i += 7) {
    const auto& s = corpus[i];
    const ScoreForm a = Prepare({s.text, {}}, s.language);
    for (const formats::Content& v : MakeVariants(s.text, &rng)) {
      const ScoreForm b = Prepare(v, s.language);
      const double oracle = OracleScore(a, b);
      EXPECT_EQ(Score(a, b), oracle) << s.text << " / " << v.text;
      for (double t : {0.5, 0.75, 0.95}) {
        const double cut = ScoreAtLeast(a, b, t);
        EXPECT_EQ(cut, oracle >= t ? oracle : -1.0) << s.text << " @" << t;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 900);
}

TEST(MemoryScoreTest, DiffNamesChangedTokens) {
  const auto edits = Diff(P("Nous exigeons la paix en 2026 maintenant"),
                          P("Nous exigeons la paix en 2025"));
  std::vector<std::string> got;
  for (const TokenEdit& e : edits) {
    if (e.op == TokenEdit::Op::kChange) got.push_back("~" + e.unit_text + ">" + e.query_text);
    if (e.op == TokenEdit::Op::kInsert) got.push_back("+" + e.query_text);
    if (e.op == TokenEdit::Op::kDelete) got.push_back("-" + e.unit_text);
  }
  EXPECT_THAT(got, ::testing::ElementsAre("~2025>2026", "+maintenant"));
}

}  // namespace
}  // namespace tessera::memory

#include "services/memory/memory_signature.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "services/memory/memory_oracle.h"

namespace tessera::memory {
namespace {

ScoreForm P(const std::string& text) { return Prepare({text, {}}, "fr"); }

// The bit-parallel distance is the Levenshtein distance, for patterns of
// every length up to 64 (the last bit is where off-by-ones show).
TEST(MemorySignatureTest, BitParallelDistanceEqualsLevenshtein) {
  std::mt19937_64 rng(7);
  const std::u32string alphabet = U"abcdeé É0 ";
  for (int round = 0; round < 4000; ++round) {
    std::u32string a, b;
    const size_t la = rng() % 65, lb = rng() % 90;
    for (size_t i = 0; i < la; ++i) a.push_back(alphabet[rng() % alphabet.size()]);
    // b: a edited, or random.
    if (rng() % 2) {
      b = a;
      for (int e = 0; e < 4 && !b.empty(); ++e) b.erase(rng() % b.size(), 1);
      b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), U'x');
    } else {
      for (size_t i = 0; i < lb; ++i) b.push_back(alphabet[rng() % alphabet.size()]);
    }
    ASSERT_EQ(CharPattern(a).Distance(b), Levenshtein(a, b))
        << a.size() << " " << b.size();
  }
  const std::u32string full(64, U'a');
  EXPECT_EQ(CharPattern(full).Distance(full), 0);
  EXPECT_EQ(CharPattern(full).Distance(std::u32string(63, U'a')), 1);
  EXPECT_EQ(CharPattern(full).Distance(U""), 64);
  EXPECT_EQ(CharPattern(U"").Distance(U"abc"), 3);
}

// The shared-word count is the multiset intersection of the folded words:
// case-only differences share, repeats count as often as both have them,
// numbers and punctuation are not words.
TEST(MemorySignatureTest, SharedCountIsMultisetIntersectionOfFoldedWords) {
  const ScoreForm a = P("La paix, la PAIX et la justice 12 !");
  const ScoreForm b = P("la paix et la Justice, la guerre 13");
  EXPECT_EQ(SharedCount(HashedWords(a), HashedWords(b)), 6);
  EXPECT_EQ(SharedCount(HashedWords(a), HashedWords(a)), a.words);
  const Signature s = MakeSignature(a);
  EXPECT_EQ(s.words, a.words);
  EXPECT_EQ(s.numbers, 1);
  EXPECT_EQ(s.weight, a.weight);
  EXPECT_EQ(s.chars, a.chars);
  EXPECT_TRUE(MakeSignature(P(std::string(70, 'a'))).chars.empty());
}

TEST(MemorySignatureTest, CacheStartsAfreshWhenFull) {
  const auto sig = std::make_shared<const Signature>(MakeSignature(P("un deux trois quatre")));
  SignatureCache cache(sig->Bytes() * 3);
  for (uint64_t u = 1; u <= 3; ++u) cache.Insert(u, sig);
  EXPECT_EQ(cache.size(), 3u);
  cache.Insert(4, sig);
  EXPECT_EQ(cache.size(), 1u);
  std::vector<std::shared_ptr<const Signature>> out;
  cache.Find({1, 4}, &out);
  EXPECT_EQ(out[0], nullptr);
  EXPECT_EQ(out[1], sig);
}

}  // namespace
}  // namespace tessera::memory

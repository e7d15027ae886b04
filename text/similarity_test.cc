#include "text/similarity.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace tessera::text {
namespace {

constexpr int64_t kPlenty = int64_t{1} << 40;

double Sim(std::string_view a, std::string_view b, double min_similarity,
           int64_t* budget) {
  return EditSimilarity(PrepareSimilarity(a), PrepareSimilarity(b),
                        min_similarity, budget);
}

TEST(EditSimilarityTest, IdenticalTextsScoreOne) {
  EXPECT_EQ(EditSimilarity("", ""), 1.0);
  EXPECT_EQ(EditSimilarity("Le cessez-le-feu", "Le cessez-le-feu"), 1.0);
  int64_t budget = kPlenty;
  EXPECT_EQ(Sim("abc", "abc", 0.5, &budget), 1.0);
}

TEST(EditSimilarityTest, DisjointTextsScoreZero) {
  EXPECT_EQ(EditSimilarity("abc", "xyz"), 0.0);
  EXPECT_EQ(EditSimilarity("", "xyz"), 0.0);
}

TEST(EditSimilarityTest, KnownSmallCases) {
  // kitten -> sitting: distance 3 over 7.
  EXPECT_DOUBLE_EQ(EditSimilarity("kitten", "sitting"), 1.0 - 3.0 / 7.0);
  // One substitution in four.
  EXPECT_DOUBLE_EQ(EditSimilarity("abcd", "abed"), 0.75);
  // One insertion: distance 1 over 5.
  EXPECT_DOUBLE_EQ(EditSimilarity("abcd", "abxcd"), 0.8);
  // Symmetric.
  EXPECT_DOUBLE_EQ(EditSimilarity("sitting", "kitten"), 1.0 - 3.0 / 7.0);
}

TEST(EditSimilarityTest, CountsCodePointsNotBytes) {
  // é and è are two bytes each but one edit apart.
  EXPECT_DOUBLE_EQ(EditSimilarity("café", "cafè"), 0.75);
  EXPECT_DOUBLE_EQ(EditSimilarity("世界人权", "世界人民"), 0.75);
  EXPECT_DOUBLE_EQ(EditSimilarity("😀😀", "😀😃"), 0.5);
  EXPECT_EQ(EditSimilarity("Ελληνικά", "Ελληνικά"), 1.0);
}

TEST(EditSimilarityTest, BelowTheCutOffIsMinusOne) {
  int64_t budget = kPlenty;
  // 0.75 passes a 0.5 cut-off and a 0.75 one, not 0.8.
  EXPECT_DOUBLE_EQ(Sim("abcd", "abed", 0.5, &budget), 0.75);
  EXPECT_DOUBLE_EQ(Sim("abcd", "abed", 0.75, &budget), 0.75);
  EXPECT_EQ(Sim("abcd", "abed", 0.8, &budget), -1);
  // Rejected on length alone, and on the characters in common.
  EXPECT_EQ(Sim("a", "abcdefgh", 0.5, &budget), -1);
  EXPECT_EQ(Sim("abcd", "wxyz", 0.5, &budget), -1);
}

TEST(EditSimilarityTest, BudgetCapsTheWork) {
  // (4+1)*(4+1) = 25 cells.
  int64_t budget = 25;
  EXPECT_DOUBLE_EQ(Sim("abcd", "abed", 0.5, &budget), 0.75);
  EXPECT_EQ(budget, 0);
  EXPECT_EQ(Sim("abcd", "abed", 0.5, &budget), -1);
  EXPECT_EQ(budget, 0);
  // A cheap rejection costs nothing.
  budget = 100;
  EXPECT_EQ(Sim("abcd", "wxyz", 0.5, &budget), -1);
  EXPECT_EQ(budget, 100);
  // Too little budget refuses without spending it.
  budget = 24;
  EXPECT_EQ(Sim("abcd", "abed", 0.5, &budget), -1);
  EXPECT_EQ(budget, 24);
}

}  // namespace
}  // namespace tessera::text

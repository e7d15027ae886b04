#include "formats/content_check.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr size_t kMax = 64;

ContentProblem Problem(std::string field, std::string description) {
  return {std::move(field), std::move(description), std::nullopt};
}

TEST(CheckContentStructureTest, AcceptsWellFormedContent) {
  EXPECT_EQ(CheckContentStructure({"", {}}, kMax, /*required=*/false),
            std::nullopt);
  Content c{"Le « chat » noir",
            {{1, CodeKind::kOpen, 3},
             {1, CodeKind::kClose, 13},
             {2, CodeKind::kStandalone, 13}}};
  EXPECT_EQ(CheckContentStructure(c, kMax, /*required=*/true), std::nullopt);
}

TEST(CheckContentStructureTest, TextProblems) {
  EXPECT_THAT(CheckContentStructure({"", {}}, kMax, /*required=*/true),
              Optional(Problem("text", "is required")));
  EXPECT_THAT(
      CheckContentStructure({std::string(kMax + 1, 'a'), {}}, kMax, false),
      Optional(Problem("text", "is longer than 64 bytes")));
  EXPECT_THAT(CheckContentStructure({"abc\xC3", {}}, kMax, false),
              Optional(ContentProblem{"text", "is not valid UTF-8", 3}));
  EXPECT_THAT(CheckContentStructure({std::string("a\0b", 3), {}}, kMax, false),
              Optional(Problem("text", "contains a NUL character")));
}

TEST(CheckContentStructureTest, CodeReferenceProblems) {
  EXPECT_THAT(CheckContentStructure({"ab", {{0, CodeKind::kStandalone, 0}}},
                                    kMax, false),
              Optional(Problem("codes[0].id", "must be at least 1")));
  EXPECT_THAT(
      CheckContentStructure(
          {"ab",
           {{1, CodeKind::kStandalone, 0}, {2, static_cast<CodeKind>(9), 1}}},
          kMax, false),
      Optional(Problem("codes[1].kind", "must be open, close or standalone")));
  const std::string where =
      "must lie in the text, on a character boundary, and not before the "
      "previous code's";
  // Beyond the text, inside "é", and before the previous reference.
  EXPECT_THAT(CheckContentStructure({"ab", {{1, CodeKind::kStandalone, 3}}},
                                    kMax, false),
              Optional(Problem("codes[0].offset", where)));
  EXPECT_THAT(CheckContentStructure({"é", {{1, CodeKind::kStandalone, 1}}},
                                    kMax, false),
              Optional(Problem("codes[0].offset", where)));
  EXPECT_THAT(CheckContentStructure({"abc",
                                     {{1, CodeKind::kStandalone, 2},
                                      {2, CodeKind::kStandalone, 1}}},
                                    kMax, false),
              Optional(Problem("codes[1].offset", where)));
}

Segment LinkSegment() {
  Segment s;
  s.content.text = "see the docs";
  s.codes = {{1, CodeKind::kOpen, CodeType::kLink, "[", ""},
             {1, CodeKind::kClose, CodeType::kLink, "](u)", ""},
             {2, CodeKind::kStandalone, CodeType::kLineBreak, "\n", "\n"}};
  return s;
}

TEST(FindCodeProblemsTest, MatchingCodesHaveNone) {
  Content c{"voir la doc",
            {{1, CodeKind::kOpen, 8},
             {1, CodeKind::kClose, 11},
             {2, CodeKind::kStandalone, 11}}};
  EXPECT_THAT(FindCodeProblems(LinkSegment(), c), IsEmpty());
}

TEST(FindCodeProblemsTest, ReportsEachProblem) {
  Content c{"voir la doc",
            {{1, CodeKind::kClose, 2},
             {3, CodeKind::kStandalone, 4},
             {1, CodeKind::kOpen, 5},
             {1, CodeKind::kClose, 6}}};
  EXPECT_THAT(FindCodeProblems(LinkSegment(), c),
              ElementsAre(CodeProblem{CodeProblemKind::kCrossed, 0, 1, 2,
                                      "code {/1} closes before it opens"},
                          CodeProblem{CodeProblemKind::kAdded, 1, 3, 4,
                                      "code {3/} is not in the source"},
                          CodeProblem{CodeProblemKind::kDuplicated, 3, 1, 6,
                                      "code {/1} appears more than once"},
                          CodeProblem{CodeProblemKind::kMissing, -1, 2, 0,
                                      "code {2/} (line-break) is missing"}));
}

TEST(FindCodeProblemsTest, CrossedPairs) {
  Segment s;
  s.codes = {{1, CodeKind::kOpen, CodeType::kStrong, "**", ""},
             {1, CodeKind::kClose, CodeType::kStrong, "**", ""},
             {2, CodeKind::kOpen, CodeType::kEmphasis, "*", ""},
             {2, CodeKind::kClose, CodeType::kEmphasis, "*", ""}};
  Content c{"abcd",
            {{1, CodeKind::kOpen, 0},
             {2, CodeKind::kOpen, 1},
             {1, CodeKind::kClose, 2},
             {2, CodeKind::kClose, 3}}};
  EXPECT_THAT(FindCodeProblems(s, c),
              ElementsAre(Field(&CodeProblem::message,
                                "code {/1} crosses another paired code")));
}

}  // namespace
}  // namespace tessera::formats

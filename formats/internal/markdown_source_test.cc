// The source side of Markdown import: line splitting as cmark sees line
// endings, and ContentMap's offsets across verbatim runs, gaps and pipes.
#include "formats/internal/markdown_source.h"

#include "gtest/gtest.h"

namespace tessera::formats::internal {
namespace {

TEST(MarkdownSourceTest, SplitLinesKnowsEveryCmarkLineEnding) {
  std::vector<SourceLine> lines = SplitLines("a\nbc\r\nd\re");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].begin, 0u);
  EXPECT_EQ(lines[0].end, 1u);
  EXPECT_EQ(lines[1].begin, 2u);
  EXPECT_EQ(lines[1].end, 4u);
  EXPECT_EQ(lines[2].begin, 6u);
  EXPECT_EQ(lines[3].begin, 8u);
  EXPECT_EQ(lines[3].end, 9u);
  EXPECT_TRUE(SplitLines("").empty());
  EXPECT_EQ(LineIndex(0), 0u);
  EXPECT_EQ(LineIndex(3), 2u);
  EXPECT_EQ(RStrip("ab \t"), "ab");
  EXPECT_EQ(Trim("\n ab \r"), "ab");
}

TEST(MarkdownSourceTest, ContentMapFollowsGapsAndPipes) {
  // Text "ab\ncd|e" read from source "> ab\n> cd\\|e": a gap over the
  // line ending and the next line's "> ", an unescaped pipe.
  ContentMap map;
  map.Add(ContentMap::Kind::kVerbatim, 0, 2, 2, 4);
  map.Add(ContentMap::Kind::kGap, 2, 3, 4, 7);
  map.Add(ContentMap::Kind::kVerbatim, 3, 5, 7, 9);
  map.Add(ContentMap::Kind::kPipe, 5, 6, 9, 11);
  map.Add(ContentMap::Kind::kVerbatim, 6, 7, 11, 12);
  map.Add(ContentMap::Kind::kVerbatim, 7, 7, 12, 12);  // empty: dropped
  EXPECT_EQ(map.spans().size(), 5u);
  EXPECT_EQ(map.SourceBegin(0), 2u);
  EXPECT_EQ(map.SourceBegin(3), 7u);
  EXPECT_EQ(map.SourceEnd(2), 4u);
  EXPECT_EQ(map.SourceEnd(3), 7u);
  EXPECT_EQ(map.SourceBegin(5), 9u);
  EXPECT_EQ(map.SourceEnd(6), 11u);
  EXPECT_EQ(map.Find(5, false)->kind, ContentMap::Kind::kPipe);
  EXPECT_EQ(map.SourceBegin(7), 12u);  // past the end: the end
}

}  // namespace
}  // namespace tessera::formats::internal

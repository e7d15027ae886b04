#include "text/case_fold.h"

#include "gtest/gtest.h"

namespace tessera::text {
namespace {

TEST(FoldCaseTest, FoldsAsciiAndBeyond) {
  EXPECT_EQ(FoldCase(""), "");
  EXPECT_EQ(FoldCase("Hello, World 42"), "hello, world 42");
  EXPECT_EQ(FoldCase("ÉCOLE Libérée"), "école libérée");
  EXPECT_EQ(FoldCase("ΣΑΣ σας"), "σασ σασ");  // final sigma folds too
  EXPECT_EQ(FoldCase("ПРАВА Человека"), "права человека");
}

TEST(FoldCaseTest, FullFoldingChangesLength) {
  EXPECT_EQ(FoldCase("Straße"), "strasse");
  EXPECT_EQ(FoldCase("STRASSE"), FoldCase("straße"));
  EXPECT_EQ(FoldCase("\xEF\xAC\x81"), "fi");  // U+FB01 LATIN SMALL LIGATURE FI
}

TEST(FoldCaseTest, LeavesUncasedTextAlone) {
  EXPECT_EQ(FoldCase("世界人权宣言 😀 « ! »"), "世界人权宣言 😀 « ! »");
}

TEST(FoldCaseTest, IllFormedBytesBecomeReplacementCharacters) {
  EXPECT_EQ(FoldCase("A\xFF"
                     "B"),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace tessera::text

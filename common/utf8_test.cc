#include "common/utf8.h"

#include <ostream>
#include <string>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ValidateUtf8Test, AcceptsWellFormedText) {
  EXPECT_OK(ValidateUtf8(""));
  EXPECT_OK(ValidateUtf8("plain ASCII text, long enough for the fast path"));
  EXPECT_OK(ValidateUtf8("« Libérez-le ! » — 世界人权宣言 — Ελληνικά — 😀"));
  EXPECT_OK(ValidateUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_OK(ValidateUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_OK(ValidateUtf8("\xED\x9F\xBF"));      // U+D7FF, before surrogates
  EXPECT_OK(ValidateUtf8("\xEE\x80\x80"));      // U+E000, after surrogates
  EXPECT_OK(ValidateUtf8("\xF0\x90\x80\x80"));  // U+10000
  EXPECT_OK(ValidateUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_OK(ValidateUtf8(std::string("nul\0inside", 10)));
  EXPECT_EQ(FindInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("« Libérez-le ! » — 😀"), std::string_view::npos);
}

struct BadCase {
  std::string name;
  std::string bytes;
  size_t offset;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class InvalidUtf8Test : public ::testing::TestWithParam<BadCase> {};

TEST_P(InvalidUtf8Test, RefusedWithOffsetOfFirstBadSequence) {
  const BadCase& c = GetParam();
  EXPECT_EQ(FindInvalidUtf8(c.bytes), c.offset);
  EXPECT_THAT(ValidateUtf8(c.bytes),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid UTF-8 at byte offset " +
                                 std::to_string(c.offset))));
}

INSTANTIATE_TEST_SUITE_P(
    All, InvalidUtf8Test,
    ::testing::Values(BadCase{"LoneContinuation", "abc\x80", 3},
                      BadCase{"OverlongSlash2", "ab\xC0\xAF", 2},
                      BadCase{"OverlongC1", "\xC1\xBF", 0},
                      BadCase{"Overlong3", "x\xE0\x80\xAF", 1},
                      BadCase{"Overlong4", "\xF0\x80\x80\xAF", 0},
                      BadCase{"SurrogateHigh", "ok \xED\xA0\x80", 3},
                      BadCase{"SurrogateLow", "\xED\xBF\xBF", 0},
                      BadCase{"AboveMax", "\xF4\x90\x80\x80", 0},
                      BadCase{"F5Lead", "\xF5\x80\x80\x80", 0},
                      BadCase{"FFByte", "text\xFF", 4},
                      BadCase{"Truncated2", "abc\xC3", 3},
                      BadCase{"Truncated3", "abc\xE2\x82", 3},
                      BadCase{"Truncated4", "\xF0\x9F\x98", 0},
                      BadCase{"BadSecondByte", "\xE2\x28\xA1", 0},
                      BadCase{"BadThirdByte", "\xE2\x82\x28", 0},
                      // After a long ASCII run, so the 16-byte fast path hands
                      // over correctly: "invalid UTF-8 at byte offset 17".
                      BadCase{"AfterFastPath", "0123456789abcdefg\xC3\x28", 17},
                      BadCase{"AfterMultibyte", "é\xC3", 2}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      return info.param.name;
    });

TEST(ValidateUtf8Test, LargeValidDocument) {
  std::string doc;
  while (doc.size() < (1 << 20)) doc += "Le cessez-le-feu est une victoire. ";
  doc += "最後";
  EXPECT_OK(ValidateUtf8(doc));
  doc.push_back('\xE6');
  EXPECT_EQ(FindInvalidUtf8(doc), doc.size() - 1);
}

TEST(DecodeUtf8Test, DecodesEachLength) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  char32_t cp = 0;
  EXPECT_EQ(DecodeUtf8(s, 0, &cp), 1u);
  EXPECT_EQ(cp, U'a');
  EXPECT_EQ(DecodeUtf8(s, 1, &cp), 2u);
  EXPECT_EQ(cp, U'\u00E9');
  EXPECT_EQ(DecodeUtf8(s, 3, &cp), 3u);
  EXPECT_EQ(cp, U'\u20AC');
  EXPECT_EQ(DecodeUtf8(s, 6, &cp), 4u);
  EXPECT_EQ(cp, U'\U0001F600');
  EXPECT_EQ(DecodeUtf8("\xF4\x8F\xBF\xBF", 0, &cp), 4u);
  EXPECT_EQ(cp, U'\U0010FFFF');
}

TEST(DecodeUtf8Test, IllFormedBytesReadAsOneReplacementEach) {
  char32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("\x80", 0, &cp), 1u);
  EXPECT_EQ(cp, U'\uFFFD');
  EXPECT_EQ(DecodeUtf8("\xE2\x82", 0, &cp), 1u);  // truncated
  EXPECT_EQ(cp, U'\uFFFD');
  EXPECT_EQ(DecodeUtf8("\xC0\xAF", 0, &cp), 1u);  // overlong
  EXPECT_EQ(cp, U'\uFFFD');
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80", 0, &cp), 1u);  // surrogate
  EXPECT_EQ(cp, U'\uFFFD');
}

TEST(DecodeUtf8Test, DecodesBackwards) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  char32_t cp = 0;
  EXPECT_EQ(DecodeUtf8Before(s, s.size(), &cp), 4u);
  EXPECT_EQ(cp, U'\U0001F600');
  EXPECT_EQ(DecodeUtf8Before(s, 6, &cp), 3u);
  EXPECT_EQ(cp, U'\u20AC');
  EXPECT_EQ(DecodeUtf8Before(s, 3, &cp), 2u);
  EXPECT_EQ(cp, U'\u00E9');
  EXPECT_EQ(DecodeUtf8Before(s, 1, &cp), 1u);
  EXPECT_EQ(cp, U'a');
  // A stray continuation byte and a sequence cut short.
  EXPECT_EQ(DecodeUtf8Before("\xC3\xA9\x80", 3, &cp), 1u);
  EXPECT_EQ(cp, U'\uFFFD');
  EXPECT_EQ(DecodeUtf8Before("x\xE2\x82", 3, &cp), 1u);
  EXPECT_EQ(cp, U'\uFFFD');
}

}  // namespace
}  // namespace tessera

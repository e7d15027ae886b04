#include "text/language.h"

#include <string>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::text {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CanonicalizeLanguageTagTest, CanonicalForms) {
  const std::pair<std::string, std::string> cases[] = {
      {"fr", "fr"},
      {"pt-br", "pt-BR"},
      {"pt_BR", "pt-BR"},
      {"PT-BR", "pt-BR"},
      {"zh-hans", "zh-Hans"},
      {"zh-hant-tw", "zh-Hant-TW"},
      {"ckb", "ckb"},
      {"EN", "en"},
      {"sr-latn-rs", "sr-Latn-RS"},
      {"iw", "he"},  // deprecated code
      {"de-DE-1996", "de-DE-1996"},
  };
  for (const auto& [in, want] : cases) {
    ASSERT_OK_AND_ASSIGN(std::string got, CanonicalizeLanguageTag(in));
    EXPECT_EQ(got, want) << in;
  }
}

TEST(CanonicalizeLanguageTagTest, MalformedTagsAreRefusedByName) {
  const std::string cases[] = {
      "x",    "en--US",    "123", "fr-",       "not a tag",  "-en",
      "en-a", "abcdefghi", "und", "x-private", "en\xC3\xA9", "e"};
  for (const std::string& tag : cases) {
    EXPECT_THAT(CanonicalizeLanguageTag(tag),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("'" + tag + "'")))
        << tag;
  }
  EXPECT_THAT(CanonicalizeLanguageTag(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(CanonicalizeLanguageTagTest, OverLongJunkIsRefused) {
  const std::string junk = "en-" + std::string(200, 'a');
  EXPECT_THAT(CanonicalizeLanguageTag(junk),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("longer than 64")));
  EXPECT_THAT(
      CanonicalizeLanguageTag("en-aaaaaaaa-bbbbbbbb-cccccccc-ddddddddd"),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LanguageOfTest, PrimarySubtag) {
  EXPECT_EQ(LanguageOf("pt-BR"), "pt");
  EXPECT_EQ(LanguageOf("zh-Hans"), "zh");
  EXPECT_EQ(LanguageOf("fr"), "fr");
  EXPECT_EQ(LanguageOf("ckb"), "ckb");
}

}  // namespace
}  // namespace tessera::text

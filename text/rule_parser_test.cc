#include "text/internal/rule_parser.h"

#include <map>
#include <optional>
#include <string>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::text::internal {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

RuleFileResolver Files(std::map<std::string, std::string> files) {
  return [files = std::move(files)](
             std::string_view name) -> std::optional<std::string_view> {
    auto it = files.find(std::string(name));
    if (it == files.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

TEST(RuleParserTest, ParsesDirectivesInOrder) {
  const RuleFileResolver none = Files({});
  ASSERT_OK_AND_ASSIGN(ParsedRuleSet set, ParseRuleSet("x", R"(
# A comment, then blank lines are skipped.

words TITLES Dr. Mr.
words TITLES Mrs.
iwords CI etc.
nobreak @TITLES \s
break \. \s+\p{Lu}
nobreak \bNo\.	*
break * 
spaced-closers »›
closers *_
candidates [•◦]
)",
                                                       none));
  ASSERT_EQ(set.rules.size(), 4u);
  EXPECT_FALSE(set.rules[0].is_break);
  EXPECT_EQ(set.rules[0].list, "TITLES");
  EXPECT_EQ(set.rules[0].after, "\\s");
  EXPECT_EQ(set.rules[0].origin, "x:7");
  EXPECT_TRUE(set.rules[1].is_break);
  EXPECT_EQ(set.rules[1].before, "\\.");
  EXPECT_EQ(set.rules[1].after, "\\s+\\p{Lu}");
  EXPECT_EQ(set.rules[2].before, "\\bNo\\.");
  EXPECT_EQ(set.rules[2].after, "");  // `*` is "anything"
  EXPECT_EQ(set.rules[3].before, "");
  EXPECT_THAT(set.lists.at("TITLES").words, ElementsAre("Dr.", "Mr.", "Mrs."));
  EXPECT_FALSE(set.lists.at("TITLES").case_insensitive);
  EXPECT_TRUE(set.lists.at("CI").case_insensitive);
  EXPECT_EQ(set.spaced_closers, "»›");
  EXPECT_EQ(set.closers, "*_");
  ASSERT_EQ(set.candidates.size(), 1u);
  EXPECT_EQ(set.candidates[0].pattern, "[•◦]");
}

TEST(RuleParserTest, IncludesInsertRulesAtTheirPlaceOnce) {
  const RuleFileResolver files = Files({
      {"common", "break c \\s\ninclude base\n"},
      {"base", "break b \\s\n"},
  });
  ASSERT_OK_AND_ASSIGN(
      ParsedRuleSet set,
      ParseRuleSet("lang",
                   "break a \\s\ninclude common\ninclude base\n"
                   "break d \\s\n",
                   files));
  std::vector<std::string> order;
  for (const ParsedRule& r : set.rules) order.push_back(r.before);
  EXPECT_THAT(order, ElementsAre("a", "c", "b", "d"));
  EXPECT_EQ(set.rules[1].origin, "common:1");
}

TEST(RuleParserTest, ErrorsNameFileAndLine) {
  const RuleFileResolver files = Files({
      {"loop", "include loop2\n"},
      {"loop2", "include loop\n"},
  });
  EXPECT_THAT(ParseRuleSet("f", "\nfrobnicate x", files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:2: unknown directive 'frobnicate'")));
  EXPECT_THAT(ParseRuleSet("f", "break a b c", files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot contain spaces")));
  EXPECT_THAT(ParseRuleSet("f", "break", files),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f:1")));
  EXPECT_THAT(ParseRuleSet("f", "include nope", files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no rule file 'nope'")));
  EXPECT_THAT(ParseRuleSet("f", "include loop", files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("circular include")));
  EXPECT_THAT(
      ParseRuleSet("f", "nobreak @MISSING \\s", files),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("f:1: word list 'MISSING' is never declared")));
  EXPECT_THAT(ParseRuleSet("f", "words L a.\niwords L b.", files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:2: list 'L' was declared with words")));
  EXPECT_THAT(ParseRuleSet("f", "words L", files),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f:1")));
}

TEST(RuleParserTest, ParsesTerminatorsQuotesEnumerationsAndAfterLists) {
  ASSERT_OK_AND_ASSIGN(ParsedRuleSet set, ParseRuleSet("x", R"(
terminators :،
quotes «» „“ «»
enumerations N. (a) N.
words A U.S.
words B How
break @A @B
nobreak @A \s
)",
                                                       Files({})));
  EXPECT_EQ(set.terminators, ":،");
  EXPECT_THAT(set.quote_pairs, ElementsAre("«»", "„“"));
  EXPECT_THAT(set.enumerations, ElementsAre("N.", "(a)"));
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].list, "A");
  EXPECT_EQ(set.rules[0].after_list, "B");
  EXPECT_EQ(set.rules[0].after, "");
  EXPECT_EQ(set.rules[1].after_list, "");
  EXPECT_EQ(set.rules[1].after, "\\s");
}

TEST(RuleParserTest, RejectsBadQuotesEnumerationsAndAfterLists) {
  const RuleFileResolver none = Files({});
  EXPECT_THAT(ParseRuleSet("f", "quotes «»»", none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:1: quotes pair '«»»'")));
  EXPECT_THAT(ParseRuleSet("f", "enumerations N. x)", none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown enumeration style 'x)'")));
  EXPECT_THAT(ParseRuleSet("f", "words A a.\nbreak @A @NOPE", none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:2: word list 'NOPE' is never declared")));
  EXPECT_THAT(ParseRuleSet("f", "terminators", none),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f:1")));
}

// Found by fuzz_rules: the pair was counted by lead bytes, so ill-formed
// UTF-8 such as "\x17\xbc\x88）" passed as two characters.
TEST(RuleParserTest, RejectsQuotePairsThatAreNotWellFormedUtf8) {
  const RuleFileResolver none = Files({});
  EXPECT_THAT(ParseRuleSet("f", "quotes \x17\xbc\x88）", none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:1: quotes pair")));
  EXPECT_THAT(ParseRuleSet("f", "quotes \xc2\xab\xc2", none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f:1: quotes pair")));
}

TEST(RuleParserTest, AcceptsCrlfFiles) {
  ASSERT_OK_AND_ASSIGN(
      ParsedRuleSet set,
      ParseRuleSet("f", "break a \\s\r\nbreak b\r\n", Files({})));
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].after, "\\s");
  EXPECT_EQ(set.rules[1].before, "b");
}

}  // namespace
}  // namespace tessera::text::internal

// The TranslationService converters: resource names, versions, filters and
// contents of requests, and the names of what goes back.
#include "services/translation/translation_convert.h"

#include <optional>
#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tessera::translation {
namespace {

using ::tessera::testing::StatusIs;

// The field a refused request names.
std::string FieldOf(const absl::Status& status) {
  std::optional<ErrorDetails> details = DetailsOf(status);
  if (!details.has_value() || details->fields.empty()) return "";
  return details->fields[0].field;
}

TEST(TranslationConvertTest, TranslationNames) {
  ASSERT_OK_AND_ASSIGN(
      TranslationRef ref,
      ParseTranslationName("name", "statements/s1/languages/FR/segments/g7"));
  EXPECT_EQ(ref.statement_id, "s1");
  EXPECT_EQ(ref.language, "FR");  // as written; the core canonicalises
  EXPECT_EQ(ref.segment_id, "g7");
  for (const char* bad :
       {"", "statements/s1/languages/fr",
        "statements/s1/languages/fr/segments/",
        "statements//languages/fr/segments/g7",
        "statement/s1/languages/fr/segments/g7",
        "statements/s1/languages/fr/segments/g7/comments/1"}) {
    absl::Status s = ParseTranslationName("parent", bad).status();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_EQ(FieldOf(s), "parent") << bad;
  }
  ASSERT_OK_AND_ASSIGN(
      auto parent, ParseLanguageName("parent", "statements/s1/languages/de"));
  EXPECT_EQ(parent.first, "s1");
  EXPECT_EQ(parent.second, "de");
  EXPECT_THAT(ParseLanguageName("parent", "statements/s1").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TranslationConvertTest, VersionsArePositive) {
  EXPECT_EQ(VersionFromProto(3).value_or(0), 3u);
  for (int64_t bad : {int64_t{0}, int64_t{-1}}) {
    absl::Status s = VersionFromProto(bad).status();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(FieldOf(s), "version");
  }
}

TEST(TranslationConvertTest, ListSegmentsFilters) {
  v1::ListSegmentsRequest req;
  req.add_states(v1::SEGMENT_STATE_TRANSLATED);
  req.add_states(v1::SEGMENT_STATE_NEEDS_UPDATE);
  req.set_assignee("users/anna");
  req.set_text_query("conseil");
  req.set_include_non_translatable(true);
  ASSERT_OK_AND_ASSIGN(ListSegmentsQuery q, QueryFromProto(req));
  EXPECT_EQ(q.states, (std::vector<SegmentState>{SegmentState::kTranslated,
                                                 SegmentState::kNeedsUpdate}));
  EXPECT_EQ(q.assignee, "anna");
  EXPECT_EQ(q.text_query, "conseil");
  EXPECT_TRUE(q.include_non_translatable);

  v1::ListSegmentsRequest unknown = req;
  unknown.add_states(v1::SEGMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(FieldOf(QueryFromProto(unknown).status()), "states[2]");
  for (const char* bad : {"anna", "users/", "groups/x"}) {
    v1::ListSegmentsRequest r;
    r.set_assignee(bad);
    EXPECT_EQ(FieldOf(QueryFromProto(r).status()), "assignee") << bad;
  }
}

TEST(TranslationConvertTest, ContentsKeepTheirCodes) {
  v1::Content proto;
  proto.set_text("Nous exigeons un cessez-le-feu.");
  auto* open = proto.add_codes();
  open->set_id(1);
  open->set_kind(v1::CODE_KIND_OPEN);
  open->set_offset(14);
  auto* close = proto.add_codes();
  close->set_id(1);
  close->set_kind(v1::CODE_KIND_CLOSE);
  close->set_offset(16);
  ASSERT_OK_AND_ASSIGN(formats::Content c, ContentFromProto("content", proto));
  ASSERT_EQ(c.codes.size(), 2u);
  EXPECT_EQ(c.codes[1].kind, formats::CodeKind::kClose);
  EXPECT_EQ(c.codes[1].offset, 16u);
  v1::Content back;
  ToProto(c, &back);
  EXPECT_EQ(back.SerializeAsString(), proto.SerializeAsString());

  proto.mutable_codes(1)->set_kind(v1::CODE_KIND_UNSPECIFIED);
  EXPECT_EQ(FieldOf(ContentFromProto("content", proto).status()),
            "content.codes[1].kind");
}

TEST(TranslationConvertTest, NamesOfWhatGoesBack) {
  Translation t;
  t.statement_id = "s1";
  t.language = "fr";
  t.segment_id = "g7";
  t.version = 4;
  t.author = "anna";
  t.approvers = {"bert"};
  v1::Translation proto;
  ToProto(t, &proto);
  EXPECT_EQ(proto.name(), "statements/s1/languages/fr/segments/g7");
  EXPECT_EQ(proto.statement(), "statements/s1");
  EXPECT_EQ(proto.version(), 4);
  EXPECT_EQ(proto.author(), "users/anna");
  EXPECT_EQ(proto.reviewer(), "");  // nobody yet
  ASSERT_EQ(proto.approvers_size(), 1);
  EXPECT_EQ(proto.approvers(0), "users/bert");

  const TranslationRef ref{"s1", "fr", "g7"};
  Comment c{3, "bert", "Why?", 4, absl::FromUnixSeconds(1700000000)};
  v1::Comment comment;
  ToProto(c, ref, &comment);
  EXPECT_EQ(comment.name(),
            "statements/s1/languages/fr/segments/g7/comments/3");
  EXPECT_EQ(comment.author(), "users/bert");
  EXPECT_EQ(comment.translation_version(), 4);
  EXPECT_EQ(comment.create_time().seconds(), 1700000000);

  HistoryEntry e;
  e.version = 2;
  e.revision = 1;
  e.actor = "anna";
  v1::HistoryEntry entry;
  ToProto(e, ref, &entry);
  EXPECT_EQ(entry.revision(), "statements/s1/revisions/1");
  EXPECT_EQ(entry.actor(), "users/anna");
}

}  // namespace
}  // namespace tessera::translation

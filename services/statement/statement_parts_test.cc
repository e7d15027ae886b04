// The statement service's parts below the core: the key layout, revision
// matching, field checks and the record conversions.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"
#include "services/statement/revision_matching.h"
#include "services/statement/statement_keys.h"
#include "services/statement/statement_tables.h"
#include "services/statement/statement_validation.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Hex(std::string_view s) { return HexEncode(s); }

TEST(StatementKeysTest, PerStatementKeysStartWithKindAndInternalId) {
  EXPECT_EQ(Hex(StatementKey(0x0102030405060708)), "020102030405060708");
  EXPECT_EQ(Hex(RevisionKey(1, 2)), "03000000000000000100000002");
  EXPECT_EQ(Hex(SourceKey(1, 2)), "04000000000000000100000002");
  EXPECT_EQ(Hex(DocumentKey(1, 2)), "05000000000000000100000002");
  EXPECT_EQ(Hex(SegmentRecordKey(1, 2, 3)),
            "0600000000000000010000000200000003");
  EXPECT_EQ(SegmentPrefix(1, 2),
            SegmentRecordKey(1, 2, 3).substr(0, SegmentPrefix(1, 2).size()));
  EXPECT_EQ(RevisionPrefix(1), RevisionKey(1, 2).substr(0, 9));
  EXPECT_EQ(SegmentIdKey(1, 2, "ab").substr(0, 13),
            std::string("\x07\0\0\0\0\0\0\0\x01\0\0\0\x02", 13));
  EXPECT_EQ(ReviseRequestKey(7, "u", "r").substr(0, 9),
            std::string("\x0A\0\0\0\0\0\0\0\x07", 9));
}

TEST(StatementKeysTest, GlobalKeysSpreadByHashOrTime) {
  EXPECT_EQ(NameKey("appel")[0], '\x01');
  EXPECT_NE(NameKey("appel").substr(1, 8), NameKey("appeal").substr(1, 8));
  EXPECT_EQ(CreateRequestKey("u", "r")[0], '\x09');
  EXPECT_NE(CreateRequestKey("u", "r"), CreateRequestKey("ur", ""));
  // Newer statements sort first.
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_LT(ListKey(t + absl::Seconds(1), "b"), ListKey(t, "a"));
  EXPECT_LT(ListKey(t, "a"), ListKey(t, "b"));
  EXPECT_EQ(ListPrefix(), std::string(1, '\x08'));
}

TEST(StatementKeysTest, ParsersAcceptOnlyWholeKeysOfTheirKind) {
  EXPECT_EQ(SegmentOrdinalOf(SegmentRecordKey(9, 2, 77)), 77);
  EXPECT_EQ(SegmentOrdinalOf(SegmentPrefix(9, 2)), std::nullopt);
  EXPECT_EQ(SegmentOrdinalOf(RevisionKey(9, 2) + "abcd"), std::nullopt);
  EXPECT_EQ(SegmentOrdinalOf(SegmentRecordKey(9, 2, 77) + "x"), std::nullopt);
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(IsListKey(ListKey(t, "appel")));
  EXPECT_FALSE(IsListKey(ListPrefix()));
  std::string cut = ListKey(t, "appel");
  cut.pop_back();
  EXPECT_FALSE(IsListKey(cut));
  EXPECT_FALSE(IsListKey(NameKey("appel")));
}

TEST(RevisionMatchingTest, SameIdsAreUnchangedAndOutOfOrderOnesMoved) {
  RevisionChanges c = ComputeChanges(1, {"a", "b", "c"}, {"A", "B", "C"},
                                     {"b", "c", "a"}, {"B", "C", "A"});
  EXPECT_EQ(c.previous_revision, 1);
  EXPECT_EQ(c.unchanged_segment_count, 3);
  EXPECT_THAT(c.moved_segment_ids, ElementsAre("a"));
  EXPECT_THAT(c.added_segment_ids, IsEmpty());
  EXPECT_THAT(c.removed_segment_ids, IsEmpty());
  EXPECT_THAT(c.changed_segments, IsEmpty());
}

TEST(RevisionMatchingTest, SimilarTextIsChangedTheRestAddedOrRemoved) {
  RevisionChanges c = ComputeChanges(
      2, {"a", "b", "c"},
      {"Nous exigeons un cessez-le-feu.", "Maintenant.", "Fin du texte."},
      {"a", "x", "y"},
      {"Nous exigeons un cessez-le-feu.", "Maintenant !",
       "Rien de commun avec quoi que ce soit."});
  EXPECT_EQ(c.unchanged_segment_count, 1);
  ASSERT_EQ(c.changed_segments.size(), 1u);
  EXPECT_EQ(c.changed_segments[0].segment_id, "x");
  EXPECT_EQ(c.changed_segments[0].predecessor_segment_id, "b");
  EXPECT_GE(c.changed_segments[0].similarity, kMinSimilarity);
  EXPECT_LT(c.changed_segments[0].similarity, 1.0f);
  EXPECT_THAT(c.added_segment_ids, ElementsAre("y"));
  EXPECT_THAT(c.removed_segment_ids, ElementsAre("c"));
}

TEST(StatementValidationTest, IdsAndRequestIds) {
  EXPECT_TRUE(IsValidStatementId("appel-2"));
  EXPECT_FALSE(IsValidStatementId("2appel"));
  EXPECT_FALSE(IsValidStatementId("Appel"));
  EXPECT_FALSE(IsValidStatementId(std::string(kMaxStatementIdBytes + 1, 'a')));
  EXPECT_OK(CheckRequestId(""));
  EXPECT_OK(CheckRequestId("Req_1-a"));
  EXPECT_THAT(CheckRequestId("a b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckStatementId("statement_id", "A"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatementValidationTest, TextIsNfcWithoutControlCharacters) {
  ASSERT_OK_AND_ASSIGN(std::string nfc,
                       CheckText("title", "Re\xCC\x81sume\xCC\x81", 1, 100));
  EXPECT_EQ(nfc, "R\xC3\xA9sum\xC3\xA9");
  EXPECT_THAT(CheckText("title", "a\tb", 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckText("title", "a\xC2\x85", 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto bad = CheckText("title", "ab\xFF", 1, 100);
  ASSERT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(DetailsOf(bad.status())->reason, "INVALID_UTF8");
  EXPECT_THAT(CheckText("title", "", 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatementValidationTest, RangesLabelsAndSizes) {
  EXPECT_OK(CheckRangesSyntax("r", {{NoTranslateRange::Kind::kBlocks, 0, 0},
                                    {NoTranslateRange::Kind::kLines, 1, 4}}));
  EXPECT_THAT(CheckRangesSyntax("r", {{NoTranslateRange::Kind::kLines, 0, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckRangesSyntax("r", {{NoTranslateRange::Kind::kBlocks, 2, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(CheckLabels({{"campaign", "gaza"}, {"urgent", ""}}));
  EXPECT_THAT(CheckLabels({{"Campaign", "gaza"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckDocumentSize("abcd", 3),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(CheckDocumentSize("abc", 3));
}

TEST(StatementValidationTest, RightsFollowRolesAndLanguages) {
  Statement s;
  s.statement_id = "appel";
  s.target_languages = {"de", "en"};
  Principal admin{"root", "", {{Role::kAdmin, {}}}};
  Principal coord_de{"c", "", {{Role::kCoordinator, {"de"}}}};
  Principal translator_en{"t", "", {{Role::kTranslator, {"en"}}}};
  Principal translator_tr{"t", "", {{Role::kTranslator, {"tr"}}}};
  EXPECT_OK(CheckCanChange(admin, s.target_languages));
  EXPECT_OK(CheckCanChange(coord_de, {"de"}));
  EXPECT_THAT(CheckCanChange(coord_de, s.target_languages),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckCanChange(translator_en, {"en"}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(CanRead(translator_en, s));
  EXPECT_FALSE(CanRead(translator_tr, s));
}

TEST(StatementTablesTest, StatementRecordsRoundTrip) {
  Statement s;
  s.statement_id = "appel";
  s.title = "Appel";
  s.source_language = "fr";
  s.format = formats::Format::kPlainText;
  s.target_languages = {"de", "en"};
  s.deadline = absl::FromUnixMicros(1234567);
  s.labels = {{"campaign", "gaza"}};
  s.state = StatementState::kClosed;
  s.review_rounds = 2;
  s.allow_open_claiming = true;
  s.current_revision = 3;
  s.segment_count = 10;
  s.translatable_segment_count = 8;
  s.word_count = 99;
  s.creator = "root";
  s.create_time = absl::FromUnixMicros(1000);
  s.update_time = absl::FromUnixMicros(2000);
  rec::StatementRecord r = ToRecord(s, 42);
  EXPECT_EQ(r.internal_id(), 42u);
  Statement back = FromRecord(r, 7);
  EXPECT_EQ(back.version, 7u);
  back.version = s.version;
  EXPECT_EQ(ToRecord(back, 42).SerializeAsString(), r.SerializeAsString());
}

}  // namespace
}  // namespace tessera::statement

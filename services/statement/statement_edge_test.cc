// The statement service's edge without a server: request conversions the
// handlers use and the VersionConflict detail, against a real RocksDB.
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"
#include "services/statement/statement_convert.h"
#include "services/statement/statement_service.h"
#include "storage/store.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

constexpr char kConflictUrl[] =
    "type.googleapis.com/tessera.v1.VersionConflict";

TEST(StatementConvertTest, VersionedNameNeedsANameAndAPositiveVersion) {
  ASSERT_OK_AND_ASSIGN(
      VersionedName v,
      VersionedNameFromProto("name", "statements/appel", "version", 3));
  EXPECT_EQ(v.statement_id, "appel");
  EXPECT_EQ(v.version, 3u);
  EXPECT_THAT(VersionedNameFromProto("name", "appel", "version", 3),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto zero = VersionedNameFromProto("statement.name", "statements/appel",
                                     "statement.version", 0);
  ASSERT_THAT(zero, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(DetailsOf(zero.status())->fields.at(0).field, "statement.version");
}

TEST(StatementConvertTest, RevisionViews) {
  EXPECT_EQ(*FullViewFromProto(v1::REVISION_VIEW_FULL), true);
  EXPECT_EQ(*FullViewFromProto(v1::REVISION_VIEW_UNSPECIFIED), false);
  EXPECT_THAT(FullViewFromProto(static_cast<v1::RevisionView>(99)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatementConvertTest, PagesCarryTheirTokenAndTotal) {
  SourceSegmentPage page;
  page.segments.resize(2);
  page.next_page_token = "next";
  page.total_size = 9;
  v1::ListSourceSegmentsResponse out;
  ToProto(page, &out);
  EXPECT_EQ(out.source_segments_size(), 2);
  EXPECT_EQ(out.next_page_token(), "next");
  EXPECT_EQ(out.total_size(), 9);
}

class VersionConflictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    core_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                            RandomSource::Secure());
    CreateParams p;
    p.statement_id = "appel";
    p.title = "Appel";
    p.source = "Bonjour.\n";
    p.source_language = "fr";
    p.target_languages = {"de"};
    Principal admin{"root", "", {{Role::kAdmin, {}}}};
    ASSERT_OK(core_->CreateStatement(admin, p));
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> core_;
};

TEST_F(VersionConflictTest, AbortedGetsTheStatementAsItIsNow) {
  absl::Status s = AddVersionConflict(*core_, absl::AbortedError("stale"),
                                      "statements/appel", 7);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  auto payload = s.GetPayload(kConflictUrl);
  ASSERT_TRUE(payload.has_value());
  v1::VersionConflict conflict;
  ASSERT_TRUE(conflict.ParseFromString(std::string(*payload)));
  EXPECT_EQ(conflict.resource(), "statements/appel");
  EXPECT_EQ(conflict.request_version(), 7);
  EXPECT_EQ(conflict.current_version(), 1);
  v1::Statement current;
  ASSERT_TRUE(conflict.current().UnpackTo(&current));
  EXPECT_EQ(current.name(), "statements/appel");
}

TEST_F(VersionConflictTest, OtherErrorsAndBadNamesPassUnchanged) {
  absl::Status not_found = absl::NotFoundError("gone");
  EXPECT_EQ(AddVersionConflict(*core_, not_found, "statements/appel", 1),
            not_found);
  absl::Status aborted = absl::AbortedError("stale");
  EXPECT_EQ(AddVersionConflict(*core_, aborted, "nonsense", 1), aborted);
  // A statement that is gone still gets the detail, without `current`.
  absl::Status missing =
      AddVersionConflict(*core_, aborted, "statements/nope", 1);
  v1::VersionConflict conflict;
  ASSERT_TRUE(
      conflict.ParseFromString(std::string(*missing.GetPayload(kConflictUrl))));
  EXPECT_FALSE(conflict.has_current());
}

}  // namespace
}  // namespace tessera::statement

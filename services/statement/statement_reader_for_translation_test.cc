// The translation core's StatementReader as StatementCore answers it, over
// a real RocksDB: what it reads, that it needs no caller, and its errors.
#include "services/statement/statement_reader_for_translation.h"

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/statement/statement_core.h"
#include "storage/store.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

const Principal kAdmin{"root", "", {{Role::kAdmin, {}}}};

class StatementReaderForTranslationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    core_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                            RandomSource::Secure());
    reader_ = std::make_unique<StatementReaderForTranslation>(core_.get());
    CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kMarkdown;
    p.source = "The council met. It adopted a resolution.\n\nRead it.\n";
    p.source_language = "en";
    p.target_languages = {"fr"};
    ASSERT_OK_AND_ASSIGN(Statement s, core_->CreateStatement(kAdmin, p));
    sid_ = s.statement_id;
  }

  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> core_;
  std::unique_ptr<StatementReaderForTranslation> reader_;
  std::string sid_;
};

TEST_F(StatementReaderForTranslationTest, ReadsWhatTheCoreHas) {
  ASSERT_OK_AND_ASSIGN(auto loaded, reader_->LoadStatementWithInternalId(sid_));
  ASSERT_OK_AND_ASSIGN(auto direct, core_->LoadStatementWithInternalId(sid_));
  EXPECT_EQ(loaded.first.statement_id, sid_);
  EXPECT_EQ(loaded.second, direct.second);

  ASSERT_OK_AND_ASSIGN(SourceSegmentPage page,
                       reader_->ListSourceSegments(sid_, 0, 2, "", true));
  ASSERT_EQ(page.segments.size(), 2u);
  EXPECT_EQ(page.total_size, 3);
  ASSERT_FALSE(page.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(
      SourceSegmentPage rest,
      reader_->ListSourceSegments(sid_, 0, 2, page.next_page_token, true));
  ASSERT_EQ(rest.segments.size(), 1u);
  EXPECT_EQ(rest.segments[0].segment.content.text, "Read it.");

  const std::string id = page.segments[0].info.segment_id;
  ASSERT_OK_AND_ASSIGN(SourceSegment one,
                       reader_->GetSourceSegment(sid_, id, 0));
  EXPECT_EQ(one.segment.content.text, "The council met.");
  EXPECT_EQ(one.revision_number, 1);
}

TEST_F(StatementReaderForTranslationTest, RevisionsCarryTheirChanges) {
  ASSERT_OK_AND_ASSIGN(Statement s, core_->LoadStatement(sid_));
  ReviseParams p;
  p.statement_id = sid_;
  p.version = s.version;
  p.source = "The council met. It adopted a short resolution.\n\nRead it.\n";
  ASSERT_OK(core_->ReviseStatement(kAdmin, p));
  ASSERT_OK_AND_ASSIGN(Revision r, reader_->GetRevision(sid_, 2));
  EXPECT_EQ(r.revision_number, 2);
  EXPECT_EQ(r.changes.previous_revision, 1);
  EXPECT_EQ(r.changes.changed_segments.size(), 1u);
  // Without the source bytes and skeleton.
  EXPECT_FALSE(r.source.has_value());
  EXPECT_FALSE(r.skeleton.has_value());
  // The predecessor is still readable in its own revision.
  ASSERT_OK(reader_->GetSourceSegment(
      sid_, r.changes.changed_segments[0].predecessor_segment_id, 1));
}

TEST_F(StatementReaderForTranslationTest, AbsentThingsAreNotFound) {
  EXPECT_THAT(reader_->LoadStatementWithInternalId("nope").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reader_->GetRevision(sid_, 9).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reader_->GetSourceSegment(sid_, "zzz", 0).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reader_->ListSourceSegments("nope", 0, 10, "", true).status(),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace tessera::statement

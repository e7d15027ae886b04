#include "services/statement/statement_reader_for_assignment.h"

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "formats/document.h"
#include "gtest/gtest.h"
#include "services/statement/statement_core.h"
#include "storage/store.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

class StatementReaderForAssignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    core_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                            RandomSource::Secure());
    reader_ = std::make_unique<StatementReaderForAssignment>(core_.get());
    CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kPlainText;
    // The second paragraph is a number only, so it is not translatable.
    p.source = "First sentence.\n\n12345\n\nLast sentence.\n";
    p.source_language = "en";
    p.target_languages = {"fr"};
    const Principal admin{"root", "", {{Role::kAdmin, {}}}};
    ASSERT_OK_AND_ASSIGN(Statement s, core_->CreateStatement(admin, p));
    sid_ = s.statement_id;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> core_;
  std::unique_ptr<StatementReaderForAssignment> reader_;
  std::string sid_;
};

TEST_F(StatementReaderForAssignmentTest, ListsEverySegmentTranslatableOrNot) {
  ASSERT_OK_AND_ASSIGN(SourceSegmentPage page,
                       reader_->ListSourceSegments(sid_, 0, 100, ""));
  ASSERT_EQ(page.segments.size(), 3u);
  EXPECT_TRUE(page.segments[0].segment.translatable);
  EXPECT_FALSE(page.segments[1].segment.translatable);
  EXPECT_EQ(page.next_page_token, "");
  ASSERT_OK_AND_ASSIGN(
      SourceSegment seg,
      reader_->GetSourceSegment(sid_, page.segments[2].info.segment_id, 0));
  EXPECT_EQ(seg.ordinal, page.segments[2].ordinal);
}

TEST_F(StatementReaderForAssignmentTest, ReadsStatementsAndRevisions) {
  ASSERT_OK_AND_ASSIGN(auto loaded, reader_->LoadStatementWithInternalId(sid_));
  EXPECT_EQ(loaded.first.statement_id, sid_);
  ASSERT_OK_AND_ASSIGN(auto again, core_->LoadStatementWithInternalId(sid_));
  EXPECT_EQ(loaded.second, again.second);
  ASSERT_OK_AND_ASSIGN(Revision r, reader_->GetRevision(sid_, 1));
  EXPECT_EQ(r.revision_number, 1);
  ListStatementsQuery q;
  q.languages = {"fr"};
  ASSERT_OK_AND_ASSIGN(StatementPage page, reader_->ListStatements(q, 10, ""));
  ASSERT_EQ(page.statements.size(), 1u);
  EXPECT_EQ(page.statements[0].statement_id, sid_);
  EXPECT_THAT(reader_->LoadStatementWithInternalId("missing"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reader_->GetRevision(sid_, 2),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace tessera::statement

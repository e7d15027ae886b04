// StatementCore revisions against a real RocksDB: segment id stability,
// the changes a revision reports, stale versions, and idempotency by
// request id, also under concurrent retries.
#include "services/statement/statement_core_test_fixture.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// ---------------------------------------------------------------------------
// Revisions.

class RevisionTest : public StatementCoreTest {
 protected:
  void SetUp() override {
    StatementCoreTest::SetUp();
    text_ = ReadSeed(kResolution);
    statement_ = CreateOrDie(Params(text_));
    old_ids_ = Ids(statement_.statement_id);
    ASSERT_FALSE(old_ids_.empty());
  }

  absl::StatusOr<Revision> Revise(const std::string& source,
                                  uint64_t version = 1) {
    ReviseParams p;
    p.statement_id = statement_.statement_id;
    p.version = version;
    p.source = source;
    p.note = "test revision";
    return core_->ReviseStatement(Admin(), p);
  }

  // The ids of revision 1's segments whose text contains `needle`.
  std::vector<std::string> OldIdsOf(std::string_view needle) {
    std::vector<std::string> out;
    for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
      if (seg.segment.content.text.find(needle) != std::string::npos) {
        out.push_back(seg.info.segment_id);
      }
    }
    return out;
  }

  std::string text_;
  Statement statement_;
  std::vector<std::string> old_ids_;
};

TEST_F(RevisionTest, InsertingAParagraphAtTheTopKeepsEveryId) {
  const std::string added =
      "Déclaration préliminaire du secrétariat. Elle précède la "
      "résolution.\n\n";
  ASSERT_OK_AND_ASSIGN(Revision r, Revise(added + text_));
  EXPECT_EQ(r.revision_number, 2);
  EXPECT_EQ(r.changes.previous_revision, 1);
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()));
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
  EXPECT_THAT(r.changes.moved_segment_ids, IsEmpty());
  ASSERT_EQ(r.changes.added_segment_ids.size(), 2u);

  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  ASSERT_EQ(new_ids.size(), old_ids_.size() + 2);
  EXPECT_THAT(r.changes.added_segment_ids, ElementsAre(new_ids[0], new_ids[1]));
  EXPECT_EQ(std::vector<std::string>(new_ids.begin() + 2, new_ids.end()),
            old_ids_);
  // Revision 1 stays readable as it was.
  EXPECT_EQ(Ids(statement_.statement_id, 1), old_ids_);
  ASSERT_OK_AND_ASSIGN(Statement now,
                       core_->GetStatement(Admin(), statement_.statement_id));
  EXPECT_EQ(now.current_revision, 2);
  EXPECT_EQ(now.version, 2u);
  EXPECT_EQ(now.segment_count, static_cast<int>(new_ids.size()));
}

TEST_F(RevisionTest, EditingOneSentenceChangesExactlyThatSegment) {
  const std::string before =
      "Les Flotilla Sumud et Freedom ont envoyés un "
      "signal remarqué dans le monde entier.";
  const std::string after =
      "Les flottilles Sumud et Freedom ont envoyé un "
      "signal remarqué dans le monde entier.";
  std::string edited = text_;
  size_t at = edited.find(before);
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, before.size(), after);
  std::vector<std::string> predecessor = OldIdsOf("Les Flotilla Sumud");
  ASSERT_EQ(predecessor.size(), 1u);

  ASSERT_OK_AND_ASSIGN(Revision r, Revise(edited));
  ASSERT_EQ(r.changes.changed_segments.size(), 1u);
  const ChangedSegment& c = r.changes.changed_segments[0];
  EXPECT_EQ(c.predecessor_segment_id, predecessor[0]);
  EXPECT_NE(c.segment_id, predecessor[0]);
  EXPECT_GE(c.similarity, 0.5f);
  EXPECT_LT(c.similarity, 1.0f);
  EXPECT_THAT(r.changes.added_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.moved_segment_ids, IsEmpty());
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()) - 1);

  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  ASSERT_EQ(new_ids.size(), old_ids_.size());
  for (size_t i = 0; i < new_ids.size(); ++i) {
    if (old_ids_[i] == predecessor[0]) {
      EXPECT_EQ(new_ids[i], c.segment_id);
    } else {
      EXPECT_EQ(new_ids[i], old_ids_[i]);
    }
  }
}

TEST_F(RevisionTest, ReorderingTwoParagraphsKeepsIdsAndReportsTheMove) {
  const std::string a_start = "Le cessez-le-feu est également le fruit";
  const std::string b_start = "Sur la base de nombreuses résolutions";
  size_t a = text_.find(a_start);
  size_t b = text_.find(b_start);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  size_t a_end = text_.find("\n\n", a);
  size_t b_end = text_.find("\n\n", b);
  ASSERT_EQ(a_end + 2, b);
  const std::string pa = text_.substr(a, a_end - a);
  const std::string pb = text_.substr(b, b_end - b);
  std::string swapped =
      text_.substr(0, a) + pb + "\n\n" + pa + text_.substr(b_end);
  ASSERT_EQ(swapped.size(), text_.size());

  // The segments of each paragraph, by the line their block starts on.
  auto line_of = [&](size_t offset) {
    return 1 + static_cast<int>(
                   std::count(text_.begin(), text_.begin() + offset, '\n'));
  };
  std::vector<std::string> in_a, in_b;
  for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
    if (seg.info.source_line == line_of(a)) in_a.push_back(seg.info.segment_id);
    if (seg.info.source_line == line_of(b)) in_b.push_back(seg.info.segment_id);
  }
  ASSERT_EQ(in_a.size(), 5u);
  ASSERT_EQ(in_b.size(), 2u);

  ASSERT_OK_AND_ASSIGN(Revision r, Revise(swapped));
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()));
  EXPECT_THAT(r.changes.added_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
  // The fewest moves: the shorter paragraph's sentences.
  const std::vector<std::string>& shorter =
      in_a.size() < in_b.size() ? in_a : in_b;
  EXPECT_THAT(r.changes.moved_segment_ids, UnorderedElementsAreArray(shorter));
  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  EXPECT_THAT(new_ids, UnorderedElementsAreArray(old_ids_));
  EXPECT_NE(new_ids, old_ids_);
}

TEST_F(RevisionTest, RemovedAndAddedTextIsReported) {
  const std::string gone =
      "Donald Trump veut maintenant être célébré comme un artisan de la paix";
  size_t at = text_.find(gone);
  ASSERT_NE(at, std::string::npos);
  size_t end = text_.find("\n\n", at);
  std::vector<std::string> removed_ids;
  for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
    if (!seg.segment.content.text.empty() &&
        text_.substr(at, end - at).find(seg.segment.content.text) !=
            std::string::npos) {
      removed_ids.push_back(seg.info.segment_id);
    }
  }
  std::string edited = text_.substr(0, at) +
                       "Un tout autre texte, sans rapport aucun." +
                       text_.substr(end);
  ASSERT_OK_AND_ASSIGN(Revision r, Revise(edited));
  EXPECT_THAT(r.changes.removed_segment_ids,
              UnorderedElementsAreArray(removed_ids));
  EXPECT_EQ(r.changes.added_segment_ids.size(), 1u);
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
}

TEST_F(RevisionTest, StaleVersionIsAbortedAndWritesNothing) {
  Snapshot before = Snap();
  auto r = Revise(text_ + "\nEncore.\n", 7);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kAborted));
  auto info = ErrorInfoOf(r.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "VERSION_CONFLICT");
  EXPECT_EQ(info->metadata().at("current_version"), "1");
  StatementUpdate u;
  u.title = "Nouveau titre";
  EXPECT_THAT(core_->UpdateStatement(Admin(), statement_.statement_id, 3, u),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(core_->CloseStatement(Admin(), statement_.statement_id, 2),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(Snap(), before);
}

TEST_F(RevisionTest, ReviseIsIdempotentAndLogsAnEvent) {
  ReviseParams p;
  p.statement_id = statement_.statement_id;
  p.version = 1;
  p.source = "Texte remplacé entièrement.\n";
  p.control.request_id = "rev-1";
  const uint64_t feed = store_->LastVisibleFeedSeq();
  ASSERT_OK_AND_ASSIGN(Revision first, core_->ReviseStatement(Admin(), p));
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadFeed(feed, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "statement.revised");
  Snapshot after_first = Snap();
  ASSERT_OK_AND_ASSIGN(Revision again, core_->ReviseStatement(Admin(), p));
  EXPECT_EQ(again.revision_number, first.revision_number);
  EXPECT_EQ(again.changes.added_segment_ids, first.changes.added_segment_ids);
  EXPECT_EQ(Snap(), after_first);
  p.source = "Autre chose.\n";
  auto reused = core_->ReviseStatement(Admin(), p);
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorInfoOf(reused.status())->reason(), "REQUEST_ID_REUSED");

  ASSERT_OK_AND_ASSIGN(
      RevisionPage page,
      core_->ListRevisions(Admin(), statement_.statement_id, 1, ""));
  ASSERT_EQ(page.revisions.size(), 1u);
  EXPECT_EQ(page.revisions[0].revision_number, 1);
  ASSERT_OK_AND_ASSIGN(RevisionPage page2,
                       core_->ListRevisions(Admin(), statement_.statement_id, 1,
                                            page.next_page_token));
  ASSERT_EQ(page2.revisions.size(), 1u);
  EXPECT_EQ(page2.revisions[0].revision_number, 2);
  EXPECT_EQ(page2.revisions[0].note, "");
  EXPECT_TRUE(page2.next_page_token.empty());
}

// ---------------------------------------------------------------------------
// Idempotency.

TEST_F(StatementCoreTest, RequestIdMakesCreateIdempotentPerCaller) {
  CreateParams p = Params(ReadSeed(kResolution));
  p.control.request_id = "7d3f-import";
  ASSERT_OK_AND_ASSIGN(Statement first, core_->CreateStatement(Admin(), p));
  Snapshot after_first = Snap();
  ASSERT_OK_AND_ASSIGN(Statement again, core_->CreateStatement(Admin(), p));
  EXPECT_EQ(again.statement_id, first.statement_id);
  EXPECT_EQ(again.version, first.version);
  EXPECT_EQ(Snap(), after_first);

  CreateParams other = p;
  other.title = "Un autre titre";
  auto reused = core_->CreateStatement(Admin(), other);
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorInfoOf(reused.status())->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(Snap(), after_first);

  // Another caller's request ids are their own.
  ASSERT_OK_AND_ASSIGN(Statement theirs,
                       core_->CreateStatement(Coordinator(), p));
  EXPECT_NE(theirs.statement_id, first.statement_id);
}

TEST_F(StatementCoreTest, ConcurrentRetriesCreateOneStatement) {
  CreateParams p = Params(ReadSeed(kResolution));
  p.control.request_id = "same-request";
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<Statement>> results(8);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back(
        [&, i] { results[i] = core_->CreateStatement(Admin(), p); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_OK(r);
    ids.insert(r->statement_id);
  }
  EXPECT_EQ(ids.size(), 1u);
  ASSERT_OK_AND_ASSIGN(StatementPage page,
                       core_->ListStatements(Admin(), {}, 0, ""));
  EXPECT_EQ(page.statements.size(), 1u);
}

TEST_F(StatementCoreTest, ConcurrentRevisionsOfOneVersionHaveOneWinner) {
  Statement s = CreateOrDie(Params("Bonjour.\n"));
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<Revision>> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      ReviseParams rp;
      rp.statement_id = s.statement_id;
      rp.version = 1;
      rp.source = "Version " + std::to_string(i) + ".\n";
      results[i] = core_->ReviseStatement(Admin(), rp);
    });
  }
  for (auto& t : threads) t.join();
  int won = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++won;
      EXPECT_EQ(r->revision_number, 2);
    } else {
      EXPECT_THAT(r, StatusIs(absl::StatusCode::kAborted));
    }
  }
  EXPECT_EQ(won, 1);
  ASSERT_OK_AND_ASSIGN(Statement now,
                       core_->GetStatement(Admin(), s.statement_id));
  EXPECT_EQ(now.version, 2u);
  EXPECT_EQ(now.current_revision, 2);
  ASSERT_OK_AND_ASSIGN(RevisionPage revs,
                       core_->ListRevisions(Admin(), s.statement_id, 0, ""));
  EXPECT_EQ(revs.revisions.size(), 2u);
}

}  // namespace
}  // namespace tessera::statement

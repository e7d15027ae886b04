// Assignments: scopes, overlap, idempotency, updates, listing, overdue
// and archived statements.
#include "services/assignment/assignment_core.h"

#include "services/assignment/assignment_test_fixture.h"

namespace tessera::assignment::test {
namespace {

TEST_F(AssignmentCoreTest, ScopeKindsCountTheirSegments) {
  ASSERT_OK_AND_ASSIGN(
      Assignment whole,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Whole())));
  EXPECT_EQ(whole.segment_count, 10);
  EXPECT_EQ(whole.state, AssignmentState::kActive);
  ASSERT_OK_AND_ASSIGN(
      Assignment range,
      core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Range(2, 5))));
  EXPECT_EQ(range.segment_count, 4);
  EXPECT_GT(range.word_count, 0);
  ASSERT_OK(core_->Unassign(kCoord, range.assignment_id, range.version));
  ASSERT_OK_AND_ASSIGN(
      Assignment set,
      core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Set({7, 1, 4}))));
  EXPECT_EQ(set.segment_count, 3);
  // A set is kept in document order.
  EXPECT_EQ(set.scope.segment_ids,
            (std::vector<std::string>{ids_[1], ids_[4], ids_[7]}));

  // Bad scopes.
  EXPECT_THAT(
      core_->Assign(kCoord, Params(kBen, WorkRole::kReview, Range(5, 2)))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  Scope unknown{Scope::Kind::kSet, {"0000000000000000"}};
  EXPECT_THAT(
      core_->Assign(kCoord, Params(kBen, WorkRole::kReview, unknown)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      core_->Assign(kCoord, Params(kBen, WorkRole::kReview, Set({3, 3})))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  // Only coordinators assign; the assignee needs the role.
  EXPECT_THAT(
      core_->Assign(kAnna, Params(kAnna, WorkRole::kReview, Range(0, 0)))
          .status(),
      StatusIs(absl::StatusCode::kPermissionDenied));
  absl::Status s =
      core_->Assign(kCoord, Params(kAnna, WorkRole::kReview, Range(0, 0)))
          .status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(s), "ASSIGNEE_ROLE");
}

TEST_F(AssignmentCoreTest, OverlapIsRefusedNamingTheHolder) {
  ASSERT_OK_AND_ASSIGN(
      Assignment a,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Range(0, 4))));
  absl::Status s =
      core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Set({4, 6})))
          .status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(s), "ASSIGNMENT_OVERLAP");
  EXPECT_NE(std::string(s.message()).find("users/anna"), std::string::npos)
      << s;
  s = core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Whole()))
          .status();
  EXPECT_EQ(ReasonOf(s), "ASSIGNMENT_OVERLAP");
  // Adjacent is fine, and so is the same segment for another role.
  ASSERT_OK(
      core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Range(5, 6))));
  ASSERT_OK(
      core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Range(0, 9))));
  // Reassigning is explicit: update the assignee.
  AssignmentUpdate update;
  update.assignee = "cara";
  ASSERT_OK_AND_ASSIGN(
      Assignment moved,
      core_->UpdateAssignment(kCoord, a.assignment_id, a.version, update));
  EXPECT_EQ(moved.assignee, "cara");
  // A stale version is refused.
  EXPECT_THAT(core_->Unassign(kCoord, a.assignment_id, a.version).status(),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK(core_->Unassign(kCoord, moved.assignment_id, moved.version));
  // Once ended, the segments are free again.
  ASSERT_OK(
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({4}))));
  // Listing: active by default, ended on request.
  AssignmentQuery q;
  q.statement_id = sid_;
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 3u);
  q.states = {AssignmentState::kEnded};
  ASSERT_OK_AND_ASSIGN(page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 1u);
  q.states.clear();
  q.assignee = "anna";
  ASSERT_OK_AND_ASSIGN(page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 1u);
  // Translators see only their own.
  q.assignee.clear();
  ASSERT_OK_AND_ASSIGN(page, core_->ListAssignments(kBen, q, 0, ""));
  ASSERT_EQ(page.assignments.size(), 1u);
  EXPECT_EQ(page.assignments[0].assignee, "ben");
}

TEST_F(AssignmentCoreTest, OverdueAssignmentsAreReportedAndRaisedOnce) {
  AssignParams p = Params(kAnna, WorkRole::kTranslate, Range(0, 2));
  p.deadline = clock_.Now() + absl::Hours(2);
  ASSERT_OK_AND_ASSIGN(Assignment a, core_->Assign(kCoord, p));
  EXPECT_FALSE(a.overdue);
  clock_.Advance(absl::Hours(3));
  ASSERT_OK_AND_ASSIGN(auto progress, core_->GetProgress(kCoord, sid_, {}));
  ASSERT_EQ(progress.languages.size(), 1u);
  const LanguageProgress& fr = progress.languages[0];
  ASSERT_EQ(fr.overdue_assignments.size(), 1u);
  EXPECT_EQ(fr.segment_count, 10);
  ASSERT_EQ(fr.assignees.size(), 1u);
  EXPECT_TRUE(fr.assignees[0].overdue);
  EXPECT_GT(fr.unassigned_words, 0);
  EXPECT_EQ(fr.words_left, fr.word_count);
  AssignmentQuery q;
  q.overdue_only = true;
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 1u);

  auto count_events = [&] {
    int n = 0;
    auto events = store_->ReadFeed(0, 10000);
    EXPECT_OK(events);
    for (const auto& e : *events) n += e.type == "assignment.overdue";
    return n;
  };
  ASSERT_OK(core_->Sweep());
  EXPECT_EQ(count_events(), 1);
  ASSERT_OK(core_->Sweep());
  EXPECT_EQ(count_events(), 1);
  // Finishing the work clears the flag.
  for (int i = 0; i <= 2; ++i) ASSERT_OK(Submit(kAnna, i));
  ASSERT_OK_AND_ASSIGN(Assignment done,
                       core_->GetAssignment(kCoord, a.assignment_id));
  EXPECT_TRUE(done.complete);
  EXPECT_FALSE(done.overdue);
}

TEST_F(AssignmentCoreTest, AssignWithARequestIdIsIdempotent) {
  AssignParams p = Params(kAnna, WorkRole::kTranslate, Range(0, 3));
  p.request_id = "req-1";
  ASSERT_OK_AND_ASSIGN(Assignment a, core_->Assign(kCoord, p));
  ASSERT_OK_AND_ASSIGN(Assignment again, core_->Assign(kCoord, p));
  EXPECT_EQ(again.assignment_id, a.assignment_id);
  AssignmentQuery q;
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 1u);
  // The same request_id with any field changed is refused, and writes
  // nothing.
  AssignParams other = p;
  other.note = "a different note";
  absl::Status reused = core_->Assign(kCoord, other).status();
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(reused), "REQUEST_ID_REUSED");
  other = Params(kAnna, WorkRole::kTranslate, Range(0, 4));
  other.request_id = "req-1";
  EXPECT_EQ(ReasonOf(core_->Assign(kCoord, other).status()),
            "REQUEST_ID_REUSED");
  ASSERT_OK_AND_ASSIGN(page, core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_EQ(page.assignments.size(), 1u);
  // Limits: a note longer than allowed, a deadline in the past.
  AssignParams bad = Params(kBen, WorkRole::kTranslate, Range(5, 6));
  bad.note = std::string(kMaxNoteBytes + 1, 'x');
  EXPECT_THAT(core_->Assign(kCoord, bad).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  bad.note.clear();
  bad.deadline = clock_.Now() - absl::Minutes(1);
  EXPECT_THAT(core_->Assign(kCoord, bad).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ClaimParams c;
  c.statement_id = sid_;
  c.language = "fr";
  c.role = WorkRole::kTranslate;
  c.context_size = kMaxContextSize + 1;
  EXPECT_THAT(core_->ClaimNext(kBen, c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  c.context_size = 0;
  c.exclude.assign(kMaxExcludeSegments + 1, Ref(0));
  EXPECT_THAT(core_->ClaimNext(kBen, c).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AssignmentCoreTest, ArchivingEndsAssignments) {
  ASSERT_OK_AND_ASSIGN(
      Assignment a,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Range(0, 2))));
  ASSERT_OK_AND_ASSIGN(auto s, statements_->LoadStatement(sid_));
  ASSERT_OK(statements_->ArchiveStatement(Admin(), sid_, s.version));
  ASSERT_OK(core_->Sweep());
  ASSERT_OK_AND_ASSIGN(Assignment ended,
                       core_->GetAssignment(kCoord, a.assignment_id));
  EXPECT_EQ(ended.state, AssignmentState::kEnded);
  EXPECT_TRUE(ended.end_time.has_value());
  // And no new work is assigned there.
  absl::Status st =
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Whole()))
          .status();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(st), "WRONG_STATE");
}

TEST_F(AssignmentCoreTest, ReassigningReleasesThePreviousAssigneesLease) {
  Create(/*open_claiming=*/false);
  ASSERT_OK_AND_ASSIGN(
      Assignment a,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Range(2, 4))));
  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kAnna));
  EXPECT_EQ(Index(r), 2);
  EXPECT_EQ(r.lease.assignment, a.assignment_id);
  AssignmentUpdate update;
  update.assignee = "cara";
  ASSERT_OK(
      core_->UpdateAssignment(kCoord, a.assignment_id, a.version, update));
  // Anna's lease ended with her assignment; the segment is Cara's now.
  EXPECT_EQ(ReasonOf(Submit(kAnna, 2)), "NOT_ASSIGNED");
  ASSERT_OK_AND_ASSIGN(MyWork anna, core_->GetMyWork(kAnna, {}));
  EXPECT_TRUE(anna.leases.empty());
  EXPECT_TRUE(anna.assignments.empty());
  ASSERT_OK_AND_ASSIGN(ClaimResult c, Claim(kCara));
  EXPECT_EQ(Index(c), 2);
  ASSERT_OK(Submit(kCara, 2));
  // Narrowing the scope releases a lease on a segment that leaves it.
  ASSERT_OK_AND_ASSIGN(c, Claim(kCara));
  EXPECT_EQ(Index(c), 3);
  ASSERT_OK_AND_ASSIGN(Assignment now,
                       core_->GetAssignment(kCoord, a.assignment_id));
  AssignmentUpdate narrow;
  narrow.scope = Range(4, 4);
  ASSERT_OK(
      core_->UpdateAssignment(kCoord, a.assignment_id, now.version, narrow));
  EXPECT_EQ(ReasonOf(Submit(kCara, 3)), "NOT_ASSIGNED");
  ASSERT_OK_AND_ASSIGN(c, Claim(kCara));
  EXPECT_EQ(Index(c), 4);
}

TEST_F(AssignmentCoreTest, PageTokensResumeAfterTheLastItemOfTheSameQuery) {
  std::vector<Assignment> made;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(
        Assignment a, core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate,
                                                   Range(2 * i, 2 * i + 1))));
    made.push_back(a);
    clock_.Advance(absl::Seconds(1));
  }
  AssignmentQuery q;
  q.statement_id = sid_;
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListAssignments(kCoord, q, 1, ""));
  ASSERT_EQ(page.assignments.size(), 1u);
  EXPECT_EQ(page.assignments[0].assignment_id, made[0].assignment_id);
  ASSERT_FALSE(page.next_page_token.empty());
  const std::string token = page.next_page_token;
  // The first item leaves the results; the next page still starts right
  // after it instead of skipping one.
  ASSERT_OK(
      core_->Unassign(kCoord, made[0].assignment_id, made[0].version).status());
  ASSERT_OK_AND_ASSIGN(page, core_->ListAssignments(kCoord, q, 1, token));
  ASSERT_EQ(page.assignments.size(), 1u);
  EXPECT_EQ(page.assignments[0].assignment_id, made[1].assignment_id);
  ASSERT_OK_AND_ASSIGN(
      page, core_->ListAssignments(kCoord, q, 1, page.next_page_token));
  ASSERT_EQ(page.assignments.size(), 1u);
  EXPECT_EQ(page.assignments[0].assignment_id, made[2].assignment_id);
  EXPECT_TRUE(page.next_page_token.empty());
  // A token of another query, or an edited one, is refused.
  AssignmentQuery other = q;
  other.role = WorkRole::kReview;
  absl::Status s = core_->ListAssignments(kCoord, other, 1, token).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(s), "INVALID_TOKEN");
  other = q;
  other.states = {AssignmentState::kEnded};
  EXPECT_THAT(core_->ListAssignments(kCoord, other, 1, token).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->ListAssignments(kCoord, q, 1, "1").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string edited = token;
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THAT(core_->ListAssignments(kCoord, q, 1, edited).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AssignmentCoreTest, ScopesFollowARevision) {
  // s0 gets a translation so that it can be told apart from s1's successor.
  ASSERT_OK(Submit(kCoord, 0));
  ASSERT_OK_AND_ASSIGN(
      Assignment set,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({1, 5}))));
  ASSERT_OK_AND_ASSIGN(
      Assignment removed_first,
      core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Range(2, 3))));
  ASSERT_OK_AND_ASSIGN(
      Assignment changed_end,
      core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Range(1, 1))));
  ASSERT_OK_AND_ASSIGN(
      Assignment all_removed,
      core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Range(2, 2))));
  // The revision adds a paragraph in front (so ordinals shift), changes s1
  // and removes s2.
  std::string source =
      "Preface: read all of it carefully before you begin.\n\n";
  for (int i = 1; i <= 10; ++i) {
    if (i == 3) continue;
    source += i == 2 ? "Sentence number 2 of the whole statement.\n\n"
                     : StrCat("Sentence number ", i, " of the statement.\n\n");
  }
  ASSERT_OK_AND_ASSIGN(auto loaded,
                       statements_->LoadStatementWithInternalId(sid_));
  statement::ReviseParams rp;
  rp.statement_id = sid_;
  rp.version = loaded.first.version;
  rp.source = source;
  ASSERT_OK_AND_ASSIGN(statement::Revision rev,
                       statements_->ReviseStatement(Admin(), rp));
  ASSERT_EQ(rev.changes.changed_segments.size(), 1u);
  ASSERT_EQ(rev.changes.changed_segments[0].predecessor_segment_id, ids_[1]);
  const std::string successor = rev.changes.changed_segments[0].segment_id;
  ASSERT_EQ(rev.changes.removed_segment_ids, std::vector<std::string>{ids_[2]});

  auto untranslated = [](const Assignment& a) {
    for (const auto& c : a.state_counts) {
      if (c.state == SegmentState::kUntranslated) return c.segments;
    }
    return int64_t{-1};
  };
  // The set: s1's successor replaces it, s5 stays.
  ASSERT_OK_AND_ASSIGN(Assignment a,
                       core_->GetAssignment(kCoord, set.assignment_id));
  EXPECT_EQ(a.segment_count, 2);
  EXPECT_EQ(a.scope.segment_ids,
            (std::vector<std::string>{successor, ids_[5]}));
  // A removed first end moves inwards: only s3 is left.
  ASSERT_OK_AND_ASSIGN(
      a, core_->GetAssignment(kCoord, removed_first.assignment_id));
  EXPECT_EQ(a.segment_count, 1);
  EXPECT_EQ(a.scope.segment_ids, (std::vector<std::string>{ids_[3], ids_[3]}));
  // A changed end is its successor (untranslated), not its old position
  // (now s0, translated).
  ASSERT_OK_AND_ASSIGN(a,
                       core_->GetAssignment(kCoord, changed_end.assignment_id));
  EXPECT_EQ(a.segment_count, 1);
  EXPECT_EQ(untranslated(a), 1);
  EXPECT_EQ(a.scope.segment_ids,
            (std::vector<std::string>{successor, successor}));
  // Nothing of the range survives: the scope is empty.
  ASSERT_OK_AND_ASSIGN(a,
                       core_->GetAssignment(kCoord, all_removed.assignment_id));
  EXPECT_EQ(a.segment_count, 0);
  // Anna's first assigned segment is now s1's successor.
  ASSERT_OK_AND_ASSIGN(ClaimResult c, Claim(kAnna));
  EXPECT_EQ(c.reason, ClaimReason::kAssigned);
  EXPECT_EQ(c.lease.segment_id, successor);
}

// Every write checks the call's deadline just before it commits.
TEST_F(AssignmentCoreTest, AssignmentWritesPastTheDeadlineWriteNothing) {
  const CallContext late(kCoord, clock_.Now() - absl::Seconds(1), &clock_);
  EXPECT_THAT(core_->Assign(late, Params(kAnna, WorkRole::kTranslate, Whole())),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  AssignmentQuery q;
  q.statement_id = sid_;
  ASSERT_OK_AND_ASSIGN(AssignmentPage page,
                       core_->ListAssignments(kCoord, q, 0, ""));
  EXPECT_TRUE(page.assignments.empty());

  ASSERT_OK_AND_ASSIGN(
      Assignment a,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Whole())));
  AssignmentUpdate u;
  u.note = "by Friday";
  EXPECT_THAT(core_->UpdateAssignment(late, a.assignment_id, a.version, u),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(core_->Unassign(late, a.assignment_id, a.version),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_OK_AND_ASSIGN(Assignment now,
                       core_->GetAssignment(kCoord, a.assignment_id));
  EXPECT_EQ(now.version, a.version);
  EXPECT_EQ(now.note, "");
  EXPECT_EQ(now.state, AssignmentState::kActive);
}

}  // namespace
}  // namespace tessera::assignment::test

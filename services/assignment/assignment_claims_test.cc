// Claims, leases and the gate: what ClaimNext hands out, how leases
// expire, renew and end, and who may change a segment.
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_test_fixture.h"

namespace tessera::assignment::test {
namespace {

TEST_F(AssignmentCoreTest, ClaimOrderReturnedThenAssignedThenOpenPool) {
  ASSERT_OK(
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({6, 7}))));
  ASSERT_OK(
      core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Range(0, 1))));
  // Anna: her assignment first, in document order.
  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kAnna));
  EXPECT_EQ(Index(r), 6);
  EXPECT_EQ(r.reason, ClaimReason::kAssigned);
  EXPECT_EQ(r.translation.source.segment.content.text,
            "Sentence number 7 of the statement.");
  ASSERT_EQ(r.context_before.size(), 2u);
  EXPECT_EQ(r.context_before[1].segment_id, ids_[5]);
  ASSERT_EQ(r.context_after.size(), 2u);
  EXPECT_EQ(r.context_after[0].segment_id, ids_[7]);
  // Asking again hands back the same lease (a retry leaks nothing).
  ASSERT_OK_AND_ASSIGN(ClaimResult again, Claim(kAnna));
  EXPECT_EQ(again.lease.lease_id, r.lease.lease_id);
  EXPECT_EQ(again.reason, ClaimReason::kCurrent);
  ASSERT_OK(Submit(kAnna, 6));
  ASSERT_OK_AND_ASSIGN(r, Claim(kAnna));
  EXPECT_EQ(Index(r), 7);
  ASSERT_OK(Submit(kAnna, 7));
  // Then the open pool, skipping Ben's range.
  ASSERT_OK_AND_ASSIGN(r, Claim(kAnna));
  EXPECT_EQ(Index(r), 2);
  EXPECT_EQ(r.reason, ClaimReason::kOpenPool);
  // Cara gets the next one, not Anna's.
  ASSERT_OK_AND_ASSIGN(ClaimResult c, Claim(kCara));
  EXPECT_EQ(Index(c), 3);
  // The earlier lease completed when Anna claimed again.
  ASSERT_OK_AND_ASSIGN(MyWork work, core_->GetMyWork(kAnna, {}));
  ASSERT_EQ(work.leases.size(), 1u);
  EXPECT_EQ(work.leases[0].segment_id, ids_[2]);
  EXPECT_EQ(work.assignments.size(), 1u);

  ASSERT_OK(Submit(kAnna, 2));
  // A rejection goes back to its translator first.
  ASSERT_OK(core_->Assign(kCoord, Params(kRita, WorkRole::kReview, Whole())));
  ASSERT_OK_AND_ASSIGN(ClaimResult review, Claim(kRita, WorkRole::kReview));
  EXPECT_EQ(Index(review), 2);
  ASSERT_OK(
      translations_->Approve(kRita, Ref(2), review.translation.version, ""));
  ASSERT_OK_AND_ASSIGN(review, Claim(kRita, WorkRole::kReview));
  EXPECT_EQ(Index(review), 6);
  ASSERT_OK(translations_->Reject(kRita, Ref(6), review.translation.version,
                                  "Wrong number."));
  ASSERT_OK_AND_ASSIGN(r, Claim(kAnna));
  EXPECT_EQ(Index(r), 6);
  EXPECT_EQ(r.reason, ClaimReason::kReturned);
  ASSERT_OK_AND_ASSIGN(work, core_->GetMyWork(kAnna, {}));
  ASSERT_EQ(work.rejected_segments.size(), 1u);
  EXPECT_EQ(work.rejected_segments[0].segment_id, ids_[6]);
  // Cara never gets Anna's rejection from the pool.
  ASSERT_OK(Submit(kCara, 3));
  for (int i = 0; i < 10; ++i) {
    auto next = Claim(kCara);
    if (!next.ok()) {
      EXPECT_EQ(ReasonOf(next.status()), "NOTHING_TO_CLAIM");
      break;
    }
    EXPECT_NE(Index(*next), 6);
    ASSERT_OK(Submit(kCara, Index(*next)));
  }
  // Nothing is left for Cara: Ben's range is his, the rest is done or held.
  EXPECT_THAT(Claim(kCara).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AssignmentCoreTest, WithoutOpenClaimingOnlyAssignedWork) {
  Create(/*open_claiming=*/false);
  EXPECT_THAT(Claim(kAnna).status(), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({3}))));
  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kAnna));
  EXPECT_EQ(Index(r), 3);
  ASSERT_OK(Submit(kAnna, 3));
  EXPECT_THAT(Claim(kAnna).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AssignmentCoreTest, LeasesExpireAndRenewWithTheClock) {
  ASSERT_OK_AND_ASSIGN(ClaimResult a, Claim(kAnna));
  EXPECT_EQ(Index(a), 0);
  EXPECT_EQ(a.lease.expire_time, clock_.Now() + absl::Minutes(20));
  ASSERT_OK_AND_ASSIGN(ClaimResult b, Claim(kBen));
  EXPECT_EQ(Index(b), 1);
  // Anna renews at minute 15; Ben does nothing.
  clock_.Advance(absl::Minutes(15));
  ASSERT_OK_AND_ASSIGN(Lease renewed,
                       core_->RenewLease(kAnna, a.lease.lease_id, 0));
  EXPECT_EQ(renewed.expire_time, clock_.Now() + absl::Minutes(20));
  EXPECT_EQ(renewed.version, 2);
  EXPECT_THAT(core_->RenewLease(kAnna, a.lease.lease_id, 1).status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(core_->RenewLease(kBen, a.lease.lease_id, 0).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // Activity renews too: a draft at minute 30 keeps Anna's lease alive.
  clock_.Advance(absl::Minutes(15));
  ASSERT_OK(translations_->SaveDraft(kAnna, Ref(0), 1, Text("Phrase")));
  // Minute 40: Ben's lease (taken at 0) has expired, Anna's has not.
  clock_.Advance(absl::Minutes(10));
  ASSERT_OK_AND_ASSIGN(ClaimResult c, Claim(kCara));
  EXPECT_EQ(Index(c), 1) << "Ben's expired lease returned to the pool";
  // Ben can neither renew nor submit any more.
  EXPECT_THAT(core_->RenewLease(kBen, b.lease.lease_id, 0).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  absl::Status s = Submit(kBen, 1);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReasonOf(s), "NOT_ASSIGNED");
  ASSERT_OK(Submit(kAnna, 0));
  // The sweep marks what expired.
  clock_.Advance(absl::Hours(1));
  ASSERT_OK(core_->Sweep());
  ASSERT_OK_AND_ASSIGN(MyWork work, core_->GetMyWork(kCara, {}));
  EXPECT_TRUE(work.leases.empty());
  // Releasing an ended lease returns it unchanged.
  ASSERT_OK_AND_ASSIGN(Lease released,
                       core_->ReleaseLease(kCara, c.lease.lease_id, 0));
  EXPECT_EQ(released.state, LeaseState::kExpired);
}

TEST_F(AssignmentCoreTest, ReleaseReturnsTheSegmentAndExcludeSkips) {
  ASSERT_OK_AND_ASSIGN(ClaimResult a, Claim(kAnna));
  ASSERT_OK_AND_ASSIGN(Lease released,
                       core_->ReleaseLease(kAnna, a.lease.lease_id, 0));
  EXPECT_EQ(released.state, LeaseState::kReleased);
  ASSERT_OK_AND_ASSIGN(ClaimResult b, Claim(kBen));
  EXPECT_EQ(Index(b), 0);
  // Skipping the current lease releases it and moves on.
  ClaimParams p;
  p.statement_id = sid_;
  p.language = "fr";
  p.role = WorkRole::kTranslate;
  p.exclude.push_back(Ref(0));
  ASSERT_OK_AND_ASSIGN(ClaimResult next, core_->ClaimNext(kBen, p));
  EXPECT_EQ(Index(next), 1);
  ASSERT_OK_AND_ASSIGN(ClaimResult c, Claim(kCara));
  EXPECT_EQ(Index(c), 0);
}

TEST_F(AssignmentCoreTest, EveryMutationNeedsALeaseOrAnAssignment) {
  // Untouched segment: the translator is refused, the coordinator is not.
  absl::Status s = Submit(kAnna, 4);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReasonOf(s), "NOT_ASSIGNED");
  EXPECT_EQ(
      ReasonOf(translations_->SaveDraft(kAnna, Ref(4), 1, Text("x")).status()),
      "NOT_ASSIGNED");
  ASSERT_OK(Submit(kCoord, 4));
  s = translations_->Approve(kRita, Ref(4), 2, "").status();
  EXPECT_EQ(ReasonOf(s), "NOT_ASSIGNED");
  s = translations_->Reject(kRita, Ref(4), 2, "no").status();
  EXPECT_EQ(ReasonOf(s), "NOT_ASSIGNED");
  // A review lease lets Rita approve.
  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kRita, WorkRole::kReview));
  EXPECT_EQ(Index(r), 4);
  ASSERT_OK(translations_->Approve(kRita, Ref(4), 2, ""));
  // A translate lease does not allow review, nor the other way round.
  ASSERT_OK_AND_ASSIGN(ClaimResult t, Claim(kAnna));
  EXPECT_EQ(Index(t), 0);
  EXPECT_EQ(ReasonOf(Submit(kAnna, 1)), "NOT_ASSIGNED");
  ASSERT_OK(Submit(kAnna, 0));
  // An assignment covers without a lease.
  ASSERT_OK(
      core_->Assign(kCoord, Params(kBen, WorkRole::kTranslate, Range(5, 6))));
  ASSERT_OK(Submit(kBen, 5));
  ASSERT_OK(Submit(kBen, 6));
  EXPECT_EQ(ReasonOf(Submit(kBen, 7)), "NOT_ASSIGNED");
  // ListSegments' assignee filter sees assignments and leases.
  translation::ListSegmentsQuery q;
  q.assignee = "ben";
  ASSERT_OK_AND_ASSIGN(
      auto page, translations_->ListSegments(kCoord, sid_, "fr", q, 0, ""));
  ASSERT_EQ(page.translations.size(), 2u);
  EXPECT_EQ(page.translations[0].segment_id, ids_[5]);
}

TEST_F(AssignmentCoreTest, ClaimsAcrossStatementsComeByDeadline) {
  const std::string first = sid_;
  const std::vector<std::string> first_ids = ids_;
  Create(/*open_claiming=*/true);
  const std::string second = sid_;
  // The newer statement has a deadline, so it comes first.
  ASSERT_OK_AND_ASSIGN(auto s2, statements_->LoadStatement(second));
  statement::StatementUpdate update;
  update.deadline = std::optional<absl::Time>(clock_.Now() + absl::Hours(5));
  ASSERT_OK(statements_->UpdateStatement(Admin(), second, s2.version, update));
  ClaimParams p;
  p.language = "fr";
  p.role = WorkRole::kTranslate;
  ASSERT_OK_AND_ASSIGN(ClaimResult r, core_->ClaimNext(kAnna, p));
  EXPECT_EQ(r.lease.statement_id, second);
  // A closed statement hands out nothing, and naming it is refused.
  ASSERT_OK_AND_ASSIGN(s2, statements_->LoadStatement(second));
  ASSERT_OK(statements_->CloseStatement(Admin(), second, s2.version));
  ASSERT_OK_AND_ASSIGN(r, core_->ClaimNext(kBen, p));
  EXPECT_EQ(r.lease.statement_id, first);
  EXPECT_EQ(r.lease.segment_id, first_ids[0]);
  p.statement_id = second;
  absl::Status s = core_->ClaimNext(kBen, p).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(s), "WRONG_STATE");
  // A language the statement does not target; one the caller lacks.
  p.statement_id = first;
  p.language = "de";
  s = core_->ClaimNext(Admin(), p).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(s), "LANGUAGE_NOT_TARGETED");
  s = core_->ClaimNext(kBen, p).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReasonOf(s), "LANGUAGE_NOT_GRANTED");
}

TEST_F(AssignmentCoreTest, ActiveLeasesAreCountedAfterARestartAndRenewals) {
  ASSERT_OK(
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Range(0, 3)))
          .status());
  ASSERT_OK_AND_ASSIGN(ClaimResult anna, Claim(kAnna));
  ASSERT_OK_AND_ASSIGN(ClaimResult ben, Claim(kBen));
  auto leases = [&](int* total, int* of_anna) -> absl::Status {
    auto p = core_->GetProgress(kCoord, sid_, {"fr"});
    if (!p.ok()) return p.status();
    *total = p->languages.at(0).active_leases;
    *of_anna = -1;
    for (const auto& ap : p->languages.at(0).assignees) {
      if (ap.assignee == "anna") *of_anna = ap.active_leases;
    }
    return absl::OkStatus();
  };
  int total = 0, of_anna = 0;
  ASSERT_OK(leases(&total, &of_anna));
  EXPECT_EQ(total, 2);
  EXPECT_EQ(of_anna, 1);
  Reopen();
  ASSERT_OK(leases(&total, &of_anna));
  EXPECT_EQ(total, 2);
  EXPECT_EQ(of_anna, 1);
  // Renewed leases outlive their first expiry; the others do not.
  clock_.Advance(absl::Minutes(15));
  ASSERT_OK(core_->RenewLease(kAnna, anna.lease.lease_id, 0).status());
  clock_.Advance(absl::Minutes(10));
  ASSERT_OK(leases(&total, &of_anna));
  EXPECT_EQ(total, 1);
  EXPECT_EQ(of_anna, 1);
  ASSERT_OK(core_->ReleaseLease(kAnna, anna.lease.lease_id, 0).status());
  ASSERT_OK(leases(&total, &of_anna));
  EXPECT_EQ(total, 0);
  EXPECT_EQ(of_anna, 0);
  (void)ben;
}

TEST_F(AssignmentCoreTest,
       ClaimsWithoutAStatementReuseTheOpenListUntilOneChanges) {
  ClaimParams p;
  p.language = "fr";
  p.role = WorkRole::kTranslate;
  // Claims and translation commits do not touch statements: one listing.
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(ClaimResult r, core_->ClaimNext(kAnna, p));
    ASSERT_OK(Submit(kAnna, Index(r)));
  }
  EXPECT_EQ(core_->OpenListBuildsForTest(), 1);
  // A new open statement is seen on the next claim.
  const std::string first = sid_;
  Create(/*open_claiming=*/true);
  ASSERT_OK_AND_ASSIGN(auto s2, statements_->LoadStatement(sid_));
  statement::StatementUpdate update;
  update.deadline = std::optional<absl::Time>(clock_.Now() + absl::Hours(5));
  ASSERT_OK(statements_->UpdateStatement(Admin(), sid_, s2.version, update));
  ASSERT_OK_AND_ASSIGN(ClaimResult r, core_->ClaimNext(kBen, p));
  EXPECT_EQ(r.lease.statement_id, sid_);
  EXPECT_EQ(core_->OpenListBuildsForTest(), 2);
  // Closing it sends claims back to the first one.
  ASSERT_OK_AND_ASSIGN(s2, statements_->LoadStatement(sid_));
  ASSERT_OK(statements_->CloseStatement(Admin(), sid_, s2.version));
  ASSERT_OK_AND_ASSIGN(r, core_->ClaimNext(kCara, p));
  EXPECT_EQ(r.lease.statement_id, first);
}

// The edge's signal that the client gave up on the call.
class Cancelled final : public CancellationSource {
 public:
  bool IsCancelled() const override { return true; }
};

// Claims, renewals and releases check the call's deadline and cancellation
// just before they commit.
TEST_F(AssignmentCoreTest, LeaseWritesOfAGoneCallWriteNothing) {
  const CallContext late(kAnna, clock_.Now() - absl::Seconds(1), &clock_);
  ClaimParams p;
  p.statement_id = sid_;
  p.language = "fr";
  p.role = WorkRole::kTranslate;
  EXPECT_THAT(core_->ClaimNext(late, p),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_OK_AND_ASSIGN(MyWork work, core_->GetMyWork(kAnna, {}));
  EXPECT_TRUE(work.leases.empty());

  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kAnna));
  EXPECT_EQ(r.lease.segment_id, ids_[0]);
  const Cancelled cancelled;
  const CallContext gone(kAnna, absl::InfiniteFuture(), &clock_, &cancelled);
  clock_.Advance(absl::Minutes(5));
  EXPECT_THAT(core_->RenewLease(gone, r.lease.lease_id, 0),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(core_->ReleaseLease(late, r.lease.lease_id, 0),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_OK_AND_ASSIGN(work, core_->GetMyWork(kAnna, {}));
  ASSERT_EQ(work.leases.size(), 1u);
  EXPECT_EQ(work.leases[0].version, r.lease.version);
  EXPECT_EQ(work.leases[0].expire_time, r.lease.expire_time);
  EXPECT_EQ(work.leases[0].state, LeaseState::kActive);
}

// Found by tests/crash/history_check.py: two commits on one segment notify
// the index from their own threads, so the older change can arrive last. It
// used to overwrite the newer state: the assignment showed done work as
// open until the segment changed again.
TEST_F(AssignmentCoreTest, WorkIndexIgnoresALateNotificationOfAnOlderChange) {
  ASSERT_OK_AND_ASSIGN(
      Assignment a,
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({4}))));
  ASSERT_OK(Submit(kCoord, 4));
  ASSERT_OK_AND_ASSIGN(auto loaded,
                       statement_reader_->LoadStatementWithInternalId(sid_));
  core_->Committed(translation::CommittedChange{
      sid_, loaded.second, "fr", ids_[4], SegmentState::kUntranslated, 0, "",
      {}});
  ASSERT_OK_AND_ASSIGN(a, core_->GetAssignment(kCoord, a.assignment_id));
  EXPECT_TRUE(a.complete);
  for (const StateCount& c : a.state_counts) {
    EXPECT_EQ(c.segments, c.state == SegmentState::kTranslated ? 1 : 0)
        << "state " << static_cast<int>(c.state);
  }
}

// Found by tests/crash/history_check.py: ClaimNext handed back the caller's
// current lease on the work index's word alone, so a segment someone else
// had translated meanwhile came back as translate work. Here the change
// bypasses the index (a translation core without the assignment gate, as
// a commit racing the index build does).
TEST_F(AssignmentCoreTest, ClaimNextRechecksTheCurrentLeaseBeforeHandingItBack) {
  ASSERT_OK(
      core_->Assign(kCoord, Params(kAnna, WorkRole::kTranslate, Set({4, 5}))));
  ASSERT_OK_AND_ASSIGN(ClaimResult r, Claim(kAnna));
  ASSERT_EQ(Index(r), 4);
  TranslationCore unguarded(store_.get(), statements_for_translation_.get(),
                            &clock_);
  ASSERT_OK_AND_ASSIGN(auto t, unguarded.LoadTranslation(Ref(4)));
  ASSERT_OK(unguarded
                .Submit(kCoord, Ref(4), t.version,
                        Text("Phrase numéro 5 de la déclaration."), false)
                .status());
  ASSERT_OK_AND_ASSIGN(ClaimResult again, Claim(kAnna));
  EXPECT_EQ(Index(again), 5);
  EXPECT_NE(again.reason, ClaimReason::kCurrent);
  EXPECT_EQ(again.translation.state, SegmentState::kUntranslated);
}

}  // namespace
}  // namespace tessera::assignment::test

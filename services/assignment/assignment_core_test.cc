#include "services/assignment/assignment_core.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "formats/document.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/grpc/grpc_status.h"
#include "storage/store.h"

namespace tessera::assignment {
namespace {

using ::tessera::statement::CreateParams;
using ::tessera::statement::StatementCore;
using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::tessera::translation::TranslationCore;
using ::tessera::translation::TranslationRef;

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
Principal User(std::string id, Role role) {
  return Principal{std::move(id), "", {{role, {"fr"}}}};
}
const Principal kCoord = User("coord", Role::kCoordinator);
const Principal kAnna = User("anna", Role::kTranslator);
const Principal kBen = User("ben", Role::kTranslator);
const Principal kCara = User("cara", Role::kTranslator);
const Principal kRita = User("rita", Role::kReviewer);

std::string ReasonOf(const absl::Status& s) {
  auto p =
      WithRpcDetails(s).GetPayload("type.googleapis.com/google.rpc.ErrorInfo");
  if (!p.has_value()) return "";
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*p))) return "";
  return info.reason();
}

formats::Content Text(const std::string& t) {
  formats::Content c;
  c.text = t;
  return c;
}

class AssignmentCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    Create(/*open_claiming=*/true);
  }

  // Closes everything and opens the same database again, as a restart does.
  void Reopen() {
    core_.reset();
    translations_.reset();
    statements_.reset();
    store_.reset();
    Open();
  }

  void Open() {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    statements_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                                  RandomSource::Secure());
    translations_ = std::make_unique<TranslationCore>(
        store_.get(), statements_.get(), &clock_);
    for (const Principal* p : {&kCoord, &kAnna, &kBen, &kCara, &kRita}) {
      users_[p->user_id] = p->grants;
    }
    AssignmentOptions options;
    options.lease_ttl = absl::Minutes(20);
    core_ = std::make_unique<AssignmentCore>(
        store_.get(), statements_.get(), translations_.get(),
        [this](std::string_view id) -> absl::StatusOr<std::vector<RoleGrant>> {
          auto it = users_.find(std::string(id));
          if (it == users_.end()) return absl::NotFoundError("no such user");
          return it->second;
        },
        &clock_, RandomSource::Secure(), options);
  }

  void Create(bool open_claiming) {
    CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kPlainText;
    std::string source;
    for (int i = 1; i <= 10; ++i) {
      source += StrCat("Sentence number ", i, " of the statement.\n\n");
    }
    p.source = source;
    p.source_language = "en";
    p.target_languages = {"fr"};
    p.allow_open_claiming = open_claiming;
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(Admin(), p));
    sid_ = s.statement_id;
    ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                        Admin(), sid_, 0, 100, "", true));
    ids_.clear();
    for (const auto& seg : page.segments) ids_.push_back(seg.info.segment_id);
    ASSERT_EQ(ids_.size(), 10u);
  }

  TranslationRef Ref(int i) { return TranslationRef{sid_, "fr", ids_[i]}; }

  AssignParams Params(const Principal& who, WorkRole role, Scope scope) {
    AssignParams p;
    p.statement_id = sid_;
    p.language = "fr";
    p.role = role;
    p.scope = std::move(scope);
    p.assignee = who.user_id;
    return p;
  }
  Scope Range(int first, int last) {
    return Scope{Scope::Kind::kRange, {ids_[first], ids_[last]}};
  }
  Scope Set(std::vector<int> which) {
    Scope s{Scope::Kind::kSet, {}};
    for (int i : which) s.segment_ids.push_back(ids_[i]);
    return s;
  }
  Scope Whole() { return Scope{Scope::Kind::kWholeLanguage, {}}; }

  absl::StatusOr<ClaimResult> Claim(const Principal& who,
                                    WorkRole role = WorkRole::kTranslate) {
    ClaimParams p;
    p.statement_id = sid_;
    p.language = "fr";
    p.role = role;
    return core_->ClaimNext(who, p);
  }

  absl::Status Submit(const Principal& who, int i) {
    auto t = translations_->LoadTranslation(Ref(i));
    if (!t.ok()) return t.status();
    return translations_
        ->Submit(who, Ref(i), t->version,
                 Text(StrCat("Phrase numéro ", i + 1, " de la déclaration.")),
                 false)
        .status();
  }

  // The index of the segment a claim returned.
  int Index(const ClaimResult& r) {
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] == r.lease.segment_id) return static_cast<int>(i);
    }
    return -1;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> statements_;
  std::unique_ptr<TranslationCore> translations_;
  std::unique_ptr<AssignmentCore> core_;
  std::map<std::string, std::vector<RoleGrant>> users_;
  std::string sid_;
  std::vector<std::string> ids_;
};

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
  EXPECT_EQ(core_->open_list_builds(), 1);
  // A new open statement is seen on the next claim.
  const std::string first = sid_;
  Create(/*open_claiming=*/true);
  ASSERT_OK_AND_ASSIGN(auto s2, statements_->LoadStatement(sid_));
  statement::StatementUpdate update;
  update.deadline = std::optional<absl::Time>(clock_.Now() + absl::Hours(5));
  ASSERT_OK(statements_->UpdateStatement(Admin(), sid_, s2.version, update));
  ASSERT_OK_AND_ASSIGN(ClaimResult r, core_->ClaimNext(kBen, p));
  EXPECT_EQ(r.lease.statement_id, sid_);
  EXPECT_EQ(core_->open_list_builds(), 2);
  // Closing it sends claims back to the first one.
  ASSERT_OK_AND_ASSIGN(s2, statements_->LoadStatement(sid_));
  ASSERT_OK(statements_->CloseStatement(Admin(), sid_, s2.version));
  ASSERT_OK_AND_ASSIGN(r, core_->ClaimNext(kCara, p));
  EXPECT_EQ(r.lease.statement_id, first);
}

}  // namespace
}  // namespace tessera::assignment

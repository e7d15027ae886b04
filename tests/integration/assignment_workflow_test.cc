// Workflow findings of the assignment service, end to end over real gRPC:
// claim bursts after a restart, leases whose work is finished, who works on
// a segment as TranslationService shows it, and the rejected work GetMyWork
// lists. Each test is named after the finding it covers.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

class AssignmentWorkflowTest : public ::testing::Test {
 protected:
  AssignmentWorkflowTest() {
    Connect();
    coordinator_ = ts_.CreateUserWithToken(
        "coord", {Grant(v1::ROLE_COORDINATOR, {"fr"})});
  }

  // (Re)creates the stubs on the server's current channel.
  void Connect() {
    statements_ = v1::StatementService::NewStub(ts_.channel());
    translations_ = v1::TranslationService::NewStub(ts_.channel());
    assignments_ = v1::AssignmentService::NewStub(ts_.channel());
  }

  v1::Statement Create(int segments, bool open_claiming, int review_rounds) {
    v1::CreateStatementRequest req;
    req.set_title("Statement");
    req.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    std::string source;
    for (int i = 1; i <= segments; ++i) {
      source += "Sentence number " + std::to_string(i) + " of the text.\n\n";
    }
    req.set_source(source);
    req.set_source_language("en");
    req.add_target_languages("fr");
    req.set_allow_open_claiming(open_claiming);
    req.set_review_rounds(review_rounds);
    v1::Statement s;
    auto ctx = AuthContext(coordinator_);
    grpc::Status status = statements_->CreateStatement(ctx.get(), req, &s);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return s;
  }

  std::vector<std::string> SegmentIds(const v1::Statement& s) {
    std::vector<std::string> ids;
    const v1::ListSegmentsResponse all = List(s, 1000);
    for (const auto& t : all.translations()) {
      ids.push_back(t.segment_id());
    }
    return ids;
  }

  v1::ListSegmentsResponse List(const v1::Statement& s, int page_size,
                                const std::string& token = "") {
    v1::ListSegmentsRequest req;
    req.set_parent(s.name() + "/languages/fr");
    req.set_page_size(page_size);
    req.set_page_token(token);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(coordinator_);
    grpc::Status status = translations_->ListSegments(ctx.get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }

  v1::Translation Get(const std::string& name) {
    v1::GetSegmentRequest req;
    req.set_name(name);
    v1::Translation t;
    auto ctx = AuthContext(coordinator_);
    grpc::Status status = translations_->GetSegment(ctx.get(), req, &t);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return t;
  }

  static std::string SegmentName(const v1::Statement& s,
                                 const std::string& id) {
    return s.name() + "/languages/fr/segments/" + id;
  }

  grpc::Status Claim(const std::string& token, const v1::Statement& s,
                     v1::AssignmentRole role, v1::ClaimNextResponse* resp) {
    v1::ClaimNextRequest req;
    req.set_statement(s.name());
    req.set_language("fr");
    req.set_role(role);
    auto ctx = AuthContext(token);
    return assignments_->ClaimNext(ctx.get(), req, resp);
  }

  grpc::Status Submit(const std::string& token, const v1::Translation& t,
                      v1::Translation* out) {
    v1::SubmitRequest req;
    req.set_name(t.name());
    req.set_version(t.version());
    req.mutable_content()->set_text("Phrase " + t.source().content().text());
    auto ctx = AuthContext(token);
    return translations_->Submit(ctx.get(), req, out);
  }

  grpc::Status Approve(const std::string& token, const v1::Translation& t,
                       v1::Translation* out) {
    v1::ApproveRequest req;
    req.set_name(t.name());
    req.set_version(t.version());
    auto ctx = AuthContext(token);
    return translations_->Approve(ctx.get(), req, out);
  }

  grpc::Status Reject(const std::string& token, const v1::Translation& t,
                      v1::Translation* out) {
    v1::RejectRequest req;
    req.set_name(t.name());
    req.set_version(t.version());
    req.set_reason("Please keep the number.");
    auto ctx = AuthContext(token);
    return translations_->Reject(ctx.get(), req, out);
  }

  v1::Assignment Assign(const v1::Statement& s, v1::AssignmentRole role,
                        const std::vector<std::string>& ids,
                        const std::string& user) {
    v1::AssignRequest req;
    req.set_statement(s.name());
    req.set_language("fr");
    req.set_role(role);
    for (const auto& id : ids) {
      req.mutable_scope()->mutable_segments()->add_segment_ids(id);
    }
    req.set_assignee("users/" + user);
    v1::Assignment a;
    auto ctx = AuthContext(coordinator_);
    grpc::Status status = assignments_->Assign(ctx.get(), req, &a);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return a;
  }

  v1::GetMyWorkResponse MyWork(const std::string& token) {
    v1::GetMyWorkResponse work;
    auto ctx = AuthContext(token);
    grpc::Status status =
        assignments_->GetMyWork(ctx.get(), v1::GetMyWorkRequest(), &work);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return work;
  }

  TestServer ts_;
  std::unique_ptr<v1::StatementService::Stub> statements_;
  std::unique_ptr<v1::TranslationService::Stub> translations_;
  std::unique_ptr<v1::AssignmentService::Stub> assignments_;
  std::string coordinator_;
};

// After a restart (the server's in-memory hints are empty, leases taken
// before it are still live in the store), 32 claimers burst through a
// statement whose first segments other people hold. ClaimNext's contract
// lists no ABORTED for this: every answer is a lease or NOTHING_TO_CLAIM,
// and every free segment ends translated exactly once.
TEST_F(AssignmentWorkflowTest, claim_next_burst_never_aborted) {
  constexpr int kClaimers = 32;
  constexpr int kHolders = 80;
  constexpr int kSegments = 160;
  constexpr int kRounds = 2;
  std::vector<std::string> tokens, holders;
  for (int i = 0; i < kClaimers; ++i) {
    tokens.push_back(ts_.CreateUserWithToken(
        "c" + std::to_string(i), {Grant(v1::ROLE_TRANSLATOR, {"fr"})}));
  }
  for (int i = 0; i < kHolders; ++i) {
    holders.push_back(ts_.CreateUserWithToken(
        "h" + std::to_string(i), {Grant(v1::ROLE_TRANSLATOR, {"fr"})}));
  }
  std::atomic<int> aborted{0}, claims{0};
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const v1::Statement s = Create(kSegments, /*open_claiming=*/true, 1);
    // The holders keep the first segments leased across the restart, and
    // every claimer holds one too.
    for (const std::string& token : holders) {
      v1::ClaimNextResponse claim;
      ASSERT_TRUE(Claim(token, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &claim).ok());
    }
    for (const std::string& token : tokens) {
      v1::ClaimNextResponse claim;
      ASSERT_TRUE(Claim(token, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &claim).ok());
    }
    ts_.Restart();
    Connect();
    std::mutex mu;
    std::map<std::string, int> submitted;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < kClaimers; ++c) {
      threads.emplace_back([&, c] {
        auto stub = v1::AssignmentService::NewStub(ts_.channel());
        auto tstub = v1::TranslationService::NewStub(ts_.channel());
        for (;;) {
          v1::ClaimNextRequest req;
          req.set_statement(s.name());
          req.set_language("fr");
          req.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
          v1::ClaimNextResponse claim;
          auto ctx = AuthContext(tokens[c]);
          grpc::Status status = stub->ClaimNext(ctx.get(), req, &claim);
          if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
            EXPECT_EQ(Reason(status), "NOTHING_TO_CLAIM");
            break;
          }
          if (status.error_code() == grpc::StatusCode::ABORTED) {
            ++aborted;
            continue;
          }
          if (!status.ok()) {
            ADD_FAILURE() << status.error_code() << " "
                          << status.error_message();
            ++failures;
            break;
          }
          ++claims;
          v1::SubmitRequest sub;
          sub.set_name(claim.translation().name());
          sub.set_version(claim.translation().version());
          sub.mutable_content()->set_text(
              "Phrase " + claim.translation().source().content().text());
          v1::Translation out;
          auto sctx = AuthContext(tokens[c]);
          status = tstub->Submit(sctx.get(), sub, &out);
          if (!status.ok()) {
            ADD_FAILURE() << "submit by the lease holder: "
                          << status.error_code() << " "
                          << status.error_message();
            ++failures;
            break;
          }
          std::lock_guard<std::mutex> lock(mu);
          ++submitted[claim.lease().segment()];
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(failures.load(), 0);
    EXPECT_EQ(static_cast<int>(submitted.size()), kSegments - kHolders);
    for (const auto& [seg, n] : submitted) EXPECT_EQ(n, 1) << seg;
  }
  EXPECT_EQ(aborted.load(), 0) << "ABORTED answers among " << claims.load()
                               << " claims";
}

// Review rounds = 2: the first reviewer approves, asks for more and is told
// NOTHING_TO_CLAIM. That answer ends their finished lease, so the second
// reviewer gets the segment at once instead of after the lease TTL.
TEST_F(AssignmentWorkflowTest, finished_lease_ended_when_nothing_to_claim) {
  const v1::Statement s = Create(1, /*open_claiming=*/true, 2);
  const std::string tina = ts_.CreateUserWithToken(
      "tina", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});
  const std::string rolf =
      ts_.CreateUserWithToken("rolf", {Grant(v1::ROLE_REVIEWER, {"fr"})});
  const std::string rita =
      ts_.CreateUserWithToken("rita", {Grant(v1::ROLE_REVIEWER, {"fr"})});

  v1::ClaimNextResponse claim;
  ASSERT_TRUE(Claim(tina, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &claim).ok());
  v1::Translation t;
  ASSERT_TRUE(Submit(tina, claim.translation(), &t).ok());
  // Nothing more to translate; tina's finished lease ends as completed.
  v1::ClaimNextResponse none;
  grpc::Status status = Claim(tina, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &none);
  EXPECT_EQ(Reason(status), "NOTHING_TO_CLAIM");
  EXPECT_EQ(MyWork(tina).leases_size(), 0);

  ASSERT_TRUE(Claim(rolf, s, v1::ASSIGNMENT_ROLE_REVIEW, &claim).ok());
  const std::string rolf_lease = claim.lease().name();
  ASSERT_TRUE(Approve(rolf, claim.translation(), &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_TRANSLATED);  // one of two rounds
  status = Claim(rolf, s, v1::ASSIGNMENT_ROLE_REVIEW, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "NOTHING_TO_CLAIM");
  EXPECT_EQ(MyWork(rolf).leases_size(), 0);

  // The segment is free for the second round right away.
  status = Claim(rita, s, v1::ASSIGNMENT_ROLE_REVIEW, &claim);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_EQ(claim.translation().name(), t.name());
  EXPECT_NE(claim.lease().name(), rolf_lease);
  ASSERT_TRUE(Approve(rita, claim.translation(), &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_APPROVED);
}

// GetSegment, ListSegments and ClaimNext show who is assigned to translate
// and to review each segment, and who holds its lease until when.
TEST_F(AssignmentWorkflowTest, translation_shows_assignees_and_lease) {
  const v1::Statement s = Create(25, /*open_claiming=*/true, 1);
  const std::vector<std::string> ids = SegmentIds(s);
  ASSERT_EQ(ids.size(), 25u);
  const std::string anna = ts_.CreateUserWithToken(
      "anna", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});
  const std::string bert = ts_.CreateUserWithToken(
      "bert", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});
  ts_.CreateUserWithToken("rita", {Grant(v1::ROLE_REVIEWER, {"fr"})});
  Assign(s, v1::ASSIGNMENT_ROLE_TRANSLATE, {ids[0], ids[1]}, "anna");
  Assign(s, v1::ASSIGNMENT_ROLE_REVIEW, {ids[1], ids[21]}, "rita");

  // bert takes the first segment of the open pool; anna the first of hers.
  v1::ClaimNextResponse bert_claim, anna_claim;
  ASSERT_TRUE(
      Claim(bert, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &bert_claim).ok());
  ASSERT_EQ(bert_claim.lease().segment(), SegmentName(s, ids[2]));
  ASSERT_TRUE(
      Claim(anna, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &anna_claim).ok());
  ASSERT_EQ(anna_claim.lease().segment(), SegmentName(s, ids[0]));

  const v1::Translation& claimed = bert_claim.translation();
  EXPECT_EQ(claimed.lease_holder(), "users/bert");
  EXPECT_EQ(Micros(claimed.lease_expire_time()),
            Micros(bert_claim.lease().expire_time()));
  EXPECT_EQ(claimed.translate_assignee(), "");
  // Its neighbours: ids[1] is anna's and rita's; ids[0] leased by nobody
  // yet when bert claimed.
  ASSERT_GE(bert_claim.context_before_size(), 1);
  const v1::Translation& before = bert_claim.context_before(
      bert_claim.context_before_size() - 1);
  EXPECT_EQ(before.segment_id(), ids[1]);
  EXPECT_EQ(before.translate_assignee(), "users/anna");
  EXPECT_EQ(before.review_assignee(), "users/rita");
  EXPECT_EQ(before.lease_holder(), "");
  EXPECT_EQ(anna_claim.translation().lease_holder(), "users/anna");
  EXPECT_EQ(anna_claim.translation().translate_assignee(), "users/anna");

  v1::Translation got = Get(SegmentName(s, ids[0]));
  EXPECT_EQ(got.translate_assignee(), "users/anna");
  EXPECT_EQ(got.review_assignee(), "");
  EXPECT_EQ(got.lease_holder(), "users/anna");
  EXPECT_EQ(Micros(got.lease_expire_time()),
            Micros(anna_claim.lease().expire_time()));
  got = Get(SegmentName(s, ids[3]));
  EXPECT_EQ(got.translate_assignee(), "");
  EXPECT_EQ(got.lease_holder(), "");
  EXPECT_FALSE(got.has_lease_expire_time());

  // Both pages of a listing by 20 agree, segment by segment.
  std::map<std::string, v1::Translation> listed;
  std::string token;
  do {
    v1::ListSegmentsResponse page = List(s, 20, token);
    for (const auto& t : page.translations()) listed[t.segment_id()] = t;
    token = page.next_page_token();
  } while (!token.empty());
  ASSERT_EQ(listed.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const v1::Translation& t = listed[ids[i]];
    EXPECT_EQ(t.translate_assignee(), i <= 1 ? "users/anna" : "") << i;
    EXPECT_EQ(t.review_assignee(), i == 1 || i == 21 ? "users/rita" : "")
        << i;
    EXPECT_EQ(t.lease_holder(), i == 0   ? "users/anna"
                                : i == 2 ? "users/bert"
                                         : "")
        << i;
    EXPECT_EQ(t.has_lease_expire_time(), i == 0 || i == 2) << i;
  }
  EXPECT_EQ(Micros(listed[ids[2]].lease_expire_time()),
            Micros(bert_claim.lease().expire_time()));

  // Once bert submits and moves on, his lease is gone from the segment.
  v1::Translation out;
  ASSERT_TRUE(Submit(bert, bert_claim.translation(), &out).ok());
  v1::ClaimNextResponse next;
  ASSERT_TRUE(Claim(bert, s, v1::ASSIGNMENT_ROLE_TRANSLATE, &next).ok());
  EXPECT_EQ(Get(SegmentName(s, ids[2])).lease_holder(), "");
  EXPECT_EQ(Get(next.lease().segment()).lease_holder(), "users/bert");
}

// Rejected work comes back to its author in GetMyWork whether it was
// claimed from the open pool or through an assignment, oldest rejection
// first, across statements.
TEST_F(AssignmentWorkflowTest, my_work_lists_pool_rejections_oldest_first) {
  const v1::Statement pool = Create(3, /*open_claiming=*/true, 1);
  const v1::Statement assigned = Create(2, /*open_claiming=*/false, 1);
  const std::vector<std::string> pool_ids = SegmentIds(pool);
  const std::vector<std::string> assigned_ids = SegmentIds(assigned);
  const std::string tina = ts_.CreateUserWithToken(
      "tina", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});
  Assign(assigned, v1::ASSIGNMENT_ROLE_TRANSLATE, assigned_ids, "tina");

  // tina translates everything, from the pool and from her assignment.
  std::map<std::string, v1::Translation> done;
  for (const v1::Statement* s : {&pool, &assigned}) {
    for (;;) {
      v1::ClaimNextResponse claim;
      grpc::Status status =
          Claim(tina, *s, v1::ASSIGNMENT_ROLE_TRANSLATE, &claim);
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) break;
      ASSERT_TRUE(status.ok()) << status.error_message();
      v1::Translation t;
      ASSERT_TRUE(Submit(tina, claim.translation(), &t).ok());
      done[t.name()] = t;
    }
  }
  ASSERT_EQ(done.size(), 5u);
  // Rejected in an order unlike document or statement order.
  const std::vector<std::string> order = {
      SegmentName(pool, pool_ids[2]), SegmentName(assigned, assigned_ids[1]),
      SegmentName(pool, pool_ids[0])};
  for (const std::string& name : order) {
    v1::Translation t;
    ASSERT_TRUE(Reject(coordinator_, done[name], &t).ok()) << name;
    ASSERT_EQ(t.state(), v1::SEGMENT_STATE_REJECTED);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  v1::GetMyWorkResponse work = MyWork(tina);
  std::vector<std::string> rejected(work.rejected_segments().begin(),
                                    work.rejected_segments().end());
  EXPECT_EQ(rejected, order);

  // Still so after a restart, which rebuilds what the server keeps in
  // memory.
  ts_.Restart();
  Connect();
  work = MyWork(tina);
  rejected.assign(work.rejected_segments().begin(),
                  work.rejected_segments().end());
  EXPECT_EQ(rejected, order);

  // ClaimNext returns them in document order; a fixed one leaves the list.
  v1::ClaimNextResponse claim;
  ASSERT_TRUE(Claim(tina, pool, v1::ASSIGNMENT_ROLE_TRANSLATE, &claim).ok());
  EXPECT_EQ(claim.reason(), v1::CLAIM_REASON_RETURNED);
  EXPECT_EQ(claim.translation().name(), order[2]);
  v1::Translation fixed;
  ASSERT_TRUE(Submit(tina, claim.translation(), &fixed).ok());
  work = MyWork(tina);
  rejected.assign(work.rejected_segments().begin(),
                  work.rejected_segments().end());
  EXPECT_EQ(rejected, std::vector<std::string>(order.begin(), order.end() - 1));
}

}  // namespace
}  // namespace tessera::testing

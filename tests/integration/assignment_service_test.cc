// AssignmentService end to end over real gRPC: assignments with error
// details, claims and leases, progress, and a race in which 50 claimers
// work through a statement at once and no segment is ever held by two of
// them.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
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

class AssignmentServiceTest : public ::testing::Test {
 protected:
  AssignmentServiceTest() {
    statements_ = v1::StatementService::NewStub(ts_.channel());
    translations_ = v1::TranslationService::NewStub(ts_.channel());
    assignments_ = v1::AssignmentService::NewStub(ts_.channel());
    coordinator_ = ts_.CreateUserWithToken(
        "coord", {Grant(v1::ROLE_COORDINATOR, {"fr"})});
  }

  v1::Statement Create(int segments, bool open_claiming) {
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
    v1::Statement s;
    auto ctx = AuthContext(coordinator_);
    grpc::Status status = statements_->CreateStatement(ctx.get(), req, &s);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return s;
  }

  std::vector<std::string> SegmentIds(const v1::Statement& s) {
    v1::ListSegmentsRequest req;
    req.set_parent(s.name() + "/languages/fr");
    req.set_page_size(1000);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(coordinator_);
    EXPECT_TRUE(translations_->ListSegments(ctx.get(), req, &resp).ok());
    std::vector<std::string> ids;
    for (const auto& t : resp.translations()) {
      ids.push_back(t.name().substr(t.name().rfind('/') + 1));
    }
    return ids;
  }

  grpc::Status Claim(const std::string& token, const v1::Statement& s,
                     v1::ClaimNextResponse* resp) {
    v1::ClaimNextRequest req;
    req.set_statement(s.name());
    req.set_language("fr");
    req.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
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

  TestServer ts_;
  std::unique_ptr<v1::StatementService::Stub> statements_;
  std::unique_ptr<v1::TranslationService::Stub> translations_;
  std::unique_ptr<v1::AssignmentService::Stub> assignments_;
  std::string coordinator_;
};

TEST_F(AssignmentServiceTest, AssignClaimSubmitAndProgress) {
  const v1::Statement s = Create(6, /*open_claiming=*/false);
  const std::vector<std::string> ids = SegmentIds(s);
  ASSERT_EQ(ids.size(), 6u);
  const std::string anna = ts_.CreateUserWithToken(
      "anna", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});
  ts_.CreateUserWithToken("bert", {Grant(v1::ROLE_TRANSLATOR, {"fr"})});

  v1::AssignRequest req;
  req.set_statement(s.name());
  req.set_language("fr");
  req.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
  req.mutable_scope()->mutable_range()->set_first_segment_id(ids[1]);
  req.mutable_scope()->mutable_range()->set_last_segment_id(ids[3]);
  req.set_assignee("users/anna");
  v1::Assignment a;
  auto ctx = AuthContext(coordinator_);
  grpc::Status status = assignments_->Assign(ctx.get(), req, &a);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(a.segment_count(), 3);
  EXPECT_EQ(a.assignee(), "users/anna");
  EXPECT_EQ(a.state(), v1::ASSIGNMENT_STATE_ACTIVE);

  // The same segment for the same role: refused, naming the holder.
  req.mutable_scope()->mutable_segments()->add_segment_ids(ids[3]);
  req.set_assignee("users/bert");
  v1::Assignment ignored;
  ctx = AuthContext(coordinator_);
  status = assignments_->Assign(ctx.get(), req, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ASSIGNMENT_OVERLAP");
  auto pf = Detail<google::rpc::PreconditionFailure>(status);
  ASSERT_TRUE(pf.has_value());
  ASSERT_EQ(pf->violations_size(), 1);
  EXPECT_EQ(pf->violations(0).subject(), a.name());
  EXPECT_NE(pf->violations(0).description().find("users/anna"),
            std::string::npos);

  // Anna works through her range; nothing else is hers.
  for (int i = 1; i <= 3; ++i) {
    v1::ClaimNextResponse claim;
    status = Claim(anna, s, &claim);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(claim.reason(), v1::CLAIM_REASON_ASSIGNED);
    EXPECT_EQ(claim.lease().assignment(), a.name());
    EXPECT_EQ(claim.translation().name(),
              s.name() + "/languages/fr/segments/" + ids[i]);
    EXPECT_EQ(claim.lease().state(), v1::LEASE_STATE_ACTIVE);
    v1::Translation out;
    ASSERT_TRUE(Submit(anna, claim.translation(), &out).ok());
  }
  v1::ClaimNextResponse none;
  status = Claim(anna, s, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "NOTHING_TO_CLAIM");

  v1::GetProgressRequest preq;
  preq.set_statement(s.name());
  v1::Progress progress;
  ctx = AuthContext(anna);
  ASSERT_TRUE(assignments_->GetProgress(ctx.get(), preq, &progress).ok());
  ASSERT_EQ(progress.languages_size(), 1);
  const auto& fr = progress.languages(0);
  EXPECT_EQ(fr.segment_count(), 6);
  ASSERT_EQ(fr.assignees_size(), 1);
  EXPECT_EQ(fr.assignees(0).assignee(), "users/anna");
  EXPECT_EQ(fr.assignees(0).words_left(), 0);
  int translated = 0;
  for (const auto& c : fr.state_counts()) {
    if (c.state() == v1::SEGMENT_STATE_TRANSLATED) translated = c.segments();
  }
  EXPECT_EQ(translated, 3);

  v1::GetMyWorkResponse work;
  ctx = AuthContext(anna);
  ASSERT_TRUE(
      assignments_->GetMyWork(ctx.get(), v1::GetMyWorkRequest(), &work).ok());
  ASSERT_EQ(work.assignments_size(), 1);
  EXPECT_TRUE(work.assignments(0).complete());
}

// 50 claimers race over one language of a 200-segment statement, round
// after round (a fresh statement each round). Every lease is recorded with
// its window; no segment may be held by two live leases at once, every
// segment ends translated, and the counters agree.
TEST_F(AssignmentServiceTest, FiftyClaimersNeverShareASegment) {
  constexpr int kClaimers = 50;
  constexpr int kSegments = 200;
  constexpr int kRounds = 10;
  std::vector<std::string> tokens;
  for (int i = 0; i < kClaimers; ++i) {
    tokens.push_back(ts_.CreateUserWithToken(
        "c" + std::to_string(i), {Grant(v1::ROLE_TRANSLATOR, {"fr"})}));
  }
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const v1::Statement s = Create(kSegments, /*open_claiming=*/true);
    struct Held {
      std::string lease;
      std::string holder;
      int64_t start = 0;             // lease create_time, server clock
      int64_t end = INT64_MAX;       // release time; submitted: never free
      bool submitted = false;
    };
    std::mutex mu;
    std::map<std::string, std::vector<Held>> by_segment;
    std::set<std::string> lease_ids;
    std::atomic<int> submits{0}, failures{0}, released{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < kClaimers; ++c) {
      threads.emplace_back([&, c] {
        std::mt19937 rng(round * 1000 + c);
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
          if (status.error_code() == grpc::StatusCode::NOT_FOUND) break;
          if (status.error_code() == grpc::StatusCode::ABORTED) continue;
          if (!status.ok()) {
            ADD_FAILURE() << status.error_code() << " "
                          << status.error_message();
            ++failures;
            break;
          }
          Held held{claim.lease().name(), claim.lease().holder(),
                    Micros(claim.lease().create_time())};
          const std::string seg = claim.lease().segment();
          // One claim in ten is given back instead of translated.
          if (rng() % 10 == 0) {
            v1::ReleaseLeaseRequest rel;
            rel.set_name(claim.lease().name());
            v1::Lease lease;
            auto rctx = AuthContext(tokens[c]);
            status = stub->ReleaseLease(rctx.get(), rel, &lease);
            if (!status.ok() || lease.state() != v1::LEASE_STATE_RELEASED) {
              ADD_FAILURE() << "release: " << status.error_message();
              ++failures;
              break;
            }
            held.end = Micros(lease.end_time());
            ++released;
          } else {
            v1::SubmitRequest sub;
            sub.set_name(claim.translation().name());
            sub.set_version(claim.translation().version());
            sub.mutable_content()->set_text(
                "Phrase " + claim.translation().source().content().text());
            v1::Translation out;
            auto sctx = AuthContext(tokens[c]);
            status = tstub->Submit(sctx.get(), sub, &out);
            // The holder's submit can only fail if someone else got the
            // segment in between.
            if (!status.ok()) {
              ADD_FAILURE() << "submit by the lease holder: "
                            << status.error_code() << " "
                            << status.error_message();
              ++failures;
              break;
            }
            held.submitted = true;
            ++submits;
          }
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(lease_ids.insert(held.lease).second)
              << "lease id reused: " << held.lease;
          by_segment[seg].push_back(std::move(held));
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(failures.load(), 0);
    EXPECT_EQ(submits.load(), kSegments);
    EXPECT_EQ(static_cast<int>(by_segment.size()), kSegments);
    for (auto& [seg, leases] : by_segment) {
      std::sort(leases.begin(), leases.end(),
                [](const Held& a, const Held& b) { return a.start < b.start; });
      int submitted = 0;
      for (size_t i = 0; i < leases.size(); ++i) {
        submitted += leases[i].submitted;
        if (i + 1 < leases.size()) {
          // The next lease starts only once this one has ended.
          EXPECT_FALSE(leases[i].submitted) << seg;
          EXPECT_GE(leases[i + 1].start, leases[i].end)
              << seg << ": " << leases[i].holder << " and "
              << leases[i + 1].holder << " held it at once";
        }
      }
      EXPECT_EQ(submitted, 1) << seg;
    }
    // Everything is translated, and the counters say so.
    v1::ListSegmentsRequest list;
    list.set_parent(s.name() + "/languages/fr");
    list.set_page_size(1000);
    list.add_states(v1::SEGMENT_STATE_TRANSLATED);
    v1::ListSegmentsResponse listed;
    auto ctx = AuthContext(coordinator_);
    ASSERT_TRUE(translations_->ListSegments(ctx.get(), list, &listed).ok());
    EXPECT_EQ(listed.translations_size(), kSegments);
    v1::GetProgressRequest preq;
    preq.set_statement(s.name());
    v1::Progress progress;
    ctx = AuthContext(coordinator_);
    ASSERT_TRUE(assignments_->GetProgress(ctx.get(), preq, &progress).ok());
    ASSERT_EQ(progress.languages_size(), 1);
    for (const auto& c : progress.languages(0).state_counts()) {
      EXPECT_EQ(c.segments(),
                c.state() == v1::SEGMENT_STATE_TRANSLATED ? kSegments : 0)
          << c.state();
    }
    EXPECT_EQ(progress.languages(0).words_left(), 0);
    EXPECT_EQ(progress.languages(0).words_to_review(),
              progress.languages(0).word_count());
  }
}

}  // namespace
}  // namespace tessera::testing

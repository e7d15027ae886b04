// TranslationService end to end over real gRPC: the state machine, error
// details (VersionConflict, QaReport, ErrorInfo reasons), language scopes,
// carry-over by the server's background consumer, and a concurrency test in
// which many clients race on a few segments and the histories must stay
// contiguous, complete and legal.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
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

using v1::StatementService;
using v1::TranslationService;

const char kSource[] =
    "The council met today. It adopted a resolution.\n\n"
    "We demand *an immediate* ceasefire.\n\n"
    "We call for peace in the region now.\n";

class TranslationServiceTest : public ::testing::Test {
 protected:
  TranslationServiceTest() {
    statements_ = StatementService::NewStub(ts_.channel());
    stub_ = TranslationService::NewStub(ts_.channel());
    coordinator_ = ts_.CreateUserWithToken(
        "coord", {Grant(v1::ROLE_COORDINATOR, {"fr", "de"})});
    // These tests are about the state machine, not about who holds which
    // segment (assignment tests and the role matrix cover that): the
    // personas also coordinate their language, which lets them change any
    // segment without a lease or an assignment.
    for (int i = 0; i < 4; ++i) {
      translators_.push_back(ts_.CreateUserWithToken(
          "t" + std::to_string(i), {Grant(v1::ROLE_TRANSLATOR, {"fr"}),
                                    Grant(v1::ROLE_COORDINATOR, {"fr"})}));
      reviewers_.push_back(ts_.CreateUserWithToken(
          "r" + std::to_string(i), {Grant(v1::ROLE_REVIEWER, {"fr"}),
                                    Grant(v1::ROLE_COORDINATOR, {"fr"})}));
    }
    german_ = ts_.CreateUserWithToken("hans",
                                      {Grant(v1::ROLE_TRANSLATOR, {"de"}),
                                       Grant(v1::ROLE_COORDINATOR, {"de"})});
    v1::CreateStatementRequest req;
    req.set_title("Statement");
    req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
    req.set_source(kSource);
    req.set_source_language("en");
    req.add_target_languages("fr");
    req.add_target_languages("de");
    auto ctx = AuthContext(coordinator_);
    grpc::Status s = statements_->CreateStatement(ctx.get(), req, &statement_);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::ListSegmentsRequest list;
    list.set_parent(statement_.name() + "/languages/fr");
    v1::ListSegmentsResponse resp;
    auto lctx = AuthContext(coordinator_);
    s = stub_->ListSegments(lctx.get(), list, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : resp.translations()) names_.push_back(t.name());
  }

  grpc::Status Get(const std::string& token, const std::string& name,
                   v1::Translation* out) {
    v1::GetSegmentRequest req;
    req.set_name(name);
    auto ctx = AuthContext(token);
    return stub_->GetSegment(ctx.get(), req, out);
  }

  grpc::Status Submit(const std::string& token, const std::string& name,
                      int64_t version, const std::string& text,
                      v1::Translation* out,
                      const std::vector<v1::CodeRef>& codes = {}) {
    v1::SubmitRequest req;
    req.set_name(name);
    req.set_version(version);
    req.mutable_content()->set_text(text);
    for (const auto& c : codes) *req.mutable_content()->add_codes() = c;
    auto ctx = AuthContext(token);
    return stub_->Submit(ctx.get(), req, out);
  }

  grpc::Status Approve(const std::string& token, const std::string& name,
                       int64_t version, v1::Translation* out) {
    v1::ApproveRequest req;
    req.set_name(name);
    req.set_version(version);
    auto ctx = AuthContext(token);
    return stub_->Approve(ctx.get(), req, out);
  }

  grpc::Status Reject(const std::string& token, const std::string& name,
                      int64_t version, const std::string& reason,
                      v1::Translation* out) {
    v1::RejectRequest req;
    req.set_name(name);
    req.set_version(version);
    req.set_reason(reason);
    auto ctx = AuthContext(token);
    return stub_->Reject(ctx.get(), req, out);
  }

  grpc::Status Draft(const std::string& token, const std::string& name,
                     int64_t version, const std::string& text,
                     v1::Translation* out) {
    v1::SaveDraftRequest req;
    req.set_name(name);
    req.set_version(version);
    req.mutable_content()->set_text(text);
    auto ctx = AuthContext(token);
    return stub_->SaveDraft(ctx.get(), req, out);
  }

  std::vector<v1::HistoryEntry> History(const std::string& name) {
    std::vector<v1::HistoryEntry> out;
    v1::GetHistoryRequest req;
    req.set_name(name);
    req.set_page_size(7);
    do {
      v1::GetHistoryResponse resp;
      auto ctx = AuthContext(coordinator_);
      grpc::Status s = stub_->GetHistory(ctx.get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& e : resp.entries()) out.push_back(e);
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  TestServer ts_;
  std::unique_ptr<StatementService::Stub> statements_;
  std::unique_ptr<TranslationService::Stub> stub_;
  std::string coordinator_;
  std::string german_;
  std::vector<std::string> translators_;
  std::vector<std::string> reviewers_;
  v1::Statement statement_;
  std::vector<std::string> names_;
};

TEST_F(TranslationServiceTest, SubmitApproveAndErrorDetails) {
  ASSERT_EQ(names_.size(), 4u);
  v1::Translation t;
  ASSERT_TRUE(Get(reviewers_[0], names_[0], &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_UNTRANSLATED);
  EXPECT_EQ(t.version(), 1);
  EXPECT_EQ(t.source().content().text(), "The council met today.");

  grpc::Status s =
      Submit(translators_[0], names_[0], 1, "Le conseil s'est réuni.", &t);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_TRANSLATED);
  EXPECT_EQ(t.author(), "users/t0");
  EXPECT_EQ(t.version(), 2);

  // Stale version: ABORTED with the current translation.
  v1::Translation ignored;
  s = Submit(translators_[1], names_[0], 1, "Autre chose.", &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  auto conflict = Detail<v1::VersionConflict>(s);
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->current_version(), 2);
  EXPECT_EQ(conflict->request_version(), 1);
  v1::Translation current;
  ASSERT_TRUE(conflict->current().UnpackTo(&current));
  EXPECT_EQ(current.content().text(), "Le conseil s'est réuni.");
  EXPECT_EQ(Reason(s), "VERSION_CONFLICT");

  // Four eyes: a user who is both translator and reviewer, assigned the
  // segment for translation.
  std::string both = ts_.CreateUserWithToken(
      "both",
      {Grant(v1::ROLE_TRANSLATOR, {"fr"}), Grant(v1::ROLE_REVIEWER, {"fr"})});
  {
    v1::AssignRequest assign;
    assign.set_statement(statement_.name());
    assign.set_language("fr");
    assign.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
    assign.mutable_scope()->mutable_segments()->add_segment_ids(
        names_[1].substr(names_[1].rfind('/') + 1));
    assign.set_assignee("users/both");
    v1::Assignment assignment;
    auto actx = AuthContext(coordinator_);
    ASSERT_TRUE(v1::AssignmentService::NewStub(ts_.channel())
                    ->Assign(actx.get(), assign, &assignment)
                    .ok());
  }
  ASSERT_TRUE(
      Submit(both, names_[1], 1, "Il a adopté une résolution.", &t).ok());
  s = Approve(both, names_[1], 2, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "FOUR_EYES");

  ASSERT_TRUE(Approve(reviewers_[0], names_[0], 2, &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_APPROVED);
  EXPECT_EQ(t.reviewer(), "users/r0");

  // QA errors: the emphasis codes of segment 3 are missing.
  s = Submit(translators_[0], names_[2], 1, "Nous exigeons un cessez-le-feu.",
             &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(s), "QA_ERRORS");
  auto report = Detail<v1::QaReport>(s);
  ASSERT_TRUE(report.has_value());
  ASSERT_GE(report->issues_size(), 2);
  EXPECT_EQ(report->issues(0).code(), v1::QA_CODE_CODE_MISSING);
  EXPECT_EQ(report->issues(0).severity(), v1::QA_SEVERITY_ERROR);
  auto bad = Detail<google::rpc::BadRequest>(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations_size(), 2);
  // With the codes in place it passes.
  v1::CodeRef open, close;
  open.set_id(1);
  open.set_kind(v1::CODE_KIND_OPEN);
  open.set_offset(14);
  close.set_id(1);
  close.set_kind(v1::CODE_KIND_CLOSE);
  close.set_offset(16);
  s = Submit(translators_[0], names_[2], 1, "Nous exigeons un cessez-le-feu.",
             &t, {open, close});
  EXPECT_TRUE(s.ok()) << s.error_message();

  // Reject needs a reason and the reason reaches the thread.
  s = Reject(reviewers_[1], names_[1], 2, "", &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Reject(reviewers_[1], names_[1], 2, "Too literal.", &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_REJECTED);
  EXPECT_EQ(t.rejection_reason(), "Too literal.");
  v1::ListCommentsRequest lc;
  lc.set_parent(names_[1]);
  v1::ListCommentsResponse comments;
  auto ctx = AuthContext(translators_[2]);
  ASSERT_TRUE(stub_->ListComments(ctx.get(), lc, &comments).ok());
  ASSERT_EQ(comments.comments_size(), 1);
  EXPECT_EQ(comments.comments(0).text(), "Too literal.");
  EXPECT_EQ(comments.comments(0).author(), "users/r1");
}

TEST_F(TranslationServiceTest, LanguagesAreScoped) {
  v1::Translation t;
  const std::string german = statement_.name() + "/languages/de/segments/" +
                             names_[0].substr(names_[0].rfind('/') + 1);
  // A German translator cannot touch French, and vice versa.
  grpc::Status s = Submit(german_, names_[0], 1, "Le conseil.", &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "LANGUAGE_NOT_GRANTED");
  s = Submit(translators_[0], german, 1, "Der Rat.", &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Submit(german_, german, 1, "Der Rat tagte heute.", &t);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // A language the statement does not target.
  const std::string italian = statement_.name() + "/languages/it/segments/" +
                              names_[0].substr(names_[0].rfind('/') + 1);
  s = Get(coordinator_, italian, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(s), "LANGUAGE_NOT_TARGETED");
  // A reviewer of another language cannot read either.
  s = Get(reviewers_[0], german, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A malformed name.
  s = Get(coordinator_, "statements/x/segments/y", &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TranslationServiceTest, RevisionCarriesOverInTheBackground) {
  v1::Translation t;
  ASSERT_TRUE(Submit(translators_[0], names_[3], 1,
                     "Nous appelons à la paix dans la région maintenant.", &t)
                  .ok());
  v1::ReviseStatementRequest rev;
  rev.set_statement(statement_.name());
  rev.set_version(statement_.version());
  std::string edited = kSource;
  edited.replace(edited.find("for peace"), 9, "for lasting peace");
  rev.set_source(edited);
  v1::Revision revision;
  auto ctx = AuthContext(coordinator_);
  grpc::Status s = statements_->ReviseStatement(ctx.get(), rev, &revision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(revision.changes().changed_segments_size(), 1);
  const std::string successor =
      statement_.name() + "/languages/fr/segments/" +
      revision.changes().changed_segments(0).segment_id();
  ASSERT_TRUE(Get(coordinator_, successor, &t).ok());
  EXPECT_EQ(t.state(), v1::SEGMENT_STATE_NEEDS_UPDATE);
  EXPECT_EQ(t.content().text(),
            "Nous appelons à la paix dans la région maintenant.");
  EXPECT_EQ(t.origin(), v1::ORIGIN_CARRIED_OVER);
  EXPECT_EQ(t.previous_source().text(), "We call for peace in the region now.");
  auto h = History(successor);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].action(), v1::HISTORY_ACTION_SOURCE_CHANGED);
  EXPECT_EQ(h[1].source().text(), "We call for peace in the region now.");
  EXPECT_EQ(h[2].source().text(),
            "We call for lasting peace in the region now.");
}

// What one acknowledged call wrote.
struct Ack {
  int64_t version;
  v1::HistoryAction action;
  std::string actor;
  std::string text;
};

TEST_F(TranslationServiceTest, ConcurrentClientsLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kOpsPerThread = 40;
  const int segments = 3;  // segment 0, 1 and 3 have no codes
  const int pick[] = {0, 1, 3};
  std::mutex mu;
  std::map<std::string, std::vector<Ack>> acks;
  std::map<int, int> errors;
  std::atomic<int> ok_calls{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      std::mt19937 rng(th * 7919 + 1);
      for (int op = 0; op < kOpsPerThread; ++op) {
        const std::string& name = names_[pick[rng() % segments]];
        v1::Translation cur, out;
        if (!Get(coordinator_, name, &cur).ok()) continue;
        const int who = static_cast<int>(rng() % 4);
        grpc::Status s;
        Ack ack;
        const std::string text =
            "Traduction " + std::to_string(th) + "-" + std::to_string(op) + ".";
        switch (rng() % 5) {
          case 0:
            s = Submit(translators_[who], name, cur.version(), text, &out);
            ack = {0, v1::HISTORY_ACTION_SUBMITTED,
                   "users/t" + std::to_string(who), text};
            break;
          case 1:
            s = Approve(reviewers_[who], name, cur.version(), &out);
            ack = {0, v1::HISTORY_ACTION_APPROVED,
                   "users/r" + std::to_string(who), cur.content().text()};
            break;
          case 2:
            s = Reject(reviewers_[who], name, cur.version(), "Non.", &out);
            ack = {0, v1::HISTORY_ACTION_REJECTED,
                   "users/r" + std::to_string(who), cur.content().text()};
            break;
          case 3:
            s = Draft(translators_[who], name, cur.version(), text, &out);
            ack = {0, v1::HISTORY_ACTION_DRAFT_SAVED,
                   "users/t" + std::to_string(who), text};
            break;
          case 4: {
            v1::ReopenRequest req;
            req.set_name(name);
            req.set_version(cur.version());
            auto ctx = AuthContext(coordinator_);
            s = stub_->Reopen(ctx.get(), req, &out);
            ack = {0, v1::HISTORY_ACTION_REOPENED, "users/coord",
                   cur.content().text()};
            break;
          }
        }
        if (s.error_code() == grpc::StatusCode::ABORTED) ++aborted;
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          ++errors[s.error_code()];
          continue;
        }
        ++ok_calls;
        ack.version = out.version();
        EXPECT_EQ(out.version(), cur.version() + 1);
        std::lock_guard<std::mutex> lock(mu);
        acks[name].push_back(ack);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(ok_calls.load(), kThreads * 4);
  RecordProperty("aborted", aborted.load());
  RecordProperty("acknowledged", ok_calls.load());
  // Refusals are races (ABORTED), the state machine or four eyes; nothing
  // else.
  for (const auto& [code, n] : errors) {
    EXPECT_TRUE(code == grpc::StatusCode::ABORTED ||
                code == grpc::StatusCode::FAILED_PRECONDITION ||
                code == grpc::StatusCode::PERMISSION_DENIED)
        << n << " calls failed with code " << code;
  }

  for (int i : pick) {
    const std::string& name = names_[i];
    SCOPED_TRACE(name);
    std::vector<v1::HistoryEntry> h = History(name);
    // Contiguous versions from 1.
    for (size_t v = 0; v < h.size(); ++v) {
      ASSERT_EQ(h[v].version(), static_cast<int64_t>(v + 1));
    }
    // Every acknowledged write is there, as it was acknowledged.
    for (const Ack& a : acks[name]) {
      ASSERT_LE(a.version, static_cast<int64_t>(h.size()));
      const v1::HistoryEntry& e = h[a.version - 1];
      EXPECT_EQ(e.action(), a.action);
      EXPECT_EQ(e.actor(), a.actor);
      EXPECT_EQ(e.content().text(), a.text);
    }
    // Nothing but acknowledged writes (and the creation) is there.
    EXPECT_EQ(h.size(), acks[name].size() + 1);
    // Every transition is legal.
    v1::SegmentState state = v1::SEGMENT_STATE_UNTRANSLATED;
    std::string author;
    for (size_t v = 1; v < h.size(); ++v) {
      const v1::HistoryEntry& e = h[v];
      switch (e.action()) {
        case v1::HISTORY_ACTION_DRAFT_SAVED:
          EXPECT_NE(state, v1::SEGMENT_STATE_APPROVED);
          EXPECT_EQ(e.state(), state);
          break;
        case v1::HISTORY_ACTION_SUBMITTED:
          EXPECT_NE(state, v1::SEGMENT_STATE_APPROVED);
          EXPECT_EQ(e.state(), v1::SEGMENT_STATE_TRANSLATED);
          author = e.actor();
          break;
        case v1::HISTORY_ACTION_APPROVED:
          EXPECT_EQ(state, v1::SEGMENT_STATE_TRANSLATED);
          EXPECT_EQ(e.state(), v1::SEGMENT_STATE_APPROVED);
          EXPECT_NE(e.actor(), author) << "four eyes broken at v" << v + 1;
          break;
        case v1::HISTORY_ACTION_REJECTED:
          EXPECT_EQ(state, v1::SEGMENT_STATE_TRANSLATED);
          EXPECT_EQ(e.state(), v1::SEGMENT_STATE_REJECTED);
          break;
        case v1::HISTORY_ACTION_REOPENED:
          EXPECT_EQ(state, v1::SEGMENT_STATE_APPROVED);
          EXPECT_EQ(e.state(), v1::SEGMENT_STATE_TRANSLATED);
          break;
        default:
          ADD_FAILURE() << "unexpected action " << e.action();
      }
      state = e.state();
    }
    v1::Translation now;
    ASSERT_TRUE(Get(coordinator_, name, &now).ok());
    EXPECT_EQ(now.version(), static_cast<int64_t>(h.size()));
    EXPECT_EQ(now.state(), state);
  }
}

}  // namespace
}  // namespace tessera::testing

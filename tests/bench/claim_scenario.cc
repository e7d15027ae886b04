#include "tests/bench/claim_scenario.h"

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/bench/bench_server.h"

namespace tessera::bench {
namespace {

constexpr int kSegments = 10000;
// One claimer per outstanding call at the highest concurrency measured.
constexpr int kClaimers = 64;

// A translator and the segment it currently leases (empty before its
// first claim).
struct Claimer {
  std::string token;
  std::string current;
};

class ClaimInstance final : public ScenarioInstance {
 public:
  explicit ClaimInstance(int percent_done) : percent_done_(percent_done) {}

  absl::Status Start() {
    if (auto s = server_.Start(); !s.ok()) return s;
    const std::string& admin = server_.admin_token();
    const auto& channel = server_.channel();
    for (int i = 0; i < kClaimers; ++i) {
      absl::StatusOr<std::string> token = server_.CreateUserWithToken(
          "claimer" + std::to_string(i), v1::ROLE_TRANSLATOR, "fr");
      if (!token.ok()) return token.status();
      free_.push_back(Claimer{*std::move(token), ""});
    }

    auto statements = v1::StatementService::NewStub(channel);
    v1::CreateStatementRequest create;
    create.set_title("Claim benchmark");
    create.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    std::string source;
    for (int i = 0; i < kSegments; ++i) {
      source += "Sentence number " + std::to_string(i + 1) +
                " of the benchmark statement.\n\n";
    }
    create.set_source(source);
    create.set_source_language("en");
    create.add_target_languages("fr");
    create.set_allow_open_claiming(true);
    v1::Statement statement;
    absl::Status s =
        FromGrpc(statements->CreateStatement(BenchContext(admin).get(), create,
                                             &statement),
                 "CreateStatement");
    if (!s.ok()) return s;
    statement_ = statement.name();

    // Unmeasured set-up: the first percent_done% translated (by the admin,
    // who needs no lease), from 8 threads.
    auto translations = v1::TranslationService::NewStub(channel);
    std::vector<std::string> names;
    std::string token;
    do {
      v1::ListSegmentsRequest list;
      list.set_parent(statement.name() + "/languages/fr");
      list.set_page_size(1000);
      list.set_page_token(token);
      v1::ListSegmentsResponse page;
      s = FromGrpc(
          translations->ListSegments(BenchContext(admin).get(), list, &page),
          "ListSegments");
      if (!s.ok()) return s;
      for (const auto& t : page.translations()) names.push_back(t.name());
      token = page.next_page_token();
    } while (!token.empty());
    if (static_cast<int>(names.size()) != kSegments) {
      return absl::InternalError("the statement has an unexpected size");
    }
    const int done = kSegments * percent_done_ / 100;
    std::vector<std::thread> threads;
    std::mutex mu;
    absl::Status first_error;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < done; i += 8) {
          v1::SubmitRequest req;
          req.set_name(names[i]);
          req.set_version(1);
          req.mutable_content()->set_text("Phrase numéro " +
                                          std::to_string(i + 1) + ".");
          v1::Translation out;
          grpc::Status gs =
              translations->Submit(BenchContext(admin).get(), req, &out);
          if (!gs.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            first_error = FromGrpc(gs, "Submit");
            return;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    return first_error;
  }

  std::string target() const override { return server_.address(); }

  CallFn MakeCall(std::shared_ptr<grpc::Channel> channel) override {
    std::shared_ptr<v1::AssignmentService::Stub> stub =
        v1::AssignmentService::NewStub(channel);
    return [this, stub](CallDone done) {
      struct Call {
        grpc::ClientContext ctx;
        v1::ClaimNextRequest req;
        v1::ClaimNextResponse resp;
        Claimer claimer;
      };
      auto* call = new Call;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!free_.empty()) {
          call->claimer = std::move(free_.front());
          free_.pop_front();
        }
      }
      if (call->claimer.token.empty()) {
        delete call;
        done(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "more outstanding calls than claimers"));
        return;
      }
      call->ctx.AddMetadata("authorization", "Bearer " + call->claimer.token);
      call->ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
      call->req.set_statement(statement_);
      call->req.set_language("fr");
      call->req.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
      // Skip the current segment: released and replaced in one call.
      if (!call->claimer.current.empty()) {
        call->req.add_exclude_segments(call->claimer.current);
      }
      stub->async()->ClaimNext(&call->ctx, &call->req, &call->resp,
                               [this, call, done](grpc::Status s) {
                                 if (s.ok())
                                   call->claimer.current =
                                       call->resp.lease().segment();
                                 {
                                   std::lock_guard<std::mutex> lock(mu_);
                                   free_.push_back(std::move(call->claimer));
                                 }
                                 delete call;
                                 done(s);
                               });
    };
  }

 private:
  const int percent_done_;
  BenchServer server_;
  std::string statement_;
  std::mutex mu_;
  std::deque<Claimer> free_;
};

}  // namespace

Scenario ClaimScenario(int percent_done) {
  return Scenario{
      "claim-" + std::to_string(percent_done) + "%",
      [=]() -> absl::StatusOr<std::unique_ptr<ScenarioInstance>> {
        auto instance = std::make_unique<ClaimInstance>(percent_done);
        absl::Status s = instance->Start();
        if (!s.ok()) return s;
        return std::unique_ptr<ScenarioInstance>(std::move(instance));
      }};
}

}  // namespace tessera::bench

#include "tests/bench/claim_scenario.h"

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "server/tesserad.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/identity.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"

namespace tessera::bench {
namespace {

constexpr int kSegments = 10000;
// One claimer per outstanding call at the highest concurrency measured.
constexpr int kClaimers = 64;

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

absl::Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(what + ": " + s.error_message());
}

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
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("data");
    options.shutdown_grace = absl::ZeroDuration();
    auto server = Tesserad::Start(options);
    if (!server.ok()) return server.status();
    server_ = std::move(server).value();
    const std::string admin = server_->first_start_admin_token();
    auto channel = grpc::CreateChannel(server_->address(),
                                       grpc::InsecureChannelCredentials());
    auto identity = v1::IdentityService::NewStub(channel);
    for (int i = 0; i < kClaimers; ++i) {
      v1::CreateUserRequest req;
      req.set_user_id("claimer" + std::to_string(i));
      auto* g = req.add_roles();
      g->set_role(v1::ROLE_TRANSLATOR);
      g->add_languages("fr");
      v1::User user;
      absl::Status s = FromGrpc(
          identity->CreateUser(Context(admin).get(), req, &user), "CreateUser");
      if (!s.ok()) return s;
      v1::IssueTokenRequest treq;
      treq.set_user(user.name());
      v1::IssueTokenResponse tresp;
      s = FromGrpc(identity->IssueToken(Context(admin).get(), treq, &tresp),
                   "IssueToken");
      if (!s.ok()) return s;
      free_.push_back(Claimer{tresp.secret(), ""});
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
    absl::Status s = FromGrpc(
        statements->CreateStatement(Context(admin).get(), create, &statement),
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
          translations->ListSegments(Context(admin).get(), list, &page),
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
              translations->Submit(Context(admin).get(), req, &out);
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

  ~ClaimInstance() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string target() const override { return server_->address(); }

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
      stub->async()->ClaimNext(
          &call->ctx, &call->req, &call->resp,
          [this, call, done](grpc::Status s) {
            if (s.ok()) call->claimer.current = call->resp.lease().segment();
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
  testing::TempDir dir_;
  std::unique_ptr<Tesserad> server_;
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

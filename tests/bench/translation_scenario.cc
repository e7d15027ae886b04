#include "tests/bench/translation_scenario.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "rocksdb/db.h"
#include "server/tesserad.h"
#include "services/common/worker_pool.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/bench/bench_server.h"

namespace tessera::bench {
namespace {

// Segments in the benchmark statement.
constexpr int kSegments = 800;

#define RETURN_STATUS(call, what)                  \
  do {                                             \
    absl::Status status_ = FromGrpc((call), what); \
    if (!status_.ok()) return status_;             \
  } while (false)

// A segment a call may work on, with the version last seen.
struct Slot {
  std::string name;
  int64_t version = 0;
  int index = 0;
};

class TranslationInstance final : public ScenarioInstance {
 public:
  explicit TranslationInstance(bool approve) : approve_(approve) {}

  absl::Status Start() {
    if (auto s = server_.Start(); !s.ok()) return s;
    const std::string& admin = server_.admin_token();
    const auto& channel = server_.channel();
    const auto make_user = [&](const std::string& id, v1::Role role,
                               std::string* token) -> absl::Status {
      absl::StatusOr<std::string> t =
          server_.CreateUserWithToken(id, role, "fr");
      if (!t.ok()) return t.status();
      *token = *std::move(t);
      return absl::OkStatus();
    };
    if (auto s = make_user("tr", v1::ROLE_TRANSLATOR, &translator_); !s.ok()) {
      return s;
    }
    if (auto s = make_user("rv", v1::ROLE_REVIEWER, &reviewer_); !s.ok()) {
      return s;
    }
    if (auto s = make_user("co", v1::ROLE_COORDINATOR, &coordinator_);
        !s.ok()) {
      return s;
    }

    auto statements = v1::StatementService::NewStub(channel);
    v1::CreateStatementRequest create;
    create.set_title("Benchmark");
    create.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    std::string source;
    for (int i = 0; i < kSegments; ++i) {
      source += "Sentence number " + std::to_string(i + 1) +
                " of the benchmark statement.\n\n";
    }
    create.set_source(source);
    create.set_source_language("en");
    create.add_target_languages("fr");
    v1::Statement statement;
    RETURN_STATUS(statements->CreateStatement(BenchContext(admin).get(), create,
                                              &statement),
                  "CreateStatement");

    // The whole language is the translator's to translate and the
    // reviewer's to review, so every call passes the assignment check.
    auto assignments = v1::AssignmentService::NewStub(channel);
    for (const auto& [user, role] :
         {std::make_pair("tr", v1::ASSIGNMENT_ROLE_TRANSLATE),
          std::make_pair("rv", v1::ASSIGNMENT_ROLE_REVIEW)}) {
      v1::AssignRequest assign;
      assign.set_statement(statement.name());
      assign.set_language("fr");
      assign.set_role(role);
      assign.mutable_scope()->mutable_whole_language();
      assign.set_assignee(std::string("users/") + user);
      v1::Assignment assignment;
      RETURN_STATUS(
          assignments->Assign(BenchContext(admin).get(), assign, &assignment),
          "Assign");
    }

    auto translations = v1::TranslationService::NewStub(channel);
    v1::ListSegmentsRequest list;
    list.set_parent(statement.name() + "/languages/fr");
    list.set_page_size(1000);
    v1::ListSegmentsResponse segments;
    RETURN_STATUS(
        translations->ListSegments(BenchContext(admin).get(), list, &segments),
        "ListSegments");
    for (int i = 0; i < segments.translations_size(); ++i) {
      Slot slot{segments.translations(i).name(),
                segments.translations(i).version(), i};
      if (approve_) {
        // Unmeasured set-up: every segment translated once.
        v1::SubmitRequest req;
        req.set_name(slot.name);
        req.set_version(slot.version);
        req.mutable_content()->set_text(Text(i));
        v1::Translation t;
        RETURN_STATUS(
            translations->Submit(BenchContext(translator_).get(), req, &t),
            "Submit");
        slot.version = t.version();
      }
      ready_.push_back(std::move(slot));
    }
    return absl::OkStatus();
  }

  std::string target() const override { return server_.address(); }

  CallFn MakeCall(std::shared_ptr<grpc::Channel> channel) override {
    std::shared_ptr<v1::TranslationService::Stub> stub =
        v1::TranslationService::NewStub(channel);
    return [this, stub](CallDone done) {
      struct Call {
        grpc::ClientContext ctx;
        v1::SubmitRequest submit;
        v1::ApproveRequest approve;
        v1::ReopenRequest reopen;
        v1::Translation resp;
        Slot slot;
        bool reopening = false;
      };
      auto* call = new Call;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!ready_.empty()) {
          call->slot = std::move(ready_.front());
          ready_.pop_front();
        } else if (!done_.empty()) {
          call->slot = std::move(done_.front());
          done_.pop_front();
          call->reopening = true;
        }
      }
      if (call->slot.name.empty()) {
        delete call;
        done(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "more outstanding calls than segments"));
        return;
      }
      call->ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
      auto finish = [this, call, done](grpc::Status s) {
        if (s.ok()) {
          call->slot.version = call->resp.version();
          std::lock_guard<std::mutex> lock(mu_);
          // Approved segments wait to be reopened; the rest are ready.
          if (approve_ && !call->reopening) {
            done_.push_back(std::move(call->slot));
          } else {
            ready_.push_back(std::move(call->slot));
          }
        }
        delete call;
        done(s);
      };
      if (!approve_) {
        call->ctx.AddMetadata("authorization", "Bearer " + translator_);
        call->submit.set_name(call->slot.name);
        call->submit.set_version(call->slot.version);
        call->submit.mutable_content()->set_text(
            Text(call->slot.index + static_cast<int>(call->slot.version)));
        stub->async()->Submit(&call->ctx, &call->submit, &call->resp, finish);
      } else if (call->reopening) {
        call->ctx.AddMetadata("authorization", "Bearer " + coordinator_);
        call->reopen.set_name(call->slot.name);
        call->reopen.set_version(call->slot.version);
        stub->async()->Reopen(&call->ctx, &call->reopen, &call->resp, finish);
      } else {
        call->ctx.AddMetadata("authorization", "Bearer " + reviewer_);
        call->approve.set_name(call->slot.name);
        call->approve.set_version(call->slot.version);
        stub->async()->Approve(&call->ctx, &call->approve, &call->resp, finish);
      }
    };
  }

 private:
  static std::string Text(int n) {
    return "Phrase numéro " + std::to_string(n) + " de la déclaration.";
  }

  const bool approve_;
  BenchServer server_;
  std::string translator_, reviewer_, coordinator_;
  std::mutex mu_;
  std::deque<Slot> ready_;
  std::deque<Slot> done_;
};

class RocksDbInstance final : public ScenarioInstance {
 public:
  absl::Status Start() {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir_.Sub("raw"), &db);
    if (!s.ok()) return absl::InternalError(s.ToString());
    db_.reset(db);
    // One thread per outstanding call, as a server's handlers would be.
    workers_ = std::make_unique<WorkerPool>(64);
    return absl::OkStatus();
  }

  ~RocksDbInstance() override {
    workers_.reset();
    db_.reset();
  }

  // No RPC is made; the harness's channels stay idle.
  std::string target() const override { return "127.0.0.1:9"; }

  CallFn MakeCall(std::shared_ptr<grpc::Channel>) override {
    return [this](CallDone done) {
      workers_->Schedule([this, done] {
        const uint64_t n = next_.fetch_add(1);
        rocksdb::WriteOptions wo;
        wo.sync = true;
        rocksdb::Status s =
            db_->Put(wo, "segment/" + std::to_string(n % kSegments), value_);
        done(s.ok() ? grpc::Status::OK
                    : grpc::Status(grpc::StatusCode::INTERNAL, s.ToString()));
      });
    };
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<WorkerPool> workers_;
  std::atomic<uint64_t> next_{0};
  // About the size of a translation record plus its history entry.
  const std::string value_ = std::string(400, 'x');
};

template <typename Instance, typename... Args>
Scenario Make(std::string name, Args... args) {
  return Scenario{
      std::move(name),
      [=]() -> absl::StatusOr<std::unique_ptr<ScenarioInstance>> {
        auto instance = std::make_unique<Instance>(args...);
        absl::Status s = instance->Start();
        if (!s.ok()) return s;
        return std::unique_ptr<ScenarioInstance>(std::move(instance));
      }};
}

}  // namespace

Scenario TranslationSubmitScenario() {
  return Make<TranslationInstance>("translation-submit", false);
}
Scenario TranslationApproveScenario() {
  return Make<TranslationInstance>("translation-approve", true);
}
Scenario RocksDbSyncScenario() { return Make<RocksDbInstance>("rocksdb-sync"); }

}  // namespace tessera::bench

#include "tests/bench/whoami_scenario.h"

#include <memory>
#include <string>

#include "tessera/v1/identity.grpc.pb.h"
#include "tests/bench/bench_server.h"

namespace tessera::bench {
namespace {

class WhoAmIInstance final : public ScenarioInstance {
 public:
  absl::Status Start() {
    if (auto s = server_.Start(); !s.ok()) return s;
    token_ = server_.admin_token();
    return absl::OkStatus();
  }

  std::string target() const override { return server_.address(); }

  CallFn MakeCall(std::shared_ptr<grpc::Channel> channel) override {
    std::shared_ptr<v1::IdentityService::Stub> stub =
        v1::IdentityService::NewStub(channel);
    std::string header = "Bearer " + token_;
    return [stub, header](CallDone done) {
      struct Call {
        grpc::ClientContext ctx;
        v1::WhoAmIRequest req;
        v1::WhoAmIResponse resp;
      };
      auto* call = new Call;
      call->ctx.AddMetadata("authorization", header);
      stub->async()->WhoAmI(
          &call->ctx, &call->req, &call->resp, [call, done](grpc::Status s) {
            if (s.ok() && call->resp.user().user_id() != "admin") {
              s = grpc::Status(grpc::StatusCode::INTERNAL, "unexpected caller");
            }
            delete call;
            done(s);
          });
    };
  }

 private:
  BenchServer server_;
  std::string token_;
};

}  // namespace

Scenario WhoAmIScenario() {
  return Scenario{
      "whoami", []() -> absl::StatusOr<std::unique_ptr<ScenarioInstance>> {
        auto instance = std::make_unique<WhoAmIInstance>();
        absl::Status s = instance->Start();
        if (!s.ok()) return s;
        return std::unique_ptr<ScenarioInstance>(std::move(instance));
      }};
}

}  // namespace tessera::bench

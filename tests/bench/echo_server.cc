#include "tests/bench/echo_server.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "echo.grpc.pb.h"

namespace tessera::bench {
namespace {

class EchoService final : public Echo::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const EchoRequest* request,
                                 EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// Everything one call needs to outlive the CallFn's invocation.
struct EchoCall {
  grpc::ClientContext context;
  EchoRequest request;
  EchoResponse response;
  CallDone done;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(
    std::string_view address) {
  std::unique_ptr<EchoServer> server(new EchoServer());
  server->service_ = std::make_unique<EchoService>();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(std::string(address),
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot start echo server on ", std::string(address)));
  }
  server->port_ = port;
  const size_t colon = address.rfind(':');
  server->target_ = absl::StrCat(
      std::string(address.substr(
          0, colon == std::string_view::npos ? address.size() : colon)),
      ":", port);
  return server;
}

EchoServer::~EchoServer() { Shutdown(); }

void EchoServer::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
}

CallFn MakeEchoCall(std::shared_ptr<grpc::Channel> channel,
                    size_t payload_bytes, absl::Duration deadline) {
  std::shared_ptr<Echo::Stub> stub = Echo::NewStub(std::move(channel));
  return [stub = std::move(stub), payload = std::string(payload_bytes, 'x'),
          deadline](CallDone done) {
    auto* call = new EchoCall;
    call->request.set_payload(payload);
    call->done = std::move(done);
    if (deadline != absl::InfiniteDuration()) {
      call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    }
    stub->async()->Echo(
        &call->context, &call->request, &call->response,
        [call](grpc::Status status) {
          if (status.ok() &&
              call->response.payload() != call->request.payload()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "echo reply differs from the request");
          }
          // Release the context (and its channel reference) before
          // reporting, so the run may end and drop the channel.
          CallDone report = std::move(call->done);
          delete call;
          report(status);
        });
  };
}

}  // namespace tessera::bench

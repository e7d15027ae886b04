#include "tests/bench/bench_server.h"

#include <chrono>
#include <utility>

#include "absl/flags/flag.h"
#include "common/strings.h"
#include "tessera/v1/identity.grpc.pb.h"

ABSL_FLAG(bool, h2_guard, false,
          "Serve through tesserad's HTTP/2 rapid-reset guard, as tesserad "
          "does on listeners other hosts can reach; measures its relay.");

namespace tessera::bench {

BenchServer::~BenchServer() {
  if (server_ != nullptr) server_->Shutdown();
}

absl::Status BenchServer::Start() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir_.Sub("data");
  options.shutdown_grace = absl::ZeroDuration();
  options.parse_helper = TESSERA_BINARY_DIR "/server/tessera-parse";
  if (absl::GetFlag(FLAGS_h2_guard)) {
    options.h2_guard = ServerOptions::H2Guard::kOn;
  }
  auto server = Tesserad::Start(options);
  if (!server.ok()) return server.status();
  server_ = std::move(server).value();
  admin_token_ = server_->first_start_admin_token();
  channel_ = grpc::CreateChannel(server_->address(),
                                 grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

absl::StatusOr<std::string> BenchServer::CreateUserWithToken(
    const std::string& user_id, v1::Role role, const std::string& language) {
  auto identity = v1::IdentityService::NewStub(channel_);
  v1::CreateUserRequest req;
  req.set_user_id(user_id);
  auto* g = req.add_roles();
  g->set_role(role);
  g->add_languages(language);
  v1::User user;
  absl::Status s = FromGrpc(
      identity->CreateUser(BenchContext(admin_token_).get(), req, &user),
      "CreateUser");
  if (!s.ok()) return s;
  v1::IssueTokenRequest treq;
  treq.set_user(user.name());
  v1::IssueTokenResponse tresp;
  s = FromGrpc(
      identity->IssueToken(BenchContext(admin_token_).get(), treq, &tresp),
      "IssueToken");
  if (!s.ok()) return s;
  return tresp.secret();
}

std::unique_ptr<grpc::ClientContext> BenchContext(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

absl::Status FromGrpc(const grpc::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(StrCat(what, ": ", s.error_message()));
}

}  // namespace tessera::bench

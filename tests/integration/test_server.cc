#include "tests/integration/test_server.h"

#include <chrono>

#include "gtest/gtest.h"

namespace tessera::testing {

TestServer::TestServer(const std::function<void(ServerOptions&)>& tweak)
    : data_dir_(dir_.Sub("data")), tweak_(tweak) {
  StartServer();
  admin_token_ = server_->first_start_admin_token();
  EXPECT_FALSE(admin_token_.empty());
}

TestServer::~TestServer() { Stop(); }

void TestServer::StartServer() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir_;
  options.worker_threads = 8;
  options.drain_timeout = absl::Seconds(2);
  options.shutdown_grace = absl::ZeroDuration();
  options.block_cache_bytes = size_t{8} << 20;
  options.parse_helper = TESSERA_BINARY_DIR "/server/tessera-parse";
  if (tweak_) tweak_(options);
  auto server = Tesserad::Start(options);
  if (!server.ok()) {
    ADD_FAILURE() << "server did not start: " << server.status();
    return;
  }
  server_ = std::move(server).value();
  channel_ = NewChannel();
}

void TestServer::Stop() {
  if (server_ != nullptr) {
    server_->Shutdown();
    server_.reset();
  }
}

void TestServer::Restart(const std::function<void(ServerOptions&)>& tweak) {
  tweak_ = tweak;
  Restart();
}

void TestServer::Restart() {
  Stop();
  StartServer();
}

std::shared_ptr<grpc::Channel> TestServer::NewChannel(
    const grpc::ChannelArguments& args) const {
  return grpc::CreateCustomChannel(server_->address(),
                                   grpc::InsecureChannelCredentials(), args);
}

std::string TestServer::CreateUserWithToken(
    const std::string& user_id, const std::vector<v1::RoleGrant>& grants) {
  auto stub = v1::IdentityService::NewStub(channel_);
  v1::CreateUserRequest req;
  req.set_user_id(user_id);
  for (const auto& g : grants) *req.add_roles() = g;
  v1::User user;
  auto ctx = AuthContext(admin_token_);
  grpc::Status s = stub->CreateUser(ctx.get(), req, &user);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::IssueTokenRequest treq;
  treq.set_user("users/" + user_id);
  v1::IssueTokenResponse tresp;
  auto ctx2 = AuthContext(admin_token_);
  s = stub->IssueToken(ctx2.get(), treq, &tresp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return tresp.secret();
}

std::unique_ptr<grpc::ClientContext> AuthContext(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

v1::RoleGrant Grant(v1::Role role, std::vector<std::string> languages) {
  v1::RoleGrant g;
  g.set_role(role);
  for (auto& l : languages) g.add_languages(l);
  return g;
}

std::string Reason(const grpc::Status& s) {
  auto info = Detail<google::rpc::ErrorInfo>(s);
  return info.has_value() ? info->reason() : "<no ErrorInfo>";
}

}  // namespace tessera::testing

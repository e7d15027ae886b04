// tesserad end to end over real gRPC: health, reflection, authentication,
// the identity journey, limits and shutdown.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::chrono::system_clock::time_point In(std::chrono::milliseconds ms) {
  return std::chrono::system_clock::now() + ms;
}

grpc::Status WhoAmI(
    const std::shared_ptr<grpc::Channel>& ch, const std::string& token,
    v1::WhoAmIResponse* resp,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) {
  auto stub = v1::IdentityService::NewStub(ch);
  auto ctx = AuthContext(token);
  ctx->set_deadline(In(timeout));
  return stub->WhoAmI(ctx.get(), v1::WhoAmIRequest(), resp);
}

TEST(ServerTest, AnswersHealthWithoutToken) {
  TestServer ts;
  auto health = Health::NewStub(ts.channel());
  grpc::ClientContext ctx;
  HealthCheckRequest req;
  HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(ts.server().ServiceNames(),
            (std::vector<std::string>{"tessera.v1.IdentityService",
                                      "tessera.v1.StatementService",
                                      "tessera.v1.TranslationService",
                                      "tessera.v1.AssignmentService",
                                      "tessera.v1.PublicationService",
                                      "tessera.v1.MemoryService"}));
}

TEST(ServerTest, WhoAmINeedsAValidUnrevokedToken) {
  TestServer ts;
  v1::WhoAmIResponse me;
  EXPECT_EQ(WhoAmI(ts.channel(), "", &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      WhoAmI(ts.channel(), "tsr_" + std::string(43, 'x'), &me).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  {
    auto stub = v1::IdentityService::NewStub(ts.channel());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Basic " + ts.admin_token());
    EXPECT_EQ(stub->WhoAmI(&ctx, v1::WhoAmIRequest(), &me).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }

  ASSERT_TRUE(WhoAmI(ts.channel(), ts.admin_token(), &me).ok());
  EXPECT_EQ(me.user().user_id(), "admin");
  ASSERT_EQ(me.user().roles_size(), 1);
  EXPECT_EQ(me.user().roles(0).role(), v1::ROLE_ADMIN);
  EXPECT_EQ(me.token().rfind("tokens/", 0), 0u);

  // Revoke the token it was called with; the next call is refused.
  auto stub = v1::IdentityService::NewStub(ts.channel());
  v1::RevokeTokenRequest rreq;
  rreq.set_name(me.token());
  v1::Token revoked;
  auto ctx = AuthContext(ts.admin_token());
  ASSERT_TRUE(stub->RevokeToken(ctx.get(), rreq, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  grpc::Status s = WhoAmI(ts.channel(), ts.admin_token(), &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("revoked"), std::string::npos);
}

TEST(ServerTest, IdentityJourneyWithStaleVersionDetection) {
  TestServer ts;
  auto stub = v1::IdentityService::NewStub(ts.channel());
  std::string alice = ts.CreateUserWithToken(
      "alice", {Grant(v1::ROLE_TRANSLATOR, {"pt_br", "de"})});
  v1::WhoAmIResponse me;
  ASSERT_TRUE(WhoAmI(ts.channel(), alice, &me).ok());
  EXPECT_EQ(me.user().user_id(), "alice");
  ASSERT_EQ(me.user().roles(0).languages_size(), 2);
  EXPECT_EQ(me.user().roles(0).languages(0), "de");
  EXPECT_EQ(me.user().roles(0).languages(1), "pt-BR");

  // Alice may not create users.
  v1::CreateUserRequest creq;
  creq.set_user_id("mallory");
  v1::User out;
  auto c1 = AuthContext(alice);
  EXPECT_EQ(stub->CreateUser(c1.get(), creq, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Two admins edit alice's roles from the same version: one wins.
  v1::SetRolesRequest sreq;
  sreq.set_user("users/alice");
  sreq.set_version(me.user().version());
  *sreq.add_roles() = Grant(v1::ROLE_REVIEWER, {"de"});
  auto c2 = AuthContext(ts.admin_token());
  ASSERT_TRUE(stub->SetRoles(c2.get(), sreq, &out).ok());
  EXPECT_EQ(out.version(), me.user().version() + 1);
  sreq.clear_roles();
  auto c3 = AuthContext(ts.admin_token());
  EXPECT_EQ(stub->SetRoles(c3.get(), sreq, &out).error_code(),
            grpc::StatusCode::ABORTED);
  ASSERT_TRUE(WhoAmI(ts.channel(), alice, &me).ok());
  ASSERT_EQ(me.user().roles_size(), 1);
  EXPECT_EQ(me.user().roles(0).role(), v1::ROLE_REVIEWER);

  // Alice issues herself a second token and lists hers.
  v1::IssueTokenRequest ireq;
  ireq.set_user("users/alice");
  ireq.set_description("second laptop");
  v1::IssueTokenResponse issued;
  auto c4 = AuthContext(alice);
  ASSERT_TRUE(stub->IssueToken(c4.get(), ireq, &issued).ok());
  ASSERT_TRUE(WhoAmI(ts.channel(), issued.secret(), &me).ok());
  v1::ListTokensRequest lreq;
  lreq.set_user("users/alice");
  v1::ListTokensResponse tokens;
  auto c5 = AuthContext(alice);
  ASSERT_TRUE(stub->ListTokens(c5.get(), lreq, &tokens).ok());
  EXPECT_EQ(tokens.tokens_size(), 2);
  EXPECT_EQ(tokens.tokens(0).description(), "second laptop");
  for (const auto& t : tokens.tokens()) {
    EXPECT_EQ(t.name().find(issued.secret()), std::string::npos);
  }

  // Malformed resource names are INVALID_ARGUMENT, unknown users NOT_FOUND.
  ireq.set_user("alice");
  auto c6 = AuthContext(ts.admin_token());
  EXPECT_EQ(stub->IssueToken(c6.get(), ireq, &issued).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ireq.set_user("users/nobody");
  auto c7 = AuthContext(ts.admin_token());
  EXPECT_EQ(stub->IssueToken(c7.get(), ireq, &issued).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(ServerTest, DataAndTokensSurviveRestart) {
  TestServer ts;
  std::string bob = ts.CreateUserWithToken("bob", {});
  ts.Restart();
  v1::WhoAmIResponse me;
  ASSERT_TRUE(WhoAmI(ts.channel(), bob, &me).ok());
  EXPECT_EQ(me.user().user_id(), "bob");
  ASSERT_TRUE(WhoAmI(ts.channel(), ts.admin_token(), &me).ok());
  // A restart over existing data makes no new bootstrap token.
  EXPECT_TRUE(ts.server().first_start_admin_token().empty());
}

TEST(LimitsTest, OversizedRequestIsResourceExhausted) {
  TestServer ts([](ServerOptions& o) { o.max_message_bytes = 64 << 10; });
  auto stub = v1::IdentityService::NewStub(ts.channel());
  v1::CreateUserRequest req;
  req.set_user_id("big");
  req.set_display_name(std::string(100 << 10, 'n'));
  v1::User out;
  auto ctx = AuthContext(ts.admin_token());
  EXPECT_EQ(stub->CreateUser(ctx.get(), req, &out).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Under the transport limit the request reaches validation.
  req.set_display_name(std::string(60 << 10, 'n'));
  auto ctx2 = AuthContext(ts.admin_token());
  grpc::Status s = stub->CreateUser(ctx2.get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("200"), std::string::npos);
}

TEST(LimitsTest, StreamsBeyondTheLimitWaitForAFreeSlot) {
  TestServer ts([](ServerOptions& o) { o.max_concurrent_streams = 2; });
  auto health = Health::NewStub(ts.channel());
  grpc::ClientContext w1, w2;
  HealthCheckRequest req;
  HealthCheckResponse resp;
  auto r1 = health->Watch(&w1, req);
  ASSERT_TRUE(r1->Read(&resp));
  auto r2 = health->Watch(&w2, req);
  ASSERT_TRUE(r2->Read(&resp));

  v1::WhoAmIResponse me;
  EXPECT_EQ(WhoAmI(ts.channel(), ts.admin_token(), &me,
                   std::chrono::milliseconds(500))
                .error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  w1.TryCancel();
  r1->Finish().IgnoreError();
  EXPECT_TRUE(WhoAmI(ts.channel(), ts.admin_token(), &me).ok());
  w2.TryCancel();
  r2->Finish().IgnoreError();
}

TEST(LimitsTest, CallTimeoutBoundsEveryCallAndLateCallsWriteNothing) {
  TestServer ts;
  ts.Restart([](ServerOptions& o) { o.call_timeout = absl::Nanoseconds(1); });
  auto stub = v1::IdentityService::NewStub(ts.channel());
  v1::CreateUserRequest req;
  req.set_user_id("late");
  v1::User out;
  auto ctx = AuthContext(ts.admin_token());
  EXPECT_EQ(stub->CreateUser(ctx.get(), req, &out).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  ts.Restart([](ServerOptions&) {});
  stub = v1::IdentityService::NewStub(ts.channel());
  v1::ListUsersResponse users;
  auto ctx2 = AuthContext(ts.admin_token());
  ASSERT_TRUE(stub->ListUsers(ctx2.get(), v1::ListUsersRequest(), &users).ok());
  ASSERT_EQ(users.users_size(), 1);
  EXPECT_EQ(users.users(0).user_id(), "admin");
}

TEST(LimitsTest, ClientThatPingsTooOftenIsDisconnected) {
  TestServer ts;  // Default: clients may ping at most every 30 s.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 100);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  auto channel = ts.NewChannel(args);
  auto health = Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(std::chrono::seconds(20)));
  HealthCheckResponse resp;
  auto reader = health->Watch(&ctx, HealthCheckRequest());
  ASSERT_TRUE(reader->Read(&resp));
  // The next read only ends when the server sends GOAWAY.
  while (reader->Read(&resp)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServerTest, ServesTlsWhenGivenACertificate) {
  TempDir certs;
  std::string cert = certs.Sub("cert.pem"), key = certs.Sub("key.pem");
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=tessera-test -addext "
      "subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  TestServer ts([&](ServerOptions& o) {
    o.tls_cert_file = cert;
    o.tls_key_file = key;
  });
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadAll(cert);
  auto tls =
      grpc::CreateChannel(ts.server().address(), grpc::SslCredentials(ssl));
  v1::WhoAmIResponse me;
  grpc::Status s = WhoAmI(tls, ts.admin_token(), &me);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(me.user().user_id(), "admin");
  // Plaintext clients cannot talk to a TLS server.
  EXPECT_NE(WhoAmI(ts.channel(), ts.admin_token(), &me,
                   std::chrono::milliseconds(2000))
                .error_code(),
            grpc::StatusCode::OK);
}

TEST(ServerTest, ShutdownFlipsHealthThenReleasesTheStore) {
  TestServer ts(
      [](ServerOptions& o) { o.shutdown_grace = absl::Milliseconds(300); });
  auto health = Health::NewStub(ts.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(In(std::chrono::seconds(20)));
  auto reader = health->Watch(&ctx, HealthCheckRequest());
  HealthCheckResponse resp;
  ASSERT_TRUE(reader->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  std::thread stopper([&] { ts.Stop(); });
  ASSERT_TRUE(reader->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  while (reader->Read(&resp)) {
  }
  reader->Finish().IgnoreError();
  stopper.join();
  // The store was closed cleanly: it opens again, with its data.
  storage::StoreOptions so;
  so.path = ts.data_dir();
  auto store = storage::Store::Open(so);
  ASSERT_OK(store);
  EXPECT_GT((*store)->LastVisibleFeedSeq(), 0u);
}

}  // namespace
}  // namespace tessera::testing

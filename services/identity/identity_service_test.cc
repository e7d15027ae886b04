// IdentityServiceImpl over a real gRPC channel, on a real Store: what the
// handlers add to the core (names, required fields, paging tokens, the
// caller's own token) as a client sees it.
#include "services/identity/identity_service.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/common/authorizer.h"
#include "services/common/worker_pool.h"

namespace tessera::identity {
namespace {

class IdentityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.path();
    auto store = storage::Store::Open(options);
    ASSERT_OK(store);
    store_ = std::move(store).value();
    core_ = std::make_unique<IdentityCore>(store_.get(), Clock::Real(),
                                           RandomSource::Secure());
    authorizer_ = std::make_unique<Authorizer>(core_.get());
    env_.authorizer = authorizer_.get();
    env_.workers = &workers_;
    service_ = std::make_unique<IdentityServiceImpl>(core_.get(), &env_);

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::IdentityService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                            grpc::InsecureChannelCredentials()));
    ASSERT_OK_AND_ASSIGN(IssuedToken admin,
                         core_->IssueBootstrapAdminToken("test"));
    admin_token_ = admin.secret;
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }

  grpc::Status CreateUser(const std::string& user_id) {
    v1::CreateUserRequest req;
    req.set_user_id(user_id);
    v1::User user;
    return stub_->CreateUser(As(admin_token_).get(), req, &user);
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<IdentityCore> core_;
  std::unique_ptr<Authorizer> authorizer_;
  WorkerPool workers_{2};
  CallEnv env_;
  std::unique_ptr<IdentityServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::IdentityService::Stub> stub_;
  std::string admin_token_;
};

TEST_F(IdentityServiceTest, ListUsersPagesWithTheTokenItReturns) {
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(CreateUser(id).ok()) << id;
  }
  std::vector<std::string> seen;
  v1::ListUsersRequest req;
  req.set_page_size(3);
  v1::ListUsersResponse page;
  ASSERT_TRUE(stub_->ListUsers(As(admin_token_).get(), req, &page).ok());
  for (const auto& u : page.users()) seen.push_back(u.name());
  ASSERT_FALSE(page.next_page_token().empty());

  v1::ListUsersRequest tampered = req;
  tampered.set_page_token(page.next_page_token() + "x");
  v1::ListUsersResponse ignored;
  EXPECT_EQ(
      stub_->ListUsers(As(admin_token_).get(), tampered, &ignored).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);

  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListUsers(As(admin_token_).get(), req, &page).ok());
  for (const auto& u : page.users()) seen.push_back(u.name());
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"users/a", "users/admin", "users/b",
                                            "users/c"}));
}

TEST_F(IdentityServiceTest, SetRolesWithoutAVersionChangesNothing) {
  ASSERT_TRUE(CreateUser("bob").ok());
  v1::SetRolesRequest req;
  req.set_user("users/bob");
  v1::RoleGrant* grant = req.add_roles();
  grant->set_role(v1::ROLE_REVIEWER);
  grant->add_languages("fr");
  v1::User user;
  grpc::Status s = stub_->SetRoles(As(admin_token_).get(), req, &user);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("version is required"), std::string::npos)
      << s.error_message();
  ASSERT_OK_AND_ASSIGN(User stored, core_->GetUser("bob"));
  EXPECT_EQ(stored.version, 1u);
  EXPECT_TRUE(stored.grants.empty());

  req.set_version(1);
  ASSERT_TRUE(stub_->SetRoles(As(admin_token_).get(), req, &user).ok());
  EXPECT_EQ(user.version(), 2);
  ASSERT_EQ(user.roles_size(), 1);
  EXPECT_EQ(user.roles(0).role(), v1::ROLE_REVIEWER);
}

TEST_F(IdentityServiceTest, IssuedTokenServesWhoAmIUntilRevoked) {
  ASSERT_TRUE(CreateUser("carol").ok());
  v1::IssueTokenRequest issue;
  issue.set_user("users/carol");
  issue.set_description("laptop");
  v1::IssueTokenResponse issued;
  ASSERT_TRUE(stub_->IssueToken(As(admin_token_).get(), issue, &issued).ok());
  EXPECT_EQ(issued.token().user(), "users/carol");

  v1::WhoAmIResponse me;
  ASSERT_TRUE(
      stub_->WhoAmI(As(issued.secret()).get(), v1::WhoAmIRequest(), &me).ok());
  EXPECT_EQ(me.user().name(), "users/carol");
  EXPECT_EQ(me.token(), issued.token().name());

  v1::ListTokensRequest list;
  list.set_user("users/carol");
  v1::ListTokensResponse tokens;
  ASSERT_TRUE(stub_->ListTokens(As(issued.secret()).get(), list, &tokens).ok());
  ASSERT_EQ(tokens.tokens_size(), 1);
  EXPECT_EQ(tokens.tokens(0).description(), "laptop");

  v1::RevokeTokenRequest revoke;
  revoke.set_name(issued.token().name());
  v1::Token revoked;
  ASSERT_TRUE(
      stub_->RevokeToken(As(issued.secret()).get(), revoke, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  EXPECT_EQ(stub_->WhoAmI(As(issued.secret()).get(), v1::WhoAmIRequest(), &me)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace tessera::identity

#include "services/identity/identity_service.h"

#include <string>
#include <utility>

#include "common/status_macros.h"
#include "services/identity/identity_convert.h"

namespace tessera::identity {
namespace {

constexpr std::string_view kCreateUser =
    "/tessera.v1.IdentityService/CreateUser";
constexpr std::string_view kListUsers = "/tessera.v1.IdentityService/ListUsers";
constexpr std::string_view kSetRoles = "/tessera.v1.IdentityService/SetRoles";
constexpr std::string_view kIssueToken =
    "/tessera.v1.IdentityService/IssueToken";
constexpr std::string_view kListTokens =
    "/tessera.v1.IdentityService/ListTokens";
constexpr std::string_view kRevokeToken =
    "/tessera.v1.IdentityService/RevokeToken";
constexpr std::string_view kWhoAmI = "/tessera.v1.IdentityService/WhoAmI";

}  // namespace

grpc::ServerUnaryReactor* IdentityServiceImpl::CreateUser(
    grpc::CallbackServerContext* ctx, const v1::CreateUserRequest* req,
    v1::User* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kCreateUser, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(NewUser user, FromProto(*req));
        ASSIGN_OR_RETURN(
            User u, core_->CreateUser(call, user.user_id, user.display_name,
                                      std::move(user.grants)));
        ToProto(u, resp);
        return absl::OkStatus();
      });
}

// A page holds up to kMaxPageSize users: too many to decode on the gRPC
// thread.
grpc::ServerUnaryReactor* IdentityServiceImpl::ListUsers(
    grpc::CallbackServerContext* ctx, const v1::ListUsersRequest* req,
    v1::ListUsersResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListUsers, CallKind::kLongRead,
      [=, this](const CallContext&) -> absl::Status {
        ASSIGN_OR_RETURN(UserPage page,
                         core_->ListUsers(req->page_size(), req->page_token()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::SetRoles(
    grpc::CallbackServerContext* ctx, const v1::SetRolesRequest* req,
    v1::User* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kSetRoles, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(RolesChange change, FromProto(*req));
        ASSIGN_OR_RETURN(User u, core_->SetRoles(call, change.user_id,
                                                 std::move(change.grants),
                                                 change.expected_version));
        ToProto(u, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::IssueToken(
    grpc::CallbackServerContext* ctx, const v1::IssueTokenRequest* req,
    v1::IssueTokenResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kIssueToken, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TokenRequest token, FromProto(*req));
        ASSIGN_OR_RETURN(
            IssuedToken issued,
            core_->IssueToken(call, token.user_id, token.description));
        ToProto(issued, resp);
        return absl::OkStatus();
      });
}

// A user's tokens are not paged, and each costs two reads.
grpc::ServerUnaryReactor* IdentityServiceImpl::ListTokens(
    grpc::CallbackServerContext* ctx, const v1::ListTokensRequest* req,
    v1::ListTokensResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListTokens, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string user_id,
                         ParseName("user", "users", req->user()));
        ASSIGN_OR_RETURN(auto tokens,
                         core_->ListTokens(call.caller(), user_id));
        ToProto(tokens, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::RevokeToken(
    grpc::CallbackServerContext* ctx, const v1::RevokeTokenRequest* req,
    v1::Token* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kRevokeToken, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string token_id,
                         ParseName("name", "tokens", req->name()));
        ASSIGN_OR_RETURN(Token t, core_->RevokeToken(call, token_id));
        ToProto(t, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::WhoAmI(
    grpc::CallbackServerContext* ctx, const v1::WhoAmIRequest* /*req*/,
    v1::WhoAmIResponse* resp) {
  return UnaryCall::Serve(ctx, *env_, kWhoAmI, CallKind::kRead,
                          [=, this](const CallContext& call) -> absl::Status {
                            ASSIGN_OR_RETURN(
                                User u, core_->GetUser(call.caller().user_id));
                            ToProto(u, call.caller().token_id, resp);
                            return absl::OkStatus();
                          });
}

}  // namespace tessera::identity

#include "services/identity/identity_service.h"

#include "common/status_macros.h"
#include "common/strings.h"
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
  return HandleUnary(
      ctx, *env_, kCreateUser, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto grants, GrantsFromProto(req->roles()));
        ASSIGN_OR_RETURN(
            User u, core_->CreateUser(call.caller(), req->user_id(),
                                      req->display_name(), std::move(grants)));
        ToProto(u, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::ListUsers(
    grpc::CallbackServerContext* ctx, const v1::ListUsersRequest* req,
    v1::ListUsersResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListUsers, CallKind::kRead,
      [=, this](const CallContext&) -> absl::Status {
        ASSIGN_OR_RETURN(UserPage page,
                         core_->ListUsers(req->page_size(), req->page_token()));
        for (const auto& u : page.users) {
          ToProto(u, resp->add_users());
        }
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::SetRoles(
    grpc::CallbackServerContext* ctx, const v1::SetRolesRequest* req,
    v1::User* resp) {
  return HandleUnary(
      ctx, *env_, kSetRoles, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseName("user", "users", req->user()));
        ASSIGN_OR_RETURN(auto grants, GrantsFromProto(req->roles()));
        if (req->version() <= 0) {
          return absl::InvalidArgumentError(
              "version is required: pass the User.version you last read");
        }
        ASSIGN_OR_RETURN(User u,
                         core_->SetRoles(call.caller(), id, std::move(grants),
                                         req->version()));
        ToProto(u, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::IssueToken(
    grpc::CallbackServerContext* ctx, const v1::IssueTokenRequest* req,
    v1::IssueTokenResponse* resp) {
  return HandleUnary(
      ctx, *env_, kIssueToken, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseName("user", "users", req->user()));
        ASSIGN_OR_RETURN(IssuedToken t, core_->IssueToken(call.caller(), id,
                                                          req->description()));
        ToProto(t.token, resp->mutable_token());
        resp->set_secret(t.secret);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::ListTokens(
    grpc::CallbackServerContext* ctx, const v1::ListTokensRequest* req,
    v1::ListTokensResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListTokens, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseName("user", "users", req->user()));
        ASSIGN_OR_RETURN(auto tokens, core_->ListTokens(call.caller(), id));
        for (const auto& t : tokens) ToProto(t, resp->add_tokens());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::RevokeToken(
    grpc::CallbackServerContext* ctx, const v1::RevokeTokenRequest* req,
    v1::Token* resp) {
  return HandleUnary(
      ctx, *env_, kRevokeToken, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseName("name", "tokens", req->name()));
        ASSIGN_OR_RETURN(Token t, core_->RevokeToken(call.caller(), id));
        ToProto(t, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IdentityServiceImpl::WhoAmI(
    grpc::CallbackServerContext* ctx, const v1::WhoAmIRequest* /*req*/,
    v1::WhoAmIResponse* resp) {
  return HandleUnary(
      ctx, *env_, kWhoAmI, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(User u, core_->GetUser(call.caller().user_id));
        ToProto(u, resp->mutable_user());
        resp->set_token(StrCat("tokens/", call.caller().token_id));
        return absl::OkStatus();
      });
}

}  // namespace tessera::identity

#include "services/identity/identity_convert.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"

namespace tessera::identity {

absl::StatusOr<std::vector<RoleGrant>> GrantsFromProto(
    const google::protobuf::RepeatedPtrField<v1::RoleGrant>& grants) {
  std::vector<RoleGrant> out;
  for (const auto& g : grants) {
    if (g.role() < v1::ROLE_ADMIN || g.role() > v1::ROLE_SERVICE) {
      return absl::InvalidArgumentError(
          StrCat("roles: role must be set to a known role, got ",
                 static_cast<int>(g.role())));
    }
    out.push_back(RoleGrant{static_cast<Role>(g.role()),
                            {g.languages().begin(), g.languages().end()}});
  }
  return out;
}

absl::StatusOr<NewUser> FromProto(const v1::CreateUserRequest& req) {
  NewUser out;
  ASSIGN_OR_RETURN(out.grants, GrantsFromProto(req.roles()));
  out.user_id = req.user_id();
  out.display_name = req.display_name();
  return out;
}

absl::StatusOr<RolesChange> FromProto(const v1::SetRolesRequest& req) {
  RolesChange out;
  ASSIGN_OR_RETURN(out.user_id, ParseName("user", "users", req.user()));
  ASSIGN_OR_RETURN(out.grants, GrantsFromProto(req.roles()));
  if (req.version() <= 0) {
    return absl::InvalidArgumentError(
        "version is required: pass the User.version you last read");
  }
  out.expected_version = static_cast<uint64_t>(req.version());
  return out;
}

absl::StatusOr<TokenRequest> FromProto(const v1::IssueTokenRequest& req) {
  TokenRequest out;
  ASSIGN_OR_RETURN(out.user_id, ParseName("user", "users", req.user()));
  out.description = req.description();
  return out;
}

void ToProto(const User& user, v1::User* out) {
  out->set_name(StrCat("users/", user.user_id));
  out->set_user_id(user.user_id);
  out->set_display_name(user.display_name);
  for (const auto& g : user.grants) {
    auto* pg = out->add_roles();
    pg->set_role(static_cast<v1::Role>(g.role));
    for (const auto& l : g.languages) pg->add_languages(l);
  }
  ToTimestamp(user.create_time, out->mutable_create_time());
  out->set_version(static_cast<int64_t>(user.version));
}

void ToProto(const Token& token, v1::Token* out) {
  out->set_name(StrCat("tokens/", token.token_id));
  out->set_user(StrCat("users/", token.user_id));
  out->set_description(token.description);
  ToTimestamp(token.create_time, out->mutable_create_time());
  if (token.revoke_time)
    ToTimestamp(*token.revoke_time, out->mutable_revoke_time());
}

void ToProto(const UserPage& page, v1::ListUsersResponse* out) {
  for (const auto& u : page.users) ToProto(u, out->add_users());
  out->set_next_page_token(page.next_page_token);
}

void ToProto(const IssuedToken& issued, v1::IssueTokenResponse* out) {
  ToProto(issued.token, out->mutable_token());
  out->set_secret(issued.secret);
}

void ToProto(const std::vector<Token>& tokens, v1::ListTokensResponse* out) {
  for (const auto& t : tokens) ToProto(t, out->add_tokens());
}

void ToProto(const User& user, std::string_view token_id,
             v1::WhoAmIResponse* out) {
  ToProto(user, out->mutable_user());
  out->set_token(StrCat("tokens/", token_id));
}

absl::StatusOr<std::string> ParseName(std::string_view field,
                                      std::string_view collection,
                                      std::string_view name) {
  std::string prefix = StrCat(collection, "/");
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix ||
      name.find('/', prefix.size()) != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat(field, " must be a resource name of the form ", collection,
               "/{id}, got \"", name, "\""));
  }
  return std::string(name.substr(prefix.size()));
}

}  // namespace tessera::identity

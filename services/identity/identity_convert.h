// Conversions between tessera.v1 identity messages and IdentityCore types:
// requests into the arguments of one core call, results back into
// responses. Each request converter checks what the proto alone can tell
// (resource names, role numbers, a required version); the core checks the
// rest.
#ifndef TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_
#define TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "services/identity/identity_core.h"
#include "tessera/v1/identity.pb.h"

namespace tessera::identity {

// The arguments of IdentityCore::CreateUser.
struct NewUser {
  std::string user_id;
  std::string display_name;
  std::vector<RoleGrant> grants;
};

// The arguments of IdentityCore::SetRoles.
struct RolesChange {
  std::string user_id;
  std::vector<RoleGrant> grants;
  uint64_t expected_version = 0;
};

// The arguments of IdentityCore::IssueToken.
struct TokenRequest {
  std::string user_id;
  std::string description;
};

// INVALID_ARGUMENT for ROLE_UNSPECIFIED or an unknown role number.
absl::StatusOr<std::vector<RoleGrant>> GrantsFromProto(
    const google::protobuf::RepeatedPtrField<v1::RoleGrant>& grants);

// INVALID_ARGUMENT for a bad role (GrantsFromProto).
absl::StatusOr<NewUser> FromProto(const v1::CreateUserRequest& req);
// INVALID_ARGUMENT, in this order, for a `user` that is not users/{id}, a
// bad role, or a version that is not positive.
absl::StatusOr<RolesChange> FromProto(const v1::SetRolesRequest& req);
// INVALID_ARGUMENT for a `user` that is not users/{id}.
absl::StatusOr<TokenRequest> FromProto(const v1::IssueTokenRequest& req);

void ToProto(const User& user, v1::User* out);
void ToProto(const Token& token, v1::Token* out);
void ToProto(const UserPage& page, v1::ListUsersResponse* out);
void ToProto(const IssuedToken& issued, v1::IssueTokenResponse* out);
void ToProto(const std::vector<Token>& tokens, v1::ListTokensResponse* out);
// `token_id`: the token the caller authenticated with.
void ToProto(const User& user, std::string_view token_id,
             v1::WhoAmIResponse* out);

// Parses "users/{id}" or "tokens/{id}"; INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<std::string> ParseName(std::string_view field,
                                      std::string_view collection,
                                      std::string_view name);

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_

// Conversions between tessera.v1 identity messages and IdentityCore types.
#ifndef TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_
#define TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "services/identity/identity_core.h"
#include "tessera/v1/identity.pb.h"

namespace tessera::identity {

// INVALID_ARGUMENT for ROLE_UNSPECIFIED or an unknown role number.
absl::StatusOr<std::vector<RoleGrant>> GrantsFromProto(
    const google::protobuf::RepeatedPtrField<v1::RoleGrant>& grants);

void ToProto(const User& user, v1::User* out);
void ToProto(const Token& token, v1::Token* out);

// Parses "users/{id}" or "tokens/{id}"; INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<std::string> ParseName(std::string_view field,
                                      std::string_view collection,
                                      std::string_view name);

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_CONVERT_H_

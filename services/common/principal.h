// Principal: who is calling, as established from their bearer token, and
// what they may do. Plain value type; thread-compatible.
#ifndef TESSERA_SERVICES_COMMON_PRINCIPAL_H_
#define TESSERA_SERVICES_COMMON_PRINCIPAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tessera {

// Roles, numbered as tessera.v1.Role. Stored numbers never change.
enum class Role : uint8_t {
  kAdmin = 1,
  kCoordinator = 2,
  kTranslator = 3,
  kReviewer = 4,
  kService = 5,
};
inline constexpr Role kAllRoles[] = {Role::kAdmin, Role::kCoordinator,
                                     Role::kTranslator, Role::kReviewer,
                                     Role::kService};

std::string_view RoleName(Role role);

// A role, limited to some canonical language tags (empty: all languages).
struct RoleGrant {
  Role role;
  std::vector<std::string> languages;

  bool operator==(const RoleGrant&) const = default;
};

struct Principal {
  std::string user_id;
  std::string token_id;
  std::vector<RoleGrant> grants;

  bool IsAdmin() const { return HasRole(Role::kAdmin); }
  // True if any grant is for `role`, whatever its languages.
  bool HasRole(Role role) const;
  // True if the principal may act as `role` on `language`. Admins may act
  // as any role on any language.
  bool HasRoleFor(Role role, std::string_view language) const;
};

// The server itself, reading on a service's behalf (an adapter behind a
// port, a background task): an admin without a user, so permission checks
// pass and nothing is attributed to anyone.
const Principal& InternalPrincipal();

// Checks that a set of grants is well formed: known roles, at most one
// grant per role, no languages on admin or service grants. Languages must
// already be canonical. INVALID_ARGUMENT naming the problem otherwise.
absl::Status ValidateGrants(const std::vector<RoleGrant>& grants);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_PRINCIPAL_H_

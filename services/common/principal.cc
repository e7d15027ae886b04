#include "services/common/principal.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace tessera {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kCoordinator:
      return "coordinator";
    case Role::kTranslator:
      return "translator";
    case Role::kReviewer:
      return "reviewer";
    case Role::kService:
      return "service";
  }
  return "unknown";
}

bool Principal::HasRole(Role role) const {
  return std::any_of(grants.begin(), grants.end(),
                     [&](const RoleGrant& g) { return g.role == role; });
}

bool Principal::HasRoleFor(Role role, std::string_view language) const {
  if (IsAdmin()) return true;
  for (const auto& g : grants) {
    if (g.role != role) continue;
    if (g.languages.empty()) return true;
    if (std::find(g.languages.begin(), g.languages.end(), language) !=
        g.languages.end()) {
      return true;
    }
  }
  return false;
}

const Principal& InternalPrincipal() {
  static const Principal* p = new Principal{"", "", {{Role::kAdmin, {}}}};
  return *p;
}

absl::Status ValidateGrants(const std::vector<RoleGrant>& grants) {
  std::vector<Role> seen;
  for (const auto& g : grants) {
    int r = static_cast<int>(g.role);
    if (r < static_cast<int>(Role::kAdmin) ||
        r > static_cast<int>(Role::kService)) {
      return absl::InvalidArgumentError(StrCat("roles: unknown role ", r));
    }
    if (std::find(seen.begin(), seen.end(), g.role) != seen.end()) {
      return absl::InvalidArgumentError(StrCat("roles: role ", RoleName(g.role),
                                               " is granted more than once"));
    }
    seen.push_back(g.role);
    if ((g.role == Role::kAdmin || g.role == Role::kService) &&
        !g.languages.empty()) {
      return absl::InvalidArgumentError(StrCat(
          "roles: role ", RoleName(g.role), " cannot be limited to languages"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tessera

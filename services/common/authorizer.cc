#include "services/common/authorizer.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/policy.h"

namespace tessera {
absl::StatusOr<Principal> Authorizer::AuthorizeSecret(
    std::string_view secret, std::string_view method) const {
  ASSIGN_OR_RETURN(Principal caller, verifier_->Verify(secret));
  const MethodPolicy* policy = FindMethodPolicy(method);
  if (policy == nullptr) {
    return absl::PermissionDeniedError(
        StrCat("method ", method, " is not open to any role"));
  }
  if (!PolicyAllows(*policy, caller)) {
    std::string roles;
    for (Role r : policy->roles) {
      StrAppend(&roles, roles.empty() ? "" : " or ", RoleName(r));
    }
    return absl::PermissionDeniedError(
        StrCat(method, " requires the ", roles.empty() ? "admin" : roles,
               " role; user ", caller.user_id, " does not hold it"));
  }
  return caller;
}

}  // namespace tessera

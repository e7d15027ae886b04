#include "services/common/authorizer.h"

#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/policy.h"

namespace tessera {
namespace {

constexpr std::string_view kBearer = "bearer ";

}  // namespace

absl::StatusOr<Principal> Authorizer::Authorize(
    const grpc::ServerContextBase& ctx, std::string_view method) const {
  const auto& md = ctx.client_metadata();
  auto range = md.equal_range("authorization");
  if (range.first == range.second) {
    return absl::UnauthenticatedError(
        "missing credentials: send 'authorization: Bearer <token>' metadata");
  }
  if (std::next(range.first) != range.second) {
    return absl::UnauthenticatedError("more than one authorization header");
  }
  std::string_view value(range.first->second.data(),
                         range.first->second.size());
  if (value.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(
          absl::string_view(value.data(), kBearer.size()),
          absl::string_view(kBearer.data(), kBearer.size()))) {
    return absl::UnauthenticatedError(
        "authorization metadata must be 'Bearer <token>'");
  }
  return AuthorizeSecret(value.substr(kBearer.size()), method);
}

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

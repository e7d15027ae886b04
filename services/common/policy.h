// The authorisation table: for every RPC Tessera serves, which roles may
// call it. It is the single source of truth that Authorizer enforces and
// that the role-matrix test checks method by method. Methods absent from
// the table are refused (fail closed), and the server refuses to start if a
// registered method has no entry.
//
// The table answers "may this role call this method at all"; per-resource
// rules (language scopes, "only your own tokens", four eyes) are enforced by
// the service cores.
#ifndef TESSERA_SERVICES_COMMON_POLICY_H_
#define TESSERA_SERVICES_COMMON_POLICY_H_

#include <initializer_list>
#include <string_view>
#include <vector>

#include "services/common/principal.h"

namespace tessera {

struct MethodPolicy {
  // Full gRPC method name, "/tessera.v1.IdentityService/WhoAmI".
  std::string_view method;
  // Any caller with a valid token, whatever their roles.
  bool any_authenticated = false;
  // Otherwise: the roles allowed (admin is always allowed).
  std::vector<Role> roles;
};

// nullptr when `method` is not in the table.
const MethodPolicy* FindMethodPolicy(std::string_view method);

// Every entry, for start-up checks and tests.
const std::vector<MethodPolicy>& AllMethodPolicies();

// True if a caller holding `grants` passes the table for `policy`.
bool PolicyAllows(const MethodPolicy& policy, const Principal& caller);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_POLICY_H_

#include "services/common/policy.h"

#include <algorithm>
#include <unordered_map>

#include "common/strings.h"

namespace tessera {
namespace {

constexpr bool kAnyone = true;

std::vector<MethodPolicy>* BuildTable() {
  auto* t = new std::vector<MethodPolicy>{
      // IdentityService. Token calls are open to every user because the
      // core limits non-admins to their own tokens.
      {"/tessera.v1.IdentityService/CreateUser", false, {}},
      {"/tessera.v1.IdentityService/ListUsers", false, {}},
      {"/tessera.v1.IdentityService/SetRoles", false, {}},
      {"/tessera.v1.IdentityService/IssueToken", kAnyone, {}},
      {"/tessera.v1.IdentityService/ListTokens", kAnyone, {}},
      {"/tessera.v1.IdentityService/RevokeToken", kAnyone, {}},
      {"/tessera.v1.IdentityService/WhoAmI", kAnyone, {}},
  };
  return t;
}

}  // namespace

const std::vector<MethodPolicy>& AllMethodPolicies() {
  static const std::vector<MethodPolicy>* table = BuildTable();
  return *table;
}

const MethodPolicy* FindMethodPolicy(std::string_view method) {
  // Keys point into the static table's string literals.
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const MethodPolicy*>();
    for (const auto& p : AllMethodPolicies()) (*m)[p.method] = &p;
    return m;
  }();
  auto it = index->find(method);
  return it == index->end() ? nullptr : it->second;
}

bool PolicyAllows(const MethodPolicy& policy, const Principal& caller) {
  if (policy.any_authenticated || caller.IsAdmin()) return true;
  return std::any_of(policy.roles.begin(), policy.roles.end(),
                     [&](Role r) { return caller.HasRole(r); });
}

}  // namespace tessera

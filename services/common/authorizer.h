// Authorizer: turns a bearer secret into a Principal and checks it against
// the method table (policy.h). Every
// service handler calls it first; it is the only place that reads tokens.
//
// Thread-safe; holds no state of its own beyond the verifier it was given.
#ifndef TESSERA_SERVICES_COMMON_AUTHORIZER_H_
#define TESSERA_SERVICES_COMMON_AUTHORIZER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "services/common/principal.h"

namespace tessera {

// Resolves a bearer secret to its owner. Implemented by the identity core.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The principal owning `secret`, or UNAUTHENTICATED if the token is
  // unknown or revoked. Other errors are internal failures.
  virtual absl::StatusOr<Principal> Verify(std::string_view secret) const = 0;
};

class Authorizer {
 public:
  // `authenticator` is not owned and must outlive the Authorizer.
  explicit Authorizer(const Authenticator* verifier) : verifier_(verifier) {}

  // UNAUTHENTICATED when the token is unknown or revoked; PERMISSION_DENIED
  // when the caller's roles may not call `method` or `method` is not in
  // the table. The gRPC edge extracts the secret (services/grpc/call.h).
  absl::StatusOr<Principal> AuthorizeSecret(std::string_view secret,
                                            std::string_view method) const;

 private:
  const Authenticator* verifier_;
};

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_AUTHORIZER_H_

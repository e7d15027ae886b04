// IdentityCore: users, role grants and bearer tokens, stored in the
// "identity" column family. No gRPC here; identity_service.h adapts it.
//
// Tokens are "tsr_" followed by 43 base64url characters (256 bits from the
// RandomSource). Only their SHA-256 is stored, so a leaked database does
// not leak usable tokens. Verify() is on the path of every call.
//
// Thread-safe: all state is in the Store; concurrent changes to one user
// are serialised by compare-and-set on the user record's version.
#ifndef TESSERA_SERVICES_IDENTITY_IDENTITY_CORE_H_
#define TESSERA_SERVICES_IDENTITY_IDENTITY_CORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/random.h"
#include "services/common/authorizer.h"
#include "services/common/principal.h"
#include "storage/store.h"

namespace tessera::identity {

struct User {
  std::string user_id;
  std::string display_name;
  std::vector<RoleGrant> grants;
  absl::Time create_time;
  uint64_t version = 0;
};

struct Token {
  std::string token_id;
  std::string user_id;
  std::string description;
  absl::Time create_time;
  std::optional<absl::Time> revoke_time;
};

struct IssuedToken {
  Token token;
  std::string secret;  // Shown once; never stored.
};

struct UserPage {
  std::vector<User> users;
  std::string next_page_token;  // Empty on the last page.
};

// Limits, each enforced with INVALID_ARGUMENT naming the number.
inline constexpr size_t kMaxUserIdBytes = 64;
inline constexpr size_t kMaxDisplayNameBytes = 200;
inline constexpr size_t kMaxDescriptionBytes = 200;
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// The user `tesserad init` creates and issues admin tokens for.
inline constexpr std::string_view kBootstrapAdmin = "admin";

class IdentityCore final : public Authenticator {
 public:
  // None owned; all must outlive the core.
  IdentityCore(storage::Store* store, Clock* clock, RandomSource* random)
      : store_(store), clock_(clock), random_(random) {}

  // Admin only (checked by the method table). INVALID_ARGUMENT for a bad
  // id, name or grant; ALREADY_EXISTS if the id is taken.
  absl::StatusOr<User> CreateUser(const Principal& caller,
                                  std::string_view user_id,
                                  std::string_view display_name,
                                  std::vector<RoleGrant> grants);

  // NOT_FOUND if there is no such user.
  absl::StatusOr<User> GetUser(std::string_view user_id) const;

  // Users in id order. INVALID_ARGUMENT for a bad page token.
  absl::StatusOr<UserPage> ListUsers(int page_size,
                                     std::string_view page_token) const;

  // Replaces the user's grants. ABORTED if `expected_version` is not the
  // current version; NOT_FOUND for an unknown user. An admin cannot take
  // the admin role away from themselves (FAILED_PRECONDITION), so the
  // server never loses its last way in by accident.
  absl::StatusOr<User> SetRoles(const Principal& caller,
                                std::string_view user_id,
                                std::vector<RoleGrant> grants,
                                uint64_t expected_version);

  // Admins may issue for anyone, others only for themselves
  // (PERMISSION_DENIED). NOT_FOUND for an unknown user.
  absl::StatusOr<IssuedToken> IssueToken(const Principal& caller,
                                         std::string_view user_id,
                                         std::string_view description);

  // Newest first. Same ownership rule as IssueToken.
  absl::StatusOr<std::vector<Token>> ListTokens(const Principal& caller,
                                                std::string_view user_id) const;

  // Same ownership rule. NOT_FOUND for an unknown token;
  // FAILED_PRECONDITION if it is already revoked.
  absl::StatusOr<Token> RevokeToken(const Principal& caller,
                                    std::string_view token_id);

  // Authenticator.
  absl::StatusOr<Principal> Verify(std::string_view secret) const override;

  // True once any user exists.
  absl::StatusOr<bool> HasUsers() const;

  // Makes sure the bootstrap admin exists and holds the admin role, then
  // issues it a new token. Used by `tesserad init` and a first start.
  absl::StatusOr<IssuedToken> IssueBootstrapAdminToken(
      std::string_view description);

 private:
  absl::StatusOr<std::optional<User>> LoadUser(std::string_view user_id) const;
  absl::StatusOr<std::optional<Token>> LoadTokenById(std::string_view token_id,
                                                     std::string* hash) const;
  absl::Status CanonicalizeGrants(std::vector<RoleGrant>* grants) const;
  absl::StatusOr<IssuedToken> IssueTokenUnchecked(std::string_view user_id,
                                                  std::string_view description);

  storage::Store* store_;
  Clock* clock_;
  RandomSource* random_;
};

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_CORE_H_

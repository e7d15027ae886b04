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
#include "services/common/call_context.h"
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

  // Every method may also fail with the Store's (or, when it issues a
  // token, the RandomSource's) errors, and with INTERNAL
  // ("corrupt ... record at key ...") when a stored record does not decode.
  // Methods that write check `call.CheckDeadline()` just before they
  // commit: DEADLINE_EXCEEDED or CANCELLED then, and nothing was written.
  // A write that fails writes nothing.

  // Creates user `user_id` at version 1, with `grants` canonicalised
  // (language tags in canonical form, sorted and deduplicated; grants in
  // role order), and appends a `user.created` event naming the caller.
  // Returns the user as stored.
  // Callers: admins only, which the method table enforces; the core does
  // not check the caller's roles.
  // INVALID_ARGUMENT for a malformed id, a display name over
  // kMaxDisplayNameBytes or with control characters, or grants that
  // ValidateGrants refuses or whose language tags do not parse;
  // ALREADY_EXISTS if the id is taken.
  // Not idempotent: a retry after success gets ALREADY_EXISTS.
  absl::StatusOr<User> CreateUser(const CallContext& call,
                                  std::string_view user_id,
                                  std::string_view display_name,
                                  std::vector<RoleGrant> grants);

  // The user `user_id`. Any in-process caller; reads only.
  // NOT_FOUND if there is no such user.
  absl::StatusOr<User> GetUser(std::string_view user_id) const;

  // Users in id order, `page_size` at a time (0: kDefaultPageSize; at most
  // kMaxPageSize); pass the returned next_page_token to continue. Callers:
  // admins only (method table). Reads only.
  // INVALID_ARGUMENT for a negative page_size, or for a page token that
  // does not parse or was not made by ListUsers.
  absl::StatusOr<UserPage> ListUsers(int page_size,
                                     std::string_view page_token) const;

  // Replaces the user's grants (canonicalised as in CreateUser), moves the
  // user to expected_version + 1 and appends a `user.roles_changed` event.
  // Returns the user as stored. Callers: admins only (method table).
  // INVALID_ARGUMENT for a malformed id or bad grants; NOT_FOUND for an
  // unknown user; ABORTED if `expected_version` is not the current version,
  // or another change to the user commits first; FAILED_PRECONDITION if an
  // admin would take the admin role away from themselves, so the server
  // never loses its last way in by accident.
  // Guarded by the version: a retry after success gets ABORTED.
  absl::StatusOr<User> SetRoles(const CallContext& call,
                                std::string_view user_id,
                                std::vector<RoleGrant> grants,
                                uint64_t expected_version);

  // Issues a new token for `user_id` and appends a `token.issued` event.
  // Returns the token and its secret, which is never stored and cannot be
  // shown again. Callers: any user; admins may issue for anyone, others
  // only for themselves (PERMISSION_DENIED).
  // INVALID_ARGUMENT for a malformed id or a description over
  // kMaxDescriptionBytes or with control characters; NOT_FOUND for an
  // unknown user.
  // Not idempotent: every call issues another token.
  absl::StatusOr<IssuedToken> IssueToken(const CallContext& call,
                                         std::string_view user_id,
                                         std::string_view description);

  // The user's tokens, revoked ones included, newest first. Same callers
  // and PERMISSION_DENIED rule as IssueToken. Reads only.
  // INVALID_ARGUMENT for a malformed id; NOT_FOUND for an unknown user.
  absl::StatusOr<std::vector<Token>> ListTokens(const Principal& caller,
                                                std::string_view user_id) const;

  // Revokes token `token_id`, so Verify refuses it from now on, and
  // appends a `token.revoked` event. Returns the token with its revoke
  // time. Same callers and PERMISSION_DENIED rule as IssueToken, judged by
  // the token's user.
  // NOT_FOUND for an unknown token; FAILED_PRECONDITION if it is already
  // revoked; ABORTED if a concurrent revocation commits first.
  // A retry after success gets FAILED_PRECONDITION.
  absl::StatusOr<Token> RevokeToken(const CallContext& call,
                                    std::string_view token_id);

  // Authenticator: the principal a bearer secret stands for, with the
  // user's current grants. On the path of every call; reads only.
  // UNAUTHENTICATED when the secret is malformed, unknown or revoked, or
  // its user no longer exists.
  absl::StatusOr<Principal> Verify(std::string_view secret) const override;

  // True once any user exists. Reads only.
  absl::StatusOr<bool> HasUsers() const;

  // Makes sure the bootstrap admin exists and holds the admin role, then
  // issues it a new token. For `tesserad init` and a first start only: no
  // caller is checked and no deadline applies. The steps commit one by
  // one; each is safe to repeat, so a retry after a failure completes the
  // job. Every call issues another token.
  absl::StatusOr<IssuedToken> IssueBootstrapAdminToken(
      std::string_view description);

 private:
  absl::StatusOr<std::optional<User>> LoadUser(std::string_view user_id) const;
  absl::StatusOr<std::optional<Token>> LoadTokenById(std::string_view token_id,
                                                     std::string* hash) const;
  absl::Status CanonicalizeGrants(std::vector<RoleGrant>* grants) const;
  absl::StatusOr<IssuedToken> IssueTokenUnchecked(const CallContext& call,
                                                  std::string_view user_id,
                                                  std::string_view description);

  storage::Store* store_;
  Clock* clock_;
  RandomSource* random_;
};

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_CORE_H_

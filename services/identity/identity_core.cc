#include "services/identity/identity_core.h"

#include <algorithm>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/paging.h"
#include "services/identity/identity_keys.h"
#include "services/identity/identity_records.pb.h"
#include "storage/key_codec.h"
#include "storage/table.h"
#include "text/language.h"

namespace tessera::identity {
namespace {

namespace rec = storage::identity;
using storage::Versioned;
using storage::WriteSet;

constexpr std::string_view kSecretPrefix = "tsr_";
constexpr size_t kSecretRandomBytes = 32;
constexpr size_t kSecretLength = 4 + 43;
constexpr size_t kTokenIdBytes = 8;

// The identity family's tables (storage/FORMAT.md, "identity"). Cheap
// enough to make per call.
storage::Table<rec::UserRecord> Users(storage::Store* store) {
  return {store, kIdentityCf, kUserFormat, "user"};
}
storage::Table<rec::TokenRecord> Tokens(storage::Store* store) {
  return {store, kIdentityCf, kTokenFormat, "token"};
}
// Token id -> the token's key hash.
storage::RawTable TokenIds(storage::Store* store) {
  return {store, kIdentityCf, kTokenIdFormat, "token id"};
}
// A user's tokens; everything is in the key.
storage::TaggedTable<std::string> UserTokens(storage::Store* store) {
  return {store, kIdentityCf, kUserTokenFormat, "user token"};
}

bool IsValidUserId(std::string_view id) {
  if (id.empty() || id.size() > kMaxUserIdBytes) return false;
  auto ok_first = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!ok_first(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return ok_first(c) || c == '.' || c == '_' || c == '-';
  });
}

absl::Status CheckUserId(std::string_view id) {
  if (!IsValidUserId(id)) {
    return absl::InvalidArgumentError(
        StrCat("user_id must be 1 to ", kMaxUserIdBytes,
               " characters of [a-z0-9._-] starting with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::Status CheckText(std::string_view field, std::string_view value,
                       size_t max) {
  if (value.size() > max) {
    return absl::InvalidArgumentError(
        StrCat(field, " is ", value.size(), " bytes; the limit is ", max));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          StrCat(field, " must not contain control characters"));
    }
  }
  return absl::OkStatus();
}

rec::UserRecord ToRecord(const User& u) {
  rec::UserRecord r;
  r.set_user_id(u.user_id);
  r.set_display_name(u.display_name);
  r.set_create_time_micros(absl::ToUnixMicros(u.create_time));
  for (const auto& g : u.grants) {
    auto* gr = r.add_grants();
    gr->set_role(static_cast<int>(g.role));
    for (const auto& l : g.languages) gr->add_languages(l);
  }
  return r;
}

User FromRecord(const Versioned<rec::UserRecord>& stored) {
  const rec::UserRecord& r = stored.record;
  User u;
  u.user_id = r.user_id();
  u.display_name = r.display_name();
  u.create_time = absl::FromUnixMicros(r.create_time_micros());
  u.version = stored.version;
  for (const auto& g : r.grants()) {
    u.grants.push_back(RoleGrant{static_cast<Role>(g.role()),
                                 {g.languages().begin(), g.languages().end()}});
  }
  return u;
}

rec::TokenRecord ToRecord(const Token& t) {
  rec::TokenRecord r;
  r.set_token_id(t.token_id);
  r.set_user_id(t.user_id);
  r.set_description(t.description);
  r.set_create_time_micros(absl::ToUnixMicros(t.create_time));
  if (t.revoke_time)
    r.set_revoke_time_micros(absl::ToUnixMicros(*t.revoke_time));
  return r;
}

Token FromRecord(const rec::TokenRecord& r) {
  Token t;
  t.token_id = r.token_id();
  t.user_id = r.user_id();
  t.description = r.description();
  t.create_time = absl::FromUnixMicros(r.create_time_micros());
  if (r.revoke_time_micros() != 0) {
    t.revoke_time = absl::FromUnixMicros(r.revoke_time_micros());
  }
  return t;
}

absl::Status CheckSelfOrAdmin(const Principal& caller, std::string_view user_id,
                              std::string_view what) {
  if (caller.IsAdmin() || caller.user_id == user_id) return absl::OkStatus();
  return absl::PermissionDeniedError(
      StrCat("only an admin may ", what, " of another user"));
}

}  // namespace

absl::Status IdentityCore::CanonicalizeGrants(
    std::vector<RoleGrant>* grants) const {
  for (auto& g : *grants) {
    for (auto& lang : g.languages) {
      ASSIGN_OR_RETURN(lang, text::CanonicalizeLanguageTag(lang));
    }
    std::sort(g.languages.begin(), g.languages.end());
    g.languages.erase(std::unique(g.languages.begin(), g.languages.end()),
                      g.languages.end());
  }
  std::sort(
      grants->begin(), grants->end(),
      [](const RoleGrant& a, const RoleGrant& b) { return a.role < b.role; });
  return ValidateGrants(*grants);
}

absl::StatusOr<std::optional<User>> IdentityCore::LoadUser(
    std::string_view user_id) const {
  ASSIGN_OR_RETURN(auto stored, Users(store_).Get(UserKey(user_id)));
  if (!stored.has_value()) return std::optional<User>();
  return std::optional<User>(FromRecord(*stored));
}

absl::StatusOr<User> IdentityCore::GetUser(std::string_view user_id) const {
  ASSIGN_OR_RETURN(auto user, LoadUser(user_id));
  if (!user.has_value()) {
    return absl::NotFoundError(StrCat("no user ", user_id));
  }
  return *std::move(user);
}

absl::StatusOr<User> IdentityCore::CreateUser(const CallContext& call,
                                              std::string_view user_id,
                                              std::string_view display_name,
                                              std::vector<RoleGrant> grants) {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(
      CheckText("display_name", display_name, kMaxDisplayNameBytes));
  RETURN_IF_ERROR(CanonicalizeGrants(&grants));
  User u;
  u.user_id = std::string(user_id);
  u.display_name = std::string(display_name);
  u.grants = std::move(grants);
  u.create_time = clock_->Now();
  u.version = 1;
  WriteSet w;
  Users(store_).PutNew(&w, UserKey(user_id), ToRecord(u));
  w.AppendEvent("user.created", StrCat(user_id, " by ", call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  auto result = store_->Commit(std::move(w));
  if (absl::IsAborted(result.status())) {
    return absl::AlreadyExistsError(
        StrCat("user ", user_id, " already exists"));
  }
  RETURN_IF_ERROR(result.status());
  return u;
}

absl::StatusOr<UserPage> IdentityCore::ListUsers(
    int page_size, std::string_view page_token) const {
  ASSIGN_OR_RETURN(int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
  // ListUsers has no filters: the fingerprint only keeps other methods'
  // tokens out. The cursor is the last user id returned.
  const std::string fingerprint =
      QueryFingerprint("identity.ListUsers").Build();
  ASSIGN_OR_RETURN(std::string last, DecodePageToken(page_token, fingerprint));
  const std::string prefix = UserPrefix();
  UserPage page;
  bool more = false;
  RETURN_IF_ERROR(Users(store_).Scan(
      last.empty() ? prefix : UserKeyAfter(last),
      storage::PrefixSuccessor(prefix),
      [&](std::string_view, const Versioned<rec::UserRecord>& stored) {
        if (page.users.size() == static_cast<size_t>(size)) {
          more = true;
          return false;
        }
        page.users.push_back(FromRecord(stored));
        return true;
      }));
  if (more) {
    page.next_page_token =
        EncodePageToken(fingerprint, page.users.back().user_id);
  }
  return page;
}

absl::StatusOr<User> IdentityCore::SetRoles(const CallContext& call,
                                            std::string_view user_id,
                                            std::vector<RoleGrant> grants,
                                            uint64_t expected_version) {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(CanonicalizeGrants(&grants));
  ASSIGN_OR_RETURN(User u, GetUser(user_id));
  if (u.version != expected_version) {
    return absl::AbortedError(StrCat("user ", user_id, " is at version ",
                                     u.version, ", not ", expected_version,
                                     "; read it again and retry"));
  }
  bool keeps_admin =
      std::any_of(grants.begin(), grants.end(),
                  [](const RoleGrant& g) { return g.role == Role::kAdmin; });
  const Principal& caller = call.caller();
  if (caller.user_id == user_id && caller.IsAdmin() && !keeps_admin) {
    return absl::FailedPreconditionError(
        "an admin cannot remove their own admin role; ask another admin");
  }
  u.grants = std::move(grants);
  u.version = expected_version + 1;
  WriteSet w;
  Users(store_).Update(&w, UserKey(user_id), ToRecord(u), expected_version);
  w.AppendEvent("user.roles_changed",
                StrCat(user_id, " by ", call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return u;
}

absl::StatusOr<IssuedToken> IdentityCore::IssueToken(
    const CallContext& call, std::string_view user_id,
    std::string_view description) {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(CheckSelfOrAdmin(call.caller(), user_id, "issue tokens"));
  RETURN_IF_ERROR(CheckText("description", description, kMaxDescriptionBytes));
  ASSIGN_OR_RETURN(User u, GetUser(user_id));
  return IssueTokenUnchecked(call, u.user_id, description);
}

absl::StatusOr<IssuedToken> IdentityCore::IssueTokenUnchecked(
    const CallContext& call, std::string_view user_id,
    std::string_view description) {
  ASSIGN_OR_RETURN(std::string random, random_->Bytes(kSecretRandomBytes));
  ASSIGN_OR_RETURN(std::string id_bytes, random_->Bytes(kTokenIdBytes));
  IssuedToken issued;
  issued.secret = StrCat(kSecretPrefix, Base64UrlEncode(random));
  Token& t = issued.token;
  t.token_id = HexEncode(id_bytes);
  t.user_id = std::string(user_id);
  t.description = std::string(description);
  t.create_time = clock_->Now();
  std::string hash = Sha256(issued.secret);

  WriteSet w;
  Tokens(store_).PutNew(&w, TokenKey(hash), ToRecord(t));
  TokenIds(store_).PutNew(&w, TokenIdKey(t.token_id), hash);
  UserTokens(store_).Put(&w, UserTokenKey(user_id, t.create_time, t.token_id),
                         "");
  w.AppendEvent("token.issued", StrCat(t.token_id, " for ", user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return issued;
}

absl::StatusOr<std::optional<Token>> IdentityCore::LoadTokenById(
    std::string_view token_id, std::string* hash) const {
  ASSIGN_OR_RETURN(auto index, TokenIds(store_).Get(TokenIdKey(token_id)));
  if (!index.has_value()) return std::optional<Token>();
  *hash = std::move(index->record);
  ASSIGN_OR_RETURN(auto stored, Tokens(store_).Get(TokenKey(*hash)));
  if (!stored.has_value()) return absl::InternalError("dangling token index");
  return std::optional<Token>(FromRecord(stored->record));
}

absl::StatusOr<std::vector<Token>> IdentityCore::ListTokens(
    const Principal& caller, std::string_view user_id) const {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(CheckSelfOrAdmin(caller, user_id, "list the tokens"));
  ASSIGN_OR_RETURN(User u, GetUser(user_id));
  std::vector<std::string> ids;
  RETURN_IF_ERROR(UserTokens(store_).ScanPrefix(
      UserTokenPrefix(u.user_id),
      [&](std::string_view key, const std::string&) {
        std::string token_id;
        if (ParseUserTokenKey(key, &token_id)) {
          ids.push_back(std::move(token_id));
        }
        return true;
      }));
  std::vector<Token> tokens;
  for (const auto& id : ids) {
    std::string hash;
    ASSIGN_OR_RETURN(auto t, LoadTokenById(id, &hash));
    if (t.has_value()) tokens.push_back(*std::move(t));
  }
  return tokens;
}

absl::StatusOr<Token> IdentityCore::RevokeToken(const CallContext& call,
                                                std::string_view token_id) {
  std::string hash;
  ASSIGN_OR_RETURN(auto loaded, LoadTokenById(token_id, &hash));
  if (!loaded.has_value()) {
    return absl::NotFoundError(StrCat("no token ", token_id));
  }
  Token t = *std::move(loaded);
  RETURN_IF_ERROR(
      CheckSelfOrAdmin(call.caller(), t.user_id, "revoke the tokens"));
  ASSIGN_OR_RETURN(auto current, Tokens(store_).Get(TokenKey(hash)));
  if (!current.has_value()) return absl::InternalError("token vanished");
  if (current->record.revoke_time_micros() != 0) {
    return absl::FailedPreconditionError(
        StrCat("token ", token_id, " is already revoked"));
  }
  t.revoke_time = clock_->Now();
  WriteSet w;
  Tokens(store_).Update(&w, TokenKey(hash), ToRecord(t), current->version);
  w.AppendEvent("token.revoked",
                StrCat(token_id, " by ", call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return t;
}

absl::StatusOr<Principal> IdentityCore::Verify(std::string_view secret) const {
  if (secret.size() != kSecretLength ||
      secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return absl::UnauthenticatedError("malformed token");
  }
  ASSIGN_OR_RETURN(auto stored, Tokens(store_).Get(TokenKey(Sha256(secret))));
  if (!stored.has_value()) return absl::UnauthenticatedError("unknown token");
  Token token = FromRecord(stored->record);
  if (token.revoke_time.has_value()) {
    return absl::UnauthenticatedError("token has been revoked");
  }
  ASSIGN_OR_RETURN(auto user, LoadUser(token.user_id));
  if (!user.has_value()) {
    return absl::UnauthenticatedError("token's user no longer exists");
  }
  Principal p;
  p.user_id = std::move(user->user_id);
  p.token_id = std::move(token.token_id);
  p.grants = std::move(user->grants);
  return p;
}

absl::StatusOr<bool> IdentityCore::HasUsers() const {
  bool any = false;
  RETURN_IF_ERROR(Users(store_).ScanPrefix(
      UserPrefix(), [&](std::string_view, const Versioned<rec::UserRecord>&) {
        any = true;
        return false;
      }));
  return any;
}

absl::StatusOr<IssuedToken> IdentityCore::IssueBootstrapAdminToken(
    std::string_view description) {
  Principal system;
  system.user_id = "tesserad";
  system.grants.push_back(RoleGrant{Role::kAdmin, {}});
  ASSIGN_OR_RETURN(auto existing, LoadUser(kBootstrapAdmin));
  if (!existing.has_value()) {
    RETURN_IF_ERROR(CreateUser(system, kBootstrapAdmin, "Administrator",
                               {RoleGrant{Role::kAdmin, {}}})
                        .status());
  } else if (!std::any_of(
                 existing->grants.begin(), existing->grants.end(),
                 [](const RoleGrant& g) { return g.role == Role::kAdmin; })) {
    auto grants = existing->grants;
    grants.push_back(RoleGrant{Role::kAdmin, {}});
    RETURN_IF_ERROR(
        SetRoles(system, kBootstrapAdmin, grants, existing->version).status());
  }
  return IssueTokenUnchecked(system, kBootstrapAdmin, description);
}

}  // namespace tessera::identity

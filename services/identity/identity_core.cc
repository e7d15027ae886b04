#include "services/identity/identity_core.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/identity/identity_records.pb.h"
#include "storage/key_codec.h"
#include "text/language.h"

namespace tessera::identity {
namespace {

using storage::ColumnFamily;
using storage::KeyBuilder;
using storage::WriteSet;

constexpr ColumnFamily kCf = ColumnFamily::kIdentity;

// Key kinds and value formats: see storage/FORMAT.md.
constexpr uint8_t kUserKind = 0x01;
constexpr uint8_t kTokenKind = 0x02;
constexpr uint8_t kTokenIdKind = 0x03;
constexpr uint8_t kUserTokenKind = 0x04;
constexpr uint8_t kUserFormat = 0x01;
constexpr uint8_t kTokenFormat = 0x01;
constexpr uint8_t kTokenIdFormat = 0x01;
constexpr uint8_t kUserTokenFormat = 0x01;

constexpr std::string_view kSecretPrefix = "tsr_";
constexpr size_t kSecretRandomBytes = 32;
constexpr size_t kSecretLength = 4 + 43;
constexpr size_t kTokenIdBytes = 8;
constexpr std::string_view kPageTokenPrefix = "u1.";

std::string UserKey(std::string_view user_id) {
  return KeyBuilder(kUserKind).String(user_id).Build();
}
std::string TokenKey(std::string_view hash) {
  return KeyBuilder(kTokenKind).Raw(hash).Build();
}
std::string TokenIdKey(std::string_view token_id) {
  return KeyBuilder(kTokenIdKind).String(token_id).Build();
}
std::string UserTokenPrefix(std::string_view user_id) {
  return KeyBuilder(kUserTokenKind).String(user_id).Build();
}
std::string UserTokenKey(std::string_view user_id, absl::Time created,
                         std::string_view token_id) {
  // Inverted time: newest first in a forward scan.
  return KeyBuilder(kUserTokenKind)
      .String(user_id)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(created)))
      .String(token_id)
      .Build();
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

storage::identity::UserRecord ToRecord(const User& u) {
  storage::identity::UserRecord r;
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

absl::StatusOr<User> UserFromValue(std::string_view value) {
  ASSIGN_OR_RETURN(storage::Record rec, storage::DecodeRecord(value));
  storage::identity::UserRecord r;
  if (rec.format != kUserFormat || !r.ParseFromString(rec.payload)) {
    return absl::InternalError("corrupt user record");
  }
  User u;
  u.user_id = r.user_id();
  u.display_name = r.display_name();
  u.create_time = absl::FromUnixMicros(r.create_time_micros());
  u.version = rec.version;
  for (const auto& g : r.grants()) {
    u.grants.push_back(RoleGrant{static_cast<Role>(g.role()),
                                 {g.languages().begin(), g.languages().end()}});
  }
  return u;
}

storage::identity::TokenRecord ToRecord(const Token& t) {
  storage::identity::TokenRecord r;
  r.set_token_id(t.token_id);
  r.set_user_id(t.user_id);
  r.set_description(t.description);
  r.set_create_time_micros(absl::ToUnixMicros(t.create_time));
  if (t.revoke_time)
    r.set_revoke_time_micros(absl::ToUnixMicros(*t.revoke_time));
  return r;
}

absl::StatusOr<std::pair<Token, uint64_t>> TokenFromValue(
    std::string_view value) {
  ASSIGN_OR_RETURN(storage::Record rec, storage::DecodeRecord(value));
  storage::identity::TokenRecord r;
  if (rec.format != kTokenFormat || !r.ParseFromString(rec.payload)) {
    return absl::InternalError("corrupt token record");
  }
  Token t;
  t.token_id = r.token_id();
  t.user_id = r.user_id();
  t.description = r.description();
  t.create_time = absl::FromUnixMicros(r.create_time_micros());
  if (r.revoke_time_micros() != 0) {
    t.revoke_time = absl::FromUnixMicros(r.revoke_time_micros());
  }
  return std::make_pair(std::move(t), rec.version);
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
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, UserKey(user_id)));
  if (!value.has_value()) return std::optional<User>();
  ASSIGN_OR_RETURN(User u, UserFromValue(*value));
  return std::optional<User>(std::move(u));
}

absl::StatusOr<User> IdentityCore::GetUser(std::string_view user_id) const {
  ASSIGN_OR_RETURN(auto user, LoadUser(user_id));
  if (!user.has_value()) {
    return absl::NotFoundError(StrCat("no user ", user_id));
  }
  return *std::move(user);
}

absl::StatusOr<User> IdentityCore::CreateUser(const Principal& caller,
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
  std::string key = UserKey(user_id);
  w.ExpectVersion(kCf, key, 0);
  w.Put(kCf, key,
        storage::EncodeRecord(kUserFormat, u.version,
                              ToRecord(u).SerializeAsString()));
  w.AppendEvent("user.created", StrCat(user_id, " by ", caller.user_id));
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
  if (page_size < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  std::string begin = KeyBuilder(kUserKind).Build();
  if (!page_token.empty()) {
    std::string last;
    if (page_token.substr(0, kPageTokenPrefix.size()) != kPageTokenPrefix ||
        !absl::WebSafeBase64Unescape(
            absl::string_view(page_token.data() + kPageTokenPrefix.size(),
                              page_token.size() - kPageTokenPrefix.size()),
            &last) ||
        !IsValidUserId(last)) {
      return absl::InvalidArgumentError("page_token is not valid");
    }
    // Start just after the last user of the previous page.
    begin = UserKey(last);
    begin.push_back('\0');
  }
  UserPage page;
  absl::Status decode;
  bool more = false;
  RETURN_IF_ERROR(store_->Scan(
      kCf, begin, storage::PrefixSuccessor(KeyBuilder(kUserKind).Build()),
      [&](std::string_view, std::string_view v) {
        if (page.users.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        auto u = UserFromValue(v);
        if (!u.ok()) {
          decode = u.status();
          return false;
        }
        page.users.push_back(*std::move(u));
        return true;
      }));
  RETURN_IF_ERROR(decode);
  if (more) {
    page.next_page_token = StrCat(
        kPageTokenPrefix, absl::WebSafeBase64Escape(page.users.back().user_id));
  }
  return page;
}

absl::StatusOr<User> IdentityCore::SetRoles(const Principal& caller,
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
  if (caller.user_id == user_id && caller.IsAdmin() && !keeps_admin) {
    return absl::FailedPreconditionError(
        "an admin cannot remove their own admin role; ask another admin");
  }
  u.grants = std::move(grants);
  u.version = expected_version + 1;
  WriteSet w;
  std::string key = UserKey(user_id);
  w.ExpectVersion(kCf, key, expected_version);
  w.Put(kCf, key,
        storage::EncodeRecord(kUserFormat, u.version,
                              ToRecord(u).SerializeAsString()));
  w.AppendEvent("user.roles_changed", StrCat(user_id, " by ", caller.user_id));
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return u;
}

absl::StatusOr<IssuedToken> IdentityCore::IssueToken(
    const Principal& caller, std::string_view user_id,
    std::string_view description) {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(CheckSelfOrAdmin(caller, user_id, "issue tokens"));
  RETURN_IF_ERROR(CheckText("description", description, kMaxDescriptionBytes));
  ASSIGN_OR_RETURN(User u, GetUser(user_id));
  return IssueTokenUnchecked(u.user_id, description);
}

absl::StatusOr<IssuedToken> IdentityCore::IssueTokenUnchecked(
    std::string_view user_id, std::string_view description) {
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
  w.ExpectVersion(kCf, TokenKey(hash), 0);
  w.ExpectVersion(kCf, TokenIdKey(t.token_id), 0);
  w.Put(
      kCf, TokenKey(hash),
      storage::EncodeRecord(kTokenFormat, 1, ToRecord(t).SerializeAsString()));
  w.Put(kCf, TokenIdKey(t.token_id),
        storage::EncodeRecord(kTokenIdFormat, 1, hash));
  w.Put(kCf, UserTokenKey(user_id, t.create_time, t.token_id),
        std::string(1, static_cast<char>(kUserTokenFormat)));
  w.AppendEvent("token.issued", StrCat(t.token_id, " for ", user_id));
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return issued;
}

absl::StatusOr<std::optional<Token>> IdentityCore::LoadTokenById(
    std::string_view token_id, std::string* hash) const {
  ASSIGN_OR_RETURN(auto index, store_->Get(kCf, TokenIdKey(token_id)));
  if (!index.has_value()) return std::optional<Token>();
  ASSIGN_OR_RETURN(storage::Record rec, storage::DecodeRecord(*index));
  *hash = rec.payload;
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, TokenKey(*hash)));
  if (!value.has_value()) return absl::InternalError("dangling token index");
  ASSIGN_OR_RETURN(auto token, TokenFromValue(*value));
  return std::optional<Token>(std::move(token.first));
}

absl::StatusOr<std::vector<Token>> IdentityCore::ListTokens(
    const Principal& caller, std::string_view user_id) const {
  RETURN_IF_ERROR(CheckUserId(user_id));
  RETURN_IF_ERROR(CheckSelfOrAdmin(caller, user_id, "list the tokens"));
  ASSIGN_OR_RETURN(User u, GetUser(user_id));
  std::vector<std::string> ids;
  std::string prefix = UserTokenPrefix(u.user_id);
  RETURN_IF_ERROR(store_->Scan(kCf, prefix, storage::PrefixSuccessor(prefix),
                               [&](std::string_view key, std::string_view) {
                                 storage::KeyReader r(key);
                                 uint8_t kind;
                                 std::string uid, tid;
                                 uint64_t inv;
                                 if (r.Kind(&kind) && r.String(&uid) &&
                                     r.U64(&inv) && r.String(&tid)) {
                                   ids.push_back(std::move(tid));
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

absl::StatusOr<Token> IdentityCore::RevokeToken(const Principal& caller,
                                                std::string_view token_id) {
  std::string hash;
  ASSIGN_OR_RETURN(auto loaded, LoadTokenById(token_id, &hash));
  if (!loaded.has_value()) {
    return absl::NotFoundError(StrCat("no token ", token_id));
  }
  Token t = *std::move(loaded);
  RETURN_IF_ERROR(CheckSelfOrAdmin(caller, t.user_id, "revoke the tokens"));
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, TokenKey(hash)));
  if (!value.has_value()) return absl::InternalError("token vanished");
  ASSIGN_OR_RETURN(auto current, TokenFromValue(*value));
  if (current.first.revoke_time.has_value()) {
    return absl::FailedPreconditionError(
        StrCat("token ", token_id, " is already revoked"));
  }
  t.revoke_time = clock_->Now();
  WriteSet w;
  w.ExpectVersion(kCf, TokenKey(hash), current.second);
  w.Put(kCf, TokenKey(hash),
        storage::EncodeRecord(kTokenFormat, current.second + 1,
                              ToRecord(t).SerializeAsString()));
  w.AppendEvent("token.revoked", StrCat(token_id, " by ", caller.user_id));
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  return t;
}

absl::StatusOr<Principal> IdentityCore::Verify(std::string_view secret) const {
  if (secret.size() != kSecretLength ||
      secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return absl::UnauthenticatedError("malformed token");
  }
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, TokenKey(Sha256(secret))));
  if (!value.has_value()) return absl::UnauthenticatedError("unknown token");
  ASSIGN_OR_RETURN(auto token, TokenFromValue(*value));
  if (token.first.revoke_time.has_value()) {
    return absl::UnauthenticatedError("token has been revoked");
  }
  ASSIGN_OR_RETURN(auto user, LoadUser(token.first.user_id));
  if (!user.has_value()) {
    return absl::UnauthenticatedError("token's user no longer exists");
  }
  Principal p;
  p.user_id = std::move(user->user_id);
  p.token_id = std::move(token.first.token_id);
  p.grants = std::move(user->grants);
  return p;
}

absl::StatusOr<bool> IdentityCore::HasUsers() const {
  bool any = false;
  std::string prefix = KeyBuilder(kUserKind).Build();
  RETURN_IF_ERROR(store_->Scan(kCf, prefix, storage::PrefixSuccessor(prefix),
                               [&](std::string_view, std::string_view) {
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
  return IssueTokenUnchecked(kBootstrapAdmin, description);
}

}  // namespace tessera::identity

#include "services/identity/identity_keys.h"

#include "storage/key_codec.h"

namespace tessera::identity {
namespace {

using storage::KeyBuilder;

constexpr uint8_t kUserKind = 0x01;
constexpr uint8_t kTokenKind = 0x02;
constexpr uint8_t kTokenIdKind = 0x03;
constexpr uint8_t kUserTokenKind = 0x04;

}  // namespace

std::string UserKey(std::string_view user_id) {
  return KeyBuilder(kUserKind).String(user_id).Build();
}

std::string UserPrefix() { return KeyBuilder(kUserKind).Build(); }

std::string UserKeyAfter(std::string_view user_id) {
  std::string key = UserKey(user_id);
  key.push_back('\0');
  return key;
}

std::string TokenKey(std::string_view hash) {
  return KeyBuilder(kTokenKind).Raw(hash).Build();
}

std::string TokenIdKey(std::string_view token_id) {
  return KeyBuilder(kTokenIdKind).String(token_id).Build();
}

std::string UserTokenKey(std::string_view user_id, absl::Time created,
                         std::string_view token_id) {
  return KeyBuilder(kUserTokenKind)
      .String(user_id)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(created)))
      .String(token_id)
      .Build();
}

std::string UserTokenPrefix(std::string_view user_id) {
  return KeyBuilder(kUserTokenKind).String(user_id).Build();
}

bool ParseUserTokenKey(std::string_view key, std::string* token_id) {
  storage::KeyReader r(key);
  uint8_t kind;
  std::string user_id;
  uint64_t inverted_time;
  return r.Kind(&kind) && kind == kUserTokenKind && r.String(&user_id) &&
         r.U64(&inverted_time) && r.String(token_id) && r.done();
}

}  // namespace tessera::identity

// Keys and value formats of the "identity" column family, the one place
// they are built. storage/FORMAT.md ("identity") describes the same layout
// and pins every byte: a change here is a change of the stored format.
#ifndef TESSERA_SERVICES_IDENTITY_IDENTITY_KEYS_H_
#define TESSERA_SERVICES_IDENTITY_IDENTITY_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "storage/store.h"

namespace tessera::identity {

inline constexpr storage::ColumnFamily kIdentityCf =
    storage::ColumnFamily::kIdentity;

// Value formats, one per key kind.
inline constexpr uint8_t kUserFormat = 0x01;       // envelope, UserRecord
inline constexpr uint8_t kTokenFormat = 0x01;      // envelope, TokenRecord
inline constexpr uint8_t kTokenIdFormat = 0x01;    // envelope, 32-byte hash
inline constexpr uint8_t kUserTokenFormat = 0x01;  // [0x01], nothing after

// 0x01 user: [0x01][str user_id].
std::string UserKey(std::string_view user_id);
// The prefix of every user key.
std::string UserPrefix();
// The smallest key after UserKey(user_id): where the next page starts.
std::string UserKeyAfter(std::string_view user_id);

// 0x02 token: [0x02][raw SHA-256 of the secret].
std::string TokenKey(std::string_view hash);

// 0x03 token id: [0x03][str token_id].
std::string TokenIdKey(std::string_view token_id);

// 0x04 user's tokens: [0x04][str user_id][u64 ~create time µs][str token_id].
// The inverted time lists a user's tokens newest first.
std::string UserTokenKey(std::string_view user_id, absl::Time created,
                         std::string_view token_id);
// The prefix of every UserTokenKey of `user_id`.
std::string UserTokenPrefix(std::string_view user_id);
// The token id in a UserTokenKey; false if `key` is not one.
bool ParseUserTokenKey(std::string_view key, std::string* token_id);

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_IDENTITY_KEYS_H_

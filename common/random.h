// Randomness seam. Secrets (tokens) and ids come from a RandomSource so that
// tests can make them deterministic. The default source is OpenSSL's CSPRNG.
// Implementations are thread-safe.
#ifndef TESSERA_COMMON_RANDOM_H_
#define TESSERA_COMMON_RANDOM_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace tessera {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Returns `n` bytes of cryptographically secure randomness, or INTERNAL if
  // the generator failed (in which case nothing must be derived from it).
  virtual absl::StatusOr<std::string> Bytes(size_t n) = 0;

  // OpenSSL RAND_bytes. Never null; not owned by the caller.
  static RandomSource* Secure();
};

// Lowercase hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// Unpadded base64url of `bytes` (RFC 4648 §5).
std::string Base64UrlEncode(std::string_view bytes);
// SHA-256 of `data`, raw 32 bytes.
std::string Sha256(std::string_view data);

}  // namespace tessera

#endif  // TESSERA_COMMON_RANDOM_H_

#include "common/random.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace tessera {
namespace {

class OpenSslRandom final : public RandomSource {
 public:
  absl::StatusOr<std::string> Bytes(size_t n) override {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(n)) != 1) {
      return absl::InternalError("random generator failed");
    }
    return out;
  }
};

}  // namespace

RandomSource* RandomSource::Secure() {
  static OpenSslRandom* source = new OpenSslRandom();
  return source;
}

std::string HexEncode(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

std::string Base64UrlEncode(std::string_view bytes) {
  return absl::WebSafeBase64Escape(
      absl::string_view(bytes.data(), bytes.size()));
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace tessera

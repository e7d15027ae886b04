#include "services/common/paging.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "common/random.h"
#include "common/strings.h"
#include "services/common/errors.h"

namespace tessera {
namespace {

constexpr char kTokenVersion = 0x01;
constexpr size_t kDigestBytes = 8;
constexpr size_t kChecksumBytes = 8;
constexpr size_t kFingerprintBytes = 16;
// Salts keep the two hashes from ever being confused with each other or
// with hashes made elsewhere over the same bytes.
constexpr std::string_view kQuerySalt = "tessera.page_token.query.v1";
constexpr std::string_view kChecksumSalt = "tessera.page_token.checksum.v1";

std::string Digest(std::string_view fingerprint) {
  return Sha256(StrCat(kQuerySalt, fingerprint)).substr(0, kDigestBytes);
}

std::string Checksum(std::string_view body) {
  return Sha256(StrCat(kChecksumSalt, body)).substr(0, kChecksumBytes);
}

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

absl::Status Unparsable() {
  return BadField("page_token",
                  "does not parse; pass a next_page_token unchanged",
                  "INVALID_TOKEN");
}

}  // namespace

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return BadField("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

QueryFingerprint::QueryFingerprint(std::string_view method) { String(method); }

QueryFingerprint& QueryFingerprint::String(std::string_view v) {
  fields_.push_back('s');
  AppendU64(&fields_, v.size());
  fields_.append(v);
  return *this;
}

QueryFingerprint& QueryFingerprint::Int(int64_t v) {
  fields_.push_back('i');
  AppendU64(&fields_, static_cast<uint64_t>(v));
  return *this;
}

QueryFingerprint& QueryFingerprint::Bool(bool v) {
  fields_.push_back('b');
  fields_.push_back(v ? 1 : 0);
  return *this;
}

std::string QueryFingerprint::Build() const {
  return Sha256(fields_).substr(0, kFingerprintBytes);
}

std::string EncodePageToken(std::string_view query_fingerprint,
                            std::string_view cursor) {
  std::string raw(1, kTokenVersion);
  raw.append(Digest(query_fingerprint));
  raw.append(cursor);
  raw.append(Checksum(raw));
  return Base64UrlEncode(raw);
}

absl::StatusOr<std::string> DecodePageToken(
    std::string_view token, std::string_view query_fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  // Re-encoding must give the token back: base64 has more than one
  // spelling for some byte strings, and only ours is accepted.
  if (!absl::WebSafeBase64Unescape(ToAbsl(token), &raw) ||
      Base64UrlEncode(raw) != token ||
      raw.size() < 1 + kDigestBytes + kChecksumBytes ||
      raw[0] != kTokenVersion) {
    return Unparsable();
  }
  std::string_view body(raw.data(), raw.size() - kChecksumBytes);
  if (Checksum(body) != std::string_view(raw).substr(body.size())) {
    return Unparsable();
  }
  if (body.substr(1, kDigestBytes) != Digest(query_fingerprint)) {
    return BadField("page_token",
                    "belongs to a different query; repeat the other request "
                    "fields unchanged",
                    "INVALID_TOKEN");
  }
  return std::string(body.substr(1 + kDigestBytes));
}

}  // namespace tessera

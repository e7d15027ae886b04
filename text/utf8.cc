#include "text/utf8.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tessera::text {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

}  // namespace

size_t FindInvalidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path: 16 bytes per iteration while no high bit is set.
    while (i + 16 <= n) {
      uint64_t a, b;
      std::memcpy(&a, s + i, 8);
      std::memcpy(&b, s + i + 8, 8);
      if (((a | b) & kHighBits) != 0) break;
      i += 16;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Multi-byte sequence, per Unicode Table 3-7. The second byte's range
    // depends on the lead byte; that is what excludes overlongs, surrogates
    // and code points above U+10FFFF.
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;  // 0x80..0xC1 or 0xF5..0xFF can never start a sequence.
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return n;
}

absl::Status ValidateUtf8(std::string_view bytes) {
  const size_t bad = FindInvalidUtf8(bytes);
  if (bad == bytes.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid UTF-8 at byte offset ", bad));
}

}  // namespace tessera::text

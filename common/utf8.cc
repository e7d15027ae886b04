#include "common/utf8.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tessera {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Length of the well-formed sequence at s[pos], or 0. The second byte's
// range depends on the lead byte; that is what excludes overlongs,
// surrogates and code points above U+10FFFF.
size_t SequenceLength(const unsigned char* s, size_t n, size_t pos) {
  const unsigned char c = s[pos];
  if (c < 0x80) return 1;
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
    return 0;  // 0x80..0xC1 or 0xF5..0xFF can never start a sequence.
  }
  if (pos + len > n) return 0;
  if (s[pos + 1] < lo || s[pos + 1] > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((s[pos + k] & 0xC0) != 0x80) return 0;
  }
  return len;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

size_t FindInvalidUtf8(std::string_view bytes) {
  const unsigned char* s = Bytes(bytes);
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
    const size_t len = SequenceLength(s, n, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

absl::Status ValidateUtf8(std::string_view bytes) {
  const size_t bad = FindInvalidUtf8(bytes);
  if (bad == std::string_view::npos) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid UTF-8 at byte offset ", bad));
}

size_t DecodeUtf8(std::string_view s, size_t pos, char32_t* cp) {
  const unsigned char* p = Bytes(s) + pos;
  const size_t n = SequenceLength(Bytes(s), s.size(), pos);
  switch (n) {
    case 1:
      *cp = p[0];
      return 1;
    case 2:
      *cp = (char32_t{p[0] & 0x1Fu} << 6) | (p[1] & 0x3Fu);
      return 2;
    case 3:
      *cp = (char32_t{p[0] & 0x0Fu} << 12) | (char32_t{p[1] & 0x3Fu} << 6) |
            (p[2] & 0x3Fu);
      return 3;
    case 4:
      *cp = (char32_t{p[0] & 0x07u} << 18) | (char32_t{p[1] & 0x3Fu} << 12) |
            (char32_t{p[2] & 0x3Fu} << 6) | (p[3] & 0x3Fu);
      return 4;
    default:
      *cp = 0xFFFD;
      return 1;
  }
}

size_t DecodeUtf8Before(std::string_view s, size_t end, char32_t* cp) {
  // Back to the nearest byte that is not a continuation byte, at most 4.
  size_t start = end;
  while (start > 0 && end - start < 4) {
    --start;
    if ((static_cast<unsigned char>(s[start]) & 0xC0) != 0x80) break;
  }
  const size_t n = DecodeUtf8(s, start, cp);
  if (start + n != end) {
    *cp = 0xFFFD;
    return 1;
  }
  return n;
}

}  // namespace tessera

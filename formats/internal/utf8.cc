#include "formats/internal/utf8.h"

#include "absl/strings/str_cat.h"

namespace tessera::formats::internal {
namespace {

// Length of the well-formed sequence at s[pos], or 0.
size_t SequenceLength(std::string_view s, size_t pos) {
  const auto b = [&](size_t i) -> unsigned char {
    return static_cast<unsigned char>(s[i]);
  };
  const unsigned char c = b(pos);
  const size_t left = s.size() - pos;
  if (c < 0x80) return 1;
  const auto cont = [&](size_t i) { return (b(pos + i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(pos + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(pos + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(pos + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(pos + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t n = SequenceLength(s, pos);
    if (n == 0) return pos;
    pos += n;
  }
  return std::string_view::npos;
}

absl::Status CheckUtf8(std::string_view s, std::string_view what,
                       bool allow_nul) {
  const size_t bad = FindInvalidUtf8(s);
  if (bad != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), " is not valid UTF-8 at byte offset ", bad));
  }
  if (!allow_nul) {
    const size_t nul = s.find('\0');
    if (nul != std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(what), " holds a NUL byte at byte offset ", nul));
    }
  }
  return absl::OkStatus();
}

size_t DecodeUtf8(std::string_view s, size_t pos, char32_t* cp) {
  const size_t n = SequenceLength(s, pos);
  const auto b = [&](size_t i) -> char32_t {
    return static_cast<unsigned char>(s[pos + i]);
  };
  switch (n) {
    case 1:
      *cp = b(0);
      return 1;
    case 2:
      *cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
      return 2;
    case 3:
      *cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
      return 3;
    case 4:
      *cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) |
            ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
      return 4;
    default:
      *cp = 0xFFFD;
      return 1;
  }
}

size_t DecodeUtf8Before(std::string_view s, size_t end, char32_t* cp) {
  size_t start = end;
  while (start > 0 && end - start < 4) {
    --start;
    if (IsCharBoundary(s, start)) break;
  }
  const size_t n = DecodeUtf8(s, start, cp);
  if (start + n != end) {
    *cp = 0xFFFD;
    return 1;
  }
  return n;
}

bool IsCharBoundary(std::string_view s, size_t pos) {
  return pos >= s.size() || (static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsUnicodeSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

size_t LeadingSpaceBytes(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    char32_t cp;
    const size_t n = DecodeUtf8(s, pos, &cp);
    if (!IsUnicodeSpace(cp)) break;
    pos += n;
  }
  return pos;
}

size_t TrailingSpaceBytes(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    char32_t cp;
    const size_t n = DecodeUtf8Before(s, end, &cp);
    if (!IsUnicodeSpace(cp)) break;
    end -= n;
  }
  return s.size() - end;
}

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

}  // namespace tessera::formats::internal

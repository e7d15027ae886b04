#include "formats/internal/utf8.h"

#include "absl/strings/str_cat.h"
#include "common/utf8.h"

namespace tessera::formats::internal {

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

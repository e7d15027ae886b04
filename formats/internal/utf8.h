// Small UTF-8 helpers for the formats module, over the decoder in
// common/utf8.h. Pure functions.
#ifndef TESSERA_FORMATS_INTERNAL_UTF8_H_
#define TESSERA_FORMATS_INTERNAL_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tessera::formats::internal {

// Returns INVALID_ARGUMENT naming the offset if `s` is not valid UTF-8 (see
// common/utf8.h) or, when `allow_nul` is false, holds a NUL byte. `what`
// names the input.
absl::Status CheckUtf8(std::string_view s, std::string_view what,
                       bool allow_nul);

// True when s[pos] is not a UTF-8 continuation byte (or pos == s.size()).
bool IsCharBoundary(std::string_view s, size_t pos);

void AppendUtf8(char32_t cp, std::string* out);

// Unicode White_Space.
bool IsUnicodeSpace(char32_t cp);

// Bytes of Unicode white space at the start / end of `s`.
size_t LeadingSpaceBytes(std::string_view s);
size_t TrailingSpaceBytes(std::string_view s);

// Our APIs use std::string_view; Debian's abseil has its own string_view.
inline absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// ASCII punctuation, as CommonMark defines it for backslash escapes.
bool IsAsciiPunct(char c);

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_UTF8_H_

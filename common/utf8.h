// The project's one UTF-8 decoder and validator. ICU-free, pure functions,
// safe to call from any thread.
//
// Well-formed means Unicode 15, Table 3-7: overlong encodings, UTF-16
// surrogates (U+D800..U+DFFF), code points above U+10FFFF and sequences cut
// short are ill-formed. Validation runs at several GB/s on ASCII-heavy text,
// so it is cheap enough for every upload.
#ifndef TESSERA_COMMON_UTF8_H_
#define TESSERA_COMMON_UTF8_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace tessera {

// Returns the byte offset of the first byte of the first ill-formed sequence
// in `bytes`, or std::string_view::npos when all of it is well-formed (the
// empty string is).
size_t FindInvalidUtf8(std::string_view bytes);

// Returns OK when `bytes` is well-formed UTF-8. Otherwise returns
// INVALID_ARGUMENT "invalid UTF-8 at byte offset N", N as FindInvalidUtf8
// reports it.
[[nodiscard]] absl::Status ValidateUtf8(std::string_view bytes);

// Decodes the code point starting at s[pos] (pos < s.size()) into *cp and
// returns its length in bytes. A byte that does not start a well-formed
// sequence reads as U+FFFD of length 1, so a loop over any input advances.
size_t DecodeUtf8(std::string_view s, size_t pos, char32_t* cp);

// Decodes the code point ending just before s[end] (0 < end <= s.size())
// into *cp and returns its length. When the bytes before `end` do not end a
// well-formed sequence, reads U+FFFD of length 1.
size_t DecodeUtf8Before(std::string_view s, size_t end, char32_t* cp);

}  // namespace tessera

#endif  // TESSERA_COMMON_UTF8_H_

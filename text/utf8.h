// UTF-8 validation for everything Tessera accepts as text.
//
// Tessera stores and segments only well-formed UTF-8 (Unicode 15, Table 3-7):
// overlong encodings, UTF-16 surrogates (U+D800..U+DFFF), code points above
// U+10FFFF and sequences cut short are refused. The check is a pure function
// and safe to call from any thread; it runs at several GB/s on ASCII-heavy
// text, so it is cheap enough for every upload.
#ifndef TESSERA_TEXT_UTF8_H_
#define TESSERA_TEXT_UTF8_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace tessera::text {

// Returns OK when `bytes` is well-formed UTF-8 (the empty string is).
// Otherwise returns INVALID_ARGUMENT whose message names the byte offset of
// the first byte of the first ill-formed sequence, e.g.
// "invalid UTF-8 at byte offset 17".
[[nodiscard]] absl::Status ValidateUtf8(std::string_view bytes);

// Returns the byte offset of the first ill-formed sequence in `bytes`, or
// bytes.size() when all of it is well-formed. ValidateUtf8 is built on this.
size_t FindInvalidUtf8(std::string_view bytes);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_UTF8_H_

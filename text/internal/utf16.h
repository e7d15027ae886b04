// Conversions between the UTF-8 that Tessera stores and the UTF-16 that
// ICU's iterators and regular expressions work on, with exact offset
// mapping back to the UTF-8 bytes. Internal to text/.
#ifndef TESSERA_TEXT_INTERNAL_UTF16_H_
#define TESSERA_TEXT_INTERNAL_UTF16_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::text::internal {

// Replaces *out with `utf8` converted to UTF-16. Each ill-formed sequence
// (maximal subpart, as ICU's U8_NEXT defines it) becomes one U+FFFD, so the
// conversion never fails. Returns true when every byte was ASCII, in which
// case UTF-16 indexes equal UTF-8 offsets.
bool Utf8ToUtf16(std::string_view utf8, std::u16string* out);

// Rewrites `offsets`, ascending UTF-16 indexes into the conversion of
// `utf8` by Utf8ToUtf16, into the matching UTF-8 byte offsets. An index in
// the middle of a surrogate pair maps to the start of its code point.
void MapUtf16ToUtf8(std::string_view utf8, std::vector<size_t>* offsets);

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_UTF16_H_

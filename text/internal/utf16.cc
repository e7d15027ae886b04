#include "text/internal/utf16.h"

#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cstring>

namespace tessera::text::internal {

// ICU's U8_NEXT rather than common/utf8.h: the UTF-16 must be exactly what
// ICU's own conversion gives (one U+FFFD per maximal subpart), or offsets
// mapped back by MapUtf16ToUtf8 would drift on ill-formed input.
bool Utf8ToUtf16(std::string_view utf8, std::u16string* out) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = static_cast<int32_t>(utf8.size());
  // UTF-16 never needs more units than UTF-8 has bytes.
  out->resize(utf8.size());
  char16_t* d = out->data();
  int32_t i = 0;
  size_t o = 0;
  bool ascii = true;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      for (int k = 0; k < 8; ++k) d[o + k] = s[i + k];
      i += 8;
      o += 8;
    }
    if (i >= n) break;
    if (s[i] < 0x80) {
      d[o++] = s[i++];
      continue;
    }
    ascii = false;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) c = 0xFFFD;
    if (c <= 0xFFFF) {
      d[o++] = static_cast<char16_t>(c);
    } else {
      d[o++] = U16_LEAD(c);
      d[o++] = U16_TRAIL(c);
    }
  }
  out->resize(o);
  return ascii;
}

void MapUtf16ToUtf8(std::string_view utf8, std::vector<size_t>* offsets) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = static_cast<int32_t>(utf8.size());
  int32_t i = 0;  // UTF-8 offset
  size_t u = 0;   // UTF-16 index matching i
  for (size_t& off : *offsets) {
    while (u < off && i < n) {
      // ASCII fast path, 8 bytes at a time.
      if (u + 8 <= off && i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, s + i, 8);
        if ((w & 0x8080808080808080ULL) == 0) {
          i += 8;
          u += 8;
          continue;
        }
      }
      if (s[i] < 0x80) {
        ++i;
        ++u;
        continue;
      }
      const int32_t start = i;
      UChar32 c;
      U8_NEXT(s, i, n, c);
      const size_t units = (c > 0xFFFF) ? 2 : 1;
      if (u + units > off) {  // `off` splits a surrogate pair.
        i = start;
        break;
      }
      u += units;
    }
    off = static_cast<size_t>(i);
  }
}

}  // namespace tessera::text::internal

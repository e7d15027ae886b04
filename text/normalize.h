// Unicode normalisation form C for stored text.
//
// Tessera keeps source and target text in NFC, so that a segment typed with
// combining accents and the same segment typed precomposed compare equal.
// NFC never changes spaces: NBSP (U+00A0), narrow NBSP (U+202F), thin space
// (U+2009), ideographic space (U+3000), tabs and CR/LF all survive as they
// are, which French typography (« … », " :") depends on. Pure functions, safe
// to call from any thread.
#ifndef TESSERA_TEXT_NORMALIZE_H_
#define TESSERA_TEXT_NORMALIZE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::text {

// Returns `utf8` in NFC. `utf8` should be well-formed (see common/utf8.h);
// ill-formed bytes are copied through unchanged, never dropped.
std::string NormalizeNfc(std::string_view utf8);

// Returns true when `utf8` is already in NFC, so NormalizeNfc would return it
// unchanged. `utf8` must be well-formed.
bool IsNfc(std::string_view utf8);

// A span NFC rewrote: nfc bytes [nfc_begin, nfc_end) come from input bytes
// [input_begin, input_end). Each span is the smallest ICU can name: one
// character with its combining marks, or one character decomposed.
struct NfcChange {
  size_t nfc_begin = 0;
  size_t nfc_end = 0;
  size_t input_begin = 0;
  size_t input_end = 0;
};

// NFC of `utf8` and where it differs from the input, ascending; outside the
// changes both hold the same bytes. `utf8` must be well-formed.
struct NfcMapping {
  std::string nfc;
  std::vector<NfcChange> changes;
};
NfcMapping NormalizeNfcMapped(std::string_view utf8);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_NORMALIZE_H_

#include "formats/import.h"

#include <string_view>

#include "common/utf8.h"
#include "formats/internal/utf8.h"

namespace tessera::formats {
namespace {

// True for code points that are never part of a word: punctuation,
// symbols, digits and marks, by block. Everything else outside ASCII counts
// as a letter, which errs towards translating.
bool IsNonLetter(char32_t cp) {
  if (cp < 0x80) {
    return !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  }
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kRanges[] = {
      {0x0080, 0x00BF},    // Latin-1 punctuation and symbols
      {0x00D7, 0x00D7},    // ×
      {0x00F7, 0x00F7},    // ÷
      {0x0300, 0x036F},    // combining marks
      {0x055A, 0x055F},    // Armenian punctuation
      {0x0589, 0x058A},    //
      {0x05BE, 0x05BE},    // Hebrew punctuation
      {0x05C0, 0x05C0},    //
      {0x05C3, 0x05C3},    //
      {0x05C6, 0x05C6},    //
      {0x05F3, 0x05F4},    //
      {0x0600, 0x060F},    // Arabic signs and punctuation
      {0x061B, 0x061F},    //
      {0x0660, 0x066D},    // Arabic-Indic digits
      {0x06D4, 0x06D4},    //
      {0x06F0, 0x06F9},    // Extended Arabic-Indic digits
      {0x0964, 0x096F},    // Devanagari danda and digits
      {0x09E6, 0x09EF},    // Bengali digits
      {0x0E50, 0x0E59},    // Thai digits
      {0x1040, 0x104B},    // Myanmar digits and punctuation
      {0x1360, 0x137C},    // Ethiopic punctuation and numbers
      {0x2000, 0x2BFF},    // punctuation, symbols, arrows, shapes, ...
      {0x2E00, 0x2E7F},    // supplemental punctuation
      {0x3000, 0x303F},    // CJK symbols and punctuation
      {0xFE00, 0xFE1F},    // variation selectors, vertical forms
      {0xFE30, 0xFE6F},    // CJK compatibility and small forms
      {0xFF00, 0xFF20},    // fullwidth punctuation and digits
      {0xFF3B, 0xFF40},    //
      {0xFF5B, 0xFF65},    //
      {0xFFF0, 0xFFFF},    // specials
      {0x1F000, 0x1FAFF},  // emoji and other symbols
      {0xE0000, 0xE007F},  // tags
  };
  for (const Range& r : kRanges) {
    if (cp >= r.lo && cp <= r.hi) return true;
  }
  return false;
}

bool IsUrlOrEmail(std::string_view word) {
  if (word.find("://") != std::string_view::npos) return true;
  if (word.size() > 4 &&
      (word.substr(0, 4) == "www." || word.substr(0, 4) == "WWW.")) {
    return true;
  }
  const size_t at = word.find('@');
  return at != std::string_view::npos && at > 0 &&
         word.find('.', at) != std::string_view::npos;
}

}  // namespace

bool IsVerbatimText(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    // One whitespace-separated word at a time.
    char32_t cp;
    size_t n = DecodeUtf8(text, pos, &cp);
    if (internal::IsUnicodeSpace(cp)) {
      pos += n;
      continue;
    }
    size_t end = pos;
    while (end < text.size()) {
      n = DecodeUtf8(text, end, &cp);
      if (internal::IsUnicodeSpace(cp)) break;
      end += n;
    }
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (IsUrlOrEmail(word)) continue;
    for (size_t i = 0; i < word.size(); i += n) {
      n = DecodeUtf8(word, i, &cp);
      if (!IsNonLetter(cp)) return false;
    }
  }
  return true;
}

}  // namespace tessera::formats

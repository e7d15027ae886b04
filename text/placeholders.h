// Placeholders: the spans of a segment a translation must carry over
// unchanged (URLs, e-mail addresses) or that QA compares between source and
// target (numbers).
//
// Detection is conservative and purely lexical:
// - URLs start with http://, https://, ftp:// (any case) or "www." at the
//   start of a token, and run to the next space or quotation mark. Trailing
//   punctuation (".,;:!?'*") is not part of a URL, nor is a closing ")",
//   "]" or "}" unless the URL opened it: "(see https://x.org/a_(b))." keeps
//   "https://x.org/a_(b)". Bare domains ("example.org") are not detected.
// - E-mail addresses are local@domain with a dotted domain whose last label
//   has at least two letters.
// - Numbers are runs of decimal digits (any script) with an optional sign,
//   decimal separators "." or "," between digits, digit grouping by space,
//   NBSP, narrow NBSP, thin space or apostrophe before exactly three digits
//   ("1 000,5", "1'000"), and a percent sign right after or after a
//   no-break space ("12.5%", "12,5 %"). Dates such as "08.11.2025" are one
//   number. Digits glued to a letter are part of a word, not a number:
//   "A4", "3D", "1er", "2e" and "100km" have no number placeholder, while
//   "COVID-19" has "19".
// Pure functions, safe to call from any thread.
#ifndef TESSERA_TEXT_PLACEHOLDERS_H_
#define TESSERA_TEXT_PLACEHOLDERS_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace tessera::text {

enum class PlaceholderKind { kUrl, kEmail, kNumber };

// A placeholder at utf8[begin, end), byte offsets.
struct Placeholder {
  PlaceholderKind kind;
  size_t begin;
  size_t end;

  friend bool operator==(const Placeholder&, const Placeholder&) = default;
};

// Returns the placeholders of `utf8` in text order, never overlapping
// (numbers inside a URL or address belong to it). `utf8` should be valid
// UTF-8; ill-formed bytes are read as U+FFFD.
std::vector<Placeholder> FindPlaceholders(std::string_view utf8);

// Returns true when `utf8` has nothing to translate: it is made only of
// numbers, URLs, e-mail addresses, punctuation, symbols and whitespace, i.e.
// it has no letter outside a URL or address. Empty text is non-translatable.
bool IsNonTranslatable(std::string_view utf8);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_PLACEHOLDERS_H_

// Word counts, as translators and coordinators are used to them from CAT
// tools.
//
// Words are the word-like segments of ICU's word BreakIterator: runs of
// letters, numbers, kana or ideographs, never punctuation or spaces. Han
// ideographs, hiragana and katakana count one word per character, as CAT
// tools count Chinese and Japanese; Hangul is written with spaces and counts
// by word. In French and Italian an elided article or pronoun counts as a
// word of its own: "l'homme" and "qu'il" are two words, "aujourd'hui" one.
// Thread-safe: each thread uses its own clone of a shared prototype
// iterator.
#ifndef TESSERA_TEXT_WORD_COUNT_H_
#define TESSERA_TEXT_WORD_COUNT_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace tessera::text {

// Returns the number of words in `utf8` for the language `canonical_tag`
// (see CanonicalizeLanguageTag); 0 for empty or punctuation-only text. An
// unknown or malformed tag counts with the root rules. `utf8` should be
// valid UTF-8; ill-formed bytes are read as U+FFFD.
int CountWords(std::string_view utf8, std::string_view canonical_tag);

// One piece of `utf8` between two ICU word boundaries that is not
// whitespace: byte range [begin, end), and whether ICU calls it word-like
// (letters, numbers, kana, ideographs) rather than punctuation or a symbol.
struct WordSpan {
  size_t begin = 0;
  size_t end = 0;
  bool word = false;
};

// The non-whitespace pieces of `utf8` between ICU word boundaries, in text
// order, for the language `canonical_tag` (root rules when unknown).
std::vector<WordSpan> WordSpans(std::string_view utf8,
                                std::string_view canonical_tag);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_WORD_COUNT_H_

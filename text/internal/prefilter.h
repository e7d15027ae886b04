// Character-set prefilters for segmentation rules. Internal to text/.
//
// Running an ICU regex costs a few hundred instructions even when it fails
// at once, and a look-behind is tried at every start its length range
// allows. Most rules can be rejected far more cheaply: a rule whose `after`
// starts with `\s+\p{Lu}` cannot match unless the character at the
// candidate is a space, and one whose `before` ends with `\p{Lu}\.` cannot
// match unless the two characters before it are a capital and a period.
// This file derives such character classes from the pattern text, as
// UnicodeSet patterns, so the segmenter can test them by table lookup before
// calling the regex engine.
//
// The derivation is conservative: a class is returned only when the pattern
// certainly requires it; anything unusual (groups at the edge, alternation
// at the top level, inline flags, optional atoms) gives no class, which
// only costs speed, never correctness.
#ifndef TESSERA_TEXT_INTERNAL_PREFILTER_H_
#define TESSERA_TEXT_INTERNAL_PREFILTER_H_

#include <string>

namespace tessera::text::internal {

// Each field is a UnicodeSet pattern (e.g. "[\p{Lu}]"), or empty when the
// pattern does not pin that character down.
struct PatternEdges {
  std::string first;        // the first character a match starts with
  std::string last;         // the last character a match ends with
  std::string before_last;  // the character before that
};

// Analyses an ICU regular expression (as written in a rule file).
PatternEdges AnalyzePattern(const std::string& regex);

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_PREFILTER_H_

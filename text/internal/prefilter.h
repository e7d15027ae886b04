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
// certainly requires it; anything unusual (inline flags, back-references,
// optional atoms at the edge) gives no class, which only costs speed, never
// correctness.
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
  // The first atom, even when optional or repeated (`\s+`, `[\x20]{0,2}`),
  // with its minimum count, and the atom after it when that one is
  // certain: a match starts with at least `lead_min` characters of `lead`
  // and then, once the run of `lead` characters ends, one of `after_lead`
  // (when the two sets are disjoint, which the caller checks).
  std::string lead;
  int lead_min = 0;
  std::string after_lead;
  // The characters a match can end with, last first (tail[0] is the
  // character right before the end), through groups, alternations,
  // quantifiers and `^`: every match ends with a character of tail[0]
  // preceded by one of tail[1] and so on. An empty pattern means "any
  // character". tail_at_start[k] is true when the k-th character back may
  // also lie before the start of the text (a match anchored with `^`, or
  // shorter than k + 1 characters).
  static constexpr int kTail = 3;
  std::string tail[kTail];
  bool tail_at_start[kTail] = {true, true, true};
};

// Analyses an ICU regular expression (as written in a rule file).
PatternEdges AnalyzePattern(const std::string& regex);

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_PREFILTER_H_

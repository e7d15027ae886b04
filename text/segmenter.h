// Sentence segmentation: ICU's sentence BreakIterator proposes boundaries,
// and per-language exception rules veto or add them.
//
// The rules are data, in text/rules/<language>.rules (format and the whole
// procedure in text/rules/README.md), compiled into the library. Each rule
// is SRX-style: break or nobreak, a `before` pattern the text must end with
// and an `after` pattern it must continue with; the first rule that matches
// at a candidate position decides, and ICU decides where none does. Beyond
// rules, the rule files declare quotation marks (a quotation that does not
// end with its own terminator is part of the sentence around it) and inline
// enumeration markers ("1. one 2. two"). Whitespace is handled explicitly: a
// single line break inside a paragraph never ends a sentence on its own, a
// blank line always does, and NBSP after an abbreviation does not.
//
// The text is read as UTF-8 in place. ICU can only end a sentence after a
// run of terminators, so it is asked about the end of each run only, on a
// small window, and its answers are remembered per window shape; the result
// is the same as iterating ICU over the whole text.
//
// A Segmenter is immutable once built and safe to share between threads.
// Split() borrows per-call scratch state (a BreakIterator cloned from the
// segmenter's prototype, regex matchers, buffers) from a pool owned by the
// segmenter, so no iterator is ever used by two threads at once and nothing
// is built per call once the pool is warm.
#ifndef TESSERA_TEXT_SEGMENTER_H_
#define TESSERA_TEXT_SEGMENTER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tessera::text {

class Segmenter;
namespace internal {
// Test hook, see text/internal/segmenter_testing.h.
std::vector<size_t> SplitWithFullTextIcu(const Segmenter& segmenter,
                                         std::string_view utf8);
}  // namespace internal

class Segmenter {
 public:
  // Returns the segmenter for a language tag (canonical, see
  // CanonicalizeLanguageTag). Rules are chosen by the primary language
  // subtag ("pt" for "pt-BR"); languages without a rule file get the common
  // rules. Segmenters are built once per process, on first use (some tens
  // of milliseconds: the rules' regular expressions are compiled, and ICU's
  // terminators are probed once per ICU rule set), and shared read-only
  // afterwards; a repeated lookup costs a hash-map probe.
  // Returns INVALID_ARGUMENT when the tag is not valid BCP 47, and INTERNAL
  // if a built-in rule file fails to compile (a build defect that the tests
  // catch).
  static absl::StatusOr<std::shared_ptr<const Segmenter>> ForLanguage(
      std::string_view canonical_tag);

  // Builds an uncached segmenter from rule text in the rule-file format;
  // `include` lines resolve to the built-in files. ICU's iterator is the one
  // for `canonical_tag`. Meant for developing rules and for tests.
  // Returns INVALID_ARGUMENT naming file and line for a malformed rule or a
  // pattern that does not compile.
  static absl::StatusOr<std::shared_ptr<const Segmenter>> Create(
      std::string_view rules, std::string_view canonical_tag);

  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  // Returns the byte offsets where sentences end in `utf8`, ascending; the
  // last is utf8.size(), and the result is empty for empty text. Whitespace
  // after a sentence belongs to it, so the pieces concatenate back to the
  // input exactly. A piece with no letter or digit (a closing quote, a
  // footnote mark) is never a sentence of its own but joins the one before,
  // except across a blank line.
  // `utf8` should be valid UTF-8 (common/utf8.h); ill-formed bytes are read as
  // U+FFFD and offsets still point into the original bytes. Texts longer
  // than 2^31-1 bytes, far beyond the upload limit, are one sentence.
  std::vector<size_t> Split(std::string_view utf8) const;

  // Name of the rule file this segmenter uses ("fr", "common", or
  // "<custom>" for Create).
  const std::string& rules_name() const;

 private:
  friend std::vector<size_t> internal::SplitWithFullTextIcu(
      const Segmenter& segmenter, std::string_view utf8);
  struct Impl;
  explicit Segmenter(std::unique_ptr<Impl> impl);
  std::vector<size_t> SplitImpl(std::string_view utf8, bool full_icu) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::text

#endif  // TESSERA_TEXT_SEGMENTER_H_

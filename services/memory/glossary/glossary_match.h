// Where glossary terms occur in a text, by the rules of "Glossary terms" in
// proto/tessera/v1/memory.proto: ICU word boundaries at both ends, match
// form (NFC as stored, white space runs as one space, full case folding
// unless case sensitive), and inflection-tolerant endings where allowed.
//
// This is the glossary's text layer (it uses ICU); the core only calls it.
// MatchText is immutable once built and may be shared between threads; the
// free functions are thread-safe (one word iterator per thread and
// language, cloned).
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_MATCH_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_MATCH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::memory::glossary {

// Letters an inflection may add after a term's last word, and how long that
// word must be (in letters) for the term to take any.
inline constexpr int kMaxInflectionLetters = 3;
inline constexpr int kMinInflectedWordLetters = 4;

// A byte range [start, end) of a text.
struct Span {
  size_t start = 0;
  size_t end = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

// A text prepared for term lookups: its ICU word boundaries in `language`
// (a canonical BCP 47 tag; unknown tags use the root rules) and its two
// match forms. `utf8` should be NFC and well-formed (ill-formed bytes read
// as U+FFFD). The text is copied.
class MatchText {
 public:
  MatchText(std::string_view utf8, std::string_view language);

  // Every occurrence of `term` (NFC, trimmed), in order of start. Overlapping
  // occurrences are all returned.
  std::vector<Span> Find(std::string_view term, bool case_sensitive,
                         bool match_inflections) const;

  // The index keys (see TermKey) of every term that can occur in the text:
  // each word's case-folded form, its shortenings by 1 to
  // kMaxInflectionLetters letters, every prefix of an ideographic word and
  // the joins of up to 3 words with nothing between them (scripts written
  // without spaces are split by a dictionary that may cut a term
  // differently when it stands alone). Sorted, no duplicates.
  std::vector<std::string> CandidateKeys() const;

  const std::string& text() const { return text_; }

 private:
  struct Form {
    std::string out;
    // For each byte offset of `out` (and out.size()), the source offset it
    // starts, or npos inside a code point's folding or a space run.
    std::vector<size_t> source_at;
    // For each source offset (and text.size()), where it starts in `out`,
    // or npos.
    std::vector<size_t> out_at;
  };

  std::string text_;
  std::string language_;
  std::vector<bool> boundary_;       // text_.size() + 1 entries
  std::vector<Span> words_;          // word-like segments
  Form folded_;
  Form exact_;
};

// The index key of `term` in `language`: its first word-like segment,
// case-folded. Empty when the term has none (HasWord is false).
std::string TermKey(std::string_view term, std::string_view language);

// True when `term` has a word-like segment (letters, digits, ideographs).
bool HasWord(std::string_view term, std::string_view language);

// `utf8` with full case folding and white space runs as one space, for
// substring filters.
std::string FoldForSearch(std::string_view utf8);

// True for a Unicode White_Space code point.
bool IsWhiteSpace(char32_t cp);

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_MATCH_H_

// Checks of a Content submitted for a segment (a translation, a draft):
// its structure, and its inline codes against the segment's. Pure
// functions that report problems as data; the caller turns them into its
// own errors.
#ifndef TESSERA_FORMATS_CONTENT_CHECK_H_
#define TESSERA_FORMATS_CONTENT_CHECK_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "formats/document.h"

namespace tessera::formats {

// What is wrong with a content: the field, as a path inside the Content
// ("text", "codes[2].offset"), and a description to follow it ("is
// required").
struct ContentProblem {
  std::string field;
  std::string description;
  // Set when the text is not valid UTF-8: offset of its first bad byte.
  std::optional<size_t> invalid_utf8_at;
  friend bool operator==(const ContentProblem&,
                         const ContentProblem&) = default;
};

// Returns the first structural problem of `content`, or nullopt when it has
// none. In order: empty text when `required`; text longer than
// `max_text_bytes`; text not valid UTF-8 (common/utf8.h); a NUL in the
// text; then per code reference, an id below 1, a kind that is not open,
// close or standalone, and an offset beyond the text, inside a character or
// before the previous reference's. Says nothing about which codes the
// segment has: see FindCodeProblems.
std::optional<ContentProblem> CheckContentStructure(const Content& content,
                                                    size_t max_text_bytes,
                                                    bool required);

enum class CodeProblemKind {
  kAdded,       // a reference to a code the segment does not have
  kDuplicated,  // a second reference to the same code
  kCrossed,     // a close before its open, or across another paired code
  kMissing,     // a code of the segment the content does not reference
};

// One inline-code problem of a content against its segment.
struct CodeProblem {
  CodeProblemKind kind;
  int ref_index;  // index into Content::codes; -1 for kMissing
  int code_id;
  size_t offset;        // the reference's offset in the text; 0 for kMissing
  std::string message;  // e.g. "code {2/} appears more than once"
  friend bool operator==(const CodeProblem&, const CodeProblem&) = default;
};

// Returns every inline-code problem of `content` against `segment`: the
// references in order (each reports at most one problem), then the missing
// codes in segment order. Empty when the codes match. `content` should have
// passed CheckContentStructure.
std::vector<CodeProblem> FindCodeProblems(const Segment& segment,
                                          const Content& content);

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_CONTENT_CHECK_H_

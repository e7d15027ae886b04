// Format-independent half of import: turns text blocks, already cut into
// text and inline-code tokens that cover exact source byte ranges, into a
// Document (skeleton + segments). It splits blocks into sentences, keeps
// paired codes inside one segment, trims whitespace and edge line breaks
// into the skeleton, numbers codes, marks verbatim segments and finds
// superscript footnote marks. Not thread-safe per call; no shared state.
#ifndef TESSERA_FORMATS_INTERNAL_BUILDER_H_
#define TESSERA_FORMATS_INTERNAL_BUILDER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "formats/document.h"
#include "formats/import.h"

namespace tessera::formats::internal {

// Text or an inline code, as the source bytes [begin, end).
struct Token {
  bool is_code = false;
  size_t begin = 0;
  size_t end = 0;
  // Codes only.
  CodeKind kind = CodeKind::kStandalone;
  CodeType type = CodeType::kHtml;
  int pair = -1;      // shared by an open and its close, unique in the block
  // See InlineCode::equiv. For a text token with `text`, what the sentence
  // splitter reads instead (the same length as `text`).
  std::string equiv;
  // Text only: what a translator reads for these bytes when it is not the
  // bytes themselves (" " for a soft line break). Whitespace only.
  bool has_text = false;
  std::string text;
};

// The text a text token reads as.
inline std::string_view TokenText(std::string_view source, const Token& t) {
  return t.has_text ? std::string_view(t.text)
                    : source.substr(t.begin, t.end - t.begin);
}

// One paragraph, heading or table cell. Tokens are in source order and
// contiguous (each begins where the previous ends).
struct TextBlock {
  Context context;  // block_index is assigned by BuildDocument
  bool no_translate = false;
  std::vector<Token> tokens;
};

// Builds the document. Blocks may come in any order and are sorted by
// source position; blocks without tokens are dropped. Returns
// INVALID_ARGUMENT for a misbehaving sentence splitter and INTERNAL if
// blocks overlap or tokens are not contiguous.
absl::StatusOr<Document> BuildDocument(Format format, std::string_view source,
                                       std::vector<TextBlock> blocks,
                                       const ImportOptions& options);

inline bool IsBreakType(CodeType type) {
  return type == CodeType::kSoftBreak || type == CodeType::kLineBreak;
}

// True for a line that is a marker line (import.h) with `marker`.
bool IsMarkerLine(std::string_view line, std::string_view marker);

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_BUILDER_H_

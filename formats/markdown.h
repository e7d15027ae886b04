// Markdown import: CommonMark plus the GFM tables, strikethrough, autolinks
// and footnotes, parsed by cmark-gfm.
//
// Paragraphs, headings and table cells become segments (one per sentence
// when ImportOptions::split_sentences is set). Everything else (code blocks,
// HTML blocks, thematic breaks, link reference definitions, list markers,
// block quote markers, indentation, table pipes and delimiter rows, blank
// lines, trailing spaces) stays in the skeleton byte for byte. Inside a
// block, emphasis, links, images, code spans, strikethrough, autolinks,
// footnote references, inline HTML, hard line breaks, backslash escapes and
// character references become inline codes that keep their source bytes. A
// soft line break (a line ending inside a block) is a space of the text,
// its line ending and the next line's prefix kept in Segment::source_runs.
// A superscript digit glued to a word ("»¹") is a footnote reference too,
// and a later paragraph starting with that number ("1 Déclaration …") is its
// footnote definition, the number staying in the skeleton.
//
// Stateless and thread-safe.
#ifndef TESSERA_FORMATS_MARKDOWN_H_
#define TESSERA_FORMATS_MARKDOWN_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "formats/document.h"
#include "formats/import.h"

namespace tessera::formats {

// Largest document the importers accept, in bytes.
inline constexpr size_t kMaxImportBytes = size_t{256} << 20;

// Imports `utf8` as Markdown. Returns INVALID_ARGUMENT if the input is not
// valid UTF-8 or holds a NUL byte (naming the byte offset), or is larger
// than kMaxImportBytes; INVALID_ARGUMENT if split_sentences returns offsets
// that are not ascending or lie outside the text; and INTERNAL if the
// parse tree cannot be matched to the source bytes (a defect: the corpus
// tests cover CommonMark's and GFM's spec examples).
absl::StatusOr<Document> ImportMarkdown(std::string_view utf8,
                                        const ImportOptions& options = {});

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_MARKDOWN_H_

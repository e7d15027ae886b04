// Plain-text import.
//
// Paragraphs are runs of lines separated by blank lines (lines holding only
// spaces and tabs). A paragraph is one segment, or one per sentence when
// ImportOptions::split_sentences is set. Lines inside a paragraph are kept
// as they are: each line ending becomes a standalone kLineBreak code whose
// data is the exact bytes from the end of one line's text to the start of
// the next (trailing spaces, "\n" or "\r\n", indentation), so translators
// can move a line break but not lose it. Leading and trailing whitespace of
// a paragraph, blank-line runs and marker lines (import.h) stay in the
// skeleton. Superscript footnote marks are handled as in markdown.h.
//
// Stateless and thread-safe.
#ifndef TESSERA_FORMATS_PLAINTEXT_H_
#define TESSERA_FORMATS_PLAINTEXT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "formats/document.h"
#include "formats/import.h"

namespace tessera::formats {

// Imports `utf8` as plain text. Returns INVALID_ARGUMENT if the input is
// not valid UTF-8 or holds a NUL byte (naming the byte offset), or is larger
// than kMaxImportBytes (markdown.h), and INVALID_ARGUMENT if split_sentences
// returns offsets that are not ascending or lie outside the text.
absl::StatusOr<Document> ImportPlainText(std::string_view utf8,
                                         const ImportOptions& options = {});

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_PLAINTEXT_H_

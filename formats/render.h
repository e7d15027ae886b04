// Rendering: skeleton + one content per segment → the target document, in
// the document's source format.
//
// Every segment's bytes are built from its content's text and codes: each
// code contributes its source bytes, each text run its (escaped) text, or,
// when the run equals one of the segment's source runs whose bytes differ
// from its text (Segment::source_runs: a soft line break, text uploaded in
// another normalisation), those source bytes. Rendering the source contents
// (SourceContents) gives the input back byte for byte.
//
// Markdown text is escaped only where needed to keep the document's
// structure: "\" before punctuation and "&" starting a character reference
// always (so the text reads as typed), "|" in table cells always, and
// newlines become spaces. Whitespace just inside emphasis codes moves
// outside them, whitespace at the ends of a segment is dropped, and a
// shortcut reference link whose text was translated ("[texte]") becomes a
// full reference ("[text][texte]"). The result is parsed with cmark-gfm and
// compared with the source's element structure and autolinks; if a
// translation would change them ("# not a heading", "*not emphasis*",
// "1. at a line start"), the changed segments are rendered again with every
// Markdown-significant character escaped, then all segments. A bare
// address ("www.…") that translated text now runs into is written as an
// explicit link with the same text and target. Plain text is copied as is.
//
// Render is stateless; PreparedDocument is immutable once built. Both are
// thread-safe.
#ifndef TESSERA_FORMATS_RENDER_H_
#define TESSERA_FORMATS_RENDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "formats/document.h"

namespace tessera::formats {

// Renders `document` with `contents[i]` in place of segment i. Callers that
// copy non-translatable segments verbatim pass their source content.
// Returns INVALID_ARGUMENT if the number of contents differs from the number
// of segments, if a content fails ValidateContent (the message names the
// segment), or, for Markdown, if even fully escaped text cannot keep the
// document's structure (codes moved where Markdown cannot read them, such
// as a line break at the end of a block); the message names the first
// segment at fault. Returns INTERNAL if the skeleton refers to a segment
// that does not exist.
absl::StatusOr<std::string> Render(const Document& document,
                                   const std::vector<Content>& contents);

// A document prepared once for many renderings (as Render, which prepares
// for one): its source pieces, the identity rendering and, the first time a
// translation needs the structure check, the source's parsed structure are
// kept. Segments whose content is their source content reuse them, so
// rendering costs in proportion to the segments that changed plus one
// pass over the output. `document` must outlive this object. Thread-safe.
class PreparedDocument {
 public:
  explicit PreparedDocument(const Document& document);
  ~PreparedDocument();
  PreparedDocument(const PreparedDocument&) = delete;
  PreparedDocument& operator=(const PreparedDocument&) = delete;

  absl::StatusOr<std::string> Render(
      const std::vector<Content>& contents) const;

 private:
  struct State;
  const Document& document_;
  std::unique_ptr<State> state_;
};

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_RENDER_H_

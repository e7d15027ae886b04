// The document model of Tessera: a source document cut into a skeleton and
// segments.
//
// The skeleton is the ordered list of everything that is never translated
// (Markdown delimiters, list markers, indentation, blank lines, table pipes,
// whitespace between sentences) with one hole per segment. A segment is one
// translatable unit (usually a sentence) whose Content is the text a
// translator sees plus references to inline codes. Inline codes follow
// XLIFF 2: paired codes (`pc`, an open and a close sharing an id) for
// emphasis, links, images, strikethrough and code spans; standalone codes
// (`ph`) for line breaks, footnote references, autolinks, inline HTML,
// backslash escapes and character references. Each code keeps the exact
// source bytes it stands for, so skeleton + source contents give back the
// input byte for byte (see render.h).
//
// All types here are plain values: safe to read from many threads, and to
// mutate from one thread at a time.
#ifndef TESSERA_FORMATS_DOCUMENT_H_
#define TESSERA_FORMATS_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tessera::formats {

// Source format of a document. Values are stored (SerializeDocument) and
// never change.
enum class Format : uint8_t {
  kMarkdown = 1,
  kPlainText = 2,
};
std::string_view FormatName(Format format);

// Role of an inline code in its segment, as XLIFF 2 `pc` (open/close) and
// `ph` (standalone). Stored values.
enum class CodeKind : uint8_t {
  kOpen = 1,
  kClose = 2,
  kStandalone = 3,
};

// What an inline code stands for. Stored values.
enum class CodeType : uint8_t {
  kEmphasis = 1,       // paired: "*" or "_"
  kStrong = 2,         // paired: "**" or "__"
  kStrikethrough = 3,  // paired: "~" or "~~"
  kLink = 4,           // paired: "[" and "](url "title")", "][ref]" or "]"
  kImage = 5,          // paired: "![" and the link tail; the text is the alt
  kCodeSpan = 6,       // paired: backtick runs; the text inside is verbatim
  kAutolink = 7,       // standalone: "<https://…>", "www.…", an e-mail
  kFootnoteRef = 8,    // standalone: "[^1]", or a superscript mark "¹"
  kSoftBreak = 9,      // standalone: a Markdown line ending in a block, in
                       // documents imported before it became a space of
                       // the text (Segment::source_runs)
  kLineBreak = 10,     // standalone: a hard break, or a plain-text newline
                       // (both with the next line's prefix and indent)
  kHtml = 11,          // standalone: inline HTML
  kEscape = 12,        // standalone: a backslash escape such as "\*"
  kEntity = 13,        // standalone: a character reference such as "&amp;"
};
std::string_view CodeTypeName(CodeType type);

// One inline code of a source segment. A paired code appears twice in
// Segment::codes, once as kOpen and once as kClose, with the same id.
struct InlineCode {
  int id = 0;  // 1.., unique within the segment, in source order
  CodeKind kind = CodeKind::kStandalone;
  CodeType type = CodeType::kHtml;
  std::string data;  // the exact source bytes of this code
  // The text it stands for, if any: "&" for "&amp;", "\n" for a line
  // break, the text of an autolink, "1" for "¹". On the close code of a
  // shortcut or collapsed reference link ("[foo]", "[foo][]"), the
  // reference label, which render.h needs once the link text is translated.
  std::string equiv;
  friend bool operator==(const InlineCode&, const InlineCode&) = default;
};

// A reference from Content to an inline code.
struct CodeRef {
  int id = 0;
  CodeKind kind = CodeKind::kStandalone;
  size_t offset = 0;  // byte offset into Content::text where the code sits
  friend bool operator==(const CodeRef&, const CodeRef&) = default;
};

// The text of a segment (source or translation) with its codes. Codes are
// ordered by offset; several codes may share an offset, and then their
// order in `codes` is their order in the document.
struct Content {
  std::string text;  // UTF-8, what a translator sees
  std::vector<CodeRef> codes;
  friend bool operator==(const Content&, const Content&) = default;
};

// Returns the readable form of `content`: "{1}" opens code 1, "{/1}" closes
// it, "{2/}" is standalone code 2, and literal braces are doubled ("{{",
// "}}"). Example: "Nous {1}exigeons{/1} :{2/}".
std::string ToReadable(const Content& content);

// Parses the readable form back. Checks syntax only (well-formed markers,
// ids >= 1, valid UTF-8 without NUL, braces doubled); whether the codes fit
// a segment is ValidateContent's job. Returns INVALID_ARGUMENT naming the
// byte offset of the first error.
absl::StatusOr<Content> ParseReadable(std::string_view readable);

// Kind of block a segment comes from. Stored values.
enum class BlockKind : uint8_t {
  kParagraph = 1,
  kHeading = 2,
  kListItem = 3,
  kTableCell = 4,
  kBlockQuote = 5,
  kFootnoteDefinition = 6,
  kOther = 7,
};
std::string_view BlockKindName(BlockKind kind);

// Where a segment sits in the document.
struct Context {
  // Heading, table cell, or for a paragraph its innermost container (list
  // item, block quote, footnote definition), else kParagraph.
  BlockKind kind = BlockKind::kParagraph;
  int heading_level = 0;  // 1..6 for headings, else 0
  // Ordinal, in document order, of the text block (paragraph, heading or
  // table cell holding text) the segment belongs to. Sentences of one block
  // share it. ImportOptions::no_translate_blocks refers to these numbers.
  int block_index = 0;
  // Containers around the block, outermost first: kBlockQuote, kListItem,
  // kFootnoteDefinition.
  std::vector<BlockKind> nesting;
  friend bool operator==(const Context&, const Context&) = default;
};

// A source segment.
struct Segment {
  Content content;                // the source text and code references
  std::vector<InlineCode> codes;  // every code of `content`, in order
  Context context;
  // False for segments copied verbatim: those made only of numbers, URLs,
  // e-mail addresses, punctuation or codes, and blocks marked at import.
  bool translatable = true;
  // The source bytes of each text run of `content` (before the first code,
  // between codes, after the last: content.codes.size() + 1 runs), kept
  // when some run's bytes differ from its text; empty when every run is
  // its own bytes. Runs differ where the text reads as a translator should
  // see it and the source does not: a Markdown soft line break reads as one
  // space but is the line ending and the next line's prefix in the source,
  // and text uploaded in another normalisation than NFC is NFC in the text
  // and as uploaded here (RestoreUploadBytes).
  std::vector<std::string> source_runs;
  friend bool operator==(const Segment&, const Segment&) = default;
};

// The exact source bytes of `segment`: its text runs (or source runs) and
// its codes' bytes, in order.
std::string SegmentSource(const Segment& segment);

// One part of the skeleton: literal bytes, or a hole for a segment.
struct SkeletonPart {
  std::string literal;  // empty for a hole
  int segment = -1;     // index into Document::segments for a hole, else -1
  bool is_hole() const { return segment >= 0; }
  friend bool operator==(const SkeletonPart&, const SkeletonPart&) = default;
};

// An imported document. The skeleton holds one hole per segment, in
// segment order.
struct Document {
  Format format = Format::kPlainText;
  std::vector<SkeletonPart> skeleton;
  std::vector<Segment> segments;
  friend bool operator==(const Document&, const Document&) = default;
};

// Returns each segment's own source content, in order: the contents that
// render the source document back.
std::vector<Content> SourceContents(const Document& document);

// A span that normalising the upload rewrote: document bytes [begin, end)
// stand for upload bytes [upload_begin, upload_end). Outside such spans the
// document and the upload hold the same bytes.
struct SourceEdit {
  size_t begin = 0;
  size_t end = 0;
  size_t upload_begin = 0;
  size_t upload_end = 0;
};

// Makes `document`, imported from a normalised copy of `upload` that
// `edits` (ascending, not overlapping) describe, render `upload` byte for
// byte: skeleton literals and code bytes become the uploaded bytes, and
// segments whose text runs were rewritten keep the uploaded bytes in
// Segment::source_runs. Texts stay normalised. An edit that straddles two
// parts of the document (which NFC, composing only within a character and
// its marks, never makes) goes to the part where it begins. A link's
// reference label (InlineCode::equiv of its close code) becomes the
// uploaded label, since reference definitions in the skeleton are matched
// by their uploaded bytes. INVALID_ARGUMENT if the edits do not fit the
// document (out of order, or past the end of either side).
absl::Status RestoreUploadBytes(std::string_view upload,
                                const std::vector<SourceEdit>& edits,
                                Document* document);

// Checks that `content` may stand for `segment`: valid UTF-8 text without
// NUL bytes; code offsets ascending, inside the text and on character
// boundaries; exactly the segment's codes, each once, with every pair
// opened before it is closed and pairs properly nested (never crossed).
// Returns INVALID_ARGUMENT describing the first problem.
absl::Status ValidateContent(const Segment& segment, const Content& content);

// Current version of the binary form, its first byte.
inline constexpr uint8_t kDocumentFormatVersion = 1;

// Returns the compact binary form of `document` (skeleton and segments) for
// storage. The layout is: the version byte, then varint-prefixed fields, as
// documented in document.cc.
std::string SerializeDocument(const Document& document);

// Parses SerializeDocument's output. Returns DATA_LOSS if the bytes are
// truncated, carry trailing garbage, an unknown version byte or enum value,
// or describe an inconsistent document (a hole out of range or out of order,
// a content that fails ValidateContent).
absl::StatusOr<Document> DeserializeDocument(std::string_view bytes);

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_DOCUMENT_H_

// TMX 1.4b: reading and writing translation-memory exchange files.
//
// The reader streams the document through libxml2's xmlTextReader. It never
// touches the network, never loads a DTD, and refuses documents that
// declare entities, so external entities (XXE) and entity expansion
// ("billion laughs") cannot happen; only the five predefined entities and
// character references are allowed. A document that is not well-formed, or
// whose root is not <tmx>, is INVALID_ARGUMENT with the line in the message
// and in TmxErrorLine(). A <tu> that cannot be used (no source variant, an
// empty segment, unbalanced bpt/ept, ...) becomes a TmxProblem with a
// reason, and none of its variants is returned: a unit is whole or absent.
//
// Inline markup keeps its native form: each bpt, ept, ph, it, ut and hi of
// a <seg> becomes a TmxCode at a byte offset of the segment's text, with
// the element's content (the native code, such as "**" or "<br/>") and its
// attributes, so that writing the unit gives the same markup back. Codes
// carry ids that agree across the variants of one unit (the `x` attribute,
// else the bpt/ept `i`, else the n-th code of its kind), in the form
// tessera.v1.Content uses: paired codes share one id.
//
// The writer emits TMX 1.4b in UTF-8 that validates against tmx14.dtd, in
// chunks of at most a given size.
//
// Thread-compatible: no global state besides libxml2's, which is safe for
// concurrent readers on separate documents.
#ifndef TESSERA_INTERCHANGE_TMX_H_
#define TESSERA_INTERCHANGE_TMX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tessera/v1/common.pb.h"

namespace tessera::interchange {

// The inline element a code came from.
enum class TmxElement {
  kBpt,  // opens a paired code
  kEpt,  // closes it
  kPh,   // standalone
  kIt,   // isolated: half of a pair whose other half is in another segment
  kUt,   // unknown native code (deprecated in 1.4b), standalone
  kHi,   // highlighted text: an open code at its start, a close at its end
};

// Paired codes have an open and a close; the rest stand alone.
enum class TmxCodeKind { kOpen, kClose, kStandalone };

// One inline code of a segment.
struct TmxCode {
  TmxElement element = TmxElement::kPh;
  TmxCodeKind kind = TmxCodeKind::kStandalone;
  int id = 0;         // 1..; shared by an open and its close, and by the
                      // same code in the other variants of the unit
  size_t offset = 0;  // byte offset into TmxSegment::text
  std::string native;  // the element's text content (sub texts included)
  // Attributes as written; empty when absent.
  std::string i, x, type, pos, assoc;
  friend bool operator==(const TmxCode&, const TmxCode&) = default;
};

// A <seg>: its text without markup, and its codes in document order.
struct TmxSegment {
  std::string text;
  std::vector<TmxCode> codes;
  friend bool operator==(const TmxSegment&, const TmxSegment&) = default;
};

struct TmxProp {
  std::string type;
  std::string lang;  // xml:lang, if any
  std::string value;
  friend bool operator==(const TmxProp&, const TmxProp&) = default;
};

struct TmxNote {
  std::string lang;
  std::string text;
  friend bool operator==(const TmxNote&, const TmxNote&) = default;
};

// Attributes the DTD allows besides those with a field of their own
// (usagecount, lastusagedate, datatype, o-encoding, ...), in document order.
using TmxAttributes = std::vector<std::pair<std::string, std::string>>;

// A <tuv>.
struct TmxVariant {
  std::string language;  // xml:lang (or 1.1-style lang) as written
  std::string creationdate, creationid, changedate, changeid;
  TmxAttributes other_attributes;
  std::vector<TmxProp> props;
  std::vector<TmxNote> notes;
  TmxSegment segment;
  friend bool operator==(const TmxVariant&, const TmxVariant&) = default;
};

// A <tu>.
struct TmxUnit {
  int index = 0;  // 0-based among the document's <tu> (output of the reader)
  int line = 0;   // 1-based line of its <tu> (output of the reader)
  std::string tuid;
  std::string srclang;  // the unit's own srclang attribute, if any
  std::string creationdate, creationid, changedate, changeid;
  TmxAttributes other_attributes;
  std::vector<TmxProp> props;
  std::vector<TmxNote> notes;
  std::vector<TmxVariant> variants;  // document order
  // Index in `variants` of the source variant (output of the reader: the
  // first in the source language, or the first of all with "*all*").
  size_t source = 0;
  friend bool operator==(const TmxUnit&, const TmxUnit&) = default;
};

// The <header>. Writing fills the DTD's required attributes left empty
// (creationtool "Tessera", segtype "sentence", ...) except srclang.
struct TmxHeader {
  std::string creationtool, creationtoolversion, segtype, o_tmf, adminlang,
      srclang, datatype;
  std::string creationdate, creationid, changedate, changeid;
  TmxAttributes other_attributes;  // o-encoding
  std::vector<TmxProp> props;
  std::vector<TmxNote> notes;
  friend bool operator==(const TmxHeader&, const TmxHeader&) = default;
};

// A <tu> the reader skipped.
struct TmxProblem {
  int unit_index = 0;  // 0-based index of the <tu>
  int line = 0;        // 1-based line of the <tu>
  std::string message;
  friend bool operator==(const TmxProblem&, const TmxProblem&) = default;
};

struct TmxReadOptions {
  // Overrides the header's srclang (and each unit's). A unit needs a
  // variant in this language; with "*all*" and no override, any variant
  // may be the source and the first one is taken as such.
  std::string source_language;
  // Beyond these the whole document is refused, RESOURCE_EXHAUSTED with
  // "limit <name> is <value>" in the message.
  size_t max_document_bytes = 8 << 20;
  size_t max_units = 100'000;
  // Beyond these, INVALID_ARGUMENT for the document.
  int max_depth = 16;  // element nesting; a TMX file needs 6 or 7
  // Beyond these, the unit is skipped as a TmxProblem.
  size_t max_segment_bytes = 65'536;  // text of one seg, note or prop
  size_t max_variants = 64;
  size_t max_codes = 512;  // per segment
};

struct TmxDocument {
  TmxHeader header;
  std::vector<TmxUnit> units;        // the usable units, document order
  std::vector<TmxProblem> problems;  // the skipped ones, document order
  int units_read = 0;                // every <tu>
};

// Called for each <tu> in document order: exactly one of `unit` and
// `problem` is set. A non-OK return stops the read with that status.
using TmxUnitSink =
    std::function<absl::Status(TmxUnit* unit, TmxProblem* problem)>;

// Reads `bytes` (a TMX document in the encoding its XML declaration or
// byte-order mark names; UTF-8 otherwise) and calls `on_header` once the
// header is read, then `on_unit` per <tu>. Returns the header.
absl::StatusOr<TmxHeader> ReadTmxStream(
    std::string_view bytes, const TmxReadOptions& options,
    const std::function<absl::Status(const TmxHeader&)>& on_header,
    const TmxUnitSink& on_unit);

// ReadTmxStream collecting everything.
absl::StatusOr<TmxDocument> ReadTmx(std::string_view bytes,
                                    const TmxReadOptions& options = {});

// The line of a reader error, if the status carries one.
std::optional<int> TmxErrorLine(const absl::Status& status);

// Writes a TMX 1.4b document (UTF-8, DOCTYPE tmx14.dtd) in pieces of at
// most `chunk_bytes`, handed to `sink` in order; their concatenation is the
// document. Units are written as given, with their codes as bpt, ept, ph,
// it, ut and hi elements. INVALID_ARGUMENT (nothing more is written) for a
// unit with no variant, a variant without a language, text that is not
// UTF-8 or holds characters XML 1.0 forbids, codes out of order or off a
// character boundary, or an empty header srclang.
class TmxWriter {
 public:
  using Sink = std::function<absl::Status(std::string_view chunk)>;
  static constexpr size_t kDefaultChunkBytes = 1 << 20;

  explicit TmxWriter(Sink sink, size_t chunk_bytes = kDefaultChunkBytes);

  absl::Status Begin(const TmxHeader& header);
  absl::Status Add(const TmxUnit& unit);
  // Closes the document and flushes the rest.
  absl::Status Finish();

 private:
  absl::Status Flush(bool all);

  Sink sink_;
  size_t chunk_bytes_;
  std::string buffer_;
  bool begun_ = false;
  bool finished_ = false;
  absl::Status failed_;
};

// The whole document as one string.
absl::StatusOr<std::string> WriteTmx(const TmxHeader& header,
                                     const std::vector<TmxUnit>& units);

// TMX dates: "YYYYMMDDThhmmssZ" (UTC).
std::string FormatTmxDate(absl::Time t);
absl::StatusOr<absl::Time> ParseTmxDate(std::string_view s);

// Mapping to the API's Content. Ids and offsets are the TmxCodes'; open
// and close map to CODE_KIND_OPEN/CLOSE, and standalone, it and ut to
// CODE_KIND_STANDALONE.
v1::Content ContentFromTmxSegment(const TmxSegment& segment);

// What each code id of a segment stands for, one entry per id in order of
// first appearance: kind, a type guessed from the `type` attribute (TMX's
// bold, italic, link, lb, ... ) and the native code as display text.
std::vector<v1::InlineCode> InlineCodesFromTmxSegment(
    const TmxSegment& segment);

// The TMX `type` for an API code type ("bold", "italic", "link", "lb",
// ...; "x-..." where TMX has none), empty for CODE_TYPE_OTHER.
std::string TmxTypeFromCodeType(v1::CodeType type);

// The native markup of a code id, kept beside Content so that an export
// writes what was imported.
struct TmxNative {
  std::string open;   // bpt (or ph) content
  std::string close;  // ept content
  std::string type;   // the TMX type attribute
  friend bool operator==(const TmxNative&, const TmxNative&) = default;
};
std::map<int, TmxNative> TmxNativesFromSegment(const TmxSegment& segment);

// A segment for `content`, its codes written as bpt/ept (i = x = id) and
// ph (x = id), with the native markup of `natives` where the id has one.
// INVALID_ARGUMENT when an offset is past the text, off a character
// boundary or out of order, or paired codes do not balance.
absl::StatusOr<TmxSegment> TmxSegmentFromContent(
    const v1::Content& content, const std::map<int, TmxNative>& natives = {});

}  // namespace tessera::interchange

#endif  // TESSERA_INTERCHANGE_TMX_H_

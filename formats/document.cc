#include "formats/document.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/internal/utf8.h"

namespace tessera::formats {

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kMarkdown:
      return "markdown";
    case Format::kPlainText:
      return "plaintext";
  }
  return "unknown";
}

std::string_view CodeTypeName(CodeType type) {
  switch (type) {
    case CodeType::kEmphasis:
      return "emphasis";
    case CodeType::kStrong:
      return "strong";
    case CodeType::kStrikethrough:
      return "strikethrough";
    case CodeType::kLink:
      return "link";
    case CodeType::kImage:
      return "image";
    case CodeType::kCodeSpan:
      return "code";
    case CodeType::kAutolink:
      return "autolink";
    case CodeType::kFootnoteRef:
      return "footnote-ref";
    case CodeType::kSoftBreak:
      return "soft-break";
    case CodeType::kLineBreak:
      return "line-break";
    case CodeType::kHtml:
      return "html";
    case CodeType::kEscape:
      return "escape";
    case CodeType::kEntity:
      return "entity";
  }
  return "unknown";
}

std::string_view BlockKindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kParagraph:
      return "paragraph";
    case BlockKind::kHeading:
      return "heading";
    case BlockKind::kListItem:
      return "list-item";
    case BlockKind::kTableCell:
      return "table-cell";
    case BlockKind::kBlockQuote:
      return "block-quote";
    case BlockKind::kFootnoteDefinition:
      return "footnote-definition";
    case BlockKind::kOther:
      return "other";
  }
  return "unknown";
}

std::string ToReadable(const Content& content) {
  std::string out;
  out.reserve(content.text.size() + 6 * content.codes.size());
  size_t next = 0;
  const auto append_text = [&](size_t end) {
    end = std::min(end, content.text.size());
    for (; next < end; ++next) {
      const char c = content.text[next];
      out.push_back(c);
      if (c == '{' || c == '}') out.push_back(c);
    }
  };
  for (const CodeRef& ref : content.codes) {
    append_text(ref.offset);
    switch (ref.kind) {
      case CodeKind::kOpen:
        absl::StrAppend(&out, "{", ref.id, "}");
        break;
      case CodeKind::kClose:
        absl::StrAppend(&out, "{/", ref.id, "}");
        break;
      case CodeKind::kStandalone:
        absl::StrAppend(&out, "{", ref.id, "/}");
        break;
    }
  }
  append_text(content.text.size());
  return out;
}

absl::StatusOr<Content> ParseReadable(std::string_view readable) {
  RETURN_IF_ERROR(internal::CheckUtf8(readable, "readable content",
                                      /*allow_nul=*/false));
  Content content;
  size_t i = 0;
  const auto error = [&](size_t at, std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(
        "readable content: ", internal::Sv(what), " at byte offset ", at));
  };
  while (i < readable.size()) {
    const char c = readable[i];
    if (c == '}') {
      if (i + 1 < readable.size() && readable[i + 1] == '}') {
        content.text.push_back('}');
        i += 2;
        continue;
      }
      return error(i, "unpaired '}' (write \"}}\" for a brace)");
    }
    if (c != '{') {
      content.text.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < readable.size() && readable[i + 1] == '{') {
      content.text.push_back('{');
      i += 2;
      continue;
    }
    const size_t start = i;
    ++i;
    CodeKind kind = CodeKind::kOpen;
    if (i < readable.size() && readable[i] == '/') {
      kind = CodeKind::kClose;
      ++i;
    }
    int64_t id = 0;
    const size_t digits_start = i;
    while (i < readable.size() && readable[i] >= '0' && readable[i] <= '9' &&
           i - digits_start < 9) {
      id = id * 10 + (readable[i] - '0');
      ++i;
    }
    if (i == digits_start || id < 1) {
      return error(start, "code marker without a positive id");
    }
    if (kind == CodeKind::kOpen && i < readable.size() && readable[i] == '/') {
      kind = CodeKind::kStandalone;
      ++i;
    }
    if (i >= readable.size() || readable[i] != '}') {
      return error(start, "unterminated code marker");
    }
    ++i;
    content.codes.push_back(
        CodeRef{static_cast<int>(id), kind, content.text.size()});
  }
  return content;
}

namespace {

// The InlineCode a reference names, or nullptr.
const InlineCode* CodeOf(const Segment& segment, const CodeRef& ref) {
  for (const InlineCode& code : segment.codes) {
    if (code.id == ref.id && code.kind == ref.kind) return &code;
  }
  return nullptr;
}

// Calls run(k, text of run k) and code(ref, code) for the pieces of a
// segment's source content in document order: run 0, code 0, run 1, …
template <typename Run, typename Code>
void ForEachPiece(const Segment& segment, Run run, Code code) {
  const Content& c = segment.content;
  size_t pos = 0;
  for (size_t k = 0; k < c.codes.size(); ++k) {
    const size_t at = std::max(pos, std::min(c.codes[k].offset, c.text.size()));
    run(k, std::string_view(c.text).substr(pos, at - pos));
    pos = at;
    code(c.codes[k], CodeOf(segment, c.codes[k]));
  }
  run(c.codes.size(), std::string_view(c.text).substr(pos));
}

// Maps document offsets to upload offsets through the edits. Offsets must
// be asked in ascending order.
class EditMap {
 public:
  explicit EditMap(const std::vector<SourceEdit>& edits) : edits_(edits) {}

  size_t Map(size_t p) {
    while (next_ < edits_.size() && edits_[next_].end <= p) {
      const SourceEdit& e = edits_[next_];
      delta_ += static_cast<ptrdiff_t>(e.upload_end - e.upload_begin) -
                static_cast<ptrdiff_t>(e.end - e.begin);
      ++next_;
    }
    if (next_ < edits_.size() && edits_[next_].begin < p) {
      // Inside an edit: it belongs to the part where it begins.
      return edits_[next_].upload_end;
    }
    return static_cast<size_t>(static_cast<ptrdiff_t>(p) + delta_);
  }

 private:
  const std::vector<SourceEdit>& edits_;
  size_t next_ = 0;
  ptrdiff_t delta_ = 0;
};

}  // namespace

std::string SegmentSource(const Segment& segment) {
  std::string out;
  ForEachPiece(
      segment,
      [&](size_t k, std::string_view text) {
        out.append(segment.source_runs.empty() ? text
                                               : segment.source_runs[k]);
      },
      [&](const CodeRef&, const InlineCode* code) {
        if (code != nullptr) out.append(code->data);
      });
  return out;
}

absl::Status RestoreUploadBytes(std::string_view upload,
                                const std::vector<SourceEdit>& edits,
                                Document* document) {
  for (size_t i = 0; i < edits.size(); ++i) {
    const SourceEdit& e = edits[i];
    if (e.end < e.begin || e.upload_end < e.upload_begin ||
        e.upload_end > upload.size() ||
        (i > 0 && (e.begin < edits[i - 1].end ||
                   e.upload_begin < edits[i - 1].upload_end))) {
      return absl::InvalidArgumentError(
          absl::StrCat("source edit ", i, " is out of order or range"));
    }
  }
  EditMap map(edits);
  size_t pos = 0;  // document offset
  size_t mapped = map.Map(0);
  // Takes the next `n` document bytes; returns their upload bytes.
  const auto take = [&](size_t n) {
    const size_t from = mapped;
    pos += n;
    mapped = map.Map(pos);
    return std::string(upload.substr(std::min(from, upload.size()),
                                     mapped > from ? mapped - from : 0));
  };
  std::vector<std::string> runs;
  std::vector<std::string> nfc_runs;
  for (SkeletonPart& part : document->skeleton) {
    if (!part.is_hole()) {
      part.literal = take(part.literal.size());
      continue;
    }
    if (static_cast<size_t>(part.segment) >= document->segments.size()) {
      return absl::InvalidArgumentError("skeleton refers to a missing segment");
    }
    Segment& segment = document->segments[static_cast<size_t>(part.segment)];
    const Segment before = segment;
    runs.clear();
    // Upload offset where each pair's open code ends, for link labels.
    std::map<int, size_t> open_ends;
    std::map<const InlineCode*, std::string> data;
    std::map<const InlineCode*, size_t> label_from;
    std::map<const InlineCode*, size_t> close_begin;
    ForEachPiece(
        before,
        [&](size_t k, std::string_view text) {
          runs.push_back(take(before.source_runs.empty()
                                  ? text.size()
                                  : before.source_runs[k].size()));
        },
        [&](const CodeRef& ref, const InlineCode* code) {
          if (code == nullptr) return;
          const size_t begin = mapped;
          std::string bytes = take(code->data.size());
          if (ref.kind == CodeKind::kOpen) open_ends[ref.id] = mapped;
          if (ref.kind == CodeKind::kClose) {
            auto it = open_ends.find(ref.id);
            if (it != open_ends.end()) {
              label_from[code] = it->second;
              close_begin[code] = begin;
            }
          }
          data[code] = std::move(bytes);
        });
    bool differ = false;
    ForEachPiece(
        before,
        [&](size_t k, std::string_view text) {
          if (runs[k] != text) differ = true;
        },
        [](const CodeRef&, const InlineCode*) {});
    segment.source_runs = differ ? runs : std::vector<std::string>{};
    for (size_t i = 0; i < before.codes.size(); ++i) {
      const InlineCode& old = before.codes[i];
      InlineCode& code = segment.codes[i];
      auto d = data.find(&old);
      if (d == data.end()) continue;
      code.data = d->second;
      if (code.data == old.data) continue;
      if (old.type == CodeType::kAutolink) {
        if (old.equiv == old.data) {
          code.equiv = code.data;
        } else if (old.data == absl::StrCat("<", old.equiv, ">") &&
                   code.data.size() >= 2) {
          code.equiv = code.data.substr(1, code.data.size() - 2);
        }
      }
    }
    for (size_t i = 0; i < before.codes.size(); ++i) {
      const InlineCode& old = before.codes[i];
      if ((old.type != CodeType::kLink && old.type != CodeType::kImage) ||
          old.kind != CodeKind::kClose || old.equiv.empty()) {
        continue;
      }
      auto from = label_from.find(&old);
      if (from == label_from.end()) continue;
      const size_t to = close_begin[&old];
      if (to >= from->second && to <= upload.size()) {
        segment.codes[i].equiv =
            std::string(upload.substr(from->second, to - from->second));
      }
    }
  }
  if (mapped != upload.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("source edits map the document's ", pos, " bytes to ",
                     mapped, " of ", upload.size(), " uploaded bytes"));
  }
  return absl::OkStatus();
}

std::vector<Content> SourceContents(const Document& document) {
  std::vector<Content> contents;
  contents.reserve(document.segments.size());
  for (const Segment& segment : document.segments) {
    contents.push_back(segment.content);
  }
  return contents;
}

absl::Status ValidateContent(const Segment& segment, const Content& content) {
  RETURN_IF_ERROR(internal::CheckUtf8(content.text, "content text",
                                      /*allow_nul=*/false));
  // (id, kind) → index in segment.codes.
  std::map<std::pair<int, CodeKind>, size_t> known;
  for (size_t i = 0; i < segment.codes.size(); ++i) {
    known[{segment.codes[i].id, segment.codes[i].kind}] = i;
  }
  std::vector<bool> seen(segment.codes.size(), false);
  std::vector<int> open;
  size_t last_offset = 0;
  const auto name = [](const CodeRef& ref) {
    switch (ref.kind) {
      case CodeKind::kOpen:
        return absl::StrCat("{", ref.id, "}");
      case CodeKind::kClose:
        return absl::StrCat("{/", ref.id, "}");
      case CodeKind::kStandalone:
        break;
    }
    return absl::StrCat("{", ref.id, "/}");
  };
  for (const CodeRef& ref : content.codes) {
    if (ref.offset > content.text.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("code ", name(ref), " lies beyond the text"));
    }
    if (ref.offset < last_offset) {
      return absl::InvalidArgumentError(
          absl::StrCat("code ", name(ref), " is out of order"));
    }
    if (!internal::IsCharBoundary(content.text, ref.offset)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "code ", name(ref), " splits a character at byte ", ref.offset));
    }
    last_offset = ref.offset;
    const auto it = known.find({ref.id, ref.kind});
    if (it == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("code ", name(ref), " is not in the source segment"));
    }
    if (seen[it->second]) {
      return absl::InvalidArgumentError(
          absl::StrCat("code ", name(ref), " appears twice"));
    }
    seen[it->second] = true;
    if (ref.kind == CodeKind::kOpen) {
      open.push_back(ref.id);
    } else if (ref.kind == CodeKind::kClose) {
      if (open.empty() || open.back() != ref.id) {
        const bool opened =
            std::find(open.begin(), open.end(), ref.id) != open.end();
        return absl::InvalidArgumentError(
            absl::StrCat("code ", name(ref),
                         opened ? " crosses another paired code"
                                : " closes before it opens"));
      }
      open.pop_back();
    }
  }
  for (size_t i = 0; i < segment.codes.size(); ++i) {
    if (!seen[i]) {
      const InlineCode& code = segment.codes[i];
      return absl::InvalidArgumentError(
          absl::StrCat("code ", name(CodeRef{code.id, code.kind, 0}), " (",
                       internal::Sv(CodeTypeName(code.type)), ") is missing"));
    }
  }
  return absl::OkStatus();
}

// Binary layout, version 1. All integers are unsigned LEB128 varints;
// strings are a varint length then the bytes.
//
//   u8 version (1)  u8 format
//   varint part_count, then per part: u8 tag (0 literal, 1 hole),
//     literal: string; hole: varint segment index
//   varint segment_count, then per segment:
//     string text
//     varint ref_count, per ref: varint id, u8 kind, varint offset
//     varint code_count, per code: varint id, u8 kind, u8 type,
//       string data, string equiv
//     u8 block kind, varint heading level, varint block index,
//     varint nesting count, u8 per container kind
//     u8 flags (bit 0: translatable; bit 1: source runs follow)
//     with bit 1: varint run count (the ref count + 1), string per run
namespace {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Bytes(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  absl::Status U8(uint8_t* v) {
    if (pos_ >= in_.size()) return Truncated();
    *v = static_cast<uint8_t>(in_[pos_++]);
    return absl::OkStatus();
  }
  absl::Status Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Truncated();
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return absl::OkStatus();
    }
    return Corrupt("overlong varint");
  }
  // A count or index that must fit in an int and, since every element
  // takes at least one byte, cannot exceed the bytes left.
  absl::Status Count(size_t* v) {
    uint64_t raw = 0;
    RETURN_IF_ERROR(Varint(&raw));
    if (raw > in_.size() - pos_ || raw > 0x7FFFFFFF) {
      return Corrupt("count larger than the input");
    }
    *v = static_cast<size_t>(raw);
    return absl::OkStatus();
  }
  absl::Status Int(int* v) {
    uint64_t raw = 0;
    RETURN_IF_ERROR(Varint(&raw));
    if (raw > 0x7FFFFFFF) return Corrupt("integer out of range");
    *v = static_cast<int>(raw);
    return absl::OkStatus();
  }
  absl::Status Bytes(std::string* s) {
    uint64_t n = 0;
    RETURN_IF_ERROR(Varint(&n));
    if (n > in_.size() - pos_) return Truncated();
    s->assign(in_.substr(pos_, static_cast<size_t>(n)));
    pos_ += static_cast<size_t>(n);
    return absl::OkStatus();
  }
  bool done() const { return pos_ == in_.size(); }

  absl::Status Truncated() const {
    return absl::DataLossError(
        absl::StrCat("stored document is truncated at byte offset ", pos_));
  }
  absl::Status Corrupt(std::string_view what) const {
    return absl::DataLossError(
        absl::StrCat("stored document is corrupt near byte offset ", pos_, ": ",
                     internal::Sv(what)));
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

template <typename Enum>
absl::Status ReadEnum(Reader& r, uint8_t lo, uint8_t hi, Enum* out) {
  uint8_t v = 0;
  RETURN_IF_ERROR(r.U8(&v));
  if (v < lo || v > hi) return r.Corrupt("unknown enum value");
  *out = static_cast<Enum>(v);
  return absl::OkStatus();
}

}  // namespace

std::string SerializeDocument(const Document& document) {
  Writer w;
  w.U8(kDocumentFormatVersion);
  w.U8(static_cast<uint8_t>(document.format));
  w.Varint(document.skeleton.size());
  for (const SkeletonPart& part : document.skeleton) {
    if (part.is_hole()) {
      w.U8(1);
      w.Varint(static_cast<uint64_t>(part.segment));
    } else {
      w.U8(0);
      w.Bytes(part.literal);
    }
  }
  w.Varint(document.segments.size());
  for (const Segment& segment : document.segments) {
    w.Bytes(segment.content.text);
    w.Varint(segment.content.codes.size());
    for (const CodeRef& ref : segment.content.codes) {
      w.Varint(static_cast<uint64_t>(ref.id));
      w.U8(static_cast<uint8_t>(ref.kind));
      w.Varint(ref.offset);
    }
    w.Varint(segment.codes.size());
    for (const InlineCode& code : segment.codes) {
      w.Varint(static_cast<uint64_t>(code.id));
      w.U8(static_cast<uint8_t>(code.kind));
      w.U8(static_cast<uint8_t>(code.type));
      w.Bytes(code.data);
      w.Bytes(code.equiv);
    }
    const Context& context = segment.context;
    w.U8(static_cast<uint8_t>(context.kind));
    w.Varint(static_cast<uint64_t>(context.heading_level));
    w.Varint(static_cast<uint64_t>(context.block_index));
    w.Varint(context.nesting.size());
    for (BlockKind kind : context.nesting) w.U8(static_cast<uint8_t>(kind));
    const bool runs = !segment.source_runs.empty();
    w.U8((segment.translatable ? 1 : 0) | (runs ? 2 : 0));
    if (runs) {
      w.Varint(segment.source_runs.size());
      for (const std::string& run : segment.source_runs) w.Bytes(run);
    }
  }
  return w.Take();
}

absl::StatusOr<Document> DeserializeDocument(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version = 0;
  RETURN_IF_ERROR(r.U8(&version));
  if (version != kDocumentFormatVersion) {
    return absl::DataLossError(
        absl::StrCat("stored document has unknown format version ",
                     static_cast<int>(version)));
  }
  Document document;
  RETURN_IF_ERROR(ReadEnum(r, 1, 2, &document.format));
  size_t part_count = 0;
  RETURN_IF_ERROR(r.Count(&part_count));
  document.skeleton.reserve(part_count);
  for (size_t i = 0; i < part_count; ++i) {
    uint8_t tag = 0;
    RETURN_IF_ERROR(r.U8(&tag));
    SkeletonPart part;
    if (tag == 0) {
      RETURN_IF_ERROR(r.Bytes(&part.literal));
    } else if (tag == 1) {
      RETURN_IF_ERROR(r.Int(&part.segment));
    } else {
      return r.Corrupt("unknown skeleton part");
    }
    document.skeleton.push_back(std::move(part));
  }
  size_t segment_count = 0;
  RETURN_IF_ERROR(r.Count(&segment_count));
  document.segments.reserve(segment_count);
  for (size_t i = 0; i < segment_count; ++i) {
    Segment segment;
    RETURN_IF_ERROR(r.Bytes(&segment.content.text));
    size_t ref_count = 0;
    RETURN_IF_ERROR(r.Count(&ref_count));
    segment.content.codes.reserve(ref_count);
    for (size_t k = 0; k < ref_count; ++k) {
      CodeRef ref;
      RETURN_IF_ERROR(r.Int(&ref.id));
      RETURN_IF_ERROR(ReadEnum(r, 1, 3, &ref.kind));
      uint64_t offset = 0;
      RETURN_IF_ERROR(r.Varint(&offset));
      if (offset > segment.content.text.size()) {
        return r.Corrupt("code offset beyond the text");
      }
      ref.offset = static_cast<size_t>(offset);
      segment.content.codes.push_back(ref);
    }
    size_t code_count = 0;
    RETURN_IF_ERROR(r.Count(&code_count));
    segment.codes.reserve(code_count);
    for (size_t k = 0; k < code_count; ++k) {
      InlineCode code;
      RETURN_IF_ERROR(r.Int(&code.id));
      RETURN_IF_ERROR(ReadEnum(r, 1, 3, &code.kind));
      RETURN_IF_ERROR(ReadEnum(r, 1, 13, &code.type));
      RETURN_IF_ERROR(r.Bytes(&code.data));
      RETURN_IF_ERROR(r.Bytes(&code.equiv));
      segment.codes.push_back(std::move(code));
    }
    Context& context = segment.context;
    RETURN_IF_ERROR(ReadEnum(r, 1, 7, &context.kind));
    RETURN_IF_ERROR(r.Int(&context.heading_level));
    RETURN_IF_ERROR(r.Int(&context.block_index));
    size_t nesting_count = 0;
    RETURN_IF_ERROR(r.Count(&nesting_count));
    for (size_t k = 0; k < nesting_count; ++k) {
      BlockKind kind;
      RETURN_IF_ERROR(ReadEnum(r, 1, 7, &kind));
      context.nesting.push_back(kind);
    }
    uint8_t flags = 0;
    RETURN_IF_ERROR(r.U8(&flags));
    if (flags > 3) return r.Corrupt("unknown segment flags");
    segment.translatable = (flags & 1) != 0;
    if ((flags & 2) != 0) {
      size_t run_count = 0;
      RETURN_IF_ERROR(r.Count(&run_count));
      if (run_count != segment.content.codes.size() + 1) {
        return r.Corrupt("source runs do not match the codes");
      }
      segment.source_runs.resize(run_count);
      for (std::string& run : segment.source_runs) {
        RETURN_IF_ERROR(r.Bytes(&run));
      }
    }
    const absl::Status valid = ValidateContent(segment, segment.content);
    if (!valid.ok()) {
      return absl::DataLossError(absl::StrCat(
          "stored document is corrupt: segment ", i, ": ", valid.message()));
    }
    document.segments.push_back(std::move(segment));
  }
  if (!r.done()) return r.Corrupt("trailing bytes");
  // Holes must name every segment once, in order.
  size_t next_hole = 0;
  for (const SkeletonPart& part : document.skeleton) {
    if (!part.is_hole()) continue;
    if (static_cast<size_t>(part.segment) != next_hole) {
      return absl::DataLossError(
          "stored document is corrupt: skeleton holes out of order");
    }
    ++next_hole;
  }
  if (next_hole != document.segments.size()) {
    return absl::DataLossError(
        "stored document is corrupt: skeleton holes do not match segments");
  }
  return document;
}

}  // namespace tessera::formats

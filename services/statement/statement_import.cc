#include "services/statement/statement_import.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/import.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "services/common/errors.h"
#include "services/statement/statement_parse.h"
#include "services/statement/statement_validation.h"
#include "text/normalize.h"
#include "text/placeholders.h"
#include "text/segmenter.h"
#include "text/word_count.h"

namespace tessera::statement {
namespace {

std::string_view PlainCodeText(const formats::InlineCode& code) {
  switch (code.type) {
    case formats::CodeType::kEscape:
    case formats::CodeType::kEntity:
    case formats::CodeType::kSoftBreak:
    case formats::CodeType::kLineBreak:
    case formats::CodeType::kAutolink:
      return code.equiv;
    default:
      return {};
  }
}

// The segment's text as the importer's verbatim check reads it.
std::string PlainText(const formats::Segment& s) {
  std::string out;
  size_t next = 0;
  for (const auto& ref : s.content.codes) {
    size_t at = std::min(ref.offset, s.content.text.size());
    if (at > next) out.append(s.content.text, next, at - next);
    next = std::max(next, at);
    for (const auto& code : s.codes) {
      if (code.id == ref.id && code.kind == ref.kind) {
        out.append(PlainCodeText(code));
        break;
      }
    }
  }
  if (next < s.content.text.size()) out.append(s.content.text, next);
  return out;
}

size_t SourceBytes(const formats::Segment& s) {
  return formats::SegmentSource(s).size();
}

absl::Status SegmentLimitError(std::string_view what, int limit) {
  return QuotaExceededError(
      "max_segments_per_statement", limit,
      StrCat(what, "; the limit max_segments_per_statement is ", limit));
}

int CountLines(std::string_view s) {
  int lines = static_cast<int>(std::count(s.begin(), s.end(), '\n'));
  if (!s.empty() && s.back() != '\n') ++lines;
  return lines;
}

}  // namespace

std::string SegmentKey(const formats::Content& content) {
  std::string readable = formats::ToReadable(content);
  std::string out;
  out.reserve(readable.size());
  bool space = false;
  for (char c : readable) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<ImportResult> ImportDocument(formats::Format format,
                                            std::string_view source_language,
                                            std::string_view bytes,
                                            const ImportOptions& options) {
  const ImportLimits& limits = options.limits;
  RETURN_IF_ERROR(CheckDocumentSize(bytes, limits.max_document_bytes));
  size_t bad = FindInvalidUtf8(bytes);
  if (bad != std::string_view::npos) {
    return BadField("source", StrCat("invalid UTF-8 at byte offset ", bad),
                    "INVALID_UTF8", {{"byte_offset", StrCat(bad)}});
  }
  size_t nul = bytes.find('\0');
  if (nul != std::string_view::npos) {
    return BadField("source", StrCat("holds a NUL byte at byte offset ", nul));
  }
  if (format != formats::Format::kMarkdown &&
      format != formats::Format::kPlainText) {
    return BadField("format", "must be Markdown or plain text");
  }
  ImportResult result;
  ASSIGN_OR_RETURN(result.source_language,
                   CanonicalLanguage("source_language", source_language));
  RETURN_IF_ERROR(
      CheckRangesSyntax("no_translate_ranges", options.no_translate_ranges));

  std::string normalized;
  std::vector<formats::SourceEdit> edits;
  std::string_view source = bytes;
  if (!text::IsNfc(bytes)) {
    text::NfcMapping nfc = text::NormalizeNfcMapped(bytes);
    for (const text::NfcChange& c : nfc.changes) {
      edits.push_back(formats::SourceEdit{c.nfc_begin, c.nfc_end,
                                          c.input_begin, c.input_end});
    }
    normalized = std::move(nfc.nfc);
    source = normalized;
  }

  auto segmenter = text::Segmenter::ForLanguage(result.source_language);
  if (!segmenter.ok()) {
    if (!absl::IsInvalidArgument(segmenter.status())) {
      return segmenter.status();
    }
    return BadField("source_language",
                    std::string(segmenter.status().message()));
  }
  if (format == formats::Format::kMarkdown && limits.parse.prechecks) {
    RETURN_IF_ERROR(CheckMarkdownHazards(source));
  }
  ParseRequest request;
  request.format = format;
  request.language = result.source_language;
  request.max_segments =
      static_cast<size_t>(std::max(limits.max_segments, 0));
  request.source = source;
  for (const auto& r : options.no_translate_ranges) {
    if (r.kind == NoTranslateRange::Kind::kBlocks) {
      request.no_translate_blocks.push_back(
          {r.first, std::min(r.last, std::numeric_limits<int>::max() - 1) + 1});
    }
  }
  // Declared before the parse result, so it runs once that is freed.
  struct AfterParse {
    void (*hook)();
    ~AfterParse() {
      if (hook != nullptr) hook();
    }
  } after_parse{limits.parse.helper.empty() && source.size() >= 1000000
                    ? limits.parse.after_large_parse
                    : nullptr};
  auto imported =
      limits.parse.helper.empty()
          ? ParseInProcess(request, *std::move(segmenter))
          : ParseDocument(request, limits.parse, options.deadline,
                          options.cancelled);
  if (!imported.ok()) {
    if (absl::IsInvalidArgument(imported.status())) {
      return BadField("source", std::string(imported.status().message()));
    }
    // The formats importers' RESOURCE_EXHAUSTED is the segment limit; the
    // budget's own errors already carry their details.
    if (absl::IsResourceExhausted(imported.status()) &&
        !DetailsOf(imported.status()).has_value()) {
      return SegmentLimitError(std::string(imported.status().message()),
                               limits.max_segments);
    }
    return imported.status();
  }
  result.document = *std::move(imported);
  formats::Document& doc = result.document;
  const size_t n = doc.segments.size();

  // Where each segment starts in the source, hence its block's line.
  std::vector<size_t> starts(n, 0);
  size_t offset = 0;
  for (const auto& part : doc.skeleton) {
    if (part.is_hole()) {
      if (part.segment < 0 || static_cast<size_t>(part.segment) >= n) {
        return absl::InternalError("skeleton hole out of range");
      }
      starts[part.segment] = offset;
      offset += SourceBytes(doc.segments[part.segment]);
    } else {
      offset += part.literal.size();
    }
  }
  if (offset != source.size()) {
    return absl::InternalError(StrCat("the imported document covers ", offset,
                                      " of ", source.size(), " source bytes"));
  }
  std::vector<size_t> line_starts = {0};
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') line_starts.push_back(i + 1);
  }
  auto line_of = [&](size_t at) {
    return static_cast<int>(
        std::upper_bound(line_starts.begin(), line_starts.end(), at) -
        line_starts.begin());
  };

  int block_count = 0;
  for (const auto& s : doc.segments) {
    block_count = std::max(block_count, s.context.block_index + 1);
  }
  result.block_count = block_count;
  const int line_count = CountLines(source);
  for (size_t i = 0; i < options.no_translate_ranges.size(); ++i) {
    const NoTranslateRange& r = options.no_translate_ranges[i];
    std::string f = StrCat("no_translate_ranges[", i, "]");
    if (r.kind == NoTranslateRange::Kind::kBlocks && r.last >= block_count) {
      return BadField(f, StrCat("block ", r.last,
                                " is past the end: the "
                                "document has ",
                                block_count, " blocks"));
    }
    if (r.kind == NoTranslateRange::Kind::kLines && r.last > line_count) {
      return BadField(f, StrCat("line ", r.last,
                                " is past the end: the "
                                "document has ",
                                line_count, " lines"));
    }
  }

  if (n > static_cast<size_t>(limits.max_segments)) {
    return SegmentLimitError(StrCat("the document has ", n, " segments"),
                             limits.max_segments);
  }

  // Per block: first line, segment count, and marks.
  std::vector<int> block_line(block_count, 0);
  std::vector<int> block_segments(block_count, 0);
  std::vector<bool> block_marked(block_count, false);
  for (size_t i = 0; i < n; ++i) {
    int b = doc.segments[i].context.block_index;
    if (block_segments[b]++ == 0) block_line[b] = line_of(starts[i]);
  }
  for (const auto& r : options.no_translate_ranges) {
    for (int b = 0; b < block_count; ++b) {
      bool in = r.kind == NoTranslateRange::Kind::kBlocks
                    ? (b >= r.first && b <= r.last)
                    : (block_segments[b] > 0 && block_line[b] >= r.first &&
                       block_line[b] <= r.last);
      if (in) block_marked[b] = true;
    }
  }

  result.segments.resize(n);
  std::map<std::string, int> occurrences;
  std::string heading;       // text of the last heading block finished
  std::string this_heading;  // text of the heading block being read
  int heading_block = -1;
  int prev_block = -1;
  int index_in_block = 0;
  for (size_t i = 0; i < n; ++i) {
    formats::Segment& s = doc.segments[i];
    SegmentInfo& info = result.segments[i];
    const int b = s.context.block_index;
    if (b != prev_block) {
      if (heading_block >= 0) {
        heading = this_heading;
        this_heading.clear();
        heading_block = -1;
      }
      index_in_block = 0;
      prev_block = b;
    }
    if (s.content.text.size() > limits.max_segment_bytes) {
      return BadField("source",
                      StrCat("segment ", i + 1, " (",
                             formats::BlockKindName(s.context.kind), " block ",
                             b, " starting on line ", block_line[b], ") is ",
                             s.content.text.size(),
                             " bytes; the limit max_segment_bytes is ",
                             limits.max_segment_bytes, " bytes"),
                      "LIMIT_EXCEEDED",
                      {{"limit", "max_segment_bytes"},
                       {"value", StrCat(limits.max_segment_bytes)}});
    }
    if (block_marked[b]) s.translatable = false;
    if (!s.translatable) {
      info.no_translate_reason =
          !block_marked[b] && text::IsNonTranslatable(PlainText(s))
              ? NoTranslateReason::kDetected
              : NoTranslateReason::kMarked;
    }
    info.word_count = s.translatable ? text::CountWords(s.content.text,
                                                        result.source_language)
                                     : 0;
    info.placeholders = text::FindPlaceholders(s.content.text);
    info.index_in_block = index_in_block++;
    info.block_segment_count = block_segments[b];
    info.source_line = block_line[b];
    info.section_heading = heading;
    if (s.context.kind == formats::BlockKind::kHeading) {
      heading_block = b;
      if (!this_heading.empty()) this_heading.push_back(' ');
      this_heading.append(s.content.text);
    }
    std::string key = SegmentKey(s.content);
    int occurrence = ++occurrences[key];
    info.segment_id = HexEncode(Sha256(key).substr(0, 8));
    if (occurrence > 1) StrAppend(&info.segment_id, "x", occurrence);

    ++result.segment_count;
    if (s.translatable) {
      ++result.translatable_segment_count;
      result.word_count += info.word_count;
    }
  }
  if (source.data() != bytes.data()) {
    // Segments are NFC; renderings give the upload back as it came.
    RETURN_IF_ERROR(
        formats::RestoreUploadBytes(bytes, edits, &result.document));
  }
  return result;
}

}  // namespace tessera::statement

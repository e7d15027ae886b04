#include "formats/plaintext.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/internal/builder.h"
#include "formats/internal/utf8.h"
#include "formats/markdown.h"

namespace tessera::formats {
namespace {

struct Line {
  size_t begin;  // first byte
  size_t end;    // end of its text, before the line ending
};

std::vector<Line> SplitLines(std::string_view s) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = pos;
    while (end < s.size() && s[end] != '\n' && s[end] != '\r') ++end;
    lines.push_back(Line{pos, end});
    pos = end;
    if (pos < s.size()) {
      pos +=
          (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
    }
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

absl::StatusOr<Document> ImportPlainText(std::string_view utf8,
                                         const ImportOptions& options) {
  if (utf8.size() > kMaxImportBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("plain-text document of ", utf8.size(),
                     " bytes exceeds the limit of ", kMaxImportBytes));
  }
  RETURN_IF_ERROR(
      internal::CheckUtf8(utf8, "plain-text document", /*allow_nul=*/false));
  const std::vector<Line> lines = SplitLines(utf8);
  const auto text_of = [&](size_t i) {
    return utf8.substr(lines[i].begin, lines[i].end - lines[i].begin);
  };
  const auto is_marker = [&](size_t i) {
    return internal::IsMarkerLine(text_of(i), kNoTranslateBegin) ||
           internal::IsMarkerLine(text_of(i), kNoTranslateEnd);
  };
  // Offset of the first byte after a line's leading spaces and tabs.
  const auto content_begin = [&](size_t i) {
    const std::string_view t = text_of(i);
    const size_t skip = t.find_first_not_of(" \t");
    return lines[i].begin + (skip == std::string_view::npos ? t.size() : skip);
  };
  const auto content_end = [&](size_t i) {
    const std::string_view t = text_of(i);
    const size_t last = t.find_last_not_of(" \t");
    return lines[i].begin + (last == std::string_view::npos ? 0 : last + 1);
  };

  std::vector<internal::TextBlock> blocks;
  bool no_translate = false;
  size_t i = 0;
  while (i < lines.size()) {
    if (internal::IsMarkerLine(text_of(i), kNoTranslateBegin)) {
      no_translate = true;
      ++i;
      continue;
    }
    if (internal::IsMarkerLine(text_of(i), kNoTranslateEnd)) {
      no_translate = false;
      ++i;
      continue;
    }
    if (IsBlank(text_of(i))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < lines.size() && !IsBlank(text_of(j)) && !is_marker(j)) ++j;
    internal::TextBlock block;
    block.context.kind = BlockKind::kParagraph;
    block.no_translate = no_translate;
    for (size_t k = i; k < j; ++k) {
      internal::Token text;
      text.begin = content_begin(k);
      text.end = content_end(k);
      block.tokens.push_back(text);
      if (k + 1 < j) {
        // The line break keeps the trailing spaces, the line ending and
        // the next line's indentation.
        internal::Token brk;
        brk.is_code = true;
        brk.begin = text.end;
        brk.end = content_begin(k + 1);
        brk.kind = CodeKind::kStandalone;
        brk.type = CodeType::kLineBreak;
        brk.equiv = "\n";
        block.tokens.push_back(std::move(brk));
      }
    }
    blocks.push_back(std::move(block));
    i = j;
  }
  return internal::BuildDocument(Format::kPlainText, utf8, std::move(blocks),
                                 options);
}

}  // namespace tessera::formats

#include "formats/markdown.h"

// cmark-gfm's node.h exposes cmark_node::content: the raw inline text of a
// paragraph, heading or table cell exactly as the inline parser read it
// (container prefixes and continuation indentation removed, reference
// definitions taken out, table pipes unescaped). Inline source positions in
// cmark-gfm 0.29 are unreliable after the first line of a block, so the
// importer maps that text back to the source bytes line by line
// (internal/markdown_source.h, internal/markdown_tables.h for table cells)
// and then walks the inline tree with a cursor over it
// (internal/markdown_inline.h).
#include <cmark-gfm.h>
#include <cmark-gfm/node.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/internal/builder.h"
#include "formats/internal/cmark.h"
#include "formats/internal/markdown_inline.h"
#include "formats/internal/markdown_source.h"
#include "formats/internal/markdown_tables.h"
#include "formats/internal/utf8.h"

namespace tessera::formats {
namespace {

using internal::ContentMap;
using internal::IsCmarkSpace;
using internal::LineIndex;
using internal::RStrip;
using internal::SourceLine;
using internal::SplitLines;
using internal::TableCellMapper;
using internal::TextBlock;

class MarkdownImporter {
 public:
  explicit MarkdownImporter(std::string_view source)
      : source_(source), lines_(SplitLines(source)) {}

  absl::StatusOr<Document> Run(const ImportOptions& options) {
    internal::ParsedMarkdown parsed(source_);
    cmark_iter* it = cmark_iter_new(parsed.root());
    std::vector<BlockKind> containers;
    absl::Status status;
    cmark_event_type ev;
    while (status.ok() && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node* node = cmark_iter_get_node(it);
      const cmark_node_type type = cmark_node_get_type(node);
      if (type == CMARK_NODE_BLOCK_QUOTE || type == CMARK_NODE_ITEM ||
          type == CMARK_NODE_FOOTNOTE_DEFINITION) {
        if (ev == CMARK_EVENT_ENTER) {
          containers.push_back(
              type == CMARK_NODE_BLOCK_QUOTE ? BlockKind::kBlockQuote
              : type == CMARK_NODE_ITEM      ? BlockKind::kListItem
                                             : BlockKind::kFootnoteDefinition);
        } else {
          containers.pop_back();
        }
        continue;
      }
      if (ev != CMARK_EVENT_ENTER) continue;
      if (type == CMARK_NODE_HTML_BLOCK) {
        NoteMarker(node);
      } else if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ||
                 internal::IsTableCell(node)) {
        status = TextBlockOf(node, containers);
        cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
      }
    }
    cmark_iter_free(it);
    RETURN_IF_ERROR(status);
    ApplyMarkers();
    return internal::BuildDocument(Format::kMarkdown, source_,
                                   std::move(blocks_), options);
  }

 private:
  absl::Status TextBlockOf(cmark_node* node,
                           const std::vector<BlockKind>& containers) {
    if (cmark_node_first_child(node) == nullptr) return absl::OkStatus();
    const std::string_view content(
        reinterpret_cast<const char*>(node->content.ptr),
        static_cast<size_t>(node->content.size));
    TextBlock block;
    block.context.nesting = containers;
    ContentMap map;
    const cmark_node_type type = cmark_node_get_type(node);
    if (type == CMARK_NODE_HEADING) {
      block.context.kind = BlockKind::kHeading;
      block.context.heading_level = cmark_node_get_heading_level(node);
      if (node->as.heading.setext) {
        RETURN_IF_ERROR(MapLines(content, LineIndex(node->start_line),
                                 std::nullopt, /*pipes=*/false, &map));
      } else {
        RETURN_IF_ERROR(MapAtxHeading(content, node, &map));
      }
    } else if (type == CMARK_NODE_PARAGRAPH) {
      block.context.kind =
          containers.empty() ? BlockKind::kParagraph : containers.back();
      if (node->start_line > 0) {
        RETURN_IF_ERROR(
            MapLines(content, LineIndex(node->start_line),
                     node->end_line >= node->start_line
                         ? std::optional<size_t>(LineIndex(node->end_line))
                         : std::nullopt,
                     /*pipes=*/false, &map));
      } else {
        // A paragraph cut off before a table has no position (the table
        // starts on its first line) and its pipes were unescaped.
        cmark_node* next = cmark_node_next(node);
        const size_t first = next != nullptr && next->start_line > 0
                                 ? LineIndex(next->start_line)
                                 : 0;
        RETURN_IF_ERROR(
            MapLines(content, first, std::nullopt, /*pipes=*/true, &map));
      }
    } else {
      block.context.kind = BlockKind::kTableCell;
      RETURN_IF_ERROR(
          TableCellMapper(source_, lines_).MapTableCell(content, node, &map));
    }
    // The inline parser reads the text without its trailing whitespace.
    std::string_view text = content;
    while (!text.empty() && internal::IsCmarkTrailingSpace(text.back())) {
      text.remove_suffix(1);
    }
    RETURN_IF_ERROR(
        internal::TokenizeInlines(node, source_, text, map, &block.tokens));
    blocks_.push_back(std::move(block));
    return absl::OkStatus();
  }

  std::string_view LineText(size_t i) const {
    return source_.substr(lines_[i].begin, lines_[i].end - lines_[i].begin);
  }

  // Maps a multi-line block: each line of `content` is the end of one
  // source line (whatever precedes it is container prefix and indentation).
  // With `pipes`, "\|" in the source reads as "|": the table extension
  // unescapes the paragraph lines it cuts off before a table.
  absl::Status MapLines(std::string_view content, size_t first_hint,
                        std::optional<size_t> last_hint, bool pipes,
                        ContentMap* map) {
    std::vector<std::string_view> rows;
    for (size_t pos = 0; pos < content.size();) {
      const size_t nl = content.find('\n', pos);
      const size_t end = nl == std::string_view::npos ? content.size() : nl;
      rows.push_back(content.substr(pos, end - pos));
      pos = end + 1;
    }
    const size_t n = rows.size();
    if (n == 0) return absl::InternalError("markdown import: empty block");
    // A row is indentation (kept by lazy continuation lines, tabs possibly
    // expanded to spaces), a core that ends its source line, and trailing
    // spaces.
    const auto indent = [](std::string_view row) {
      return std::min(row.find_first_not_of(" \t"), row.size());
    };
    std::vector<size_t> starts(n);  // source offset of each row's core
    size_t first_line = 0;
    const auto fits = [&](size_t s) {
      if (s + n > lines_.size()) return false;
      for (size_t j = 0; j < n; ++j) {
        const std::optional<size_t> start =
            MatchRow(s + j, RStrip(rows[j].substr(indent(rows[j]))), pipes);
        if (!start.has_value()) return false;
        starts[j] = *start;
      }
      first_line = s;
      return true;
    };
    bool found = last_hint.has_value() && *last_hint + 1 >= n &&
                 fits(*last_hint + 1 - n);
    for (size_t s = first_hint; !found && s + n <= lines_.size(); ++s) {
      found = fits(s);
    }
    if (!found) {
      return absl::InternalError(absl::StrCat(
          "markdown import: block text not found from line ", first_hint + 1));
    }
    size_t c = 0;
    size_t c_gap = 0;  // text offset where the previous row's gap starts
    size_t s_gap = 0;  // and its source offset
    for (size_t j = 0; j < n; ++j) {
      const size_t lead = indent(rows[j]);
      const size_t core = RStrip(rows[j].substr(lead)).size();
      // The indentation: the same bytes just before the core when they are
      // there, else (a tab cut by a container) the whitespace run before it.
      size_t s_lead = starts[j];
      if (lead > 0) {
        if (starts[j] >= lead &&
            source_.substr(starts[j] - lead, lead) == rows[j].substr(0, lead)) {
          s_lead = starts[j] - lead;
        } else {
          const size_t line_begin = lines_[first_line + j].begin;
          while (s_lead > line_begin &&
                 (source_[s_lead - 1] == ' ' || source_[s_lead - 1] == '\t')) {
            --s_lead;
          }
        }
      }
      if (j > 0) {
        // Trailing spaces, the line ending, the container prefix.
        map->Add(ContentMap::Kind::kGap, c_gap, c, s_gap, s_lead);
      }
      map->Add(ContentMap::Kind::kVerbatim, c, c + lead, s_lead, starts[j]);
      c += lead;
      s_gap = MapRun(c, starts[j], core, pipes, map);
      c += core;
      c_gap = c;
      c += rows[j].size() - lead - core + 1;
    }
    return absl::OkStatus();
  }

  // Where `row` (without trailing spaces) starts at the end of line `li`,
  // or nullopt. With `pipes`, "\|" in the line reads as "|".
  std::optional<size_t> MatchRow(size_t li, std::string_view row,
                                 bool pipes) const {
    const std::string_view line = RStrip(LineText(li));
    if (!pipes) {
      if (row.size() > line.size() ||
          line.substr(line.size() - row.size()) != row) {
        return std::nullopt;
      }
      return lines_[li].begin + line.size() - row.size();
    }
    std::string unescaped;
    std::vector<size_t> at;  // source offset of each unescaped byte
    for (size_t i = 0; i < line.size(); ++i) {
      at.push_back(lines_[li].begin + i);
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') ++i;
      unescaped.push_back(line[i]);
    }
    if (row.size() > unescaped.size() ||
        unescaped.compare(unescaped.size() - row.size(), row.size(), row) !=
            0) {
      return std::nullopt;
    }
    return row.empty() ? lines_[li].begin + line.size()
                       : at[unescaped.size() - row.size()];
  }

  // Maps `len` text bytes at text offset `c` to the source from offset `s`
  // (with `pipes`, "\|" for "|"). Returns the source offset after them.
  size_t MapRun(size_t c, size_t s, size_t len, bool pipes,
                ContentMap* map) const {
    size_t run_c = c;
    size_t run_s = s;
    for (size_t k = 0; k < len; ++k) {
      if (pipes && source_[s] == '\\' && s + 1 < source_.size() &&
          source_[s + 1] == '|') {
        map->Add(ContentMap::Kind::kVerbatim, run_c, c, run_s, s);
        map->Add(ContentMap::Kind::kPipe, c, c + 1, s, s + 2);
        c += 1;
        s += 2;
        run_c = c;
        run_s = s;
      } else {
        ++c;
        ++s;
      }
    }
    map->Add(ContentMap::Kind::kVerbatim, run_c, c, run_s, s);
    return s;
  }

  absl::Status MapAtxHeading(std::string_view content, cmark_node* node,
                             ContentMap* map) {
    const size_t li = LineIndex(node->start_line);
    if (li >= lines_.size()) {
      return absl::InternalError("markdown import: heading line not found");
    }
    const std::string_view line = LineText(li);
    size_t p = node->start_column > 0
                   ? std::min(line.size(), size_t(node->start_column - 1))
                   : 0;
    p = line.find('#', p);
    if (p == std::string_view::npos) p = line.find('#');
    if (p != std::string_view::npos) {
      while (p < line.size() && line[p] == '#') ++p;
      while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
      if (line.substr(p, content.size()) != content) {
        p = line.find(content, p);
      }
    }
    if (p == std::string_view::npos) {
      return absl::InternalError(absl::StrCat(
          "markdown import: heading text not found on line ", li + 1));
    }
    const size_t s = lines_[li].begin + p;
    map->Add(ContentMap::Kind::kVerbatim, 0, content.size(), s,
             s + content.size());
    return absl::OkStatus();
  }

  void NoteMarker(cmark_node* node) {
    const char* literal = cmark_node_get_literal(node);
    if (literal == nullptr || node->start_line <= 0) return;
    const size_t li = LineIndex(node->start_line);
    if (li >= lines_.size()) return;
    if (internal::IsMarkerLine(literal, kNoTranslateBegin)) {
      markers_.emplace_back(lines_[li].begin, true);
    } else if (internal::IsMarkerLine(literal, kNoTranslateEnd)) {
      markers_.emplace_back(lines_[li].begin, false);
    }
  }

  // A block lies in a no-translate region when the last marker line
  // before it begins one.
  void ApplyMarkers() {
    std::sort(markers_.begin(), markers_.end());
    for (TextBlock& block : blocks_) {
      if (block.tokens.empty()) continue;
      const auto after =
          std::lower_bound(markers_.begin(), markers_.end(),
                           std::make_pair(block.tokens.front().begin, false));
      if (after != markers_.begin() && std::prev(after)->second) {
        block.no_translate = true;
      }
    }
  }

  std::string_view source_;
  std::vector<SourceLine> lines_;
  std::vector<TextBlock> blocks_;
  std::vector<std::pair<size_t, bool>> markers_;  // (offset, begins)
};

}  // namespace

absl::StatusOr<Document> ImportMarkdown(std::string_view utf8,
                                        const ImportOptions& options) {
  if (utf8.size() > kMaxImportBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("markdown document of ", utf8.size(),
                     " bytes exceeds the limit of ", kMaxImportBytes));
  }
  RETURN_IF_ERROR(
      internal::CheckUtf8(utf8, "markdown document", /*allow_nul=*/false));
  return MarkdownImporter(utf8).Run(options);
}

}  // namespace tessera::formats

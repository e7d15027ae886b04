#include "formats/internal/markdown_tables.h"

// node.h: cmark_node::content and the cell's source columns.
#include <cmark-gfm.h>
#include <cmark-gfm/node.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tessera::formats::internal {

// The cell text cmark reads from raw cell bytes: "\|" unescaped, then
// trimmed.
std::string TableCellMapper::CellText(size_t r0, size_t r1) const {
  std::string out;
  for (size_t r = r0; r < r1; ++r) {
    if (source_[r] == '\\' && r + 1 < r1 && source_[r + 1] == '|') ++r;
    out.push_back(source_[r]);
  }
  return std::string(TrimCell(out));
}

void TableCellMapper::MapCellRange(size_t r0, size_t r1, ContentMap* map,
                                   bool trim) const {
  while (trim && r0 < r1 && IsCmarkSpace(source_[r0])) ++r0;
  while (trim && r1 > r0 && IsCmarkTrailingSpace(source_[r1 - 1])) --r1;
  size_t c = 0;
  size_t run = r0;
  for (size_t i = r0; i < r1;) {
    if (source_[i] == '\\' && i + 1 < r1 && source_[i + 1] == '|') {
      map->Add(ContentMap::Kind::kVerbatim, c, c + (i - run), run, i);
      c += i - run;
      map->Add(ContentMap::Kind::kPipe, c, c + 1, i, i + 2);
      c += 1;
      i += 2;
      run = i;
    } else {
      ++i;
    }
  }
  map->Add(ContentMap::Kind::kVerbatim, c, c + (r1 - run), run, r1);
}

// Byte ranges of a row line's pieces between unescaped pipes.
std::vector<std::pair<size_t, size_t>> TableCellMapper::SplitPipes(
    size_t li) const {
  std::vector<std::pair<size_t, size_t>> pieces;
  size_t start = lines_[li].begin;
  for (size_t i = start; i < lines_[li].end; ++i) {
    if (source_[i] == '|' && (i == start || source_[i - 1] != '\\')) {
      pieces.emplace_back(start, i);
      start = i + 1;
    }
  }
  pieces.emplace_back(start, lines_[li].end);
  return pieces;
}

// cmark-gfm keeps some whitespace at a cell's edges that its trimming
// rules elsewhere drop (a form feed or vertical tab opening a row without
// a leading pipe, "\f a \f" before the first pipe). When the trimmed forms
// do not match, the cell is looked up as it stands in piece `index` or
// `index + 1` of line `li`.
bool TableCellMapper::FindUntrimmedCell(
    size_t li, std::string_view content, size_t index,
    std::pair<size_t, size_t>* range) const {
  const std::vector<std::pair<size_t, size_t>> pieces = SplitPipes(li);
  for (size_t pi = index; pi <= index + 1 && pi < pieces.size(); ++pi) {
    std::string text;
    std::vector<size_t> at;  // source offset of each byte of `text`
    for (size_t r = pieces[pi].first; r < pieces[pi].second; ++r) {
      at.push_back(r);
      if (source_[r] == '\\' && r + 1 < pieces[pi].second &&
          source_[r + 1] == '|') {
        ++r;
      }
      text.push_back(source_[r]);
    }
    const size_t found = text.find(content);
    if (found == std::string::npos) continue;
    const size_t end = found + content.size();
    range->first = content.empty() ? pieces[pi].first : at[found];
    range->second = end < at.size() ? at[end] : pieces[pi].second;
    return true;
  }
  return false;
}

// cmark-gfm's delimiter row allows any of its whitespace, vertical tab and
// form feed included.
bool TableCellMapper::IsDelimiterRow(size_t li) const {
  const std::string_view line = LineText(li);
  return line.find('-') != std::string_view::npos &&
         line.find_first_not_of(" \t\v\f|:->") == std::string_view::npos;
}

// Finds the cells of `row` on source line `li`, with or without a leading
// pipe.
bool TableCellMapper::AlignRow(
    size_t li, cmark_node* row,
    std::vector<std::pair<size_t, size_t>>* cells) const {
  std::vector<std::string_view> contents;
  for (cmark_node* c = cmark_node_first_child(row); c != nullptr;
       c = cmark_node_next(c)) {
    contents.emplace_back(reinterpret_cast<const char*>(c->content.ptr),
                          static_cast<size_t>(c->content.size));
  }
  const std::vector<std::pair<size_t, size_t>> pieces = SplitPipes(li);
  for (int leading_pipe = 1; leading_pipe >= 0; --leading_pipe) {
    if (leading_pipe &&
        source_.substr(pieces[0].first, pieces[0].second - pieces[0].first)
                .find_first_not_of(" \t>-+*.)0123456789") !=
            std::string_view::npos) {
      continue;
    }
    cells->clear();
    bool ok = true;
    for (size_t i = 0; i < contents.size() && ok; ++i) {
      const size_t pi = i + static_cast<size_t>(leading_pipe);
      if (pi >= pieces.size()) {
        ok = contents[i].empty();
        cells->emplace_back(lines_[li].end, lines_[li].end);
        continue;
      }
      std::pair<size_t, size_t> range = pieces[pi];
      if (!leading_pipe && i == 0) {
        ok = false;
        for (size_t st = range.first; st <= range.second; ++st) {
          if (CellText(st, range.second) == contents[0]) {
            range.first = st;
            ok = true;
            break;
          }
        }
      } else {
        ok = CellText(range.first, range.second) == contents[i];
      }
      cells->push_back(range);
    }
    if (ok) return true;
  }
  return false;
}

absl::Status TableCellMapper::MapTableCell(std::string_view content,
                                           cmark_node* cell,
                                           ContentMap* map) const {
  // cmark records the raw cell (between pipes) as columns of its line,
  // except for a header row that interrupts a paragraph.
  const size_t li = LineIndex(cell->start_line);
  if (cell->start_line > 0 && li < lines_.size() && cell->start_column > 0 &&
      cell->end_column >= cell->start_column - 1) {
    const size_t r0 = lines_[li].begin + size_t(cell->start_column - 1);
    const size_t r1 = lines_[li].begin + size_t(cell->end_column);
    if (r1 <= lines_[li].end && CellText(r0, r1) == content) {
      MapCellRange(r0, r1, map);
      return absl::OkStatus();
    }
  }
  cmark_node* row = cmark_node_parent(cell);
  cmark_node* table = row != nullptr ? cmark_node_parent(row) : nullptr;
  size_t index = 0;
  for (cmark_node* c = cmark_node_first_child(row); c != cell && c != nullptr;
       c = cmark_node_next(c)) {
    ++index;
  }
  // A body row is on its own line; a header row is the first line after
  // the table start that has a delimiter row below it. When the header
  // interrupts a paragraph, the table starts with that paragraph, whose
  // lines may look like a header too, so the line above the delimiter row
  // is tried first: above the first body row, or the table's last line.
  const bool header = row == cmark_node_first_child(table);
  if (header && table != nullptr) {
    cmark_node* body = cmark_node_next(row);
    const size_t delimiter =
        body != nullptr && cmark_node_first_child(body) != nullptr
            ? LineIndex(cmark_node_first_child(body)->start_line) - 1
            : LineIndex(table->end_line);
    std::vector<std::pair<size_t, size_t>> cells;
    if (delimiter >= 1 && delimiter < lines_.size() &&
        IsDelimiterRow(delimiter) && AlignRow(delimiter - 1, row, &cells) &&
        index < cells.size()) {
      MapCellRange(cells[index].first, cells[index].second, map);
      return absl::OkStatus();
    }
  }
  const size_t from =
      header ? (table != nullptr ? LineIndex(table->start_line) : 0) : li;
  const size_t to = header ? lines_.size() : std::min(li + 1, lines_.size());
  for (size_t l = from; l < to; ++l) {
    if (header && (l + 1 >= lines_.size() || !IsDelimiterRow(l + 1))) {
      continue;
    }
    std::vector<std::pair<size_t, size_t>> cells;
    if (AlignRow(l, row, &cells) && index < cells.size()) {
      MapCellRange(cells[index].first, cells[index].second, map);
      return absl::OkStatus();
    }
  }
  for (size_t l = from; l < to; ++l) {
    if (header && (l + 1 >= lines_.size() || !IsDelimiterRow(l + 1))) {
      continue;
    }
    std::pair<size_t, size_t> range;
    if (FindUntrimmedCell(l, content, index, &range)) {
      MapCellRange(range.first, range.second, map, /*trim=*/false);
      return absl::OkStatus();
    }
  }
  return absl::InternalError(absl::StrCat(
      "markdown import: table cell not found near line ", cell->start_line));
}

}  // namespace tessera::formats::internal

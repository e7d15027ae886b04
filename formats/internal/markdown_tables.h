// Table cells in Markdown import: finds the source bytes of a GFM table
// cell, whose text cmark unescapes ("\\|" for "|") and trims, and maps the
// cell's text onto them. Internal to formats/.
#ifndef TESSERA_FORMATS_INTERNAL_MARKDOWN_TABLES_H_
#define TESSERA_FORMATS_INTERNAL_MARKDOWN_TABLES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "formats/internal/markdown_source.h"

struct cmark_node;

namespace tessera::formats::internal {

class TableCellMapper {
 public:
  // Neither is owned; both must outlive the mapper.
  TableCellMapper(std::string_view source, const std::vector<SourceLine>& lines)
      : source_(source), lines_(lines) {}

  // Maps `content`, the text cmark read for table cell `cell`, onto its
  // source bytes. INTERNAL when the cell is not found in the source.
  absl::Status MapTableCell(std::string_view content, cmark_node* cell,
                            ContentMap* map) const;

 private:
  std::string_view LineText(size_t i) const {
    return source_.substr(lines_[i].begin, lines_[i].end - lines_[i].begin);
  }
  std::string CellText(size_t r0, size_t r1) const;
  void MapCellRange(size_t r0, size_t r1, ContentMap* map,
                    bool trim = true) const;
  bool FindUntrimmedCell(size_t li, std::string_view content, size_t index,
                         std::pair<size_t, size_t>* range) const;
  std::vector<std::pair<size_t, size_t>> SplitPipes(size_t li) const;
  bool IsDelimiterRow(size_t li) const;
  bool AlignRow(size_t li, cmark_node* row,
                std::vector<std::pair<size_t, size_t>>* cells) const;

  std::string_view source_;
  const std::vector<SourceLine>& lines_;
};

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_MARKDOWN_TABLES_H_

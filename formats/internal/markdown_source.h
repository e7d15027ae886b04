// The source side of Markdown import: the source split into lines, the
// whitespace rules cmark applies, and ContentMap, which maps offsets in a
// block's inline text (as cmark read it) back to source offsets. Internal
// to formats/; pure values, thread-compatible.
#ifndef TESSERA_FORMATS_INTERNAL_MARKDOWN_SOURCE_H_
#define TESSERA_FORMATS_INTERNAL_MARKDOWN_SOURCE_H_

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace tessera::formats::internal {

// One source line: [begin, end) is its text, without the line ending
// ("\n", "\r\n" or "\r", the ones cmark knows).
struct SourceLine {
  size_t begin;
  size_t end;
};

std::vector<SourceLine> SplitLines(std::string_view s);

// The characters cmark treats as whitespace.
bool IsCmarkSpace(char c);

// The characters cmark trims from the end of a paragraph, heading or table
// cell: a vertical tab or form feed there stays text.
bool IsCmarkTrailingSpace(char c);

// `s` without trailing spaces and tabs.
std::string_view RStrip(std::string_view s);

// `s` without leading and trailing cmark whitespace.
std::string_view Trim(std::string_view s);

// `s` without leading cmark whitespace and trailing IsCmarkTrailingSpace,
// as cmark-gfm trims a table cell.
std::string_view TrimCell(std::string_view s);

// The 0-based index of cmark's 1-based line number (0 for no position).
inline size_t LineIndex(int cmark_line) {
  return cmark_line > 0 ? static_cast<size_t>(cmark_line - 1) : 0;
}

// Maps offsets in a block's inline text (as cmark read it) to source
// offsets. Spans are contiguous in both spaces: verbatim runs (same bytes),
// gaps (trailing spaces and a line ending in the text; trailing spaces, the
// line ending, the next line's container prefix and indentation in the
// source) and unescaped table pipes ("|" for "\|").
class ContentMap {
 public:
  enum class Kind { kVerbatim, kGap, kPipe };
  struct Span {
    size_t c_begin, c_end, s_begin, s_end;
    Kind kind;
  };

  void Add(Kind kind, size_t c_begin, size_t c_end, size_t s_begin,
           size_t s_end) {
    if (c_end == c_begin && s_end == s_begin) return;
    spans_.push_back(Span{c_begin, c_end, s_begin, s_end, kind});
  }

  // Source offset where text byte `c` starts.
  size_t SourceBegin(size_t c) const {
    const Span* s = Find(c, /*at_end=*/false);
    if (s == nullptr) return spans_.empty() ? 0 : spans_.back().s_end;
    return std::min(s->s_begin + (c - s->c_begin), s->s_end);
  }
  // Source offset where text ending before byte `c` ends.
  size_t SourceEnd(size_t c) const {
    const Span* s = Find(c, /*at_end=*/true);
    if (s == nullptr) return spans_.empty() ? 0 : spans_.front().s_begin;
    if (c == s->c_end) return s->s_end;
    return std::min(s->s_begin + (c - s->c_begin), s->s_end);
  }

  const std::vector<Span>& spans() const { return spans_; }

  // The span holding text byte `c` (at_end: holding byte c - 1).
  const Span* Find(size_t c, bool at_end) const {
    auto it = std::upper_bound(spans_.begin(), spans_.end(), c,
                               [&](size_t v, const Span& s) {
                                 return v < s.c_begin + (at_end ? 1 : 0);
                               });
    if (it == spans_.begin()) return nullptr;
    --it;
    if (at_end ? (c > it->c_begin && c <= it->c_end)
               : (c >= it->c_begin && c < it->c_end)) {
      return &*it;
    }
    return nullptr;
  }

 private:
  std::vector<Span> spans_;
};

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_MARKDOWN_SOURCE_H_

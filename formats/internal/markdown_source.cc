#include "formats/internal/markdown_source.h"

namespace tessera::formats::internal {

std::vector<SourceLine> SplitLines(std::string_view s) {
  std::vector<SourceLine> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = pos;
    while (end < s.size() && s[end] != '\n' && s[end] != '\r') ++end;
    lines.push_back(SourceLine{pos, end});
    pos = end;
    if (pos < s.size()) {
      pos +=
          (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
    }
  }
  return lines;
}

bool IsCmarkSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

bool IsCmarkTrailingSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view RStrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsCmarkSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsCmarkSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimCell(std::string_view s) {
  while (!s.empty() && IsCmarkSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsCmarkTrailingSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace tessera::formats::internal

#include "formats/export.h"

#include <vector>

#include "formats/internal/cmark.h"

namespace tessera::formats {
namespace {

void AppendEscaped(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      default:
        *out += c;
    }
  }
}

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::string MarkdownToHtml(std::string_view markdown) {
  return internal::ParsedMarkdown(markdown).Html();
}

std::string MarkdownToPlainText(std::string_view markdown) {
  return internal::ParsedMarkdown(markdown).PlainText();
}

std::string PlainTextToHtml(std::string_view text) {
  std::string out;
  std::vector<std::string_view> paragraph;
  const auto flush = [&] {
    if (paragraph.empty()) return;
    out += "<p>";
    for (size_t i = 0; i < paragraph.size(); ++i) {
      if (i > 0) out += "<br>\n";
      AppendEscaped(paragraph[i], &out);
    }
    out += "</p>\n";
    paragraph.clear();
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Blank(line)) {
      flush();
    } else {
      paragraph.push_back(line);
    }
    pos = end + 1;
  }
  flush();
  return out;
}

}  // namespace tessera::formats

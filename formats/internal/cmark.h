// Thin RAII wrapper over cmark-gfm for the formats module: parsing with the
// GFM extensions Tessera supports, and an element-structure signature used
// to check that a rendered document keeps its source's structure.
// Each ParsedMarkdown is owned by one thread; parsing is thread-safe.
#ifndef TESSERA_FORMATS_INTERNAL_CMARK_H_
#define TESSERA_FORMATS_INTERNAL_CMARK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct cmark_node;
struct cmark_parser;

namespace tessera::formats::internal {

// Options shared by import, render checks and tests.
struct ParseOptions {
  bool autolink = true;  // the GFM autolink extension
};

class ParsedMarkdown {
 public:
  // Parses `markdown` as CommonMark with the GFM table, strikethrough and
  // (optionally) autolink extensions and footnotes.
  explicit ParsedMarkdown(std::string_view markdown, ParseOptions options = {});
  ~ParsedMarkdown();
  ParsedMarkdown(const ParsedMarkdown&) = delete;
  ParsedMarkdown& operator=(const ParsedMarkdown&) = delete;

  cmark_node* root() const { return root_; }

  // HTML as cmark-gfm renders it (raw HTML kept).
  std::string Html() const;

  // Plain text as cmark-gfm renders it, without line wrapping.
  std::string PlainText() const;

 private:
  cmark_parser* parser_ = nullptr;
  cmark_node* root_ = nullptr;
};

// True for the extension node types, which have no fixed enum value.
bool IsTableCell(cmark_node* node);
bool IsStrikethrough(cmark_node* node);

// Length of the character reference ("&amp;", "&#35;") starting at s[pos],
// which must be '&', including the '&' and the ';', with what it decodes
// to in `decoded`; 0 when cmark would read a literal '&' there.
size_t EntityLength(std::string_view s, size_t pos, std::string* decoded);

// What Render compares between a source and its translation.
struct Analysis {
  // The element structure: every node but text, with heading levels and
  // list types, in document order; links that merely show their own
  // address (autolinks, however written) are left out, since a translation
  // may add one. Documents that differ only in text (and where lines break
  // inside a paragraph) have equal signatures.
  std::string signature;
  // (text, url) of each link left out above, sorted.
  std::vector<std::pair<std::string, std::string>> autolinks;
};
Analysis Analyze(cmark_node* root);

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_CMARK_H_

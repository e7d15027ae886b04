// Test helpers for the formats module: reading the shared corpus (files,
// the GFM spec examples as JSON lines, UDHR XML turned into Markdown),
// pseudo-translation, cmark-gfm HTML and its tag sequence, and a small
// sentence splitter standing in for the text module's. Test-only.
#ifndef TESSERA_FORMATS_TEST_UTIL_H_
#define TESSERA_FORMATS_TEST_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "formats/document.h"

namespace tessera::formats::testing {

absl::StatusOr<std::string> ReadFile(const std::string& path);

// Sorted paths of the regular files in `dir` whose names end in `suffix`.
std::vector<std::string> ListFiles(const std::string& dir,
                                   std::string_view suffix);

// One example of gfm-spec-examples.jsonl.
struct SpecExample {
  std::string source;  // spec.txt, extensions.txt or regression.txt
  int example = 0;     // 1-based within its source
  std::string section;
  std::string markdown;
  std::string html;
};

// Parses the JSON-lines file: one object a line with string fields source,
// section, markdown, html, a number field example, and an array field
// extensions (skipped). Returns INVALID_ARGUMENT naming the line on a
// syntax error.
absl::StatusOr<std::vector<SpecExample>> ParseSpecExamples(
    std::string_view jsonl);

// Turns a UDHR XML file into Markdown: the document title becomes "# ",
// preamble and article titles "## ", paragraphs paragraphs, list items
// "- " items; character references are decoded. Returns INVALID_ARGUMENT
// for malformed XML.
absl::StatusOr<std::string> UdhrToMarkdown(std::string_view xml);

// Returns a pseudo-translation of every segment (or only the translatable
// ones): each text run keeps its outer spaces and its first and last
// characters (they decide how Markdown reads the codes next to it), and
// its middle gets accents on ASCII vowels and 'c', 'n', 'y' and is wrapped
// in ⟦…⟧. Text inside code spans only gets the accents: brackets could
// form backtick runs, which no escape can neutralise there. Codes stay at
// the same run boundaries.
std::vector<Content> PseudoTranslate(const Document& document,
                                     bool translatable_only = false);

// Applies the pseudo-translation to one text run.
std::string PseudoText(std::string_view text);

// HTML of `markdown` by cmark-gfm with the table, strikethrough and autolink
// extensions and footnotes, raw HTML kept.
std::string MarkdownToHtml(std::string_view markdown);

// The tags of `html` in order ("<p>", "</em>", "<a href=\"…\">"), with the
// values of alt attributes blanked (an image's alt is its translated text).
std::vector<std::string> TagSequence(std::string_view html);

// A rough sentence splitter for tests: a sentence ends after '.', '!', '?'
// or '…' (plus closing quotes and brackets) and the spaces that follow, when
// a capital, a digit or an opening quote comes next, except after a number
// ("1. PCPCI"); a line also ends at "\n". Returns end offsets, the last
// being text.size().
std::vector<size_t> SimpleSentenceSplit(std::string_view text);

}  // namespace tessera::formats::testing

#endif  // TESSERA_FORMATS_TEST_UTIL_H_

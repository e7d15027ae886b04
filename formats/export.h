// Export renderings of an assembled document: HTML and plain text from
// Markdown (cmark-gfm with the GFM table, strikethrough and autolink
// extensions and footnotes, as import reads it), and HTML from plain text.
//
// Stateless and thread-safe.
#ifndef TESSERA_FORMATS_EXPORT_H_
#define TESSERA_FORMATS_EXPORT_H_

#include <string>
#include <string_view>

namespace tessera::formats {

// An HTML fragment (no <html> or <body>); raw HTML in the source is kept,
// as the source's author wrote it.
std::string MarkdownToHtml(std::string_view markdown);

// The text of the document without Markdown syntax, as cmark-gfm's
// plain-text renderer writes it (no line wrapping).
std::string MarkdownToPlainText(std::string_view markdown);

// A <p> per paragraph (runs of lines between blank lines), its lines
// joined by <br>, text HTML-escaped.
std::string PlainTextToHtml(std::string_view text);

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_EXPORT_H_

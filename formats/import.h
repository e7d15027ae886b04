// Options shared by the importers (markdown.h, plaintext.h).
//
// Sentence splitting and the verbatim check are injected so that the
// formats module stays independent of the text module: the statement
// service passes text::Segmenter::Split and the text module's placeholder
// check. Options are plain values; the callbacks must be safe to call from
// the importing thread.
#ifndef TESSERA_FORMATS_IMPORT_H_
#define TESSERA_FORMATS_IMPORT_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace tessera::formats {

// Marker lines. A line holding only kNoTranslateBegin (surrounding spaces
// allowed) starts a region whose blocks are imported as non-translatable
// segments; a line holding only kNoTranslateEnd ends it (an unclosed region
// runs to the end of the document). In Markdown these are HTML comments, so
// they never show in the rendered page; plain text uses the same lines. The
// marker lines stay in the skeleton.
inline constexpr std::string_view kNoTranslateBegin =
    "<!-- tessera:no-translate -->";
inline constexpr std::string_view kNoTranslateEnd = "<!-- tessera:end -->";

// Half-open range [begin, end) of Context::block_index values.
struct BlockRange {
  int begin = 0;
  int end = 0;
};

struct ImportOptions {
  // Returns the byte offsets where sentences end in `text`, ascending, the
  // last one text.size() (text::Segmenter::Split has this contract). The
  // text is one block's text with line breaks as "\n", escapes and
  // character references decoded and autolinks as their text; other codes
  // add nothing. Unset: each block is one segment. Breaks
  // inside a paired code (bold text, a link) are ignored, so codes never
  // cross segments.
  std::function<std::vector<size_t>(std::string_view text)> split_sentences;

  // Returns true when a segment's text should be copied verbatim rather
  // than translated. Unset: IsVerbatimText.
  std::function<bool(std::string_view text)> is_verbatim;

  // Blocks whose segments are marked non-translatable, in addition to those
  // between marker lines.
  std::vector<BlockRange> no_translate_blocks;

  // Most segments the document may have; 0 for no limit. Segmenting stops
  // as soon as the count passes it and the import returns
  // RESOURCE_EXHAUSTED, so an oversized document is refused without
  // building all its segments.
  size_t max_segments = 0;
};

// The built-in verbatim check: true when `text` holds no word, only
// numbers, URLs, e-mail addresses, punctuation, symbols and spaces ("2025",
// "www.icor.info", "(…)", "31.10.2025 – 08.11.2025"). Letters are judged by
// Unicode block, which is coarse; the text module's placeholder detection
// replaces it through ImportOptions::is_verbatim.
bool IsVerbatimText(std::string_view text);

}  // namespace tessera::formats

#endif  // TESSERA_FORMATS_IMPORT_H_

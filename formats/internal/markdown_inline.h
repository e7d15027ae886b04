// The inline half of Markdown import: walks the inline tree of one block
// with a cursor over the block's text (as cmark read it), emitting text and
// code tokens with exact source ranges. Internal to formats/.
#ifndef TESSERA_FORMATS_INTERNAL_MARKDOWN_INLINE_H_
#define TESSERA_FORMATS_INTERNAL_MARKDOWN_INLINE_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "formats/internal/builder.h"
#include "formats/internal/markdown_source.h"

struct cmark_node;

namespace tessera::formats::internal {

// Appends the tokens of `block`'s inlines to `out`. `text` is the block's
// inline text without trailing whitespace, `map` maps it into `source`.
// INTERNAL, naming the source byte, when the text does not spell the parse.
absl::Status TokenizeInlines(cmark_node* block, std::string_view source,
                             std::string_view text, const ContentMap& map,
                             std::vector<Token>* out);

}  // namespace tessera::formats::internal

#endif  // TESSERA_FORMATS_INTERNAL_MARKDOWN_INLINE_H_

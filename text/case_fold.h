// Unicode case folding, for case-insensitive search over stored text. Pure
// function, safe to call from any thread.
#ifndef TESSERA_TEXT_CASE_FOLD_H_
#define TESSERA_TEXT_CASE_FOLD_H_

#include <string>
#include <string_view>

namespace tessera::text {

// Returns `utf8` with full Unicode default case folding (CaseFolding.txt,
// statuses C and F: "Straße" folds to "strasse", "ΣΑΣ" to "σασ"), so that
// two texts equal up to case fold to equal strings. Folding does not
// normalise: apply NormalizeNfc first when both sides must compare in NFC.
// `utf8` should be well-formed; each ill-formed sequence becomes U+FFFD.
std::string FoldCase(std::string_view utf8);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_CASE_FOLD_H_

// BCP 47 language tags, canonicalised through ICU.
//
// Every language a statement, user scope or segmenter refers to is stored in
// the canonical form produced here ("fr", "pt-BR", "zh-Hans", "ckb"), so two
// spellings of one language always compare equal. Pure functions, safe to
// call from any thread.
#ifndef TESSERA_TEXT_LANGUAGE_H_
#define TESSERA_TEXT_LANGUAGE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tessera::text {

// Longest tag accepted, in bytes. Real tags are far shorter; the cap keeps
// junk out of keys and error messages.
inline constexpr size_t kMaxLanguageTagLength = 64;

// Returns the canonical BCP 47 form of `tag`: "pt-br" and "pt_BR" give
// "pt-BR", "zh-hans" gives "zh-Hans", "EN" gives "en", deprecated codes are
// replaced ("iw" gives "he").
// Returns INVALID_ARGUMENT, naming the tag, when it is empty, longer than
// kMaxLanguageTagLength, not well-formed BCP 47 as a whole ("x", "en--US",
// "fr-", "123", "not a tag"), or names no language ("und", "x-private").
absl::StatusOr<std::string> CanonicalizeLanguageTag(std::string_view tag);

// Returns the primary language subtag of a canonical tag: "pt" for "pt-BR",
// "zh" for "zh-Hans". The input is expected to come from
// CanonicalizeLanguageTag; any other input gives its text up to the first
// '-' or '_'.
std::string LanguageOf(std::string_view canonical_tag);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_LANGUAGE_H_

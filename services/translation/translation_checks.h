// The checks a translation change runs on its input before anything is
// read or written: free text (reasons, comments), the structure of a
// content, and the QA of a submitted translation. Only
// services/translation/ includes this header.
//
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_CHECKS_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_CHECKS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "formats/document.h"
#include "text/qa.h"

namespace tessera::translation::internal {

// A free-text field (reason, comment) in NFC. INVALID_ARGUMENT naming
// `field` when it is not UTF-8 (INVALID_UTF8), longer than `max` bytes, or,
// unless `optional`, empty or only whitespace.
absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view text, size_t max,
                                      bool optional);

// OK when `content` has the structure every stored content must have (see
// formats::CheckContentStructure; `required`: not empty); INVALID_ARGUMENT
// naming the field under "content." otherwise.
absl::Status CheckStructure(const formats::Content& content, bool required);

// `content` with its text NFC, piece by piece between code offsets so that
// the offsets stay on the same characters.
formats::Content NormalizeContent(const formats::Content& content);

// The QA of `content` submitted as the translation of `segment` from
// `source_language` into `language`: the warnings to store with it, or
// INVALID_ARGUMENT (QA_ERRORS) with a BadRequest violation per error and
// every issue (errors first) as a payload for QaIssuesOf, or
// INVALID_ARGUMENT naming "content" for anything else ValidateContent
// refuses.
absl::StatusOr<std::vector<text::QaIssue>> CheckSubmission(
    const formats::Segment& segment, const formats::Content& content,
    std::string_view source_language, std::string_view language);

}  // namespace tessera::translation::internal

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_CHECKS_H_

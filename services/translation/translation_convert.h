// Conversions between the TranslationService API messages (tessera.v1) and
// the translation core's types, and parsing of translation resource names.
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_CONVERT_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_CONVERT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/translation/translation_model.h"
#include "tessera/v1/translation.pb.h"

namespace tessera::translation {

void ToProto(const Translation& t, v1::Translation* out);
void ToProto(const HistoryEntry& e, const TranslationRef& ref,
             v1::HistoryEntry* out);
void ToProto(const Comment& c, const TranslationRef& ref, v1::Comment* out);
void ToProto(const text::QaIssue& issue, v1::QaIssue* out);
void ToProto(const formats::Content& c, v1::Content* out);

// The content of a request; INVALID_ARGUMENT naming `field` for an
// unknown code kind.
absl::StatusOr<formats::Content> ContentFromProto(std::string_view field,
                                                  const v1::Content& content);

// "statements/{statement_id}/languages/{language}/segments/{segment_id}";
// INVALID_ARGUMENT naming `field` otherwise. The language is returned as
// written (the core canonicalises it).
absl::StatusOr<TranslationRef> ParseTranslationName(std::string_view field,
                                                    std::string_view name);

// "statements/{statement_id}/languages/{language}": statement and language.
absl::StatusOr<std::pair<std::string, std::string>> ParseLanguageName(
    std::string_view field, std::string_view name);

// The `version` of a change request; INVALID_ARGUMENT naming "version"
// unless it is positive.
absl::StatusOr<uint64_t> VersionFromProto(int64_t version);

// The filters of ListSegments; INVALID_ARGUMENT for an unknown state or a
// malformed assignee.
absl::StatusOr<ListSegmentsQuery> QueryFromProto(
    const v1::ListSegmentsRequest& request);

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_CONVERT_H_

// Conversions between memory.proto messages and the memory core's types.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_CONVERT_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_CONVERT_H_

#include "absl/status/statusor.h"
#include "services/memory/memory_core.h"
#include "services/memory/memory_tmx.h"
#include "services/translation/translation_model.h"
#include "tessera/v1/memory.pb.h"

namespace tessera::memory {

// Validates and converts; INVALID_ARGUMENT naming the field.
absl::StatusOr<LookupQuery> FromProto(const v1::LookupRequest& req);

// The segment and the limits; `lookup` has its target language, min_score
// and max_results set.
struct SuggestionsQuery {
  translation::TranslationRef ref;
  LookupQuery lookup;
};
absl::StatusOr<SuggestionsQuery> FromProto(
    const v1::GetSuggestionsRequest& req);

struct ConcordanceQuery {
  std::string source_language;
  std::string target_language;
  std::string phrase;
  bool in_target = false;
  int max_results = 20;
};
absl::StatusOr<ConcordanceQuery> FromProto(
    const v1::SearchConcordanceRequest& req);

// ImportTmxRequest: `options` has the languages and the provenance set.
struct ImportTmxQuery {
  TmxImportOptions options;
  bool validate_only = false;
};
absl::StatusOr<ImportTmxQuery> FromProto(const v1::ImportTmxRequest& req);

struct ExportTmxQuery {
  std::string source_language;
  std::vector<std::string> target_languages;  // empty: every granted one
  absl::Time from = absl::InfinitePast();     // update_time in [from, to)
  absl::Time to = absl::InfiniteFuture();
};
absl::StatusOr<ExportTmxQuery> FromProto(const v1::ExportTmxRequest& req);

void ToProto(const storage::memory::MemoryUnitRecord& r, v1::MemoryUnit* out);
void ToProto(const Match& m, v1::MemoryMatch* out);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_CONVERT_H_

// TranslationReader: what the publication core reads of translations, the
// port through which it depends on the translation service. It speaks only
// the translation model (translation_model.h). The translation service
// supplies the in-process adapter
// (services/translation/translation_reader_for_publication.h).
//
// No permission checks: the publication core authorises its own callers.
// The publication core adds no precondition on translation keys: a
// publication records the translation versions it was made of (its
// manifest and fingerprint) instead.
//
// Implementations are thread-safe.
#ifndef TESSERA_SERVICES_PUBLICATION_TRANSLATION_READER_H_
#define TESSERA_SERVICES_PUBLICATION_TRANSLATION_READER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/translation/translation_model.h"

namespace tessera::publication {

class TranslationReader {
 public:
  virtual ~TranslationReader() = default;

  // Segments and words per state of `language` (canonical) in the
  // statement's current revision; cheap (a few counter reads). NOT_FOUND
  // for an absent statement.
  virtual absl::StatusOr<translation::Progress> GetProgress(
      std::string_view statement_id, std::string_view language) const = 0;

  // Every stored translation of `language` (canonical), ordered by segment
  // id; a segment without one is untranslated at version 1. The result
  // reflects every source revision committed before the call (translations
  // carried over to it). NOT_FOUND for an absent statement.
  virtual absl::StatusOr<std::vector<translation::StoredTranslation>>
  ScanTranslations(std::string_view statement_id,
                   std::string_view language) const = 0;
};

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_TRANSLATION_READER_H_

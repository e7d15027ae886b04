// TranslationReaderForPublication: the in-process adapter of the
// publication core's TranslationReader port onto TranslationCore. Both
// calls go straight to the core's reads for other services (no permission
// checks).
//
// Thread-safe; the core is not owned and must outlive the adapter.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_PUBLICATION_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_PUBLICATION_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/publication/translation_reader.h"
#include "services/translation/translation_model.h"

namespace tessera::translation {

class TranslationCore;

class TranslationReaderForPublication final
    : public publication::TranslationReader {
 public:
  explicit TranslationReaderForPublication(TranslationCore* core);

  absl::StatusOr<Progress> GetProgress(
      std::string_view statement_id, std::string_view language) const override;
  absl::StatusOr<std::vector<StoredTranslation>> ScanTranslations(
      std::string_view statement_id, std::string_view language) const override;

 private:
  TranslationCore* core_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_PUBLICATION_H_

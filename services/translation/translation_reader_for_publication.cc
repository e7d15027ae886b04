#include "services/translation/translation_reader_for_publication.h"

#include "services/translation/translation_core.h"

namespace tessera::translation {

TranslationReaderForPublication::TranslationReaderForPublication(
    TranslationCore* core)
    : core_(core) {}

absl::StatusOr<Progress> TranslationReaderForPublication::GetProgress(
    std::string_view statement_id, std::string_view language) const {
  return core_->GetProgress(statement_id, language);
}

absl::StatusOr<std::vector<StoredTranslation>>
TranslationReaderForPublication::ScanTranslations(
    std::string_view statement_id, std::string_view language) const {
  return core_->ScanTranslations(statement_id, language);
}

}  // namespace tessera::translation

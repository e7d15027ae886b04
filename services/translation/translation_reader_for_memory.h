// The memory's TranslationReader (services/memory/approval_reader.h) over
// TranslationCore.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_MEMORY_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_MEMORY_H_

#include "services/memory/approval_reader.h"

namespace tessera::translation {

class TranslationCore;

class TranslationReaderForMemory final : public memory::TranslationReader {
 public:
  explicit TranslationReaderForMemory(TranslationCore* core) : core_(core) {}
  absl::StatusOr<std::vector<memory::SegmentTranslation>> Translations(
      std::string_view statement_id, std::string_view language) const override;

 private:
  TranslationCore* core_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_MEMORY_H_

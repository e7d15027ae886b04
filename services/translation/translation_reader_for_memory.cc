#include "services/translation/translation_reader_for_memory.h"

#include "common/status_macros.h"
#include "services/translation/translation_core.h"

namespace tessera::translation {

absl::StatusOr<std::vector<memory::SegmentTranslation>>
TranslationReaderForMemory::Translations(std::string_view statement_id,
                                         std::string_view language) const {
  ASSIGN_OR_RETURN(std::vector<StoredTranslation> stored,
                   core_->ScanTranslations(statement_id, language));
  std::vector<memory::SegmentTranslation> out;
  out.reserve(stored.size());
  for (StoredTranslation& t : stored) {
    memory::SegmentTranslation m;
    m.segment_id = std::move(t.segment_id);
    m.approved = t.state == SegmentState::kApproved && t.current;
    m.content = std::move(t.content);
    m.author = std::move(t.author);
    if (!t.approvers.empty()) m.reviewer = t.approvers.back();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace tessera::translation

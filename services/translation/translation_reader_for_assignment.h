// TranslationReaderForAssignment: the in-process TranslationReader and
// WorkGuardRegistry of the assignment core (services/assignment/
// translation_reader.h, work_guard_registry.h), answered by TranslationCore
// and, for the claim guard, by the translation records themselves: both
// live in the same Store as the assignment records, so the guard is an
// ExpectVersion on the translation record, checked in the claim's own
// atomic commit.
//
// Thread-safe; the store and the core must outlive the adapter.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_ASSIGNMENT_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_ASSIGNMENT_H_

#include <cstdint>
#include <string_view>

#include "services/assignment/translation_reader.h"
#include "services/assignment/work_guard_registry.h"
#include "services/translation/translation_core.h"
#include "storage/store.h"

namespace tessera::translation {

class TranslationReaderForAssignment final
    : public assignment::TranslationReader,
      public assignment::WorkGuardRegistry {
 public:
  // Neither owned. `store` is the one `core` keeps its records in.
  TranslationReaderForAssignment(storage::Store* store, TranslationCore* core)
      : store_(store), core_(core) {}

  absl::StatusOr<Progress> GetProgress(std::string_view statement_id,
                                       std::string_view language) override;
  absl::StatusOr<TranslationPage> ListSegments(
      std::string_view statement_id, std::string_view language, int page_size,
      std::string_view page_token) override;
  absl::StatusOr<Translation> LoadTranslation(
      const TranslationRef& ref) override;
  absl::StatusOr<assignment::SegmentWork> ReadSegmentState(
      uint64_t iid, std::string_view language,
      std::string_view segment_id) override;
  void GuardUnchanged(uint64_t iid, std::string_view language,
                      std::string_view segment_id, uint64_t version,
                      storage::WriteSet* writes) override;

  void SetWorkGuard(WorkGuard* guard) override { core_->SetWorkGuard(guard); }
  void SetWorkReader(WorkReader* reader) override {
    core_->SetWorkReader(reader);
  }

 private:
  storage::Store* store_;
  TranslationCore* core_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_READER_FOR_ASSIGNMENT_H_

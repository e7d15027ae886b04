#include "services/translation/translation_reader_for_assignment.h"

#include <optional>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "services/common/principal.h"
#include "services/translation/translation_keys.h"
#include "services/translation/translation_records.pb.h"
#include "storage/table.h"

namespace tessera::translation {
namespace {

using TranslationTable =
    storage::Table<storage::translation::TranslationRecord>;

}  // namespace

absl::StatusOr<Progress> TranslationReaderForAssignment::GetProgress(
    std::string_view statement_id, std::string_view language) {
  return core_->GetProgress(statement_id, language);
}

absl::StatusOr<TranslationPage> TranslationReaderForAssignment::ListSegments(
    std::string_view statement_id, std::string_view language, int page_size,
    std::string_view page_token) {
  return core_->ListSegments(InternalPrincipal(), statement_id, language, {},
                             page_size, page_token);
}

absl::StatusOr<Translation> TranslationReaderForAssignment::LoadTranslation(
    const TranslationRef& ref) {
  return core_->LoadTranslation(ref);
}

absl::StatusOr<assignment::SegmentWork>
TranslationReaderForAssignment::ReadSegmentState(uint64_t iid,
                                                 std::string_view language,
                                                 std::string_view segment_id) {
  const TranslationTable table(store_, kTranslationsCf, kTranslationsFormat,
                               "translation");
  ASSIGN_OR_RETURN(auto stored,
                   table.Get(TranslationRecordKey(iid, language, segment_id)));
  assignment::SegmentWork out;
  if (!stored.has_value()) return out;
  out.version = stored->version;
  out.state = static_cast<SegmentState>(stored->record.state());
  out.author = stored->record.author();
  out.approvers.assign(stored->record.approvers().begin(),
                       stored->record.approvers().end());
  return out;
}

void TranslationReaderForAssignment::GuardUnchanged(uint64_t iid,
                                                    std::string_view language,
                                                    std::string_view segment_id,
                                                    uint64_t version,
                                                    storage::WriteSet* writes) {
  // Every translation change writes the record at version + 1, so an
  // unchanged version means no change committed since it was read.
  writes->ExpectVersion(kTranslationsCf,
                        TranslationRecordKey(iid, language, segment_id),
                        version);
}

}  // namespace tessera::translation

#include "services/statement/statement_reader_for_translation.h"

#include "services/common/principal.h"

namespace tessera::statement {

absl::StatusOr<std::pair<Statement, uint64_t>>
StatementReaderForTranslation::LoadStatementWithInternalId(
    std::string_view statement_id) const {
  return statements_->LoadStatementWithInternalId(statement_id);
}

absl::StatusOr<Revision> StatementReaderForTranslation::GetRevision(
    std::string_view statement_id, int revision_number) const {
  return statements_->GetRevision(InternalPrincipal(), statement_id,
                                  revision_number,
                                  /*full=*/false);
}

absl::StatusOr<SourceSegment> StatementReaderForTranslation::GetSourceSegment(
    std::string_view statement_id, std::string_view segment_id,
    int revision_number) const {
  return statements_->GetSourceSegment(InternalPrincipal(), statement_id,
                                       segment_id, revision_number);
}

absl::StatusOr<SourceSegmentPage>
StatementReaderForTranslation::ListSourceSegments(
    std::string_view statement_id, int revision_number, int page_size,
    std::string_view page_token, bool translatable_only) const {
  return statements_->ListSourceSegments(InternalPrincipal(), statement_id,
                                         revision_number, page_size, page_token,
                                         translatable_only);
}

}  // namespace tessera::statement

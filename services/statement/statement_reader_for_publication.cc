#include "services/statement/statement_reader_for_publication.h"

#include "services/common/principal.h"
#include "services/statement/statement_core.h"

namespace tessera::statement {
StatementReaderForPublication::StatementReaderForPublication(
    const StatementCore* core)
    : core_(core) {}

absl::StatusOr<Statement> StatementReaderForPublication::LoadStatement(
    std::string_view statement_id) const {
  return core_->LoadStatement(statement_id);
}

absl::StatusOr<std::pair<Statement, uint64_t>>
StatementReaderForPublication::LoadStatementWithInternalId(
    std::string_view statement_id) const {
  return core_->LoadStatementWithInternalId(statement_id);
}

absl::StatusOr<SourceSegmentPage>
StatementReaderForPublication::ListSourceSegments(
    std::string_view statement_id, int revision_number, int page_size,
    std::string_view page_token, bool translatable_only) const {
  return core_->ListSourceSegments(InternalPrincipal(), statement_id,
                                   revision_number, page_size, page_token,
                                   translatable_only);
}

absl::StatusOr<RevisionDocument>
StatementReaderForPublication::LoadRevisionDocument(
    std::string_view statement_id, int revision_number) const {
  return core_->LoadRevisionDocument(statement_id, revision_number);
}

}  // namespace tessera::statement

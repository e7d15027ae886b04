#include "services/statement/statement_reader_for_assignment.h"

#include "services/common/principal.h"

namespace tessera::statement {

absl::StatusOr<std::pair<Statement, uint64_t>>
StatementReaderForAssignment::LoadStatementWithInternalId(
    std::string_view statement_id) {
  return core_->LoadStatementWithInternalId(statement_id);
}

absl::StatusOr<StatementPage> StatementReaderForAssignment::ListStatements(
    const ListStatementsQuery& query, int page_size,
    std::string_view page_token) {
  return core_->ListStatements(InternalPrincipal(), query, page_size,
                               page_token);
}

absl::StatusOr<Revision> StatementReaderForAssignment::GetRevision(
    std::string_view statement_id, int revision_number) {
  return core_->GetRevision(InternalPrincipal(), statement_id, revision_number,
                            /*full=*/false);
}

absl::StatusOr<SourceSegment> StatementReaderForAssignment::GetSourceSegment(
    std::string_view statement_id, std::string_view segment_id,
    int revision_number) {
  return core_->GetSourceSegment(InternalPrincipal(), statement_id, segment_id,
                                 revision_number);
}

absl::StatusOr<SourceSegmentPage>
StatementReaderForAssignment::ListSourceSegments(std::string_view statement_id,
                                                 int revision_number,
                                                 int page_size,
                                                 std::string_view page_token) {
  return core_->ListSourceSegments(InternalPrincipal(), statement_id,
                                   revision_number, page_size, page_token,
                                   /*translatable_only=*/false);
}

}  // namespace tessera::statement

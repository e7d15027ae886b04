// StatementReaderForAssignment: the in-process StatementReader of the
// assignment core (services/assignment/statement_reader.h), answered by
// StatementCore. It reads as an internal admin, so nothing is filtered by
// permissions, as the port promises.
//
// Thread-safe; the core must outlive the adapter.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_ASSIGNMENT_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_ASSIGNMENT_H_

#include "services/assignment/statement_reader.h"
#include "services/statement/statement_core.h"

namespace tessera::statement {

class StatementReaderForAssignment final : public assignment::StatementReader {
 public:
  explicit StatementReaderForAssignment(const StatementCore* core)
      : core_(core) {}

  absl::StatusOr<std::pair<Statement, uint64_t>> LoadStatementWithInternalId(
      std::string_view statement_id) override;
  absl::StatusOr<StatementPage> ListStatements(
      const ListStatementsQuery& query, int page_size,
      std::string_view page_token) override;
  absl::StatusOr<Revision> GetRevision(std::string_view statement_id,
                                       int revision_number) override;
  absl::StatusOr<SourceSegment> GetSourceSegment(std::string_view statement_id,
                                                 std::string_view segment_id,
                                                 int revision_number) override;
  absl::StatusOr<SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token) override;

 private:
  const StatementCore* core_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_ASSIGNMENT_H_

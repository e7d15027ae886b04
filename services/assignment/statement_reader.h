// StatementReader: what the assignment core reads of statements, and
// nothing else. The statement service supplies the in-process adapter
// (services/statement/statement_reader_for_assignment.h); a split
// deployment would put a gRPC client behind the same interface.
//
// No method checks permissions: the assignment core decides who may see
// what. Implementations are thread-safe and must outlive the core.
#ifndef TESSERA_SERVICES_ASSIGNMENT_STATEMENT_READER_H_
#define TESSERA_SERVICES_ASSIGNMENT_STATEMENT_READER_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "services/statement/statement_model.h"

namespace tessera::assignment {

class StatementReader {
 public:
  virtual ~StatementReader() = default;

  // The statement and its internal id: the u64 that starts its keys in
  // every per-statement column family, stable for the statement's life.
  // NOT_FOUND if there is no such statement.
  virtual absl::StatusOr<std::pair<statement::Statement, uint64_t>>
  LoadStatementWithInternalId(std::string_view statement_id) = 0;

  // Statements matching `query` in the statement service's listing order,
  // one page of at most `page_size` (clamped to
  // statement::kMaxStatementPageSize); an empty next_page_token ends the
  // listing. INVALID_ARGUMENT for a bad query or page token.
  virtual absl::StatusOr<statement::StatementPage> ListStatements(
      const statement::ListStatementsQuery& query, int page_size,
      std::string_view page_token) = 0;

  // Revision `revision_number` (never 0) without its source and skeleton:
  // its numbers and its changes against the revision before. NOT_FOUND if
  // the statement or the revision does not exist.
  virtual absl::StatusOr<statement::Revision> GetRevision(
      std::string_view statement_id, int revision_number) = 0;

  // One segment of revision `revision_number` (0: the current one).
  // NOT_FOUND if the statement does not exist or the revision has no such
  // segment.
  virtual absl::StatusOr<statement::SourceSegment> GetSourceSegment(
      std::string_view statement_id, std::string_view segment_id,
      int revision_number) = 0;

  // One page of revision `revision_number`'s segments (0: the current
  // one), translatable or not, in document order; page_size is clamped to
  // statement::kMaxSegmentPageSize and an empty next_page_token ends the
  // list. NOT_FOUND if the statement or revision does not exist;
  // INVALID_ARGUMENT for a bad page token.
  virtual absl::StatusOr<statement::SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token) = 0;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_STATEMENT_READER_H_

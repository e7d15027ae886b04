// StatementReader: the translation core's port to the statements it
// translates. It reads statements, revisions and source segments without
// permission checks (the translation core checks the caller's roles in the
// language itself) and never writes.
//
// The statement service supplies the in-process adapter
// (services/statement/statement_reader_for_translation.h); a gRPC adapter
// for split mode implements the same interface.
//
// Implementations are thread-safe and must outlive the core that uses them.
#ifndef TESSERA_SERVICES_TRANSLATION_STATEMENT_READER_H_
#define TESSERA_SERVICES_TRANSLATION_STATEMENT_READER_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "services/statement/statement_model.h"

namespace tessera::translation {

class StatementReader {
 public:
  virtual ~StatementReader() = default;

  // The statement and the internal id that prefixes every key the
  // translation service keeps for it (stable for the statement's life).
  // NOT_FOUND if absent.
  virtual absl::StatusOr<std::pair<statement::Statement, uint64_t>>
  LoadStatementWithInternalId(std::string_view statement_id) const = 0;

  // One revision with its changes against the previous one, without the
  // source bytes and skeleton. NOT_FOUND if the statement or the revision
  // is absent.
  virtual absl::StatusOr<statement::Revision> GetRevision(
      std::string_view statement_id, int revision_number) const = 0;

  // One segment of a revision (`revision_number` 0: the current one).
  // NOT_FOUND if the statement is absent or the segment is not in that
  // revision.
  virtual absl::StatusOr<statement::SourceSegment> GetSourceSegment(
      std::string_view statement_id, std::string_view segment_id,
      int revision_number) const = 0;

  // A revision's segments in document order (`revision_number` 0: the
  // current one), optionally only the translatable ones, at most
  // `page_size` (up to statement::kMaxSegmentPageSize) per page; pass
  // next_page_token back for the next. NOT_FOUND if absent;
  // INVALID_ARGUMENT for a page token that is not the previous page's.
  virtual absl::StatusOr<statement::SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token, bool translatable_only) const = 0;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_STATEMENT_READER_H_

// StatementReader: what the publication core reads of statements, the port
// through which it depends on the statement service. It speaks only the
// statement model (statement_model.h). The statement service supplies the
// in-process adapter (services/statement/statement_reader_for_publication.h);
// a gRPC adapter can stand in for it in split mode.
//
// Every method reads without permission checks: the publication core
// authorises its own callers. Nothing here writes, and the publication
// core adds no precondition on statement keys: it guards against a
// concurrent revision by reading the statement again (see Assemble).
//
// Implementations are thread-safe.
#ifndef TESSERA_SERVICES_PUBLICATION_STATEMENT_READER_H_
#define TESSERA_SERVICES_PUBLICATION_STATEMENT_READER_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "services/statement/statement_model.h"

namespace tessera::publication {

class StatementReader {
 public:
  virtual ~StatementReader() = default;

  // The statement as it is now. NOT_FOUND if absent; other errors are
  // storage errors.
  virtual absl::StatusOr<statement::Statement> LoadStatement(
      std::string_view statement_id) const = 0;

  // The statement and its internal id: the u64 that prefixes the
  // publication keys of the statement (storage/FORMAT.md, publications),
  // stable for the statement's life and never reused. NOT_FOUND if absent.
  virtual absl::StatusOr<std::pair<statement::Statement, uint64_t>>
  LoadStatementWithInternalId(std::string_view statement_id) const = 0;

  // One page of a revision's source segments in document order
  // (`revision_number` 0: the current one), optionally only the
  // translatable ones; `page_token` empty for the first page, then the
  // previous page's next_page_token (empty after the last page).
  // NOT_FOUND for an absent statement or revision; INVALID_ARGUMENT for a
  // page token that is not the previous page's.
  virtual absl::StatusOr<statement::SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token, bool translatable_only) const = 0;

  // A revision's document and its segment ids (`revision_number` 0: the
  // current one). A revision never changes once written. NOT_FOUND if
  // absent.
  virtual absl::StatusOr<statement::RevisionDocument> LoadRevisionDocument(
      std::string_view statement_id, int revision_number) const = 0;
};

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_STATEMENT_READER_H_

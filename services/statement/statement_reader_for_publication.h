// StatementReaderForPublication: the in-process adapter of the publication
// core's StatementReader port onto StatementCore. Every call goes straight
// to the core's reads for other services (no permission checks; segment
// pages are read as an internal administrator).
//
// Thread-safe; the core is not owned and must outlive the adapter.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_PUBLICATION_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_PUBLICATION_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "services/publication/statement_reader.h"
#include "services/statement/statement_model.h"

namespace tessera::statement {

class StatementCore;

class StatementReaderForPublication final
    : public publication::StatementReader {
 public:
  explicit StatementReaderForPublication(const StatementCore* core);

  absl::StatusOr<Statement> LoadStatement(
      std::string_view statement_id) const override;
  absl::StatusOr<std::pair<Statement, uint64_t>> LoadStatementWithInternalId(
      std::string_view statement_id) const override;
  absl::StatusOr<SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token, bool translatable_only) const override;
  absl::StatusOr<RevisionDocument> LoadRevisionDocument(
      std::string_view statement_id, int revision_number) const override;

 private:
  const StatementCore* core_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_PUBLICATION_H_

// StatementReaderForTranslation: the in-process adapter of the translation
// core's StatementReader port (services/translation/statement_reader.h),
// answered by StatementCore with the internal caller, which may read every
// statement.
//
// Thread-safe, as StatementCore is. The core is not owned and must outlive
// the adapter.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_TRANSLATION_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_TRANSLATION_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "services/statement/statement_core.h"
#include "services/translation/statement_reader.h"

namespace tessera::statement {

class StatementReaderForTranslation final
    : public translation::StatementReader {
 public:
  explicit StatementReaderForTranslation(const StatementCore* statements)
      : statements_(statements) {}

  absl::StatusOr<std::pair<Statement, uint64_t>> LoadStatementWithInternalId(
      std::string_view statement_id) const override;
  absl::StatusOr<Revision> GetRevision(std::string_view statement_id,
                                       int revision_number) const override;
  absl::StatusOr<SourceSegment> GetSourceSegment(
      std::string_view statement_id, std::string_view segment_id,
      int revision_number) const override;
  absl::StatusOr<SourceSegmentPage> ListSourceSegments(
      std::string_view statement_id, int revision_number, int page_size,
      std::string_view page_token, bool translatable_only) const override;

 private:
  const StatementCore* statements_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_TRANSLATION_H_

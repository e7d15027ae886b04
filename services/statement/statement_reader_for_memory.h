// The memory's SourceReader (services/memory/approval_reader.h) over
// StatementCore.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_MEMORY_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_MEMORY_H_

#include "services/memory/approval_reader.h"

namespace tessera::statement {

class StatementCore;

class StatementReaderForMemory final : public memory::SourceReader {
 public:
  explicit StatementReaderForMemory(const StatementCore* core) : core_(core) {}
  absl::StatusOr<memory::StatementSources> CurrentSources(
      std::string_view statement_id) const override;
  absl::StatusOr<memory::SegmentWindow> CurrentSegment(
      std::string_view statement_id,
      std::string_view segment_id) const override;

 private:
  const StatementCore* core_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_READER_FOR_MEMORY_H_

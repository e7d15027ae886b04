#include "services/statement/statement_reader_for_memory.h"

#include "common/status_macros.h"
#include "services/common/principal.h"
#include "services/statement/statement_core.h"

namespace tessera::statement {

absl::StatusOr<memory::StatementSources>
StatementReaderForMemory::CurrentSources(std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Statement s, core_->LoadStatement(statement_id));
  memory::StatementSources out;
  out.source_language = s.source_language;
  std::string token;
  do {
    ASSIGN_OR_RETURN(SourceSegmentPage page,
                     core_->ListSourceSegments(InternalPrincipal(),
                                               statement_id, 0, 1000, token,
                                               false));
    for (SourceSegment& seg : page.segments) {
      out.segments.emplace_back(seg.info.segment_id,
                                std::move(seg.segment.content));
    }
    token = page.next_page_token;
  } while (!token.empty());
  return out;
}

}  // namespace tessera::statement

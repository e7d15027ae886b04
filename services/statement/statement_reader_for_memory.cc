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
  out.target_languages = s.target_languages;
  std::string token;
  do {
    ASSIGN_OR_RETURN(SourceSegmentPage page,
                     core_->ListSourceSegments(InternalPrincipal(),
                                               statement_id, 0, 1000, token,
                                               false));
    for (SourceSegment& seg : page.segments) {
      out.segments.push_back({seg.info.segment_id,
                              std::move(seg.segment.content),
                              std::move(seg.segment.codes)});
    }
    token = page.next_page_token;
  } while (!token.empty());
  return out;
}

absl::StatusOr<memory::SegmentWindow> StatementReaderForMemory::CurrentSegment(
    std::string_view statement_id, std::string_view segment_id) const {
  ASSIGN_OR_RETURN(SegmentNeighbourhood n,
                   core_->LoadSegmentNeighbourhood(statement_id, segment_id));
  memory::SegmentWindow out;
  out.source_language = n.statement.source_language;
  out.target_languages = n.statement.target_languages;
  out.segment = {n.segment.info.segment_id, std::move(n.segment.segment.content),
                 std::move(n.segment.segment.codes)};
  if (n.previous.has_value()) {
    out.previous = std::move(n.previous->segment.content);
  }
  if (n.next.has_value()) out.next = std::move(n.next->segment.content);
  return out;
}

}  // namespace tessera::statement

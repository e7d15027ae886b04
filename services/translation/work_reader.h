// WorkReader: the translation core's port to whoever knows who works on a
// segment now: the assignees of its translate and review work and the
// holder of an unexpired lease (the AssignmentService, which implements it
// and registers it like the WorkGuard). The core shows them on the
// translations clients read.
//
// Implementations are thread-safe and answer from reads only.
#ifndef TESSERA_SERVICES_TRANSLATION_WORK_READER_H_
#define TESSERA_SERVICES_TRANSLATION_WORK_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"

namespace tessera::translation {

class WorkReader {
 public:
  virtual ~WorkReader() = default;
  // One entry per id of `segment_ids`, in the same order, for one language
  // of `statement` (internal id `iid`) at its current revision. Asked once
  // per page of translations, never once per segment.
  virtual absl::StatusOr<std::vector<SegmentWorkers>> WorkersOf(
      const statement::Statement& statement, uint64_t iid,
      std::string_view language,
      const std::vector<std::string>& segment_ids) = 0;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_WORK_READER_H_

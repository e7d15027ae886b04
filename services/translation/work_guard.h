// WorkGuard: the translation core's port to whoever decides who may change
// a segment now (leases and assignments live in the AssignmentService,
// which implements it). Set once on the core before it serves;
// implementations are thread-safe.
//
// The promise, in process: what Admit adds to the WriteSet lands in the
// same atomic commit as the translation change, so a lease that expired or
// moved in between makes the change fail instead of slipping through.
// An adapter across processes (split mode) must keep the same promise with
// fencing tokens: the guard hands out monotonic lease numbers, and the
// translation side records the highest one seen and refuses lower ones.
#ifndef TESSERA_SERVICES_TRANSLATION_WORK_GUARD_H_
#define TESSERA_SERVICES_TRANSLATION_WORK_GUARD_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"
#include "storage/store.h"

namespace tessera::translation {

class WorkGuard {
 public:
  virtual ~WorkGuard() = default;
  // Called by every SaveDraft, Submit, Approve and Reject just before its
  // commit. Returns PERMISSION_DENIED (NOT_ASSIGNED) to refuse; otherwise
  // may add preconditions and writes (a lease renewal) to `writes`, which
  // TranslationCore commits atomically with the change: if any
  // precondition fails, the change is ABORTED and nothing is written.
  virtual absl::Status Admit(const Principal& caller,
                             const statement::Statement& statement,
                             uint64_t iid, std::string_view language,
                             std::string_view segment_id, WorkKind kind,
                             storage::WriteSet* writes) = 0;
  // Called after a change committed.
  virtual void Committed(const CommittedChange& change) = 0;
  // The segment ids `user_id` is assigned to or leases in the language.
  virtual absl::StatusOr<std::set<std::string>> SegmentsOf(
      std::string_view user_id, const statement::Statement& statement,
      uint64_t iid, std::string_view language) = 0;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_WORK_GUARD_H_

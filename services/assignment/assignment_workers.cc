// AssignmentCore as the translation service's WorkReader: who is assigned
// to each segment and who holds its lease, for the translations clients
// read.
#include <utility>

#include "common/status_macros.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::FromMicros;
using internal::Resolved;
using translation::SegmentWorkers;

absl::StatusOr<std::vector<SegmentWorkers>> AssignmentCore::WorkersOf(
    const statement::Statement& s, uint64_t iid, std::string_view language,
    const std::vector<std::string>& segment_ids) {
  std::vector<SegmentWorkers> out(segment_ids.size());
  if (segment_ids.empty()) return out;
  // Assignees: one scan of the statement's assignments; scopes are
  // resolved against the work index only when one is active here.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignmentsOf(iid));
  std::vector<const Stored*> active;
  for (const Stored& a : all) {
    if (a.active() && a.r.language() == language) active.push_back(&a);
  }
  if (!active.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(s, iid, language));
    absl::MutexLock lock(&index->mu);
    for (const Stored* a : active) {
      ASSIGN_OR_RETURN(Resolved r,
                       internal::Resolve(*statements_, a->r, *index));
      for (size_t i = 0; i < segment_ids.size(); ++i) {
        auto p = index->pos.find(segment_ids[i]);
        if (p == index->pos.end() || !r.Contains(p->second)) continue;
        // Active assignments of one role never overlap.
        std::string& assignee = a->role() == WorkRole::kReview
                                    ? out[i].review_assignee
                                    : out[i].translate_assignee;
        if (assignee.empty()) assignee = a->r.assignee();
      }
    }
  }
  // Lease holders: the segment's slot names its latest lease, per role.
  const absl::Time now = clock_->Now();
  for (size_t i = 0; i < segment_ids.size(); ++i) {
    for (WorkRole role : {WorkRole::kTranslate, WorkRole::kReview}) {
      ASSIGN_OR_RETURN(auto slot,
                       tables_->slots.Get(SlotKey(iid, language,
                                                  static_cast<uint8_t>(role),
                                                  segment_ids[i])));
      if (!slot.has_value()) continue;
      ASSIGN_OR_RETURN(auto lease, LoadLease(slot->record.lease_id()));
      if (!lease || !lease->live(now)) continue;
      out[i].lease_holder = lease->r.holder();
      out[i].lease_expire_time = FromMicros(lease->r.expire_time_micros());
      break;
    }
  }
  return out;
}

}  // namespace tessera::assignment

// AssignmentCore as the translation service's WorkGuard: who may change a
// segment now, and the index kept current by committed changes.
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::Micros;
using internal::Resolved;
using internal::RoleName;

absl::Status AssignmentCore::Admit(const Principal& caller,
                                   const statement::Statement& s, uint64_t iid,
                                   std::string_view language,
                                   std::string_view segment_id,
                                   translation::WorkKind kind,
                                   storage::WriteSet* writes) {
  if (internal::Coordinates(caller, language)) return absl::OkStatus();
  const WorkRole role = kind == translation::WorkKind::kTranslate
                            ? WorkRole::kTranslate
                            : WorkRole::kReview;
  const absl::Time now = clock_->Now();
  // The caller's lease on the segment: renewed in the same commit.
  const std::string slot_key =
      SlotKey(iid, language, static_cast<uint8_t>(role), segment_id);
  ASSIGN_OR_RETURN(auto slot, tables_->slots.Get(slot_key));
  if (slot.has_value() && slot->record.holder() == caller.user_id) {
    ASSIGN_OR_RETURN(auto lease, LoadLease(slot->record.lease_id()));
    if (lease && lease->live(now)) {
      internal::rec::LeaseRecord renewed = lease->r;
      renewed.set_expire_time_micros(Micros(now + options_.lease_ttl));
      tables_->slots.ExpectVersion(writes, slot_key, slot->version);
      tables_->leases.Update(writes, LeaseKey(lease->m), renewed,
                             lease->version);
      return absl::OkStatus();
    }
  }
  // Or an active assignment covering it.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  std::shared_ptr<LangIndex> index;
  for (const Stored& a : all) {
    if (!a.active() || a.r.assignee() != caller.user_id ||
        a.r.language() != language || a.role() != role) {
      continue;
    }
    if (index == nullptr) {
      ASSIGN_OR_RETURN(index, Index(s, iid, language));
    }
    absl::MutexLock lock(&index->mu);
    auto it = index->pos.find(std::string(segment_id));
    if (it == index->pos.end()) continue;
    ASSIGN_OR_RETURN(Resolved r, internal::Resolve(*statements_, a.r, *index));
    if (r.Contains(it->second)) {
      tables_->assignments.ExpectVersion(writes, AssignmentKey(iid, a.n),
                                         a.version);
      return absl::OkStatus();
    }
  }
  return ErrorWithInfo(
      absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED",
      StrCat("users/", caller.user_id, " holds neither the lease of ",
             "statements/", s.statement_id, "/languages/", language,
             "/segments/", segment_id, " nor an assignment covering it for ",
             RoleName(role), "; claim it first"),
      {{"language", std::string(language)}});
}

void AssignmentCore::Committed(const translation::CommittedChange& change) {
  index_->Apply(change, clock_->Now());
}

absl::StatusOr<std::set<std::string>> AssignmentCore::SegmentsOf(
    std::string_view user_id, const statement::Statement& s, uint64_t iid,
    std::string_view language) {
  std::set<std::string> out;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index, Index(s, iid, language));
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  {
    absl::MutexLock lock(&index->mu);
    for (const Stored& a : all) {
      if (!a.active() || a.r.assignee() != user_id ||
          a.r.language() != language) {
        continue;
      }
      ASSIGN_OR_RETURN(Resolved r,
                       internal::Resolve(*statements_, a.r, *index));
      r.ForEach([&](int p) { out.insert(index->ids[p]); });
    }
  }
  const absl::Time now = clock_->Now();
  for (WorkRole role : {WorkRole::kTranslate, WorkRole::kReview}) {
    ASSIGN_OR_RETURN(auto lease, CurrentLease(user_id, language, role));
    if (lease && lease->live(now) && lease->r.statement_iid() == iid) {
      out.insert(lease->r.segment_id());
    }
  }
  return out;
}

}  // namespace tessera::assignment

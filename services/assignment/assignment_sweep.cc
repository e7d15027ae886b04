// AssignmentCore: the background sweep that marks expired leases, ends the
// assignments of archived statements and raises overdue events.
#include <utility>

#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::Micros;
using ::tessera::storage::WriteSet;

namespace {

// A record that changed since the sweep read it is left to the next sweep.
absl::Status UnlessLost(const absl::StatusOr<storage::CommitResult>& c) {
  if (!c.ok() && !absl::IsAborted(c.status())) return c.status();
  return absl::OkStatus();
}

}  // namespace

absl::Status AssignmentCore::Sweep() {
  const absl::Time now = clock_->Now();
  // Every active lease is some holder's current one (a claim ends the
  // previous), so the current-lease pointers bound the scan, however many
  // leases were ever handed out.
  ASSIGN_OR_RETURN(std::vector<uint64_t> current,
                   CurrentLeaseIds(AllCurrentLeasesPrefix()));
  std::vector<StoredLease> expired;
  for (uint64_t m : current) {
    ASSIGN_OR_RETURN(auto l, LoadLease(m));
    if (l && l->r.state() == static_cast<int>(LeaseState::kActive) &&
        !l->live(now)) {
      expired.push_back(*std::move(l));
    }
  }
  for (const StoredLease& l : expired) {
    internal::rec::LeaseRecord r = l.r;
    r.set_state(static_cast<int>(LeaseState::kExpired));
    r.set_end_time_micros(l.r.expire_time_micros());
    WriteSet w;
    tables_->leases.Update(&w, LeaseKey(l.m), r, l.version);
    // A renewal that won the race keeps the lease alive.
    RETURN_IF_ERROR(UnlessLost(store_->Commit(std::move(w))));
  }
  // Archiving a statement ends its assignments; overdue assignments raise
  // their event once.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(""));
  for (const Stored& a : all) {
    if (!a.active()) continue;
    auto loaded = statements_->LoadStatementWithInternalId(a.r.statement_id());
    if (!loaded.ok()) continue;
    const std::string key = AssignmentKey(loaded->second, a.n);
    if (loaded->first.state == statement::StatementState::kArchived) {
      internal::rec::AssignmentRecord r = a.r;
      r.set_state(static_cast<int>(AssignmentState::kEnded));
      r.set_update_time_micros(Micros(now));
      r.set_end_time_micros(Micros(now));
      WriteSet w;
      tables_->assignments.Update(&w, key, r, a.version);
      w.AppendEvent("assignment.ended",
                    StrCat("assignments/", a.id(), " by statements/",
                           a.r.statement_id(), " archived"));
      RETURN_IF_ERROR(UnlessLost(store_->Commit(std::move(w))));
      continue;
    }
    if (a.r.overdue_raised()) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(loaded->first, loaded->second, a.r.language()));
    Assignment v;
    {
      absl::MutexLock lock(&index->mu);
      ASSIGN_OR_RETURN(v, View(a, loaded->first, index.get()));
    }
    if (!v.overdue) continue;
    internal::rec::AssignmentRecord r = a.r;
    r.set_overdue_raised(true);
    WriteSet w;
    tables_->assignments.Update(&w, key, r, a.version);
    w.AppendEvent(
        "assignment.overdue",
        StrCat("assignments/", a.id(), " of users/", a.r.assignee(),
               " was due ",
               absl::FormatTime(absl::RFC3339_sec, *v.effective_deadline,
                                absl::UTCTimeZone())));
    RETURN_IF_ERROR(UnlessLost(store_->Commit(std::move(w))));
  }
  return absl::OkStatus();
}

void AssignmentCore::Start() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (sweeper_.joinable()) return;
    stop_ = false;
  }
  sweeper_ = std::thread([this] {
    absl::MutexLock lock(&stop_mu_);
    while (!stop_) {
      stop_mu_.AwaitWithTimeout(absl::Condition(&stop_),
                                options_.sweep_interval);
      if (stop_) break;
      stop_mu_.Unlock();
      // A failed sweep is retried at the next interval; reads meanwhile
      // still treat expired leases as expired.
      if (absl::Status s = Sweep(); !s.ok()) {
        LogError("lease sweep", s);
      }
      stop_mu_.Lock();
    }
  });
}

void AssignmentCore::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    stop_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
}

}  // namespace tessera::assignment

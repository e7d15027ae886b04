// AssignmentCore: reading, renewing, ending and releasing leases.
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::Conflict;
using internal::Coordinates;
using internal::Denied;
using internal::kMaxAttempts;
using internal::LeaseView;
using internal::Micros;
using internal::Precondition;
using ::tessera::storage::WriteSet;

absl::StatusOr<std::optional<AssignmentCore::StoredLease>>
AssignmentCore::LoadLease(uint64_t m) {
  ASSIGN_OR_RETURN(auto stored, tables_->leases.Get(LeaseKey(m)));
  if (!stored.has_value()) return std::optional<StoredLease>();
  StoredLease out;
  out.m = m;
  out.version = stored->version;
  out.r = std::move(stored->record);
  return std::optional<StoredLease>(std::move(out));
}

absl::StatusOr<AssignmentCore::StoredLease> AssignmentCore::FindLease(
    std::string_view lease_id, uint64_t* m) {
  std::optional<StoredLease> lease;
  if (internal::ParseId(lease_id, m)) {
    ASSIGN_OR_RETURN(lease, LoadLease(*m));
  }
  if (!lease) return internal::Absent(StrCat("leases/", lease_id));
  return *std::move(lease);
}

absl::StatusOr<std::optional<AssignmentCore::StoredLease>>
AssignmentCore::CurrentLease(std::string_view user, std::string_view language,
                             WorkRole role) {
  ASSIGN_OR_RETURN(auto pointer,
                   tables_->current_leases.Get(CurrentLeaseKey(
                       user, language, static_cast<uint8_t>(role))));
  if (!pointer.has_value() || pointer->record == 0) {
    return std::optional<StoredLease>();
  }
  return LoadLease(pointer->record);
}

absl::StatusOr<std::vector<uint64_t>> AssignmentCore::CurrentLeaseIds(
    std::string_view prefix) {
  std::vector<uint64_t> out;
  RETURN_IF_ERROR(tables_->current_leases.ScanPrefix(
      prefix, [&](std::string_view, const storage::Versioned<uint64_t>& p) {
        out.push_back(p.record);
        return true;
      }));
  return out;
}

absl::Status AssignmentCore::EndLease(const StoredLease& lease, LeaseState to) {
  internal::rec::LeaseRecord r = lease.r;
  r.set_state(static_cast<int>(to));
  r.set_end_time_micros(Micros(clock_->Now()));
  WriteSet w;
  tables_->leases.Update(&w, LeaseKey(lease.m), r, lease.version);
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) return committed.status();
  index_->ForgetHeld(r.statement_iid(), r.language(), r.role(), r.segment_id(),
                     r.holder());
  return absl::OkStatus();
}

absl::StatusOr<Lease> AssignmentCore::RenewLease(const CallContext& ctx,
                                                 std::string_view lease_id,
                                                 uint64_t version) {
  uint64_t m = 0;
  const std::string name = StrCat("leases/", lease_id);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(StoredLease lease, FindLease(lease_id, &m));
    if (lease.r.holder() != ctx.caller().user_id) {
      return Denied("ROLE_DENIED", "only the holder may renew a lease",
                    lease.r.language());
    }
    if (version != 0 && version != lease.version) {
      return Conflict(name, version, lease.version);
    }
    const absl::Time now = clock_->Now();
    if (!lease.live(now)) {
      return Precondition("WRONG_STATE", name,
                          "the lease has expired or ended; claim again");
    }
    internal::rec::LeaseRecord r = lease.r;
    r.set_expire_time_micros(Micros(now + options_.lease_ttl));
    WriteSet w;
    tables_->leases.Update(&w, LeaseKey(m), r, lease.version);
    RETURN_IF_ERROR(ctx.CheckDeadline());
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok()) {
      if (absl::IsAborted(committed.status()) && attempt + 1 < kMaxAttempts) {
        continue;
      }
      return committed.status();
    }
    return LeaseView(m, lease.version + 1, r, now);
  }
}

absl::StatusOr<Lease> AssignmentCore::ReleaseLease(const CallContext& ctx,
                                                   std::string_view lease_id,
                                                   uint64_t version) {
  uint64_t m = 0;
  const std::string name = StrCat("leases/", lease_id);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(StoredLease lease, FindLease(lease_id, &m));
    if (lease.r.holder() != ctx.caller().user_id &&
        !Coordinates(ctx.caller(), lease.r.language())) {
      return Denied("ROLE_DENIED",
                    "only the holder or a coordinator may release a lease",
                    lease.r.language());
    }
    if (version != 0 && version != lease.version) {
      return Conflict(name, version, lease.version);
    }
    const absl::Time now = clock_->Now();
    if (!lease.live(now)) return LeaseView(m, lease.version, lease.r, now);
    RETURN_IF_ERROR(ctx.CheckDeadline());
    absl::Status s = EndLease(lease, LeaseState::kReleased);
    if (absl::IsAborted(s) && attempt + 1 < kMaxAttempts) continue;
    RETURN_IF_ERROR(s);
    ASSIGN_OR_RETURN(lease, FindLease(lease_id, &m));
    return LeaseView(m, lease.version, lease.r, now);
  }
}

}  // namespace tessera::assignment

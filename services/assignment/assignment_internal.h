// Internals shared by the files of the assignment core: the typed tables of
// the "assignments" column family, the stored forms of assignments and
// leases, and the small rules every capability applies (names, roles,
// which states are open work, the common errors). Only the core's own
// files include this header.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_INTERNAL_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/random.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_records.pb.h"
#include "services/common/errors.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"
#include "storage/key_codec.h"
#include "storage/store.h"
#include "storage/table.h"

namespace tessera::assignment::internal {

namespace rec = ::tessera::storage::assignment;

// How often a commit that lost a compare-and-set is tried again.
inline constexpr int kMaxAttempts = 64;
// How many times ClaimNext runs its steps again when they kept losing.
inline constexpr int kClaimRounds = 3;
// How long a claimer's pick keeps other claimers in this process off the
// segment while it commits (it is given back at once if the claim fails).
inline constexpr absl::Duration kClaimReservation = absl::Seconds(10);

// The payload of an "0x06 assign request" record: the assignment it made
// and the SHA-256 of the request's canonical fields.
struct AssignRequestEntry {
  uint64_t assignment = 0;
  std::string fingerprint;
};

}  // namespace tessera::assignment::internal

namespace tessera::storage {

// [u64 assignment id][fingerprint bytes], as storage/FORMAT.md says.
template <>
struct PayloadCodec<::tessera::assignment::internal::AssignRequestEntry> {
  static std::string Encode(
      const ::tessera::assignment::internal::AssignRequestEntry& v) {
    std::string out;
    PutFixed64BE(&out, v.assignment);
    out.append(v.fingerprint);
    return out;
  }
  static bool Decode(std::string_view bytes,
                     ::tessera::assignment::internal::AssignRequestEntry* v) {
    if (!GetFixed64BE(&bytes, &v->assignment)) return false;
    v->fingerprint.assign(bytes);
    return true;
  }
};

}  // namespace tessera::storage

namespace tessera::assignment::internal {

// One table per key kind of storage/FORMAT.md ("assignments"); every value
// is a record envelope of format 0x01.
struct Tables {
  explicit Tables(storage::Store* store);

  storage::Table<rec::AssignmentRecord> assignments;  // 0x01
  storage::Table<rec::LeaseRecord> leases;            // 0x02
  storage::Table<uint64_t> owners;                    // 0x03, payload sid
  storage::Table<rec::SlotRecord> slots;              // 0x04
  storage::Table<uint64_t> current_leases;            // 0x05, payload lease
  storage::Table<AssignRequestEntry> requests;        // 0x06
};

// An assignment record with its number and envelope version.
struct StoredAssignment {
  uint64_t n = 0;
  uint64_t version = 0;
  rec::AssignmentRecord r;

  std::string id() const;
  WorkRole role() const { return static_cast<WorkRole>(r.role()); }
  bool active() const {
    return r.state() == static_cast<int>(AssignmentState::kActive);
  }
};

// A lease record with its number and envelope version.
struct StoredLease {
  uint64_t m = 0;
  uint64_t version = 0;
  rec::LeaseRecord r;

  WorkRole role() const { return static_cast<WorkRole>(r.role()); }
  // Active and not yet expired at `now`.
  bool live(absl::Time now) const;
};

// Ids in names: 16 lowercase hex digits.
std::string IdString(uint64_t n);
bool ParseId(std::string_view id, uint64_t* n);
// A fresh 64-bit id from the CSPRNG; INTERNAL if it failed.
absl::StatusOr<uint64_t> RandomId(RandomSource* random);

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

std::string_view RoleName(WorkRole r);
Role UserRoleFor(WorkRole r);
bool Coordinates(const Principal& p, std::string_view language);
// The caller holds the role's user role, or coordinates, in the language.
bool MayWork(const Principal& p, WorkRole r, std::string_view language);

inline constexpr translation::SegmentState kTranslatableStates[] = {
    translation::SegmentState::kUntranslated,
    translation::SegmentState::kTranslated,
    translation::SegmentState::kApproved, translation::SegmentState::kRejected,
    translation::SegmentState::kNeedsUpdate};
// Open for translators: untranslated, needs update or rejected.
bool TranslateOpen(translation::SegmentState s);
// Open for reviewers: translated.
bool ReviewOpen(translation::SegmentState s);

// The public view of a lease at `now`: an active lease past its expiry
// reads as expired.
Lease LeaseView(uint64_t m, uint64_t version, const rec::LeaseRecord& r,
                absl::Time now);

// FAILED_PRECONDITION with `reason`.
absl::Status Precondition(std::string_view reason, std::string_view subject,
                          std::string_view message);
// PERMISSION_DENIED with `reason`, naming the language when there is one.
absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language = "");
// ABORTED (VERSION_CONFLICT) with metadata current_version.
absl::Status Conflict(std::string_view resource, uint64_t requested,
                      uint64_t current);
// NOT_FOUND (NOT_FOUND) "<name> does not exist".
absl::Status Absent(std::string_view name);
// The canonical form of `tag`; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> Canonical(std::string_view field,
                                      std::string_view tag);
// INVALID_ARGUMENT (LANGUAGE_NOT_TARGETED) unless `s` targets `language`.
absl::Status CheckTargeted(const statement::Statement& s,
                           std::string_view language);

}  // namespace tessera::assignment::internal

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_INTERNAL_H_

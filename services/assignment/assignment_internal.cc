#include "services/assignment/assignment_internal.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "text/language.h"

namespace tessera::assignment::internal {

namespace {
constexpr uint8_t kFormat1 = 0x01;
constexpr storage::ColumnFamily kCf = storage::ColumnFamily::kAssignments;
}  // namespace

Tables::Tables(storage::Store* store)
    : assignments(store, kCf, kFormat1, "assignment"),
      leases(store, kCf, kFormat1, "lease"),
      owners(store, kCf, kFormat1, "assignment owner"),
      slots(store, kCf, kFormat1, "lease slot"),
      current_leases(store, kCf, kFormat1, "current lease"),
      requests(store, kCf, kFormat1, "assign request") {}

std::string StoredAssignment::id() const { return IdString(n); }

bool StoredLease::live(absl::Time now) const {
  return r.state() == static_cast<int>(LeaseState::kActive) &&
         FromMicros(r.expire_time_micros()) > now;
}

std::string IdString(uint64_t n) {
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(n));
  return buf;
}

bool ParseId(std::string_view id, uint64_t* n) {
  if (id.size() != 16) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return absl::SimpleHexAtoi(ToAbsl(id), n);
}

absl::StatusOr<uint64_t> RandomId(RandomSource* random) {
  ASSIGN_OR_RETURN(std::string bytes, random->Bytes(8));
  std::string_view view(bytes);
  uint64_t n = 0;
  storage::GetFixed64BE(&view, &n);
  return n;
}

std::string_view RoleName(WorkRole r) {
  return r == WorkRole::kReview ? "ASSIGNMENT_ROLE_REVIEW"
                                : "ASSIGNMENT_ROLE_TRANSLATE";
}

Role UserRoleFor(WorkRole r) {
  return r == WorkRole::kReview ? Role::kReviewer : Role::kTranslator;
}

bool Coordinates(const Principal& p, std::string_view language) {
  return p.HasRoleFor(Role::kCoordinator, language);
}

bool MayWork(const Principal& p, WorkRole r, std::string_view language) {
  return p.HasRoleFor(UserRoleFor(r), language) || Coordinates(p, language);
}

bool TranslateOpen(translation::SegmentState s) {
  using translation::SegmentState;
  return s == SegmentState::kUntranslated || s == SegmentState::kNeedsUpdate ||
         s == SegmentState::kRejected;
}

bool ReviewOpen(translation::SegmentState s) {
  return s == translation::SegmentState::kTranslated;
}

Lease LeaseView(uint64_t m, uint64_t version, const rec::LeaseRecord& r,
                absl::Time now) {
  Lease l;
  l.lease_id = IdString(m);
  l.statement_id = r.statement_id();
  l.language = r.language();
  l.segment_id = r.segment_id();
  l.role = static_cast<WorkRole>(r.role());
  l.holder = r.holder();
  l.assignment = r.assignment();
  l.state = static_cast<LeaseState>(r.state());
  l.create_time = FromMicros(r.create_time_micros());
  l.expire_time = FromMicros(r.expire_time_micros());
  if (r.end_time_micros() != 0) l.end_time = FromMicros(r.end_time_micros());
  if (l.state == LeaseState::kActive && l.expire_time <= now) {
    l.state = LeaseState::kExpired;
    l.end_time = l.expire_time;
  }
  l.version = version;
  return l;
}

absl::Status Precondition(std::string_view reason, std::string_view subject,
                          std::string_view message) {
  return PreconditionError(reason, subject, message);
}

absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language) {
  ErrorMetadata md;
  if (!language.empty()) md.push_back({"language", std::string(language)});
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied, reason, message,
                       md);
}

absl::Status Conflict(std::string_view resource, uint64_t requested,
                      uint64_t current) {
  return ErrorWithInfo(
      absl::StatusCode::kAborted, "VERSION_CONFLICT",
      StrCat(resource, " is at version ", current, ", not ", requested),
      {{"current_version", StrCat(current)}});
}

absl::Status Absent(std::string_view name) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                       StrCat(name, " does not exist"));
}

absl::StatusOr<std::string> Canonical(std::string_view field,
                                      std::string_view tag) {
  auto lang = text::CanonicalizeLanguageTag(tag);
  if (!lang.ok()) {
    return BadField(field,
                    StrCat("\"", tag, "\" is not a valid BCP 47 language tag"));
  }
  return *lang;
}

absl::Status CheckTargeted(const statement::Statement& s,
                           std::string_view language) {
  const auto& t = s.target_languages;
  if (std::find(t.begin(), t.end(), language) == t.end()) {
    return BadField("language",
                    StrCat("statements/", s.statement_id,
                           " does not target the language ", language),
                    "LANGUAGE_NOT_TARGETED",
                    {{"language", std::string(language)}});
  }
  return absl::OkStatus();
}

}  // namespace tessera::assignment::internal

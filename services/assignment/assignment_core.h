// AssignmentCore: assignments (a scope of one language of a statement given
// to a user for one role, with a deadline) and leases (one segment held by
// one user for a TTL), stored in the "assignments" column family; see
// proto/tessera/v1/assignment.proto for the contract. No gRPC here;
// assignment_service.h adapts it.
//
// It is also the TranslationCore's WorkGuard: a translator or reviewer may
// change a segment only while holding its lease or an active assignment
// covering it, and every such change renews the lease in the same commit.
//
// Claims race with each other and with translation changes by
// compare-and-set on the per-segment slot key, the lease record and the
// translation record; no lock is held across a commit. An in-memory index
// of open work per (statement, language), built by one scan on first use
// and kept current by the translation core's commit notifications, makes
// ClaimNext independent of how much is already done. The index is only a
// hint: every claim re-reads and guards what it relies on, so a stale index
// costs a retry, never a double lease.
//
// Leases expire lazily (an expired lease reads as EXPIRED and its segment
// is free) and a background sweep (Start) marks them and raises
// assignment.overdue events once per assignment.
//
// Thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/random.h"
#include "services/common/principal.h"
#include "services/statement/statement_core.h"
#include "services/translation/translation_core.h"
#include "storage/store.h"

namespace tessera::storage::assignment {
class LeaseRecord;
}  // namespace tessera::storage::assignment

namespace tessera::assignment {

using translation::SegmentState;

// Numbered as tessera.v1.AssignmentRole. Stored numbers.
enum class WorkRole : uint8_t { kUnspecified = 0, kTranslate = 1, kReview = 2 };
// Numbered as tessera.v1.AssignmentState. Stored numbers.
enum class AssignmentState : uint8_t { kActive = 1, kEnded = 2 };
// Numbered as tessera.v1.LeaseState. Stored numbers.
enum class LeaseState : uint8_t {
  kActive = 1,
  kReleased = 2,
  kExpired = 3,
  kCompleted = 4,
};
// Numbered as tessera.v1.ClaimReason.
enum class ClaimReason : uint8_t {
  kCurrent = 1,
  kReturned = 2,
  kAssigned = 3,
  kOpenPool = 4,
};

struct Scope {
  enum class Kind : uint8_t { kWholeLanguage = 1, kRange = 2, kSet = 3 };
  Kind kind = Kind::kWholeLanguage;
  // kRange: {first, last}; kSet: the ids.
  std::vector<std::string> segment_ids;
};

struct StateCount {
  SegmentState state = SegmentState::kUntranslated;
  int64_t segments = 0;
  int64_t words = 0;
};

struct Assignment {
  std::string assignment_id;
  std::string statement_id;
  std::string language;
  WorkRole role = WorkRole::kTranslate;
  Scope scope;
  std::string assignee;  // user_id
  std::optional<absl::Time> deadline;
  std::string note;
  AssignmentState state = AssignmentState::kActive;
  std::optional<absl::Time> effective_deadline;
  bool complete = false;
  bool overdue = false;
  int segment_count = 0;
  int64_t word_count = 0;
  std::vector<StateCount> state_counts;  // one per translatable state
  std::string creator;
  absl::Time create_time;
  absl::Time update_time;
  std::optional<absl::Time> end_time;
  uint64_t version = 0;
};

struct Lease {
  std::string lease_id;
  std::string statement_id;
  std::string language;
  std::string segment_id;
  WorkRole role = WorkRole::kTranslate;
  std::string holder;      // user_id
  std::string assignment;  // assignment_id or empty
  LeaseState state = LeaseState::kActive;
  absl::Time create_time;
  absl::Time expire_time;
  std::optional<absl::Time> end_time;
  uint64_t version = 0;
};

struct AssignParams {
  std::string request_id;
  std::string statement_id;
  std::string language;
  WorkRole role = WorkRole::kUnspecified;
  std::optional<Scope> scope;
  std::string assignee;
  std::optional<absl::Time> deadline;
  std::string note;
};

// The fields UpdateAssignment may change; unset ones stay.
struct AssignmentUpdate {
  std::optional<std::string> assignee;
  std::optional<std::optional<absl::Time>> deadline;
  std::optional<Scope> scope;
  std::optional<std::string> note;
};

struct AssignmentQuery {
  std::string statement_id;
  std::string language;
  std::string assignee;
  WorkRole role = WorkRole::kUnspecified;
  bool overdue_only = false;
  std::vector<AssignmentState> states;  // empty: active only
};

struct AssignmentPage {
  std::vector<Assignment> assignments;
  std::string next_page_token;
};

struct ClaimParams {
  std::string statement_id;  // empty: every open statement
  std::string language;
  WorkRole role = WorkRole::kUnspecified;
  std::vector<translation::TranslationRef> exclude;
  int context_size = 0;  // 0 means 2
};

struct ClaimResult {
  Lease lease;
  translation::Translation translation;
  std::vector<translation::Translation> context_before;  // nearest last
  std::vector<translation::Translation> context_after;   // nearest first
  ClaimReason reason = ClaimReason::kOpenPool;
};

struct AssigneeProgress {
  std::string assignee;
  WorkRole role = WorkRole::kTranslate;
  std::vector<std::string> assignments;
  std::vector<StateCount> state_counts;
  int64_t words_left = 0;
  int active_leases = 0;
  std::optional<absl::Time> next_deadline;
  bool overdue = false;
};

struct LanguageProgress {
  std::string language;
  std::vector<StateCount> state_counts;
  int segment_count = 0;
  int64_t word_count = 0;
  double percent_approved = 100;
  int64_t words_left = 0;
  int64_t words_to_review = 0;
  int64_t unassigned_words = 0;
  int active_leases = 0;
  std::vector<AssigneeProgress> assignees;
  std::vector<Assignment> overdue_assignments;
};

struct StatementProgress {
  std::string statement_id;
  std::vector<LanguageProgress> languages;
  std::optional<absl::Time> deadline;
  absl::Time read_time;
};

struct MyWork {
  std::vector<Assignment> assignments;
  std::vector<Lease> leases;
  std::vector<translation::TranslationRef> rejected_segments;
};

inline constexpr absl::Duration kDefaultLeaseTtl = absl::Minutes(20);
inline constexpr size_t kMaxSetSegments = 10000;
inline constexpr size_t kMaxNoteBytes = 2000;
inline constexpr size_t kMaxExcludeSegments = 100;
inline constexpr int kMaxContextSize = 10;
inline constexpr int kDefaultAssignmentPageSize = 100;
inline constexpr int kMaxAssignmentPageSize = 1000;
inline constexpr size_t kMaxMyWorkItems = 1000;

struct AssignmentOptions {
  absl::Duration lease_ttl = kDefaultLeaseTtl;
  // How often the background sweep runs.
  absl::Duration sweep_interval = absl::Seconds(10);
};

// The grants of a user; NOT_FOUND if there is no such user.
using UserLookup = std::function<absl::StatusOr<std::vector<RoleGrant>>(
    std::string_view user_id)>;

class AssignmentCore final : public translation::WorkGuard {
 public:
  // None owned; all must outlive the core. Registers itself as the
  // translation core's gate.
  AssignmentCore(storage::Store* store, statement::StatementCore* statements,
                 translation::TranslationCore* translations, UserLookup users,
                 Clock* clock, RandomSource* random,
                 AssignmentOptions options = {});
  ~AssignmentCore() override;

  absl::StatusOr<Assignment> Assign(const Principal& caller,
                                    const AssignParams& params);
  absl::StatusOr<Assignment> GetAssignment(const Principal& caller,
                                           std::string_view assignment_id);
  absl::StatusOr<Assignment> UpdateAssignment(const Principal& caller,
                                              std::string_view assignment_id,
                                              uint64_t version,
                                              const AssignmentUpdate& update);
  absl::StatusOr<Assignment> Unassign(const Principal& caller,
                                      std::string_view assignment_id,
                                      uint64_t version);
  absl::StatusOr<AssignmentPage> ListAssignments(const Principal& caller,
                                                 const AssignmentQuery& query,
                                                 int page_size,
                                                 std::string_view page_token);

  absl::StatusOr<ClaimResult> ClaimNext(const Principal& caller,
                                        const ClaimParams& params);
  // version 0 skips the check.
  absl::StatusOr<Lease> RenewLease(const Principal& caller,
                                   std::string_view lease_id, uint64_t version);
  absl::StatusOr<Lease> ReleaseLease(const Principal& caller,
                                     std::string_view lease_id,
                                     uint64_t version);

  absl::StatusOr<StatementProgress> GetProgress(
      const Principal& caller, std::string_view statement_id,
      const std::vector<std::string>& languages);
  absl::StatusOr<MyWork> GetMyWork(const Principal& caller,
                                   const std::vector<std::string>& languages);

  // Marks expired leases EXPIRED, ends the assignments of archived
  // statements and raises assignment.overdue for newly overdue assignments.
  // Start() runs it every sweep_interval.
  absl::Status Sweep();
  void Start();
  void Stop();

  absl::Duration lease_ttl() const { return options_.lease_ttl; }

  // How many times ClaimNext listed the open statements of a language
  // (rather than reusing its list). For tests.
  int open_list_builds() {
    absl::MutexLock lock(&open_mu_);
    return open_list_builds_;
  }

  // translation::WorkGuard.
  absl::Status Admit(const Principal& caller,
                     const statement::Statement& statement, uint64_t iid,
                     std::string_view language, std::string_view segment_id,
                     translation::WorkKind kind,
                     storage::WriteSet* writes) override;
  void Committed(const translation::CommittedChange& change) override;
  absl::StatusOr<std::set<std::string>> SegmentsOf(
      std::string_view user_id, const statement::Statement& statement,
      uint64_t iid, std::string_view language) override;

 private:
  struct Stored;
  struct StoredLease;
  struct Lineage;
  struct LangIndex;
  struct Resolved;

  absl::StatusOr<std::shared_ptr<LangIndex>> Index(
      const statement::Statement& s, uint64_t iid, std::string_view language);
  absl::StatusOr<std::vector<Stored>> LoadAssignments(
      std::string_view statement_id);
  absl::StatusOr<std::optional<Stored>> LoadAssignment(std::string_view id);
  absl::StatusOr<std::optional<StoredLease>> LoadLease(uint64_t lease_id);
  // The lease named by `lease_id` (its number in *m); NOT_FOUND if none.
  absl::StatusOr<StoredLease> FindLease(std::string_view lease_id, uint64_t* m);
  absl::StatusOr<Resolved> Resolve(const Stored& a, const LangIndex& index);
  static std::optional<std::pair<std::string, std::string>> CurrentEnds(
      const Lineage& lineage, const LangIndex& index, const std::string& first,
      const std::string& last);
  // What became of revision `from`'s segments in the index's revision.
  absl::StatusOr<std::shared_ptr<const Lineage>> LineageOf(
      std::string_view statement_id, int from, LangIndex& index);
  absl::StatusOr<Assignment> View(const Stored& a,
                                  const statement::Statement& s,
                                  const LangIndex* index);
  absl::StatusOr<Assignment> WriteAssignment(
      const Principal& caller, std::optional<Stored> before, Stored after,
      std::string_view event, std::string_view request_key,
      std::string_view request_id, std::string_view fingerprint);
  // The answer to a repeated Assign: the first assignment, or
  // REQUEST_ID_REUSED if the request differs.
  absl::StatusOr<Assignment> Replay(const Principal& caller,
                                    std::string_view prior_value,
                                    std::string_view request_id,
                                    std::string_view fingerprint);
  absl::Status CheckScope(const Stored& candidate,
                          const statement::Statement& s, uint64_t iid);
  absl::Status EndLeasesOf(const Stored& a, const std::set<int>* keep,
                           const LangIndex* index);
  // One step (2 returned, 3 assigned, 4 open pool) of ClaimNext in one
  // statement; nullopt when the step has nothing there.
  absl::StatusOr<std::optional<ClaimResult>> TryClaim(
      const Principal& caller, const statement::Statement& s, uint64_t iid,
      const ClaimParams& params, int step);
  absl::StatusOr<std::optional<Lease>> ClaimSegment(
      const Principal& caller, const statement::Statement& s, uint64_t iid,
      std::string_view language, WorkRole role, LangIndex& index, int ordinal,
      std::string_view assignment_id, bool* lost);
  absl::StatusOr<ClaimResult> Describe(const statement::Statement& s,
                                       uint64_t iid, const Lease& lease,
                                       ClaimReason reason, int context_size);
  absl::StatusOr<std::optional<StoredLease>> CurrentLease(
      std::string_view user, std::string_view language, WorkRole role);
  absl::Status EndLease(const StoredLease& lease, LeaseState to);
  // Drops the in-memory hint that the lease's holder has its segment.
  void ForgetHeld(const storage::assignment::LeaseRecord& lease);

  storage::Store* store_;
  statement::StatementCore* statements_;
  translation::TranslationCore* translations_;
  UserLookup users_;
  Clock* clock_;
  RandomSource* random_;
  AssignmentOptions options_;

  absl::Mutex index_mu_;
  std::map<std::pair<uint64_t, std::string>, std::shared_ptr<LangIndex>>
      indexes_ ABSL_GUARDED_BY(index_mu_);

  // Open statements targeting a language, by deadline then age, and the
  // feed position they are valid at.
  using OpenList = std::vector<std::pair<statement::Statement, uint64_t>>;
  struct OpenListEntry {
    std::shared_ptr<const OpenList> list;
    uint64_t seq = 0;
  };
  absl::StatusOr<std::shared_ptr<const OpenList>> OpenStatements(
      const std::string& lang);
  absl::Mutex open_mu_;
  std::map<std::string, OpenListEntry> open_lists_ ABSL_GUARDED_BY(open_mu_);
  int open_list_builds_ ABSL_GUARDED_BY(open_mu_) = 0;

  absl::Mutex stop_mu_;
  bool stop_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread sweeper_;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_

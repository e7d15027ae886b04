// AssignmentCore: assignments (a scope of one language of a statement given
// to a user for one role, with a deadline) and leases (one segment held by
// one user for a TTL), stored in the "assignments" column family (see
// storage/FORMAT.md; the API is AssignmentService in assignment.proto). No
// gRPC here; assignment_service.h adapts it.
//
// It reads other services only through its ports: StatementReader,
// TranslationReader, GrantsReader, and registers itself through a
// WorkGuardRegistry as the translation service's WorkGuard: a translator or
// reviewer may change a segment only while holding its lease or an active
// assignment covering it, and every such change renews the lease in the
// same commit. It is also the translation service's WorkReader: the
// assignees and lease holder shown on each translation.
//
// Claims race with each other and with translation changes by
// compare-and-set on the per-segment slot key, the lease record and (via
// TranslationReader::GuardUnchanged) the translation; no lock is held
// across a commit. An in-memory index of open work (work_index.h) makes
// ClaimNext independent of how much is already done; it is only a hint.
//
// Leases expire lazily (an expired lease reads as EXPIRED and its segment
// is free) and a background sweep (Start) marks them and raises
// assignment.overdue events once per assignment.
//
// Every method that writes takes a CallContext and checks its deadline
// just before each commit: DEADLINE_EXCEEDED or CANCELLED then means that
// the call wrote nothing. Every method may also fail with the Store's
// errors (UNAVAILABLE, INTERNAL for a corrupt record).
//
// Thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_

#include <cstdint>
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
#include "services/assignment/grants_reader.h"
#include "services/assignment/statement_reader.h"
#include "services/assignment/translation_reader.h"
#include "services/assignment/work_guard_registry.h"
#include "services/common/call_context.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"
#include "services/translation/work_guard.h"
#include "services/translation/work_reader.h"
#include "storage/store.h"

namespace tessera::assignment {

namespace internal {
struct StoredAssignment;
struct StoredLease;
struct LangIndex;
struct Tables;
struct AssignRequestEntry;
class WorkIndex;
class OpenStatements;
}  // namespace internal

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

class AssignmentCore final : public translation::WorkGuard,
                             public translation::WorkReader {
 public:
  // None owned; all must outlive the core. `store` holds the "assignments"
  // column family and is the one the translation records live in (claims
  // guard them in the same commit). Registers itself with `guards` as the
  // translation service's WorkGuard and WorkReader, and withdraws on
  // destruction.
  AssignmentCore(storage::Store* store, StatementReader* statements,
                 TranslationReader* translations, WorkGuardRegistry* guards,
                 GrantsReader* grants, Clock* clock, RandomSource* random,
                 AssignmentOptions options = {});
  ~AssignmentCore() override;

  // Common errors: NOT_FOUND (NOT_FOUND) for an absent statement,
  // assignment or lease; INVALID_ARGUMENT naming the field for a bad
  // value, a bad language tag, or a language the statement does not target
  // (LANGUAGE_NOT_TARGETED); PERMISSION_DENIED with reason
  // LANGUAGE_NOT_GRANTED or ROLE_DENIED (and the language as metadata)
  // when the caller's roles do not allow the call.

  // Gives `params.scope` of one language to `params.assignee` for one
  // role. Coordinators of the language only. Success: the new active
  // assignment at version 1, an assignment.created event. INVALID_ARGUMENT
  // for a bad request_id, role, scope, note or deadline (not in the
  // future), REQUEST_ID_REUSED when the request_id was used with another
  // request; NOT_FOUND for an unknown assignee; FAILED_PRECONDITION with
  // WRONG_STATE unless the statement is draft or open, ASSIGNEE_ROLE when
  // the assignee lacks the role in the language, ASSIGNMENT_OVERLAP (one
  // precondition violation per overlapping assignment, the first holder as
  // metadata) when the scope shares segments with another active
  // assignment of the same language and role; ABORTED when concurrent
  // writers kept winning. Idempotent with a request_id: a repeat by the same
  // caller returns the assignment the first call made, as it is now.
  absl::StatusOr<Assignment> Assign(const CallContext& ctx,
                                    const AssignParams& params);

  // The assignment, with its scope in the current revision's ids and its
  // counts. The assignee or a coordinator of its language (ROLE_DENIED
  // otherwise). Writes nothing.
  absl::StatusOr<Assignment> GetAssignment(const Principal& caller,
                                           std::string_view assignment_id);

  // Changes the fields `update` sets. Coordinators of the language only.
  // `version` 0 skips the version check. Success: the assignment at
  // version + 1 and an assignment.updated event; the previous assignee's
  // lease taken through it is released when the assignee changed or its
  // segment left the scope. INVALID_ARGUMENT for an empty update or a bad
  // value; ABORTED (VERSION_CONFLICT, current_version) for a stale
  // version; FAILED_PRECONDITION (WRONG_STATE) for an ended assignment, and
  // ASSIGNEE_ROLE and ASSIGNMENT_OVERLAP as Assign. Repeating the same
  // update with version 0 leaves the same fields.
  absl::StatusOr<Assignment> UpdateAssignment(const CallContext& ctx,
                                              std::string_view assignment_id,
                                              uint64_t version,
                                              const AssignmentUpdate& update);

  // Ends the assignment at `version`. Coordinators of the language only.
  // Success: the ended assignment, an assignment.ended event, and the
  // assignee's lease taken through it released. ABORTED (VERSION_CONFLICT)
  // unless `version` is current; FAILED_PRECONDITION (WRONG_STATE) when it
  // already ended, so a repeat fails instead of ending twice.
  absl::StatusOr<Assignment> Unassign(const CallContext& ctx,
                                      std::string_view assignment_id,
                                      uint64_t version);

  // Assignments matching `query` (active only when it names no state),
  // oldest first, one page. Coordinators see every assignment of their
  // languages, others only their own. `page_token` is the
  // next_page_token of the previous page of the same query by the same
  // caller (services/common/paging.h): a page resumes right after the last
  // item returned even when earlier ones ended meanwhile. INVALID_ARGUMENT
  // for a negative page size, a bad language, or a token that does not
  // parse or belongs to another query (INVALID_TOKEN). Writes nothing.
  absl::StatusOr<AssignmentPage> ListAssignments(const Principal& caller,
                                                 const AssignmentQuery& query,
                                                 int page_size,
                                                 std::string_view page_token);

  // Hands the caller the next segment to work on, in this order: the
  // caller's current lease while its work is still open, then (translate)
  // their own rejected work, then open work of their assignments, then
  // (where the statement allows open claiming) the open pool outside other
  // people's assignments; statements by deadline, then age. Translators and
  // reviewers (for their role) and coordinators of the language. Success:
  // a lease for lease_ttl with the translation and its neighbours (each
  // with its workers, as WorkersOf); the caller's previous lease in the
  // language and role ends (completed when its work is done, released
  // otherwise). NOT_FOUND (NOTHING_TO_CLAIM) when nothing is left, after
  // ending the current lease if it was excluded (released) or its work is
  // done (completed); FAILED_PRECONDITION (WRONG_STATE) for a named
  // statement that is not open. Lost races between claimers are retried
  // here; only if they kept being lost (kMaxAttempts commits in each of
  // kClaimRounds rounds), ABORTED (VERSION_CONFLICT, metadata "resource":
  // the contended segment when known), which the caller may retry as it
  // is. Not idempotent: each call may move the caller on.
  absl::StatusOr<ClaimResult> ClaimNext(const CallContext& ctx,
                                        const ClaimParams& params);

  // Extends the caller's live lease to now + lease_ttl. The holder only
  // (ROLE_DENIED). `version` 0 skips the check, otherwise ABORTED
  // (VERSION_CONFLICT) unless it is current; FAILED_PRECONDITION
  // (WRONG_STATE) once the lease expired or ended.
  absl::StatusOr<Lease> RenewLease(const CallContext& ctx,
                                   std::string_view lease_id, uint64_t version);

  // Gives the segment back: the lease ends as released. The holder or a
  // coordinator of the language (ROLE_DENIED). `version` as RenewLease.
  // Idempotent: a lease that is no longer live is returned as it is.
  absl::StatusOr<Lease> ReleaseLease(const CallContext& ctx,
                                     std::string_view lease_id,
                                     uint64_t version);

  // Progress of the statement's languages (`languages`, or every target
  // language the caller has a role for): counts by state, words left and
  // to review, unassigned words, live leases, and per assignee and role
  // their assignments, counts, next deadline and overdue flag.
  // PERMISSION_DENIED (LANGUAGE_NOT_GRANTED) for a named language, or for
  // every language, that the caller has no role in. Writes nothing.
  absl::StatusOr<StatementProgress> GetProgress(
      const Principal& caller, std::string_view statement_id,
      const std::vector<std::string>& languages);

  // The caller's active assignments (by effective deadline), live leases
  // and rejected segments in `languages` (empty: all), at most
  // kMaxMyWorkItems of each. Rejected segments are the caller's rejected
  // translations in the statements of their assignments and in every open
  // statement of a language they may translate (work claimed from the open
  // pool too), oldest rejection first. Any caller. Writes nothing.
  absl::StatusOr<MyWork> GetMyWork(const Principal& caller,
                                   const std::vector<std::string>& languages);

  // Marks expired leases EXPIRED, ends the assignments of archived
  // statements (assignment.ended) and raises assignment.overdue once for
  // each newly overdue assignment. A record that changed meanwhile is left
  // to the next sweep. Start() runs it every sweep_interval; Stop() ends
  // that and is idempotent.
  absl::Status Sweep();
  void Start();
  void Stop();

  absl::Duration lease_ttl() const { return options_.lease_ttl; }

  // How many times ClaimNext listed the open statements of a language
  // (rather than reusing its list).
  int OpenListBuildsForTest();

  // translation::WorkGuard (see work_guard.h). Admit lets coordinators
  // through; anyone else needs a live lease on the segment (renewed in
  // `writes`, guarded by its slot) or an active assignment covering it
  // (guarded by its version), otherwise PERMISSION_DENIED (NOT_ASSIGNED).
  absl::Status Admit(const Principal& caller,
                     const statement::Statement& statement, uint64_t iid,
                     std::string_view language, std::string_view segment_id,
                     translation::WorkKind kind,
                     storage::WriteSet* writes) override;
  void Committed(const translation::CommittedChange& change) override;
  absl::StatusOr<std::set<std::string>> SegmentsOf(
      std::string_view user_id, const statement::Statement& statement,
      uint64_t iid, std::string_view language) override;

  // translation::WorkReader (see work_reader.h): per segment, the assignee
  // of each role's active assignment covering it and the holder of its
  // live lease, from one scan of the statement's assignments and one slot
  // read per segment and role.
  absl::StatusOr<std::vector<translation::SegmentWorkers>> WorkersOf(
      const statement::Statement& statement, uint64_t iid,
      std::string_view language,
      const std::vector<std::string>& segment_ids) override;

 private:
  using Stored = internal::StoredAssignment;
  using StoredLease = internal::StoredLease;
  using LangIndex = internal::LangIndex;

  // assignment_core.cc: loading and viewing.
  absl::StatusOr<std::shared_ptr<LangIndex>> Index(
      const statement::Statement& s, uint64_t iid, std::string_view language);
  // Every assignment of the statement (empty: of every statement), oldest
  // first.
  absl::StatusOr<std::vector<Stored>> LoadAssignments(
      std::string_view statement_id);
  // Every assignment of the statement with internal id `iid`, oldest first.
  absl::StatusOr<std::vector<Stored>> LoadAssignmentsOf(uint64_t iid);
  absl::StatusOr<std::vector<Stored>> LoadAssignmentsUnder(
      const std::string& prefix);
  absl::StatusOr<std::optional<Stored>> LoadAssignment(std::string_view id);
  absl::StatusOr<Assignment> View(const Stored& a,
                                  const statement::Statement& s,
                                  const LangIndex* index);

  // assignment_write.cc: creating and changing assignments.
  absl::StatusOr<Assignment> WriteAssignment(
      const CallContext& ctx, std::optional<Stored> before, Stored after,
      std::string_view event, std::string_view request_key,
      std::string_view request_id, std::string_view fingerprint);
  // The answer to a repeated Assign: the first assignment, or
  // REQUEST_ID_REUSED if the request differs.
  absl::StatusOr<Assignment> Replay(const Principal& caller,
                                    const internal::AssignRequestEntry& prior,
                                    std::string_view request_id,
                                    std::string_view fingerprint);
  absl::Status CheckScope(const Stored& candidate,
                          const statement::Statement& s, uint64_t iid);
  absl::Status EndLeasesOf(const Stored& a, const std::set<int>* keep,
                           const LangIndex* index);

  // assignment_leases.cc.
  absl::StatusOr<std::optional<StoredLease>> LoadLease(uint64_t lease_id);
  // The lease named by `lease_id` (its number in *m); NOT_FOUND if none.
  absl::StatusOr<StoredLease> FindLease(std::string_view lease_id, uint64_t* m);
  absl::StatusOr<std::optional<StoredLease>> CurrentLease(
      std::string_view user, std::string_view language, WorkRole role);
  // The lease numbers of every current-lease pointer under `prefix`.
  absl::StatusOr<std::vector<uint64_t>> CurrentLeaseIds(
      std::string_view prefix);
  absl::Status EndLease(const StoredLease& lease, LeaseState to);

  // assignment_claims.cc.
  // Steps 2 to 4 of ClaimNext over `candidates`; nullopt when none has
  // anything.
  absl::StatusOr<std::optional<ClaimResult>> ClaimFromSteps(
      const CallContext& ctx, const ClaimParams& params,
      const std::vector<std::pair<statement::Statement, uint64_t>>&
          candidates);
  // The ABORTED answer of a ClaimNext that kept losing: `aborted` with
  // VERSION_CONFLICT details, added if it had none.
  static absl::Status ClaimConflict(const absl::Status& aborted);
  // One step (2 returned, 3 assigned, 4 open pool) of ClaimNext in one
  // statement; nullopt when the step has nothing there.
  absl::StatusOr<std::optional<ClaimResult>> TryClaim(
      const CallContext& ctx, const statement::Statement& s, uint64_t iid,
      const ClaimParams& params, int step);
  absl::StatusOr<std::optional<Lease>> ClaimSegment(
      const CallContext& ctx, const statement::Statement& s, uint64_t iid,
      std::string_view language, WorkRole role, LangIndex& index, int ordinal,
      std::string_view assignment_id, bool* lost);
  absl::StatusOr<ClaimResult> Describe(const statement::Statement& s,
                                       uint64_t iid, const Lease& lease,
                                       ClaimReason reason, int context_size);

  storage::Store* store_;
  StatementReader* statements_;
  TranslationReader* translations_;
  WorkGuardRegistry* guards_;
  GrantsReader* grants_;
  Clock* clock_;
  RandomSource* random_;
  AssignmentOptions options_;
  std::unique_ptr<internal::Tables> tables_;
  std::unique_ptr<internal::WorkIndex> index_;
  std::unique_ptr<internal::OpenStatements> open_;

  absl::Mutex stop_mu_;
  bool stop_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread sweeper_;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CORE_H_

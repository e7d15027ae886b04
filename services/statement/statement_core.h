// StatementCore: statements, their immutable source revisions, skeletons and
// source segments, stored in the "statements" column family (keys in
// statement_keys.h, layouts in storage/FORMAT.md). No gRPC here;
// statement_service.h adapts it. Import itself (statement_import.h) is pure.
//
// Every change is one Store::Commit: the statement record, its indexes, the
// revision with its raw bytes and serialized document, every source segment,
// the request-id record and the change-feed event land together or not at
// all. Concurrent changes to one statement are serialised by compare-and-set
// on the statement record's version. Every change checks the call's
// deadline (CallContext::CheckDeadline) just before it commits: a change
// refused with DEADLINE_EXCEEDED or CANCELLED has written nothing.
//
// Errors are domain errors (services/common/errors.h): each carries its
// reason (ErrorInfo), plus field, quota or precondition violations by code.
// Any method may also fail with the Store's errors (UNAVAILABLE, INTERNAL)
// and with INTERNAL "corrupt ... record" for a value that does not decode.
//
// Who may call: the readers of a statement are admins, services and anyone
// holding a role for one of its target languages; its writers are admins
// and coordinators covering every target language involved. Methods
// without a caller are for other services (through their ports) and check
// nothing.
//
// Thread-safe: all state is in the Store.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/random.h"
#include "services/common/call_context.h"
#include "services/common/principal.h"
#include "services/statement/statement_import.h"
#include "services/statement/statement_model.h"
#include "storage/store.h"

namespace tessera::statement {

struct StatementTables;

// A segment of a revision with the segments just before and after it in
// document order.
struct SegmentNeighbourhood {
  Statement statement;
  std::optional<SourceSegment> previous;  // nullopt for the first segment
  SourceSegment segment;
  std::optional<SourceSegment> next;  // nullopt for the last segment
};

class StatementCore {
 public:
  // None owned; all must outlive the core.
  StatementCore(storage::Store* store, Clock* clock, RandomSource* random,
                ImportLimits limits = {});
  ~StatementCore();
  StatementCore(const StatementCore&) = delete;
  StatementCore& operator=(const StatementCore&) = delete;

  const ImportLimits& limits() const { return limits_; }

  // --- Changes. Each needs the writer's rights (PERMISSION_DENIED
  // otherwise) and fails with DEADLINE_EXCEEDED or CANCELLED, writing
  // nothing, when the call ends before the commit.

  // Imports a new statement with its first revision, OPEN (DRAFT when
  // params.draft); the writers are those of its target languages. Errors:
  // as ImportDocument; INVALID_ARGUMENT for a bad field or a request_id
  // reused with another request; ALREADY_EXISTS if statement_id is taken.
  // Idempotent by request_id: a retry with the same (caller, request_id)
  // and request returns the statement as it is now and writes nothing.
  // With control.validate_only, returns what it would create and writes
  // nothing.
  absl::StatusOr<Statement> CreateStatement(const CallContext& call,
                                            CreateParams params);

  // Applies `update`; the writers are those of the target languages before
  // and after. NOT_FOUND; ABORTED (VERSION_CONFLICT) if `expected_version`
  // is stale, also when another change commits first; FAILED_PRECONDITION
  // (WRONG_STATE) for an archived statement; INVALID_ARGUMENT for a bad
  // value or an empty update. Not idempotent: a retry is ABORTED.
  absl::StatusOr<Statement> UpdateStatement(const CallContext& call,
                                            std::string_view statement_id,
                                            uint64_t expected_version,
                                            const StatementUpdate& update);

  // Imports a new text as the next revision and matches its segments to
  // the current revision's (revision_matching.h). Same rights as
  // UpdateStatement. Errors: as CreateStatement, plus NOT_FOUND, ABORTED
  // (stale version) and FAILED_PRECONDITION (archived). Idempotent by
  // request_id: a retry returns the revision the first call made. With
  // control.validate_only, returns the revision it would make, writing
  // nothing.
  absl::StatusOr<Revision> ReviseStatement(const CallContext& call,
                                           ReviseParams params);

  // DRAFT or CLOSED → OPEN; OPEN → CLOSED; anything but ARCHIVED →
  // ARCHIVED. Same rights as UpdateStatement. NOT_FOUND; ABORTED (stale
  // version); FAILED_PRECONDITION (WRONG_STATE) otherwise. A retry is
  // ABORTED or WRONG_STATE.
  absl::StatusOr<Statement> OpenStatement(const CallContext& call,
                                          std::string_view statement_id,
                                          uint64_t expected_version);
  absl::StatusOr<Statement> CloseStatement(const CallContext& call,
                                           std::string_view statement_id,
                                           uint64_t expected_version);
  absl::StatusOr<Statement> ArchiveStatement(const CallContext& call,
                                             std::string_view statement_id,
                                             uint64_t expected_version);

  // --- Reads. They write nothing; each needs the reader's rights
  // (PERMISSION_DENIED otherwise) and is NOT_FOUND when the statement is
  // absent.

  absl::StatusOr<Statement> GetStatement(const Principal& caller,
                                         std::string_view statement_id) const;

  // The statements the caller may read that match `query`, newest first
  // (create time descending, then statement_id); page sizes as
  // kDefaultStatementPageSize / kMaxStatementPageSize. INVALID_ARGUMENT for
  // a negative page size, a bad filter, or a page token that does not
  // parse or belongs to another query (reason INVALID_TOKEN).
  absl::StatusOr<StatementPage> ListStatements(
      const Principal& caller, const ListStatementsQuery& query, int page_size,
      std::string_view page_token) const;

  // One revision; `full` adds the source bytes and the skeleton. NOT_FOUND
  // if the revision is absent.
  absl::StatusOr<Revision> GetRevision(const Principal& caller,
                                       std::string_view statement_id,
                                       int revision_number, bool full) const;

  // Revisions oldest first, without source and skeleton. INVALID_ARGUMENT
  // as ListStatements.
  absl::StatusOr<RevisionPage> ListRevisions(const Principal& caller,
                                             std::string_view statement_id,
                                             int page_size,
                                             std::string_view page_token) const;

  // One segment of a revision (`revision_number` 0: the current one).
  // NOT_FOUND if the revision is absent or the segment is not in it.
  absl::StatusOr<SourceSegment> GetSourceSegment(const Principal& caller,
                                                 std::string_view statement_id,
                                                 std::string_view segment_id,
                                                 int revision_number) const;

  // A revision's segments in document order (`revision_number` 0: the
  // current one), optionally only the translatable ones; total_size counts
  // every matching segment across pages. Later pages stay on the revision
  // the first page read. NOT_FOUND if the revision is absent;
  // INVALID_ARGUMENT as ListStatements.
  absl::StatusOr<SourceSegmentPage> ListSourceSegments(
      const Principal& caller, std::string_view statement_id,
      int revision_number, int page_size, std::string_view page_token,
      bool translatable_only) const;

  // --- For other services, through their ports: no rights checked.

  // The statement; NOT_FOUND if absent.
  absl::StatusOr<Statement> LoadStatement(std::string_view statement_id) const;

  // The statement and the internal id that prefixes its keys, stable for
  // the statement's life. NOT_FOUND if absent.
  absl::StatusOr<std::pair<Statement, uint64_t>> LoadStatementWithInternalId(
      std::string_view statement_id) const;

  // A revision's document and segment ids (`revision_number` 0: the
  // current one). NOT_FOUND if the statement or revision is absent.
  absl::StatusOr<RevisionDocument> LoadRevisionDocument(
      std::string_view statement_id, int revision_number) const;

  // A segment of the current revision and its neighbours, read by key (at
  // most three records, whatever the statement's size). NOT_FOUND if the
  // statement is absent or the segment is not in its current revision.
  absl::StatusOr<SegmentNeighbourhood> LoadSegmentNeighbourhood(
      std::string_view statement_id, std::string_view segment_id) const;

 private:
  // A statement as stored, with the internal id that prefixes its keys.
  struct Loaded {
    uint64_t internal_id = 0;
    Statement statement;
  };
  // What a request record says about the first call with its request id.
  struct PriorRequest {
    std::string fingerprint;
    std::string statement_id;
    int revision_number = 0;
  };

  // Reads (statement_reads.cc). Find: nullopt when absent; Load and
  // LoadReadable: NOT_FOUND, and PERMISSION_DENIED for a caller who may
  // not read it.
  absl::StatusOr<std::optional<Loaded>> Find(
      std::string_view statement_id) const;
  absl::StatusOr<Loaded> Load(std::string_view statement_id) const;
  absl::StatusOr<Loaded> LoadReadable(const Principal& caller,
                                      std::string_view statement_id) const;
  absl::StatusOr<Revision> LoadRevision(const Loaded& s, int revision_number,
                                        bool full) const;
  absl::StatusOr<RevisionDocument> LoadDocument(uint64_t internal_id,
                                                int revision_number) const;

  // Changes (statement_core.cc).
  absl::StatusOr<std::optional<PriorRequest>> FindRequest(
      std::string_view request_key) const;
  // What a retry with a known request id answers: INVALID_ARGUMENT
  // (REQUEST_ID_REUSED) unless `fingerprint` is the prior one.
  absl::StatusOr<Statement> ReplayCreate(const PriorRequest& prior,
                                         std::string_view fingerprint,
                                         std::string_view request_id) const;
  absl::StatusOr<Revision> ReplayRevise(const Loaded& l,
                                        const PriorRequest& prior,
                                        std::string_view fingerprint,
                                        std::string_view request_id) const;
  absl::StatusOr<Statement> Transition(const CallContext& call,
                                       std::string_view statement_id,
                                       uint64_t expected_version,
                                       StatementState to);
  // Writes `after` over `before` (version + 1) with its feed event;
  // ABORTED (VERSION_CONFLICT) when another change committed first.
  absl::StatusOr<Statement> CommitStatementChange(const CallContext& call,
                                                  const Loaded& before,
                                                  Statement after,
                                                  std::string_view event);

  storage::Store* store_;
  Clock* clock_;
  RandomSource* random_;
  ImportLimits limits_;
  std::unique_ptr<const StatementTables> tables_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_

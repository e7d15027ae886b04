// StatementCore: statements, their immutable source revisions, skeletons and
// source segments, stored in the "statements" column family. No gRPC here;
// statement_service.h adapts it.
//
// Import (ImportDocument) validates the upload as UTF-8, normalises it to
// NFC, cuts it into sentence segments through the formats and text modules,
// marks verbatim and no-translate segments, counts words and gives every
// segment a stable id derived from its normalised text: a revision keeps a
// segment's id whenever its text is unchanged, wherever it moved.
//
// Every change is one Store::Commit: the statement record, its indexes, the
// revision with its raw bytes and serialized document, every source segment,
// the request-id record and the change-feed event land together or not at
// all. Concurrent changes to one statement are serialised by compare-and-set
// on the statement record's version.
//
// Errors carry google.rpc details as payloads (ErrorInfo always, plus
// BadRequest, QuotaFailure or PreconditionFailure by code), ready for
// services/grpc/grpc_status.h; see "Errors" in common.proto.
//
// Thread-safe: all state is in the Store.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/random.h"
#include "formats/document.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"
#include "storage/store.h"
#include "text/placeholders.h"

namespace tessera::statement {

// Validates, normalises and segments `bytes` without touching storage; the
// importer of CreateStatement and ReviseStatement, exposed for later
// services and benchmarks. Checks, in order: the size limit
// (RESOURCE_EXHAUSTED, QuotaFailure "limits/max_document_bytes"), UTF-8
// (INVALID_ARGUMENT, ErrorInfo INVALID_UTF8 with the byte offset), the
// language tag (INVALID_ARGUMENT), the no-translate ranges (INVALID_ARGUMENT
// when malformed or past the end of the document), then the segment limits
// (RESOURCE_EXHAUSTED for the count, INVALID_ARGUMENT naming the segment's
// block and line for the length). Pure; thread-safe.
absl::StatusOr<ImportResult> ImportDocument(formats::Format format,
                                            std::string_view source_language,
                                            std::string_view bytes,
                                            const ImportOptions& options);

// INVALID_ARGUMENT for a bad request field, carrying google.rpc.ErrorInfo
// (reason INVALID_FIELD) and a google.rpc.BadRequest violation for `field`.
absl::Status InvalidFieldError(std::string_view field,
                               std::string_view description);

// The normalised text a segment id is derived from: the readable form
// (formats::ToReadable) with runs of ASCII whitespace collapsed to one space
// and trimmed. Equal keys are "unchanged text" across revisions.
std::string SegmentKey(const formats::Content& content);

class StatementCore {
 public:
  // None owned; all must outlive the core.
  StatementCore(storage::Store* store, Clock* clock, RandomSource* random,
                ImportLimits limits = {})
      : store_(store), clock_(clock), random_(random), limits_(limits) {}

  const ImportLimits& limits() const { return limits_; }

  // Imports a new statement with its first revision, OPEN (DRAFT when
  // params.draft). Admin or a coordinator covering every target language,
  // else PERMISSION_DENIED. Errors: as ImportDocument; INVALID_ARGUMENT for
  // a bad field or a request_id reused with another request; ALREADY_EXISTS
  // if statement_id is taken. A retry with the same request_id returns the
  // statement as it is now and writes nothing.
  absl::StatusOr<Statement> CreateStatement(const Principal& caller,
                                            CreateParams params);

  // Readers: admin, service, or a role granted one of the target
  // languages (PERMISSION_DENIED otherwise). NOT_FOUND if absent.
  absl::StatusOr<Statement> GetStatement(const Principal& caller,
                                         std::string_view statement_id) const;

  // The statements the caller may read that match `query`, newest first
  // (create time descending, then statement_id). INVALID_ARGUMENT for a
  // negative page size, a bad filter or a page token that does not parse
  // or belongs to another query.
  absl::StatusOr<StatementPage> ListStatements(
      const Principal& caller, const ListStatementsQuery& query, int page_size,
      std::string_view page_token) const;

  // Applies `update`. Admin or a coordinator covering the target languages
  // before and after. NOT_FOUND; ABORTED if `expected_version` is stale;
  // FAILED_PRECONDITION for an archived statement; INVALID_ARGUMENT for a
  // bad value or an empty update.
  absl::StatusOr<Statement> UpdateStatement(const Principal& caller,
                                            std::string_view statement_id,
                                            uint64_t expected_version,
                                            const StatementUpdate& update);

  // Imports a new text as the next revision and matches its segments to
  // the current revision's. Same rights as UpdateStatement. Errors: as
  // CreateStatement, plus NOT_FOUND, ABORTED (stale version) and
  // FAILED_PRECONDITION (archived). A retry with the same request_id
  // returns the revision the first call made.
  absl::StatusOr<Revision> ReviseStatement(const Principal& caller,
                                           ReviseParams params);

  // DRAFT or CLOSED → OPEN; OPEN → CLOSED; anything but ARCHIVED →
  // ARCHIVED. Same rights as UpdateStatement. NOT_FOUND; ABORTED (stale
  // version); FAILED_PRECONDITION (ErrorInfo WRONG_STATE) otherwise.
  absl::StatusOr<Statement> OpenStatement(const Principal& caller,
                                          std::string_view statement_id,
                                          uint64_t expected_version);
  absl::StatusOr<Statement> CloseStatement(const Principal& caller,
                                           std::string_view statement_id,
                                           uint64_t expected_version);
  absl::StatusOr<Statement> ArchiveStatement(const Principal& caller,
                                             std::string_view statement_id,
                                             uint64_t expected_version);

  // One revision; `full` adds the source bytes and the skeleton. Readers
  // as GetStatement. NOT_FOUND if the statement or revision is absent.
  absl::StatusOr<Revision> GetRevision(const Principal& caller,
                                       std::string_view statement_id,
                                       int revision_number, bool full) const;

  // Revisions oldest first, without source and skeleton.
  absl::StatusOr<RevisionPage> ListRevisions(const Principal& caller,
                                             std::string_view statement_id,
                                             int page_size,
                                             std::string_view page_token) const;

  // One segment of a revision (`revision_number` 0: the current one).
  // NOT_FOUND if the segment is not in that revision.
  absl::StatusOr<SourceSegment> GetSourceSegment(const Principal& caller,
                                                 std::string_view statement_id,
                                                 std::string_view segment_id,
                                                 int revision_number) const;

  // A revision's segments in document order (`revision_number` 0: the
  // current one), optionally only the translatable ones; total_size counts
  // every matching segment across pages.
  absl::StatusOr<SourceSegmentPage> ListSourceSegments(
      const Principal& caller, std::string_view statement_id,
      int revision_number, int page_size, std::string_view page_token,
      bool translatable_only) const;

  // For other services (no permission checks): the statement, NOT_FOUND if
  // absent.
  absl::StatusOr<Statement> LoadStatement(std::string_view statement_id) const;

  // For services whose keys start with the statement (no permission
  // checks): the statement and the internal id that prefixes its keys,
  // stable for the statement's life. NOT_FOUND if absent.
  absl::StatusOr<std::pair<Statement, uint64_t>> LoadStatementWithInternalId(
      std::string_view statement_id) const;

  // For assembly (no permission checks): a revision's document and segment
  // ids (`revision_number` 0: the current one). NOT_FOUND if absent.
  absl::StatusOr<RevisionDocument> LoadRevisionDocument(
      std::string_view statement_id, int revision_number) const;

 private:
  struct Loaded;
  absl::StatusOr<std::optional<Loaded>> Find(
      std::string_view statement_id) const;
  absl::StatusOr<Loaded> Load(std::string_view statement_id) const;
  absl::StatusOr<Loaded> LoadReadable(const Principal& caller,
                                      std::string_view statement_id) const;
  absl::StatusOr<Revision> LoadRevision(const Loaded& s, int revision_number,
                                        bool full) const;
  absl::StatusOr<RevisionDocument> LoadDocument(uint64_t internal_id,
                                                int revision_number) const;
  absl::StatusOr<Statement> Transition(const Principal& caller,
                                       std::string_view statement_id,
                                       uint64_t expected_version,
                                       StatementState to);
  absl::StatusOr<Statement> CommitStatementChange(const Loaded& before,
                                                  Statement after,
                                                  std::string_view event,
                                                  const Principal& caller);

  storage::Store* store_;
  Clock* clock_;
  RandomSource* random_;
  ImportLimits limits_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_H_

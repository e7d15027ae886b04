// TranslationCore: the translation of each source segment into each target
// language of a statement, its state machine (see translation.proto), its
// history, comments and per-language progress counters, stored in the
// "translations" column family (keys in translation_keys.h). No gRPC here;
// translation_service.h adapts it. Statements are read through the
// StatementReader port, never from the statements column family.
//
// Every change is one Store::Commit holding the translation record (with a
// compare-and-set on its version), its immutable history entry, the
// per-language counter deltas, what the WorkGuard adds and a change-feed
// event; a stale version is ABORTED and nothing is written. A change
// checks the caller's deadline (CallContext::CheckDeadline) just before it
// commits. A segment without a record is untranslated at version 1; its
// first change writes the "created" entry (version 1) and the change
// (version 2) together.
//
// Source revisions are carried over by a feed consumer (see
// translation_carry_over.h): for each "statement.revised" event it moves
// translations of changed segments to their successors as needs_update,
// keeps removed segments' translations in history and adjusts the
// counters, one commit per statement and language, each recording the
// revision applied so that a replay after a crash does nothing twice.
// CatchUp() runs it synchronously; Start() runs it on a background thread.
// Every call on a statement first applies any revision its language has
// not had yet, so a read right after a revision sees the translations
// carried over. That catch-up may commit, so carry-over happens only on the
// feed consumer and on the calling thread, which TranslationService makes
// a worker-pool thread for each of its calls (CallKind::kWrite or
// kLongRead), never a gRPC event thread; adapters that serve other
// services from this core must do the same.
//
// Errors carry domain details (services/common/errors.h).
//
// Thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "formats/document.h"
#include "services/common/call_context.h"
#include "services/common/principal.h"
#include "services/translation/glossary_checker.h"
#include "services/translation/statement_reader.h"
#include "services/translation/translation_model.h"
#include "services/translation/work_guard.h"
#include "services/translation/work_reader.h"
#include "storage/feed_source.h"
#include "storage/store.h"
#include "text/qa.h"

namespace tessera::translation {

// The QA findings (errors first, then warnings) that a Submit refused with
// QA_ERRORS carries as an internal payload, for the service to turn into a
// tessera.v1.QaReport. Empty for any other status.
std::vector<text::QaIssue> QaIssuesOf(const absl::Status& status);

// The key of a translation record (see storage/FORMAT.md), for services that
// guard their commits on it. Defined with every other key in
// translation_keys.cc.
std::string TranslationRecordKey(uint64_t iid, std::string_view language,
                                 std::string_view segment_id);

namespace internal {
struct Tables;
struct Context;
class CarryOver;
enum class Need : uint8_t;
}  // namespace internal

class TranslationCore {
 public:
  // None owned; all must outlive the core. The carry-over consumer reads
  // the change feed from `feed`, or from `store` when null.
  TranslationCore(storage::Store* store, const StatementReader* statements,
                  Clock* clock, const storage::FeedSource* feed = nullptr);
  // Stops the background consumer if it runs.
  ~TranslationCore();

  TranslationCore(const TranslationCore&) = delete;
  TranslationCore& operator=(const TranslationCore&) = delete;

  // Common errors of every call on a statement: NOT_FOUND for an absent
  // statement or a segment not in its current revision; INVALID_ARGUMENT
  // for a language the statement does not target (LANGUAGE_NOT_TARGETED) or
  // a bad tag; PERMISSION_DENIED (LANGUAGE_NOT_GRANTED) when the caller's
  // roles for the method are not granted in the language; the
  // StatementReader's and the Store's errors as they are (INTERNAL for a
  // corrupt record).
  //
  // Changes (SaveDraft, Submit, Approve, Reject, Reopen) also fail with
  // INVALID_ARGUMENT for version 0; ABORTED (VERSION_CONFLICT, metadata
  // current_version) when `version` is not the translation's;
  // FAILED_PRECONDITION (WRONG_STATE) when the statement is not open, the
  // segment is not translatable or the state forbids the transition; the
  // WorkGuard's refusal (PERMISSION_DENIED, NOT_ASSIGNED) for translate and
  // review work; DEADLINE_EXCEEDED or CANCELLED when the call gave up
  // before the commit; ABORTED when the commit kept losing races. A failed
  // change writes nothing. Changes are not idempotent: a retry of a change
  // that committed meets VERSION_CONFLICT.

  // The current revision's translatable segments (all with
  // include_non_translatable) in document order, filtered. Any role in the
  // language. INVALID_ARGUMENT for a negative page size, a text query that
  // is not UTF-8 or longer than 200 bytes, or a page token of another query.
  absl::StatusOr<TranslationPage> ListSegments(const Principal& caller,
                                               std::string_view statement_id,
                                               std::string_view language,
                                               const ListSegmentsQuery& query,
                                               int page_size,
                                               std::string_view page_token);

  // One translation of the current revision, with its workers. Any role in
  // the language.
  absl::StatusOr<Translation> GetSegment(const Principal& caller,
                                         const TranslationRef& ref);

  // Stores a draft (an empty text clears it) without a state change; not
  // when approved. Translator or coordinator. INVALID_ARGUMENT for a
  // content of a bad structure.
  absl::StatusOr<Translation> SaveDraft(const CallContext& call,
                                        const TranslationRef& ref,
                                        uint64_t version,
                                        const formats::Content& content);

  // → translated, the caller the author; not when approved. QA errors:
  // INVALID_ARGUMENT (QA_ERRORS) with a BadRequest violation per error and
  // the issues as payload (QaIssuesOf). validate_only checks everything,
  // asks the WorkGuard, and writes nothing: the answer is the translation
  // as it would be, at today's version. Translator or coordinator.
  absl::StatusOr<Translation> Submit(const CallContext& call,
                                     const TranslationRef& ref,
                                     uint64_t version,
                                     const formats::Content& content,
                                     bool validate_only);

  // One approval; approved with the last required one. Only from
  // translated. PERMISSION_DENIED (FOUR_EYES) for the author or a repeat
  // approver. A comment also joins the comment thread. Reviewer or
  // coordinator.
  absl::StatusOr<Translation> Approve(const CallContext& call,
                                      const TranslationRef& ref,
                                      uint64_t version,
                                      std::string_view comment);

  // translated → rejected; the reason also joins the comment thread.
  // INVALID_ARGUMENT without a reason. Reviewer or coordinator.
  absl::StatusOr<Translation> Reject(const CallContext& call,
                                     const TranslationRef& ref,
                                     uint64_t version, std::string_view reason);

  // approved → translated, approvals cleared. Coordinator; the WorkGuard is
  // not asked.
  absl::StatusOr<Translation> Reopen(const CallContext& call,
                                     const TranslationRef& ref,
                                     uint64_t version, std::string_view reason);

  // Every version, oldest first, with those of predecessor segments.
  // Accepts segments no longer in the current revision. Any role in the
  // language. INVALID_ARGUMENT for a negative page size or a page token of
  // another translation.
  absl::StatusOr<HistoryPage> GetHistory(const Principal& caller,
                                         const TranslationRef& ref,
                                         int page_size,
                                         std::string_view page_token);

  // Appends an immutable comment. Translator, reviewer or coordinator.
  // Idempotent per request_id: the same request_id by the same user returns
  // the first comment and writes nothing. INVALID_ARGUMENT for an empty or
  // too long text or a malformed request_id; FAILED_PRECONDITION
  // (WRONG_STATE) when the statement is archived; DEADLINE_EXCEEDED or
  // CANCELLED when the call gave up before the commit.
  absl::StatusOr<Comment> AddComment(const CallContext& call,
                                     const TranslationRef& ref,
                                     std::string_view text,
                                     std::string_view request_id);

  // The comment thread, oldest first. Any role in the language.
  // INVALID_ARGUMENT for a negative page size or a page token of another
  // thread.
  absl::StatusOr<CommentPage> ListComments(const Principal& caller,
                                           const TranslationRef& ref,
                                           int page_size,
                                           std::string_view page_token);

  // No permission checks: the translation as it is now (for
  // VersionConflict details). NOT_FOUND as GetSegment.
  absl::StatusOr<Translation> LoadTranslation(const TranslationRef& ref);

  // No permission checks: O(1) progress of a language (a few counter
  // reads). NOT_FOUND for an absent statement.
  absl::StatusOr<Progress> GetProgress(std::string_view statement_id,
                                       std::string_view language);

  // Sets the gate every translate or review change must pass. Not owned;
  // must outlive the core. Call before serving; null (the default) admits
  // every caller the roles admit.
  void SetWorkGuard(WorkGuard* gate) { gate_ = gate; }

  // Sets who tells GetSegment and ListSegments (with_workers) the
  // assignees and lease holder of each segment. Not owned; must outlive
  // the core. Call before serving; null (the default) leaves them empty.
  void SetWorkReader(WorkReader* reader) { workers_ = reader; }

  // Sets the glossary whose findings Submit adds to its QA warnings. Not
  // owned; must outlive the core. Call before serving; null (the default)
  // checks no glossary.
  void SetGlossaryChecker(const GlossaryChecker* glossary) {
    glossary_ = glossary;
  }

  // Applies every source revision in the feed not yet carried over.
  absl::Status CatchUp();

  // Starts / stops the background consumer that calls CatchUp() whenever
  // the feed grows. Stop() is idempotent.
  void Start();
  void Stop();

  using StoredTranslation = translation::StoredTranslation;

  // No permission checks: every stored translation of a language (segments
  // without a record are untranslated at version 1), read with one prefix
  // scan after carrying over any revision not yet applied. Ordered by
  // segment id. NOT_FOUND for an absent statement.
  absl::StatusOr<std::vector<StoredTranslation>> ScanTranslations(
      std::string_view statement_id, std::string_view language);

 private:
  // Loads what a call on `ref` works on, after checking the language, the
  // caller's role for `need` and carrying over: the statement (open when
  // `require_open`), and unless `ref` names no segment, the segment in the
  // current revision (required when `require_current`) and its record.
  absl::StatusOr<internal::Context> Prepare(const Principal& caller,
                                            const TranslationRef& ref,
                                            internal::Need need,
                                            bool require_open,
                                            bool require_current);
  // The translation of a prepared segment as clients see it.
  absl::StatusOr<Translation> View(const internal::Context& ctx);
  // WorkGuard::Admit for `kind` of work, when a guard is set.
  absl::Status Admit(const Principal& caller, const internal::Context& ctx,
                     WorkKind kind, storage::WriteSet* writes);
  // After a change committed: tells the guard, when set, what it left in
  // `ctx` (the record as committed), and returns the translation.
  absl::StatusOr<Translation> Finish(const internal::Context& ctx);
  // The number of comments on a segment.
  absl::StatusOr<int> CommentCount(uint64_t iid, std::string_view language,
                                   std::string_view segment_id);
  // Adds `text` by `author` to the thread of `ctx`'s segment, at
  // `translation_version`, to `writes`, guarded by the thread's head.
  // Returns the new comment's id.
  absl::StatusOr<uint64_t> AddToThread(const internal::Context& ctx,
                                       const std::string& author,
                                       const std::string& text,
                                       uint64_t translation_version,
                                       absl::Time now,
                                       storage::WriteSet* writes);

  storage::Store* store_;
  const StatementReader* statements_;
  Clock* clock_;
  WorkGuard* gate_ = nullptr;
  WorkReader* workers_ = nullptr;
  const GlossaryChecker* glossary_ = nullptr;
  std::unique_ptr<const internal::Tables> tables_;
  // Carries translations over to new source revisions.
  std::unique_ptr<internal::CarryOver> carry_over_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_

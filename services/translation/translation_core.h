// TranslationCore: the translation of each source segment into each target
// language of a statement, its state machine (see translation.proto), its
// history, comments and per-language progress counters, stored in the
// "translations" column family. No gRPC here; translation_service.h adapts
// it.
//
// Every change is one Store::Commit holding the translation record (with a
// compare-and-set on its version), its immutable history entry, the
// per-language counter deltas and a change-feed event; a stale version is
// ABORTED and nothing is written. A segment without a record is
// untranslated at version 1; its first change writes the "created" entry
// (version 1) and the change (version 2) together.
//
// Source revisions are carried over by a feed consumer: for each
// "statement.revised" event it moves translations of changed segments to
// their successors as needs_update, keeps removed segments' translations in
// history and adjusts the counters, one commit per statement and language,
// each recording the revision applied so that a replay after a crash does
// nothing twice. CatchUp() runs it synchronously; Start() runs it on a
// background thread. Every call first catches up when the statement has a
// revision not yet applied to the language.
//
// Errors carry google.rpc details as payloads, as the statement core does.
//
// Thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "formats/document.h"
#include "services/common/principal.h"
#include "services/statement/statement_core.h"
#include "services/translation/translation_model.h"
#include "services/translation/work_guard.h"
#include "storage/feed_consumer.h"
#include "storage/store.h"
#include "text/qa.h"

namespace tessera::translation {

// The QA findings (errors first, then warnings) that a Submit refused with
// QA_ERRORS carries as an internal payload, for the service to turn into a
// tessera.v1.QaReport. Empty for any other status.
std::vector<text::QaIssue> QaIssuesOf(const absl::Status& status);

// The key of a translation record (see storage/FORMAT.md), for services that
// guard their commits on it.
std::string TranslationRecordKey(uint64_t iid, std::string_view language,
                                 std::string_view segment_id);

class TranslationCore {
 public:
  // None owned; all must outlive the core.
  TranslationCore(storage::Store* store, statement::StatementCore* statements,
                  Clock* clock);
  // Stops the background consumer if it runs.
  ~TranslationCore();

  // Common errors of every call: NOT_FOUND for an absent statement or a
  // segment not in its current revision; INVALID_ARGUMENT for a language
  // the statement does not target (LANGUAGE_NOT_TARGETED) or a bad tag;
  // PERMISSION_DENIED (LANGUAGE_NOT_GRANTED) when the caller's roles for
  // the method are not granted in the language. Mutations: ABORTED
  // (VERSION_CONFLICT) on a stale version, FAILED_PRECONDITION
  // (WRONG_STATE) when the statement is not open, the segment is not
  // translatable or the state forbids the transition.

  // The current revision's translatable segments (all with
  // include_non_translatable) in document order, filtered. INVALID_ARGUMENT
  // for a negative page size, a bad filter or a foreign page token.
  absl::StatusOr<TranslationPage> ListSegments(const Principal& caller,
                                               std::string_view statement_id,
                                               std::string_view language,
                                               const ListSegmentsQuery& query,
                                               int page_size,
                                               std::string_view page_token);

  absl::StatusOr<Translation> GetSegment(const Principal& caller,
                                         const TranslationRef& ref);

  // Stores a draft (an empty text clears it) without a state change; not
  // when approved. Translator or coordinator.
  absl::StatusOr<Translation> SaveDraft(const Principal& caller,
                                        const TranslationRef& ref,
                                        uint64_t version,
                                        const formats::Content& content);

  // → translated, the caller the author; not when approved. QA errors:
  // INVALID_ARGUMENT (QA_ERRORS) with a BadRequest violation per error and
  // the issues as payload. validate_only writes nothing. Translator or
  // coordinator.
  absl::StatusOr<Translation> Submit(const Principal& caller,
                                     const TranslationRef& ref,
                                     uint64_t version,
                                     const formats::Content& content,
                                     bool validate_only);

  // One approval; approved with the last required one. Only from
  // translated. PERMISSION_DENIED (FOUR_EYES) for the author or a repeat
  // approver. Reviewer or coordinator.
  absl::StatusOr<Translation> Approve(const Principal& caller,
                                      const TranslationRef& ref,
                                      uint64_t version,
                                      std::string_view comment);

  // translated → rejected; the reason also joins the comment thread.
  // INVALID_ARGUMENT without a reason. Reviewer or coordinator.
  absl::StatusOr<Translation> Reject(const Principal& caller,
                                     const TranslationRef& ref,
                                     uint64_t version, std::string_view reason);

  // approved → translated, approvals cleared. Coordinator.
  absl::StatusOr<Translation> Reopen(const Principal& caller,
                                     const TranslationRef& ref,
                                     uint64_t version, std::string_view reason);

  // Every version, oldest first, with those of predecessor segments.
  // Accepts segments no longer in the current revision.
  absl::StatusOr<HistoryPage> GetHistory(const Principal& caller,
                                         const TranslationRef& ref,
                                         int page_size,
                                         std::string_view page_token);

  // Appends an immutable comment; the same request_id by the same user
  // returns the first comment. FAILED_PRECONDITION when archived.
  absl::StatusOr<Comment> AddComment(const Principal& caller,
                                     const TranslationRef& ref,
                                     std::string_view text,
                                     std::string_view request_id);

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
  struct Ctx;
  struct Rec;
  enum class Need;
  absl::StatusOr<Ctx> Prepare(const Principal& caller,
                              const TranslationRef& ref, Need need,
                              bool require_open, bool require_current);
  absl::StatusOr<Translation> Mutate(
      const Principal& caller, const TranslationRef& ref, uint64_t version,
      Need need, const std::function<absl::Status(Ctx&)>& change);
  absl::StatusOr<std::optional<Rec>> ReadRec(uint64_t iid,
                                             std::string_view language,
                                             std::string_view segment_id);
  absl::StatusOr<Translation> View(const Ctx& ctx);
  absl::Status EnsureCarriedOver(const statement::Statement& s, uint64_t iid,
                                 std::string_view language);
  absl::Status ApplyRevision(std::string_view statement_id, int revision);
  // The carry-over consumer's handler: applies each "statement.revised".
  absl::StatusOr<bool> ApplyRevisions(
      const std::vector<storage::FeedEvent>& events);
  absl::Status ApplyRevisionToLanguage(const statement::Statement& s,
                                       uint64_t iid,
                                       const statement::Revision& r,
                                       std::string_view language);
  absl::StatusOr<int> CommentCount(uint64_t iid, std::string_view language,
                                   std::string_view segment_id);

  storage::Store* store_;
  statement::StatementCore* statements_;
  Clock* clock_;
  WorkGuard* gate_ = nullptr;

  // Carries translations over to new source revisions.
  storage::FeedConsumer carry_over_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_CORE_H_

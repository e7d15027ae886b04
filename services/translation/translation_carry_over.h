// CarryOver: moves translations to new source revisions. For each
// "statement.revised" event in the change feed it applies the revision to
// every target language of the statement, one commit per statement and
// language: a changed segment's translation moves to its successor as
// needs_update, a removed segment's translation stays for history only, a
// segment that comes back gets its translation back, and the counters
// follow. Each commit raises the language's "revision applied" record, so
// a replay after a crash does nothing twice.
//
// It runs only on the feed consumer (CatchUp(), or the background thread of
// Start()) and on the calls of TranslationCore that need a statement's
// language up to date (EnsureCarriedOver()), which the gRPC edge runs on
// the worker pool, never on its event threads. Only
// services/translation/ includes this header.
//
// Thread-safe: concurrent carry-overs of one language race on the
// compare-and-set of its records and the loser retries or finds the work
// done.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_CARRY_OVER_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_CARRY_OVER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "services/statement/statement_model.h"
#include "services/translation/statement_reader.h"
#include "services/translation/translation_internal.h"
#include "storage/feed_consumer.h"
#include "storage/feed_source.h"
#include "storage/store.h"

namespace tessera::translation::internal {

class CarryOver {
 public:
  // None owned; all must outlive the carry-over. Events are read from
  // `feed`; the cursor and every carry-over are committed to `store`.
  CarryOver(storage::Store* store, const storage::FeedSource* feed,
            const StatementReader* statements, Clock* clock,
            const Tables* tables);

  CarryOver(const CarryOver&) = delete;
  CarryOver& operator=(const CarryOver&) = delete;

  // Applies to `language` (canonical) every revision of `statement` up to
  // its current one that the language has not had yet; OK at once when it
  // is up to date. Errors are the StatementReader's and the Store's;
  // INTERNAL for a corrupt record or revisions applied out of order.
  absl::Status EnsureCarriedOver(const statement::Statement& statement,
                                 uint64_t iid, std::string_view language);

  // Applies every source revision in the feed not yet carried over.
  absl::Status CatchUp() { return consumer_.CatchUp(); }

  // Starts / stops the background consumer that catches up whenever the
  // feed grows. Stop() is idempotent.
  void Start() { consumer_.Start(); }
  void Stop() { consumer_.Stop(); }

 private:
  // The consumer's handler: applies each "statement.revised".
  absl::StatusOr<bool> ApplyEvents(
      const std::vector<storage::FeedEvent>& events);
  // Applies `revision` and any before it to every target language; OK
  // when the statement is gone or not yet at `revision`.
  absl::Status ApplyRevision(std::string_view statement_id, int revision);
  // One commit: `revision` carried over to `language`, whose last applied
  // revision must be the one before.
  absl::Status ApplyToLanguage(const statement::Statement& statement,
                               uint64_t iid,
                               const statement::Revision& revision,
                               std::string_view language);

  storage::Store* store_;
  const StatementReader* statements_;
  Clock* clock_;
  const Tables* tables_;
  storage::FeedConsumer consumer_;
};

}  // namespace tessera::translation::internal

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_CARRY_OVER_H_

// What the parts of TranslationCore share (translation_core.cc, the
// changes, comments, queries and carry-over files): the typed tables of the
// "translations" column family, the conversions between stored records and
// the domain model, the context a call works on and the errors every part
// raises. Only services/translation/ includes this header.
//
// Thread safety: Tables is immutable after construction; the other types
// are values owned by one call.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_INTERNAL_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "formats/document.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"
#include "services/translation/translation_records.pb.h"
#include "storage/store.h"
#include "storage/table.h"
#include "text/qa.h"

namespace tessera::translation::internal {

namespace rec = ::tessera::storage::translation;

using StoredRecord = storage::Versioned<rec::TranslationRecord>;

// One table per kind of value (see translation_keys.h for the keys and
// storage/FORMAT.md for the layouts); all format 0x01 envelopes.
struct Tables {
  explicit Tables(storage::Store* store);

  // 0x01: version = Translation.version.
  storage::Table<rec::TranslationRecord> translations;
  // 0x02: version = the entry's version; immutable.
  storage::Table<rec::HistoryRecord> history;
  // 0x03: version 1; immutable.
  storage::Table<rec::CommentRecord> comments;
  // 0x06: version = the last revision carried over; payload empty.
  storage::RawTable revision_applied;
  // 0x07: version = number of comments; payload empty.
  storage::RawTable comment_heads;
  // 0x08: version 1, payload the comment id.
  storage::Table<uint64_t> comment_requests;
};

// The role a call needs in the language.
enum class Need : uint8_t { kRead, kTranslate, kReview, kCoordinate, kComment };

// Everything a call on one translation (or one language) works on.
struct Context {
  statement::Statement statement;
  uint64_t iid = 0;
  TranslationRef ref;  // language canonical
  // Whether the segment is in the current revision; `source` is set then.
  bool in_current = false;
  statement::SourceSegment source;
  std::optional<StoredRecord> record;  // absent: untranslated, version 1

  uint64_t version() const { return record ? record->version : 1; }
};

// A change's commit lost a compare-and-set: the next attempt reloads, and
// answers a stale version with VERSION_CONFLICT, while a race on the
// comment thread alone is simply redone. Bounded, so a hot key fails with
// ABORTED instead of spinning.
class Attempts {
 public:
  // True when `status` is ABORTED and another attempt may run.
  bool Again(const absl::Status& status) {
    return absl::IsAborted(status) && ++failed_ < kMaxAttempts;
  }

 private:
  static constexpr int kMaxAttempts = 16;
  int failed_ = 0;
};

// The states kept in counters; untranslated is the remainder.
inline constexpr SegmentState kCountedStates[] = {
    SegmentState::kTranslated, SegmentState::kApproved, SegmentState::kRejected,
    SegmentState::kNeedsUpdate};
bool Counted(SegmentState state);

int64_t Micros(absl::Time t);
absl::Time FromMicros(int64_t micros);

// Record conversions.
void ToRecord(const formats::Content& content, rec::ContentRecord* out);
formats::Content FromRecord(const rec::ContentRecord& record);
void ToRecord(const text::QaIssue& issue, rec::QaIssueRecord* out);
text::QaIssue FromRecord(const rec::QaIssueRecord& record);
HistoryEntry FromRecord(const rec::HistoryRecord& record, uint64_t version);
Comment FromRecord(const rec::CommentRecord& record, uint64_t comment_id);

// The translation of `ref` as clients see it: `record` (null: none yet,
// untranslated) at `version` against the segment's current `source`.
Translation MakeView(const statement::Statement& statement,
                     const TranslationRef& ref,
                     const statement::SourceSegment& source,
                     const rec::TranslationRecord* record, uint64_t version,
                     int comment_count);

// Errors with their reasons (see "Errors" in common.proto).

// "statements/{id}/languages/{lang}/segments/{seg}".
std::string TranslationName(const TranslationRef& ref);
// FAILED_PRECONDITION (WRONG_STATE) naming the segment's state.
absl::Status SegmentWrongState(const TranslationRef& ref, SegmentState state,
                               std::string_view message);
// FAILED_PRECONDITION (WRONG_STATE) naming the statement's state.
absl::Status StatementWrongState(const statement::Statement& statement,
                                 std::string_view message);
// PERMISSION_DENIED with `reason` and the language.
absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language);
// ABORTED (VERSION_CONFLICT) with the current version.
absl::Status VersionConflict(const TranslationRef& ref, uint64_t requested,
                             uint64_t current);

}  // namespace tessera::translation::internal

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_INTERNAL_H_

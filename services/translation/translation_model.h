// The translation service's domain model: translations, their states,
// progress and history as plain values. It is the contract of the ports
// other services use to read translations (for example
// publication/translation_reader.h). No behaviour beyond enum names.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_MODEL_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "formats/document.h"
#include "services/statement/statement_model.h"
#include "text/qa.h"

namespace tessera::translation {

// Numbered as tessera.v1.SegmentState. Stored numbers.
enum class SegmentState : uint8_t {
  kUnspecified = 0,  // not translatable
  kUntranslated = 1,
  kTranslated = 2,
  kApproved = 3,
  kRejected = 4,
  kNeedsUpdate = 5,
};
std::string_view SegmentStateName(SegmentState state);

// Numbered as tessera.v1.Origin. Stored numbers.
enum class Origin : uint8_t {
  kUnspecified = 0,
  kHuman = 1,
  kCarriedOver = 2,
  kMemory = 3,
  kMachine = 4,
};

// Numbered as tessera.v1.HistoryAction. Stored numbers.
enum class HistoryAction : uint8_t {
  kCreated = 1,
  kDraftSaved = 2,
  kSubmitted = 3,
  kApproved = 4,
  kRejected = 5,
  kReopened = 6,
  kSourceChanged = 7,
  kSourceRemoved = 8,
};

// Names one translation.
struct TranslationRef {
  std::string statement_id;
  std::string language;  // canonicalised by the core
  std::string segment_id;
};

struct Draft {
  formats::Content content;
  std::string author;  // user_id
  absl::Time update_time;
};

// Who works on a segment now, as the assignment service knows it (see
// work_reader.h).
struct SegmentWorkers {
  std::string translate_assignee;  // user_id; empty if nobody
  std::string review_assignee;     // user_id; empty if nobody
  std::string lease_holder;        // user_id of an unexpired lease, if any
  std::optional<absl::Time> lease_expire_time;
};

struct Translation {
  std::string statement_id;
  std::string language;  // canonical
  std::string segment_id;
  statement::SourceSegment source;  // in the current revision
  formats::Content content;
  SegmentState state = SegmentState::kUntranslated;
  uint64_t version = 1;
  std::string author;    // user_id
  std::string reviewer;  // user_id
  std::vector<std::string> approvers;
  int review_rounds = 1;
  Origin origin = Origin::kUnspecified;
  std::vector<text::QaIssue> qa_issues;
  std::optional<Draft> draft;
  std::string rejection_reason;
  std::optional<formats::Content> previous_source;
  int comment_count = 0;
  absl::Time update_time;
  // Filled by the reads clients see (GetSegment, ListSegments, ClaimNext);
  // empty in what other services read through their ports.
  SegmentWorkers workers;
};

struct HistoryEntry {
  uint64_t version = 0;
  HistoryAction action = HistoryAction::kCreated;
  std::string actor;  // user_id; empty for server changes
  absl::Time time;
  SegmentState state = SegmentState::kUntranslated;
  formats::Content content;
  std::string author;
  Origin origin = Origin::kUnspecified;
  std::string reason;
  formats::Content source;
  int revision = 0;
  std::string segment_id;
  std::vector<text::QaIssue> qa_issues;
};

struct Comment {
  uint64_t comment_id = 0;  // 1.., in order
  std::string author;       // user_id
  std::string text;
  uint64_t translation_version = 0;
  absl::Time create_time;
};

struct ListSegmentsQuery {
  std::vector<SegmentState> states;  // any of them; empty: all
  // user_id assigned to or leasing the segment (asked of the WorkGuard);
  // empty: anyone. Without a gate a set value matches nothing.
  std::string assignee;
  std::string text_query;  // empty: no text filter
  bool include_non_translatable = false;
  // Fill Translation::workers through the WorkReader (one call per page).
  bool with_workers = false;
};

struct TranslationPage {
  std::vector<Translation> translations;
  std::string next_page_token;
};
struct HistoryPage {
  std::vector<HistoryEntry> entries;
  std::string next_page_token;
};
struct CommentPage {
  std::vector<Comment> comments;
  std::string next_page_token;
};

// Segments and words per state of one language; untranslated is the
// remainder of the current revision's translatable totals.
struct Progress {
  struct Count {
    int64_t segments = 0;
    int64_t words = 0;
  };
  Count untranslated, translated, approved, rejected, needs_update;
  const Count& Of(SegmentState state) const;
};

// Which kind of work a mutation is: SaveDraft and Submit translate, Approve
// and Reject review.
enum class WorkKind : uint8_t { kTranslate = 1, kReview = 2 };

// The translation state a committed change left, for caches of open work.
struct CommittedChange {
  std::string statement_id;
  uint64_t iid = 0;
  std::string language;
  std::string segment_id;
  SegmentState state = SegmentState::kUntranslated;
  uint64_t version = 0;
  std::string author;
  std::vector<std::string> approvers;
};

// One stored translation as document assembly needs it.
struct StoredTranslation {
  std::string segment_id;
  uint64_t version = 0;
  SegmentState state = SegmentState::kUntranslated;
  formats::Content content;
  std::string author;                  // user_id
  std::vector<std::string> approvers;  // user_ids, in order
  Origin origin = Origin::kUnspecified;
  // The source segment's word count when the record last changed.
  int64_t source_words = 0;
  // False once the segment left the current revision (removed, or
  // carried over to a successor).
  bool current = true;
};

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
inline constexpr size_t kMaxContentBytes = 65536;
inline constexpr size_t kMaxReasonBytes = 4000;

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_MODEL_H_

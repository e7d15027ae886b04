// The statement service's domain model: statements, revisions and source
// segments as plain values. It is the contract of the ports other services
// use to read statements (for example translation/statement_reader.h): an
// in-process adapter fills these from StatementCore, a gRPC one from
// tessera.v1 messages. No behaviour beyond names of enum values.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_MODEL_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "formats/document.h"
#include "text/placeholders.h"

namespace tessera {
class CancellationSource;
}  // namespace tessera

namespace tessera::statement {

// Lifecycle, numbered as tessera.v1.StatementState. Stored numbers.
enum class StatementState : uint8_t {
  kDraft = 1,
  kOpen = 2,
  kClosed = 3,
  kArchived = 4,
};
std::string_view StatementStateName(StatementState state);

// Why a segment is not translated, numbered as tessera.v1.NoTranslateReason.
enum class NoTranslateReason : uint8_t {
  kNone = 0,      // translatable
  kDetected = 1,  // only numbers, URLs, addresses, punctuation or codes
  kMarked = 2,    // in a block the coordinator marked
};

// Blocks to copy verbatim, by block index or by source line; both bounds
// inclusive, as tessera.v1.NoTranslateRange.
struct NoTranslateRange {
  enum class Kind : uint8_t { kBlocks = 1, kLines = 2 };
  Kind kind = Kind::kBlocks;
  int first = 0;  // 0-based block, or 1-based line
  int last = 0;
  friend bool operator==(const NoTranslateRange&,
                         const NoTranslateRange&) = default;
};

// What import adds to each formats::Segment.
struct SegmentInfo {
  // 16 lowercase hex digits of SHA-256 over the segment's key (see
  // SegmentKey), plus "x<n>" for the n-th occurrence (n >= 2) of the same
  // key in one document.
  std::string segment_id;
  int word_count = 0;  // 0 when not translatable
  NoTranslateReason no_translate_reason = NoTranslateReason::kNone;
  int index_in_block = 0;
  int block_segment_count = 0;
  int source_line = 0;  // 1-based line where the segment's block starts
  std::string section_heading;
  std::vector<text::Placeholder> placeholders;
};

// Where and how an import parses the document (statement_parse.h). The
// default parses in process, unbounded (unit tests, benchmarks, tools).
struct ParseBudget {
  // Path of the tessera-parse executable; empty: parse in this process.
  std::string helper;
  // CPU time one parse may use (RESOURCE_EXHAUSTED above), and its
  // address-space limit in bytes; both apply only with a helper.
  absl::Duration cpu = absl::Seconds(10);
  size_t memory_bytes = size_t{1} << 30;
  // Refuse Markdown with the known quadratic patterns before parsing.
  bool prechecks = true;
  // Parse children alive at once in this process. A parse beyond waits
  // for a slot, at most as long as one parse's CPU budget and never past
  // its deadline, then gets RESOURCE_EXHAUSTED ("limits/parse_children").
  int max_children = 4;
  // Run after an in-process parse of a document of 1 MB or more, once it
  // is freed (the server returns freed memory to the kernel); may be null.
  void (*after_large_parse)() = nullptr;
};

// Limits enforced on every import.
struct ImportLimits {
  // Larger uploads: RESOURCE_EXHAUSTED.
  size_t max_document_bytes = size_t{8} << 20;
  // More segments: RESOURCE_EXHAUSTED.
  int max_segments = 20000;
  // A segment whose text is longer: INVALID_ARGUMENT.
  size_t max_segment_bytes = 4096;
  ParseBudget parse;
};

struct ImportOptions {
  std::vector<NoTranslateRange> no_translate_ranges;
  ImportLimits limits;
  // The parse is abandoned (DEADLINE_EXCEEDED) when this passes, by the
  // real clock (absl::Now), and (CANCELLED) when the client cancels.
  absl::Time deadline = absl::InfiniteFuture();
  const CancellationSource* cancelled = nullptr;
};

// An imported document, nothing stored.
struct ImportResult {
  std::string source_language;        // canonical
  formats::Document document;         // of the NFC-normalised source
  std::vector<SegmentInfo> segments;  // parallel to document.segments
  int segment_count = 0;
  int translatable_segment_count = 0;
  int64_t word_count = 0;
  int block_count = 0;
};

struct Statement {
  std::string statement_id;
  std::string title;
  std::string source_language;
  formats::Format format = formats::Format::kMarkdown;
  std::vector<std::string> target_languages;
  std::optional<absl::Time> deadline;
  std::map<std::string, std::string> labels;
  StatementState state = StatementState::kOpen;
  int review_rounds = 1;
  bool allow_open_claiming = false;
  int current_revision = 0;
  int segment_count = 0;
  int translatable_segment_count = 0;
  int64_t word_count = 0;
  std::string creator;  // user_id
  absl::Time create_time;
  absl::Time update_time;
  uint64_t version = 0;
};

struct ChangedSegment {
  std::string segment_id;
  std::string predecessor_segment_id;
  float similarity = 0;  // in (0, 1)
};

// What a revision changed against the one before; see
// tessera.v1.RevisionChanges.
struct RevisionChanges {
  int previous_revision = 0;  // 0 for the first revision
  std::vector<std::string> added_segment_ids;
  std::vector<std::string> removed_segment_ids;
  std::vector<ChangedSegment> changed_segments;
  int unchanged_segment_count = 0;
  std::vector<std::string> moved_segment_ids;
};

struct Revision {
  std::string statement_id;
  int revision_number = 0;
  formats::Format format = formats::Format::kMarkdown;
  int64_t source_size_bytes = 0;
  std::string source_sha256;  // lowercase hex
  std::vector<NoTranslateRange> no_translate_ranges;
  int segment_count = 0;
  int translatable_segment_count = 0;
  int64_t word_count = 0;
  RevisionChanges changes;
  std::string note;
  std::string creator;
  absl::Time create_time;
  // Full view only: the uploaded bytes and formats::SerializeDocument.
  std::optional<std::string> source;
  std::optional<std::string> skeleton;
};

// One source segment as one revision has it.
struct SourceSegment {
  std::string statement_id;
  int revision_number = 0;
  int ordinal = 0;  // 1-based, in document order
  formats::Segment segment;
  SegmentInfo info;
};

// A revision's document with its segment ids, for assembly.
struct RevisionDocument {
  int revision_number = 0;
  formats::Document document;
  std::vector<std::string> segment_ids;  // parallel to document.segments
};

// Idempotency shared by the creating calls.
struct WriteControl {
  // 1 to 64 characters of [A-Za-z0-9_-], or empty.
  std::string request_id;
  // Compute and return the result, write nothing.
  bool validate_only = false;
};

struct CreateParams {
  std::string statement_id;  // empty: the server picks one
  std::string title;
  formats::Format format = formats::Format::kMarkdown;
  std::string source;
  std::string source_language;
  std::vector<std::string> target_languages;
  std::optional<absl::Time> deadline;
  std::map<std::string, std::string> labels;
  int review_rounds = 0;  // 0 means 1
  bool allow_open_claiming = false;
  std::vector<NoTranslateRange> no_translate_ranges;
  bool draft = false;
  WriteControl control;
};

struct ReviseParams {
  std::string statement_id;
  uint64_t version = 0;
  std::string source;
  std::vector<NoTranslateRange> no_translate_ranges;
  std::string note;
  WriteControl control;
};

// The fields UpdateStatement may change; unset ones stay as they are.
struct StatementUpdate {
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> target_languages;
  // Set with nullopt inside: remove the deadline.
  std::optional<std::optional<absl::Time>> deadline;
  std::optional<std::map<std::string, std::string>> labels;
  std::optional<int> review_rounds;
  std::optional<bool> allow_open_claiming;
};

// Selects statements by one label: the key, and when set, the value.
struct LabelSelector {
  std::string key;
  std::optional<std::string> value;
};

struct ListStatementsQuery {
  std::vector<LabelSelector> label_selectors;
  // Empty: every state but archived.
  std::vector<StatementState> states;
  // Any of them among the target languages; canonicalised by the core.
  std::vector<std::string> languages;
};

struct StatementPage {
  std::vector<Statement> statements;
  std::string next_page_token;
};
struct RevisionPage {
  std::vector<Revision> revisions;
  std::string next_page_token;
};
struct SourceSegmentPage {
  std::vector<SourceSegment> segments;
  std::string next_page_token;
  int total_size = 0;
};

// Page sizes (0 means the default; larger sizes are clamped).
inline constexpr int kDefaultStatementPageSize = 50;
inline constexpr int kMaxStatementPageSize = 500;
inline constexpr int kDefaultSegmentPageSize = 100;
inline constexpr int kMaxSegmentPageSize = 1000;
// Field limits, each enforced with INVALID_ARGUMENT naming the number.
inline constexpr size_t kMaxStatementIdBytes = 63;
inline constexpr size_t kMaxTitleBytes = 500;
inline constexpr size_t kMaxTargetLanguages = 100;
inline constexpr size_t kMaxLabels = 32;
inline constexpr size_t kMaxLabelBytes = 63;
inline constexpr size_t kMaxRequestIdBytes = 64;
inline constexpr size_t kMaxNoTranslateRanges = 1000;
inline constexpr size_t kMaxNoteBytes = 1000;
inline constexpr int kMaxReviewRounds = 3;

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_MODEL_H_

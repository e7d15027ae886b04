// What the memory's approval consumer needs of the statement and
// translation services (ports); the providers supply the adapters
// (statement_reader_for_memory, translation_reader_for_memory).
#ifndef TESSERA_SERVICES_MEMORY_APPROVAL_READER_H_
#define TESSERA_SERVICES_MEMORY_APPROVAL_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "formats/document.h"

namespace tessera::memory {

// One source segment of a revision.
struct SourceSegmentEntry {
  std::string id;
  formats::Content content;
  // Every code of `content` with its source bytes (formats/document.h).
  std::vector<formats::InlineCode> codes;
};

struct StatementSources {
  std::string source_language;
  std::vector<std::string> target_languages;
  // Every segment of the current revision in document order.
  std::vector<SourceSegmentEntry> segments;
};

// A segment of the current revision and its neighbours in document order.
struct SegmentWindow {
  std::string source_language;
  std::vector<std::string> target_languages;
  SourceSegmentEntry segment;
  std::optional<formats::Content> previous;  // nullopt for the first one
  std::optional<formats::Content> next;      // nullopt for the last one
};

class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // NOT_FOUND for an absent statement.
  virtual absl::StatusOr<StatementSources> CurrentSources(
      std::string_view statement_id) const = 0;
  // NOT_FOUND for an absent statement or a segment that is not in the
  // current revision. Adapters read only the three segments; this
  // fallback reads them all.
  virtual absl::StatusOr<SegmentWindow> CurrentSegment(
      std::string_view statement_id, std::string_view segment_id) const;
};

inline absl::StatusOr<SegmentWindow> SourceReader::CurrentSegment(
    std::string_view statement_id, std::string_view segment_id) const {
  absl::StatusOr<StatementSources> all = CurrentSources(statement_id);
  if (!all.ok()) return all.status();
  for (size_t i = 0; i < all->segments.size(); ++i) {
    if (all->segments[i].id != segment_id) continue;
    SegmentWindow w;
    w.source_language = all->source_language;
    w.target_languages = all->target_languages;
    w.segment = all->segments[i];
    if (i > 0) w.previous = all->segments[i - 1].content;
    if (i + 1 < all->segments.size()) w.next = all->segments[i + 1].content;
    return w;
  }
  return absl::NotFoundError("the segment is not in the current revision");
}

struct SegmentTranslation {
  std::string segment_id;
  // Approved, and in the statement's current revision.
  bool approved = false;
  formats::Content content;
  std::string author;    // user_id
  std::string reviewer;  // user_id of the last approver
};

class TranslationReader {
 public:
  virtual ~TranslationReader() = default;
  // The stored translations of `language`, by segment id. NOT_FOUND for
  // an absent statement.
  virtual absl::StatusOr<std::vector<SegmentTranslation>> Translations(
      std::string_view statement_id, std::string_view language) const = 0;
};

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_APPROVAL_READER_H_

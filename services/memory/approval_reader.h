// What the memory's approval consumer needs of the statement and
// translation services (ports); the providers supply the adapters
// (statement_reader_for_memory, translation_reader_for_memory).
#ifndef TESSERA_SERVICES_MEMORY_APPROVAL_READER_H_
#define TESSERA_SERVICES_MEMORY_APPROVAL_READER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "formats/document.h"

namespace tessera::memory {

struct StatementSources {
  std::string source_language;
  // Every segment of the current revision in document order: id, source.
  std::vector<std::pair<std::string, formats::Content>> segments;
};

class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // NOT_FOUND for an absent statement.
  virtual absl::StatusOr<StatementSources> CurrentSources(
      std::string_view statement_id) const = 0;
};

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

// TranslationReader: what the assignment core reads of translations, and
// the one guard it puts on them. The translation service supplies the
// in-process adapter
// (services/translation/translation_reader_for_assignment.h).
//
// The promise of ReadSegmentState and GuardUnchanged: a claim reads a
// segment's state at some version and decides on it; GuardUnchanged adds
// to the claim's WriteSet a precondition that fails the commit with
// ABORTED, writing nothing, if any translation change of the segment
// committed after that version was read. In process the precondition is
// checked atomically with the rest of the commit, so a claim never hands
// out a segment on the strength of a state that is gone. An adapter across
// processes must keep the same promise (for example with a fencing token
// checked by the translation side).
//
// No method checks permissions. Implementations are thread-safe and must
// outlive the core.
#ifndef TESSERA_SERVICES_ASSIGNMENT_TRANSLATION_READER_H_
#define TESSERA_SERVICES_ASSIGNMENT_TRANSLATION_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/translation/translation_model.h"
#include "storage/store.h"

namespace tessera::assignment {

// A segment's translation state as a claim decides on it.
struct SegmentWork {
  translation::SegmentState state = translation::SegmentState::kUntranslated;
  // The version to pass to GuardUnchanged; 0 while nothing is stored for
  // the segment (untranslated).
  uint64_t version = 0;
  std::string author;                  // user_id; empty when untranslated
  std::vector<std::string> approvers;  // user_ids, in order
};

class TranslationReader {
 public:
  virtual ~TranslationReader() = default;

  // Segments and words per state of one language, in O(1). NOT_FOUND for
  // an absent statement.
  virtual absl::StatusOr<translation::Progress> GetProgress(
      std::string_view statement_id, std::string_view language) = 0;

  // One page of the current revision's translatable segments of the
  // language, in document order; page_size is clamped to
  // translation::kMaxPageSize and an empty next_page_token ends the list.
  // NOT_FOUND for an absent statement; INVALID_ARGUMENT for a language the
  // statement does not target or a bad page token.
  virtual absl::StatusOr<translation::TranslationPage> ListSegments(
      std::string_view statement_id, std::string_view language, int page_size,
      std::string_view page_token) = 0;

  // The translation as it is now. NOT_FOUND for an absent statement or a
  // segment not in the current revision.
  virtual absl::StatusOr<translation::Translation> LoadTranslation(
      const translation::TranslationRef& ref) = 0;

  // The stored state of one segment of the statement with internal id
  // `iid`, read without carrying over revisions: untranslated at version 0
  // when nothing is stored. INTERNAL for a corrupt record.
  virtual absl::StatusOr<SegmentWork> ReadSegmentState(
      uint64_t iid, std::string_view language, std::string_view segment_id) = 0;

  // Adds to `writes` the precondition that the segment is still at
  // `version`, as ReadSegmentState returned it (see the header comment).
  virtual void GuardUnchanged(uint64_t iid, std::string_view language,
                              std::string_view segment_id, uint64_t version,
                              storage::WriteSet* writes) = 0;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_TRANSLATION_READER_H_

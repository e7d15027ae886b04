// GlossaryCore: glossary entries per language pair and where their terms
// occur in a text, stored in the "memory" column family under keys that
// start with 'g' (glossary_keys.h). No gRPC here; glossary_service.h adapts
// it. The matching rules are those of "Glossary terms" in
// proto/tessera/v1/memory.proto (glossary_match.h implements them).
//
// Every change is one Store::Commit holding the entry (compare-and-set on
// its version), its uniqueness key, its listing and terms-index keys, the
// request id record of a create, and a change-feed event
// ("glossary.created", "glossary.updated", "glossary.deleted", payload
// "glossaryEntries/{id} by users/{user}"). A change checks the caller's
// deadline just before it commits; a failed change writes nothing.
//
// Roles and language grants are the edge's business: the core checks no
// caller beyond recording who created an entry.
//
// Thread-safe: all state is in the Store.
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CORE_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/random.h"
#include "services/common/call_context.h"
#include "storage/store.h"

namespace tessera::memory::glossary {

// Numbered as tessera.v1.PartOfSpeech.
enum class PartOfSpeech : int {
  kUnspecified = 0,
  kNoun = 1,
  kVerb = 2,
  kAdjective = 3,
  kAdverb = 4,
  kProperNoun = 5,
  kOther = 6,
};

struct GlossaryEntry {
  std::string entry_id;
  std::string source_language;
  std::string target_language;
  std::string source_term;
  std::string target_term;
  bool do_not_translate = false;
  bool case_sensitive = false;
  bool match_inflections = false;
  PartOfSpeech part_of_speech = PartOfSpeech::kUnspecified;
  std::string note;
  std::string creator;  // user id
  absl::Time create_time;
  absl::Time update_time;
  uint64_t version = 0;
};

// The fields an update changes; unset ones stay.
struct GlossaryUpdate {
  std::optional<std::string> source_term;
  std::optional<std::string> target_term;
  std::optional<bool> do_not_translate;
  std::optional<bool> case_sensitive;
  std::optional<bool> match_inflections;
  std::optional<PartOfSpeech> part_of_speech;
  std::optional<std::string> note;
};

struct GlossaryQuery {
  std::string source_language;  // empty: any
  std::string target_language;  // empty: any
  std::string term_query;       // empty: any
};

struct GlossaryPage {
  std::vector<GlossaryEntry> entries;
  std::string next_page_token;  // empty on the last page
};

// An occurrence of an entry's source term: bytes [start, end) of the text.
struct GlossaryHit {
  GlossaryEntry entry;
  size_t start = 0;
  size_t end = 0;
};

inline constexpr size_t kMaxTermBytes = 200;
inline constexpr size_t kMaxNoteBytes = 2000;
inline constexpr size_t kMaxRequestIdBytes = 64;
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// "glossaryEntries/{entry_id}".
std::string EntryName(std::string_view entry_id);
// The entry id in `name`; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseEntryName(std::string_view field,
                                           std::string_view name);

class GlossaryCore {
 public:
  // None owned; all must outlive the core.
  GlossaryCore(storage::Store* store, Clock* clock, RandomSource* random)
      : store_(store), clock_(clock), random_(random) {}

  // Every method may also fail with the Store's errors, and INTERNAL for a
  // stored record that does not decode. Field violations name the request
  // field ("glossary_entry.source_term").

  // Creates `entry` (output-only fields ignored) at version 1, the caller
  // its creator. Languages are canonicalised and must differ; terms are
  // stored in NFC and trimmed, 1 to kMaxTermBytes, without control
  // characters, the source term with a word in it; target_term is empty
  // exactly when do_not_translate; the note at most kMaxNoteBytes.
  // INVALID_ARGUMENT for any of these, a bad part of speech, or a
  // malformed request id (REQUEST_ID_REUSED when it was used with another
  // request); ALREADY_EXISTS when the pair already has an entry with the
  // same source and target terms up to case. With a request id, a retry
  // of the same request by the same user returns the entry the first call
  // made (NOT_FOUND if it was deleted since).
  absl::StatusOr<GlossaryEntry> Create(const CallContext& call,
                                       GlossaryEntry entry,
                                       std::string_view request_id);

  // NOT_FOUND if there is no entry `entry_id`.
  absl::StatusOr<GlossaryEntry> Get(std::string_view entry_id) const;

  // Entries by case-folded source term, then id, filtered by `query`
  // (languages canonicalised; term_query a case-insensitive substring of
  // either term) and by `visible` when given, `page_size` at a time (0:
  // kDefaultPageSize; at most kMaxPageSize). INVALID_ARGUMENT for a
  // negative page size, a bad language tag, a term query over
  // kMaxTermBytes or not UTF-8, or a page token of another query.
  absl::StatusOr<GlossaryPage> List(
      const GlossaryQuery& query, int page_size, std::string_view page_token,
      const std::function<bool(const GlossaryEntry&)>& visible = nullptr) const;

  // Applies `update` to the entry at `expected_version`, which moves to
  // the next version. The result passes the checks of Create.
  // INVALID_ARGUMENT for an empty update, version 0 or a bad field;
  // NOT_FOUND; ABORTED (VERSION_CONFLICT, metadata current_version) when
  // the entry is not at `expected_version`; ALREADY_EXISTS when the change
  // would duplicate another entry.
  absl::StatusOr<GlossaryEntry> Update(const CallContext& call,
                                       std::string_view entry_id,
                                       uint64_t expected_version,
                                       const GlossaryUpdate& update);

  // Deletes the entry at `expected_version`. INVALID_ARGUMENT for version
  // 0; NOT_FOUND; ABORTED (VERSION_CONFLICT) when stale.
  absl::Status Delete(const CallContext& call, std::string_view entry_id,
                      uint64_t expected_version);

  // The entries of the pair whose source term occurs in `text` (the
  // source Content.text, NFC), one hit per occurrence, by start, then
  // longer first, then entry id. Reads only the terms-index keys of the
  // text's words, never the whole glossary. INVALID_ARGUMENT for a bad
  // language tag.
  absl::StatusOr<std::vector<GlossaryHit>> FindTerms(
      std::string_view source_language, std::string_view target_language,
      std::string_view text) const;

 private:
  absl::StatusOr<std::optional<GlossaryEntry>> Load(
      std::string_view entry_id) const;
  absl::Status Conflict(std::string_view entry_id, uint64_t requested) const;

  storage::Store* store_;
  Clock* clock_;
  RandomSource* random_;
};

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CORE_H_

// MemoryCore: the translation memory, gRPC-free. Units are kept in the
// "memory" column family with their fuzzy index (memory_index.h), written
// in the same commit.
//
// Thread-safe: every method may be called from any thread.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_CORE_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_CORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "formats/document.h"
#include "services/common/principal.h"
#include "services/memory/memory_records.pb.h"
#include "services/memory/memory_score.h"
#include "services/memory/memory_signature.h"
#include "storage/store.h"

namespace tessera::memory {

// The native markup of one inline code (memory_records.proto, NativeCode).
struct NativeMarkup {
  std::string open;
  std::string close;
  std::string type;
  friend bool operator==(const NativeMarkup&, const NativeMarkup&) = default;
};
using NativeMarkups = std::map<int, NativeMarkup>;  // by code id

// What adds or refreshes a unit.
struct UnitInput {
  std::string source_language;
  std::string target_language;
  formats::Content source;
  formats::Content target;
  int unit_source = 1;  // tessera.v1.MemoryUnitSource
  std::string translation;
  std::string author;
  std::string reviewer;
  std::string provenance;
  absl::Time time;
  // Normalised sources of the neighbouring segments; empty when none.
  std::string previous_source;
  std::string next_source;
  // The codes' native markup; target_natives only where the target's
  // markup differs from the source's.
  NativeMarkups source_natives;
  NativeMarkups target_natives;
};

// The native markup of a source segment's codes: each code's source bytes
// and the TMX type of what it stands for ("bold", "link", "x-html", ...).
NativeMarkups NativesFromCodes(const std::vector<formats::InlineCode>& codes);

// What AddUnits did, or would do.
struct AddUnitsCounts {
  int added = 0;      // units that were not there
  int refreshed = 0;  // inputs whose unit was there (or came earlier)
};

enum class MatchKind { kContext, kExact, kExactText, kFuzzy };

struct Match {
  storage::memory::MemoryUnitRecord unit;
  double score = 0;
  MatchKind kind = MatchKind::kFuzzy;
  std::vector<TokenEdit> diff;  // of the unit's source against the query
  formats::Content suggestion;  // target with the query's numbers and codes
};

struct LookupQuery {
  std::string source_language;
  std::string target_language;
  formats::Content source;
  double min_score = 0.75;
  int max_results = 5;  // <= 0: all
  // For context matches; empty when unknown.
  std::string previous_source;
  std::string next_source;
};

// The hash a neighbour's source is kept under (0 for an empty one).
uint64_t NeighbourHash(const formats::Content& content,
                       std::string_view language);

class MemoryCore {
 public:
  explicit MemoryCore(storage::Store* store) : store_(store) {}

  // The unit id of a pair of texts.
  static uint64_t UnitId(const UnitInput& input);

  // Adds the unit or refreshes the existing one (same pair and texts) in
  // `writes`, given the unit's current record (nullopt if new), adding
  // `reference_delta` to its count of approved translations.
  void AddUnitWrites(const UnitInput& input,
                     const std::optional<storage::memory::MemoryUnitRecord>&
                         existing,
                     uint64_t existing_version, storage::WriteSet* writes,
                     int reference_delta = 0);
  // Removes a unit and its index entries.
  absl::Status AddUnitErasures(const storage::memory::MemoryUnitRecord& unit,
                               uint64_t version, storage::WriteSet* writes);

  // Adds or refreshes one unit in one commit; returns its id.
  absl::StatusOr<uint64_t> AddUnit(const UnitInput& input);

  // Adds or refreshes every unit of `inputs` in one commit: all or none.
  // An input whose unit an earlier input made refreshes it. With
  // `dry_run`, counts and writes nothing. `before_commit` (may be null)
  // runs just before each commit attempt; its error stops the call.
  absl::StatusOr<AddUnitsCounts> AddUnits(
      const std::vector<UnitInput>& inputs, bool dry_run,
      const std::function<absl::Status()>& before_commit);

  // Calls `fn` for every unit of the memory, in unit id order, from one
  // consistent snapshot, until it returns false.
  absl::Status ForEachUnit(
      const std::function<bool(storage::memory::MemoryUnitRecord& unit)>& fn)
      const;

  // Loads a unit and its record version; nullopt if absent.
  absl::StatusOr<std::optional<std::pair<storage::memory::MemoryUnitRecord,
                                         uint64_t>>>
  LoadUnit(uint64_t unit) const;

  // Matches at or above min_score, best first (memory.proto, LookupResponse).
  absl::StatusOr<std::vector<Match>> Lookup(const LookupQuery& query) const;

  // Units of the pair whose normalised source (or target), case-folded,
  // contains the normalised, case-folded `phrase`; most recently updated
  // first, at most `max_results`. Reads every unit of the pair.
  absl::StatusOr<std::vector<storage::memory::MemoryUnitRecord>> Concordance(
      std::string_view source_language, std::string_view target_language,
      std::string_view phrase, bool in_target, int max_results) const;

  // PERMISSION_DENIED unless `caller` is an admin or a translator, reviewer
  // or coordinator for `target_language`.
  static absl::Status CheckReader(const Principal& caller,
                                  std::string_view target_language);

 private:
  storage::Store* const store_;
  // Signatures of the units lookups have met (memory_signature.h).
  mutable SignatureCache signatures_;
};

// Orders matches as LookupResponse says.
bool MatchBefore(const Match& a, const Match& b);

// The target of `unit` with the numbers and codes that differ between its
// source and `query` replaced by the query's, where the diff pairs them.
formats::Content Substitute(const std::vector<TokenEdit>& diff,
                            const formats::Content& target);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_CORE_H_

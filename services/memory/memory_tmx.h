// TMX 1.4b import and export of the memory (memory.proto, ImportTmx and
// ExportTmx): between interchange's TMX units (interchange/tmx.h) and
// memory units. gRPC-free.
//
// Import: each <tu> gives one unit per target variant, or none and a
// problem (a unit is whole or absent). Texts are kept in NFC, as every
// text of Tessera is; the codes' native markup (the content of bpt, ept
// and ph) is kept with the unit. Export: one <tu> per unit, source variant
// first, the codes written back with the markup they came with (for
// approved translations, the source document's own bytes).
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_TMX_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_TMX_H_

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "interchange/tmx.h"
#include "services/memory/memory_core.h"

namespace tessera::memory {

// Limits of one import (ImportTmxRequest.tmx).
struct TmxImportLimits {
  size_t max_bytes = size_t{8} << 20;  // RESOURCE_EXHAUSTED above
  size_t max_units = 100'000;          // <tu> elements; RESOURCE_EXHAUSTED
};

struct TmxImportOptions {
  // Canonical tag overriding the file's srclang; empty: the file's.
  std::string source_language;
  // Canonical tags; empty: every language of the file but the source.
  std::vector<std::string> target_languages;
  // Kept in each unit ("tmx:" + source name).
  std::string provenance;
  absl::Time time;
  TmxImportLimits limits;
};

// At most this many problems are kept (ImportTmxResponse.problems).
inline constexpr size_t kMaxTmxProblems = 100;

struct TmxImportPlan {
  int units_read = 0;     // <tu> elements
  int units_skipped = 0;  // <tu> elements that give no unit
  std::vector<interchange::TmxProblem> problems;  // the first 100
  std::vector<UnitInput> inputs;  // document order
  std::set<std::string> target_languages;  // of `inputs`
};

// Reads `tmx` into the units it adds. Errors: INVALID_ARGUMENT on field
// "tmx" (not well-formed, not TMX; the line in the message and in
// metadata "line"), on "source_language" when the file's srclang is
// "*all*" and none is given; RESOURCE_EXHAUSTED (LIMIT_EXCEEDED,
// limits/tmx_bytes or limits/tmx_units) over a limit.
absl::StatusOr<TmxImportPlan> PlanTmxImport(std::string_view tmx,
                                            const TmxImportOptions& options);

// The memory unit as a <tu>: tuid the unit id, its dates, author
// (creationid) and reviewer (changeid), and its source and target variants
// with their codes as bpt/ept/ph carrying their native markup.
absl::StatusOr<interchange::TmxUnit> TmxUnitFromRecord(
    const storage::memory::MemoryUnitRecord& unit);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_TMX_H_

// The fuzzy index of the translation memory: what a unit adds to the
// "memory" column family beside its record, and the search that finds
// every unit at or above a score without reading them all.
//
// Filters, all lossless for the score of memory_score.h:
//  - length: D >= |W(a) - W(b)| (substitutions keep the weight), so a unit
//    can reach s only if W(b) is in [s W(a), W(a) / s]; for the character
//    score, the same with code-point lengths;
//  - count: with m the shared case-folded words (as multisets), u = words
//    minus m on each side, every word not matched by an equal one costs
//    D >= max(u) - 0.25 min(u) (a substitution of different words costs at
//    least 0.75 and pairs two of them; an insertion costs 1), and the other
//    kinds add 0.5 |numbers(a) - numbers(b)| + 0.5 |codes(a) - codes(b)| +
//    0.1 |punctuation(a) - punctuation(b)|; hence a least m, tau, per
//    posting bucket;
//  - prefix: a unit with m >= tau shares one of the first n - tau + 1 of
//    the query's words in any fixed order; the order is rarest first, by
//    the document-frequency counters.
// Buckets where tau is 0 are read whole; units of fewer than 4 words, and
// every unit for a query of fewer than 4 words, are found by length.
// The candidates then pass the count filter with their exact shared-word
// count, or, for the character score, their exact distance, both from
// their signatures (memory_signature.h); only the survivors' forms are
// read and scored.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_INDEX_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/memory/memory_score.h"
#include "services/memory/memory_signature.h"
#include "storage/store.h"

namespace tessera::memory {

// A unit's source as the index sees it.
struct IndexedSource {
  uint64_t unit = 0;
  uint64_t pair = 0;
  ScoreForm form;
  uint64_t previous_hash = 0;  // 0 when there is no neighbour
  uint64_t next_hash = 0;
};

// Hash of a normalised source text (exact and context keys).
uint64_t SourceHash(const ScoreForm& form);

std::string EncodeForm(uint64_t pair, const ScoreForm& form);
// False if `bytes` is not an encoded form.
bool DecodeForm(std::string_view bytes, uint64_t* pair, ScoreForm* form);

// Adds to `writes` the index entries of `source` / their removal.
void AddIndexWrites(const IndexedSource& source, storage::WriteSet* writes);
void AddIndexErasures(const IndexedSource& source, storage::WriteSet* writes);

struct IndexHit {
  uint64_t unit = 0;
  double score = 0;
  ScoreForm form;
};

// Work done by one Search, for benchmarks.
struct SearchStats {
  int64_t postings_read = 0;
  int64_t candidates = 0;
  int64_t verified = 0;         // forms scored
  int64_t signatures_read = 0;  // candidates not in the signature cache
};

// Every unit of `pair` whose score against `query` is at least min_score
// (in (0, 1]), in no particular order. `cache` (may be null: none kept)
// holds the signatures of units seen before; candidates are filtered on
// them and only the survivors' forms are read.
absl::StatusOr<std::vector<IndexHit>> Search(const storage::Store& store,
                                             uint64_t pair,
                                             const ScoreForm& query,
                                             double min_score,
                                             SearchStats* stats = nullptr,
                                             SignatureCache* cache = nullptr);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_INDEX_H_

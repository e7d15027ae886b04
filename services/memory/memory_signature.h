// A unit's signature: the little of its scoring form that the count and
// character filters of memory_index.h need, kept in memory so that a
// lookup reads from RocksDB only the forms of the units that pass them.
//
// Filters on a signature are necessary conditions only: a unit they
// reject cannot reach the score; a unit they pass is verified on its form.
// Word hashes are 32 bits, so two words may share one: that can only make
// the shared-word count larger, never smaller, and so never rejects a unit
// that should pass.
//
// A unit id names one language pair and source text (MemoryCore::UnitId),
// so a signature never goes stale while its unit exists; an erased unit's
// signature is never consulted because the index no longer lists the unit.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_SIGNATURE_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/memory/memory_score.h"

namespace tessera::memory {

struct Signature {
  int words = 0, numbers = 0, codes = 0, puncts = 0;
  double weight = 0;  // ScoreForm::weight, the same bits
  uint32_t length = 0;  // code points of the normalised text
  // Sorted 32-bit hashes of the folded words, repeats kept (a multiset).
  std::vector<uint32_t> words_hashed;
  // The code points, only for units of at most kMaxChars of them (the
  // character score's candidates); empty otherwise.
  std::u32string chars;
  static constexpr size_t kMaxChars = 64;

  size_t Bytes() const;
};

Signature MakeSignature(const ScoreForm& form);
// The sorted hashed words of a form, as in Signature::words_hashed.
std::vector<uint32_t> HashedWords(const ScoreForm& form);
// Size of the multiset intersection of two sorted vectors.
int SharedCount(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

// The code-point Levenshtein distance to one pattern of at most 64 code
// points, bit-parallel (Myers 1999, in Hyyrö's form for the global
// distance): one pass over the text, a few word operations per code point.
class CharPattern {
 public:
  // `pattern.size()` must be at most 64.
  explicit CharPattern(std::u32string_view pattern);
  int Distance(std::u32string_view text) const;

 private:
  uint64_t Eq(char32_t c) const;
  static constexpr size_t kSlots = 128;  // > 64 distinct code points
  int m_;
  char32_t keys_[kSlots];
  uint64_t masks_[kSlots];
  bool used_[kSlots];
};

// Signatures by unit, filled on first use and shared by every lookup.
// Thread-safe. When it would hold more than max_bytes it starts afresh.
class SignatureCache {
 public:
  explicit SignatureCache(size_t max_bytes = size_t{512} << 20)
      : max_bytes_(max_bytes) {}

  // Looks up units[i] into out[i] (nullptr when absent).
  void Find(const std::vector<uint64_t>& units,
            std::vector<std::shared_ptr<const Signature>>* out) const;
  void Insert(uint64_t unit, std::shared_ptr<const Signature> signature);

  size_t size() const;
  size_t bytes() const;

 private:
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<const Signature>> map_
      ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_SIGNATURE_H_

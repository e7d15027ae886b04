// Pieces every machine-translation adapter needs: an LRU cache of results,
// a concurrency limit that waits until a deadline, and a resolver from a
// requested pair to the served pair (exact, else primary languages).
// Thread-safe.
#ifndef TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_SUPPORT_H_
#define TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_SUPPORT_H_

#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/memory/machine/machine_translator.h"

namespace tessera::memory::machine {

// Least-recently-used map from (pair, text) to translated text.
class TranslationCache {
 public:
  explicit TranslationCache(size_t capacity) : capacity_(capacity) {}

  std::optional<std::string> Get(const LanguagePair& pair,
                                 std::string_view text);
  void Put(const LanguagePair& pair, std::string_view text,
           std::string translation);
  size_t size() const;

 private:
  static std::string Key(const LanguagePair& pair, std::string_view text);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  // Most recent first; the map points into it.
  std::list<std::pair<std::string, std::string>> order_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, decltype(order_)::iterator> index_
      ABSL_GUARDED_BY(mu_);
};

// At most `limit` holders at once; others wait until a slot frees or their
// deadline passes.
class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(int limit) : limit_(limit < 1 ? 1 : limit) {}
  // False if the deadline passed first.
  bool Acquire(absl::Time deadline);
  void Release();

  class Slot {
   public:
    Slot(ConcurrencyLimit* limit, absl::Time deadline)
        : limit_(limit), held_(limit->Acquire(deadline)) {}
    ~Slot() {
      if (held_) limit_->Release();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool held() const { return held_; }

   private:
    ConcurrencyLimit* limit_;
    bool held_;
  };

 private:
  const int limit_;
  absl::Mutex mu_;
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
};

// Maps requested pairs to served ones, with a payload (an Apertium mode
// name, say). The exact pair wins; else the pair of primary languages.
class PairTable {
 public:
  void Add(const LanguagePair& pair, std::string payload);
  // The served pair and its payload, if any.
  std::optional<std::pair<LanguagePair, std::string>> Resolve(
      std::string_view source, std::string_view target) const;
  std::vector<LanguagePair> Pairs() const;

 private:
  std::map<LanguagePair, std::string> pairs_;
};

}  // namespace tessera::memory::machine

#endif  // TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_SUPPORT_H_

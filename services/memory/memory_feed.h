// MemoryFeed: the change-feed consumer that keeps the memory in step with
// approved translations. For each translation event it reads the
// segment's current state: an approved translation adds its unit, or
// refreshes it when the same texts are there (provenance, time,
// neighbours); a translation that is no longer approved, or approved with
// another text, gives up its reference to the unit it made, and a unit no
// approved translation refers to any more is removed (memory.proto,
// MemoryUnit). The cursor is saved in the same commit as the units, so a
// crash never applies an event twice nor skips one.
//
// Thread-safe. CatchUp() applies what is visible, synchronously; Start()
// runs it on a background thread woken by the feed.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_FEED_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_FEED_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/memory/approval_reader.h"
#include "services/memory/memory_core.h"
#include "storage/feed_source.h"
#include "storage/store.h"

namespace tessera::memory {

class MemoryFeed {
 public:
  // None owned; all must outlive the feed.
  MemoryFeed(storage::Store* store, const storage::FeedSource* feed,
             MemoryCore* core, const SourceReader* sources,
             const TranslationReader* translations);
  ~MemoryFeed();

  absl::Status CatchUp();
  void Start();
  void Stop();

 private:
  absl::Status CatchUpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::Store* const store_;
  const storage::FeedSource* const feed_;
  MemoryCore* const core_;
  const SourceReader* const sources_;
  const TranslationReader* const translations_;

  absl::Mutex mu_;
  std::atomic<bool> stop_{false};
  std::thread background_;
};

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_FEED_H_

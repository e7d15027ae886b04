// RenderCache: the rendered bytes of publications (one entry per
// publication version and output format), so that each format of a
// publication is rendered once, however many readers ask for it.
//
// Publications never change once written and internal ids are never
// reused, so a key names one rendering forever; each entry also keeps the
// publication's content hash, and an entry whose hash differs from the
// caller's is rendered again (a store restored from a backup, say). The
// cache is bounded in bytes, least recently used first out; a rendering
// larger than the whole budget is returned but not kept. Concurrent misses
// on one key render once: the others wait for that rendering.
//
// Thread-safe.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_RENDER_CACHE_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_RENDER_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace tessera::publication {

// 64 MiB: a few dozen renderings of the largest documents.
inline constexpr size_t kRenderCacheBytes = size_t{64} << 20;

class RenderCache {
 public:
  explicit RenderCache(size_t max_bytes = kRenderCacheBytes)
      : max_bytes_(max_bytes) {}

  // The rendering cached under `key` for `content_sha256`, or the result
  // of `render()` (cached when it succeeds and fits). An error of
  // `render` is returned and not cached.
  absl::StatusOr<std::shared_ptr<const std::string>> Get(
      const std::string& key, const std::string& content_sha256,
      const std::function<absl::StatusOr<std::string>()>& render);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t entries = 0;
    size_t bytes = 0;
  };
  Stats stats() const;
  // Empties the cache and sets its budget (0 disables it).
  void Reset(size_t max_bytes);

 private:
  struct Entry {
    std::string sha;
    std::shared_ptr<const std::string> bytes;
    std::list<std::string>::iterator lru;
  };
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  size_t max_bytes_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  std::set<std::string> rendering_ ABSL_GUARDED_BY(mu_);
  uint64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_RENDER_CACHE_H_

#include "services/publication/publication_render_cache.h"

#include <utility>

namespace tessera::publication {

absl::StatusOr<std::shared_ptr<const std::string>> RenderCache::Get(
    const std::string& key, const std::string& content_sha256,
    const std::function<absl::StatusOr<std::string>()>& render) {
  {
    absl::MutexLock lock(&mu_);
    // Wait while another caller renders this key, then look again.
    const auto idle = [this, &key]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return rendering_.count(key) == 0;
    };
    mu_.Await(absl::Condition(&idle));
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.sha == content_sha256) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.bytes;
    }
    ++misses_;
    rendering_.insert(key);
  }
  absl::StatusOr<std::string> rendered = render();
  absl::MutexLock lock(&mu_);
  rendering_.erase(key);
  if (!rendered.ok()) return rendered.status();
  auto bytes = std::make_shared<const std::string>(*std::move(rendered));
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    bytes_ -= it->second.bytes->size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  if (bytes->size() <= max_bytes_) {
    lru_.push_front(key);
    entries_[key] = Entry{content_sha256, bytes, lru_.begin()};
    bytes_ += bytes->size();
    EvictLocked();
  }
  return bytes;
}

void RenderCache::EvictLocked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.bytes->size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

RenderCache::Stats RenderCache::stats() const {
  absl::MutexLock lock(&mu_);
  return Stats{hits_, misses_, entries_.size(), bytes_};
}

void RenderCache::Reset(size_t max_bytes) {
  absl::MutexLock lock(&mu_);
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
  hits_ = 0;
  misses_ = 0;
  max_bytes_ = max_bytes;
}

}  // namespace tessera::publication

// FeedConsumer: a durable follower of the change feed. It reads events after
// a cursor kept in the store, hands them to a handler batch by batch, and
// saves the cursor after a batch that changed something (or every 4096
// events). Handlers must be idempotent: after a crash the events since the
// last saved cursor are handed over again, so the cursor only saves
// rereading.
//
// Thread-safe. CatchUp() runs synchronously (tests, and callers that must
// see the feed applied); Start() runs it on a background thread woken by
// the feed.
#ifndef TESSERA_STORAGE_FEED_CONSUMER_H_
#define TESSERA_STORAGE_FEED_CONSUMER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace tessera::storage {

class FeedConsumer {
 public:
  // Applies one batch of events in feed order and says whether it wrote
  // anything. An error stops this catch-up; the batch is read again next
  // time.
  using Handler =
      std::function<absl::StatusOr<bool>(const std::vector<FeedEvent>&)>;

  // The cursor lives at `cursor_key` in `cf` as a record envelope, format
  // 0x01, payload the u64 big-endian feed seq read so far. `name` prefixes
  // background errors in the log (common/log.h). `store` must outlive the
  // consumer.
  FeedConsumer(Store* store, ColumnFamily cf, std::string cursor_key,
               std::string name, Handler handler);
  // The same, reading events from `feed` (not owned) instead of `store`;
  // the cursor is still committed to `store`.
  FeedConsumer(Store* store, const FeedSource* feed, ColumnFamily cf,
               std::string cursor_key, std::string name, Handler handler);
  // Stops the background thread if it runs.
  ~FeedConsumer();

  FeedConsumer(const FeedConsumer&) = delete;
  FeedConsumer& operator=(const FeedConsumer&) = delete;

  // Hands every visible event after the cursor to the handler.
  absl::Status CatchUp();

  // Starts / stops the background thread. Stop() is idempotent.
  void Start();
  void Stop();

 private:
  absl::Status LoadCursor() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  const FeedSource* const feed_;
  const ColumnFamily cf_;
  const std::string cursor_key_;
  const std::string name_;
  const Handler handler_;

  absl::Mutex mu_;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t persisted_cursor_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t cursor_version_ ABSL_GUARDED_BY(mu_) = 0;
  bool cursor_loaded_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<bool> stop_{false};
  std::thread background_;
};

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_FEED_CONSUMER_H_

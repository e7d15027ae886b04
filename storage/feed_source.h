// FeedSource: the one way a service reads the change feed that other
// services append to (see storage/FORMAT.md, "feed"). Store implements it
// in process; in split mode a gRPC adapter implements the same interface,
// so a consumer never scans the feed column family itself.
//
// Thread-safe; every method may be called from any thread.
#ifndef TESSERA_STORAGE_FEED_SOURCE_H_
#define TESSERA_STORAGE_FEED_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tessera::storage {

// One change-feed event.
struct FeedEvent {
  uint64_t seq = 0;  // Assigned at commit; strictly increasing, never reused.
  absl::Time time;   // Commit time from StoreOptions::clock.
  std::string type;  // For example "statement.created".
  std::string payload;
};

class FeedSource {
 public:
  virtual ~FeedSource() = default;

  // Up to `max` committed events with seq > `after`, in order. Only events
  // below the commit watermark are returned, so a reader never sees event
  // n+1 before event n, even while writers commit concurrently.
  virtual absl::StatusOr<std::vector<FeedEvent>> ReadFeed(uint64_t after,
                                                          size_t max) const = 0;

  // Blocks until an event with seq > `after` is visible (true), `deadline`
  // passes or the source is woken for shutdown (false).
  virtual bool WaitForFeed(uint64_t after, absl::Time deadline) const = 0;

  // Highest visible event seq; 0 when the feed is empty.
  virtual uint64_t LastVisibleFeedSeq() const = 0;
};

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_FEED_SOURCE_H_

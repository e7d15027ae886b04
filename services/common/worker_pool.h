// WorkerPool: a fixed set of threads for handler work that blocks, such as
// a commit waiting for its WAL fsync. gRPC's callback threads must never
// block, so handlers hand such work here and finish the call from the pool.
// Many workers blocked in fsync at once is what lets RocksDB group their
// commits.
//
// A pool may bound its queue (tasks waiting for a thread): TrySchedule then
// refuses a task rather than let the backlog grow, so that callers can
// answer RESOURCE_EXHAUSTED at once instead of after a long wait.
//
// Thread-safe. The destructor runs every queued task, then joins.
#ifndef TESSERA_SERVICES_COMMON_WORKER_POOL_H_
#define TESSERA_SERVICES_COMMON_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tessera {

class WorkerPool {
 public:
  // `max_queued` 0: the queue is unbounded.
  explicit WorkerPool(int threads, size_t max_queued = 0);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` whatever the bound.
  void Schedule(std::function<void()> task);
  // Queues `task` unless max_queued tasks are already waiting; returns
  // false (and drops `task` unrun) if so.
  [[nodiscard]] bool TrySchedule(std::function<void()> task);

  int threads() const { return static_cast<int>(threads_.size()); }
  size_t max_queued() const { return max_queued_; }

 private:
  void Loop();

  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_WORKER_POOL_H_

// WorkerPool: a fixed set of threads for handler work that blocks, such as
// a commit waiting for its WAL fsync. gRPC's callback threads must never
// block, so handlers hand such work here and finish the call from the pool.
// Many workers blocked in fsync at once is what lets RocksDB group their
// commits.
//
// Thread-safe. The destructor runs every queued task, then joins.
#ifndef TESSERA_SERVICES_COMMON_WORKER_POOL_H_
#define TESSERA_SERVICES_COMMON_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tessera {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Schedule(std::function<void()> task);

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_WORKER_POOL_H_

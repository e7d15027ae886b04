// H2Guard: a frame-level guard between each plaintext client connection
// and gRPC, against HTTP/2 rapid reset (CVE-2023-44487).
//
// gRPC 1.51 predates the upstream mitigations: a client that opens a stream
// and resets it at once, 100,000 times on one connection, makes the server
// build calls faster than it can retire them, and RSS climbs from 33 MB to
// 2 GB. Neither MAX_CONCURRENT_STREAMS (a reset stream no longer counts)
// nor the resource quota bounds it.
//
// The guard owns the client's socket and hands gRPC one end of a socket
// pair; one thread relays the bytes both ways. It reads the client's
// HTTP/2 frame headers (9 bytes each; payloads are passed on unread) and
// charges every RST_STREAM the client sends to a per-connection token
// bucket. A connection that resets streams faster than the bucket allows
// is closed, with everything it sent after the limit dropped, so gRPC
// never sees more than `reset_burst` resets in a row from one connection.
// Ordinary clients reset a stream only when they cancel a call or its
// deadline passes, which is far below the default rate.
//
// Thread-safe.
#ifndef TESSERA_SERVER_H2_GUARD_H_
#define TESSERA_SERVER_H2_GUARD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace tessera {

// Follows a client's HTTP/2 frame boundaries (RFC 9113 section 4.1: the
// 24-byte preface, then 9-byte headers with 24-bit lengths) without
// reading payloads, however the bytes are split across reads.
class H2FrameScanner {
 public:
  // Returns how many RST_STREAM frame headers end in [p, p + n).
  int Feed(const char* p, size_t n);

 private:
  size_t preface_left_ = 24;
  uint8_t header_[9] = {};
  size_t have_ = 0;
  uint64_t skip_ = 0;
};

struct H2GuardLimits {
  // Resets a connection may send at once, and the rate at which that
  // allowance comes back.
  int reset_burst = 200;
  double resets_per_second = 100;
};

class H2Guard {
 public:
  // Starts the relay thread. UNAVAILABLE if epoll cannot be set up.
  static absl::StatusOr<std::unique_ptr<H2Guard>> Start(H2GuardLimits limits);

  // Closes every relayed connection and stops the thread.
  ~H2Guard();

  // Takes `client` (a connected, non-blocking socket; owned from now on)
  // and returns the descriptor to give gRPC, or -1 if no socket pair
  // could be made (the client is closed then).
  int Wrap(int client);

  // Connections closed for resetting streams too fast; connections alive.
  int64_t closed_for_resets() const { return closed_for_resets_.load(); }
  int64_t relayed() const { return relayed_.load(); }

  struct Relay;

 private:
  H2Guard(int epoll_fd, int wake_fd, H2GuardLimits limits);
  void Run();
  void Close(Relay* r, bool for_resets);

  const int epoll_fd_;
  const int wake_fd_;
  const H2GuardLimits limits_;
  std::mutex mu_;  // guards relays_ (Wrap adds, the thread removes)
  std::unordered_map<Relay*, std::unique_ptr<Relay>> relays_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> closed_for_resets_{0};
  std::atomic<int64_t> relayed_{0};
  std::thread thread_;
};

}  // namespace tessera

#endif  // TESSERA_SERVER_H2_GUARD_H_

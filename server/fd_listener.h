// FdListener: tesserad's own accept loop for plaintext listeners.
//
// gRPC 1.51's posix listener stops accepting for good the first time
// accept4 fails with EMFILE (CVE-2023-4785, fixed upstream in 1.53.2). This
// listener owns the socket instead, accepts on a thread of its own and
// hands each connection to gRPC (AddInsecureChannelFromFd). It survives
// descriptor exhaustion: it keeps one spare descriptor, and on EMFILE or
// ENFILE gives it up to accept the waiting connection and close it at once,
// then backs off briefly. It also caps live connections; above the cap new
// connections are closed on accept, so clients fail fast instead of
// hanging, and the descriptors the store needs stay free.
//
// With an H2Guard, each connection passes through the guard's relay, and
// gRPC gets the relay's end instead (see h2_guard.h).
//
// Insecure only: core gRPC 1.51 cannot attach server credentials to a
// channel made from a descriptor. TLS listeners stay with gRPC's own.
//
// Thread-compatible: Bind, Start and Stop from one thread.
#ifndef TESSERA_SERVER_FD_LISTENER_H_
#define TESSERA_SERVER_FD_LISTENER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace grpc {
class Server;
}

namespace tessera {

class H2Guard;

class FdListener {
 public:
  // Binds and listens on HOST:PORT (port 0 picks a free one). UNAVAILABLE
  // if the address cannot be resolved or bound.
  static absl::StatusOr<std::unique_ptr<FdListener>> Bind(
      const std::string& listen);

  ~FdListener();

  int port() const { return port_; }
  // True when bound to a loopback address (127.0.0.0/8, ::1), so that only
  // processes on this host can connect.
  bool loopback() const { return loopback_; }

  // Starts accepting and handing connections to `server`, at most
  // `max_connections` alive at once, through `guard` unless it is null.
  // `server` and `guard` must outlive Stop().
  void Start(grpc::Server* server, int max_connections,
             class H2Guard* guard = nullptr);

  // Stops accepting and closes the listening socket; connections already
  // handed over stay with gRPC. Idempotent.
  void Stop();

  // Counters, for tests and logs.
  int64_t accepted() const { return accepted_.load(); }
  int64_t refused() const { return refused_.load(); }
  int64_t dropped_on_emfile() const { return dropped_on_emfile_.load(); }

 private:
  FdListener(int fd, int port, bool loopback);
  void Run();
  // Forgets connections gRPC has closed; returns how many are alive.
  int Sweep();

  struct Conn {
    int fd;
    uint64_t dev;
    uint64_t ino;
  };

  int listen_fd_;
  int port_;
  bool loopback_;
  int wake_[2] = {-1, -1};
  int spare_fd_ = -1;
  grpc::Server* server_ = nullptr;
  H2Guard* guard_ = nullptr;
  int max_connections_ = 0;
  std::vector<Conn> live_;  // accept thread only
  std::thread thread_;
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> dropped_on_emfile_{0};
};

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns the soft limit
// in force afterwards.
uint64_t RaiseOpenFileLimit();

// The soft RLIMIT_NOFILE now.
uint64_t OpenFileLimit();

}  // namespace tessera

#endif  // TESSERA_SERVER_FD_LISTENER_H_

// The bare echo baseline: a callback-API gRPC server that returns each
// request's payload, and a CallFn that drives it.
//
// EchoServer runs in the calling process. Its handler finishes every call
// inline through DefaultReactor()/Finish(), so it measures gRPC itself with
// nothing of Tessera on top. gRPC's own callback threads serve it; starting
// one spawns no threads of ours.
//
// Thread safety: port() and target() may be called from any thread while the
// server lives. Start, Shutdown and destruction must not race each other.
#ifndef TESSERA_TESTS_BENCH_ECHO_SERVER_H_
#define TESSERA_TESTS_BENCH_ECHO_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/bench/load.h"

namespace tessera::bench {

class EchoServer {
 public:
  // Starts an echo server listening on `address` (insecure). With port 0 the
  // kernel picks a free port, which port() then reports. Returns UNAVAILABLE
  // when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(
      std::string_view address = "127.0.0.1:0");

  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  // Shuts down if Shutdown() was not called.
  ~EchoServer();

  int port() const { return port_; }
  // "host:port" for clients, e.g. "127.0.0.1:40123".
  const std::string& target() const { return target_; }

  // Stops accepting calls, cancels calls still running after a short grace
  // period, and waits until the server is idle. Idempotent.
  void Shutdown();

 private:
  EchoServer() = default;

  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string target_;
  bool shut_down_ = false;
};

// Returns a CallFn that makes one Echo call on `channel` per invocation, with
// a payload of `payload_bytes` bytes and the given per-call deadline
// (absl::InfiniteDuration() for none). A reply whose payload differs from the
// request counts as an INTERNAL error. The CallFn holds its own stub and
// channel reference and may be invoked concurrently.
CallFn MakeEchoCall(std::shared_ptr<grpc::Channel> channel,
                    size_t payload_bytes = 16,
                    absl::Duration deadline = absl::Seconds(30));

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_ECHO_SERVER_H_

// Gateway: tesserad's HTTP face. It answers the Connect protocol for every
// method of the services it is given, generically from the descriptor pool,
// by calling them over a gRPC channel (tesserad passes its in-process
// channel, so authentication, authorisation and limits are gRPC's own). It
// also serves the web client's files, signs in (a token checked with
// IdentityService.WhoAmI, kept in an HttpOnly cookie) and out.
//
// Event-driven (Boost.Asio): a few threads serve every connection; an open
// stream or an idle keep-alive connection costs a socket and a little
// memory, no thread. gRPC calls are asynchronous (callback API); their
// results are transcoded on gRPC's threads and written on the connection's
// strand. A connection closed by the client cancels its call at once, even
// while a stream is idle.
//
// Thread-safe. Stop() may be called from any thread.
#ifndef TESSERA_GATEWAY_GATEWAY_H_
#define TESSERA_GATEWAY_GATEWAY_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace tessera::gateway {

struct GatewayOptions {
  // HOST:PORT; port 0 picks a free port (see Gateway::port()).
  std::string listen = "127.0.0.1:8080";
  // Directory of the web client's built files; may not exist yet.
  std::string web_root;
  // Full names of the services answered, e.g. "tessera.v1.IdentityService".
  // Other paths give 404 (unimplemented).
  std::vector<std::string> services;
  // Largest request body; larger ones get 413 (resource_exhausted) and the
  // connection is closed.
  size_t max_body_bytes = size_t{16} << 20;
  // Largest request line plus headers; larger get 431 and a close.
  size_t max_header_bytes = size_t{16} << 10;
  // Connections alive at once; further ones are closed on accept.
  int max_connections = 4096;
  // A connection waiting for (or in the middle of reading) a request this
  // long is closed. Open streams are not idle.
  absl::Duration idle_timeout = absl::Seconds(60);
  // A response a client does not take within this is abandoned and the
  // connection closed (its call cancelled).
  absl::Duration write_timeout = absl::Seconds(30);
  // Connect-Timeout-Ms is clamped to this.
  absl::Duration max_timeout = absl::Hours(24);
  // Threads running the event loop.
  int threads = 2;
};

class Gateway {
 public:
  // Binds and starts serving. UNAVAILABLE if the address cannot be bound,
  // INVALID_ARGUMENT for bad options or an unknown service name.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(
      const GatewayOptions& options, std::shared_ptr<grpc::Channel> channel);

  virtual ~Gateway() = default;

  virtual int port() const = 0;
  // True when the listener is a loopback address (cookies are then not
  // marked Secure, since the page is served over plain http://localhost).
  virtual bool loopback() const = 0;

  struct Stats {
    int connections = 0;  // open HTTP connections
    int calls = 0;        // gRPC calls not yet finished, streams included
    int streams = 0;      // server streams open
  };
  virtual Stats stats() const = 0;

  // Stops accepting, cancels the calls still open, closes every connection
  // and joins the threads. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace tessera::gateway

#endif  // TESSERA_GATEWAY_GATEWAY_H_

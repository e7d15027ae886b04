// Tesserad: composes the store, the service cores and their gRPC faces into
// one server. tesserad_main.cc wraps it with flags and signals; integration
// tests start it in-process on port 0.
//
// Thread-safe. Shutdown() may be called from any thread, once.
#ifndef TESSERA_SERVER_TESSERAD_H_
#define TESSERA_SERVER_TESSERAD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/random.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace tessera {

struct ServerOptions {
  // HOST:PORT; port 0 picks a free port (see Tesserad::port()).
  std::string listen = "127.0.0.1:50051";
  // The HTTP gateway (gateway/gateway.h): Connect protocol, the web
  // client's files from web_root, sign-in. Empty: no HTTP listener.
  std::string http_listen;
  std::string web_root;
  size_t http_max_body_bytes = size_t{16} << 20;
  int http_max_connections = 4096;
  absl::Duration http_idle_timeout = absl::Seconds(60);
  int http_threads = 2;
  std::string data_dir = "./var/data";
  // Largest request the server accepts. Documents are limited to
  // max_document_bytes; the rest is room for the request's other fields.
  size_t max_document_bytes = size_t{8} << 20;
  size_t max_message_bytes = (size_t{8} << 20) + (size_t{1} << 20);
  // Segments one statement revision may have (RESOURCE_EXHAUSTED above).
  int max_segments_per_statement = 20000;
  // Longest segment text accepted, in bytes (INVALID_ARGUMENT above).
  size_t max_segment_bytes = 4096;
  // Imported documents are parsed in a child process (the tessera-parse
  // executable, by default next to this one) with a CPU and memory budget
  // that the call's deadline can cut short; false parses in process,
  // unbounded. Over budget: RESOURCE_EXHAUSTED, nothing stored.
  bool isolate_parsing = true;
  std::string parse_helper;  // empty: tessera-parse beside /proc/self/exe
  absl::Duration parse_cpu_budget = absl::Seconds(10);
  size_t parse_memory_bytes = size_t{1} << 30;
  // Refuse Markdown with the patterns known to make cmark-gfm quadratic
  // before parsing it.
  bool parse_prechecks = true;
  // Machine suggestions: Apertium's installed pairs (discovered at start)
  // unless off, then a LibreTranslate-compatible service when a URL is
  // given; each answer waits at most machine_timeout for them.
  bool apertium = true;
  std::string libretranslate_url;
  std::string libretranslate_api_key;
  absl::Duration machine_timeout = absl::Seconds(3);
  // Parse children alive at once; a parse beyond waits, then gets
  // RESOURCE_EXHAUSTED (see ParseBudget::max_children).
  int parse_children = 4;
  // HTTP/2 streams one connection may have open at once.
  int max_concurrent_streams = 256;
  // Client connections alive at once; further ones are closed on accept.
  // 0: automatic, 4096 or less so that a quarter of the descriptor limit
  // (at least 64) stays free. Plaintext listeners only; see FdListener.
  int max_connections = 0;
  // HTTP/2 rapid-reset guard on plaintext listeners (see H2Guard). Its
  // relay costs about 35 us per call, so kAuto guards only listeners that
  // other hosts can reach; on loopback the peer is a local process or the
  // front proxy (deploy/nginx/tessera.conf), which absorbs rapid reset.
  enum class H2Guard { kAuto, kOn, kOff };
  H2Guard h2_guard = H2Guard::kAuto;
  // A guarded connection may reset this many streams at once, refilled at
  // this rate; beyond, it is closed.
  int h2_reset_burst = 200;
  double h2_resets_per_second = 100;
  // A connection with no call for this long is sent GOAWAY and closed.
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Every connection is sent GOAWAY after this long (plus or minus 10%),
  // and closed after the grace period if calls are still open; clients
  // reconnect (WatchPublications resumes from its cursor).
  absl::Duration max_connection_age = absl::Hours(2);
  absl::Duration max_connection_age_grace = absl::Minutes(5);
  // gRPC's resource quota: the memory it accounts for connection buffers
  // and messages in flight. It does not bound HTTP/2 rapid reset in gRPC
  // 1.51; the H2 guard does.
  size_t grpc_memory_bytes = size_t{256} << 20;
  // Upper bound on every unary call, whatever deadline the client sent.
  absl::Duration call_timeout = absl::Seconds(30);
  // The server pings idle connections this often and drops them when a ping
  // goes unanswered for keepalive_timeout.
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Clients that ping more often than this are sent GOAWAY
  // ("too_many_pings"), so a broken client cannot flood the server.
  absl::Duration min_client_ping_interval = absl::Seconds(30);
  // Threads for handler work that blocks on disk.
  int worker_threads = 32;
  // Threads for long reads (renderings, listings, scans), apart from the
  // writers, and how many long reads may wait for one before the next is
  // refused with RESOURCE_EXHAUSTED.
  int read_threads = 4;
  int read_queue = 64;
  // How long Shutdown() keeps serving after flipping health to
  // NOT_SERVING, so load balancers and watchers see it before calls fail.
  absl::Duration shutdown_grace = absl::Seconds(1);
  // How long Shutdown() lets in-flight calls finish.
  absl::Duration drain_timeout = absl::Seconds(10);
  // PEM files. Both or neither. Without them the server speaks plaintext,
  // which it allows only on loopback addresses unless allow_insecure_remote.
  std::string tls_cert_file;
  std::string tls_key_file;
  bool allow_insecure_remote = false;
  size_t block_cache_bytes = size_t{64} << 20;
  // How long a ClaimNext lease lasts unless renewed (by RenewLease or by
  // the holder's SaveDraft, Submit, Approve or Reject).
  absl::Duration lease_ttl = absl::Minutes(20);
  // Seams for tests. Not owned.
  Clock* clock = Clock::Real();
  RandomSource* random = RandomSource::Secure();
  // The store's RocksDB environment, for fault-injection tests; null means
  // the default. Not owned; must outlive the server.
  rocksdb::Env* env = nullptr;
};

class Tesserad {
 public:
  // Opens the store under options.data_dir and starts serving.
  // INVALID_ARGUMENT for bad options, UNAVAILABLE if the address cannot be
  // bound or the data directory is in use.
  static absl::StatusOr<std::unique_ptr<Tesserad>> Start(
      const ServerOptions& options);

  virtual ~Tesserad() = default;

  // The bound port.
  virtual int port() const = 0;
  // The HTTP gateway's bound port; 0 when http_listen is empty.
  virtual int http_port() const = 0;
  // The connection cap in force (after the descriptor-limit clamp), or 0
  // when gRPC's own listener serves (TLS).
  virtual int max_connections() const = 0;
  // "127.0.0.1:PORT" style address to dial.
  virtual std::string address() const = 0;
  // The admin token made on a first start over an empty store; empty
  // otherwise. Shown once: the caller prints it.
  virtual const std::string& first_start_admin_token() const = 0;

  // Full names of the tessera services registered, for example
  // "tessera.v1.IdentityService". Health and reflection are not listed.
  virtual std::vector<std::string> ServiceNames() const = 0;

  // Flips health to NOT_SERVING, ends streams, lets in-flight calls finish
  // for up to drain_timeout, then closes the store. Idempotent.
  virtual void Shutdown() = 0;
  // Blocks until Shutdown() has completed.
  virtual void Wait() = 0;
};

// `tesserad init`: creates the store if needed, makes sure the bootstrap
// admin exists, and returns one new admin token.
absl::StatusOr<std::string> InitDataDir(const ServerOptions& options);

}  // namespace tessera

#endif  // TESSERA_SERVER_TESSERAD_H_

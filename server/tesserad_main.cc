// tesserad: the Tessera server.
//
//   tesserad [--listen=HOST:PORT] [--data_dir=DIR] [flags]   serve
//   tesserad init --data_dir=DIR                              new admin token
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/allocator.h"
#include "server/fd_listener.h"
#include "server/protobuf_log.h"
#include "server/tesserad.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve on, HOST:PORT. Port 0 picks a free port.");
ABSL_FLAG(std::string, http_listen, "",
          "Address of the HTTP gateway (web workbench and Connect protocol), "
          "HOST:PORT; port 0 picks a free port. Empty: no HTTP listener.");
ABSL_FLAG(std::string, web_root, "",
          "Directory of the web client's built files served over HTTP; "
          "default: clients/web/dist of the build tree tesserad lives in.");
ABSL_FLAG(int64_t, http_max_body_bytes, int64_t{16} << 20,
          "Largest HTTP request body; larger ones get 413 "
          "(resource_exhausted) and the connection is closed.");
ABSL_FLAG(int32_t, http_max_connections, 4096,
          "HTTP connections alive at once; more are closed on accept.");
ABSL_FLAG(absl::Duration, http_idle_timeout, absl::Seconds(60),
          "An HTTP connection without a complete request for this long is "
          "closed (open streams are not idle).");
ABSL_FLAG(int32_t, http_threads, 2,
          "Threads running the HTTP event loop (connections and streams "
          "take no thread of their own).");
ABSL_FLAG(std::string, data_dir, "./var/data",
          "Directory of the embedded RocksDB store; created when missing.");
ABSL_FLAG(int64_t, max_document_bytes, int64_t{8} << 20,
          "Largest source document accepted for import, in bytes.");
ABSL_FLAG(int32_t, max_segments_per_statement, 20000,
          "Most segments one statement revision may have; a larger import "
          "is refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_segment_bytes, 4096,
          "Longest segment text accepted, in bytes; an import with a longer "
          "segment is refused with INVALID_ARGUMENT naming its block.");
ABSL_FLAG(bool, isolate_parsing, true,
          "Parse imported documents in a child process (tessera-parse) "
          "under --parse_cpu_budget and --parse_memory_bytes, killed when "
          "the call's deadline passes; false parses in process, unbounded.");
ABSL_FLAG(std::string, parse_helper, "",
          "Path of the tessera-parse executable; default: next to tesserad.");
ABSL_FLAG(absl::Duration, parse_cpu_budget, absl::Seconds(10),
          "CPU time one document parse may use; over it the import is "
          "refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, parse_memory_bytes, int64_t{1} << 30,
          "Address space one document parse may use, in bytes.");
ABSL_FLAG(int32_t, parse_children, 4,
          "Documents parsed at once (each in its own tessera-parse child); "
          "an import beyond waits up to --parse_cpu_budget for its turn, "
          "then is refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(bool, apertium, true,
          "Machine suggestions from the Apertium language pairs installed "
          "(found under /usr/share/apertium/modes at start).");
ABSL_FLAG(std::string, libretranslate_url, "",
          "Base URL of a LibreTranslate-compatible service for machine "
          "suggestions, after Apertium's pairs (e.g. http://127.0.0.1:5000).");
ABSL_FLAG(std::string, libretranslate_api_key, "",
          "API key sent to --libretranslate_url.");
ABSL_FLAG(absl::Duration, machine_timeout, absl::Seconds(3),
          "How long GetSuggestions waits for a machine translation.");
ABSL_FLAG(bool, parse_prechecks, true,
          "Refuse Markdown holding the patterns known to make Debian's "
          "cmark-gfm quadratic (huge tables, runs of \"![[\", "
          "\"<![CDATA[\") before parsing it.");
ABSL_FLAG(int64_t, max_message_bytes, (int64_t{8} << 20) + (int64_t{1} << 20),
          "Largest gRPC request accepted, in bytes (the document limit plus "
          "room for the other fields).");
ABSL_FLAG(int32_t, max_concurrent_streams, 256,
          "HTTP/2 streams one client connection may have open at once.");
ABSL_FLAG(int32_t, max_connections, 0,
          "Client connections alive at once (plaintext listeners); more are "
          "closed on accept. 0: automatic, 4096 or less so that a quarter "
          "of the open-file limit stays free.");
ABSL_FLAG(std::string, h2_guard, "auto",
          "HTTP/2 rapid-reset guard on plaintext listeners: on, off, or "
          "auto (on unless --listen is a loopback address, where the peer "
          "is a local process or the front proxy). It relays each "
          "connection, at about 35 us per call.");
ABSL_FLAG(int32_t, h2_reset_burst, 200,
          "Streams a guarded connection may reset at once; a connection "
          "resetting faster than --h2_resets_per_second beyond that is "
          "closed.");
ABSL_FLAG(double, h2_resets_per_second, 100,
          "Rate at which a connection's --h2_reset_burst allowance refills.");
ABSL_FLAG(absl::Duration, max_connection_idle, absl::Minutes(5),
          "A connection with no call for this long is closed (GOAWAY).");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Hours(2),
          "Connections are sent GOAWAY after this long (+/-10%); clients "
          "reconnect.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Minutes(5),
          "How long calls may go on after the age GOAWAY before the "
          "connection is closed.");
ABSL_FLAG(int64_t, grpc_memory_bytes, int64_t{256} << 20,
          "gRPC's resource quota: memory it may account for connection "
          "buffers and messages in flight.");
ABSL_FLAG(int32_t, protobuf_log_lines_per_second, 10,
          "Most libprotobuf log lines written per second (unparsable "
          "requests each log one); the rest are counted in a summary line.");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30),
          "Upper bound on every unary call, whatever deadline the client "
          "sent.");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(1),
          "How often the server pings an idle connection.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(20),
          "How long a keepalive ping may go unanswered before the "
          "connection is dropped.");
ABSL_FLAG(absl::Duration, min_client_ping_interval, absl::Seconds(30),
          "Clients that send keepalive pings more often than this are "
          "disconnected (GOAWAY too_many_pings).");
ABSL_FLAG(int32_t, worker_threads, 32,
          "Threads for handler work that waits on disk; more lets RocksDB "
          "group more commits into one fsync.");
ABSL_FLAG(int32_t, read_threads, 4,
          "Threads for long reads (renderings, listings, scans), apart from "
          "the writers'.");
ABSL_FLAG(int32_t, read_queue, 64,
          "Long reads that may wait for a read thread; beyond, calls get "
          "RESOURCE_EXHAUSTED at once.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(1),
          "On SIGTERM/SIGINT, how long health reports NOT_SERVING before "
          "the server stops taking calls.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM/SIGINT, how long in-flight calls may take to finish.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain. With --tls_key_file, serves TLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key.");
ABSL_FLAG(bool, allow_insecure_remote, false,
          "Serve plaintext on a non-loopback address (only behind a "
          "TLS-terminating proxy).");
ABSL_FLAG(int64_t, block_cache_bytes, int64_t{64} << 20,
          "Size of the RocksDB block cache shared by all data.");
ABSL_FLAG(absl::Duration, lease_ttl, absl::Minutes(20),
          "How long a ClaimNext lease on a segment lasts unless renewed "
          "(RenewLease, or the holder's SaveDraft/Submit/Approve/Reject); "
          "an expired lease returns the segment to the pool. 1s to 168h.");

namespace {

constexpr char kUsage[] =
    R"(Tessera translation-workflow server.

Usage:
  tesserad [flags]                  serve on --listen with data in --data_dir
  tesserad init --data_dir=DIR      create the store if needed and print one
                                    new admin token on stdout

On the first start over an empty data directory, tesserad creates the user
"admin" and prints an admin token on stderr. Send it with every call as
  authorization: Bearer <token>
SIGTERM or SIGINT drain in-flight calls and close the store cleanly.

Example:
  tesserad --listen=127.0.0.1:50051 --data_dir=./var/data)";

tessera::ServerOptions OptionsFromFlags() {
  tessera::ServerOptions o;
  o.listen = absl::GetFlag(FLAGS_listen);
  o.data_dir = absl::GetFlag(FLAGS_data_dir);
  o.http_listen = absl::GetFlag(FLAGS_http_listen);
  o.web_root = absl::GetFlag(FLAGS_web_root);
  if (o.web_root.empty()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      o.web_root = (exe.parent_path().parent_path() / "clients" / "web" / "dist")
                       .string();
    }
  }
  o.http_max_body_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_http_max_body_bytes)));
  o.http_max_connections = absl::GetFlag(FLAGS_http_max_connections);
  o.http_idle_timeout = absl::GetFlag(FLAGS_http_idle_timeout);
  o.http_threads = absl::GetFlag(FLAGS_http_threads);
  o.max_document_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_document_bytes));
  o.max_message_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_message_bytes));
  o.max_segments_per_statement =
      absl::GetFlag(FLAGS_max_segments_per_statement);
  o.max_segment_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_max_segment_bytes)));
  o.isolate_parsing = absl::GetFlag(FLAGS_isolate_parsing);
  o.parse_helper = absl::GetFlag(FLAGS_parse_helper);
  o.parse_cpu_budget = absl::GetFlag(FLAGS_parse_cpu_budget);
  o.parse_memory_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_parse_memory_bytes)));
  o.parse_prechecks = absl::GetFlag(FLAGS_parse_prechecks);
  o.apertium = absl::GetFlag(FLAGS_apertium);
  o.libretranslate_url = absl::GetFlag(FLAGS_libretranslate_url);
  o.libretranslate_api_key = absl::GetFlag(FLAGS_libretranslate_api_key);
  o.machine_timeout = absl::GetFlag(FLAGS_machine_timeout);
  o.parse_children = absl::GetFlag(FLAGS_parse_children);
  o.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  o.max_connections = absl::GetFlag(FLAGS_max_connections);
  o.h2_reset_burst = absl::GetFlag(FLAGS_h2_reset_burst);
  o.h2_resets_per_second = absl::GetFlag(FLAGS_h2_resets_per_second);
  o.max_connection_idle = absl::GetFlag(FLAGS_max_connection_idle);
  o.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  o.max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);
  o.grpc_memory_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_grpc_memory_bytes)));
  o.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  o.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  o.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  o.min_client_ping_interval = absl::GetFlag(FLAGS_min_client_ping_interval);
  o.worker_threads = absl::GetFlag(FLAGS_worker_threads);
  o.read_threads = absl::GetFlag(FLAGS_read_threads);
  o.read_queue = absl::GetFlag(FLAGS_read_queue);
  o.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  o.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  o.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  o.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  o.allow_insecure_remote = absl::GetFlag(FLAGS_allow_insecure_remote);
  o.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_bytes));
  o.lease_ttl = absl::GetFlag(FLAGS_lease_ttl);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  tessera::ConfigureAllocator();
  // Debian builds Abseil with its debug checks, so every Mutex lock feeds
  // a global deadlock graph (gRPC's locks too); production does not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  tessera::ServerOptions options = OptionsFromFlags();
  std::string guard = absl::GetFlag(FLAGS_h2_guard);
  if (guard == "on") {
    options.h2_guard = tessera::ServerOptions::H2Guard::kOn;
  } else if (guard == "off") {
    options.h2_guard = tessera::ServerOptions::H2Guard::kOff;
  } else if (guard != "auto") {
    std::cerr << "tesserad: --h2_guard must be on, off or auto, not \""
              << guard << "\"\n";
    return 2;
  }

  if (args.size() > 1) {
    std::string cmd = args[1];
    if (cmd != "init" || args.size() > 2) {
      std::cerr << "tesserad: unknown command \"" << cmd
                << "\"; see tesserad --help\n";
      return 2;
    }
    auto token = tessera::InitDataDir(options);
    if (!token.ok()) {
      std::cerr << "tesserad init: " << token.status().message() << "\n";
      return 1;
    }
    std::cout << *token << std::endl;
    std::cerr << "tesserad init: admin token for user \"admin\" printed on "
                 "stdout; it is shown once. Use it as\n"
                 "  authorization: Bearer <token>\n";
    return 0;
  }

  // Signals are taken synchronously by this thread, so they are blocked
  // before any other thread exists and inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  tessera::LimitProtobufLogging(
      absl::GetFlag(FLAGS_protobuf_log_lines_per_second));
  // Every connection takes a descriptor; the default soft limit (often
  // 1024) is far below what the hard limit allows.
  uint64_t nofile = tessera::RaiseOpenFileLimit();

  auto server = tessera::Tesserad::Start(options);
  if (!server.ok()) {
    std::cerr << "tesserad: " << server.status().message() << "\n";
    return 1;
  }
  if (!(*server)->first_start_admin_token().empty()) {
    std::cerr << "tesserad: first start on an empty store: created user "
                 "\"admin\". Its admin token, shown once:\n"
              << (*server)->first_start_admin_token() << "\n"
              << "Send it with every call as metadata\n"
                 "  authorization: Bearer <token>\n"
                 "Lost it? Stop the server and run: tesserad init --data_dir="
              << options.data_dir << "\n";
  }
  std::cerr << "tesserad: open-file limit " << nofile;
  if ((*server)->max_connections() > 0) {
    std::cerr << ", at most " << (*server)->max_connections()
              << " connections";
  }
  std::cerr << std::endl;
  std::cerr << "tesserad: serving on " << (*server)->address()
            << " with data in " << options.data_dir << std::endl;
  if ((*server)->http_port() != 0) {
    std::string host =
        options.http_listen.substr(0, options.http_listen.rfind(':'));
    std::cerr << "tesserad: web workbench on http://" << host << ":"
              << (*server)->http_port() << "/ (files from " << options.web_root
              << ")" << std::endl;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "tesserad: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": draining and closing the store" << std::endl;
  (*server)->Shutdown();
  std::cerr << "tesserad: stopped cleanly" << std::endl;
  return 0;
}

#include "server/fd_listener.h"

#include <errno.h>
#include <fcntl.h>
#include <grpcpp/server.h>
#include <grpcpp/server_posix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "server/h2_guard.h"

namespace tessera {
namespace {

constexpr char kComponent[] = "listener";

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", strerror(errno)));
}

// Splits "host:port", "[v6]:port".
bool SplitHostPort(const std::string& listen, std::string* host,
                   std::string* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  *port = listen.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  int p = 0;
  return absl::SimpleAtoi(*port, &p) && p >= 0 && p <= 65535;
}

int OpenSpare() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

uint64_t OpenFileLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  return rl.rlim_cur;
}

uint64_t RaiseOpenFileLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return OpenFileLimit();
}

absl::StatusOr<std::unique_ptr<FdListener>> FdListener::Bind(
    const std::string& listen) {
  std::string host, port;
  if (!SplitHostPort(listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen must be HOST:PORT, got ", listen));
  }
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  struct addrinfo* res = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(),
                       &hints, &res);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", listen, ": ", gai_strerror(rc)));
  }
  absl::Status last = absl::UnavailableError("no address");
  int fd = -1;
  for (struct addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0) {
      last = Errno("socket");
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      last = Errno(absl::StrCat("bind ", listen));
    } else if (::listen(fd, SOMAXCONN) != 0) {
      last = Errno(absl::StrCat("listen ", listen));
    } else {
      break;
    }
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return last;
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<struct sockaddr*>(&ss), &len) != 0) {
    absl::Status s = Errno("getsockname");
    close(fd);
    return s;
  }
  int bound;
  bool loopback;
  if (ss.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    bound = ntohs(a6->sin6_port);
    loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr) ||
               (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr) &&
                a6->sin6_addr.s6_addr[12] == 127);
  } else {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&ss);
    bound = ntohs(a4->sin_port);
    loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
  }
  return std::unique_ptr<FdListener>(new FdListener(fd, bound, loopback));
}

FdListener::FdListener(int fd, int port, bool loopback)
    : listen_fd_(fd), port_(port), loopback_(loopback) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  spare_fd_ = OpenSpare();
}

FdListener::~FdListener() {
  Stop();
  if (spare_fd_ >= 0) close(spare_fd_);
  if (wake_[0] >= 0) close(wake_[0]);
  if (wake_[1] >= 0) close(wake_[1]);
}

void FdListener::Start(grpc::Server* server, int max_connections,
                       H2Guard* guard) {
  server_ = server;
  guard_ = guard;
  max_connections_ = std::max(1, max_connections);
  thread_ = std::thread([this] { Run(); });
}

void FdListener::Stop() {
  if (thread_.joinable()) {
    char c = 0;
    if (write(wake_[1], &c, 1) < 0) {
      // The pipe is full, so the thread is being woken anyway.
    }
    thread_.join();
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
}

int FdListener::Sweep() {
  // gRPC closes a connection's descriptor when it ends; the number may be
  // reused, but never for the same socket inode.
  live_.erase(std::remove_if(live_.begin(), live_.end(),
                             [](const Conn& c) {
                               struct stat st;
                               return fstat(c.fd, &st) != 0 ||
                                      st.st_dev != c.dev || st.st_ino != c.ino;
                             }),
              live_.end());
  return static_cast<int>(live_.size());
}

void FdListener::Run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_log = Clock::now() - std::chrono::seconds(10);
  int64_t logged_refused = 0, logged_dropped = 0;
  auto maybe_log = [&](bool force) {
    // At most one line per 10 s however hard the listener is pushed.
    Clock::time_point now = Clock::now();
    if (!force && now - last_log < std::chrono::seconds(10)) return;
    int64_t r = refused_.load() - logged_refused;
    int64_t d = dropped_on_emfile_.load() - logged_dropped;
    if (r == 0 && d == 0) return;
    last_log = now;
    logged_refused += r;
    logged_dropped += d;
    Log(LogLevel::kWarning, kComponent,
        absl::StrCat("closed ", r, " connection(s) over --max_connections=",
                     max_connections_, " and ", d,
                     " for want of file descriptors (limit ", OpenFileLimit(),
                     ")"));
  };
  struct pollfd fds[2];
  fds[0].fd = listen_fd_;
  fds[0].events = POLLIN;
  fds[1].fd = wake_[0];
  fds[1].events = POLLIN;
  for (;;) {
    fds[0].revents = fds[1].revents = 0;
    int n = poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    maybe_log(false);
    if (n <= 0 || (fds[0].revents & POLLIN) == 0) continue;
    // Drain the backlog.
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        if (static_cast<int>(live_.size()) >= max_connections_ &&
            Sweep() >= max_connections_) {
          close(fd);
          refused_.fetch_add(1);
          continue;
        }
        struct stat st;
        if (fstat(fd, &st) != 0) {
          close(fd);
          continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (guard_ != nullptr) {
          // The guard owns the client from here on; gRPC gets its relay.
          fd = guard_->Wrap(fd);
          if (fd < 0 || fstat(fd, &st) != 0) continue;
        }
        live_.push_back(Conn{fd, static_cast<uint64_t>(st.st_dev),
                             static_cast<uint64_t>(st.st_ino)});
        accepted_.fetch_add(1);
        // gRPC owns the descriptor from here on and closes it.
        grpc::AddInsecureChannelFromFd(server_, fd);
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Give up the spare to take the connection off the queue and close
        // it, so the client learns at once and the queue does not fill.
        if (spare_fd_ >= 0) {
          close(spare_fd_);
          spare_fd_ = -1;
          int victim = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (victim >= 0) {
            close(victim);
            dropped_on_emfile_.fetch_add(1);
          }
          spare_fd_ = OpenSpare();
        }
        Sweep();
        maybe_log(false);
        // Back off briefly so the loop does not spin while the process
        // is out of descriptors, but keep listening: this is the recovery.
        struct pollfd w = {wake_[0], POLLIN, 0};
        if (poll(&w, 1, 50) > 0) return;
        continue;
      }
      // ENOBUFS, ENOMEM and the like: wait and try again.
      struct pollfd w = {wake_[0], POLLIN, 0};
      if (poll(&w, 1, 100) > 0) return;
      break;
    }
  }
  maybe_log(true);
}

}  // namespace tessera

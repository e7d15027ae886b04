#include "server/h2_guard.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace tessera {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kBufferBytes = 64 << 10;
constexpr uint8_t kRstStream = 0x3;

// One direction's bytes in flight.
class Buffer {
 public:
  Buffer() : data_(new char[kBufferBytes]) {}
  char* free_begin() { return data_.get() + tail_; }
  size_t free_size() const { return kBufferBytes - tail_; }
  const char* begin() const { return data_.get() + head_; }
  size_t size() const { return tail_ - head_; }
  void Filled(size_t n) { tail_ += n; }
  void Drained(size_t n) {
    head_ += n;
    if (head_ == tail_) head_ = tail_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t head_ = 0;
  size_t tail_ = 0;
};

// The low bit of an epoll tag says which side of the relay it is.
constexpr uintptr_t kInnerBit = 1;

}  // namespace

int H2FrameScanner::Feed(const char* p, size_t n) {
  int resets = 0;
  while (n > 0) {
    size_t k;
    if (preface_left_ > 0) {
      k = std::min(preface_left_, n);
      preface_left_ -= k;
    } else if (skip_ > 0) {
      k = static_cast<size_t>(std::min<uint64_t>(skip_, n));
      skip_ -= k;
    } else {
      k = std::min(sizeof(header_) - have_, n);
      memcpy(header_ + have_, p, k);
      have_ += k;
      if (have_ == sizeof(header_)) {
        skip_ = uint64_t{header_[0]} << 16 | uint64_t{header_[1]} << 8 |
                uint64_t{header_[2]};
        if (header_[3] == kRstStream) ++resets;
        have_ = 0;
      }
    }
    p += k;
    n -= k;
  }
  return resets;
}

struct H2Guard::Relay {
  int client = -1;
  int inner = -1;  // our end of the pair; gRPC has the other
  Buffer up;       // client to gRPC
  Buffer down;     // gRPC to client
  H2FrameScanner frames;
  double tokens = 0;
  SteadyClock::time_point refilled;
  bool client_eof = false;
  bool inner_eof = false;
  bool inner_shut = false;
  bool closed = false;
  uint32_t client_mask = 0;
  uint32_t inner_mask = 0;
};

absl::StatusOr<std::unique_ptr<H2Guard>> H2Guard::Start(H2GuardLimits limits) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    return absl::UnavailableError(
        absl::StrCat("epoll_create1: ", strerror(errno)));
  }
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    close(ep);
    return absl::UnavailableError(absl::StrCat("eventfd: ", strerror(errno)));
  }
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev);
  std::unique_ptr<H2Guard> g(new H2Guard(ep, wake, limits));
  g->thread_ = std::thread([p = g.get()] { p->Run(); });
  return g;
}

H2Guard::H2Guard(int epoll_fd, int wake_fd, H2GuardLimits limits)
    : epoll_fd_(epoll_fd), wake_fd_(wake_fd), limits_(limits) {}

H2Guard::~H2Guard() {
  stop_.store(true);
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // An eventfd write fails only when the counter is saturated, and then
    // the thread is being woken anyway.
  }
  if (thread_.joinable()) thread_.join();
  for (auto& [p, r] : relays_) {
    if (!r->closed) {
      close(r->client);
      close(r->inner);
    }
  }
  close(wake_fd_);
  close(epoll_fd_);
}

int H2Guard::Wrap(int client) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                 pair) != 0) {
    close(client);
    return -1;
  }
  auto owned = std::make_unique<Relay>();
  Relay* r = owned.get();
  r->client = client;
  r->inner = pair[0];
  r->tokens = limits_.reset_burst;
  r->refilled = SteadyClock::now();
  r->client_mask = EPOLLIN;
  r->inner_mask = EPOLLIN;
  {
    std::lock_guard<std::mutex> lock(mu_);
    relays_.emplace(r, std::move(owned));
  }
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = r;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, client, &ev);
  ev.data.ptr = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(r) |
                                        kInnerBit);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pair[0], &ev);
  relayed_.fetch_add(1);
  return pair[1];
}

void H2Guard::Close(Relay* r, bool for_resets) {
  if (r->closed) return;
  r->closed = true;
  // Closing a descriptor removes it from the epoll set.
  close(r->client);
  close(r->inner);
  if (for_resets) closed_for_resets_.fetch_add(1);
}

void H2Guard::Run() {
  SteadyClock::time_point last_log = SteadyClock::now() - std::chrono::hours(1);
  int64_t logged = 0;
  const double rate = limits_.resets_per_second;
  const double burst = limits_.reset_burst;

  // Charges `n` resets to `r`; false once it is over its allowance.
  auto charge = [&](Relay* r, int n) {
    SteadyClock::time_point now = SteadyClock::now();
    double elapsed = std::chrono::duration<double>(now - r->refilled).count();
    r->refilled = now;
    r->tokens = std::min(burst, r->tokens + elapsed * rate) - n;
    return r->tokens >= 0;
  };

  // Writes what `from` holds to `fd`; false on a broken connection.
  auto flush = [](Buffer& from, int fd) {
    while (from.size() > 0) {
      ssize_t w = send(fd, from.begin(), from.size(), MSG_NOSIGNAL);
      if (w > 0) {
        from.Drained(static_cast<size_t>(w));
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      return w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
  };

  // Reads from `fd` into `to` while there is room; false on an error.
  auto fill = [](int fd, Buffer& to, bool* eof, size_t* got) {
    *got = 0;
    while (to.free_size() > 0) {
      ssize_t n = recv(fd, to.free_begin(), to.free_size(), 0);
      if (n > 0) {
        to.Filled(static_cast<size_t>(n));
        *got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) {
        *eof = true;
        return true;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
  };

  auto update = [&](Relay* r) {
    uint32_t cm = 0, im = 0;
    if (!r->client_eof && r->up.free_size() > 0) cm |= EPOLLIN;
    if (r->down.size() > 0) cm |= EPOLLOUT;
    if (!r->inner_eof && r->down.free_size() > 0) im |= EPOLLIN;
    if (r->up.size() > 0) im |= EPOLLOUT;
    struct epoll_event ev = {};
    if (cm != r->client_mask) {
      ev.events = cm;
      ev.data.ptr = r;
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, r->client, &ev);
      r->client_mask = cm;
    }
    if (im != r->inner_mask) {
      ev.events = im;
      ev.data.ptr = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(r) |
                                            kInnerBit);
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, r->inner, &ev);
      r->inner_mask = im;
    }
  };

  // Moves bytes both ways as far as they go without blocking.
  auto pump = [&](Relay* r) {
    size_t got = 0;
    if (!r->client_eof && r->up.free_size() > 0) {
      char* start = r->up.free_begin();
      if (!fill(r->client, r->up, &r->client_eof, &got)) return Close(r, false);
      int resets = r->frames.Feed(start, got);
      if (resets > 0 && !charge(r, resets)) return Close(r, true);
    }
    if (!flush(r->up, r->inner)) return Close(r, false);
    if (r->client_eof && r->up.size() == 0 && !r->inner_shut) {
      shutdown(r->inner, SHUT_WR);
      r->inner_shut = true;
    }
    if (!r->inner_eof && r->down.free_size() > 0) {
      if (!fill(r->inner, r->down, &r->inner_eof, &got)) return Close(r, false);
    }
    if (!flush(r->down, r->client)) return Close(r, false);
    // gRPC has closed the connection and everything it wrote is out.
    if (r->inner_eof && r->down.size() == 0) return Close(r, false);
    update(r);
  };

  struct epoll_event events[64];
  std::vector<Relay*> closed;
  while (!stop_.load()) {
    int n = epoll_wait(epoll_fd_, events, 64, 1000);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      uintptr_t tag = reinterpret_cast<uintptr_t>(events[i].data.ptr);
      if (tag == 0) continue;  // woken to stop
      Relay* r = reinterpret_cast<Relay*>(tag & ~kInnerBit);
      if (r->closed) continue;
      if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0 &&
          (events[i].events & EPOLLIN) == 0) {
        // A hang-up with nothing left to read: still flush what we hold.
        if (tag & kInnerBit) {
          r->inner_eof = true;
        } else {
          r->client_eof = true;
        }
      }
      pump(r);
      if (r->closed) closed.push_back(r);
    }
    if (!closed.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (Relay* r : closed) relays_.erase(r);
      closed.clear();
    }
    int64_t c = closed_for_resets_.load();
    if (c != logged && SteadyClock::now() - last_log > std::chrono::seconds(10)) {
      last_log = SteadyClock::now();
      Log(LogLevel::kWarning, "listener",
          absl::StrCat("closed ", c - logged,
                       " connection(s) that reset HTTP/2 streams faster than "
                       "--h2_resets_per_second=", limits_.resets_per_second,
                       " (burst --h2_reset_burst=", limits_.reset_burst, ")"));
      logged = c;
    }
  }
}

}  // namespace tessera

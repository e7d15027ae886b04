#include "services/memory/machine/subprocess.h"

#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "common/strings.h"

extern char** environ;

namespace tessera::memory::machine {
namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// write() to a pipe whose reader quit, as EPIPE instead of a SIGPIPE that
// would end the server. stdin cannot be a socket (which has MSG_NOSIGNAL):
// Apertium opens /dev/stdin by name, and that fails for sockets. SIGPIPE
// goes to the writing thread, so blocking it here is enough; a SIGPIPE
// this write raised is taken off the pending set before unblocking.
ssize_t WriteNoSigpipe(int fd, std::string_view data) {
  sigset_t pipe_only, old, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t w = write(fd, data.data(), data.size());
  const int saved = errno;
  if (w < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

}  // namespace

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         std::string_view input,
                                         absl::Time deadline,
                                         size_t max_output) {
  if (argv.empty()) return absl::InvalidArgumentError("no program");
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("the deadline passed before the start");
  }
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    return absl::UnavailableError(StrCat("pipe: ", std::strerror(errno)));
  }
  Fd in_r(in[0]), in_w(in[1]);
  if (pipe2(out, O_CLOEXEC) != 0) {
    return absl::UnavailableError(StrCat("pipe: ", std::strerror(errno)));
  }
  Fd out_r(out[0]), out_w(out[1]);
  if (pipe2(err, O_CLOEXEC) != 0) {
    return absl::UnavailableError(StrCat("pipe: ", std::strerror(errno)));
  }
  Fd err_r(err[0]), err_w(err[1]);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The server blocks SIGTERM/SIGINT; the child starts clean, in a group
  // of its own that one kill ends.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  in_r.Close();
  out_w.Close();
  err_w.Close();
  if (rc != 0) {
    return absl::UnavailableError(
        StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  auto kill_group = [&](absl::Status why) -> absl::Status {
    kill(-pid, SIGKILL);
    Reap(pid);
    return why;
  };
  for (int fd : {in_w.get(), out_r.get(), err_r.get()}) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }

  ProcessResult result;
  size_t sent = 0;
  if (input.empty()) in_w.Close();
  char buf[16 << 10];
  while (out_r.get() >= 0 || err_r.get() >= 0) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return kill_group(absl::DeadlineExceededError(
          StrCat(argv[0], " did not answer before the deadline; killed")));
    }
    pollfd p[3];
    int n = 0;
    int in_at = -1, out_at = -1, err_at = -1;
    if (in_w.get() >= 0) { in_at = n; p[n++] = {in_w.get(), POLLOUT, 0}; }
    if (out_r.get() >= 0) { out_at = n; p[n++] = {out_r.get(), POLLIN, 0}; }
    if (err_r.get() >= 0) { err_at = n; p[n++] = {err_r.get(), POLLIN, 0}; }
    const int wait_ms = static_cast<int>(
        std::clamp<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1, 100));
    if (poll(p, n, wait_ms) < 0 && errno != EINTR) {
      return kill_group(absl::InternalError("poll failed"));
    }
    if (in_at >= 0 && p[in_at].revents != 0) {
      const ssize_t w = WriteNoSigpipe(in_w.get(), input.substr(sent));
      if (w > 0) sent += static_cast<size_t>(w);
      // A child that stops reading is judged by its exit and output.
      if (sent == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) {
        in_w.Close();
      }
    }
    for (auto [at, fd, sink] :
         {std::tuple{out_at, &out_r, &result.output},
          std::tuple{err_at, &err_r, &result.errors}}) {
      if (at < 0 || p[at].revents == 0) continue;
      const ssize_t r = read(fd->get(), buf, sizeof(buf));
      if (r > 0) {
        if (sink == &result.errors) {
          sink->append(buf, std::min<size_t>(static_cast<size_t>(r),
                                             4096 - std::min<size_t>(
                                                        4096, sink->size())));
        } else {
          sink->append(buf, static_cast<size_t>(r));
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd->Close();
      }
    }
    if (result.output.size() > max_output) {
      return kill_group(absl::ResourceExhaustedError(
          StrCat(argv[0], " wrote more than ", max_output, " bytes; killed")));
    }
  }
  // Both pipes closed: the child is exiting. Wait for it under the
  // deadline without reaping, so that its group id still names it when
  // whatever the pipeline left behind is killed.
  while (true) {
    siginfo_t info;
    info.si_pid = 0;
    if (waitid(P_PID, static_cast<id_t>(pid), &info,
               WEXITED | WNOHANG | WNOWAIT) != 0 && errno != EINTR) {
      return absl::InternalError("lost the child process");
    }
    if (info.si_pid == pid) break;
    if (absl::Now() >= deadline) {
      return kill_group(absl::DeadlineExceededError(
          StrCat(argv[0], " did not exit before the deadline; killed")));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  kill(-pid, SIGKILL);
  const int status = Reap(pid);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace tessera::memory::machine

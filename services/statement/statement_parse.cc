#include "services/statement/statement_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "services/common/call_context.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "services/common/errors.h"
#include "text/placeholders.h"
#include "text/segmenter.h"

extern char** environ;

namespace tessera::statement {
namespace {

constexpr std::string_view kRequestMagic = "TPR1";
constexpr std::string_view kResultMagic = "TPA1";
// tessera-parse's exit code when an allocation fails.
constexpr int kExitOutOfMemory = 3;
constexpr int kExitBadRequest = 4;

// Pre-check bounds, far above any statement: a table's delimiter row with
// more cells, or columns² × rows (cmark-gfm's work on a table) above
// kMaxTableWork; more "![[" openers or "<![CDATA[" / "<?" starts.
constexpr size_t kMaxTableColumns = 1000;
constexpr double kMaxTableWork = 2e8;
constexpr size_t kMaxImageBracketRuns = 1000;
constexpr size_t kMaxCdataSections = 1000;
constexpr size_t kMaxProcessingInstructions = 1000;

// --- Wire format: fixed 64-bit little-endian integers, strings with a
// length before them.

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutString(std::string* out, std::string_view s) {
  PutU64(out, s.size());
  out->append(s);
}

bool GetU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) {
    *v |= uint64_t{static_cast<unsigned char>((*in)[i])} << (8 * i);
  }
  in->remove_prefix(8);
  return true;
}

bool GetString(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetU64(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

std::string EncodeRequest(const ParseRequest& r) {
  std::string out(kRequestMagic);
  out.reserve(r.source.size() + r.language.size() + 64);
  PutU64(&out, static_cast<uint64_t>(r.format));
  PutString(&out, r.language);
  PutU64(&out, r.max_segments);
  PutU64(&out, r.no_translate_blocks.size());
  for (const auto& b : r.no_translate_blocks) {
    PutU64(&out, static_cast<uint64_t>(static_cast<int64_t>(b.begin)));
    PutU64(&out, static_cast<uint64_t>(static_cast<int64_t>(b.end)));
  }
  PutString(&out, r.source);
  return out;
}

bool DecodeRequest(std::string_view in, ParseRequest* r) {
  if (in.substr(0, kRequestMagic.size()) != kRequestMagic) return false;
  in.remove_prefix(kRequestMagic.size());
  uint64_t format, max_segments, blocks;
  std::string_view language;
  if (!GetU64(&in, &format) || !GetString(&in, &language) ||
      !GetU64(&in, &max_segments) || !GetU64(&in, &blocks) ||
      blocks > in.size() / 16) {
    return false;
  }
  r->format = static_cast<formats::Format>(format);
  r->language = std::string(language);
  r->max_segments = max_segments;
  for (uint64_t i = 0; i < blocks; ++i) {
    uint64_t b, e;
    if (!GetU64(&in, &b) || !GetU64(&in, &e)) return false;
    r->no_translate_blocks.push_back(
        {static_cast<int>(static_cast<int64_t>(b)),
         static_cast<int>(static_cast<int64_t>(e))});
  }
  return GetString(&in, &r->source) && in.empty();
}

std::string EncodeResult(const absl::StatusOr<formats::Document>& result) {
  std::string out(kResultMagic);
  PutU64(&out, static_cast<uint64_t>(result.status().code()));
  PutString(&out, result.ok() ? formats::SerializeDocument(*result)
                              : std::string(result.status().message()));
  return out;
}

absl::StatusOr<formats::Document> DecodeResult(std::string_view in) {
  uint64_t code;
  std::string_view payload;
  if (in.substr(0, kResultMagic.size()) != kResultMagic ||
      !(in.remove_prefix(kResultMagic.size()), GetU64(&in, &code)) ||
      !GetString(&in, &payload) || !in.empty() || code > 16) {
    return absl::InternalError("the document parser answered garbage");
  }
  if (code != 0) {
    return absl::Status(static_cast<absl::StatusCode>(code), std::string(payload));
  }
  auto doc = formats::DeserializeDocument(payload);
  if (!doc.ok()) {
    return absl::InternalError("the document parser answered garbage");
  }
  return doc;
}

// --- The parent side.

absl::Status CpuBudgetError(const ParseBudget& budget) {
  const int64_t ms = absl::ToInt64Milliseconds(budget.cpu);
  return QuotaExceededError(
      "parse_cpu_budget", ms,
      StrCat("parsing the document took more than its CPU budget of ", ms,
             " ms; nothing was stored. Markdown with huge tables or long "
             "runs of unclosed brackets is slow to parse: simplify it or "
             "import it as plain text"));
}

absl::Status ChildrenBusyError(const ParseBudget& budget) {
  return QuotaExceededError(
      "parse_children", budget.max_children,
      StrCat("the server is already parsing ", budget.max_children,
             " documents; nothing was stored. Try again in a moment"));
}

// Parse children alive in this process, across every call.
class ChildSlots {
 public:
  // Takes a slot, waiting until `until` at most; false if none came free.
  bool Acquire(int max, absl::Time until, const CancellationSource* cancelled) {
    absl::MutexLock lock(&mu_);
    auto free = [&] { return running_ < max; };
    while (!free()) {
      if (cancelled != nullptr && cancelled->IsCancelled()) return false;
      const absl::Time step = std::min(until, absl::Now() + absl::Milliseconds(50));
      if (absl::Now() >= until) return false;
      mu_.AwaitWithDeadline(absl::Condition(&free), step);
    }
    ++running_;
    return true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --running_;
  }

 private:
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

ChildSlots& Slots() {
  static ChildSlots* slots = new ChildSlots;
  return *slots;
}

absl::Status CancelledError() {
  return absl::CancelledError(
      "the call was cancelled while the document was being parsed; nothing "
      "was stored");
}

absl::Status MemoryBudgetError(const ParseBudget& budget) {
  return QuotaExceededError(
      "parse_memory_bytes", static_cast<int64_t>(budget.memory_bytes),
      StrCat("parsing the document needed more than its memory budget of ",
             budget.memory_bytes, " bytes; nothing was stored"));
}

// CPU time `pid` has used so far (user + system), from /proc.
absl::Duration ChildCpu(pid_t pid) {
  std::ifstream in(StrCat("/proc/", pid, "/stat"));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string stat = ss.str();
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return absl::ZeroDuration();
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  int64_t utime = 0, stime = 0;
  // After the command: state is field 3; utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && (fields >> field); ++i) {
    if (i == 14) (void)absl::SimpleAtoi(field, &utime);
    if (i == 15) (void)absl::SimpleAtoi(field, &stime);
  }
  static const long ticks = sysconf(_SC_CLK_TCK);
  return absl::Seconds(static_cast<double>(utime + stime) /
                       static_cast<double>(ticks > 0 ? ticks : 100));
}

int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// One child process parsing one request.
class ParseChild {
 public:
  ParseChild(const ParseBudget& budget, absl::Time deadline,
             const CancellationSource* cancelled)
      : budget_(budget), deadline_(deadline), cancelled_(cancelled) {}
  ~ParseChild() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Reap(pid_);
    }
  }

  absl::StatusOr<formats::Document> Run(const std::string& request) {
    if (absl::Now() >= deadline_) return DeadlineError();
    RETURN_IF_ERROR(Spawn());
    RETURN_IF_ERROR(Exchange(request));
    // The child closed its end; it exits right after.
    int status = -1;
    while (true) {
      const pid_t got = waitpid(pid_, &status, WNOHANG);
      if (got == pid_) break;
      if (got < 0 && errno != EINTR) {
        return absl::InternalError("lost the document parser process");
      }
      if (absl::Now() >= deadline_) return Kill(DeadlineError());
      if (Cancelled()) return Kill(CancelledError());
      absl::SleepFor(absl::Milliseconds(1));
    }
    pid_ = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      return DecodeResult(output_);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == kExitOutOfMemory) {
      return MemoryBudgetError(budget_);
    }
    if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one.
      if (sig == SIGXCPU || sig == SIGKILL) return CpuBudgetError(budget_);
      // cmark-gfm aborts when an allocation fails under RLIMIT_AS.
      if (sig == SIGABRT) return MemoryBudgetError(budget_);
      return absl::InternalError(
          StrCat("the document parser died of signal ", sig));
    }
    return absl::InternalError(
        StrCat("the document parser failed with exit code ",
               WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }

  static absl::Status DeadlineError() {
    return absl::DeadlineExceededError(
        "the call's deadline passed while the document was being parsed; "
        "nothing was stored");
  }

 private:
  bool Cancelled() const {
    return cancelled_ != nullptr && cancelled_->IsCancelled();
  }

  absl::Status Kill(absl::Status why) {
    kill(pid_, SIGKILL);
    Reap(pid_);
    pid_ = -1;
    return why;
  }

  absl::Status Spawn() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return absl::UnavailableError(
          StrCat("cannot start the document parser: ", std::strerror(errno)));
    }
    fd_ = sv[0];
    // Backstop for a parent that stops watching: the kernel ends the child
    // one second after the budget.
    const int64_t cpu_seconds = static_cast<int64_t>(
        std::ceil(absl::ToDoubleSeconds(budget_.cpu))) + 1;
    std::string cpu_arg = StrCat(cpu_seconds);
    std::string mem_arg = StrCat(budget_.memory_bytes);
    char* argv[] = {const_cast<char*>(budget_.helper.c_str()), cpu_arg.data(),
                    mem_arg.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    // The server's signal mask blocks SIGTERM/SIGINT; the child starts clean.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int rc = posix_spawn(&pid_, budget_.helper.c_str(), &fa, &attr,
                               argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    if (rc != 0) {
      pid_ = -1;
      return absl::UnavailableError(StrCat("cannot start the document parser ",
                                           budget_.helper, ": ",
                                           std::strerror(rc)));
    }
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    return absl::OkStatus();
  }

  // Sends the request and reads the answer until the child closes the
  // socket, watching the deadline and the child's CPU time.
  absl::Status Exchange(const std::string& request) {
    size_t sent = 0;
    bool writing = true;
    char buf[64 << 10];
    while (true) {
      const absl::Time now = absl::Now();
      if (now >= deadline_) return Kill(DeadlineError());
      if (Cancelled()) return Kill(CancelledError());
      if (ChildCpu(pid_) > budget_.cpu) return Kill(CpuBudgetError(budget_));
      pollfd p{fd_, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
      const int wait_ms = static_cast<int>(std::clamp<int64_t>(
          absl::ToInt64Milliseconds(deadline_ - now) + 1, 1, 20));
      if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) {
        return Kill(absl::InternalError("poll failed"));
      }
      if (writing && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t n = send(fd_, request.data() + sent,
                               request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<size_t>(n);
        if (sent == request.size()) shutdown(fd_, SHUT_WR);
        // A child that died early is judged by its exit status.
        if (sent == request.size() ||
            (n < 0 && errno != EAGAIN && errno != EINTR)) {
          writing = false;
        }
      }
      if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
        const ssize_t n = read(fd_, buf, sizeof(buf));
        if (n > 0) {
          output_.append(buf, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          return absl::OkStatus();
        }
      }
    }
  }

  const ParseBudget& budget_;
  const absl::Time deadline_;
  const CancellationSource* const cancelled_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

// --- Pre-checks.

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Cells of a GFM table delimiter row ("| --- | :-: |"), 0 if it is not one.
size_t DelimiterCells(std::string_view line) {
  if (line.find('-') == std::string_view::npos ||
      line.find_first_not_of(" \t\r|:-") != std::string_view::npos) {
    return 0;
  }
  size_t cells = 0;
  bool in_cell = false;
  for (char c : line) {
    if (c == '|') {
      in_cell = false;
    } else if (c == '-' && !in_cell) {
      in_cell = true;
      ++cells;
    }
  }
  return line.find('|') == std::string_view::npos && cells > 1 ? 0 : cells;
}

size_t Count(std::string_view s, std::string_view needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string_view::npos;
       at = s.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

absl::Status HazardError(std::string_view limit, size_t bound,
                         std::string_view what) {
  return QuotaExceededError(
      limit, static_cast<int64_t>(bound),
      StrCat(what, "; Debian's cmark-gfm takes quadratic time on such "
                   "Markdown, so it is refused unparsed (the limit ",
             limit, " is ", bound, "); nothing was stored"));
}

}  // namespace

absl::StatusOr<formats::Document> ParseInProcess(
    const ParseRequest& request,
    std::shared_ptr<const text::Segmenter> segmenter) {
  formats::ImportOptions fo;
  fo.split_sentences = [segmenter](std::string_view t) {
    return segmenter->Split(t);
  };
  fo.is_verbatim = [](std::string_view t) {
    return text::IsNonTranslatable(t);
  };
  fo.no_translate_blocks = request.no_translate_blocks;
  fo.max_segments = request.max_segments;
  return request.format == formats::Format::kMarkdown
             ? formats::ImportMarkdown(request.source, fo)
             : formats::ImportPlainText(request.source, fo);
}

absl::Status CheckMarkdownHazards(std::string_view source) {
  size_t columns = 0;  // of the table being read, 0 outside tables
  size_t rows = 0;
  size_t pos = 0;
  while (pos <= source.size()) {
    size_t end = source.find('\n', pos);
    if (end == std::string_view::npos) end = source.size();
    const std::string_view line = source.substr(pos, end - pos);
    if (columns > 0 && !IsBlank(line)) {
      ++rows;
    } else if (size_t cells = DelimiterCells(line); cells > 0) {
      columns = cells;
      rows = 1;  // the header row
    } else {
      columns = 0;
    }
    if (columns > kMaxTableColumns) {
      return HazardError("markdown_table_columns", kMaxTableColumns,
                         StrCat("a table has ", columns, " columns"));
    }
    if (columns > 0 && static_cast<double>(columns) * columns * rows >
                           kMaxTableWork) {
      return HazardError(
          "markdown_table_cells", static_cast<size_t>(kMaxTableWork),
          StrCat("a table of ", columns, " columns has more than ", rows,
                 " rows, which is columns² × rows above the bound"));
    }
    pos = end + 1;
  }
  if (size_t n = Count(source, "![["); n > kMaxImageBracketRuns) {
    return HazardError("markdown_image_brackets", kMaxImageBracketRuns,
                       StrCat("the document has ", n, " \"![[\" sequences"));
  }
  if (size_t n = Count(source, "<![CDATA["); n > kMaxCdataSections) {
    return HazardError("markdown_cdata_sections", kMaxCdataSections,
                       StrCat("the document has ", n, " \"<![CDATA[\""));
  }
  if (size_t n = Count(source, "<?"); n > kMaxProcessingInstructions) {
    return HazardError("markdown_processing_instructions",
                       kMaxProcessingInstructions,
                       StrCat("the document has ", n, " \"<?\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<formats::Document> ParseDocument(
    const ParseRequest& request, const ParseBudget& budget,
    absl::Time deadline, const CancellationSource* cancelled) {
  if (budget.helper.empty()) {
    ASSIGN_OR_RETURN(auto segmenter,
                     text::Segmenter::ForLanguage(request.language));
    return ParseInProcess(request, std::move(segmenter));
  }
  const std::string encoded = EncodeRequest(request);
  if (!Slots().Acquire(std::max(1, budget.max_children),
                       std::min(deadline, absl::Now() + budget.cpu),
                       cancelled)) {
    if (cancelled != nullptr && cancelled->IsCancelled()) {
      return CancelledError();
    }
    if (absl::Now() >= deadline) return ParseChild::DeadlineError();
    return ChildrenBusyError(budget);
  }
  absl::StatusOr<formats::Document> result;
  {
    ParseChild child(budget, deadline, cancelled);
    result = child.Run(encoded);
  }
  Slots().Release();
  return result;
}

int RunParseHelper(int argc, char** argv) {
  int64_t cpu_seconds = 0;
  uint64_t memory_bytes = 0;
  if (argc != 3 || !absl::SimpleAtoi(argv[1], &cpu_seconds) ||
      !absl::SimpleAtoi(argv[2], &memory_bytes) || cpu_seconds < 1) {
    static constexpr char kUsage[] =
        "usage: tessera-parse CPU_SECONDS MEMORY_BYTES < request > result\n"
        "tesserad runs it to parse each imported document under a budget.\n";
    (void)!write(2, kUsage, sizeof(kUsage) - 1);
    return 2;
  }
  // Limits first, before the document is even read.
  rlimit cpu{static_cast<rlim_t>(cpu_seconds),
             static_cast<rlim_t>(cpu_seconds + 1)};
  rlimit mem{static_cast<rlim_t>(memory_bytes),
             static_cast<rlim_t>(memory_bytes)};
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitizer runtimes reserve terabytes of shadow address space, so an
  // address-space limit would kill the child before it reads anything.
  memory_bytes = 0;
#endif
  if (setrlimit(RLIMIT_CPU, &cpu) != 0 ||
      (memory_bytes > 0 && setrlimit(RLIMIT_AS, &mem) != 0)) {
    return 1;
  }
  std::set_new_handler([] { _exit(kExitOutOfMemory); });

  std::string input;
  char buf[64 << 10];
  while (true) {
    const ssize_t n = read(0, buf, sizeof(buf));
    if (n > 0) {
      input.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      return kExitBadRequest;
    }
  }
  ParseRequest request;
  if (!DecodeRequest(input, &request)) return kExitBadRequest;
  absl::StatusOr<formats::Document> result;
  auto segmenter = text::Segmenter::ForLanguage(request.language);
  if (segmenter.ok()) {
    result = ParseInProcess(request, *std::move(segmenter));
  } else {
    result = segmenter.status();
  }
  const std::string out = EncodeResult(result);
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = write(1, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace tessera::statement

#include "tests/bench/load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tessera::bench {
namespace {

// Latency needs a monotonic clock; absl::Now() is wall time.
int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Phase { kWarmup, kMeasure, kStop };

class LoadState;

// One closed-loop client: at most one call outstanding. Its counters are only
// touched by the code handling its current call, and consecutive calls are
// ordered (each is issued after the previous one was recorded), so they need
// no lock.
class Slot {
 public:
  Slot(LoadState* state, const CallFn* fn) : state_(state), fn_(fn) {}

  // Issues calls until the phase says stop, then reports to the state. Runs
  // on whichever thread owns the slot: the starter, or the thread that
  // completed the previous call asynchronously.
  void Run();

  void AddTo(LoadResult& result, LatencySamples& samples,
             int64_t& last_done_nanos) const;

 private:
  // Which thread continues the loop after a call is issued: if `done` runs
  // before the CallFn returns (inline completion), the issuer loops instead
  // of the completer recursing, so a CallFn that fails inline cannot grow the
  // stack without bound.
  enum Stage : int { kIssuing, kWaiting, kDoneInline };

  bool PrepareNext();
  void OnDone(const grpc::Status& status);

  LoadState* const state_;
  const CallFn* const fn_;
  std::atomic<int> stage_{kWaiting};
  int64_t start_nanos_ = 0;
  bool measured_ = false;

  int64_t ok_ = 0;
  int64_t errors_ = 0;
  std::map<grpc::StatusCode, int64_t> errors_by_code_;
  std::string first_error_;
  int64_t last_done_nanos_ = 0;
  LatencySamples samples_;
};

class LoadState : public std::enable_shared_from_this<LoadState> {
 public:
  LoadState(int64_t max_calls, int active)
      : max_calls_(max_calls), active_(active) {}

  // Decides whether a slot may start another call and whether it counts.
  bool Admit(bool& measured) {
    Phase p = phase_.load(std::memory_order_acquire);
    if (p == Phase::kStop) return false;
    measured = p == Phase::kMeasure;
    if (measured && max_calls_ > 0 &&
        tickets_.fetch_add(1, std::memory_order_relaxed) >= max_calls_) {
      return false;
    }
    return true;
  }

  void SetPhase(Phase p) { phase_.store(p, std::memory_order_release); }

  void SlotFinished() {
    // The waiter may destroy the state as soon as it sees zero; holding a
    // reference keeps the mutex alive until this thread is done with it.
    std::shared_ptr<LoadState> keep = shared_from_this();
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) cv_.notify_all();
  }

  void WaitAllFinished() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return active_ == 0; });
  }

  std::vector<std::unique_ptr<Slot>> slots;

 private:
  const int64_t max_calls_;
  std::atomic<Phase> phase_{Phase::kWarmup};
  std::atomic<int64_t> tickets_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int active_;
};

bool Slot::PrepareNext() { return state_->Admit(measured_); }

void Slot::Run() {
  while (PrepareNext()) {
    start_nanos_ = NowNanos();
    // Publishes this slot's fields to whichever thread completes the call.
    stage_.store(kIssuing, std::memory_order_release);
    (*fn_)([this](const grpc::Status& status) { OnDone(status); });
    int expected = kIssuing;
    if (stage_.compare_exchange_strong(expected, kWaiting,
                                       std::memory_order_acq_rel)) {
      return;  // The completing thread carries on.
    }
  }
  state_->SlotFinished();  // Must be the last touch of this slot.
}

void Slot::OnDone(const grpc::Status& status) {
  const int64_t now = NowNanos();
  // gRPC orders a call's start before its callback, but through code the
  // memory model (and ThreadSanitizer) cannot see; pair with Run's release.
  stage_.load(std::memory_order_acquire);
  if (measured_) {
    if (status.ok()) {
      ++ok_;
      samples_.Add(absl::Nanoseconds(now - start_nanos_));
    } else {
      ++errors_;
      ++errors_by_code_[status.error_code()];
      if (first_error_.empty()) {
        first_error_ = absl::StrCat("code ", status.error_code(), ": ",
                                    status.error_message());
      }
    }
    last_done_nanos_ = now;
  }
  int expected = kIssuing;
  if (stage_.compare_exchange_strong(expected, kDoneInline,
                                     std::memory_order_acq_rel)) {
    return;  // Still inside the CallFn: the issuer loops.
  }
  Run();
}

void Slot::AddTo(LoadResult& result, LatencySamples& samples,
                 int64_t& last_done_nanos) const {
  result.ok_calls += ok_;
  result.error_calls += errors_;
  for (const auto& [code, n] : errors_by_code_) {
    result.errors_by_code[code] += n;
  }
  if (result.first_error.empty()) result.first_error = first_error_;
  last_done_nanos = std::max(last_done_nanos, last_done_nanos_);
  samples.Merge(samples_);
}

template <typename T>
T Median(std::vector<T> v) {
  if (v.empty()) return T();
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  if (v.size() % 2 == 1) return v[mid];
  return v[mid - 1] + (v[mid] - v[mid - 1]) / 2;
}

std::string Micros(absl::Duration d) {
  return absl::StrFormat("%.1f", absl::ToDoubleMicroseconds(d));
}

}  // namespace

void LatencySamples::Add(absl::Duration latency) {
  nanos_.push_back(absl::ToInt64Nanoseconds(latency));
  sorted_ = false;
}

void LatencySamples::Merge(const LatencySamples& other) {
  nanos_.insert(nanos_.end(), other.nanos_.begin(), other.nanos_.end());
  sorted_ = nanos_.empty();
}

absl::Duration LatencySamples::Percentile(double q) {
  if (nanos_.empty()) return absl::ZeroDuration();
  if (!sorted_) {
    std::sort(nanos_.begin(), nanos_.end());
    sorted_ = true;
  }
  q = std::clamp(q, 0.0, 1.0);
  const double n = static_cast<double>(nanos_.size());
  // Nearest rank is ceil(q * n), 1-based; the epsilon keeps 0.99 * 100 from
  // rounding up to rank 100.
  int64_t rank = static_cast<int64_t>(std::ceil(q * n - 1e-9));
  rank = std::clamp<int64_t>(rank, 1, count());
  return absl::Nanoseconds(nanos_[rank - 1]);
}

absl::StatusOr<LoadResult> RunLoad(const std::vector<CallFn>& calls,
                                   const LoadOptions& options) {
  if (calls.empty()) return absl::InvalidArgumentError("no call functions");
  for (const CallFn& fn : calls) {
    if (!fn) return absl::InvalidArgumentError("empty call function");
  }
  if (options.concurrency < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "concurrency must be at least 1, got ", options.concurrency));
  }
  if (options.warmup < absl::ZeroDuration() ||
      options.duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("durations must not be negative");
  }
  const bool by_count = options.max_calls > 0;
  if (!by_count && options.duration == absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "measured phase is empty: set a duration or max_calls");
  }

  auto state =
      std::make_shared<LoadState>(options.max_calls, options.concurrency);
  for (int i = 0; i < options.concurrency; ++i) {
    state->slots.push_back(
        std::make_unique<Slot>(state.get(), &calls[i % calls.size()]));
  }

  // Phase changes run on their own thread because a CallFn that completes
  // inline keeps the starting thread busy in its slot's loop.
  int64_t measure_start = 0;
  std::atomic<bool> measuring{false};
  auto start_measuring = [&] {
    measure_start = NowNanos();
    measuring.store(true, std::memory_order_release);
    state->SetPhase(Phase::kMeasure);
  };
  if (options.warmup == absl::ZeroDuration()) start_measuring();
  std::thread timer([&] {
    if (!measuring.load(std::memory_order_acquire)) {
      std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.warmup));
      start_measuring();
    }
    if (!by_count) {
      std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.duration));
      state->SetPhase(Phase::kStop);
    }
  });

  for (auto& slot : state->slots) slot->Run();
  state->WaitAllFinished();
  timer.join();

  LoadResult result;
  LatencySamples samples;
  int64_t last_done = measure_start;
  for (const auto& slot : state->slots) slot->AddTo(result, samples, last_done);
  result.elapsed = absl::Nanoseconds(last_done - measure_start);
  if (result.elapsed > absl::ZeroDuration()) {
    result.calls_per_second = static_cast<double>(result.ok_calls) /
                              absl::ToDoubleSeconds(result.elapsed);
  }
  result.latency_samples = samples.count();
  result.p50 = samples.Percentile(0.50);
  result.p99 = samples.Percentile(0.99);
  result.p999 = samples.Percentile(0.999);
  result.max = samples.Percentile(1.0);
  return result;
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int count,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  if (!credentials) credentials = grpc::InsecureChannelCredentials();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(count, 1); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Channels with identical arguments may still share a subchannel through
    // the global pool in some configurations; a distinct value rules it out.
    args.SetInt("tessera.bench.channel_index", i);
    channels.push_back(
        grpc::CreateCustomChannel(target, credentials, std::move(args)));
  }
  return channels;
}

TableRow SummarizeRepeats(std::string scenario, int concurrency,
                          const std::vector<LoadResult>& runs) {
  TableRow row;
  row.scenario = std::move(scenario);
  row.concurrency = concurrency;
  row.repeats = static_cast<int>(runs.size());
  std::vector<double> cps;
  std::vector<absl::Duration> p50, p99, p999;
  for (const LoadResult& r : runs) {
    cps.push_back(r.calls_per_second);
    p50.push_back(r.p50);
    p99.push_back(r.p99);
    p999.push_back(r.p999);
    row.errors += r.error_calls;
    if (row.first_error.empty()) row.first_error = r.first_error;
  }
  row.calls_per_second = Median(std::move(cps));
  row.p50 = Median(std::move(p50));
  row.p99 = Median(std::move(p99));
  row.p999 = Median(std::move(p999));
  return row;
}

std::string FormatTable(const std::vector<TableRow>& rows,
                        std::string_view baseline) {
  const std::string ratio_header = absl::StrCat("x ", std::string(baseline));
  size_t name_width = std::string_view("scenario").size();
  for (const TableRow& r : rows) {
    name_width = std::max(name_width, r.scenario.size() + 1);
  }
  const int w = static_cast<int>(name_width);
  std::string out = absl::StrFormat(
      "%-*s %5s %10s %9s %9s %9s %7s %8s\n", w, "scenario", "conc", "calls/s",
      "p50 us", "p99 us", "p99.9 us", "errors", ratio_header);
  bool any_errors = false;
  for (const TableRow& r : rows) {
    std::string ratio = "-";
    for (const TableRow& b : rows) {
      if (b.scenario == baseline && b.concurrency == r.concurrency &&
          b.calls_per_second > 0) {
        ratio =
            absl::StrFormat("%.2f", r.calls_per_second / b.calls_per_second);
        break;
      }
    }
    std::string name = r.scenario;
    if (r.errors > 0) {
      name += "!";
      any_errors = true;
    }
    absl::StrAppendFormat(&out, "%-*s %5d %10.0f %9s %9s %9s %7d %8s\n", w,
                          name, r.concurrency, r.calls_per_second,
                          Micros(r.p50), Micros(r.p99), Micros(r.p999),
                          r.errors, ratio);
  }
  if (any_errors) {
    absl::StrAppend(&out,
                    "! calls failed in this row; its figures are not "
                    "comparable. First error per row:\n");
    for (const TableRow& r : rows) {
      if (r.errors > 0) {
        absl::StrAppendFormat(&out, "  %s at %d: %s\n", r.scenario,
                              r.concurrency, r.first_error);
      }
    }
  }
  return out;
}

}  // namespace tessera::bench

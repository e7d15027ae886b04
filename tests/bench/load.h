// Closed-loop gRPC load generator and the table that reports its results.
//
// RunLoad keeps exactly `concurrency` calls outstanding: each of its slots
// issues one call, waits for it to finish, and issues the next, so throughput
// is whatever the server (and this client) can sustain at that depth. It
// knows nothing about any particular method: a scenario hands it CallFns,
// each of which starts one asynchronous call (normally with the gRPC callback
// API, stub->async()->Method(ctx, req, resp, callback)) and reports the
// outcome through `done`. Slot i uses calls[i % calls.size()], so giving one
// CallFn per channel spreads the load over several HTTP/2 connections;
// MakeChannels builds channels that do not share a connection.
//
// The client runs in the same process as whatever it measures and shares its
// two cores, so absolute figures are lower than an external load tool's; only
// ratios between scenarios measured in one run are meaningful.
//
// Thread safety: RunLoad may be called from any thread but blocks it until
// the run is over; CallFns are invoked concurrently from that thread and from
// gRPC's callback threads. LatencySamples, LoadResult and TableRow are plain
// values with no internal locking.
#ifndef TESSERA_TESTS_BENCH_LOAD_H_
#define TESSERA_TESTS_BENCH_LOAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace tessera::bench {

// Reports the outcome of one call. Must be invoked exactly once per call, from
// any thread, inline or later. Anything of the call's own that refers to the
// channel (its ClientContext, stub references) should be released before
// invoking it: once the last `done` of a run returns, RunLoad may return and
// the caller may destroy the channels.
using CallDone = std::function<void(const grpc::Status& status)>;

// Starts one call and arranges for `done` to be invoked when it ends. Must not
// block waiting for the call; it may complete inline (e.g. a local failure).
// A CallFn that never invokes `done` makes RunLoad wait forever, so calls
// should carry a deadline.
using CallFn = std::function<void(CallDone done)>;

struct LoadOptions {
  // Calls kept outstanding at all times. Must be at least 1.
  int concurrency = 1;
  // Calls made during warm-up are not counted. May be zero.
  absl::Duration warmup = absl::Milliseconds(500);
  // Length of the measured phase; ignored when max_calls > 0.
  absl::Duration duration = absl::Seconds(2);
  // When positive, the measured phase ends after exactly this many calls
  // have been started (and all of them have finished).
  int64_t max_calls = 0;
};

// Exact latency distribution: every sample is kept, so percentiles are exact
// (a run of a few seconds holds at most a few hundred thousand samples).
class LatencySamples {
 public:
  void Add(absl::Duration latency);
  void Merge(const LatencySamples& other);
  int64_t count() const { return static_cast<int64_t>(nanos_.size()); }

  // Nearest-rank percentile, q in (0, 1]: the smallest sample that at least
  // q of all samples are less than or equal to. Zero when empty; q is clamped
  // into (0, 1]. Sorts the samples on first use after an Add or Merge.
  absl::Duration Percentile(double q);

 private:
  std::vector<int64_t> nanos_;
  bool sorted_ = true;
};

// What one RunLoad measured. Only calls started in the measured phase count.
struct LoadResult {
  int64_t ok_calls = 0;
  int64_t error_calls = 0;
  // Error calls by gRPC status code, and the first error seen, for diagnosis.
  std::map<grpc::StatusCode, int64_t> errors_by_code;
  std::string first_error;
  // From the start of the measured phase to the end of its last call.
  absl::Duration elapsed = absl::ZeroDuration();
  // Successful calls per second over `elapsed`. Failed calls are left out so
  // that fast failures cannot inflate throughput.
  double calls_per_second = 0;
  // Latency percentiles of the successful calls; zero when there were none.
  int64_t latency_samples = 0;
  absl::Duration p50 = absl::ZeroDuration();
  absl::Duration p99 = absl::ZeroDuration();
  absl::Duration p999 = absl::ZeroDuration();
  absl::Duration max = absl::ZeroDuration();

  int64_t total_calls() const { return ok_calls + error_calls; }
  // A run with errors is not comparable with a clean one; reports flag it.
  bool has_errors() const { return error_calls > 0; }
};

// Runs a warm-up and then a measured phase with `options.concurrency` calls
// outstanding, and waits until every started call has finished.
// Returns INVALID_ARGUMENT when `calls` is empty or holds an empty function,
// concurrency is below 1, a duration is negative, or the measured phase
// would be empty (max_calls <= 0 and duration <= 0). Failed calls are not a
// failure of RunLoad: they are counted in the result.
absl::StatusOr<LoadResult> RunLoad(const std::vector<CallFn>& calls,
                                   const LoadOptions& options);

// Opens `count` channels to `target` that each get their own connection
// (a local subchannel pool plus a distinct channel argument, so gRPC cannot
// share one subchannel between them). Null `credentials` means insecure.
// Channels connect lazily; a count below 1 is treated as 1.
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int count,
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

// One line of the report: a scenario at one concurrency, summarising the
// repeats of that point.
struct TableRow {
  std::string scenario;
  int concurrency = 0;
  int repeats = 0;
  // Medians over the repeats, each metric on its own.
  double calls_per_second = 0;
  absl::Duration p50 = absl::ZeroDuration();
  absl::Duration p99 = absl::ZeroDuration();
  absl::Duration p999 = absl::ZeroDuration();
  // Sum over the repeats; any error flags the row.
  int64_t errors = 0;
  std::string first_error;
};

// Summarises repeated runs of one point by the median of each metric, since
// single runs on a small shared machine are noisy. Errors are summed.
TableRow SummarizeRepeats(std::string scenario, int concurrency,
                          const std::vector<LoadResult>& runs);

// Renders rows as a fixed-width text table with columns scenario,
// concurrency, calls/s, p50, p99, p99.9 (microseconds), errors and the
// throughput ratio to the `baseline` scenario's row at the same concurrency
// ("-" when there is none). Rows with errors are marked with "!" and
// explained under the table.
std::string FormatTable(const std::vector<TableRow>& rows,
                        std::string_view baseline);

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_LOAD_H_

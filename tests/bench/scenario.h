// Benchmark scenarios and the run matrix that measures them side by side.
//
// A Scenario is a name plus a start function. Starting it brings up whatever
// it measures (an in-process server, a data directory, a token) and returns a
// ScenarioInstance that owns all of it, names the address to load, and makes
// the CallFn for each client channel. tessera_bench builds its list of
// scenarios in main from functions such as EchoScenario(), each defined in its
// own file, so adding a scenario is adding a file and one line.
//
// RunMatrix interleaves scenarios within every repeat at every concurrency,
// so slow drift of a noisy machine hits them alike and the ratios stay fair.
//
// Thread safety: a ScenarioInstance is used from one thread at a time, but
// the CallFns it makes are invoked concurrently and must be thread-safe.
#ifndef TESSERA_TESTS_BENCH_SCENARIO_H_
#define TESSERA_TESTS_BENCH_SCENARIO_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/bench/load.h"

namespace tessera::bench {

class ScenarioInstance {
 public:
  virtual ~ScenarioInstance() = default;
  // Address the load generator opens its channels to.
  virtual std::string target() const = 0;
  // Credentials for those channels; null means insecure.
  virtual std::shared_ptr<grpc::ChannelCredentials> credentials() const {
    return nullptr;
  }
  // Returns the function that issues one call over `channel`. Called once per
  // channel for every measured point.
  virtual CallFn MakeCall(std::shared_ptr<grpc::Channel> channel) = 0;
};

struct Scenario {
  // Row label in the table; the baseline is chosen by this name.
  std::string name;
  // Brings the scenario up. An error aborts the benchmark with its message.
  std::function<absl::StatusOr<std::unique_ptr<ScenarioInstance>>()> start;
};

// The baseline: a bare in-process EchoServer loaded with Echo calls carrying
// `payload_bytes` bytes. Named "echo".
Scenario EchoScenario(size_t payload_bytes = 16);

struct MatrixOptions {
  std::vector<int> concurrencies = {1, 8, 64};
  // Runs per point; the table reports medians.
  int repeat = 3;
  // Upper bound on channels per run; a run never opens more channels than
  // it has concurrent calls.
  int channels = 4;
  absl::Duration warmup = absl::Milliseconds(500);
  absl::Duration duration = absl::Seconds(2);
  // When positive, each run measures this many calls instead of a duration.
  int64_t max_calls = 0;
};

// Starts every scenario, measures each at every concurrency `repeat` times,
// and returns one row per (concurrency, scenario), concurrency-major, in the
// order given. When `log` is not null, one line per run goes there.
// Returns the start error of the first scenario that fails to start (with
// its name), or INVALID_ARGUMENT for empty or bad options. Calls that fail
// do not make RunMatrix fail: they are counted in the rows.
absl::StatusOr<std::vector<TableRow>> RunMatrix(
    const std::vector<Scenario>& scenarios, const MatrixOptions& options,
    std::ostream* log = nullptr);

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_SCENARIO_H_

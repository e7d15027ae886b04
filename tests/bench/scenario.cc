#include "tests/bench/scenario.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "tests/bench/echo_server.h"

namespace tessera::bench {
namespace {

class EchoInstance final : public ScenarioInstance {
 public:
  EchoInstance(std::unique_ptr<EchoServer> server, size_t payload_bytes)
      : server_(std::move(server)), payload_bytes_(payload_bytes) {}

  std::string target() const override { return server_->target(); }
  CallFn MakeCall(std::shared_ptr<grpc::Channel> channel) override {
    return MakeEchoCall(std::move(channel), payload_bytes_);
  }

 private:
  std::unique_ptr<EchoServer> server_;
  size_t payload_bytes_;
};

}  // namespace

Scenario EchoScenario(size_t payload_bytes) {
  return Scenario{.name = "echo",
                  .start = [payload_bytes]()
                      -> absl::StatusOr<std::unique_ptr<ScenarioInstance>> {
                    ASSIGN_OR_RETURN(std::unique_ptr<EchoServer> server,
                                     EchoServer::Start());
                    return std::make_unique<EchoInstance>(std::move(server),
                                                          payload_bytes);
                  }};
}

absl::StatusOr<std::vector<TableRow>> RunMatrix(
    const std::vector<Scenario>& scenarios, const MatrixOptions& options,
    std::ostream* log) {
  if (scenarios.empty()) return absl::InvalidArgumentError("no scenarios");
  if (options.concurrencies.empty()) {
    return absl::InvalidArgumentError("no concurrency levels");
  }
  if (options.repeat < 1) {
    return absl::InvalidArgumentError("repeat must be at least 1");
  }

  std::vector<std::unique_ptr<ScenarioInstance>> instances;
  for (const Scenario& s : scenarios) {
    if (!s.start) {
      return absl::InvalidArgumentError(
          absl::StrCat("scenario ", s.name, " has no start function"));
    }
    absl::StatusOr<std::unique_ptr<ScenarioInstance>> instance = s.start();
    if (!instance.ok()) {
      return absl::Status(instance.status().code(),
                          absl::StrCat("starting scenario ", s.name, ": ",
                                       instance.status().message()));
    }
    instances.push_back(std::move(instance).value());
  }

  std::vector<TableRow> rows;
  for (int concurrency : options.concurrencies) {
    LoadOptions load;
    load.concurrency = concurrency;
    load.warmup = options.warmup;
    load.duration = options.duration;
    load.max_calls = options.max_calls;
    std::vector<std::vector<LoadResult>> runs(scenarios.size());
    for (int rep = 0; rep < options.repeat; ++rep) {
      for (size_t i = 0; i < scenarios.size(); ++i) {
        ScenarioInstance& instance = *instances[i];
        // Fresh channels per run: connection state from one run must not
        // carry into the next. The warm-up absorbs the connection set-up.
        std::vector<CallFn> calls;
        for (auto& channel : MakeChannels(
                 instance.target(), std::min(options.channels, concurrency),
                 instance.credentials())) {
          calls.push_back(instance.MakeCall(channel));
        }
        ASSIGN_OR_RETURN(LoadResult result, RunLoad(calls, load));
        if (log != nullptr) {
          *log << absl::StrFormat(
              "%s c=%d run %d/%d: %.0f calls/s p50 %.1fus p99 %.1fus "
              "p99.9 %.1fus errors %d\n",
              scenarios[i].name, concurrency, rep + 1, options.repeat,
              result.calls_per_second, absl::ToDoubleMicroseconds(result.p50),
              absl::ToDoubleMicroseconds(result.p99),
              absl::ToDoubleMicroseconds(result.p999), result.error_calls);
          log->flush();
        }
        runs[i].push_back(std::move(result));
      }
    }
    for (size_t i = 0; i < scenarios.size(); ++i) {
      rows.push_back(SummarizeRepeats(scenarios[i].name, concurrency, runs[i]));
    }
  }
  return rows;
}

}  // namespace tessera::bench

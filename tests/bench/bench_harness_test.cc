#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bench/echo_server.h"
#include "tests/bench/load.h"
#include "tests/bench/scenario.h"

namespace tessera::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

void ExpectOrderedPercentiles(const LoadResult& r) {
  EXPECT_GT(r.p50, absl::ZeroDuration());
  EXPECT_LE(r.p50, r.p99);
  EXPECT_LE(r.p99, r.p999);
  EXPECT_LE(r.p999, r.max);
}

std::vector<CallFn> EchoCalls(const EchoServer& server, int channels,
                              absl::Duration deadline = absl::Seconds(30)) {
  std::vector<CallFn> calls;
  for (auto& channel : MakeChannels(server.target(), channels)) {
    calls.push_back(MakeEchoCall(channel, 16, deadline));
  }
  return calls;
}

TEST(EchoServerTest, AnswersOnItsPort) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  EXPECT_GT(server->port(), 0);
  EXPECT_EQ(server->target(), "127.0.0.1:" + std::to_string(server->port()));

  CallFn call = EchoCalls(*server, 1)[0];
  std::promise<grpc::Status> result;
  call([&](const grpc::Status& s) { result.set_value(s); });
  grpc::Status status = result.get_future().get();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(EchoServerTest, RefusesCallsAfterShutdown) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  CallFn call = EchoCalls(*server, 1, absl::Seconds(5))[0];
  server->Shutdown();
  server->Shutdown();  // Idempotent.
  std::promise<grpc::Status> result;
  call([&](const grpc::Status& s) { result.set_value(s); });
  EXPECT_FALSE(result.get_future().get().ok());
}

TEST(RunLoadTest, BoundedEchoRunCountsAddUp) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  LoadOptions options;
  options.concurrency = 4;
  options.warmup = absl::Milliseconds(50);
  options.max_calls = 200;
  ASSERT_OK_AND_ASSIGN(LoadResult r, RunLoad(EchoCalls(*server, 2), options));

  EXPECT_EQ(r.ok_calls, 200);
  EXPECT_EQ(r.error_calls, 0);
  EXPECT_EQ(r.total_calls(), 200);
  EXPECT_FALSE(r.has_errors());
  EXPECT_TRUE(r.errors_by_code.empty());
  EXPECT_EQ(r.latency_samples, 200);
  EXPECT_GT(r.elapsed, absl::ZeroDuration());
  EXPECT_GT(r.calls_per_second, 0);
  ExpectOrderedPercentiles(r);
}

TEST(RunLoadTest, TimedEchoRunMeasuresAtLeastItsDuration) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  LoadOptions options;
  options.concurrency = 3;
  options.warmup = absl::Milliseconds(20);
  options.duration = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(LoadResult r, RunLoad(EchoCalls(*server, 2), options));

  EXPECT_GT(r.ok_calls, 0);
  EXPECT_EQ(r.error_calls, 0);
  EXPECT_EQ(r.latency_samples, r.ok_calls);
  // The measured phase only ends once the duration is over and the calls
  // still outstanding have finished.
  EXPECT_GE(r.elapsed, options.duration);
  ExpectOrderedPercentiles(r);
}

TEST(RunLoadTest, CallsFailingInlineAreCountedAsErrors) {
  std::atomic<int> invoked{0};
  CallFn failing = [&](CallDone done) {
    ++invoked;
    done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "backend down"));
  };
  LoadOptions options;
  options.concurrency = 4;
  options.warmup = absl::ZeroDuration();
  options.max_calls = 100;
  ASSERT_OK_AND_ASSIGN(LoadResult r, RunLoad({failing}, options));

  EXPECT_EQ(invoked.load(), 100);
  EXPECT_EQ(r.ok_calls, 0);
  EXPECT_EQ(r.error_calls, 100);
  EXPECT_TRUE(r.has_errors());
  EXPECT_EQ(r.errors_by_code[grpc::StatusCode::UNAVAILABLE], 100);
  EXPECT_THAT(r.first_error, HasSubstr("backend down"));
  EXPECT_EQ(r.calls_per_second, 0);
  EXPECT_EQ(r.latency_samples, 0);
}

TEST(RunLoadTest, MixedOutcomesAreSplitExactly) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  CallFn echo = EchoCalls(*server, 1)[0];
  std::atomic<int> n{0};
  // Every fifth call fails before reaching the network; the others echo.
  CallFn mixed = [&](CallDone done) {
    if (n.fetch_add(1) % 5 == 0) {
      done(grpc::Status(grpc::StatusCode::ABORTED, "lost a race"));
    } else {
      echo(std::move(done));
    }
  };
  LoadOptions options;
  options.concurrency = 4;
  options.warmup = absl::ZeroDuration();
  options.max_calls = 200;
  ASSERT_OK_AND_ASSIGN(LoadResult r, RunLoad({mixed}, options));

  EXPECT_EQ(r.error_calls, 40);
  EXPECT_EQ(r.ok_calls, 160);
  EXPECT_EQ(r.errors_by_code[grpc::StatusCode::ABORTED], 40);
  EXPECT_EQ(r.latency_samples, 160);
  ExpectOrderedPercentiles(r);
}

TEST(RunLoadTest, ErrorsReportedByGrpcAreCounted) {
  ASSERT_OK_AND_ASSIGN(auto server, EchoServer::Start());
  LoadOptions options;
  options.concurrency = 4;
  options.warmup = absl::ZeroDuration();
  options.max_calls = 50;
  // A deadline that has passed before the call starts: gRPC fails each call
  // asynchronously, through the same callback as a real reply.
  ASSERT_OK_AND_ASSIGN(
      LoadResult r, RunLoad(EchoCalls(*server, 2, absl::Seconds(-1)), options));

  EXPECT_EQ(r.error_calls, 50);
  EXPECT_EQ(r.ok_calls, 0);
  EXPECT_EQ(r.errors_by_code[grpc::StatusCode::DEADLINE_EXCEEDED], 50);
}

TEST(RunLoadTest, RejectsBadOptions) {
  CallFn ok = [](CallDone done) { done(grpc::Status::OK); };
  LoadOptions options;
  options.max_calls = 10;
  EXPECT_THAT(RunLoad({}, options),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RunLoad({CallFn()}, options),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  options.concurrency = 0;
  EXPECT_THAT(RunLoad({ok}, options),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  options.concurrency = 1;
  options.max_calls = 0;
  options.duration = absl::ZeroDuration();
  EXPECT_THAT(RunLoad({ok}, options),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LatencySamplesTest, NearestRankPercentiles) {
  LatencySamples samples;
  // Added out of order, 1..1000 microseconds.
  for (int i = 1000; i >= 1; --i) samples.Add(absl::Microseconds(i));
  EXPECT_EQ(samples.count(), 1000);
  EXPECT_EQ(samples.Percentile(0.5), absl::Microseconds(500));
  EXPECT_EQ(samples.Percentile(0.99), absl::Microseconds(990));
  EXPECT_EQ(samples.Percentile(0.999), absl::Microseconds(999));
  EXPECT_EQ(samples.Percentile(1.0), absl::Microseconds(1000));

  LatencySamples more;
  more.Add(absl::Microseconds(5000));
  samples.Merge(more);
  EXPECT_EQ(samples.Percentile(1.0), absl::Microseconds(5000));
  EXPECT_EQ(LatencySamples().Percentile(0.5), absl::ZeroDuration());
}

LoadResult Result(double cps, int p99_us, int64_t errors) {
  LoadResult r;
  r.calls_per_second = cps;
  r.p50 = absl::Microseconds(p99_us / 2);
  r.p99 = absl::Microseconds(p99_us);
  r.p999 = absl::Microseconds(p99_us * 2);
  r.error_calls = errors;
  if (errors > 0) r.first_error = "code 14: gone";
  return r;
}

TEST(TableTest, RepeatsAreSummarisedByMedianAndErrorsSummed) {
  TableRow row = SummarizeRepeats(
      "echo", 8,
      {Result(1000, 300, 0), Result(3000, 100, 2), Result(2000, 200, 1)});
  EXPECT_EQ(row.scenario, "echo");
  EXPECT_EQ(row.concurrency, 8);
  EXPECT_EQ(row.repeats, 3);
  EXPECT_EQ(row.calls_per_second, 2000);
  EXPECT_EQ(row.p99, absl::Microseconds(200));
  EXPECT_EQ(row.errors, 3);
  EXPECT_EQ(row.first_error, "code 14: gone");
}

TEST(TableTest, RatioIsAgainstTheBaselineAtTheSameConcurrency) {
  std::vector<TableRow> rows = {
      SummarizeRepeats("echo", 1, {Result(1000, 100, 0)}),
      SummarizeRepeats("whoami", 1, {Result(500, 200, 0)}),
      SummarizeRepeats("echo", 8, {Result(4000, 100, 0)}),
      SummarizeRepeats("whoami", 8, {Result(1000, 200, 3)}),
  };
  std::string table = FormatTable(rows, "echo");
  EXPECT_THAT(table, HasSubstr("x echo"));
  std::vector<std::string> lines = absl::StrSplit(table, '\n');
  ASSERT_GE(lines.size(), 5u);
  EXPECT_THAT(lines[1], HasSubstr("1.00"));
  EXPECT_THAT(lines[2], HasSubstr("0.50"));
  EXPECT_THAT(lines[3], HasSubstr("1.00"));
  EXPECT_THAT(lines[4], HasSubstr("0.25"));
  // The row with errors is flagged and its first error shown.
  EXPECT_THAT(lines[4], HasSubstr("whoami!"));
  EXPECT_THAT(lines[2], ::testing::Not(HasSubstr("!")));
  EXPECT_THAT(table, HasSubstr("whoami at 8: code 14: gone"));
  // Without a baseline row there is no ratio.
  EXPECT_THAT(FormatTable(rows, "nothing"), ::testing::Not(HasSubstr("0.50")));
}

TEST(RunMatrixTest, MeasuresEveryScenarioAtEveryConcurrency) {
  MatrixOptions options;
  options.concurrencies = {1, 4};
  options.repeat = 2;
  options.channels = 2;
  options.warmup = absl::ZeroDuration();
  options.max_calls = 50;
  ASSERT_OK_AND_ASSIGN(std::vector<TableRow> rows,
                       RunMatrix({EchoScenario(), EchoScenario(64)}, options));
  ASSERT_THAT(rows, SizeIs(4));
  EXPECT_EQ(rows[0].concurrency, 1);
  EXPECT_EQ(rows[2].concurrency, 4);
  for (const TableRow& row : rows) {
    EXPECT_EQ(row.scenario, "echo");
    EXPECT_EQ(row.repeats, 2);
    EXPECT_EQ(row.errors, 0);
    EXPECT_GT(row.calls_per_second, 0);
    EXPECT_LE(row.p50, row.p99);
    EXPECT_LE(row.p99, row.p999);
  }
}

TEST(RunMatrixTest, ScenarioThatCannotStartNamesItself) {
  Scenario broken{
      .name = "broken",
      .start = []() -> absl::StatusOr<std::unique_ptr<ScenarioInstance>> {
        return absl::FailedPreconditionError("no data dir");
      }};
  MatrixOptions options;
  options.max_calls = 10;
  EXPECT_THAT(RunMatrix({EchoScenario(), broken}, options),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("broken")));
}

}  // namespace
}  // namespace tessera::bench

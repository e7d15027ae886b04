// tessera_bench: measures every registered scenario against the bare echo
// baseline in one run and prints the table (stdout) and per-run lines
// (stderr). Exits 0 when every call succeeded, 1 when some failed (the table
// flags those rows), 2 on bad flags or a scenario that cannot start.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "tests/bench/claim_scenario.h"
#include "tests/bench/load.h"
#include "tests/bench/scenario.h"
#include "tests/bench/translation_scenario.h"
#include "tests/bench/whoami_scenario.h"

ABSL_FLAG(absl::Duration, duration, absl::Seconds(2),
          "Measured time per run (one scenario at one concurrency).");
ABSL_FLAG(absl::Duration, warmup, absl::Milliseconds(500),
          "Unmeasured time before each run.");
ABSL_FLAG(std::vector<std::string>, concurrency,
          std::vector<std::string>({"1", "8", "64"}),
          "Comma-separated numbers of outstanding calls to measure at.");
ABSL_FLAG(int, repeat, 3,
          "Runs per point; the table shows the median of each metric.");
ABSL_FLAG(int, channels, 4, "Maximum channels (HTTP/2 connections) per run.");
ABSL_FLAG(std::vector<std::string>, scenarios, {},
          "Comma-separated scenarios to run (default: all). The baseline "
          "always runs.");
ABSL_FLAG(std::string, baseline, "echo",
          "Scenario whose throughput the ratio column divides by.");

namespace tessera::bench {
namespace {

// Every scenario the binary knows, baseline first. Add new ones here.
std::vector<Scenario> AllScenarios() {
  std::vector<Scenario> scenarios;
  scenarios.push_back(EchoScenario());
  scenarios.push_back(WhoAmIScenario());
  scenarios.push_back(RocksDbSyncScenario());
  scenarios.push_back(TranslationSubmitScenario());
  scenarios.push_back(TranslationApproveScenario());
  scenarios.push_back(ClaimScenario(10));
  scenarios.push_back(ClaimScenario(50));
  scenarios.push_back(ClaimScenario(90));
  return scenarios;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures Tessera gRPC scenarios against a bare echo server.\n"
      "Example: tessera_bench --duration=2s --concurrency=1,8,64 --repeat=3");
  // --help lists flags from files named after the program by default; ours
  // live in bench_main.cc.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "bench_main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);

  MatrixOptions options;
  options.duration = absl::GetFlag(FLAGS_duration);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.repeat = absl::GetFlag(FLAGS_repeat);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.concurrencies.clear();
  for (const std::string& c : absl::GetFlag(FLAGS_concurrency)) {
    int n = 0;
    if (!absl::SimpleAtoi(c, &n) || n < 1) {
      std::cerr << "--concurrency: not a positive integer: " << c << "\n";
      return 2;
    }
    options.concurrencies.push_back(n);
  }

  const std::string baseline = absl::GetFlag(FLAGS_baseline);
  const std::vector<std::string> wanted_list = absl::GetFlag(FLAGS_scenarios);
  std::set<std::string> wanted(wanted_list.begin(), wanted_list.end());
  std::vector<Scenario> scenarios;
  std::set<std::string> known;
  for (Scenario& s : AllScenarios()) {
    known.insert(s.name);
    if (wanted.empty() || wanted.count(s.name) > 0 || s.name == baseline) {
      scenarios.push_back(std::move(s));
    }
  }
  for (const std::string& w : wanted) {
    if (known.count(w) == 0) {
      std::cerr << "--scenarios: unknown scenario " << w
                << "; known: " << absl::StrJoin(known, ",") << "\n";
      return 2;
    }
  }
  if (known.count(baseline) == 0) {
    std::cerr << "--baseline: unknown scenario " << baseline << "\n";
    return 2;
  }

  absl::StatusOr<std::vector<TableRow>> rows =
      RunMatrix(scenarios, options, &std::cerr);
  if (!rows.ok()) {
    std::cerr << "tessera_bench: " << rows.status() << "\n";
    return 2;
  }
  std::cout << FormatTable(*rows, baseline) << std::flush;
  for (const TableRow& row : *rows) {
    if (row.errors > 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) { return tessera::bench::Main(argc, argv); }

// A translation workflow through a real in-process server for the power
// loss and I/O error tests: one lane per target language, each run by one
// thread, cycling its segments through Submit, Approve, Reject and Reopen
// and remembering every change the server acknowledged. Verify() re-reads
// everything after a restart. Test-only.
#ifndef TESSERA_TESTS_CRASH_WORKFLOW_H_
#define TESSERA_TESTS_CRASH_WORKFLOW_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "server/tesserad.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {

class Workflow {
 public:
  Workflow(std::function<void(ServerOptions&)> tweak, uint64_t seed);

  // Starts the server, creates users and a statement. Fatal on failure.
  void SetUp();

  int lanes() const { return static_cast<int>(lanes_.size()); }
  TestServer& server() { return *server_; }

  // One change in `lane`. False when the call failed; last_status(lane)
  // says how. A call that failed with a code other than UNAVAILABLE,
  // DEADLINE_EXCEEDED, INTERNAL or CANCELLED is a test failure.
  bool Step(int lane);
  const grpc::Status& last_status(int lane) const {
    return lanes_[lane].last;
  }

  // Re-reads every segment: acknowledged changes present with their
  // content, the change in flight present whole or absent, histories
  // contiguous, progress counters equal to a recount. Call with no Step
  // running.
  void Verify();

  int64_t acknowledged() const { return acknowledged_; }
  int64_t landed() const { return landed_; }

 private:
  struct Seg {
    int64_t version = 0;
    int state = 0;
    std::string text;
  };
  struct Lane {
    std::string language;
    std::vector<std::string> names;
    std::map<std::string, Seg> model;
    std::optional<std::pair<std::string, Seg>> inflight;
    size_t next = 0;
    std::mt19937 rng;
    grpc::Status last;
  };

  std::function<void(ServerOptions&)> tweak_;
  uint64_t seed_;
  std::unique_ptr<TestServer> server_;
  std::string ca_, cb_;
  std::string statement_;
  std::vector<Lane> lanes_;
  int64_t acknowledged_ = 0;
  int64_t landed_ = 0;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_CRASH_WORKFLOW_H_

// The WhoAmI scenario: an authenticated unary read against a real tesserad
// (in-process, fresh RocksDB in a temp directory, synced store). It measures
// the cost of the whole read path: HTTP/2, token hashing and lookup, the
// method table, one user read and the response.
#ifndef TESSERA_TESTS_BENCH_WHOAMI_SCENARIO_H_
#define TESSERA_TESTS_BENCH_WHOAMI_SCENARIO_H_

#include "tests/bench/scenario.h"

namespace tessera::bench {

// Named "whoami".
Scenario WhoAmIScenario();

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_WHOAMI_SCENARIO_H_

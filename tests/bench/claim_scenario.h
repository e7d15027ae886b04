// Benchmark scenarios for AssignmentService.ClaimNext on one language of a
// statement of 10,000 segments with open claiming, the first 10%, 50% or
// 90% of them already translated ("claim-10%", "claim-50%", "claim-90%").
// Each call is one ClaimNext by a claimer that skips its current segment
// (exclude_segments), so the call releases one lease and takes the next
// free segment in one commit; every outstanding call is a distinct
// translator. Comparing the three rows shows whether a claim costs more as
// more of the document is done.
//
// Thread safety: as ScenarioInstance.
#ifndef TESSERA_TESTS_BENCH_CLAIM_SCENARIO_H_
#define TESSERA_TESTS_BENCH_CLAIM_SCENARIO_H_

#include "tests/bench/scenario.h"

namespace tessera::bench {

// `percent_done` of the segments translated before measuring.
Scenario ClaimScenario(int percent_done);

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_CLAIM_SCENARIO_H_

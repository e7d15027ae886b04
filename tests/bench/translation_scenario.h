// Benchmark scenarios for the TranslationService write path, with the raw
// storage floor they are compared against:
//   - "translation-submit": Submit on a pool of segments (translated →
//     translated), each call one compare-and-set commit with its history
//     entry, counters and feed event, fsynced;
//   - "translation-approve": Approve on segments submitted beforehand; once
//     every one is approved, the call for a segment is a Reopen instead, so
//     the rows measure review transitions (Approve, then Approve/Reopen);
//   - "rocksdb-sync": one synced RocksDB Put of a translation-sized value
//     per call, from as many threads as calls outstanding: the cost of
//     durability alone, with RocksDB's group commit.
// Each call takes a segment no other outstanding call holds, so the
// scenarios measure throughput, not conflicts. The translator and reviewer
// are assigned the whole language, so each call also passes the
// AssignmentService's segment rule.
//
// Thread safety: as ScenarioInstance.
#ifndef TESSERA_TESTS_BENCH_TRANSLATION_SCENARIO_H_
#define TESSERA_TESTS_BENCH_TRANSLATION_SCENARIO_H_

#include "tests/bench/scenario.h"

namespace tessera::bench {

Scenario TranslationSubmitScenario();
Scenario TranslationApproveScenario();
Scenario RocksDbSyncScenario();

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_TRANSLATION_SCENARIO_H_

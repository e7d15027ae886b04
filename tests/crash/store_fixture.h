// A workload over storage::Store for the power-loss and I/O-error tests:
// writers that each own some records and commit, per change, the record
// (compare-and-set on its version), a counter and a change-feed event, and
// remember every commit the Store acknowledged. Verify() checks a reopened
// store against what was acknowledged. Test-only.
#ifndef TESSERA_TESTS_CRASH_STORE_FIXTURE_H_
#define TESSERA_TESTS_CRASH_STORE_FIXTURE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/store.h"

namespace tessera::testing {

inline constexpr storage::ColumnFamily kRecCf =
    storage::ColumnFamily::kMemory;
inline constexpr uint8_t kRecFormat = 0x01;

// The payload of `key` at `version`: long enough to span WAL blocks, and
// derived from both so that a torn or stale value cannot pass for it.
inline std::string PayloadOf(const std::string& key, uint64_t version) {
  std::string out;
  for (int i = 0; i < 40; ++i) absl::StrAppend(&out, key, "@", version, ";");
  return out;
}

inline std::string CounterKeyOf(int writer) {
  return absl::StrCat("\x02", "count/", writer);
}

// What one writer knows: each key's acknowledged version, and the commit in
// flight when the lights went out, if any.
struct WriterLedger {
  int index = 0;
  std::map<std::string, uint64_t> acked;  // key -> version
  std::map<uint64_t, std::string> events;  // acknowledged seq -> payload
  std::optional<std::pair<std::string, uint64_t>> inflight;
  int64_t commits = 0;
};

// One change by writer `w` on its key `i`. Returns the Commit status.
inline absl::Status CommitOne(storage::Store& store, WriterLedger& w, int i) {
  std::string key = absl::StrCat("\x01", "w", w.index, "/k", i);
  uint64_t v = w.acked.count(key) ? w.acked[key] : 0;
  storage::WriteSet ws;
  ws.ExpectVersion(kRecCf, key, v);
  ws.Put(kRecCf, key, storage::EncodeRecord(kRecFormat, v + 1,
                                            PayloadOf(key, v + 1)));
  ws.AddCounter(kRecCf, CounterKeyOf(w.index), 1);
  ws.AppendEvent("test.put", absl::StrCat(key, "@", v + 1));
  w.inflight = {key, v + 1};
  auto r = store.Commit(std::move(ws));
  if (!r.ok()) return r.status();
  w.inflight.reset();
  w.acked[key] = v + 1;
  w.events[r->event_seqs.at(0)] = absl::StrCat(key, "@", v + 1);
  ++w.commits;
  return absl::OkStatus();
}

// Checks a reopened store: every acknowledged version is there, whole; the
// in-flight commit is there whole or not at all; the counter equals the
// recount (every commit added one and moved one key up one version); every
// acknowledged event is in the feed. Adopts a landed in-flight commit.
inline void VerifyLedger(storage::Store& store, WriterLedger& w,
                         const std::string& when) {
  SCOPED_TRACE(absl::StrCat(when, " writer ", w.index));
  int64_t recount = 0;
  std::map<std::string, uint64_t> keys = w.acked;
  if (w.inflight && !keys.count(w.inflight->first)) {
    keys[w.inflight->first] = 0;
  }
  for (auto& [key, acked] : keys) {
    auto got = store.Get(kRecCf, key);
    ASSERT_TRUE(got.ok()) << got.status();
    uint64_t version = 0;
    if (got->has_value()) {
      auto rec = storage::DecodeRecord(**got);
      ASSERT_TRUE(rec.ok()) << rec.status();
      version = rec->version;
      ASSERT_EQ(rec->payload, PayloadOf(key, version))
          << key << " v" << version << " is not whole";
    }
    bool landed = w.inflight && w.inflight->first == key &&
                  version == w.inflight->second;
    ASSERT_TRUE(version == acked || landed)
        << key << " is at version " << version << ", acknowledged " << acked
        << (w.inflight && w.inflight->first == key
                ? absl::StrCat(", in flight ", w.inflight->second)
                : "");
    if (landed) {
      w.acked[key] = version;
      ++w.commits;
    }
    recount += static_cast<int64_t>(version);
  }
  w.inflight.reset();
  auto counter = store.GetCounter(kRecCf, CounterKeyOf(w.index));
  ASSERT_TRUE(counter.ok()) << counter.status();
  EXPECT_EQ(*counter, recount) << "counter differs from the recount";
  for (const auto& [seq, payload] : w.events) {
    auto evs = store.ReadFeed(seq - 1, 1);
    ASSERT_TRUE(evs.ok()) << evs.status();
    ASSERT_FALSE(evs->empty()) << "acknowledged event " << seq << " lost";
    ASSERT_EQ((*evs)[0].seq, seq) << "acknowledged event " << seq << " lost";
    ASSERT_EQ((*evs)[0].payload, payload) << "event " << seq << " altered";
  }
}

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_CRASH_STORE_FIXTURE_H_

// Power loss, which SIGKILL does not simulate: the page cache dies with the
// machine. FaultFs drops everything that was not synced; the store and the
// server must come back with every acknowledged write.
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "storage/store.h"
#include "tests/crash/fault_fs.h"
#include "tests/crash/store_fixture.h"
#include "tests/crash/workflow.h"

namespace tessera::testing {
namespace {

uint64_t Seed() {
  const char* s = getenv("TESSERA_SEED");
  return s != nullptr ? std::stoull(s) : std::random_device()();
}

TEST(PowerLossTest, StoreKeepsEveryAcknowledgedCommitAcrossPowerCuts) {
  const uint64_t seed = Seed();
  SCOPED_TRACE(absl::StrCat("seed ", seed, " (TESSERA_SEED reproduces)"));
  std::mt19937_64 rng(seed);
  TempDir dir;
  FaultFs fs;
  std::unique_ptr<rocksdb::Env> env = fs.NewEnv();
  storage::StoreOptions options;
  options.path = dir.Sub("db");
  options.env = env.get();
  options.block_cache_bytes = size_t{1} << 20;

  constexpr int kWriters = 4;
  constexpr int kCuts = 40;
  std::vector<WriterLedger> ledgers(kWriters);
  for (int i = 0; i < kWriters; ++i) ledgers[i].index = i;
  int64_t checked = 0, landed = 0, dropped_files = 0;
  for (int cut = 0; cut < kCuts; ++cut) {
    SCOPED_TRACE(absl::StrCat("cut ", cut));
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (auto& w : ledgers) {
      int64_t before = w.commits;
      bool had_inflight = w.inflight.has_value();
      VerifyLedger(**store, w, "after reopen");
      if (HasFatalFailure()) return;
      landed += (had_inflight && w.commits > before) ? 1 : 0;
      checked += static_cast<int64_t>(w.acked.size() + w.events.size());
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t, s = rng()] {
        std::mt19937 r(static_cast<uint32_t>(s));
        while (!stop.load()) {
          if (!CommitOne(**store, ledgers[t], static_cast<int>(r() % 6))
                   .ok()) {
            return;  // the power is off
          }
        }
      });
    }
    if (cut % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40000));
    } else {
      // The lights go out with a commit written but not yet synced.
      fs.CutPowerAtSync(1 + static_cast<int>(rng() % 200));
      for (int i = 0; i < 400 && !stop.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    fs.SetActive(false);
    fs.ClearFaults();
    stop = true;
    for (auto& th : threads) th.join();
    store->reset();
    dropped_files += fs.DropUnsynced();
    fs.SetActive(true);
  }
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  int64_t commits = 0;
  for (auto& w : ledgers) {
    VerifyLedger(**store, w, "at the end");
    commits += w.commits;
  }
  // The workload did work and the cuts did drop unsynced data, or the test
  // proves nothing.
  EXPECT_GT(commits, kCuts * 4);
  EXPECT_GT(dropped_files, 0);
  std::printf(
      "power_loss_test: seed %llu, %d cuts, %lld commits acknowledged, %lld "
      "checks, %lld in-flight commits landed, %lld files truncated or "
      "removed\n",
      static_cast<unsigned long long>(seed), kCuts,
      static_cast<long long>(commits), static_cast<long long>(checked),
      static_cast<long long>(landed), static_cast<long long>(dropped_files));
}

TEST(PowerLossTest, ServerKeepsEveryAcknowledgedWorkflowChange) {
  const uint64_t seed = Seed();
  SCOPED_TRACE(absl::StrCat("seed ", seed, " (TESSERA_SEED reproduces)"));
  std::mt19937_64 rng(seed);
  FaultFs fs;
  std::unique_ptr<rocksdb::Env> env = fs.NewEnv();
  bool cut = false;
  auto tweak = [&](ServerOptions& o) {
    o.env = env.get();
    o.drain_timeout = absl::Milliseconds(200);
    if (cut) {
      // The server is down; the machine comes back without its cache.
      fs.DropUnsynced();
      fs.SetActive(true);
      cut = false;
    }
  };
  Workflow wf(tweak, seed);
  ASSERT_NO_FATAL_FAILURE(wf.SetUp());
  constexpr int kCuts = 12;
  for (int i = 0; i < kCuts; ++i) {
    SCOPED_TRACE(absl::StrCat("cut ", i));
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int lane = 0; lane < wf.lanes(); ++lane) {
      threads.emplace_back([&, lane] {
        while (!stop.load() && wf.Step(lane)) {
        }
      });
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(20 + rng() % 200));
    fs.SetActive(false);
    stop = true;
    for (auto& t : threads) t.join();
    cut = true;
    wf.server().Restart(tweak);
    ASSERT_NO_FATAL_FAILURE(wf.Verify());
  }
  EXPECT_GT(wf.acknowledged(), kCuts);
  std::printf(
      "power_loss_test (server): seed %llu, %d cuts, %lld workflow changes "
      "acknowledged and re-read, %lld in flight landed\n",
      static_cast<unsigned long long>(seed), kCuts,
      static_cast<long long>(wf.acknowledged()),
      static_cast<long long>(wf.landed()));
}

}  // namespace
}  // namespace tessera::testing

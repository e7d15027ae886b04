// I/O errors at the Nth write, sync or read: the call fails with
// UNAVAILABLE, the process stays up, the store serves again once the fault
// clears, and after a reopen every acknowledged write is there and the
// counters agree with a recount.
#include <chrono>
#include <memory>
#include <random>
#include <thread>

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

storage::StoreOptions Options(const TempDir& dir, rocksdb::Env* env) {
  storage::StoreOptions o;
  o.path = dir.Sub("db");
  o.env = env;
  // Tiny cache, so that reads after a reopen reach the files.
  o.block_cache_bytes = 1024;
  return o;
}

class StoreFaultTest : public ::testing::TestWithParam<FaultFs::Op> {};

// A failed log write or sync stops RocksDB's writes for good (it cannot
// tell what reached the disk), so every later commit answers UNAVAILABLE
// while reads go on; a reopen brings writes back with nothing lost and the
// failed commit either absent or whole.
TEST_P(StoreFaultTest, LogFaultFailsCommitsUntilReopenAndLosesNothing) {
  TempDir dir;
  FaultFs fs;
  auto env = fs.NewEnv();
  WriterLedger w;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    auto store = storage::Store::Open(Options(dir, env.get()));
    ASSERT_TRUE(store.ok()) << store.status();
    VerifyLedger(**store, w, "after reopen");
    if (HasFatalFailure()) return;
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(CommitOne(**store, w, i % 5).ok());
    }
    fs.FailAt(GetParam(), 1 + round, /*sticky=*/false);
    const int key = round % 5;
    absl::Status failed;
    for (int i = 0; i < 5 && failed.ok(); ++i) failed = CommitOne(**store, w, key);
    EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
    EXPECT_EQ(fs.injected(), round + 1);
    fs.ClearFaults();
    // Reads are still served, and show nothing of the failed commit.
    for (const auto& [k, version] : w.acked) {
      auto got = (*store)->Get(kRecCf, k);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ(storage::DecodeRecord(**got)->version, version) << k;
    }
    // Later commits of the same change fail cleanly, never otherwise.
    absl::Status later = CommitOne(**store, w, key);
    EXPECT_TRUE(later.ok() || absl::IsUnavailable(later)) << later;
  }
  auto store = storage::Store::Open(Options(dir, env.get()));
  ASSERT_TRUE(store.ok()) << store.status();
  VerifyLedger(**store, w, "at the end");
  EXPECT_GE(w.commits, 60);
}

TEST_P(StoreFaultTest, PowerCutAfterFaultKeepsAcknowledgedCommits) {
  TempDir dir;
  FaultFs fs;
  auto env = fs.NewEnv();
  WriterLedger w;
  {
    auto store = storage::Store::Open(Options(dir, env.get()));
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < 30; ++i) {
      if (i == 15) fs.FailAt(GetParam(), 1, /*sticky=*/true);
      (void)CommitOne(**store, w, i % 4);
    }
    fs.SetActive(false);
  }
  fs.ClearFaults();
  fs.DropUnsynced();
  fs.SetActive(true);
  auto store = storage::Store::Open(Options(dir, env.get()));
  ASSERT_TRUE(store.ok()) << store.status();
  VerifyLedger(**store, w, "after the cut");
  EXPECT_GE(w.commits, 15);
}

INSTANTIATE_TEST_SUITE_P(WriteAndSync, StoreFaultTest,
                         ::testing::Values(FaultFs::Op::kWrite,
                                           FaultFs::Op::kSync));

TEST(IoErrorInjectionTest, ReadErrorsAnswerUnavailableAndNeverWrongData) {
  TempDir dir;
  FaultFs fs;
  auto env = fs.NewEnv();
  WriterLedger w;
  {
    auto store = storage::Store::Open(Options(dir, env.get()));
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(CommitOne(**store, w, i % 50).ok());
  }
  // The reopen flushes the recovered log into table files.
  auto store = storage::Store::Open(Options(dir, env.get()));
  ASSERT_TRUE(store.ok()) << store.status();
  fs.FailAt(FaultFs::Op::kRead, 1, /*sticky=*/true);
  int unavailable = 0;
  for (const auto& [key, version] : w.acked) {
    auto got = (*store)->Get(kRecCf, key);
    if (!got.ok()) {
      EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
      ++unavailable;
      continue;
    }
    // Whatever a read returns while the disk fails is right.
    ASSERT_TRUE(got->has_value()) << key << " reads as absent";
    auto rec = storage::DecodeRecord(**got);
    ASSERT_TRUE(rec.ok());
    EXPECT_EQ(rec->version, version);
    EXPECT_EQ(rec->payload, PayloadOf(key, version));
  }
  EXPECT_GT(unavailable, 0) << "no read reached the disk";
  fs.ClearFaults();
  VerifyLedger(**store, w, "after the read fault");
}

TEST(IoErrorInjectionTest, ServerAnswersUnavailableStaysUpAndReopens) {
  FaultFs fs;
  auto env = fs.NewEnv();
  auto tweak = [&](ServerOptions& o) { o.env = env.get(); };
  Workflow wf(tweak, 11);
  ASSERT_NO_FATAL_FAILURE(wf.SetUp());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(wf.Step(i % 2));
  for (FaultFs::Op op : {FaultFs::Op::kSync, FaultFs::Op::kWrite}) {
    SCOPED_TRACE(static_cast<int>(op));
    fs.FailAt(op, 1, /*sticky=*/false);
    EXPECT_FALSE(wf.Step(0));
    EXPECT_EQ(wf.last_status(0).error_code(), grpc::StatusCode::UNAVAILABLE)
        << wf.last_status(0).error_message();
    fs.ClearFaults();
    // The process is up: reads are served and match what was acknowledged,
    // and a retried change fails cleanly (the store takes no writes until
    // it is reopened).
    ASSERT_NO_FATAL_FAILURE(wf.Verify());
    if (!wf.Step(0)) {
      EXPECT_EQ(wf.last_status(0).error_code(), grpc::StatusCode::UNAVAILABLE)
          << wf.last_status(0).error_message();
    }
    wf.server().Restart(tweak);
    ASSERT_NO_FATAL_FAILURE(wf.Verify());
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(wf.Step(i % 2));
  }
  wf.server().Restart(tweak);
  ASSERT_NO_FATAL_FAILURE(wf.Verify());
}

}  // namespace
}  // namespace tessera::testing

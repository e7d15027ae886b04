#include "storage/store.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "storage/key_codec.h"

namespace tessera::storage {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

std::unique_ptr<Store> OpenOrDie(const std::string& path,
                                 rocksdb::Env* env = nullptr) {
  StoreOptions options;
  options.path = path;
  options.env = env;
  auto store = Store::Open(options);
  EXPECT_OK(store);
  return store.ok() ? std::move(store).value() : nullptr;
}

std::optional<std::string> GetOrDie(Store& store, ColumnFamily cf,
                                    const std::string& key) {
  auto v = store.Get(cf, key);
  EXPECT_OK(v);
  return v.ok() ? *v : std::nullopt;
}

uint64_t VersionOf(Store& store, ColumnFamily cf, const std::string& key) {
  auto v = GetOrDie(store, cf, key);
  if (!v.has_value()) return 0;
  auto r = DecodeRecord(*v);
  EXPECT_OK(r);
  return r.ok() ? r->version : 0;
}

TEST(StoreTest, CommitIsReadableAndSurvivesReopen) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path());
    WriteSet w;
    w.ExpectVersion(ColumnFamily::kStatements, "s1", 0);
    w.Put(ColumnFamily::kStatements, "s1", EncodeRecord(1, 1, "hello"));
    w.AddCounter(ColumnFamily::kTranslations, "count", 3);
    w.AppendEvent("statement.created", "s1");
    ASSERT_OK_AND_ASSIGN(CommitResult r, store->Commit(std::move(w)));
    EXPECT_EQ(r.event_seqs, std::vector<uint64_t>{1});
  }
  auto store = OpenOrDie(dir.path());
  auto v = GetOrDie(*store, ColumnFamily::kStatements, "s1");
  ASSERT_TRUE(v.has_value());
  ASSERT_OK_AND_ASSIGN(Record rec, DecodeRecord(*v));
  EXPECT_EQ(rec.version, 1u);
  EXPECT_EQ(rec.payload, "hello");
  EXPECT_EQ(*store->GetCounter(ColumnFamily::kTranslations, "count"), 3);
  ASSERT_OK_AND_ASSIGN(auto events, store->ReadFeed(0, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "statement.created");
  // Sequence numbers continue after a reopen rather than restarting.
  WriteSet w;
  w.AppendEvent("x", "");
  ASSERT_OK_AND_ASSIGN(CommitResult r2, store->Commit(std::move(w)));
  EXPECT_EQ(r2.event_seqs, std::vector<uint64_t>{2});
}

TEST(StoreTest, ColumnFamiliesAreSeparateNamespaces) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  WriteSet w;
  w.Put(ColumnFamily::kIdentity, "k", EncodeRecord(1, 1, "identity"));
  w.Put(ColumnFamily::kMemory, "k", EncodeRecord(1, 1, "memory"));
  ASSERT_OK(store->Commit(std::move(w)));
  EXPECT_EQ(
      DecodeRecord(*GetOrDie(*store, ColumnFamily::kIdentity, "k"))->payload,
      "identity");
  EXPECT_EQ(
      DecodeRecord(*GetOrDie(*store, ColumnFamily::kMemory, "k"))->payload,
      "memory");
  EXPECT_FALSE(GetOrDie(*store, ColumnFamily::kStatements, "k").has_value());
}

TEST(StoreTest, FailedPreconditionWritesNothingOfTheBatch) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  WriteSet first;
  first.Put(ColumnFamily::kTranslations, "seg", EncodeRecord(1, 1, "v1"));
  ASSERT_OK(store->Commit(std::move(first)));

  WriteSet stale;
  stale.ExpectVersion(ColumnFamily::kTranslations, "seg", 0);  // It is 1.
  stale.Put(ColumnFamily::kTranslations, "seg", EncodeRecord(1, 2, "lost"));
  stale.Put(ColumnFamily::kTranslations, "index", EncodeRecord(1, 1, "i"));
  stale.AddCounter(ColumnFamily::kTranslations, "n", 1);
  stale.AppendEvent("translation.submitted", "seg");
  EXPECT_THAT(store->Commit(std::move(stale)),
              StatusIs(absl::StatusCode::kAborted));

  EXPECT_EQ(VersionOf(*store, ColumnFamily::kTranslations, "seg"), 1u);
  EXPECT_FALSE(
      GetOrDie(*store, ColumnFamily::kTranslations, "index").has_value());
  EXPECT_EQ(*store->GetCounter(ColumnFamily::kTranslations, "n"), 0);
  EXPECT_EQ(store->LastVisibleFeedSeq(), 0u);
  EXPECT_TRUE(store->ReadFeed(0, 10)->empty());
}

// Fails every write to the write-ahead log once armed, as a full or broken
// disk would.
class FailingWalFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingWalFs(std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "FailingWalFs"; }

  std::atomic<bool> armed{false};

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewWritableFile(fname, opts, result, dbg);
    if (s.ok() && fname.size() > 4 &&
        fname.compare(fname.size() - 4, 4, ".log") == 0) {
      *result = std::make_unique<File>(std::move(*result), &armed);
    }
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, std::atomic<bool>* armed)
        : FSWritableFileOwnerWrapper(std::move(f)), armed_(armed) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (*armed_) return rocksdb::IOStatus::IOError("injected WAL failure");
      return FSWritableFileOwnerWrapper::Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (*armed_) return rocksdb::IOStatus::IOError("injected WAL failure");
      return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
    }

   private:
    std::atomic<bool>* armed_;
  };
};

TEST(StoreTest, BatchThatFailsOnDiskLeavesNothingAfterReopen) {
  TempDir dir;
  auto fs = std::make_shared<FailingWalFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  {
    auto store = OpenOrDie(dir.path(), env.get());
    WriteSet ok;
    ok.Put(ColumnFamily::kStatements, "kept", EncodeRecord(1, 1, "x"));
    ok.AppendEvent("kept", "");
    ASSERT_OK(store->Commit(std::move(ok)));

    fs->armed = true;
    WriteSet doomed;
    doomed.Put(ColumnFamily::kStatements, "a", EncodeRecord(1, 1, "a"));
    doomed.Put(ColumnFamily::kAssignments, "b", EncodeRecord(1, 1, "b"));
    doomed.AddCounter(ColumnFamily::kStatements, "n", 5);
    doomed.AppendEvent("doomed", "");
    auto result = store->Commit(std::move(doomed));
    EXPECT_FALSE(result.ok());
    // Nothing of the failed batch is visible, not even its event.
    EXPECT_FALSE(GetOrDie(*store, ColumnFamily::kStatements, "a").has_value());
    EXPECT_EQ(store->ReadFeed(0, 10)->size(), 1u);
    fs->armed = false;
  }
  auto store = OpenOrDie(dir.path());
  EXPECT_TRUE(GetOrDie(*store, ColumnFamily::kStatements, "kept").has_value());
  EXPECT_FALSE(GetOrDie(*store, ColumnFamily::kStatements, "a").has_value());
  EXPECT_FALSE(GetOrDie(*store, ColumnFamily::kAssignments, "b").has_value());
  EXPECT_EQ(*store->GetCounter(ColumnFamily::kStatements, "n"), 0);
  ASSERT_OK_AND_ASSIGN(auto events, store->ReadFeed(0, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "kept");
}

// Many threads increment one versioned record by read-modify-write with
// compare-and-set, retrying on ABORTED. Every acknowledged increment must
// be there exactly once, and every aborted one must have left no trace.
TEST(StoreTest, CompareAndSetUnderThreadsLosesNoUpdate) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  constexpr int kThreads = 8;
  constexpr int kIncrementsPerThread = 40;
  std::atomic<int> aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrementsPerThread;) {
        uint64_t seen = VersionOf(*store, ColumnFamily::kTranslations, "rec");
        WriteSet w;
        w.ExpectVersion(ColumnFamily::kTranslations, "rec", seen);
        w.Put(ColumnFamily::kTranslations, "rec",
              EncodeRecord(1, seen + 1, absl::StrCat("t", t)));
        w.AddCounter(ColumnFamily::kTranslations, "acks", 1);
        w.AppendEvent("inc", absl::StrCat(seen + 1));
        auto r = store->Commit(std::move(w));
        if (r.ok()) {
          ++i;
        } else {
          EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
          ++aborted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr int kTotal = kThreads * kIncrementsPerThread;
  EXPECT_EQ(VersionOf(*store, ColumnFamily::kTranslations, "rec"),
            static_cast<uint64_t>(kTotal));
  EXPECT_EQ(*store->GetCounter(ColumnFamily::kTranslations, "acks"), kTotal);
  ASSERT_OK_AND_ASSIGN(auto events, store->ReadFeed(0, kTotal + 10));
  ASSERT_EQ(events.size(), static_cast<size_t>(kTotal));
  // The feed order is the commit order of the versions: 1, 2, 3, ...
  for (int i = 0; i < kTotal; ++i) {
    EXPECT_EQ(events[i].payload, absl::StrCat(i + 1));
  }
  // With 8 threads on one key, conflicts are expected to have happened;
  // this is what makes the assertions above meaningful.
  EXPECT_GT(aborted.load(), 0);
}

// Writers append events concurrently while a follower tails the feed from
// a cursor: it must see every acknowledged event once, in strictly
// increasing order, and a second follower resuming from a mid-point cursor
// must see exactly the remainder.
TEST(StoreTest, FeedFollowerSeesEveryEventInOrderAndResumes) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 50;
  constexpr int kTotal = kWriters * kPerWriter;
  absl::Mutex mu;
  std::set<uint64_t> acked;
  std::vector<uint64_t> seen;
  std::thread follower([&] {
    uint64_t cursor = 0;
    absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (seen.size() < static_cast<size_t>(kTotal) &&
           absl::Now() < deadline) {
      store->WaitForFeed(cursor, absl::Now() + absl::Milliseconds(100));
      auto events = store->ReadFeed(cursor, 16);
      ASSERT_OK(events);
      for (const auto& e : *events) {
        ASSERT_GT(e.seq, cursor);
        cursor = e.seq;
        seen.push_back(e.seq);
      }
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        WriteSet ws;
        ws.Put(ColumnFamily::kTranslations, absl::StrCat("w", w, "-", i),
               EncodeRecord(1, 1, ""));
        ws.AppendEvent("e", absl::StrCat(w, "-", i));
        auto r = store->Commit(std::move(ws));
        ASSERT_OK(r);
        absl::MutexLock lock(&mu);
        acked.insert(r->event_seqs[0]);
      }
    });
  }
  for (auto& t : writers) t.join();
  follower.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(std::set<uint64_t>(seen.begin(), seen.end()), acked);

  // Resume from the middle.
  uint64_t cursor = seen[kTotal / 2 - 1];
  std::vector<uint64_t> rest;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto events, store->ReadFeed(cursor, 7));
    if (events.empty()) break;
    for (const auto& e : events) rest.push_back(e.seq);
    cursor = events.back().seq;
  }
  EXPECT_EQ(rest, std::vector<uint64_t>(seen.begin() + kTotal / 2, seen.end()));
}

TEST(StoreTest, WaitForFeedReturnsOnWakeForShutdown) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  std::thread waiter([&] {
    EXPECT_FALSE(store->WaitForFeed(0, absl::Now() + absl::Seconds(60)));
  });
  absl::SleepFor(absl::Milliseconds(20));
  store->WakeFeedWaiters();
  waiter.join();
}

TEST(StoreTest, ScanIsOrderedAndBounded) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  WriteSet w;
  for (uint64_t stmt : {1, 2, 3}) {
    for (uint64_t seg : {30, 10, 20}) {
      w.Put(ColumnFamily::kStatements,
            KeyBuilder(0x10).U64(stmt).U64(seg).Build(),
            EncodeRecord(1, 1, absl::StrCat(stmt, ":", seg)));
    }
  }
  ASSERT_OK(store->Commit(std::move(w)));
  std::string prefix = KeyBuilder(0x10).U64(2).Build();
  std::vector<std::string> got;
  ASSERT_OK(store->Scan(ColumnFamily::kStatements, prefix,
                        PrefixSuccessor(prefix),
                        [&](std::string_view, std::string_view v) {
                          got.push_back(DecodeRecord(v)->payload);
                          return true;
                        }));
  EXPECT_EQ(got, (std::vector<std::string>{"2:10", "2:20", "2:30"}));
}

TEST(StoreTest, CheckpointRestoresAConsistentCopy) {
  TempDir dir;
  auto store = OpenOrDie(dir.Sub("live"));
  WriteSet w;
  w.Put(ColumnFamily::kPublications, "p", EncodeRecord(1, 1, "doc"));
  w.AppendEvent("publication.created", "p");
  ASSERT_OK(store->Commit(std::move(w)));
  ASSERT_OK(store->Checkpoint(dir.Sub("backup")));
  WriteSet later;
  later.Put(ColumnFamily::kPublications, "q", EncodeRecord(1, 1, "after"));
  ASSERT_OK(store->Commit(std::move(later)));

  auto restored = OpenOrDie(dir.Sub("backup"));
  EXPECT_TRUE(
      GetOrDie(*restored, ColumnFamily::kPublications, "p").has_value());
  EXPECT_FALSE(
      GetOrDie(*restored, ColumnFamily::kPublications, "q").has_value());
  EXPECT_EQ(restored->LastVisibleFeedSeq(), 1u);
}

TEST(StoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  StoreOptions options;
  options.path = dir.path();
  EXPECT_THAT(Store::Open(options), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(StoreTest, CorruptRecordIsAnError) {
  EXPECT_THAT(DecodeRecord("short"), StatusIs(absl::StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(Record r, DecodeRecord(EncodeRecord(7, 99, "p")));
  EXPECT_EQ(r.format, 7);
  EXPECT_EQ(r.version, 99u);
}

}  // namespace
}  // namespace tessera::storage

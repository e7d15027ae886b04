#include "storage/feed_consumer.h"

#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "storage/key_codec.h"

namespace tessera::storage {
namespace {

using ::tessera::testing::TempDir;

std::unique_ptr<Store> Open(const std::string& path) {
  StoreOptions options;
  options.path = path;
  auto store = Store::Open(options);
  EXPECT_OK(store);
  return store.ok() ? std::move(store).value() : nullptr;
}

void Append(Store& store, const std::string& type, const std::string& payload) {
  WriteSet w;
  w.AppendEvent(type, payload);
  ASSERT_OK(store.Commit(std::move(w)));
}

const std::string kCursorKey = KeyBuilder(0x7F).U64(0).Build();

TEST(FeedConsumerTest, ResumesAfterTheSavedCursorAcrossReopen) {
  TempDir dir;
  std::vector<std::string> seen;
  auto handler =
      [&](const std::vector<FeedEvent>& events) -> absl::StatusOr<bool> {
    for (const auto& e : events) seen.push_back(e.payload);
    return true;  // every batch "wrote", so the cursor is saved each time
  };
  {
    auto store = Open(dir.path());
    Append(*store, "t", "a");
    Append(*store, "t", "b");
    FeedConsumer consumer(store.get(), ColumnFamily::kTranslations, kCursorKey,
                          "test", handler);
    ASSERT_OK(consumer.CatchUp());
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
    ASSERT_OK(consumer.CatchUp());  // nothing new
    EXPECT_EQ(seen.size(), 2u);
    Append(*store, "t", "c");
  }
  seen.clear();
  auto store = Open(dir.path());
  FeedConsumer consumer(store.get(), ColumnFamily::kTranslations, kCursorKey,
                        "test", handler);
  ASSERT_OK(consumer.CatchUp());
  // Only the event after the saved cursor is handed over again.
  EXPECT_EQ(seen, (std::vector<std::string>{"c"}));
}

TEST(FeedConsumerTest, AFailedBatchIsHandedOverAgain) {
  TempDir dir;
  auto store = Open(dir.path());
  Append(*store, "t", "a");
  int calls = 0;
  bool fail = true;
  std::vector<std::string> seen;
  FeedConsumer consumer(
      store.get(), ColumnFamily::kTranslations, kCursorKey, "test",
      [&](const std::vector<FeedEvent>& events) -> absl::StatusOr<bool> {
        ++calls;
        if (fail) return absl::UnavailableError("busy");
        for (const auto& e : events) seen.push_back(e.payload);
        return false;
      });
  EXPECT_FALSE(consumer.CatchUp().ok());
  fail = false;
  ASSERT_OK(consumer.CatchUp());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"a"}));
}

TEST(FeedConsumerTest, BackgroundThreadFollowsNewEvents) {
  TempDir dir;
  auto store = Open(dir.path());
  absl::Mutex mu;
  std::vector<std::string> seen;
  FeedConsumer consumer(
      store.get(), ColumnFamily::kTranslations, kCursorKey, "test",
      [&](const std::vector<FeedEvent>& events) -> absl::StatusOr<bool> {
        absl::MutexLock lock(&mu);
        for (const auto& e : events) seen.push_back(e.payload);
        return false;
      });
  consumer.Start();
  Append(*store, "t", "x");
  {
    absl::MutexLock lock(&mu);
    // Waits on the condition, not on time; the test's own timeout bounds it.
    mu.Await(absl::Condition(
        +[](std::vector<std::string>* v) { return !v->empty(); }, &seen));
    EXPECT_EQ(seen, (std::vector<std::string>{"x"}));
  }
  consumer.Stop();
  consumer.Stop();  // idempotent
}

}  // namespace
}  // namespace tessera::storage

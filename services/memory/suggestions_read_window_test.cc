// GetSuggestions reads a segment through SourceReader::CurrentSegment:
// the segment and its two neighbours, by key, however long the statement
// (finding: every call read the whole statement's sources). The store
// below counts what the statement column family hands out.
#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_memory.h"
#include "storage/store.h"

namespace tessera::memory {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

// Forwards to a real store and counts the statement records read.
class CountingStore final : public storage::Store {
 public:
  explicit CountingStore(std::unique_ptr<storage::Store> inner)
      : inner_(std::move(inner)) {}
  int64_t reads() const { return reads_; }

  absl::StatusOr<storage::CommitResult> Commit(
      storage::WriteSet writes) override {
    return inner_->Commit(std::move(writes));
  }
  absl::StatusOr<std::optional<std::string>> Get(
      storage::ColumnFamily cf, std::string_view key) const override {
    if (cf == storage::ColumnFamily::kStatements) ++reads_;
    return inner_->Get(cf, key);
  }
  absl::Status Scan(storage::ColumnFamily cf, std::string_view begin,
                    std::string_view end,
                    const std::function<bool(std::string_view,
                                             std::string_view)>& fn)
      const override {
    return inner_->Scan(cf, begin, end,
                        [&](std::string_view k, std::string_view v) {
                          if (cf == storage::ColumnFamily::kStatements) {
                            ++reads_;
                          }
                          return fn(k, v);
                        });
  }
  absl::StatusOr<int64_t> GetCounter(storage::ColumnFamily cf,
                                     std::string_view key) const override {
    return inner_->GetCounter(cf, key);
  }
  absl::StatusOr<std::vector<storage::FeedEvent>> ReadFeed(
      uint64_t after, size_t max) const override {
    return inner_->ReadFeed(after, max);
  }
  bool WaitForFeed(uint64_t after, absl::Time deadline) const override {
    return inner_->WaitForFeed(after, deadline);
  }
  uint64_t LastVisibleFeedSeq() const override {
    return inner_->LastVisibleFeedSeq();
  }
  void WakeFeedWaiters() override { inner_->WakeFeedWaiters(); }
  absl::Status Checkpoint(const std::string& dir) override {
    return inner_->Checkpoint(dir);
  }

 private:
  std::unique_ptr<storage::Store> inner_;
  mutable std::atomic<int64_t> reads_{0};
};

TEST(SuggestionsReadWindowTest, CurrentSegmentReadsTheSegmentAndItsNeighbours) {
  TempDir dir;
  FakeClock clock;
  storage::StoreOptions so;
  so.path = dir.Sub("db");
  so.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto real, storage::Store::Open(so));
  CountingStore store(std::move(real));
  statement::StatementCore core(&store, &clock, RandomSource::Secure());
  statement::StatementReaderForMemory reader(&core);

  constexpr int kSegments = 3000;
  statement::CreateParams p;
  p.title = "Long";
  p.format = formats::Format::kPlainText;
  for (int i = 1; i <= kSegments; ++i) {
    p.source += "Sentence number " + std::to_string(i) + " is here.\n\n";
  }
  p.source_language = "en";
  p.target_languages = {"fr", "de"};
  const Principal admin{"root", "", {{Role::kAdmin, {}}}};
  ASSERT_OK_AND_ASSIGN(statement::Statement s, core.CreateStatement(admin, p));

  // The whole statement, once, for the segment ids (and as a control: the
  // counter sees every segment record).
  const int64_t before_all = store.reads();
  ASSERT_OK_AND_ASSIGN(StatementSources all,
                       reader.CurrentSources(s.statement_id));
  ASSERT_EQ(all.segments.size(), static_cast<size_t>(kSegments));
  EXPECT_GE(store.reads() - before_all, kSegments);

  for (int at : {0, kSegments / 2, kSegments - 1}) {
    SCOPED_TRACE(at);
    const int64_t before = store.reads();
    ASSERT_OK_AND_ASSIGN(
        SegmentWindow w,
        reader.CurrentSegment(s.statement_id, all.segments[at].id));
    EXPECT_LE(store.reads() - before, 8);
    EXPECT_EQ(w.source_language, "en");
    EXPECT_EQ(std::set<std::string>(w.target_languages.begin(),
                                    w.target_languages.end()),
              (std::set<std::string>{"de", "fr"}));
    EXPECT_EQ(w.segment.id, all.segments[at].id);
    EXPECT_EQ(w.segment.content, all.segments[at].content);
    EXPECT_EQ(w.previous.has_value(), at > 0);
    if (at > 0) {
      EXPECT_EQ(*w.previous, all.segments[at - 1].content);
    }
    EXPECT_EQ(w.next.has_value(), at + 1 < kSegments);
    if (at + 1 < kSegments) {
      EXPECT_EQ(*w.next, all.segments[at + 1].content);
    }
  }
  EXPECT_THAT(reader.CurrentSegment(s.statement_id, "nope"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reader.CurrentSegment("missing", all.segments[0].id),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace tessera::memory

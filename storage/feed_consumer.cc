#include "storage/feed_consumer.h"

#include <cstdio>
#include <utility>

#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/key_codec.h"

namespace tessera::storage {
namespace {

constexpr char kCursorFormat = 0x01;
constexpr size_t kBatch = 512;
// Events read without a change before the cursor is saved anyway.
constexpr uint64_t kSaveEvery = 4096;

}  // namespace

FeedConsumer::FeedConsumer(Store* store, ColumnFamily cf,
                           std::string cursor_key, std::string name,
                           Handler handler)
    : FeedConsumer(store, store, cf, std::move(cursor_key), std::move(name),
                   std::move(handler)) {}

FeedConsumer::FeedConsumer(Store* store, const FeedSource* feed,
                           ColumnFamily cf, std::string cursor_key,
                           std::string name, Handler handler)
    : store_(store),
      feed_(feed),
      cf_(cf),
      cursor_key_(std::move(cursor_key)),
      name_(std::move(name)),
      handler_(std::move(handler)) {}

FeedConsumer::~FeedConsumer() { Stop(); }

absl::Status FeedConsumer::LoadCursor() {
  ASSIGN_OR_RETURN(auto value, store_->Get(cf_, cursor_key_));
  cursor_ = 0;
  cursor_version_ = 0;
  if (value.has_value()) {
    ASSIGN_OR_RETURN(Record r, DecodeRecord(*value));
    std::string_view p = r.payload;
    if (r.format != kCursorFormat || !GetFixed64BE(&p, &cursor_)) {
      return absl::DataLossError(StrCat("corrupt ", name_, " feed cursor"));
    }
    cursor_version_ = r.version;
  }
  persisted_cursor_ = cursor_;
  cursor_loaded_ = true;
  return absl::OkStatus();
}

absl::Status FeedConsumer::CatchUp() {
  absl::MutexLock lock(&mu_);
  if (!cursor_loaded_) RETURN_IF_ERROR(LoadCursor());
  bool changed = false;
  while (store_->LastVisibleFeedSeq() > cursor_) {
    ASSIGN_OR_RETURN(std::vector<FeedEvent> events,
                     feed_->ReadFeed(cursor_, kBatch));
    if (events.empty()) break;
    ASSIGN_OR_RETURN(bool wrote, handler_(events));
    changed = changed || wrote;
    cursor_ = events.back().seq;
  }
  if (cursor_ > persisted_cursor_ &&
      (changed || cursor_ - persisted_cursor_ > kSaveEvery)) {
    WriteSet w;
    std::string payload;
    PutFixed64BE(&payload, cursor_);
    w.ExpectVersion(cf_, cursor_key_, cursor_version_);
    w.Put(cf_, cursor_key_,
          EncodeRecord(kCursorFormat, cursor_version_ + 1, payload));
    auto committed = store_->Commit(std::move(w));
    if (committed.ok()) {
      ++cursor_version_;
      persisted_cursor_ = cursor_;
    } else {
      // Another writer moved the cursor: read it again next time.
      cursor_loaded_ = false;
      if (!absl::IsAborted(committed.status())) return committed.status();
    }
  }
  return absl::OkStatus();
}

void FeedConsumer::Start() {
  if (background_.joinable()) return;
  stop_ = false;
  background_ = std::thread([this] {
    while (!stop_) {
      absl::Status s = CatchUp();
      if (!s.ok()) {
        LogError(name_, s);
      }
      uint64_t after;
      {
        absl::MutexLock lock(&mu_);
        after = cursor_;
      }
      // The timeout bounds how long Stop() waits and retries errors.
      feed_->WaitForFeed(after, absl::Now() + absl::Milliseconds(200));
    }
  });
}

void FeedConsumer::Stop() {
  stop_ = true;
  if (background_.joinable()) background_.join();
}

}  // namespace tessera::storage

#include "storage/store.h"

#include <algorithm>
#include <array>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "storage/key_codec.h"
#include "storage/status_convert.h"

namespace tessera::storage {
namespace {

constexpr std::array<std::string_view, kNumColumnFamilies> kCfNames = {
    "default",     "identity",     "statements", "translations",
    "assignments", "publications", "memory",     "feed"};

// Value format bytes owned by the Store itself (see FORMAT.md).
constexpr uint8_t kCounterFormat = 0x01;
constexpr uint8_t kFeedEventFormat = 0x01;
constexpr uint8_t kSchemaFormat = 0x01;
constexpr uint32_t kSchemaVersion = 1;

// Key kinds in the meta and feed column families.
constexpr uint8_t kMetaSchemaKind = 0x01;
constexpr uint8_t kFeedEventKind = 0x01;

// Column families whose keys start with [kind][u64 statement id]: a fixed
// 9-byte prefix lets per-statement scans use prefix bloom filters.
constexpr size_t kStatementPrefixLen = 9;
bool UsesStatementPrefix(ColumnFamily cf) {
  return cf == ColumnFamily::kStatements || cf == ColumnFamily::kTranslations ||
         cf == ColumnFamily::kAssignments || cf == ColumnFamily::kPublications;
}

constexpr int kNumStripes = 256;

std::string EncodeCounter(int64_t v) {
  std::string out(1, static_cast<char>(kCounterFormat));
  PutFixed64BE(&out, static_cast<uint64_t>(v));
  return out;
}

bool DecodeCounter(std::string_view in, int64_t* v) {
  if (in.size() != 9 || static_cast<uint8_t>(in[0]) != kCounterFormat) {
    return false;
  }
  in.remove_prefix(1);
  uint64_t u;
  if (!GetFixed64BE(&in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

// Adds 64-bit counters; the operands carry the same encoding as values.
class AddOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/,
             const rocksdb::Slice* existing_value, const rocksdb::Slice& value,
             std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    int64_t base = 0;
    if (existing_value != nullptr &&
        !DecodeCounter(existing_value->ToStringView(), &base)) {
      return false;
    }
    int64_t delta;
    if (!DecodeCounter(value.ToStringView(), &delta)) return false;
    *new_value = EncodeCounter(base + delta);
    return true;
  }
  const char* Name() const override { return "tessera.Add64"; }
};

std::string FeedKey(uint64_t seq) {
  return KeyBuilder(kFeedEventKind).U64(seq).Build();
}

std::string EncodeFeedValue(absl::Time time, std::string_view type,
                            std::string_view payload) {
  std::string out(1, static_cast<char>(kFeedEventFormat));
  PutFixed64BE(&out, static_cast<uint64_t>(absl::ToUnixMicros(time)));
  out.append(KeyBuilder(0).String(type).key().substr(1));
  out.append(payload);
  return out;
}

absl::StatusOr<FeedEvent> DecodeFeed(std::string_view key,
                                     std::string_view value) {
  FeedEvent ev;
  KeyReader kr(key);
  uint8_t kind;
  uint64_t micros;
  if (!kr.Kind(&kind) || kind != kFeedEventKind || !kr.U64(&ev.seq) ||
      value.empty() || static_cast<uint8_t>(value[0]) != kFeedEventFormat) {
    return absl::InternalError("corrupt feed event");
  }
  value.remove_prefix(1);
  if (!GetFixed64BE(&value, &micros)) {
    return absl::InternalError("corrupt feed event");
  }
  KeyReader vr(value);
  if (!vr.String(&ev.type)) return absl::InternalError("corrupt feed event");
  ev.time = absl::FromUnixMicros(static_cast<int64_t>(micros));
  ev.payload = std::string(vr.Rest());
  return ev;
}

class RocksStore final : public Store {
 public:
  RocksStore(const StoreOptions& options, rocksdb::DB* db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : options_(options), db_(db), handles_(std::move(handles)) {}

  ~RocksStore() override {
    WakeFeedWaiters();
    for (auto* h : handles_) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  absl::Status Init() {
    // Schema version check, then find the last feed sequence.
    std::string schema_key = KeyBuilder(kMetaSchemaKind).Raw("schema").Build();
    ASSIGN_OR_RETURN(auto current, Get(ColumnFamily::kMeta, schema_key));
    if (!current.has_value()) {
      std::string v(1, static_cast<char>(kSchemaFormat));
      PutFixed64BE(&v, kSchemaVersion);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      RETURN_IF_ERROR(
          ToAbsl(db_->Put(wo, Handle(ColumnFamily::kMeta), schema_key, v)));
    } else {
      std::string_view v = *current;
      uint64_t version = 0;
      if (v.empty() || static_cast<uint8_t>(v[0]) != kSchemaFormat ||
          (v.remove_prefix(1), !GetFixed64BE(&v, &version)) ||
          version != kSchemaVersion) {
        return absl::FailedPreconditionError(absl::StrCat(
            "data directory has schema version ", version,
            "; this tesserad understands version ", kSchemaVersion));
      }
    }
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Handle(ColumnFamily::kFeed)));
    it->SeekToLast();
    uint64_t last = 0;
    if (it->Valid()) {
      KeyReader kr(it->key().ToStringView());
      uint8_t kind;
      if (!kr.Kind(&kind) || !kr.U64(&last)) {
        return absl::InternalError("corrupt feed key");
      }
    }
    RETURN_IF_ERROR(ToAbsl(it->status()));
    absl::MutexLock lock(&feed_mu_);
    next_seq_ = last + 1;
    visible_seq_ = last;
    return absl::OkStatus();
  }

  absl::StatusOr<CommitResult> Commit(WriteSet writes) override {
    // Lock the stripes of every guarded key, in index order so that two
    // commits never wait on each other in a cycle.
    std::vector<int> stripes;
    stripes.reserve(writes.checks().size());
    for (const auto& c : writes.checks()) {
      stripes.push_back(StripeOf(c.cf, c.key));
    }
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    for (int s : stripes) stripe_mu_[s].Lock();
    absl::StatusOr<CommitResult> result = CommitLocked(writes);
    for (auto it = stripes.rbegin(); it != stripes.rend(); ++it) {
      stripe_mu_[*it].Unlock();
    }
    return result;
  }

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, std::string_view key) const override {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), Handle(cf), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(ToAbsl(s));
    return std::optional<std::string>(std::move(value));
  }

  absl::Status Scan(
      ColumnFamily cf, std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view, std::string_view)>& fn)
      const override {
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    // Use the prefix bloom filters only where they cannot hide keys.
    ro.auto_prefix_mode = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(cf)));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid();
         it->Next()) {
      if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
    }
    return ToAbsl(it->status());
  }

  absl::StatusOr<int64_t> GetCounter(ColumnFamily cf,
                                     std::string_view key) const override {
    ASSIGN_OR_RETURN(auto value, Get(cf, key));
    if (!value.has_value()) return 0;
    int64_t v;
    if (!DecodeCounter(*value, &v)) {
      return absl::InternalError("corrupt counter");
    }
    return v;
  }

  absl::StatusOr<std::vector<FeedEvent>> ReadFeed(uint64_t after,
                                                  size_t max) const override {
    std::vector<FeedEvent> events;
    uint64_t visible = LastVisibleFeedSeq();
    if (after >= visible || max == 0) return events;
    std::string begin = FeedKey(after + 1);
    std::string end = FeedKey(visible + 1);
    absl::Status decode_status;
    RETURN_IF_ERROR(Scan(ColumnFamily::kFeed, begin, end,
                         [&](std::string_view k, std::string_view v) {
                           auto ev = DecodeFeed(k, v);
                           if (!ev.ok()) {
                             decode_status = ev.status();
                             return false;
                           }
                           events.push_back(*std::move(ev));
                           return events.size() < max;
                         }));
    RETURN_IF_ERROR(decode_status);
    return events;
  }

  bool WaitForFeed(uint64_t after, absl::Time deadline) const override {
    absl::MutexLock lock(&feed_mu_);
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(feed_mu_) {
      return visible_seq_ > after || waking_;
    };
    while (!ready()) {
      if (feed_cv_.WaitWithDeadline(&feed_mu_, deadline)) break;
    }
    return visible_seq_ > after;
  }

  void WakeFeedWaiters() override {
    absl::MutexLock lock(&feed_mu_);
    waking_ = true;
    feed_cv_.SignalAll();
  }

  uint64_t LastVisibleFeedSeq() const override {
    absl::MutexLock lock(&feed_mu_);
    return visible_seq_;
  }

  absl::Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    RETURN_IF_ERROR(ToAbsl(rocksdb::Checkpoint::Create(db_, &raw)));
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    return ToAbsl(cp->CreateCheckpoint(dir));
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(ColumnFamily cf) const {
    return handles_[static_cast<size_t>(cf)];
  }

  static int StripeOf(ColumnFamily cf, std::string_view key) {
    return static_cast<int>(absl::HashOf(static_cast<int>(cf), key) %
                            kNumStripes);
  }

  absl::StatusOr<CommitResult> CommitLocked(const WriteSet& writes) {
    for (const auto& c : writes.checks()) {
      ASSIGN_OR_RETURN(auto current, Get(c.cf, c.key));
      uint64_t version = 0;
      if (current.has_value()) {
        ASSIGN_OR_RETURN(Record r, DecodeRecord(*current));
        version = r.version;
      }
      if (version != c.version) {
        return absl::AbortedError(
            absl::StrCat("version conflict: expected version ", c.version,
                         ", current version is ", version));
      }
    }

    rocksdb::WriteBatch batch;
    for (const auto& op : writes.ops()) {
      rocksdb::Status s;
      switch (op.type) {
        case WriteSet::OpType::kPut:
          s = batch.Put(Handle(op.cf), op.key, op.value);
          break;
        case WriteSet::OpType::kDelete:
          s = batch.Delete(Handle(op.cf), op.key);
          break;
        case WriteSet::OpType::kAdd:
          s = batch.Merge(Handle(op.cf), op.key, op.value);
          break;
      }
      RETURN_IF_ERROR(ToAbsl(s));
    }

    CommitResult result;
    if (!writes.events().empty()) {
      absl::Time now = options_.clock->Now();
      {
        absl::MutexLock lock(&feed_mu_);
        for (size_t i = 0; i < writes.events().size(); ++i) {
          uint64_t seq = next_seq_++;
          in_flight_.insert(seq);
          result.event_seqs.push_back(seq);
        }
      }
      for (size_t i = 0; i < writes.events().size(); ++i) {
        rocksdb::Status s = batch.Put(
            Handle(ColumnFamily::kFeed), FeedKey(result.event_seqs[i]),
            EncodeFeedValue(now, writes.events()[i].first,
                            writes.events()[i].second));
        if (!s.ok()) {
          Settle(result.event_seqs);
          return ToAbsl(s);
        }
      }
    }

    rocksdb::WriteOptions wo;
    wo.sync = options_.sync_writes;
    rocksdb::Status s = db_->Write(wo, &batch);
    // Failed or not, these sequence numbers are settled: a failed write
    // leaves a gap, which readers skip.
    Settle(result.event_seqs);
    RETURN_IF_ERROR(ToAbsl(s));
    return result;
  }

  void Settle(const std::vector<uint64_t>& seqs) {
    if (seqs.empty()) return;
    absl::MutexLock lock(&feed_mu_);
    for (uint64_t seq : seqs) in_flight_.erase(seq);
    uint64_t visible =
        in_flight_.empty() ? next_seq_ - 1 : *in_flight_.begin() - 1;
    if (visible > visible_seq_) {
      visible_seq_ = visible;
      feed_cv_.SignalAll();
    }
  }

  const StoreOptions options_;
  rocksdb::DB* const db_;
  const std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  std::array<absl::Mutex, kNumStripes> stripe_mu_;

  mutable absl::Mutex feed_mu_;
  mutable absl::CondVar feed_cv_;
  uint64_t next_seq_ ABSL_GUARDED_BY(feed_mu_) = 1;
  uint64_t visible_seq_ ABSL_GUARDED_BY(feed_mu_) = 0;
  std::set<uint64_t> in_flight_ ABSL_GUARDED_BY(feed_mu_);
  bool waking_ ABSL_GUARDED_BY(feed_mu_) = false;
};

rocksdb::ColumnFamilyOptions CfOptions(
    ColumnFamily cf, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.level_compaction_dynamic_level_bytes = true;
  o.write_buffer_size = size_t{16} << 20;
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  o.merge_operator = std::make_shared<AddOperator>();
  if (UsesStatementPrefix(cf)) {
    o.prefix_extractor.reset(
        rocksdb::NewFixedPrefixTransform(kStatementPrefixLen));
    o.memtable_prefix_bloom_size_ratio = 0.05;
  }
  return o;
}

}  // namespace

std::string_view ColumnFamilyName(ColumnFamily cf) {
  return kCfNames[static_cast<size_t>(cf)];
}

std::string EncodeRecord(uint8_t format, uint64_t version,
                         std::string_view payload) {
  std::string out;
  out.reserve(9 + payload.size());
  out.push_back(static_cast<char>(format));
  PutFixed64BE(&out, version);
  out.append(payload);
  return out;
}

absl::StatusOr<Record> DecodeRecord(std::string_view value) {
  Record r;
  if (value.size() < 9) return absl::InternalError("corrupt record");
  r.format = static_cast<uint8_t>(value[0]);
  value.remove_prefix(1);
  GetFixed64BE(&value, &r.version);
  r.payload = std::string(value);
  return r;
}

void WriteSet::Put(ColumnFamily cf, std::string_view key,
                   std::string_view value) {
  ops_.push_back({OpType::kPut, cf, std::string(key), std::string(value)});
}

void WriteSet::Delete(ColumnFamily cf, std::string_view key) {
  ops_.push_back({OpType::kDelete, cf, std::string(key), {}});
}

void WriteSet::AddCounter(ColumnFamily cf, std::string_view key,
                          int64_t delta) {
  ops_.push_back({OpType::kAdd, cf, std::string(key), EncodeCounter(delta)});
}

void WriteSet::ExpectVersion(ColumnFamily cf, std::string_view key,
                             uint64_t version) {
  checks_.push_back({cf, std::string(key), version});
}

void WriteSet::AppendEvent(std::string_view type, std::string_view payload) {
  events_.emplace_back(std::string(type), std::string(payload));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const StoreOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("store path is empty");
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = size_t{1} << 20;
  db_options.max_open_files = 512;
  db_options.keep_log_file_num = 5;
  if (options.env != nullptr) db_options.env = options.env;

  // Open every column family on disk, plus any registered one not yet
  // created; unknown ones (from a newer version) are opened with defaults.
  std::vector<std::string> existing;
  rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(
      rocksdb::DBOptions(db_options), options.path, &existing);
  (void)ls;  // A new database has none yet.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kNumColumnFamilies; ++i) {
    auto cf = static_cast<ColumnFamily>(i);
    descriptors.emplace_back(std::string(ColumnFamilyName(cf)),
                             CfOptions(cf, cache));
  }
  for (const auto& name : existing) {
    if (std::find(kCfNames.begin(), kCfNames.end(), name) == kCfNames.end()) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &db);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::UnavailableError(absl::StrCat(
          "data directory ", options.path, " is in use by another process"));
    }
    return ToAbsl(s);
  }
  // Keep only the registered handles, indexed by enum value.
  for (size_t i = kNumColumnFamilies; i < handles.size(); ++i) {
    db->DestroyColumnFamilyHandle(handles[i]).PermitUncheckedError();
  }
  handles.resize(kNumColumnFamilies);
  auto store = std::make_unique<RocksStore>(options, db, std::move(handles));
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tessera::storage

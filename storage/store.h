// storage::Store: Tessera's one embedded RocksDB database.
//
// A Store is opened once per process and shared by every service; each
// service owns its column families (see ColumnFamily) and never touches
// another's. All state changes go through Commit(), which applies one
// WriteSet atomically and durably: the records, their indexes, their
// counters and their change-feed events land together, after the WAL has
// been fsynced, or nothing lands at all.
//
// Concurrency: compare-and-set preconditions on record versions detect lost
// updates; the loser gets ABORTED and nothing of its WriteSet is written.
// No lock is ever held across an RPC: Commit takes short per-key stripe
// locks only while it checks versions and writes.
//
// Thread safety: every method is safe to call from any thread. The Store
// must outlive every FeedReader and iterator made from it.
#ifndef TESSERA_STORAGE_STORE_H_
#define TESSERA_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "storage/feed_source.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace tessera::storage {

// Column families. Numbers are stored nowhere, but names are: never rename.
enum class ColumnFamily : uint8_t {
  kMeta = 0,  // RocksDB's "default": schema version and store-wide facts.
  kIdentity,
  kStatements,
  kTranslations,
  kAssignments,
  kPublications,
  kMemory,
  kFeed,
};
inline constexpr int kNumColumnFamilies = 8;

// The registered RocksDB name of `cf`.
std::string_view ColumnFamilyName(ColumnFamily cf);

struct StoreOptions {
  // Directory of the database; created when missing.
  std::string path;
  // One LRU block cache shared by every column family.
  size_t block_cache_bytes = size_t{64} << 20;
  // fsync the WAL before Commit returns. Only benchmarks turn this off.
  bool sync_writes = true;
  // Time source for feed events. Not owned; must outlive the Store.
  Clock* clock = Clock::Real();
  // RocksDB environment seam for fault-injection tests. Not owned.
  rocksdb::Env* env = nullptr;
};

// A record value: [format byte][version, u64 big-endian][payload]. Every
// value that is guarded by compare-and-set uses this envelope.
struct Record {
  uint8_t format = 0;
  uint64_t version = 0;
  std::string payload;
};
std::string EncodeRecord(uint8_t format, uint64_t version,
                         std::string_view payload);
// INTERNAL ("corrupt record") if `value` is shorter than the envelope.
absl::StatusOr<Record> DecodeRecord(std::string_view value);

// Everything one state change writes. Built by a service core, handed to
// Store::Commit. Not thread-safe.
class WriteSet {
 public:
  // Writes `value` (which must start with its format byte) at `key`.
  void Put(ColumnFamily cf, std::string_view key, std::string_view value);
  void Delete(ColumnFamily cf, std::string_view key);
  // Adds `delta` to the 64-bit counter at `key` (absent counts as 0), with a
  // merge, so concurrent increments never conflict.
  void AddCounter(ColumnFamily cf, std::string_view key, int64_t delta);
  // Commit fails with ABORTED unless the record at `key` currently has
  // `version` (0 means "must not exist").
  void ExpectVersion(ColumnFamily cf, std::string_view key, uint64_t version);
  // Appends a change-feed event; its sequence number is assigned at commit.
  void AppendEvent(std::string_view type, std::string_view payload);

  bool empty() const { return ops_.empty() && events_.empty(); }

  // Read access for the Store implementation.
  enum class OpType { kPut, kDelete, kAdd };
  struct Op {
    OpType type;
    ColumnFamily cf;
    std::string key;
    std::string value;
  };
  struct Check {
    ColumnFamily cf;
    std::string key;
    uint64_t version;
  };
  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Check>& checks() const { return checks_; }
  const std::vector<std::pair<std::string, std::string>>& events() const {
    return events_;
  }

 private:
  std::vector<Op> ops_;
  std::vector<Check> checks_;
  std::vector<std::pair<std::string, std::string>> events_;
};

struct CommitResult {
  // Sequence numbers given to the WriteSet's events, in append order.
  std::vector<uint64_t> event_seqs;
};

class Store : public FeedSource {
 public:
  // Opens (creating if needed) the database at options.path with every
  // registered column family. FAILED_PRECONDITION if the data was written by
  // an incompatible schema version; UNAVAILABLE if another process holds it.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);

  virtual ~Store() = default;

  // Applies `writes` atomically. OK means everything is durable. ABORTED
  // means a version precondition failed (the message names the key's
  // current version) and nothing was written. UNAVAILABLE after an I/O
  // error means the outcome is unknown: nothing is visible now, but the
  // WriteSet may have reached the log and reappear, whole, after a reopen
  // (tests/crash/io_error_injection_test shows both). After a log write or
  // sync error RocksDB takes no more writes until the store is reopened;
  // reads go on. Any other error means nothing was written.
  virtual absl::StatusOr<CommitResult> Commit(WriteSet writes) = 0;

  // Point read. nullopt when absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, std::string_view key) const = 0;

  // Calls `fn` for each key in [begin, end) in order, until it returns
  // false. An empty `end` means no upper bound. Reads one consistent
  // snapshot.
  virtual absl::Status Scan(
      ColumnFamily cf, std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) const = 0;

  // Value of the counter at `key`; 0 when absent.
  virtual absl::StatusOr<int64_t> GetCounter(ColumnFamily cf,
                                             std::string_view key) const = 0;

  // ReadFeed, WaitForFeed and LastVisibleFeedSeq: see FeedSource.
  // WaitForFeed also returns false once WakeFeedWaiters() was called.

  // Wakes every WaitForFeed caller, for shutdown. Later waits return at
  // once.
  virtual void WakeFeedWaiters() = 0;

  // Writes a consistent online copy of the database to `dir` (which must
  // not exist) with RocksDB checkpoints. Open() on `dir` restores it.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;
};

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_STORE_H_

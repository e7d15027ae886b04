// The untyped half of storage::Table and storage::TaggedTable (table.h):
// value layouts, the one "corrupt record" error, and the Store calls. Only
// table.h includes this header.
#ifndef TESSERA_STORAGE_TABLE_INTERNAL_H_
#define TESSERA_STORAGE_TABLE_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/store.h"

namespace tessera::storage::table_internal {

// An opened record envelope; `payload` points into the value it came from.
struct Envelope {
  uint64_t version = 0;
  std::string_view payload;
};

// One column family, one format byte, one name for errors. Immutable after
// construction, so safe to share between threads.
class Layout {
 public:
  Layout(Store* store, ColumnFamily cf, uint8_t format, std::string_view what)
      : store_(store), cf_(cf), format_(format), what_(what) {}

  // INTERNAL "corrupt <what> record at key <hex>".
  absl::Status Corrupt(std::string_view key) const;

  // [format][u64 version][payload].
  std::string Seal(uint64_t version, std::string_view payload) const;
  // Corrupt(key) when `value` is shorter than the envelope or carries
  // another format byte.
  absl::StatusOr<Envelope> Open(std::string_view key,
                                std::string_view value) const;

  // [format][payload].
  std::string Tag(std::string_view payload) const;
  // Corrupt(key) when `value` is empty or carries another format byte.
  absl::StatusOr<std::string_view> Untag(std::string_view key,
                                         std::string_view value) const;

  absl::StatusOr<std::optional<std::string>> Read(std::string_view key) const;
  // Store::Scan over [begin, end). `fn` stops the scan by returning false,
  // or by returning an error, which Scan then returns.
  absl::Status Scan(
      std::string_view begin, std::string_view end,
      const std::function<absl::StatusOr<bool>(
          std::string_view key, std::string_view value)>& fn) const;

  void Put(WriteSet* writes, std::string_view key,
           std::string_view value) const {
    writes->Put(cf_, key, value);
  }
  void Delete(WriteSet* writes, std::string_view key) const {
    writes->Delete(cf_, key);
  }
  void ExpectVersion(WriteSet* writes, std::string_view key,
                     uint64_t version) const {
    writes->ExpectVersion(cf_, key, version);
  }

 private:
  Store* store_;
  ColumnFamily cf_;
  uint8_t format_;
  std::string what_;
};

}  // namespace tessera::storage::table_internal

#endif  // TESSERA_STORAGE_TABLE_INTERNAL_H_

// storage::Table and storage::TaggedTable: typed access to the records of
// one column family that share one format byte.
//
// A service core reads and writes its stored records through tables
// instead of through raw Store values, so the layouts of storage/FORMAT.md
// are encoded and checked in one place:
//
//   Table<P>        [format][u64 version, big-endian][payload]: the record
//                   envelope, for every value guarded by compare-and-set.
//   TaggedTable<P>  [format][payload]: values that carry no version (index
//                   entries, immutable documents).
//
// The payload type P says how the bytes after the envelope are stored (see
// PayloadCodec): a protobuf message (any google::protobuf::MessageLite,
// serialised), std::string (the bytes as they are, for hashes, composite
// binary payloads and version-only records with an empty payload), or
// uint64_t / uint32_t (exactly 8 / 4 bytes, big-endian).
//
// Every read that meets a value it cannot decode (too short, another
// format byte, a payload that does not parse) fails with INTERNAL
// "corrupt <what> record at key <hex>", made here and nowhere else.
//
// Writes go into a WriteSet; nothing is stored until Store::Commit applies
// it, atomically, with whatever else the caller added.
//
// Thread safety: a table is immutable after construction; every method is
// safe to call from any thread (each WriteSet still belongs to one thread).
// The Store must outlive the table.
#ifndef TESSERA_STORAGE_TABLE_H_
#define TESSERA_STORAGE_TABLE_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "storage/key_codec.h"
#include "storage/store.h"
#include "storage/table_internal.h"

namespace tessera::storage {

// A record and the envelope version it was read at (1 for a new record, +1
// per change). Pass `version` back to Update() to write on top of it.
template <typename Payload>
struct Versioned {
  Payload record;
  uint64_t version = 0;
};

// How a payload of type T is written after the format byte (and version).
// Encode(v) returns the bytes; Decode(bytes, &v) returns false when the
// bytes are not a T, which the tables report as a corrupt record.
template <typename T>
struct PayloadCodec;

template <typename T>
requires std::derived_from<T, google::protobuf::MessageLite>
struct PayloadCodec<T> {
  static std::string Encode(const T& v) { return v.SerializeAsString(); }
  static bool Decode(std::string_view bytes, T* v) {
    return v->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
};

template <>
struct PayloadCodec<std::string> {
  static std::string Encode(const std::string& v) { return v; }
  static bool Decode(std::string_view bytes, std::string* v) {
    v->assign(bytes);
    return true;
  }
};

template <>
struct PayloadCodec<uint64_t> {
  static std::string Encode(uint64_t v) {
    std::string out;
    PutFixed64BE(&out, v);
    return out;
  }
  static bool Decode(std::string_view bytes, uint64_t* v) {
    return bytes.size() == 8 && GetFixed64BE(&bytes, v);
  }
};

template <>
struct PayloadCodec<uint32_t> {
  static std::string Encode(uint32_t v) {
    std::string out(4, '\0');
    for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
    return out;
  }
  static bool Decode(std::string_view bytes, uint32_t* v) {
    if (bytes.size() != 4) return false;
    *v = 0;
    for (char c : bytes) *v = (*v << 8) | static_cast<unsigned char>(c);
    return true;
  }
};

template <typename T>
concept StoredPayload = requires(const T& v, std::string_view bytes, T* out) {
  { PayloadCodec<T>::Encode(v) } -> std::same_as<std::string>;
  { PayloadCodec<T>::Decode(bytes, out) } -> std::same_as<bool>;
};

// Records in the envelope [format][u64 version][payload].
template <StoredPayload Payload>
class Table {
 public:
  using Fn = std::function<bool(std::string_view key,
                                const Versioned<Payload>& record)>;

  // `store` is not owned. `format` is the one format byte this table reads
  // and writes; `what` names the record in errors ("user", "token").
  Table(Store* store, ColumnFamily cf, uint8_t format, std::string_view what)
      : layout_(store, cf, format, what) {}

  // The record at `key` with its version; nullopt when absent. INTERNAL
  // (corrupt record) when the stored value does not decode; other errors
  // are the Store's.
  absl::StatusOr<std::optional<Versioned<Payload>>> Get(
      std::string_view key) const {
    auto value = layout_.Read(key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::optional<Versioned<Payload>>();
    auto record = Decode(key, **value);
    if (!record.ok()) return record.status();
    return std::optional<Versioned<Payload>>(*std::move(record));
  }

  // Decodes `value`, read from `key` by the caller (the key only names the
  // record in the error). INTERNAL (corrupt record) when it does not decode.
  absl::StatusOr<Versioned<Payload>> Decode(std::string_view key,
                                            std::string_view value) const {
    Versioned<Payload> out;
    absl::Status s = DecodeInto(key, value, &out);
    if (!s.ok()) return s;
    return out;
  }

  // Decode into `out`, reusing what it holds (a protobuf's containers), for
  // scans that decode many records one after the other.
  absl::Status DecodeInto(std::string_view key, std::string_view value,
                          Versioned<Payload>* out) const {
    auto envelope = layout_.Open(key, value);
    if (!envelope.ok()) return envelope.status();
    out->version = envelope->version;
    if (!PayloadCodec<Payload>::Decode(envelope->payload, &out->record)) {
      return layout_.Corrupt(key);
    }
    return absl::OkStatus();
  }

  // Calls `fn` for each record with a key in [begin, end), in key order,
  // until it returns false. An empty `end` means no upper bound. OK when
  // the scan ran to its end or `fn` stopped it; the Store's error, or
  // INTERNAL (corrupt record) for the first record that does not decode,
  // which `fn` never sees.
  absl::Status Scan(std::string_view begin, std::string_view end,
                    const Fn& fn) const {
    return layout_.Scan(begin, end,
                        [&](std::string_view key,
                            std::string_view value) -> absl::StatusOr<bool> {
                          auto record = Decode(key, value);
                          if (!record.ok()) return record.status();
                          return fn(key, *record);
                        });
  }

  // Scan over every key that starts with `prefix`.
  absl::Status ScanPrefix(std::string_view prefix, const Fn& fn) const {
    return Scan(prefix, PrefixSuccessor(prefix), fn);
  }

  // Writes `record` at `key` with version `new_version` (at least 1),
  // unguarded: pair it with ExpectVersion unless the key cannot race.
  void Put(WriteSet* writes, std::string_view key, const Payload& record,
           uint64_t new_version) const {
    layout_.Put(
        writes, key,
        layout_.Seal(new_version, PayloadCodec<Payload>::Encode(record)));
  }

  // Creates `record` at `key`, version 1. The commit fails with ABORTED
  // (writing nothing) if the key already holds a record.
  void PutNew(WriteSet* writes, std::string_view key,
              const Payload& record) const {
    Update(writes, key, record, 0);
  }

  // Writes `record` at `key` with version read_version + 1. The commit
  // fails with ABORTED (writing nothing) unless the stored record is still
  // at `read_version` (0: still absent, as PutNew).
  void Update(WriteSet* writes, std::string_view key, const Payload& record,
              uint64_t read_version) const {
    ExpectVersion(writes, key, read_version);
    Put(writes, key, record, read_version + 1);
  }

  // The commit fails with ABORTED (writing nothing) unless the record at
  // `key` is at `version` (0: absent), for records a change depends on
  // without writing them.
  void ExpectVersion(WriteSet* writes, std::string_view key,
                     uint64_t version) const {
    layout_.ExpectVersion(writes, key, version);
  }

  // Removes the record at `key`; absent is not an error.
  void Delete(WriteSet* writes, std::string_view key) const {
    layout_.Delete(writes, key);
  }

 private:
  table_internal::Layout layout_;
};

// Envelope records whose payload is bytes as they are.
using RawTable = Table<std::string>;

// Values [format][payload], without a version. They cannot be guarded by
// compare-and-set (Store::Commit would read the payload as a version), so
// they suit values that are written once with a guarded record, or whose
// key alone carries the information.
template <StoredPayload Payload>
class TaggedTable {
 public:
  using Fn = std::function<bool(std::string_view key, const Payload& value)>;

  // As Table's constructor.
  TaggedTable(Store* store, ColumnFamily cf, uint8_t format,
              std::string_view what)
      : layout_(store, cf, format, what) {}

  // The payload at `key`; nullopt when absent. INTERNAL (corrupt record)
  // when the stored value does not decode; other errors are the Store's.
  absl::StatusOr<std::optional<Payload>> Get(std::string_view key) const {
    auto value = layout_.Read(key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::optional<Payload>();
    auto payload = Decode(key, **value);
    if (!payload.ok()) return payload.status();
    return std::optional<Payload>(*std::move(payload));
  }

  // As Table::Decode.
  absl::StatusOr<Payload> Decode(std::string_view key,
                                 std::string_view value) const {
    auto bytes = layout_.Untag(key, value);
    if (!bytes.ok()) return bytes.status();
    Payload out;
    if (!PayloadCodec<Payload>::Decode(*bytes, &out)) {
      return layout_.Corrupt(key);
    }
    return out;
  }

  // As Table::Scan.
  absl::Status Scan(std::string_view begin, std::string_view end,
                    const Fn& fn) const {
    return layout_.Scan(begin, end,
                        [&](std::string_view key,
                            std::string_view value) -> absl::StatusOr<bool> {
                          auto payload = Decode(key, value);
                          if (!payload.ok()) return payload.status();
                          return fn(key, *payload);
                        });
  }

  // As Table::ScanPrefix.
  absl::Status ScanPrefix(std::string_view prefix, const Fn& fn) const {
    return Scan(prefix, PrefixSuccessor(prefix), fn);
  }

  // Writes `payload` at `key`, unguarded.
  void Put(WriteSet* writes, std::string_view key,
           const Payload& payload) const {
    layout_.Put(writes, key,
                layout_.Tag(PayloadCodec<Payload>::Encode(payload)));
  }

  // Removes the value at `key`; absent is not an error.
  void Delete(WriteSet* writes, std::string_view key) const {
    layout_.Delete(writes, key);
  }

 private:
  table_internal::Layout layout_;
};

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_TABLE_H_

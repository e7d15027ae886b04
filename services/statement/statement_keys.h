// The key layout of the "statements" column family: every key the statement
// service stores, built here and nowhere else. Each builder names its row of
// the `statements` table in storage/FORMAT.md; the bytes are pinned.
//
// Per-statement keys start [kind][u64 internal id], so the family's 9-byte
// prefix extractor groups a statement's records. Keys that are not per
// statement (name, listing, create request) start [kind][u64 hash or time]
// so that they too lie in the extractor's domain.
//
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_KEYS_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "storage/store.h"

namespace tessera::statement {

inline constexpr storage::ColumnFamily kStatementsCf =
    storage::ColumnFamily::kStatements;

// The one value format every statement record uses (FORMAT.md: "format
// 0x01", and the leading [0x01] of tagged values).
inline constexpr uint8_t kStatementFormat = 0x01;

// 0x01 name: [0x01][u64 SHA-256(statement_id) prefix][str statement_id].
std::string NameKey(std::string_view statement_id);

// 0x02 statement: [0x02][u64 id].
std::string StatementKey(uint64_t internal_id);

// 0x03 revision: [0x03][u64 id][u32 revision].
std::string RevisionKey(uint64_t internal_id, int revision);
// Every 0x03 revision key of one statement.
std::string RevisionPrefix(uint64_t internal_id);

// 0x04 source: [0x04][u64 id][u32 revision].
std::string SourceKey(uint64_t internal_id, int revision);

// 0x05 document: [0x05][u64 id][u32 revision].
std::string DocumentKey(uint64_t internal_id, int revision);

// 0x06 segment: [0x06][u64 id][u32 revision][u32 ordinal].
std::string SegmentRecordKey(uint64_t internal_id, int revision, int ordinal);
// Every 0x06 segment key of one revision.
std::string SegmentPrefix(uint64_t internal_id, int revision);
// The ordinal of a 0x06 segment key; nullopt when `key` is not one.
std::optional<int> SegmentOrdinalOf(std::string_view key);

// 0x07 segment id: [0x07][u64 id][u32 revision][str segment_id].
std::string SegmentIdKey(uint64_t internal_id, int revision,
                         std::string_view segment_id);

// 0x08 listing: [0x08][u64 ~create time µs][str statement_id]; the
// inverted time lists statements newest first.
std::string ListKey(absl::Time create_time, std::string_view statement_id);
// Every 0x08 listing key.
std::string ListPrefix();
// True when `key` is a complete 0x08 listing key.
bool IsListKey(std::string_view key);

// 0x09 create request: [0x09][u64 SHA-256(str user_id ‖ str request_id)
// prefix][str user_id][str request_id].
std::string CreateRequestKey(std::string_view user_id,
                             std::string_view request_id);

// 0x0A revise request: [0x0A][u64 id][str user_id][str request_id].
std::string ReviseRequestKey(uint64_t internal_id, std::string_view user_id,
                             std::string_view request_id);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_KEYS_H_

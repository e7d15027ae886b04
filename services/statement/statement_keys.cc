#include "services/statement/statement_keys.h"

#include "common/random.h"
#include "storage/key_codec.h"

namespace tessera::statement {
namespace {

using storage::KeyBuilder;
using storage::KeyReader;

// Kind bytes: the first column of the `statements` table in FORMAT.md.
constexpr uint8_t kNameKind = 0x01;
constexpr uint8_t kStatementKind = 0x02;
constexpr uint8_t kRevisionKind = 0x03;
constexpr uint8_t kSourceKind = 0x04;
constexpr uint8_t kDocumentKind = 0x05;
constexpr uint8_t kSegmentKind = 0x06;
constexpr uint8_t kSegmentIdKind = 0x07;
constexpr uint8_t kListKind = 0x08;
constexpr uint8_t kCreateRequestKind = 0x09;
constexpr uint8_t kReviseRequestKind = 0x0A;

// The first 8 bytes of SHA-256(data), big-endian: spreads keys that are not
// per statement over the extractor's domain.
uint64_t HashU64(std::string_view data) {
  std::string h = Sha256(data);
  std::string_view v = h;
  uint64_t out = 0;
  storage::GetFixed64BE(&v, &out);
  return out;
}

KeyBuilder PerRevision(uint8_t kind, uint64_t internal_id, int revision) {
  KeyBuilder b(kind);
  b.U64(internal_id).U32(static_cast<uint32_t>(revision));
  return b;
}

}  // namespace

std::string NameKey(std::string_view statement_id) {
  return KeyBuilder(kNameKind)
      .U64(HashU64(statement_id))
      .String(statement_id)
      .Build();
}

std::string StatementKey(uint64_t internal_id) {
  return KeyBuilder(kStatementKind).U64(internal_id).Build();
}

std::string RevisionKey(uint64_t internal_id, int revision) {
  return PerRevision(kRevisionKind, internal_id, revision).Build();
}

std::string RevisionPrefix(uint64_t internal_id) {
  return KeyBuilder(kRevisionKind).U64(internal_id).Build();
}

std::string SourceKey(uint64_t internal_id, int revision) {
  return PerRevision(kSourceKind, internal_id, revision).Build();
}

std::string DocumentKey(uint64_t internal_id, int revision) {
  return PerRevision(kDocumentKind, internal_id, revision).Build();
}

std::string SegmentRecordKey(uint64_t internal_id, int revision, int ordinal) {
  return PerRevision(kSegmentKind, internal_id, revision)
      .U32(static_cast<uint32_t>(ordinal))
      .Build();
}

std::string SegmentPrefix(uint64_t internal_id, int revision) {
  return PerRevision(kSegmentKind, internal_id, revision).Build();
}

std::optional<int> SegmentOrdinalOf(std::string_view key) {
  KeyReader r(key);
  uint8_t kind = 0;
  uint64_t internal_id = 0;
  uint32_t revision = 0;
  uint32_t ordinal = 0;
  if (!r.Kind(&kind) || kind != kSegmentKind || !r.U64(&internal_id) ||
      !r.U32(&revision) || !r.U32(&ordinal) || !r.done()) {
    return std::nullopt;
  }
  return static_cast<int>(ordinal);
}

std::string SegmentIdKey(uint64_t internal_id, int revision,
                         std::string_view segment_id) {
  return PerRevision(kSegmentIdKind, internal_id, revision)
      .String(segment_id)
      .Build();
}

std::string ListKey(absl::Time create_time, std::string_view statement_id) {
  return KeyBuilder(kListKind)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(create_time)))
      .String(statement_id)
      .Build();
}

std::string ListPrefix() { return KeyBuilder(kListKind).Build(); }

bool IsListKey(std::string_view key) {
  KeyReader r(key);
  uint8_t kind = 0;
  uint64_t time = 0;
  std::string statement_id;
  return r.Kind(&kind) && kind == kListKind && r.U64(&time) &&
         r.String(&statement_id) && r.done();
}

std::string CreateRequestKey(std::string_view user_id,
                             std::string_view request_id) {
  // The hash covers both strings in their key encoding, without a kind.
  std::string both =
      KeyBuilder(0).String(user_id).String(request_id).Build().substr(1);
  return KeyBuilder(kCreateRequestKind)
      .U64(HashU64(both))
      .String(user_id)
      .String(request_id)
      .Build();
}

std::string ReviseRequestKey(uint64_t internal_id, std::string_view user_id,
                             std::string_view request_id) {
  return KeyBuilder(kReviseRequestKind)
      .U64(internal_id)
      .String(user_id)
      .String(request_id)
      .Build();
}

}  // namespace tessera::statement

// The stored form of the statement service: one typed table per kind of
// value in the "statements" column family (keys in statement_keys.h, rows in
// storage/FORMAT.md), and the conversions between the storage records of
// statement_records.proto and the model types. Internal to the service:
// only the statement core includes it.
//
// Thread-safe: the tables are immutable; the conversions are pure.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_TABLES_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_TABLES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/document.h"
#include "services/statement/statement_model.h"
#include "services/statement/statement_records.pb.h"
#include "storage/store.h"
#include "storage/table.h"

namespace tessera::statement {

namespace rec = ::tessera::storage::statement;

struct StatementTables {
  explicit StatementTables(storage::Store* store);

  // 0x01 name → internal id, version 1.
  storage::Table<uint64_t> names;
  // 0x02 statement; the envelope version is Statement.version.
  storage::Table<rec::StatementRecord> statements;
  // 0x03 revision, version 1.
  storage::Table<rec::RevisionRecord> revisions;
  // 0x03 again, parsing only the counts (listings skip the change lists).
  storage::Table<rec::RevisionCountsRecord> revision_counts;
  // 0x04 source: the uploaded bytes as received.
  storage::TaggedTable<std::string> sources;
  // 0x05 document.
  storage::TaggedTable<rec::RevisionDocumentRecord> documents;
  // 0x06 segment.
  storage::TaggedTable<rec::SourceSegmentRecord> segments;
  // 0x07 segment id → ordinal.
  storage::TaggedTable<uint32_t> segment_ids;
  // 0x08 listing → internal id.
  storage::TaggedTable<uint64_t> listing;
  // 0x09 create request and 0x0A revise request, version 1.
  storage::Table<rec::RequestRecord> requests;
};

rec::StatementRecord ToRecord(const Statement& statement, uint64_t internal_id);
Statement FromRecord(const rec::StatementRecord& record, uint64_t version);

// `raw_sha256` is the 32-byte digest; Revision::source_sha256 is its hex.
rec::RevisionRecord ToRecord(const Revision& revision,
                             std::string_view raw_sha256);
Revision FromRecord(std::string_view statement_id,
                    const rec::RevisionRecord& record);

rec::SourceSegmentRecord ToRecord(const formats::Segment& segment,
                                  const SegmentInfo& info);
void FromRecord(const rec::SourceSegmentRecord& record,
                formats::Segment* segment, SegmentInfo* info);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_TABLES_H_

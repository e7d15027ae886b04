// Keys and value formats of the "publications" column family, the one
// place they are built. storage/FORMAT.md ("publications") describes the
// same layout and pins every byte: a change here is a change of the stored
// format.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_KEYS_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "storage/store.h"

namespace tessera::publication {

inline constexpr storage::ColumnFamily kPublicationsCf =
    storage::ColumnFamily::kPublications;

// Value formats, one per key kind.
inline constexpr uint8_t kPublicationFormat = 0x01;  // envelope, record
inline constexpr uint8_t kDocumentFormat = 0x01;     // [0x01][bytes]
inline constexpr uint8_t kHeadFormat = 0x01;         // envelope, HeadRecord
inline constexpr uint8_t kListingFormat = 0x01;      // [0x01][u64 sid]

// 0x01 publication: [0x01][u64 sid][str language][u64 version], where sid
// is the statement's internal id.
std::string PublicationKey(uint64_t iid, std::string_view language,
                           int64_t version);

// 0x02 document: [0x02][u64 sid][str language][u64 version].
std::string DocumentKey(uint64_t iid, std::string_view language,
                        int64_t version);

// 0x03 head: [0x03][u64 sid][str language].
std::string HeadKey(uint64_t iid, std::string_view language);

// 0x04 listing: [0x04][u64 ~create time µs][str statement_id][str
// language][u64 version]. The inverted time lists newest first.
std::string ListingKey(absl::Time create_time, std::string_view statement_id,
                       std::string_view language, int64_t version);
// The prefix of every listing key.
std::string ListingPrefix();
// A listing key's fields; false if `key` is not a listing key.
struct ListingEntry {
  absl::Time create_time;
  std::string statement_id;
  std::string language;
  int64_t version = 0;
};
bool ParseListingKey(std::string_view key, ListingEntry* entry);

// 0x05 consumer cursor: [0x05][u64 0], the automatic publisher's feed
// cursor (a u64 keeps it in the 9-byte prefix extractor's domain).
std::string CursorKey();

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_KEYS_H_

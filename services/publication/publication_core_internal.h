// What the files of PublicationCore share: its typed tables, the record
// conversion and the checks and errors more than one capability uses. Not
// for other targets; publication_core.h is the core's face.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_INTERNAL_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_INTERNAL_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/call_context.h"
#include "services/common/principal.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_keys.h"
#include "services/publication/publication_records.pb.h"
#include "services/statement/statement_model.h"
#include "storage/table.h"

namespace tessera::publication {

namespace rec = ::tessera::storage::publication;

// Attempts at a change that keeps losing a race (a revision landing during
// assembly, another publisher taking the next version).
inline constexpr int kMaxAttempts = 16;
inline constexpr std::string_view kEventType = "publication.created";

// The typed tables of the column family (storage/FORMAT.md,
// "publications").
struct PublicationCore::Tables {
  explicit Tables(storage::Store* store)
      : publications(store, kPublicationsCf, kPublicationFormat, "publication"),
        documents(store, kPublicationsCf, kDocumentFormat,
                  "publication document"),
        heads(store, kPublicationsCf, kHeadFormat, "publication head"),
        listing(store, kPublicationsCf, kListingFormat, "publication listing") {
  }

  storage::Table<rec::PublicationRecord> publications;  // 0x01, immutable
  storage::TaggedTable<std::string> documents;          // 0x02, immutable
  storage::Table<rec::HeadRecord> heads;                // 0x03
  storage::TaggedTable<uint64_t> listing;               // 0x04, the sid
};

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

// Errors with google.rpc details (see "Errors" in common.proto).
absl::Status WrongState(std::string_view subject, std::string_view state,
                        std::string_view message);
// PERMISSION_DENIED (LANGUAGE_NOT_GRANTED).
absl::Status Denied(std::string_view message, std::string_view language);
absl::Status NotFound(std::string_view resource, std::string_view message);

// True if any role of the caller is granted in `lang`.
bool ReadsLanguage(const Principal& caller, std::string_view lang);
// True for a service or coordinator grant in `lang`.
bool WatchesLanguage(const Principal& caller, std::string_view lang);
// The canonical tag; INVALID_ARGUMENT naming `field` for a bad one.
absl::StatusOr<std::string> Canonical(std::string_view field,
                                      std::string_view tag);
// INVALID_ARGUMENT for too many selectors or a bad key.
absl::Status CheckSelectors(
    const std::vector<statement::LabelSelector>& selectors);
bool MatchesSelectors(const std::vector<statement::LabelSelector>& selectors,
                      const std::map<std::string, std::string>& labels);
bool ValidStatementId(std::string_view id);

// The stored record of `p` (whose manifest it keeps) and back; the basic
// view (`full` false) leaves the manifest out.
void ToRecord(const Publication& p, const std::string& fingerprint,
              rec::PublicationRecord* r);
Publication FromRecord(const rec::PublicationRecord& r, bool full);

// Parses "statements/{sid}/languages/{lang}/{rest}" at the start of a feed
// payload; `rest` runs to the next space.
bool ParseEventName(std::string_view payload, std::string_view* sid,
                    std::string_view* lang, std::string_view* rest);

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_INTERNAL_H_

#include "services/publication/publication_keys.h"

#include "storage/key_codec.h"

namespace tessera::publication {
namespace {

using storage::KeyBuilder;
using storage::KeyReader;

constexpr uint8_t kPublicationKind = 0x01;
constexpr uint8_t kDocumentKind = 0x02;
constexpr uint8_t kHeadKind = 0x03;
constexpr uint8_t kListingKind = 0x04;
constexpr uint8_t kCursorKind = 0x05;

}  // namespace

std::string PublicationKey(uint64_t iid, std::string_view language,
                           int64_t version) {
  return KeyBuilder(kPublicationKind)
      .U64(iid)
      .String(language)
      .U64(static_cast<uint64_t>(version))
      .Build();
}

std::string DocumentKey(uint64_t iid, std::string_view language,
                        int64_t version) {
  return KeyBuilder(kDocumentKind)
      .U64(iid)
      .String(language)
      .U64(static_cast<uint64_t>(version))
      .Build();
}

std::string HeadKey(uint64_t iid, std::string_view language) {
  return KeyBuilder(kHeadKind).U64(iid).String(language).Build();
}

std::string ListingKey(absl::Time create_time, std::string_view statement_id,
                       std::string_view language, int64_t version) {
  return KeyBuilder(kListingKind)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(create_time)))
      .String(statement_id)
      .String(language)
      .U64(static_cast<uint64_t>(version))
      .Build();
}

std::string ListingPrefix() { return KeyBuilder(kListingKind).Build(); }

bool ParseListingKey(std::string_view key, ListingEntry* entry) {
  KeyReader reader(key);
  uint8_t kind = 0;
  uint64_t inverted_time = 0, version = 0;
  if (!reader.Kind(&kind) || kind != kListingKind ||
      !reader.U64(&inverted_time) || !reader.String(&entry->statement_id) ||
      !reader.String(&entry->language) || !reader.U64(&version)) {
    return false;
  }
  entry->create_time =
      absl::FromUnixMicros(static_cast<int64_t>(~inverted_time));
  entry->version = static_cast<int64_t>(version);
  return true;
}

std::string CursorKey() { return KeyBuilder(kCursorKind).U64(0).Build(); }

}  // namespace tessera::publication

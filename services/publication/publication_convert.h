// Conversions between the PublicationService API messages (tessera.v1) and
// the publication core's types, and parsing of publication resource names.
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_CONVERT_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/publication/publication_core.h"
#include "tessera/v1/publication.pb.h"

namespace tessera::publication {

void ToProto(const Publication& p, v1::Publication* out);

// The API enum's value as the core's; INVALID_ARGUMENT naming `field` for
// an unknown number.
absl::StatusOr<Policy> PolicyFromProto(std::string_view field, int policy);
absl::StatusOr<OutputFormat> FormatFromProto(std::string_view field,
                                             int format);
// True for the full view.
absl::StatusOr<bool> FullViewFromProto(std::string_view field, int view);
v1::DocumentFormat FormatToProto(OutputFormat format);

struct PublicationName {
  std::string statement_id;
  std::string language;            // as written
  std::optional<int64_t> version;  // nullopt for "latest"
};
// "statements/{statement_id}/languages/{language}/publications/{version}",
// {version} a number >= 1 or "latest"; INVALID_ARGUMENT naming `field`.
absl::StatusOr<PublicationName> ParsePublicationName(std::string_view field,
                                                     std::string_view name);

absl::StatusOr<ListQuery> ListQueryFromProto(
    const v1::ListPublicationsRequest& request);
absl::StatusOr<WatchFilter> WatchFilterFromProto(
    const v1::WatchPublicationsRequest& request);

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_CONVERT_H_

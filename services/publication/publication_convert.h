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

// A Publish request's arguments. INVALID_ARGUMENT for a bad statement
// name, a missing language or an unknown policy.
struct PublishParams {
  std::string statement_id;
  std::string language;  // as written
  Policy policy = Policy::kRefuse;
};
absl::StatusOr<PublishParams> FromProto(const v1::PublishRequest& request);

// A GetPublication request's arguments. INVALID_ARGUMENT for a bad name,
// format or view.
struct GetParams {
  PublicationName name;
  OutputFormat format = OutputFormat::kSource;
  bool full = false;
};
absl::StatusOr<GetParams> FromProto(const v1::GetPublicationRequest& request);

// The document's content moves into the response.
void ToProto(Document document, v1::GetPublicationResponse* out);
void ToProto(const PublicationPage& page, v1::ListPublicationsResponse* out);

absl::StatusOr<ListQuery> ListQueryFromProto(
    const v1::ListPublicationsRequest& request);
absl::StatusOr<WatchFilter> WatchFilterFromProto(
    const v1::WatchPublicationsRequest& request);

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_CONVERT_H_

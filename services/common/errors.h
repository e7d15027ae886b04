// Error and timestamp helpers shared by the service cores and their gRPC
// faces, so every service reports errors the same way (see "Errors" in
// proto/tessera/v1/common.proto).
#ifndef TESSERA_SERVICES_COMMON_ERRORS_H_
#define TESSERA_SERVICES_COMMON_ERRORS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace tessera {

using ErrorMetadata = std::vector<std::pair<std::string, std::string>>;

// A status with a google.rpc.ErrorInfo detail (domain "tessera") carrying
// `reason` (an ErrorReason name without its prefix) and `metadata`.
absl::Status ErrorWithInfo(absl::StatusCode code, std::string_view reason,
                           std::string_view message,
                           const ErrorMetadata& metadata = {});

// INVALID_ARGUMENT "field: description" with ErrorInfo `reason` and a
// google.rpc.BadRequest naming the field.
absl::Status BadField(std::string_view field, std::string_view description,
                      std::string_view reason = "INVALID_FIELD",
                      const ErrorMetadata& metadata = {});

// Makes sure a failed status carries an ErrorInfo: one the core attached,
// or one whose reason follows from the code. PERMISSION_DENIED also names
// the `method` refused. OK and codes without a reason pass unchanged.
absl::Status DecorateError(absl::Status status, std::string_view method);

// absl::Time to google.protobuf.Timestamp, exact to the microsecond and
// correct before 1970.
void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_ERRORS_H_

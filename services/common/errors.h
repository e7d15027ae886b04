// Domain errors: how a core says what went wrong, without gRPC.
//
// A domain error is an absl::Status whose payload (one, under
// kDomainErrorUrl) holds the reason, its metadata and any field,
// precondition or quota violations. The gRPC edge turns that payload into
// google.rpc details in one place (services/grpc/grpc_status.h); see
// "Errors" in proto/tessera/v1/common.proto for what clients receive.
#ifndef TESSERA_SERVICES_COMMON_ERRORS_H_
#define TESSERA_SERVICES_COMMON_ERRORS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace tessera {

using ErrorMetadata = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kDomainErrorUrl = "tessera.internal/error";

struct FieldViolation {
  std::string field;
  std::string description;
};
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;
};
struct QuotaViolation {
  std::string subject;
  std::string description;
};

// Everything a domain error says beyond its code and message.
struct ErrorDetails {
  std::string reason;  // empty: none attached yet
  ErrorMetadata metadata;
  std::vector<FieldViolation> fields;
  std::vector<PreconditionViolation> preconditions;
  std::vector<QuotaViolation> quotas;
};

// The details attached to `status`; nullopt when it carries none.
std::optional<ErrorDetails> DetailsOf(const absl::Status& status);

// Replaces the details attached to `status` (no-op on OK).
void SetDetails(absl::Status& status, const ErrorDetails& details);

// A status with `reason` (an ErrorReason name without its prefix) and
// `metadata`.
absl::Status ErrorWithInfo(absl::StatusCode code, std::string_view reason,
                           std::string_view message,
                           const ErrorMetadata& metadata = {});

// INVALID_ARGUMENT "field: description" with `reason` and one field
// violation naming the field.
absl::Status BadField(std::string_view field, std::string_view description,
                      std::string_view reason = "INVALID_FIELD",
                      const ErrorMetadata& metadata = {});

// FAILED_PRECONDITION "subject: message" with `reason` and one
// precondition violation of that type on `subject`.
absl::Status PreconditionError(std::string_view reason,
                               std::string_view subject,
                               std::string_view message,
                               const ErrorMetadata& metadata = {});

// PreconditionError with reason WRONG_STATE and metadata {"state": state}.
absl::Status WrongStateError(std::string_view subject, std::string_view state,
                             std::string_view message);

// RESOURCE_EXHAUSTED (LIMIT_EXCEEDED) with metadata {limit, value} and a
// quota violation on "limits/<limit>".
absl::Status QuotaExceededError(std::string_view limit, int64_t value,
                                std::string_view message);

// NOT_FOUND (NOT_FOUND) with metadata {"resource": resource}.
absl::Status NotFoundError(std::string_view resource, std::string_view message);

// Makes sure a failed status carries a reason: the one the core attached,
// or one that follows from the code. PERMISSION_DENIED also names the
// `method` refused. OK and codes without a reason pass unchanged.
absl::Status DecorateError(absl::Status status, std::string_view method);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_ERRORS_H_

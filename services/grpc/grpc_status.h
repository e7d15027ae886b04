// The one place where absl::Status becomes grpc::Status.
//
// Codes map one to one. A domain error's details (services/common/errors.h)
// become google.rpc details: ErrorInfo (domain "tessera") always, then
// BadRequest, PreconditionFailure and QuotaFailure when it has such
// violations. Payloads already under a "type.googleapis.com/..." URL (edge
// details such as tessera.v1.VersionConflict) pass as they are. All go in
// the `grpc-status-details-bin` trailer. INTERNAL and unknown codes never
// leak their message: the client sees "internal error" and the log gets the
// original.
#ifndef TESSERA_SERVICES_GRPC_GRPC_STATUS_H_
#define TESSERA_SERVICES_GRPC_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace tessera {

grpc::Status ToGrpcStatus(const absl::Status& status);

// `status` with its domain details replaced by the google.rpc details the
// client would receive, each under its type.googleapis.com URL.
absl::Status WithRpcDetails(absl::Status status);

// Attaches `detail` (a google.rpc.* or tessera.v1 message) to `status` so
// that ToGrpcStatus sends it as a google.rpc.Status detail.
void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail);

}  // namespace tessera

#endif  // TESSERA_SERVICES_GRPC_GRPC_STATUS_H_

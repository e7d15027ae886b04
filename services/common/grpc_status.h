// The one place where absl::Status becomes grpc::Status.
//
// Codes map one to one. Payloads attached to an absl::Status under a
// "type.googleapis.com/..." URL (for example a serialized
// google.rpc.BadRequest) are sent as google.rpc.Status details in the
// `grpc-status-details-bin` trailer. INTERNAL and unknown codes never leak
// their message: the client sees "internal error" and the server logs the
// original.
#ifndef TESSERA_SERVICES_COMMON_GRPC_STATUS_H_
#define TESSERA_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace tessera {

grpc::Status ToGrpcStatus(const absl::Status& status);

// Attaches `detail` (a google.rpc.* or tessera.v1 message) to `status` so
// that ToGrpcStatus sends it as a google.rpc.Status detail.
void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_GRPC_STATUS_H_

// Time at the gRPC edge: absl::Time to google.protobuf.Timestamp.
#ifndef TESSERA_SERVICES_GRPC_TIMESTAMP_H_
#define TESSERA_SERVICES_GRPC_TIMESTAMP_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace tessera {

// Exact to the microsecond and correct before 1970.
void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);

}  // namespace tessera

#endif  // TESSERA_SERVICES_GRPC_TIMESTAMP_H_

// Conversions between the AssignmentService API messages (tessera.v1) and
// the assignment core's types, and parsing of assignment and lease names.
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/assignment/assignment_core.h"
#include "tessera/v1/assignment.pb.h"

namespace tessera::assignment {

void ToProto(const Assignment& a, v1::Assignment* out);
void ToProto(const Lease& l, v1::Lease* out);
void ToProto(const ClaimResult& r, v1::ClaimNextResponse* out);
void ToProto(const StatementProgress& p, v1::Progress* out);
void ToProto(const MyWork& w, v1::GetMyWorkResponse* out);

absl::StatusOr<AssignParams> AssignFromProto(const v1::AssignRequest& req);
absl::StatusOr<AssignmentUpdate> UpdateFromProto(
    const v1::UpdateAssignmentRequest& req);
absl::StatusOr<AssignmentQuery> QueryFromProto(
    const v1::ListAssignmentsRequest& req);
absl::StatusOr<ClaimParams> ClaimFromProto(const v1::ClaimNextRequest& req);

// "assignments/{id}" → id; "leases/{id}" → id. INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<std::string> ParseAssignmentName(std::string_view field,
                                                std::string_view name);
absl::StatusOr<std::string> ParseLeaseName(std::string_view field,
                                           std::string_view name);

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_

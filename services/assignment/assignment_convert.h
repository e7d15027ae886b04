// Conversions between the AssignmentService API messages (tessera.v1) and
// the assignment core's types, and parsing of assignment and lease names.
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/assignment/assignment_core.h"
#include "tessera/v1/assignment.pb.h"

namespace tessera::assignment {

void ToProto(const Assignment& a, v1::Assignment* out);
void ToProto(const Lease& l, v1::Lease* out);
void ToProto(const AssignmentPage& p, v1::ListAssignmentsResponse* out);
void ToProto(const ClaimResult& r, v1::ClaimNextResponse* out);
void ToProto(const StatementProgress& p, v1::Progress* out);
void ToProto(const MyWork& w, v1::GetMyWorkResponse* out);

// A request that names one assignment or lease and the version the
// caller read (0: no check, where the method allows it).
struct VersionedId {
  std::string id;
  uint64_t version = 0;
};

struct UpdateRequest {
  std::string id;
  uint64_t version = 0;  // 0: no check
  AssignmentUpdate update;
};

struct ProgressRequest {
  std::string statement_id;
  std::vector<std::string> languages;
};

// Each returns INVALID_ARGUMENT naming the first bad field, checked in
// request order.
absl::StatusOr<AssignParams> AssignFromProto(const v1::AssignRequest& req);
// A negative version reads as 0.
absl::StatusOr<UpdateRequest> UpdateFromProto(
    const v1::UpdateAssignmentRequest& req);
// The version is required (positive).
absl::StatusOr<VersionedId> UnassignFromProto(const v1::UnassignRequest& req);
absl::StatusOr<AssignmentQuery> QueryFromProto(
    const v1::ListAssignmentsRequest& req);
absl::StatusOr<ClaimParams> ClaimFromProto(const v1::ClaimNextRequest& req);
// The version must not be negative.
absl::StatusOr<VersionedId> RenewFromProto(const v1::RenewLeaseRequest& req);
absl::StatusOr<VersionedId> ReleaseFromProto(
    const v1::ReleaseLeaseRequest& req);
absl::StatusOr<ProgressRequest> ProgressFromProto(
    const v1::GetProgressRequest& req);
std::vector<std::string> LanguagesFromProto(const v1::GetMyWorkRequest& req);

// "assignments/{id}" → id; "leases/{id}" → id. INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<std::string> ParseAssignmentName(std::string_view field,
                                                std::string_view name);
absl::StatusOr<std::string> ParseLeaseName(std::string_view field,
                                           std::string_view name);

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_CONVERT_H_

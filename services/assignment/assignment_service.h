// AssignmentServiceImpl: the gRPC adapter of AssignmentCore. Each handler
// is one UnaryCall (services/grpc/call.h), which authorises and enforces the
// deadline; the handler converts the request (assignment_convert.h), makes
// one core call and converts the answer. The core checks the deadline
// before each commit.
//
// Thread-safe; the core and the environment must outlive it.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SERVICE_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SERVICE_H_

#include "services/assignment/assignment_core.h"
#include "services/grpc/call.h"
#include "tessera/v1/assignment.grpc.pb.h"

namespace tessera::assignment {

class AssignmentServiceImpl final
    : public tessera::v1::AssignmentService::CallbackService {
 public:
  AssignmentServiceImpl(AssignmentCore* core, const CallEnv* env)
      : core_(core), env_(env) {}

  grpc::ServerUnaryReactor* Assign(grpc::CallbackServerContext* ctx,
                                   const v1::AssignRequest* req,
                                   v1::Assignment* resp) override;
  grpc::ServerUnaryReactor* GetAssignment(grpc::CallbackServerContext* ctx,
                                          const v1::GetAssignmentRequest* req,
                                          v1::Assignment* resp) override;
  grpc::ServerUnaryReactor* UpdateAssignment(
      grpc::CallbackServerContext* ctx, const v1::UpdateAssignmentRequest* req,
      v1::Assignment* resp) override;
  grpc::ServerUnaryReactor* Unassign(grpc::CallbackServerContext* ctx,
                                     const v1::UnassignRequest* req,
                                     v1::Assignment* resp) override;
  grpc::ServerUnaryReactor* ListAssignments(
      grpc::CallbackServerContext* ctx, const v1::ListAssignmentsRequest* req,
      v1::ListAssignmentsResponse* resp) override;
  grpc::ServerUnaryReactor* ClaimNext(grpc::CallbackServerContext* ctx,
                                      const v1::ClaimNextRequest* req,
                                      v1::ClaimNextResponse* resp) override;
  grpc::ServerUnaryReactor* RenewLease(grpc::CallbackServerContext* ctx,
                                       const v1::RenewLeaseRequest* req,
                                       v1::Lease* resp) override;
  grpc::ServerUnaryReactor* ReleaseLease(grpc::CallbackServerContext* ctx,
                                         const v1::ReleaseLeaseRequest* req,
                                         v1::Lease* resp) override;
  grpc::ServerUnaryReactor* GetProgress(grpc::CallbackServerContext* ctx,
                                        const v1::GetProgressRequest* req,
                                        v1::Progress* resp) override;
  grpc::ServerUnaryReactor* GetMyWork(grpc::CallbackServerContext* ctx,
                                      const v1::GetMyWorkRequest* req,
                                      v1::GetMyWorkResponse* resp) override;

 private:
  AssignmentCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SERVICE_H_

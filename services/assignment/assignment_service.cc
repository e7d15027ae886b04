#include "services/assignment/assignment_service.h"

#include "common/status_macros.h"
#include "services/assignment/assignment_convert.h"
#include "services/common/errors.h"
#include "services/grpc/grpc_status.h"

namespace tessera::assignment {
namespace {

#define TESSERA_ASSIGNMENT_METHOD(name) \
  constexpr std::string_view k##name = "/tessera.v1.AssignmentService/" #name

TESSERA_ASSIGNMENT_METHOD(Assign);
TESSERA_ASSIGNMENT_METHOD(GetAssignment);
TESSERA_ASSIGNMENT_METHOD(UpdateAssignment);
TESSERA_ASSIGNMENT_METHOD(Unassign);
TESSERA_ASSIGNMENT_METHOD(ListAssignments);
TESSERA_ASSIGNMENT_METHOD(ClaimNext);
TESSERA_ASSIGNMENT_METHOD(RenewLease);
TESSERA_ASSIGNMENT_METHOD(ReleaseLease);
TESSERA_ASSIGNMENT_METHOD(GetProgress);
TESSERA_ASSIGNMENT_METHOD(GetMyWork);

#undef TESSERA_ASSIGNMENT_METHOD

// A ClaimNext that kept losing races carries a VersionConflict naming what
// it lost on (the core's "resource" metadata), as the contract says.
absl::Status ClaimConflictDetails(absl::Status status) {
  if (!absl::IsAborted(status)) return status;
  v1::VersionConflict conflict;
  if (auto details = DetailsOf(status)) {
    for (const auto& [key, value] : details->metadata) {
      if (key == "resource") conflict.set_resource(value);
    }
  }
  AttachDetail(status, conflict);
  return status;
}

}  // namespace

grpc::ServerUnaryReactor* AssignmentServiceImpl::Assign(
    grpc::CallbackServerContext* ctx, const v1::AssignRequest* req,
    v1::Assignment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kAssign, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(AssignParams p, AssignFromProto(*req));
        ASSIGN_OR_RETURN(Assignment a, core_->Assign(call, p));
        ToProto(a, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::GetAssignment(
    grpc::CallbackServerContext* ctx, const v1::GetAssignmentRequest* req,
    v1::Assignment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetAssignment, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseAssignmentName("name", req->name()));
        ASSIGN_OR_RETURN(Assignment a, core_->GetAssignment(call.caller(), id));
        ToProto(a, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::UpdateAssignment(
    grpc::CallbackServerContext* ctx, const v1::UpdateAssignmentRequest* req,
    v1::Assignment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kUpdateAssignment, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(UpdateRequest u, UpdateFromProto(*req));
        ASSIGN_OR_RETURN(Assignment a, core_->UpdateAssignment(
                                           call, u.id, u.version, u.update));
        ToProto(a, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::Unassign(
    grpc::CallbackServerContext* ctx, const v1::UnassignRequest* req,
    v1::Assignment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kUnassign, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedId v, UnassignFromProto(*req));
        ASSIGN_OR_RETURN(Assignment a, core_->Unassign(call, v.id, v.version));
        ToProto(a, resp);
        return absl::OkStatus();
      });
}

// Without a statement it looks at every assignment: off the event thread.
grpc::ServerUnaryReactor* AssignmentServiceImpl::ListAssignments(
    grpc::CallbackServerContext* ctx, const v1::ListAssignmentsRequest* req,
    v1::ListAssignmentsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListAssignments, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(AssignmentQuery q, QueryFromProto(*req));
        ASSIGN_OR_RETURN(
            AssignmentPage page,
            core_->ListAssignments(call.caller(), q, req->page_size(),
                                   req->page_token()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ClaimNext(
    grpc::CallbackServerContext* ctx, const v1::ClaimNextRequest* req,
    v1::ClaimNextResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kClaimNext, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ClaimParams p, ClaimFromProto(*req));
        ASSIGN_OR_RETURN(ClaimResult r, core_->ClaimNext(call, p));
        ToProto(r, resp);
        return absl::OkStatus();
      },
      ClaimConflictDetails);
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::RenewLease(
    grpc::CallbackServerContext* ctx, const v1::RenewLeaseRequest* req,
    v1::Lease* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kRenewLease, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedId v, RenewFromProto(*req));
        ASSIGN_OR_RETURN(Lease l, core_->RenewLease(call, v.id, v.version));
        ToProto(l, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ReleaseLease(
    grpc::CallbackServerContext* ctx, const v1::ReleaseLeaseRequest* req,
    v1::Lease* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kReleaseLease, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedId v, ReleaseFromProto(*req));
        ASSIGN_OR_RETURN(Lease l, core_->ReleaseLease(call, v.id, v.version));
        ToProto(l, resp);
        return absl::OkStatus();
      });
}

// Reads every live lease and may build the statement's work index.
grpc::ServerUnaryReactor* AssignmentServiceImpl::GetProgress(
    grpc::CallbackServerContext* ctx, const v1::GetProgressRequest* req,
    v1::Progress* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetProgress, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ProgressRequest p, ProgressFromProto(*req));
        ASSIGN_OR_RETURN(
            StatementProgress progress,
            core_->GetProgress(call.caller(), p.statement_id, p.languages));
        ToProto(progress, resp);
        return absl::OkStatus();
      });
}

// Looks at every assignment.
grpc::ServerUnaryReactor* AssignmentServiceImpl::GetMyWork(
    grpc::CallbackServerContext* ctx, const v1::GetMyWorkRequest* req,
    v1::GetMyWorkResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetMyWork, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(MyWork w, core_->GetMyWork(call.caller(),
                                                    LanguagesFromProto(*req)));
        ToProto(w, resp);
        return absl::OkStatus();
      });
}

}  // namespace tessera::assignment

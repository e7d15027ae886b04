#include "services/assignment/assignment_service.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_convert.h"
#include "services/common/errors.h"
#include "services/statement/statement_convert.h"

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

// Runs `run` and decorates its error for `method`.
template <typename Run>
absl::Status Call(std::string_view method, Run run) {
  absl::Status s = run();
  if (s.ok()) return s;
  return DecorateError(std::move(s), method);
}

}  // namespace

grpc::ServerUnaryReactor* AssignmentServiceImpl::Assign(
    grpc::CallbackServerContext* ctx, const v1::AssignRequest* req,
    v1::Assignment* resp) {
  return HandleUnary(ctx, *env_, kAssign, CallKind::kWrite,
                     [=, this](const CallContext& call) {
                       return Call(kAssign, [&]() -> absl::Status {
                         ASSIGN_OR_RETURN(AssignParams p, AssignFromProto(*req));
                         RETURN_IF_ERROR(call.CheckDeadline());
                         ASSIGN_OR_RETURN(Assignment a,
                                          core_->Assign(call.caller(), p));
                         ToProto(a, resp);
                         return absl::OkStatus();
                       });
                     });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::GetAssignment(
    grpc::CallbackServerContext* ctx, const v1::GetAssignmentRequest* req,
    v1::Assignment* resp) {
  return HandleUnary(
      ctx, *env_, kGetAssignment, CallKind::kRead,
      [=, this](const CallContext& call) {
        return Call(kGetAssignment, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseAssignmentName("name", req->name()));
          ASSIGN_OR_RETURN(Assignment a, core_->GetAssignment(call.caller(), id));
          ToProto(a, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::UpdateAssignment(
    grpc::CallbackServerContext* ctx, const v1::UpdateAssignmentRequest* req,
    v1::Assignment* resp) {
  return HandleUnary(
      ctx, *env_, kUpdateAssignment, CallKind::kWrite,
      [=, this](const CallContext& call) {
        return Call(kUpdateAssignment, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseAssignmentName("assignment.name",
                                               req->assignment().name()));
          ASSIGN_OR_RETURN(AssignmentUpdate u, UpdateFromProto(*req));
          RETURN_IF_ERROR(call.CheckDeadline());
          ASSIGN_OR_RETURN(
              Assignment a,
              core_->UpdateAssignment(
                  call.caller(), id,
                  static_cast<uint64_t>(
                      std::max<int64_t>(0, req->assignment().version())),
                  u));
          ToProto(a, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::Unassign(
    grpc::CallbackServerContext* ctx, const v1::UnassignRequest* req,
    v1::Assignment* resp) {
  return HandleUnary(
      ctx, *env_, kUnassign, CallKind::kWrite,
      [=, this](const CallContext& call) {
        return Call(kUnassign, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseAssignmentName("name", req->name()));
          if (req->version() <= 0) {
            return statement::InvalidFieldError(
                "version", "is required: pass the version you last read");
          }
          RETURN_IF_ERROR(call.CheckDeadline());
          ASSIGN_OR_RETURN(
              Assignment a,
              core_->Unassign(call.caller(), id,
                              static_cast<uint64_t>(req->version())));
          ToProto(a, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ListAssignments(
    grpc::CallbackServerContext* ctx, const v1::ListAssignmentsRequest* req,
    v1::ListAssignmentsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListAssignments, CallKind::kRead,
      [=, this](const CallContext& call) {
        return Call(kListAssignments, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(AssignmentQuery q, QueryFromProto(*req));
          ASSIGN_OR_RETURN(AssignmentPage page,
                           core_->ListAssignments(call.caller(), q,
                                                  req->page_size(),
                                                  req->page_token()));
          for (const auto& a : page.assignments) {
            ToProto(a, resp->add_assignments());
          }
          resp->set_next_page_token(page.next_page_token);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ClaimNext(
    grpc::CallbackServerContext* ctx, const v1::ClaimNextRequest* req,
    v1::ClaimNextResponse* resp) {
  return HandleUnary(ctx, *env_, kClaimNext, CallKind::kWrite,
                     [=, this](const CallContext& call) {
                       return Call(kClaimNext, [&]() -> absl::Status {
                         ASSIGN_OR_RETURN(ClaimParams p, ClaimFromProto(*req));
                         RETURN_IF_ERROR(call.CheckDeadline());
                         ASSIGN_OR_RETURN(ClaimResult r,
                                          core_->ClaimNext(call.caller(), p));
                         ToProto(r, resp);
                         return absl::OkStatus();
                       });
                     });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::RenewLease(
    grpc::CallbackServerContext* ctx, const v1::RenewLeaseRequest* req,
    v1::Lease* resp) {
  return HandleUnary(
      ctx, *env_, kRenewLease, CallKind::kWrite,
      [=, this](const CallContext& call) {
        return Call(kRenewLease, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id, ParseLeaseName("name", req->name()));
          if (req->version() < 0) {
            return statement::InvalidFieldError("version",
                                                "must not be negative");
          }
          ASSIGN_OR_RETURN(
              Lease l, core_->RenewLease(call.caller(), id,
                                         static_cast<uint64_t>(req->version())));
          ToProto(l, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ReleaseLease(
    grpc::CallbackServerContext* ctx, const v1::ReleaseLeaseRequest* req,
    v1::Lease* resp) {
  return HandleUnary(
      ctx, *env_, kReleaseLease, CallKind::kWrite,
      [=, this](const CallContext& call) {
        return Call(kReleaseLease, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id, ParseLeaseName("name", req->name()));
          if (req->version() < 0) {
            return statement::InvalidFieldError("version",
                                                "must not be negative");
          }
          ASSIGN_OR_RETURN(
              Lease l,
              core_->ReleaseLease(call.caller(), id,
                                  static_cast<uint64_t>(req->version())));
          ToProto(l, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::GetProgress(
    grpc::CallbackServerContext* ctx, const v1::GetProgressRequest* req,
    v1::Progress* resp) {
  return HandleUnary(
      ctx, *env_, kGetProgress, CallKind::kRead,
      [=, this](const CallContext& call) {
        return Call(kGetProgress, [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string sid, statement::ParseStatementName(
                                                "statement", req->statement()));
          std::vector<std::string> langs(req->languages().begin(),
                                         req->languages().end());
          ASSIGN_OR_RETURN(StatementProgress p,
                           core_->GetProgress(call.caller(), sid, langs));
          ToProto(p, resp);
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::GetMyWork(
    grpc::CallbackServerContext* ctx, const v1::GetMyWorkRequest* req,
    v1::GetMyWorkResponse* resp) {
  return HandleUnary(
      ctx, *env_, kGetMyWork, CallKind::kRead,
      [=, this](const CallContext& call) {
        return Call(kGetMyWork, [&]() -> absl::Status {
          std::vector<std::string> langs(req->languages().begin(),
                                         req->languages().end());
          ASSIGN_OR_RETURN(MyWork w, core_->GetMyWork(call.caller(), langs));
          ToProto(w, resp);
          return absl::OkStatus();
        });
      });
}

}  // namespace tessera::assignment

#include "services/statement/statement_service.h"

#include <string>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/grpc/grpc_status.h"
#include "services/statement/statement_convert.h"

namespace tessera::statement {
namespace {

#define TESSERA_STATEMENT_METHOD(name) \
  constexpr std::string_view k##name = "/tessera.v1.StatementService/" #name

TESSERA_STATEMENT_METHOD(CreateStatement);
TESSERA_STATEMENT_METHOD(GetStatement);
TESSERA_STATEMENT_METHOD(ListStatements);
TESSERA_STATEMENT_METHOD(UpdateStatement);
TESSERA_STATEMENT_METHOD(ReviseStatement);
TESSERA_STATEMENT_METHOD(OpenStatement);
TESSERA_STATEMENT_METHOD(CloseStatement);
TESSERA_STATEMENT_METHOD(ArchiveStatement);
TESSERA_STATEMENT_METHOD(GetRevision);
TESSERA_STATEMENT_METHOD(ListRevisions);
TESSERA_STATEMENT_METHOD(GetSourceSegment);
TESSERA_STATEMENT_METHOD(ListSourceSegments);

#undef TESSERA_STATEMENT_METHOD

}  // namespace

absl::Status AddVersionConflict(const StatementCore& core, absl::Status status,
                                std::string_view statement_name,
                                int64_t request_version) {
  if (!absl::IsAborted(status)) return status;
  auto id = ParseStatementName("name", statement_name);
  if (!id.ok()) return status;
  v1::VersionConflict conflict;
  conflict.set_resource(StrCat("statements/", *id));
  conflict.set_request_version(request_version);
  auto current = core.LoadStatement(*id);
  if (current.ok()) {
    conflict.set_current_version(static_cast<int64_t>(current->version));
    v1::Statement proto;
    ToProto(*current, &proto);
    conflict.mutable_current()->PackFrom(proto);
  }
  AttachDetail(status, conflict);
  return status;
}

EdgeDetails StatementServiceImpl::ConflictDetails(
    std::string_view statement_name, int64_t request_version) const {
  return [core = core_, name = std::string(statement_name),
          request_version](absl::Status status) {
    return AddVersionConflict(*core, std::move(status), name, request_version);
  };
}

grpc::ServerUnaryReactor* StatementServiceImpl::CreateStatement(
    grpc::CallbackServerContext* ctx, const v1::CreateStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kCreateStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(CreateParams params, CreateParamsFromProto(*req));
        ASSIGN_OR_RETURN(Statement s,
                         core_->CreateStatement(call, std::move(params)));
        ToProto(s, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetStatement(
    grpc::CallbackServerContext* ctx, const v1::GetStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetStatement, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseStatementName("name", req->name()));
        ASSIGN_OR_RETURN(Statement s, core_->GetStatement(call.caller(), id));
        ToProto(s, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListStatements(
    grpc::CallbackServerContext* ctx, const v1::ListStatementsRequest* req,
    v1::ListStatementsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListStatements, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ListStatementsQuery query, QueryFromProto(*req));
        ASSIGN_OR_RETURN(
            StatementPage page,
            core_->ListStatements(call.caller(), query, req->page_size(),
                                  req->page_token()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::UpdateStatement(
    grpc::CallbackServerContext* ctx, const v1::UpdateStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kUpdateStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedName target,
                         VersionedNameFromProto(
                             "statement.name", req->statement().name(),
                             "statement.version", req->statement().version()));
        ASSIGN_OR_RETURN(StatementUpdate update, UpdateFromProto(*req));
        ASSIGN_OR_RETURN(Statement s,
                         core_->UpdateStatement(call, target.statement_id,
                                                target.version, update));
        ToProto(s, resp);
        return absl::OkStatus();
      },
      ConflictDetails(req->statement().name(), req->statement().version()));
}

grpc::ServerUnaryReactor* StatementServiceImpl::ReviseStatement(
    grpc::CallbackServerContext* ctx, const v1::ReviseStatementRequest* req,
    v1::Revision* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kReviseStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ReviseParams params, ReviseParamsFromProto(*req));
        ASSIGN_OR_RETURN(Revision r,
                         core_->ReviseStatement(call, std::move(params)));
        ToProto(r, resp);
        return absl::OkStatus();
      },
      ConflictDetails(req->statement(), req->version()));
}

grpc::ServerUnaryReactor* StatementServiceImpl::OpenStatement(
    grpc::CallbackServerContext* ctx, const v1::OpenStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kOpenStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedName target,
                         VersionedNameFromProto("name", req->name(), "version",
                                                req->version()));
        ASSIGN_OR_RETURN(
            Statement s,
            core_->OpenStatement(call, target.statement_id, target.version));
        ToProto(s, resp);
        return absl::OkStatus();
      },
      ConflictDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* StatementServiceImpl::CloseStatement(
    grpc::CallbackServerContext* ctx, const v1::CloseStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kCloseStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedName target,
                         VersionedNameFromProto("name", req->name(), "version",
                                                req->version()));
        ASSIGN_OR_RETURN(
            Statement s,
            core_->CloseStatement(call, target.statement_id, target.version));
        ToProto(s, resp);
        return absl::OkStatus();
      },
      ConflictDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* StatementServiceImpl::ArchiveStatement(
    grpc::CallbackServerContext* ctx, const v1::ArchiveStatementRequest* req,
    v1::Statement* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kArchiveStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(VersionedName target,
                         VersionedNameFromProto("name", req->name(), "version",
                                                req->version()));
        ASSIGN_OR_RETURN(
            Statement s,
            core_->ArchiveStatement(call, target.statement_id, target.version));
        ToProto(s, resp);
        return absl::OkStatus();
      },
      ConflictDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetRevision(
    grpc::CallbackServerContext* ctx, const v1::GetRevisionRequest* req,
    v1::Revision* resp) {
  // The full view carries the source and skeleton, megabytes at most.
  return UnaryCall::Serve(
      ctx, *env_, kGetRevision, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto name, ParseRevisionName("name", req->name()));
        ASSIGN_OR_RETURN(bool full, FullViewFromProto(req->view()));
        ASSIGN_OR_RETURN(
            Revision r,
            core_->GetRevision(call.caller(), name.first, name.second, full));
        ToProto(r, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListRevisions(
    grpc::CallbackServerContext* ctx, const v1::ListRevisionsRequest* req,
    v1::ListRevisionsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListRevisions, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseStatementName("parent", req->parent()));
        ASSIGN_OR_RETURN(
            RevisionPage page,
            core_->ListRevisions(call.caller(), id, req->page_size(),
                                 req->page_token()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetSourceSegment(
    grpc::CallbackServerContext* ctx, const v1::GetSourceSegmentRequest* req,
    v1::SourceSegment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetSourceSegment, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto name, ParseSegmentName("name", req->name()));
        ASSIGN_OR_RETURN(
            int revision,
            ParseOptionalRevision("revision", req->revision(), name.first));
        ASSIGN_OR_RETURN(SourceSegment seg,
                         core_->GetSourceSegment(call.caller(), name.first,
                                                 name.second, revision));
        ToProto(seg, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListSourceSegments(
    grpc::CallbackServerContext* ctx, const v1::ListSourceSegmentsRequest* req,
    v1::ListSourceSegmentsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListSourceSegments, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::string id,
                         ParseStatementName("parent", req->parent()));
        ASSIGN_OR_RETURN(int revision, ParseOptionalRevision(
                                           "revision", req->revision(), id));
        ASSIGN_OR_RETURN(SourceSegmentPage page,
                         core_->ListSourceSegments(
                             call.caller(), id, revision, req->page_size(),
                             req->page_token(), req->translatable_only()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

}  // namespace tessera::statement

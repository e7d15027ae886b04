#include "services/statement/statement_service.h"

#include "absl/strings/cord.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/errors.h"
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

absl::Status StatementServiceImpl::Decorate(absl::Status status,
                                            std::string_view method) const {
  return DecorateError(std::move(status), method);
}

absl::Status StatementServiceImpl::WithConflict(absl::Status status,
                                                std::string_view statement_id,
                                                int64_t request_version) const {
  if (!absl::IsAborted(status)) return status;
  v1::VersionConflict conflict;
  conflict.set_resource(StrCat("statements/", statement_id));
  conflict.set_request_version(request_version);
  auto current = core_->LoadStatement(statement_id);
  if (current.ok()) {
    conflict.set_current_version(static_cast<int64_t>(current->version));
    v1::Statement proto;
    ToProto(*current, &proto);
    conflict.mutable_current()->PackFrom(proto);
  }
  AttachDetail(status, conflict);
  return status;
}

grpc::ServerUnaryReactor* StatementServiceImpl::CreateStatement(
    grpc::CallbackServerContext* ctx, const v1::CreateStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kCreateStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(CreateParams params, CreateParamsFromProto(*req));
          params.control.deadline = call.deadline();
          ASSIGN_OR_RETURN(Statement s, core_->CreateStatement(
                                            call.caller(), std::move(params)));
          ToProto(s, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kCreateStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetStatement(
    grpc::CallbackServerContext* ctx, const v1::GetStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kGetStatement, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseStatementName("name", req->name()));
          ASSIGN_OR_RETURN(Statement s, core_->GetStatement(call.caller(), id));
          ToProto(s, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kGetStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListStatements(
    grpc::CallbackServerContext* ctx, const v1::ListStatementsRequest* req,
    v1::ListStatementsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListStatements, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(ListStatementsQuery query, QueryFromProto(*req));
          ASSIGN_OR_RETURN(
              StatementPage page,
              core_->ListStatements(call.caller(), query, req->page_size(),
                                    req->page_token()));
          for (const auto& s : page.statements) {
            ToProto(s, resp->add_statements());
          }
          resp->set_next_page_token(page.next_page_token);
          return absl::OkStatus();
        };
        return Decorate(run(), kListStatements);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::UpdateStatement(
    grpc::CallbackServerContext* ctx, const v1::UpdateStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kUpdateStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(
              std::string id,
              ParseStatementName("statement.name", req->statement().name()));
          if (req->statement().version() <= 0) {
            return InvalidFieldError(
                "statement.version",
                "is required: pass the Statement.version you last read");
          }
          ASSIGN_OR_RETURN(StatementUpdate update, UpdateFromProto(*req));
          absl::StatusOr<Statement> s = core_->UpdateStatement(
              call.caller(), id,
              static_cast<uint64_t>(req->statement().version()), update);
          if (!s.ok()) {
            return WithConflict(s.status(), id, req->statement().version());
          }
          ToProto(*s, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kUpdateStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ReviseStatement(
    grpc::CallbackServerContext* ctx, const v1::ReviseStatementRequest* req,
    v1::Revision* resp) {
  return HandleUnary(
      ctx, *env_, kReviseStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(ReviseParams params, ReviseParamsFromProto(*req));
          params.control.deadline = call.deadline();
          std::string id = params.statement_id;
          absl::StatusOr<Revision> r =
              core_->ReviseStatement(call.caller(), std::move(params));
          if (!r.ok()) return WithConflict(r.status(), id, req->version());
          ToProto(*r, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kReviseStatement);
      });
}

namespace {

// Shared body of Open, Close and Archive.
template <typename Request, typename Fn>
absl::Status RunTransition(const Request& req, v1::Statement* resp, Fn fn) {
  ASSIGN_OR_RETURN(std::string id, ParseStatementName("name", req.name()));
  if (req.version() <= 0) {
    return InvalidFieldError(
        "version", "is required: pass the Statement.version you last read");
  }
  absl::StatusOr<Statement> s = fn(id, static_cast<uint64_t>(req.version()));
  if (!s.ok()) return s.status();
  ToProto(*s, resp);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* StatementServiceImpl::OpenStatement(
    grpc::CallbackServerContext* ctx, const v1::OpenStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kOpenStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        absl::Status s = RunTransition(
            *req, resp,
            [&](const std::string& id,
                uint64_t version) -> absl::StatusOr<Statement> {
              auto st = core_->OpenStatement(call.caller(), id, version);
              if (!st.ok()) {
                return WithConflict(st.status(), id,
                                    static_cast<int64_t>(version));
              }
              return st;
            });
        return Decorate(s, kOpenStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::CloseStatement(
    grpc::CallbackServerContext* ctx, const v1::CloseStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kCloseStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        absl::Status s = RunTransition(
            *req, resp,
            [&](const std::string& id,
                uint64_t version) -> absl::StatusOr<Statement> {
              auto st = core_->CloseStatement(call.caller(), id, version);
              if (!st.ok()) {
                return WithConflict(st.status(), id,
                                    static_cast<int64_t>(version));
              }
              return st;
            });
        return Decorate(s, kCloseStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ArchiveStatement(
    grpc::CallbackServerContext* ctx, const v1::ArchiveStatementRequest* req,
    v1::Statement* resp) {
  return HandleUnary(
      ctx, *env_, kArchiveStatement, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        absl::Status s = RunTransition(
            *req, resp,
            [&](const std::string& id,
                uint64_t version) -> absl::StatusOr<Statement> {
              auto st = core_->ArchiveStatement(call.caller(), id, version);
              if (!st.ok()) {
                return WithConflict(st.status(), id,
                                    static_cast<int64_t>(version));
              }
              return st;
            });
        return Decorate(s, kArchiveStatement);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetRevision(
    grpc::CallbackServerContext* ctx, const v1::GetRevisionRequest* req,
    v1::Revision* resp) {
  return HandleUnary(
      ctx, *env_, kGetRevision, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(auto name, ParseRevisionName("name", req->name()));
          if (req->view() < v1::REVISION_VIEW_UNSPECIFIED ||
              req->view() > v1::REVISION_VIEW_FULL) {
            return InvalidFieldError("view", "must be BASIC or FULL");
          }
          ASSIGN_OR_RETURN(
              Revision r,
              core_->GetRevision(call.caller(), name.first, name.second,
                                 req->view() == v1::REVISION_VIEW_FULL));
          ToProto(r, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kGetRevision);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListRevisions(
    grpc::CallbackServerContext* ctx, const v1::ListRevisionsRequest* req,
    v1::ListRevisionsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListRevisions, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseStatementName("parent", req->parent()));
          ASSIGN_OR_RETURN(
              RevisionPage page,
              core_->ListRevisions(call.caller(), id, req->page_size(),
                                   req->page_token()));
          for (const auto& r : page.revisions)
            ToProto(r, resp->add_revisions());
          resp->set_next_page_token(page.next_page_token);
          return absl::OkStatus();
        };
        return Decorate(run(), kListRevisions);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::GetSourceSegment(
    grpc::CallbackServerContext* ctx, const v1::GetSourceSegmentRequest* req,
    v1::SourceSegment* resp) {
  return HandleUnary(
      ctx, *env_, kGetSourceSegment, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(auto name, ParseSegmentName("name", req->name()));
          ASSIGN_OR_RETURN(
              int revision,
              ParseOptionalRevision("revision", req->revision(), name.first));
          ASSIGN_OR_RETURN(SourceSegment seg,
                           core_->GetSourceSegment(call.caller(), name.first,
                                                   name.second, revision));
          ToProto(seg, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kGetSourceSegment);
      });
}

grpc::ServerUnaryReactor* StatementServiceImpl::ListSourceSegments(
    grpc::CallbackServerContext* ctx, const v1::ListSourceSegmentsRequest* req,
    v1::ListSourceSegmentsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListSourceSegments, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::string id,
                           ParseStatementName("parent", req->parent()));
          ASSIGN_OR_RETURN(int revision, ParseOptionalRevision(
                                             "revision", req->revision(), id));
          ASSIGN_OR_RETURN(SourceSegmentPage page,
                           core_->ListSourceSegments(
                               call.caller(), id, revision, req->page_size(),
                               req->page_token(), req->translatable_only()));
          for (const auto& seg : page.segments) {
            ToProto(seg, resp->add_source_segments());
          }
          resp->set_next_page_token(page.next_page_token);
          resp->set_total_size(page.total_size);
          return absl::OkStatus();
        };
        return Decorate(run(), kListSourceSegments);
      });
}

}  // namespace tessera::statement

// StatementService: the gRPC face of StatementCore. Each handler parses and
// converts the request, calls the core and converts back; nothing else.
// On the way out every error gets its google.rpc.ErrorInfo (with the
// method for PERMISSION_DENIED), and a stale-version ABORTED gets a
// tessera.v1.VersionConflict holding the statement as it is now.
//
// Thread-safe; the core and the CallEnv must outlive it.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_

#include "services/grpc/call.h"
#include "services/statement/statement_core.h"
#include "tessera/v1/statement.grpc.pb.h"

namespace tessera::statement {

class StatementServiceImpl final
    : public tessera::v1::StatementService::CallbackService {
 public:
  StatementServiceImpl(StatementCore* core, const CallEnv* env)
      : core_(core), env_(env) {}

  grpc::ServerUnaryReactor* CreateStatement(
      grpc::CallbackServerContext* ctx, const v1::CreateStatementRequest* req,
      v1::Statement* resp) override;
  grpc::ServerUnaryReactor* GetStatement(grpc::CallbackServerContext* ctx,
                                         const v1::GetStatementRequest* req,
                                         v1::Statement* resp) override;
  grpc::ServerUnaryReactor* ListStatements(
      grpc::CallbackServerContext* ctx, const v1::ListStatementsRequest* req,
      v1::ListStatementsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateStatement(
      grpc::CallbackServerContext* ctx, const v1::UpdateStatementRequest* req,
      v1::Statement* resp) override;
  grpc::ServerUnaryReactor* ReviseStatement(
      grpc::CallbackServerContext* ctx, const v1::ReviseStatementRequest* req,
      v1::Revision* resp) override;
  grpc::ServerUnaryReactor* OpenStatement(grpc::CallbackServerContext* ctx,
                                          const v1::OpenStatementRequest* req,
                                          v1::Statement* resp) override;
  grpc::ServerUnaryReactor* CloseStatement(grpc::CallbackServerContext* ctx,
                                           const v1::CloseStatementRequest* req,
                                           v1::Statement* resp) override;
  grpc::ServerUnaryReactor* ArchiveStatement(
      grpc::CallbackServerContext* ctx, const v1::ArchiveStatementRequest* req,
      v1::Statement* resp) override;
  grpc::ServerUnaryReactor* GetRevision(grpc::CallbackServerContext* ctx,
                                        const v1::GetRevisionRequest* req,
                                        v1::Revision* resp) override;
  grpc::ServerUnaryReactor* ListRevisions(
      grpc::CallbackServerContext* ctx, const v1::ListRevisionsRequest* req,
      v1::ListRevisionsResponse* resp) override;
  grpc::ServerUnaryReactor* GetSourceSegment(
      grpc::CallbackServerContext* ctx, const v1::GetSourceSegmentRequest* req,
      v1::SourceSegment* resp) override;
  grpc::ServerUnaryReactor* ListSourceSegments(
      grpc::CallbackServerContext* ctx,
      const v1::ListSourceSegmentsRequest* req,
      v1::ListSourceSegmentsResponse* resp) override;

 private:
  // Adds the ErrorInfo every error carries (common.proto, "Errors").
  absl::Status Decorate(absl::Status status, std::string_view method) const;
  // Adds a VersionConflict to an ABORTED answer about `statement_id`.
  absl::Status WithConflict(absl::Status status, std::string_view statement_id,
                            int64_t request_version) const;

  StatementCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_

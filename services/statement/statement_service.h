// StatementService: the gRPC face of StatementCore. Each handler converts
// the request, makes one call into the core and converts back; UnaryCall
// authorises, runs changes and long reads on the worker pool, and gives
// every error its google.rpc.ErrorInfo (with the method for
// PERMISSION_DENIED). A stale-version ABORTED also gets a
// tessera.v1.VersionConflict holding the statement as it is now.
//
// Thread-safe; the core and the CallEnv must outlive it.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "services/grpc/call.h"
#include "services/statement/statement_core.h"
#include "tessera/v1/statement.grpc.pb.h"

namespace tessera::statement {

// The VersionConflict detail of a change to the statement named
// `statement_name` ("statements/{id}") made against `request_version`:
// added to an ABORTED `status`, with the statement as it is now when it
// still loads. Other statuses, and names that do not parse, pass unchanged.
absl::Status AddVersionConflict(const StatementCore& core, absl::Status status,
                                std::string_view statement_name,
                                int64_t request_version);

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
  // AddVersionConflict for one request, as UnaryCall's edge details.
  EdgeDetails ConflictDetails(std::string_view statement_name,
                              int64_t request_version) const;

  StatementCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_SERVICE_H_

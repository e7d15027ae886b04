// TranslationServiceImpl: the gRPC adapter of TranslationCore. Each handler
// authorizes through CallEnv (see services/grpc/call.h), converts the
// request, calls the core and converts the answer; errors get their
// google.rpc details (ErrorInfo always, VersionConflict on ABORTED with the
// current Translation, QaReport and BadRequest on QA errors).
//
// Thread-safe; the core and the environment must outlive it.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_

#include "services/grpc/call.h"
#include "services/translation/translation_core.h"
#include "tessera/v1/translation.grpc.pb.h"

namespace tessera::translation {

class TranslationServiceImpl final
    : public tessera::v1::TranslationService::CallbackService {
 public:
  TranslationServiceImpl(TranslationCore* core, const CallEnv* env)
      : core_(core), env_(env) {}

  grpc::ServerUnaryReactor* ListSegments(
      grpc::CallbackServerContext* ctx, const v1::ListSegmentsRequest* req,
      v1::ListSegmentsResponse* resp) override;
  grpc::ServerUnaryReactor* GetSegment(grpc::CallbackServerContext* ctx,
                                       const v1::GetSegmentRequest* req,
                                       v1::Translation* resp) override;
  grpc::ServerUnaryReactor* SaveDraft(grpc::CallbackServerContext* ctx,
                                      const v1::SaveDraftRequest* req,
                                      v1::Translation* resp) override;
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx,
                                   const v1::SubmitRequest* req,
                                   v1::Translation* resp) override;
  grpc::ServerUnaryReactor* Approve(grpc::CallbackServerContext* ctx,
                                    const v1::ApproveRequest* req,
                                    v1::Translation* resp) override;
  grpc::ServerUnaryReactor* Reject(grpc::CallbackServerContext* ctx,
                                   const v1::RejectRequest* req,
                                   v1::Translation* resp) override;
  grpc::ServerUnaryReactor* Reopen(grpc::CallbackServerContext* ctx,
                                   const v1::ReopenRequest* req,
                                   v1::Translation* resp) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* ctx,
                                       const v1::GetHistoryRequest* req,
                                       v1::GetHistoryResponse* resp) override;
  grpc::ServerUnaryReactor* AddComment(grpc::CallbackServerContext* ctx,
                                       const v1::AddCommentRequest* req,
                                       v1::Comment* resp) override;
  grpc::ServerUnaryReactor* ListComments(
      grpc::CallbackServerContext* ctx, const v1::ListCommentsRequest* req,
      v1::ListCommentsResponse* resp) override;

 private:
  // Adds ErrorInfo (and the method for PERMISSION_DENIED) when missing,
  // a VersionConflict on ABORTED and a QaReport on QA errors.
  absl::Status Decorate(absl::Status status, std::string_view method,
                        const TranslationRef* ref,
                        int64_t request_version) const;

  // One mutation: parse the name and version, run `op`, convert.
  template <typename Op>
  grpc::ServerUnaryReactor* Mutation(grpc::CallbackServerContext* ctx,
                                     std::string_view method,
                                     const std::string& name, int64_t version,
                                     v1::Translation* resp, Op op);

  TranslationCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_

// TranslationServiceImpl: the gRPC adapter of TranslationCore. Each handler
// is authorise (UnaryCall, services/grpc/call.h), convert the request
// (translation_convert.h), one call into the core, convert the answer.
// Changes and comments run on the worker pool (CallKind::kWrite), and so
// does GetSegment, a point read that may first carry a new source revision
// over and commit it; listings and histories run on the read pool
// (CallKind::kLongRead), which may commit too. No call runs on a gRPC
// thread. Errors get their google.rpc details
// at the edge: ErrorInfo always, and for a failed change a VersionConflict
// with the current Translation on ABORTED and a QaReport on QA errors.
//
// Thread-safe; the core and the environment must outlive it.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
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

  // The edge details of a failed change of the translation `name` (the
  // request's, which must outlive the call) asked at `version`: a
  // tessera.v1.VersionConflict with the translation as it is now on
  // ABORTED, and a tessera.v1.QaReport when the core reported QA issues.
  // It reads the core, so it runs where the change ran: on the worker pool.
  EdgeDetails ChangeDetails(const std::string& name, int64_t version) const;

 private:
  TranslationCore* core_;
  const CallEnv* env_;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_SERVICE_H_

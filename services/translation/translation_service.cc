#include "services/translation/translation_service.h"

#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/grpc/grpc_status.h"
#include "services/translation/translation_convert.h"
#include "text/language.h"

namespace tessera::translation {
namespace {

#define TESSERA_TRANSLATION_METHOD(name) \
  constexpr std::string_view k##name = "/tessera.v1.TranslationService/" #name

TESSERA_TRANSLATION_METHOD(ListSegments);
TESSERA_TRANSLATION_METHOD(GetSegment);
TESSERA_TRANSLATION_METHOD(SaveDraft);
TESSERA_TRANSLATION_METHOD(Submit);
TESSERA_TRANSLATION_METHOD(Approve);
TESSERA_TRANSLATION_METHOD(Reject);
TESSERA_TRANSLATION_METHOD(Reopen);
TESSERA_TRANSLATION_METHOD(GetHistory);
TESSERA_TRANSLATION_METHOD(AddComment);
TESSERA_TRANSLATION_METHOD(ListComments);

#undef TESSERA_TRANSLATION_METHOD

// The canonical form of a tag the core accepted.
std::string CanonicalLanguage(const std::string& tag) {
  auto canonical = text::CanonicalizeLanguageTag(tag);
  return canonical.ok() ? *canonical : tag;
}

}  // namespace

EdgeDetails TranslationServiceImpl::ChangeDetails(const std::string& name,
                                                  int64_t version) const {
  return [this, &name, version](absl::Status status) {
    auto ref = ParseTranslationName("name", name);
    if (absl::IsAborted(status) && ref.ok()) {
      v1::VersionConflict conflict;
      conflict.set_resource(StrCat("statements/", ref->statement_id,
                                   "/languages/", ref->language, "/segments/",
                                   ref->segment_id));
      conflict.set_request_version(version);
      auto current = core_->LoadTranslation(*ref);
      if (current.ok()) {
        conflict.set_current_version(static_cast<int64_t>(current->version));
        v1::Translation proto;
        ToProto(*current, &proto);
        conflict.set_resource(proto.name());
        conflict.mutable_current()->PackFrom(proto);
      }
      AttachDetail(status, conflict);
    }
    std::vector<text::QaIssue> qa = QaIssuesOf(status);
    if (!qa.empty()) {
      v1::QaReport report;
      for (const auto& issue : qa) ToProto(issue, report.add_issues());
      AttachDetail(status, report);
    }
    return status;
  };
}

grpc::ServerUnaryReactor* TranslationServiceImpl::ListSegments(
    grpc::CallbackServerContext* ctx, const v1::ListSegmentsRequest* req,
    v1::ListSegmentsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListSegments, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto parent,
                         ParseLanguageName("parent", req->parent()));
        ASSIGN_OR_RETURN(ListSegmentsQuery query, QueryFromProto(*req));
        ASSIGN_OR_RETURN(
            TranslationPage page,
            core_->ListSegments(call.caller(), parent.first, parent.second,
                                query, req->page_size(), req->page_token()));
        for (const auto& t : page.translations) {
          ToProto(t, resp->add_translations());
        }
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::GetSegment(
    grpc::CallbackServerContext* ctx, const v1::GetSegmentRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetSegment, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(Translation t, core_->GetSegment(call.caller(), ref));
        ToProto(t, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::SaveDraft(
    grpc::CallbackServerContext* ctx, const v1::SaveDraftRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kSaveDraft, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(uint64_t version, VersionFromProto(req->version()));
        ASSIGN_OR_RETURN(formats::Content content,
                         ContentFromProto("content", req->content()));
        ASSIGN_OR_RETURN(Translation t,
                         core_->SaveDraft(call, ref, version, content));
        ToProto(t, resp);
        return absl::OkStatus();
      },
      ChangeDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Submit(
    grpc::CallbackServerContext* ctx, const v1::SubmitRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kSubmit, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(uint64_t version, VersionFromProto(req->version()));
        ASSIGN_OR_RETURN(formats::Content content,
                         ContentFromProto("content", req->content()));
        ASSIGN_OR_RETURN(
            Translation t,
            core_->Submit(call, ref, version, content, req->validate_only()));
        ToProto(t, resp);
        return absl::OkStatus();
      },
      ChangeDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Approve(
    grpc::CallbackServerContext* ctx, const v1::ApproveRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kApprove, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(uint64_t version, VersionFromProto(req->version()));
        ASSIGN_OR_RETURN(Translation t,
                         core_->Approve(call, ref, version, req->comment()));
        ToProto(t, resp);
        return absl::OkStatus();
      },
      ChangeDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Reject(
    grpc::CallbackServerContext* ctx, const v1::RejectRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kReject, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(uint64_t version, VersionFromProto(req->version()));
        ASSIGN_OR_RETURN(Translation t,
                         core_->Reject(call, ref, version, req->reason()));
        ToProto(t, resp);
        return absl::OkStatus();
      },
      ChangeDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Reopen(
    grpc::CallbackServerContext* ctx, const v1::ReopenRequest* req,
    v1::Translation* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kReopen, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(uint64_t version, VersionFromProto(req->version()));
        ASSIGN_OR_RETURN(Translation t,
                         core_->Reopen(call, ref, version, req->reason()));
        ToProto(t, resp);
        return absl::OkStatus();
      },
      ChangeDetails(req->name(), req->version()));
}

grpc::ServerUnaryReactor* TranslationServiceImpl::GetHistory(
    grpc::CallbackServerContext* ctx, const v1::GetHistoryRequest* req,
    v1::GetHistoryResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetHistory, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("name", req->name()));
        ASSIGN_OR_RETURN(HistoryPage page,
                         core_->GetHistory(call.caller(), ref, req->page_size(),
                                           req->page_token()));
        for (const auto& e : page.entries) {
          ToProto(e, ref, resp->add_entries());
        }
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::AddComment(
    grpc::CallbackServerContext* ctx, const v1::AddCommentRequest* req,
    v1::Comment* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kAddComment, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("parent", req->parent()));
        ASSIGN_OR_RETURN(Comment c, core_->AddComment(call, ref, req->text(),
                                                      req->request_id()));
        ref.language = CanonicalLanguage(ref.language);
        ToProto(c, ref, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::ListComments(
    grpc::CallbackServerContext* ctx, const v1::ListCommentsRequest* req,
    v1::ListCommentsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListComments, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(TranslationRef ref,
                         ParseTranslationName("parent", req->parent()));
        ASSIGN_OR_RETURN(
            CommentPage page,
            core_->ListComments(call.caller(), ref, req->page_size(),
                                req->page_token()));
        ref.language = CanonicalLanguage(ref.language);
        for (const auto& c : page.comments) {
          ToProto(c, ref, resp->add_comments());
        }
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

}  // namespace tessera::translation

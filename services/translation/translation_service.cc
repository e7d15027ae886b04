#include "services/translation/translation_service.h"

#include "absl/strings/cord.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/errors.h"
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

absl::Status RequireVersion(int64_t version) {
  if (version <= 0) {
    return statement::InvalidFieldError(
        "version", "is required: pass the Translation.version you last read");
  }
  return absl::OkStatus();
}

// The canonical form of a tag the core accepted.
std::string CanonicalLanguage(const std::string& tag) {
  auto canonical = text::CanonicalizeLanguageTag(tag);
  return canonical.ok() ? *canonical : tag;
}

}  // namespace

absl::Status TranslationServiceImpl::Decorate(absl::Status status,
                                              std::string_view method,
                                              const TranslationRef* ref,
                                              int64_t request_version) const {
  if (status.ok()) return status;
  status = DecorateError(std::move(status), method);
  if (absl::IsAborted(status) && ref != nullptr) {
    v1::VersionConflict conflict;
    conflict.set_resource(StrCat("statements/", ref->statement_id,
                                 "/languages/", ref->language, "/segments/",
                                 ref->segment_id));
    conflict.set_request_version(request_version);
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
    for (const auto& i : qa) ToProto(i, report.add_issues());
    AttachDetail(status, report);
  }
  return status;
}

template <typename Op>
grpc::ServerUnaryReactor* TranslationServiceImpl::Mutation(
    grpc::CallbackServerContext* ctx, std::string_view method,
    const std::string& name, int64_t version, v1::Translation* resp, Op op) {
  return HandleUnary(
      ctx, *env_, method, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        TranslationRef ref;
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(ref, ParseTranslationName("name", name));
          RETURN_IF_ERROR(RequireVersion(version));
          ASSIGN_OR_RETURN(Translation t, op(call.caller(), ref,
                                             static_cast<uint64_t>(version)));
          ToProto(t, resp);
          return absl::OkStatus();
        };
        // The status first: Decorate needs the name run() parsed.
        absl::Status status = run();
        return Decorate(std::move(status), method,
                        ref.segment_id.empty() ? nullptr : &ref, version);
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::ListSegments(
    grpc::CallbackServerContext* ctx, const v1::ListSegmentsRequest* req,
    v1::ListSegmentsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListSegments, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
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
        };
        return Decorate(run(), kListSegments, nullptr, 0);
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::GetSegment(
    grpc::CallbackServerContext* ctx, const v1::GetSegmentRequest* req,
    v1::Translation* resp) {
  return HandleUnary(
      ctx, *env_, kGetSegment, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(TranslationRef ref,
                           ParseTranslationName("name", req->name()));
          ASSIGN_OR_RETURN(Translation t,
                           core_->GetSegment(call.caller(), ref));
          ToProto(t, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kGetSegment, nullptr, 0);
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::SaveDraft(
    grpc::CallbackServerContext* ctx, const v1::SaveDraftRequest* req,
    v1::Translation* resp) {
  return Mutation(ctx, kSaveDraft, req->name(), req->version(), resp,
                  [=, this](const Principal& caller, const TranslationRef& ref,
                            uint64_t version) -> absl::StatusOr<Translation> {
                    ASSIGN_OR_RETURN(
                        formats::Content content,
                        ContentFromProto("content", req->content()));
                    return core_->SaveDraft(caller, ref, version, content);
                  });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Submit(
    grpc::CallbackServerContext* ctx, const v1::SubmitRequest* req,
    v1::Translation* resp) {
  return Mutation(ctx, kSubmit, req->name(), req->version(), resp,
                  [=, this](const Principal& caller, const TranslationRef& ref,
                            uint64_t version) -> absl::StatusOr<Translation> {
                    ASSIGN_OR_RETURN(
                        formats::Content content,
                        ContentFromProto("content", req->content()));
                    return core_->Submit(caller, ref, version, content,
                                         req->validate_only());
                  });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Approve(
    grpc::CallbackServerContext* ctx, const v1::ApproveRequest* req,
    v1::Translation* resp) {
  return Mutation(ctx, kApprove, req->name(), req->version(), resp,
                  [=, this](const Principal& caller, const TranslationRef& ref,
                            uint64_t version) {
                    return core_->Approve(caller, ref, version, req->comment());
                  });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Reject(
    grpc::CallbackServerContext* ctx, const v1::RejectRequest* req,
    v1::Translation* resp) {
  return Mutation(ctx, kReject, req->name(), req->version(), resp,
                  [=, this](const Principal& caller, const TranslationRef& ref,
                            uint64_t version) {
                    return core_->Reject(caller, ref, version, req->reason());
                  });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::Reopen(
    grpc::CallbackServerContext* ctx, const v1::ReopenRequest* req,
    v1::Translation* resp) {
  return Mutation(ctx, kReopen, req->name(), req->version(), resp,
                  [=, this](const Principal& caller, const TranslationRef& ref,
                            uint64_t version) {
                    return core_->Reopen(caller, ref, version, req->reason());
                  });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::GetHistory(
    grpc::CallbackServerContext* ctx, const v1::GetHistoryRequest* req,
    v1::GetHistoryResponse* resp) {
  return HandleUnary(
      ctx, *env_, kGetHistory, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(TranslationRef ref,
                           ParseTranslationName("name", req->name()));
          ASSIGN_OR_RETURN(
              HistoryPage page,
              core_->GetHistory(call.caller(), ref, req->page_size(),
                                req->page_token()));
          for (const auto& e : page.entries) {
            ToProto(e, ref, resp->add_entries());
          }
          resp->set_next_page_token(page.next_page_token);
          return absl::OkStatus();
        };
        return Decorate(run(), kGetHistory, nullptr, 0);
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::AddComment(
    grpc::CallbackServerContext* ctx, const v1::AddCommentRequest* req,
    v1::Comment* resp) {
  return HandleUnary(
      ctx, *env_, kAddComment, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
          ASSIGN_OR_RETURN(TranslationRef ref,
                           ParseTranslationName("parent", req->parent()));
          ASSIGN_OR_RETURN(Comment c,
                           core_->AddComment(call.caller(), ref, req->text(),
                                             req->request_id()));
          ref.language = CanonicalLanguage(ref.language);
          ToProto(c, ref, resp);
          return absl::OkStatus();
        };
        return Decorate(run(), kAddComment, nullptr, 0);
      });
}

grpc::ServerUnaryReactor* TranslationServiceImpl::ListComments(
    grpc::CallbackServerContext* ctx, const v1::ListCommentsRequest* req,
    v1::ListCommentsResponse* resp) {
  return HandleUnary(
      ctx, *env_, kListComments, CallKind::kRead,
      [=, this](const CallContext& call) -> absl::Status {
        auto run = [&]() -> absl::Status {
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
        };
        return Decorate(run(), kListComments, nullptr, 0);
      });
}

}  // namespace tessera::translation

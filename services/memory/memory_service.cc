#include "services/memory/memory_service.h"

#include <string_view>
#include <utility>

#include "common/status_macros.h"
#include "services/common/errors.h"
#include "services/grpc/grpc_status.h"
#include "common/strings.h"
#include "services/memory/memory_convert.h"
#include "services/memory/memory_score.h"

namespace tessera::memory {
namespace {

#define TESSERA_MEMORY_METHOD(name) \
  constexpr std::string_view k##name = "/tessera.v1.MemoryService/" #name

TESSERA_MEMORY_METHOD(Lookup);
TESSERA_MEMORY_METHOD(SearchConcordance);
TESSERA_MEMORY_METHOD(GetSuggestions);
TESSERA_MEMORY_METHOD(CreateGlossaryEntry);
TESSERA_MEMORY_METHOD(GetGlossaryEntry);
TESSERA_MEMORY_METHOD(ListGlossaryEntries);
TESSERA_MEMORY_METHOD(UpdateGlossaryEntry);
TESSERA_MEMORY_METHOD(DeleteGlossaryEntry);
TESSERA_MEMORY_METHOD(ImportTmx);
TESSERA_MEMORY_METHOD(ExportTmx);

#undef TESSERA_MEMORY_METHOD

absl::Status Unimplemented(std::string_view method) {
  return absl::UnimplementedError(
      std::string(method) + " is not served by this build");
}

// A stream finished at once with `status`.
class FinishedStream final
    : public grpc::ServerWriteReactor<v1::ExportTmxResponse> {
 public:
  explicit FinishedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* MemoryServiceImpl::Lookup(
    grpc::CallbackServerContext* ctx, const v1::LookupRequest* req,
    v1::LookupResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kLookup, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(LookupQuery q, FromProto(*req));
        RETURN_IF_ERROR(MemoryCore::CheckReader(call.caller(), q.target_language));
        ASSIGN_OR_RETURN(std::vector<Match> matches, core_->Lookup(q));
        for (const Match& m : matches) ToProto(m, resp->add_matches());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* MemoryServiceImpl::SearchConcordance(
    grpc::CallbackServerContext* ctx, const v1::SearchConcordanceRequest* req,
    v1::SearchConcordanceResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kSearchConcordance, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ConcordanceQuery q, FromProto(*req));
        RETURN_IF_ERROR(MemoryCore::CheckReader(call.caller(), q.target_language));
        ASSIGN_OR_RETURN(auto units,
                         core_->Concordance(q.source_language, q.target_language,
                                            q.phrase, q.in_target,
                                            q.max_results));
        for (const auto& u : units) ToProto(u, resp->add_units());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* MemoryServiceImpl::NotYet(
    grpc::CallbackServerContext* ctx, std::string_view method) {
  return UnaryCall::Serve(ctx, *env_, method, CallKind::kRead,
                          [method](const CallContext&) -> absl::Status {
                            return Unimplemented(method);
                          });
}

grpc::ServerUnaryReactor* MemoryServiceImpl::GetSuggestions(
    grpc::CallbackServerContext* ctx, const v1::GetSuggestionsRequest* req,
    v1::Suggestions* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetSuggestions, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(SuggestionsQuery q, FromProto(*req));
        RETURN_IF_ERROR(MemoryCore::CheckReader(call.caller(), q.ref.language));
        ASSIGN_OR_RETURN(StatementSources sources,
                         sources_->CurrentSources(q.ref.statement_id));
        const auto& segments = sources.segments;
        size_t at = 0;
        while (at < segments.size() && segments[at].first != q.ref.segment_id) {
          ++at;
        }
        if (at == segments.size()) {
          return absl::NotFoundError(
              StrCat("segment \"", q.ref.segment_id, "\" is not in the current "
                     "revision of statement \"", q.ref.statement_id, "\""));
        }
        const formats::Content& source = segments[at].second;
        q.lookup.source_language = sources.source_language;
        q.lookup.source = source;
        if (at > 0) {
          q.lookup.previous_source =
              Prepare(segments[at - 1].second, sources.source_language)
                  .normalized;
        }
        if (at + 1 < segments.size()) {
          q.lookup.next_source =
              Prepare(segments[at + 1].second, sources.source_language)
                  .normalized;
        }
        const std::string name =
            StrCat("statements/", q.ref.statement_id, "/languages/",
                   q.ref.language, "/segments/", q.ref.segment_id);
        // One more than asked, since this translation's own unit is left out.
        const int wanted = q.lookup.max_results;
        ++q.lookup.max_results;
        ASSIGN_OR_RETURN(std::vector<Match> matches, core_->Lookup(q.lookup));
        resp->set_segment(name);
        for (const Match& m : matches) {
          if (m.unit.translation() == name) continue;
          if (resp->memory_matches_size() == wanted) break;
          ToProto(m, resp->add_memory_matches());
        }
        RETURN_IF_ERROR(glossary_->AddHits(sources.source_language,
                                           q.ref.language, source.text, resp));
        if (machine_ != nullptr && !req->skip_machine() &&
            !source.text.empty()) {
          // Plain text only: the codes stay with the translator.
          auto mt = machine_->Translate(
              sources.source_language, q.ref.language, source.text,
              absl::Now() + std::min(call.deadline() - env_->clock->Now(),
                                     machine_timeout_));
          if (mt.ok()) {
            v1::MachineSuggestion* m = resp->add_machine_suggestions();
            m->set_text(mt->text);
            m->set_engine(mt->engine);
          }
        }
        return absl::OkStatus();
      });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::CreateGlossaryEntry(
    grpc::CallbackServerContext* ctx, const v1::CreateGlossaryEntryRequest* req,
    v1::GlossaryEntry* resp) {
  return UnaryCall::Serve(ctx, *env_, kCreateGlossaryEntry, CallKind::kWrite,
                          [=, this](const CallContext& c) {
                            return glossary_->Create(c, *req, resp);
                          });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::GetGlossaryEntry(
    grpc::CallbackServerContext* ctx, const v1::GetGlossaryEntryRequest* req,
    v1::GlossaryEntry* resp) {
  return UnaryCall::Serve(ctx, *env_, kGetGlossaryEntry, CallKind::kRead,
                          [=, this](const CallContext& c) {
                            return glossary_->Get(c, *req, resp);
                          });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::ListGlossaryEntries(
    grpc::CallbackServerContext* ctx, const v1::ListGlossaryEntriesRequest* req,
    v1::ListGlossaryEntriesResponse* resp) {
  return UnaryCall::Serve(ctx, *env_, kListGlossaryEntries, CallKind::kLongRead,
                          [=, this](const CallContext& c) {
                            return glossary_->List(c, *req, resp);
                          });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::UpdateGlossaryEntry(
    grpc::CallbackServerContext* ctx, const v1::UpdateGlossaryEntryRequest* req,
    v1::GlossaryEntry* resp) {
  return UnaryCall::Serve(ctx, *env_, kUpdateGlossaryEntry, CallKind::kWrite,
                          [=, this](const CallContext& c) {
                            return glossary_->Update(c, *req, resp);
                          });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::DeleteGlossaryEntry(
    grpc::CallbackServerContext* ctx, const v1::DeleteGlossaryEntryRequest* req,
    google::protobuf::Empty* resp) {
  return UnaryCall::Serve(ctx, *env_, kDeleteGlossaryEntry, CallKind::kWrite,
                          [=, this](const CallContext& c) {
                            return glossary_->Delete(c, *req, resp);
                          });
}
grpc::ServerUnaryReactor* MemoryServiceImpl::ImportTmx(
    grpc::CallbackServerContext* ctx, const v1::ImportTmxRequest*,
    v1::ImportTmxResponse*) {
  return NotYet(ctx, kImportTmx);
}

grpc::ServerWriteReactor<v1::ExportTmxResponse>* MemoryServiceImpl::ExportTmx(
    grpc::CallbackServerContext* ctx, const v1::ExportTmxRequest*) {
  absl::StatusOr<Principal> caller =
      AuthorizeCall(*env_->authorizer, *ctx, kExportTmx);
  absl::Status status =
      caller.ok() ? Unimplemented(kExportTmx) : caller.status();
  return new FinishedStream(
      ToGrpcStatus(DecorateError(std::move(status), kExportTmx)));
}

}  // namespace tessera::memory

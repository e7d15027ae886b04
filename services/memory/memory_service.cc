#include "services/memory/memory_service.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/synchronization/mutex.h"

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

// ImportTmx and ExportTmx: admins, and coordinators of the language.
absl::Status CheckTmxWriter(const Principal& caller, std::string_view lang) {
  if (caller.IsAdmin() || caller.HasRoleFor(Role::kCoordinator, lang)) {
    return absl::OkStatus();
  }
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied,
                       "LANGUAGE_NOT_GRANTED",
                       StrCat("no coordinator grant for the target language ",
                              lang, "; narrow the call with target_languages"),
                       {{"language", std::string(lang)}});
}

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

grpc::ServerUnaryReactor* MemoryServiceImpl::GetSuggestions(
    grpc::CallbackServerContext* ctx, const v1::GetSuggestionsRequest* req,
    v1::Suggestions* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetSuggestions, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(SuggestionsQuery q, FromProto(*req));
        RETURN_IF_ERROR(MemoryCore::CheckReader(call.caller(), q.ref.language));
        // The segment and its neighbours only, whatever the statement's
        // size.
        ASSIGN_OR_RETURN(SegmentWindow w,
                         sources_->CurrentSegment(q.ref.statement_id,
                                                  q.ref.segment_id));
        const auto& targets = w.target_languages;
        if (std::find(targets.begin(), targets.end(), q.ref.language) ==
            targets.end()) {
          return BadField("segment",
                          StrCat("statements/", q.ref.statement_id,
                                 " does not target the language ",
                                 q.ref.language),
                          "LANGUAGE_NOT_TARGETED",
                          {{"language", q.ref.language}});
        }
        const formats::Content& source = w.segment.content;
        q.lookup.source_language = w.source_language;
        q.lookup.source = source;
        if (w.previous.has_value()) {
          q.lookup.previous_source =
              Prepare(*w.previous, w.source_language).normalized;
        }
        if (w.next.has_value()) {
          q.lookup.next_source = Prepare(*w.next, w.source_language).normalized;
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
        RETURN_IF_ERROR(glossary_->AddHits(w.source_language, q.ref.language,
                                           source.text, resp));
        if (machine_ != nullptr && !req->skip_machine() &&
            !source.text.empty()) {
          // Plain text only: the codes stay with the translator.
          auto mt = machine_->Translate(
              w.source_language, q.ref.language, source.text,
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
    grpc::CallbackServerContext* ctx, const v1::ImportTmxRequest* req,
    v1::ImportTmxResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kImportTmx, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ImportTmxQuery q, FromProto(*req));
        // Asked-for languages are checked before the document is read.
        for (const std::string& lang : q.options.target_languages) {
          RETURN_IF_ERROR(CheckTmxWriter(call.caller(), lang));
        }
        q.options.time = env_->clock->Now();
        q.options.limits = tmx_limits_;
        ASSIGN_OR_RETURN(TmxImportPlan plan,
                         PlanTmxImport(req->tmx(), q.options));
        for (const std::string& lang : plan.target_languages) {
          RETURN_IF_ERROR(CheckTmxWriter(call.caller(), lang));
        }
        ASSIGN_OR_RETURN(AddUnitsCounts counts,
                         core_->AddUnits(plan.inputs, q.validate_only,
                                         [&] { return call.CheckDeadline(); }));
        resp->set_units_read(plan.units_read);
        resp->set_units_added(counts.added);
        resp->set_units_refreshed(counts.refreshed);
        resp->set_units_skipped(plan.units_skipped);
        for (const interchange::TmxProblem& p : plan.problems) {
          v1::ImportProblem* out = resp->add_problems();
          out->set_unit_index(p.unit_index);
          out->set_line(p.line);
          out->set_message(p.message);
        }
        return absl::OkStatus();
      });
}

// One ExportTmx stream. A producer on the read pool scans the units from
// one snapshot and writes the document into a queue of at most
// kQueuedChunks chunks; gRPC's write callbacks send them in order. Owned by
// itself (self_) until OnDone, and by the producer while it runs. State
// changes under mu_; StartWrite and Finish are called with mu_ released.
class MemoryServiceImpl::Export final
    : public grpc::ServerWriteReactor<v1::ExportTmxResponse> {
 public:
  static constexpr size_t kQueuedChunks = 2;

  Export(MemoryServiceImpl* service, grpc::CallbackServerContext* ctx,
         const v1::ExportTmxRequest* req)
      : service_(service), ctx_(ctx), req_(req) {}

  void Begin(std::shared_ptr<Export> self) {
    {
      absl::MutexLock lock(&mu_);
      self_ = self;
    }
    const CallEnv& env = *service_->env_;
    deadline_ = EffectiveDeadline(*ctx_, env);
    absl::Status status = Setup();
    if (!status.ok()) {
      Done(std::move(status));
      return;
    }
    auto run = [self] { self->Produce(); };
    if (env.readers != nullptr) {
      if (!env.readers->TrySchedule(run)) Done(ReadQueueFull(*env.readers));
    } else if (env.workers != nullptr) {
      env.workers->Schedule(run);
    } else {
      run();
    }
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        // The client went away: the producer stops at its next chunk.
        cancelled_ = true;
        queue_.clear();
      }
    }
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  void OnDone() override {
    std::shared_ptr<Export> keep;
    absl::MutexLock lock(&mu_);
    keep = std::move(self_);
    // `keep` may be the last owner: nothing touches *this after it goes.
  }

 private:
  absl::Status Setup() {
    const CallEnv& env = *service_->env_;
    ASSIGN_OR_RETURN(caller_, AuthorizeCall(*env.authorizer, *ctx_, kExportTmx));
    ASSIGN_OR_RETURN(query_, FromProto(*req_));
    for (const std::string& lang : query_.target_languages) {
      RETURN_IF_ERROR(CheckTmxWriter(caller_, lang));
    }
    return absl::OkStatus();
  }

  bool Wanted(const storage::memory::MemoryUnitRecord& u) const {
    if (u.source_language() != query_.source_language) return false;
    const std::string& lang = u.target_language();
    if (query_.target_languages.empty()) {
      if (!CheckTmxWriter(caller_, lang).ok()) return false;
    } else if (std::find(query_.target_languages.begin(),
                         query_.target_languages.end(),
                         lang) == query_.target_languages.end()) {
      return false;
    }
    const absl::Time t = absl::FromUnixMicros(u.update_time_us());
    return t >= query_.from && t < query_.to;
  }

  // Queues one chunk, waiting while the queue is full; false once the
  // call is cancelled or past its deadline.
  absl::Status Enqueue(std::string_view chunk) {
    {
      absl::MutexLock lock(&mu_);
      auto room = [this] {
        return cancelled_ || queue_.size() < kQueuedChunks;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&room), deadline_)) {
        return absl::DeadlineExceededError(
            "the client did not read the export before the deadline");
      }
      if (cancelled_) return absl::CancelledError("the call was cancelled");
      queue_.emplace_back(chunk);
    }
    Pump();
    return absl::OkStatus();
  }

  void Produce() {
    interchange::TmxWriter writer(
        [this](std::string_view chunk) { return Enqueue(chunk); },
        interchange::TmxWriter::kDefaultChunkBytes);
    interchange::TmxHeader header;
    header.srclang = query_.source_language;
    header.creationdate = interchange::FormatTmxDate(service_->env_->clock->Now());
    absl::Status status = writer.Begin(header);
    absl::Status inner;
    if (status.ok()) {
      status = service_->core_->ForEachUnit(
          [&](storage::memory::MemoryUnitRecord& u) {
            if (!Wanted(u)) return true;
            // A unit TMX cannot carry (text XML forbids) is left out;
            // the others still go.
            auto tu = TmxUnitFromRecord(u);
            if (!tu.ok()) return true;
            absl::Status added = writer.Add(*tu);
            if (absl::IsInvalidArgument(added)) return true;
            inner = std::move(added);
            return inner.ok();
          });
    }
    if (status.ok()) status = inner;
    if (status.ok()) status = writer.Finish();
    {
      absl::MutexLock lock(&mu_);
      produced_ = true;
      result_ = std::move(status);
    }
    Pump();
  }

  // Starts the next write, or finishes once everything is sent.
  void Pump() {
    enum { kNothing, kWrite, kFinish } next = kNothing;
    absl::Status result;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || finished_) return;
      if (!queue_.empty() && !cancelled_) {
        message_.set_chunk(std::move(queue_.front()));
        queue_.pop_front();
        writing_ = true;
        next = kWrite;
      } else if (produced_) {
        finished_ = true;
        result = cancelled_ && result_.ok()
                     ? absl::CancelledError("the call was cancelled")
                     : result_;
        next = kFinish;
      }
    }
    if (next == kWrite) {
      StartWrite(&message_);
    } else if (next == kFinish) {
      Done(std::move(result));
    }
  }

  void Done(absl::Status status) {
    Finish(ToGrpcStatus(DecorateError(std::move(status), kExportTmx)));
  }

  MemoryServiceImpl* service_;
  grpc::CallbackServerContext* ctx_;
  const v1::ExportTmxRequest* req_;
  absl::Time deadline_;
  Principal caller_;
  ExportTmxQuery query_;
  v1::ExportTmxResponse message_;

  absl::Mutex mu_;
  std::shared_ptr<Export> self_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool produced_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
  absl::Status result_;
};

grpc::ServerWriteReactor<v1::ExportTmxResponse>* MemoryServiceImpl::ExportTmx(
    grpc::CallbackServerContext* ctx, const v1::ExportTmxRequest* req) {
  auto stream = std::make_shared<Export>(this, ctx, req);
  Export* raw = stream.get();
  raw->Begin(std::move(stream));
  return raw;
}

}  // namespace tessera::memory

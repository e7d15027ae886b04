// MemoryServiceImpl: the gRPC adapter of the memory (memory.proto).
//
// Lookup and SearchConcordance are unary calls through UnaryCall
// (services/grpc/call.h) on the read pool (they scan index postings); the
// glossary methods delegate to the glossary's edge (GlossaryEdge), and
// GetSuggestions combines both for a segment of the current revision,
// read with its neighbours only. ImportTmx parses on the worker pool and
// writes every unit in one commit (memory_tmx.h); ExportTmx writes the
// document from one scan of the units on the read pool, which waits while
// two chunks are queued for a slow client, until the call's deadline.
//
// Thread-safe; the core and the environment must outlive it.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_SERVICE_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_SERVICE_H_

#include "services/grpc/call.h"
#include "services/memory/approval_reader.h"
#include "services/memory/glossary/glossary_service.h"
#include "services/memory/machine/machine_translator.h"
#include "services/memory/memory_core.h"
#include "services/memory/memory_tmx.h"
#include "tessera/v1/memory.grpc.pb.h"

namespace tessera::memory {

class MemoryServiceImpl final : public v1::MemoryService::CallbackService {
 public:
  // `machine` may be null (no machine suggestions).
  MemoryServiceImpl(MemoryCore* core, const SourceReader* sources,
                    const glossary::GlossaryEdge* glossary,
                    machine::MachineTranslator* machine,
                    absl::Duration machine_timeout, const CallEnv* env,
                    TmxImportLimits tmx_limits = {})
      : core_(core),
        sources_(sources),
        glossary_(glossary),
        machine_(machine),
        machine_timeout_(machine_timeout),
        env_(env),
        tmx_limits_(tmx_limits) {}

  grpc::ServerUnaryReactor* Lookup(grpc::CallbackServerContext* ctx,
                                   const v1::LookupRequest* req,
                                   v1::LookupResponse* resp) override;
  grpc::ServerUnaryReactor* SearchConcordance(
      grpc::CallbackServerContext* ctx, const v1::SearchConcordanceRequest* req,
      v1::SearchConcordanceResponse* resp) override;
  grpc::ServerUnaryReactor* GetSuggestions(
      grpc::CallbackServerContext* ctx, const v1::GetSuggestionsRequest* req,
      v1::Suggestions* resp) override;
  grpc::ServerUnaryReactor* CreateGlossaryEntry(
      grpc::CallbackServerContext* ctx,
      const v1::CreateGlossaryEntryRequest* req,
      v1::GlossaryEntry* resp) override;
  grpc::ServerUnaryReactor* GetGlossaryEntry(
      grpc::CallbackServerContext* ctx, const v1::GetGlossaryEntryRequest* req,
      v1::GlossaryEntry* resp) override;
  grpc::ServerUnaryReactor* ListGlossaryEntries(
      grpc::CallbackServerContext* ctx,
      const v1::ListGlossaryEntriesRequest* req,
      v1::ListGlossaryEntriesResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateGlossaryEntry(
      grpc::CallbackServerContext* ctx,
      const v1::UpdateGlossaryEntryRequest* req,
      v1::GlossaryEntry* resp) override;
  grpc::ServerUnaryReactor* DeleteGlossaryEntry(
      grpc::CallbackServerContext* ctx,
      const v1::DeleteGlossaryEntryRequest* req,
      google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* ImportTmx(grpc::CallbackServerContext* ctx,
                                      const v1::ImportTmxRequest* req,
                                      v1::ImportTmxResponse* resp) override;
  grpc::ServerWriteReactor<v1::ExportTmxResponse>* ExportTmx(
      grpc::CallbackServerContext* ctx,
      const v1::ExportTmxRequest* req) override;

 private:
  class Export;

  MemoryCore* core_;
  const SourceReader* sources_;
  const glossary::GlossaryEdge* glossary_;
  machine::MachineTranslator* machine_;
  absl::Duration machine_timeout_;
  const CallEnv* env_;
  TmxImportLimits tmx_limits_;
};

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_SERVICE_H_

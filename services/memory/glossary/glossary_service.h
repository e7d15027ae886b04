// GlossaryEdge: the gRPC face of GlossaryCore for MemoryService's glossary
// methods. Each method takes the request and the caller's CallContext and
// fills the response, so that a MemoryServiceImpl handler is one line
// inside UnaryCall::Serve:
//
//   return UnaryCall::Serve(ctx, *env_, kCreateGlossaryEntry,
//       CallKind::kWrite, [=, this](const CallContext& c) {
//         return glossary_->Create(c, *req, resp);
//       });
//
// The method table (policy.h) admits roles to methods; the edge then
// applies the language rule of memory.proto: reads need any role in the
// entry's target language, changes the coordinator role there (admins pass
// both). PERMISSION_DENIED is ROLE_DENIED when no role of the caller
// qualifies in any language, LANGUAGE_NOT_GRANTED (metadata language)
// otherwise. A stale version gets, besides VERSION_CONFLICT, a
// tessera.v1.VersionConflict detail holding the entry as it is now.
//
// Thread-safe; the core must outlive the edge.
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_SERVICE_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_SERVICE_H_

#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/empty.pb.h"
#include "services/common/call_context.h"
#include "services/memory/glossary/glossary_core.h"
#include "tessera/v1/memory.pb.h"

namespace tessera::memory::glossary {

class GlossaryEdge {
 public:
  explicit GlossaryEdge(GlossaryCore* core) : core_(core) {}

  // CallKind::kWrite.
  absl::Status Create(const CallContext& call,
                      const v1::CreateGlossaryEntryRequest& request,
                      v1::GlossaryEntry* response) const;
  // CallKind::kRead.
  absl::Status Get(const CallContext& call,
                   const v1::GetGlossaryEntryRequest& request,
                   v1::GlossaryEntry* response) const;
  // CallKind::kLongRead. Entries outside the caller's languages are left
  // out.
  absl::Status List(const CallContext& call,
                    const v1::ListGlossaryEntriesRequest& request,
                    v1::ListGlossaryEntriesResponse* response) const;
  // CallKind::kWrite.
  absl::Status Update(const CallContext& call,
                      const v1::UpdateGlossaryEntryRequest& request,
                      v1::GlossaryEntry* response) const;
  // CallKind::kWrite.
  absl::Status Delete(const CallContext& call,
                      const v1::DeleteGlossaryEntryRequest& request,
                      google::protobuf::Empty* response) const;

  // For GetSuggestions, once the segment and its language pair are known
  // (and the caller's access to them checked): fills
  // `response->glossary_hits` with the terms of `source_text`.
  absl::Status AddHits(std::string_view source_language,
                       std::string_view target_language,
                       std::string_view source_text,
                       v1::Suggestions* response) const;

 private:
  GlossaryCore* core_;
};

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_SERVICE_H_

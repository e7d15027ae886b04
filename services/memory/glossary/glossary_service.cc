#include "services/memory/glossary/glossary_service.h"

#include <string>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/grpc_status.h"
#include "services/memory/glossary/glossary_convert.h"
#include "tessera/v1/common.pb.h"
#include "text/language.h"

namespace tessera::memory::glossary {
namespace {

constexpr Role kReadRoles[] = {Role::kCoordinator, Role::kTranslator,
                               Role::kReviewer, Role::kService};

bool MayRead(const Principal& caller, std::string_view language) {
  if (caller.IsAdmin()) return true;
  for (Role r : kReadRoles) {
    if (caller.HasRoleFor(r, language)) return true;
  }
  return false;
}

bool MayWrite(const Principal& caller, std::string_view language) {
  return caller.HasRoleFor(Role::kCoordinator, language);
}

absl::Status Denied(const Principal& caller, bool write,
                    std::string_view language) {
  bool any_role = caller.IsAdmin() || caller.HasRole(Role::kCoordinator);
  if (!write) {
    for (Role r : kReadRoles) any_role |= caller.HasRole(r);
  }
  const std::string what = write ? "change" : "read";
  if (!any_role) {
    return ErrorWithInfo(
        absl::StatusCode::kPermissionDenied, "ROLE_DENIED",
        StrCat("no role of the caller may ", what, " glossary entries"));
  }
  return ErrorWithInfo(
      absl::StatusCode::kPermissionDenied, "LANGUAGE_NOT_GRANTED",
      StrCat("the caller may not ", what, " glossary entries into ", language),
      {{"language", std::string(language)}});
}

absl::Status CheckAccess(const Principal& caller, bool write,
                         std::string_view language) {
  const bool ok = write ? MayWrite(caller, language) : MayRead(caller, language);
  return ok ? absl::OkStatus() : Denied(caller, write, language);
}

// The VersionConflict detail for a stale change to `entry_id`.
absl::Status WithConflict(const GlossaryCore& core, absl::Status status,
                          std::string_view entry_id, int64_t requested) {
  std::optional<ErrorDetails> details = DetailsOf(status);
  if (!absl::IsAborted(status) || !details ||
      details->reason != "VERSION_CONFLICT") {
    return status;
  }
  v1::VersionConflict conflict;
  conflict.set_resource(EntryName(entry_id));
  conflict.set_request_version(requested);
  auto current = core.Get(entry_id);
  if (current.ok()) {
    conflict.set_current_version(static_cast<int64_t>(current->version));
    v1::GlossaryEntry proto;
    ToProto(*current, &proto);
    conflict.mutable_current()->PackFrom(proto);
  }
  AttachDetail(status, conflict);
  return status;
}

}  // namespace

absl::Status GlossaryEdge::Create(const CallContext& call,
                                  const v1::CreateGlossaryEntryRequest& request,
                                  v1::GlossaryEntry* response) const {
  const Principal& caller = call.caller();
  GlossaryEntry entry = EntryFromProto(request.glossary_entry());
  // A malformed tag is the core's INVALID_ARGUMENT; a good one decides.
  auto language = text::CanonicalizeLanguageTag(entry.target_language);
  if (language.ok()) {
    RETURN_IF_ERROR(CheckAccess(caller, /*write=*/true, *language));
  } else if (!caller.IsAdmin() && !caller.HasRole(Role::kCoordinator)) {
    return Denied(caller, /*write=*/true, entry.target_language);
  }
  ASSIGN_OR_RETURN(GlossaryEntry made,
                   core_->Create(call, std::move(entry), request.request_id()));
  ToProto(made, response);
  return absl::OkStatus();
}

absl::Status GlossaryEdge::Get(const CallContext& call,
                               const v1::GetGlossaryEntryRequest& request,
                               v1::GlossaryEntry* response) const {
  ASSIGN_OR_RETURN(std::string id, ParseEntryName("name", request.name()));
  ASSIGN_OR_RETURN(GlossaryEntry e, core_->Get(id));
  RETURN_IF_ERROR(CheckAccess(call.caller(), /*write=*/false,
                              e.target_language));
  ToProto(e, response);
  return absl::OkStatus();
}

absl::Status GlossaryEdge::List(const CallContext& call,
                                const v1::ListGlossaryEntriesRequest& request,
                                v1::ListGlossaryEntriesResponse* response) const {
  const Principal& caller = call.caller();
  if (!caller.IsAdmin()) {
    bool any = false;
    for (Role r : kReadRoles) any |= caller.HasRole(r);
    if (!any) return Denied(caller, /*write=*/false, "");
  }
  ASSIGN_OR_RETURN(
      GlossaryPage page,
      core_->List(QueryFromProto(request), request.page_size(),
                  request.page_token(), [&](const GlossaryEntry& e) {
                    return MayRead(caller, e.target_language);
                  }));
  ToProto(page, response);
  return absl::OkStatus();
}

absl::Status GlossaryEdge::Update(const CallContext& call,
                                  const v1::UpdateGlossaryEntryRequest& request,
                                  v1::GlossaryEntry* response) const {
  const v1::GlossaryEntry& p = request.glossary_entry();
  ASSIGN_OR_RETURN(std::string id,
                   ParseEntryName("glossary_entry.name", p.name()));
  if (p.version() <= 0) {
    return BadField("glossary_entry.version", "must be the version last read");
  }
  ASSIGN_OR_RETURN(GlossaryUpdate update, UpdateFromProto(request));
  ASSIGN_OR_RETURN(GlossaryEntry before, core_->Get(id));
  RETURN_IF_ERROR(
      CheckAccess(call.caller(), /*write=*/true, before.target_language));
  auto after = core_->Update(call, id, static_cast<uint64_t>(p.version()),
                             update);
  if (!after.ok()) {
    return WithConflict(*core_, after.status(), id, p.version());
  }
  ToProto(*after, response);
  return absl::OkStatus();
}

absl::Status GlossaryEdge::Delete(const CallContext& call,
                                  const v1::DeleteGlossaryEntryRequest& request,
                                  google::protobuf::Empty* response) const {
  ASSIGN_OR_RETURN(std::string id, ParseEntryName("name", request.name()));
  if (request.version() <= 0) {
    return BadField("version", "must be the version last read");
  }
  ASSIGN_OR_RETURN(GlossaryEntry before, core_->Get(id));
  RETURN_IF_ERROR(
      CheckAccess(call.caller(), /*write=*/true, before.target_language));
  absl::Status deleted =
      core_->Delete(call, id, static_cast<uint64_t>(request.version()));
  if (!deleted.ok()) {
    return WithConflict(*core_, std::move(deleted), id, request.version());
  }
  response->Clear();
  return absl::OkStatus();
}

absl::Status GlossaryEdge::AddHits(std::string_view source_language,
                                   std::string_view target_language,
                                   std::string_view source_text,
                                   v1::Suggestions* response) const {
  ASSIGN_OR_RETURN(
      std::vector<GlossaryHit> hits,
      core_->FindTerms(source_language, target_language, source_text));
  response->clear_glossary_hits();
  for (const GlossaryHit& hit : hits) {
    ToProto(hit, response->add_glossary_hits());
  }
  return absl::OkStatus();
}

}  // namespace tessera::memory::glossary

// PublicationCore, publishing: on-demand publication and the versioned,
// deduplicated commit every publication goes through.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_core_internal.h"

namespace tessera::publication {
namespace {

using ::tessera::storage::WriteSet;
using ::tessera::translation::SegmentState;

std::string PublicationName(std::string_view sid, std::string_view lang,
                            int64_t version) {
  return StrCat("statements/", sid, "/languages/", lang, "/publications/",
                version);
}

std::string StateEnumName(SegmentState s) {
  return StrCat("SEGMENT_STATE_", translation::SegmentStateName(s));
}

absl::Status NotApproved(std::string_view sid, std::string_view lang,
                         const std::vector<ManifestEntry>& missing) {
  absl::Status status = ErrorWithInfo(
      absl::StatusCode::kFailedPrecondition, "SEGMENTS_NOT_APPROVED",
      StrCat(missing.size(), " translatable segment(s) of statements/", sid,
             " are not approved in ", lang),
      {{"missing_count", StrCat(missing.size())}});
  ErrorDetails details = *DetailsOf(status);
  for (size_t i = 0; i < missing.size() && i < kMaxMissingListed; ++i) {
    details.preconditions.push_back(
        {"SEGMENTS_NOT_APPROVED",
         StrCat("statements/", sid, "/languages/", lang, "/segments/",
                missing[i].segment_id),
         StateEnumName(missing[i].state)});
  }
  SetDetails(status, details);
  return status;
}

}  // namespace

absl::StatusOr<Publication> PublicationCore::Save(
    const CallContext& call, const Assembly& assembly, uint64_t iid,
    Trigger trigger, Policy policy, std::string_view publisher, bool* created) {
  *created = false;
  const Publication& a = assembly.publication;
  const std::string head_key = HeadKey(iid, a.language);
  ASSIGN_OR_RETURN(auto head, tables_->heads.Get(head_key));
  const uint64_t head_version = head.has_value() ? head->version : 0;
  if (head.has_value() && head->record.fingerprint() == assembly.fingerprint) {
    ASSIGN_OR_RETURN(
        auto latest,
        Load(iid, a.language, static_cast<int64_t>(head_version), true));
    if (!latest.has_value()) {
      return absl::InternalError("publication head without publication");
    }
    return *std::move(latest);
  }
  Publication p = a;
  p.version = static_cast<int64_t>(head_version) + 1;
  p.trigger = trigger;
  p.policy = policy == Policy::kUnspecified ? Policy::kRefuse : policy;
  p.publisher = std::string(publisher);
  p.create_time = clock_->Now();
  rec::PublicationRecord r;
  ToRecord(p, assembly.fingerprint, &r);
  rec::HeadRecord new_head;
  new_head.set_fingerprint(assembly.fingerprint);

  WriteSet w;
  // The head's compare-and-set numbers the versions densely.
  tables_->heads.Update(&w, head_key, new_head, head_version);
  tables_->publications.Put(&w, PublicationKey(iid, p.language, p.version), r,
                            1);
  tables_->documents.Put(&w, DocumentKey(iid, p.language, p.version),
                         assembly.content);
  tables_->listing.Put(
      &w, ListingKey(p.create_time, p.statement_id, p.language, p.version),
      iid);
  w.AppendEvent(kEventType,
                StrCat(PublicationName(p.statement_id, p.language, p.version),
                       publisher.empty() ? std::string(" automatic")
                                         : StrCat(" by users/", publisher)));
  RETURN_IF_ERROR(call.CheckDeadline());
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  *created = true;
  return p;
}

absl::StatusOr<Publication> PublicationCore::Publish(
    const CallContext& call, std::string_view statement_id,
    std::string_view language, Policy policy) {
  const Principal& caller = call.caller();
  if (static_cast<int>(policy) > static_cast<int>(Policy::kMarkGaps)) {
    return BadField("policy", "is not a known PublicationPolicy");
  }
  if (policy == Policy::kUnspecified) policy = Policy::kRefuse;
  ASSIGN_OR_RETURN(std::string lang, Canonical("language", language));
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto loaded,
                     statements_->LoadStatementWithInternalId(statement_id));
    const statement::Statement& s = loaded.first;
    const auto& targets = s.target_languages;
    if (std::find(targets.begin(), targets.end(), lang) == targets.end()) {
      return BadField("language",
                      StrCat("statements/", s.statement_id,
                             " does not target the language ", lang),
                      "LANGUAGE_NOT_TARGETED", {{"language", lang}});
    }
    if (!caller.HasRoleFor(Role::kCoordinator, lang)) {
      return Denied(
          StrCat("publishing in ", lang, " needs a coordinator grant for it"),
          lang);
    }
    if (s.state != statement::StatementState::kOpen &&
        s.state != statement::StatementState::kClosed) {
      return WrongState(
          StrCat("statements/", s.statement_id),
          StrCat("STATEMENT_STATE_", statement::StatementStateName(s.state)),
          "only an open or closed statement can be published");
    }
    ASSIGN_OR_RETURN(Assembly a, Assemble(statement_id, lang, policy));
    if (policy == Policy::kRefuse && !a.missing.empty()) {
      return NotApproved(s.statement_id, lang, a.missing);
    }
    bool created = false;
    auto saved = Save(call, a, loaded.second, Trigger::kOnDemand, policy,
                      caller.user_id, &created);
    if (saved.ok() || !absl::IsAborted(saved.status()) ||
        attempt + 1 >= kMaxAttempts) {
      return saved;
    }
  }
}

}  // namespace tessera::publication

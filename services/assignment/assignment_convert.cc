#include "services/assignment/assignment_convert.h"

#include <algorithm>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"
#include "services/statement/statement_convert.h"
#include "services/translation/translation_convert.h"

namespace tessera::assignment {
namespace {

absl::StatusOr<absl::Time> TimeFromProto(std::string_view field,
                                         const google::protobuf::Timestamp& t) {
  if (t.nanos() < 0 || t.nanos() > 999999999 || t.seconds() < 0 ||
      t.seconds() > 253402300799) {
    return BadField(field, "is not a valid timestamp");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<WorkRole> RoleFromProto(std::string_view field,
                                       v1::AssignmentRole r, bool optional) {
  switch (r) {
    case v1::ASSIGNMENT_ROLE_TRANSLATE:
      return WorkRole::kTranslate;
    case v1::ASSIGNMENT_ROLE_REVIEW:
      return WorkRole::kReview;
    case v1::ASSIGNMENT_ROLE_UNSPECIFIED:
      if (optional) return WorkRole::kUnspecified;
      break;
    default:
      break;
  }
  return BadField(
      field, "must be ASSIGNMENT_ROLE_TRANSLATE or ASSIGNMENT_ROLE_REVIEW");
}

v1::AssignmentRole RoleToProto(WorkRole r) {
  return r == WorkRole::kReview ? v1::ASSIGNMENT_ROLE_REVIEW
                                : v1::ASSIGNMENT_ROLE_TRANSLATE;
}

absl::StatusOr<std::string> UserFromName(std::string_view field,
                                         std::string_view name) {
  if (name.substr(0, 6) != "users/" || name.size() == 6 ||
      name.find('/', 6) != std::string_view::npos) {
    return BadField(field, "must be users/{user_id}");
  }
  return std::string(name.substr(6));
}

absl::StatusOr<Scope> ScopeFromProto(const v1::AssignmentScope& s) {
  Scope out;
  switch (s.scope_case()) {
    case v1::AssignmentScope::kWholeLanguage:
      out.kind = Scope::Kind::kWholeLanguage;
      return out;
    case v1::AssignmentScope::kRange:
      out.kind = Scope::Kind::kRange;
      out.segment_ids = {s.range().first_segment_id(),
                         s.range().last_segment_id()};
      return out;
    case v1::AssignmentScope::kSegments:
      out.kind = Scope::Kind::kSet;
      out.segment_ids.assign(s.segments().segment_ids().begin(),
                             s.segments().segment_ids().end());
      return out;
    case v1::AssignmentScope::SCOPE_NOT_SET:
      break;
  }
  return BadField("scope", "is required");
}

void CountsToProto(
    const std::vector<StateCount>& counts,
    google::protobuf::RepeatedPtrField<v1::SegmentStateCount>* out) {
  for (const StateCount& c : counts) {
    auto* p = out->Add();
    p->set_state(static_cast<v1::SegmentState>(c.state));
    p->set_segments(static_cast<int32_t>(c.segments));
    p->set_words(c.words);
  }
}

absl::StatusOr<std::string> ParseSimpleName(std::string_view field,
                                            std::string_view name,
                                            std::string_view collection) {
  const std::string prefix = StrCat(collection, "/");
  if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size() ||
      name.find('/', prefix.size()) != std::string_view::npos) {
    return BadField(field, StrCat("must be ", collection, "/{id}"));
  }
  return std::string(name.substr(prefix.size()));
}

}  // namespace

void ToProto(const Assignment& a, v1::Assignment* out) {
  out->set_name(StrCat("assignments/", a.assignment_id));
  out->set_statement(StrCat("statements/", a.statement_id));
  out->set_language(a.language);
  out->set_role(RoleToProto(a.role));
  switch (a.scope.kind) {
    case Scope::Kind::kWholeLanguage:
      out->mutable_scope()->mutable_whole_language();
      break;
    case Scope::Kind::kRange:
      if (a.scope.segment_ids.size() == 2) {
        out->mutable_scope()->mutable_range()->set_first_segment_id(
            a.scope.segment_ids[0]);
        out->mutable_scope()->mutable_range()->set_last_segment_id(
            a.scope.segment_ids[1]);
      }
      break;
    case Scope::Kind::kSet:
      for (const auto& id : a.scope.segment_ids) {
        out->mutable_scope()->mutable_segments()->add_segment_ids(id);
      }
      break;
  }
  out->set_assignee(StrCat("users/", a.assignee));
  if (a.deadline) ToTimestamp(*a.deadline, out->mutable_deadline());
  out->set_note(a.note);
  out->set_state(a.state == AssignmentState::kActive
                     ? v1::ASSIGNMENT_STATE_ACTIVE
                     : v1::ASSIGNMENT_STATE_ENDED);
  if (a.effective_deadline) {
    ToTimestamp(*a.effective_deadline, out->mutable_effective_deadline());
  }
  out->set_complete(a.complete);
  out->set_overdue(a.overdue);
  out->set_segment_count(a.segment_count);
  out->set_word_count(a.word_count);
  CountsToProto(a.state_counts, out->mutable_state_counts());
  out->set_creator(StrCat("users/", a.creator));
  ToTimestamp(a.create_time, out->mutable_create_time());
  ToTimestamp(a.update_time, out->mutable_update_time());
  if (a.end_time) ToTimestamp(*a.end_time, out->mutable_end_time());
  out->set_version(static_cast<int64_t>(a.version));
}

void ToProto(const Lease& l, v1::Lease* out) {
  out->set_name(StrCat("leases/", l.lease_id));
  out->set_segment(StrCat("statements/", l.statement_id, "/languages/",
                          l.language, "/segments/", l.segment_id));
  out->set_role(RoleToProto(l.role));
  out->set_holder(StrCat("users/", l.holder));
  if (!l.assignment.empty()) {
    out->set_assignment(StrCat("assignments/", l.assignment));
  }
  out->set_state(static_cast<v1::LeaseState>(l.state));
  ToTimestamp(l.create_time, out->mutable_create_time());
  ToTimestamp(l.expire_time, out->mutable_expire_time());
  if (l.end_time) ToTimestamp(*l.end_time, out->mutable_end_time());
  out->set_version(static_cast<int64_t>(l.version));
}

void ToProto(const ClaimResult& r, v1::ClaimNextResponse* out) {
  ToProto(r.lease, out->mutable_lease());
  translation::ToProto(r.translation, out->mutable_translation());
  for (const auto& t : r.context_before) {
    translation::ToProto(t, out->add_context_before());
  }
  for (const auto& t : r.context_after) {
    translation::ToProto(t, out->add_context_after());
  }
  out->set_reason(static_cast<v1::ClaimReason>(r.reason));
}

void ToProto(const StatementProgress& p, v1::Progress* out) {
  out->set_statement(StrCat("statements/", p.statement_id));
  if (p.deadline) ToTimestamp(*p.deadline, out->mutable_deadline());
  ToTimestamp(p.read_time, out->mutable_read_time());
  for (const LanguageProgress& l : p.languages) {
    auto* lp = out->add_languages();
    lp->set_language(l.language);
    CountsToProto(l.state_counts, lp->mutable_state_counts());
    lp->set_segment_count(l.segment_count);
    lp->set_word_count(l.word_count);
    lp->set_percent_approved(l.percent_approved);
    lp->set_words_left(l.words_left);
    lp->set_words_to_review(l.words_to_review);
    lp->set_unassigned_words(l.unassigned_words);
    lp->set_active_leases(l.active_leases);
    for (const AssigneeProgress& a : l.assignees) {
      auto* ap = lp->add_assignees();
      ap->set_assignee(StrCat("users/", a.assignee));
      ap->set_role(RoleToProto(a.role));
      for (const auto& id : a.assignments) {
        ap->add_assignments(StrCat("assignments/", id));
      }
      CountsToProto(a.state_counts, ap->mutable_state_counts());
      ap->set_words_left(a.words_left);
      ap->set_active_leases(a.active_leases);
      if (a.next_deadline) {
        ToTimestamp(*a.next_deadline, ap->mutable_next_deadline());
      }
      ap->set_overdue(a.overdue);
    }
    for (const Assignment& a : l.overdue_assignments) {
      ToProto(a, lp->add_overdue_assignments());
    }
  }
}

void ToProto(const MyWork& w, v1::GetMyWorkResponse* out) {
  for (const auto& a : w.assignments) ToProto(a, out->add_assignments());
  for (const auto& l : w.leases) ToProto(l, out->add_leases());
  for (const auto& r : w.rejected_segments) {
    out->add_rejected_segments(StrCat("statements/", r.statement_id,
                                      "/languages/", r.language, "/segments/",
                                      r.segment_id));
  }
}

void ToProto(const AssignmentPage& p, v1::ListAssignmentsResponse* out) {
  for (const Assignment& a : p.assignments) ToProto(a, out->add_assignments());
  out->set_next_page_token(p.next_page_token);
}

absl::StatusOr<AssignParams> AssignFromProto(const v1::AssignRequest& req) {
  AssignParams p;
  p.request_id = req.request_id();
  ASSIGN_OR_RETURN(p.statement_id,
                   statement::ParseStatementName("statement", req.statement()));
  if (req.language().empty()) {
    return BadField("language", "is required");
  }
  p.language = req.language();
  ASSIGN_OR_RETURN(p.role, RoleFromProto("role", req.role(), false));
  ASSIGN_OR_RETURN(p.scope, ScopeFromProto(req.scope()));
  ASSIGN_OR_RETURN(p.assignee, UserFromName("assignee", req.assignee()));
  if (req.has_deadline()) {
    ASSIGN_OR_RETURN(p.deadline, TimeFromProto("deadline", req.deadline()));
  }
  p.note = req.note();
  return p;
}

absl::StatusOr<UpdateRequest> UpdateFromProto(
    const v1::UpdateAssignmentRequest& req) {
  UpdateRequest out;
  ASSIGN_OR_RETURN(
      out.id, ParseAssignmentName("assignment.name", req.assignment().name()));
  out.version =
      static_cast<uint64_t>(std::max<int64_t>(0, req.assignment().version()));
  AssignmentUpdate& u = out.update;
  if (req.update_mask().paths().empty()) {
    return BadField("update_mask", "is required");
  }
  const v1::Assignment& a = req.assignment();
  for (const std::string& path : req.update_mask().paths()) {
    if (path == "assignee") {
      ASSIGN_OR_RETURN(u.assignee,
                       UserFromName("assignment.assignee", a.assignee()));
    } else if (path == "deadline") {
      if (a.has_deadline()) {
        ASSIGN_OR_RETURN(absl::Time t,
                         TimeFromProto("assignment.deadline", a.deadline()));
        u.deadline = std::optional<absl::Time>(t);
      } else {
        u.deadline = std::optional<absl::Time>();
      }
    } else if (path == "scope") {
      ASSIGN_OR_RETURN(u.scope, ScopeFromProto(a.scope()));
    } else if (path == "note") {
      u.note = a.note();
    } else {
      return BadField("update_mask",
                      StrCat("path \"", path, "\" cannot be updated"));
    }
  }
  return out;
}

absl::StatusOr<VersionedId> UnassignFromProto(const v1::UnassignRequest& req) {
  VersionedId out;
  ASSIGN_OR_RETURN(out.id, ParseAssignmentName("name", req.name()));
  if (req.version() <= 0) {
    return BadField("version", "is required: pass the version you last read");
  }
  out.version = static_cast<uint64_t>(req.version());
  return out;
}

absl::StatusOr<AssignmentQuery> QueryFromProto(
    const v1::ListAssignmentsRequest& req) {
  AssignmentQuery q;
  if (!req.statement().empty()) {
    ASSIGN_OR_RETURN(q.statement_id, statement::ParseStatementName(
                                         "statement", req.statement()));
  }
  q.language = req.language();
  if (!req.assignee().empty()) {
    ASSIGN_OR_RETURN(q.assignee, UserFromName("assignee", req.assignee()));
  }
  ASSIGN_OR_RETURN(q.role, RoleFromProto("role", req.role(), true));
  q.overdue_only = req.overdue_only();
  for (int s : req.states()) {
    if (s == v1::ASSIGNMENT_STATE_ACTIVE) {
      q.states.push_back(AssignmentState::kActive);
    } else if (s == v1::ASSIGNMENT_STATE_ENDED) {
      q.states.push_back(AssignmentState::kEnded);
    } else {
      return BadField("states", "holds an unknown state");
    }
  }
  return q;
}

absl::StatusOr<ClaimParams> ClaimFromProto(const v1::ClaimNextRequest& req) {
  ClaimParams p;
  if (!req.statement().empty()) {
    ASSIGN_OR_RETURN(p.statement_id, statement::ParseStatementName(
                                         "statement", req.statement()));
  }
  if (req.language().empty()) {
    return BadField("language", "is required");
  }
  p.language = req.language();
  ASSIGN_OR_RETURN(p.role, RoleFromProto("role", req.role(), false));
  if (static_cast<size_t>(req.exclude_segments_size()) > kMaxExcludeSegments) {
    return BadField(
        "exclude_segments",
        StrCat("may name at most ", kMaxExcludeSegments, " segments"));
  }
  for (const std::string& name : req.exclude_segments()) {
    ASSIGN_OR_RETURN(
        auto ref, translation::ParseTranslationName("exclude_segments", name));
    p.exclude.push_back(std::move(ref));
  }
  p.context_size = req.context_size();
  return p;
}

namespace {

absl::StatusOr<VersionedId> LeaseFromProto(std::string_view name,
                                           int64_t version) {
  VersionedId out;
  ASSIGN_OR_RETURN(out.id, ParseLeaseName("name", name));
  if (version < 0) return BadField("version", "must not be negative");
  out.version = static_cast<uint64_t>(version);
  return out;
}

}  // namespace

absl::StatusOr<VersionedId> RenewFromProto(const v1::RenewLeaseRequest& req) {
  return LeaseFromProto(req.name(), req.version());
}

absl::StatusOr<VersionedId> ReleaseFromProto(
    const v1::ReleaseLeaseRequest& req) {
  return LeaseFromProto(req.name(), req.version());
}

absl::StatusOr<ProgressRequest> ProgressFromProto(
    const v1::GetProgressRequest& req) {
  ProgressRequest out;
  ASSIGN_OR_RETURN(out.statement_id,
                   statement::ParseStatementName("statement", req.statement()));
  out.languages.assign(req.languages().begin(), req.languages().end());
  return out;
}

std::vector<std::string> LanguagesFromProto(const v1::GetMyWorkRequest& req) {
  return {req.languages().begin(), req.languages().end()};
}

absl::StatusOr<std::string> ParseAssignmentName(std::string_view field,
                                                std::string_view name) {
  return ParseSimpleName(field, name, "assignments");
}
absl::StatusOr<std::string> ParseLeaseName(std::string_view field,
                                           std::string_view name) {
  return ParseSimpleName(field, name, "leases");
}

}  // namespace tessera::assignment

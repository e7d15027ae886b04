// AssignmentCore: creating, reading, changing, ending and listing
// assignments.
#include <algorithm>
#include <map>
#include <utility>

#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/work_index.h"
#include "services/common/paging.h"
#include "storage/key_codec.h"

namespace tessera::assignment {

using internal::Absent;
using internal::Conflict;
using internal::Coordinates;
using internal::Denied;
using internal::kMaxAttempts;
using internal::Micros;
using internal::Precondition;
using internal::Resolved;
using internal::RoleName;
using internal::UserRoleFor;
using ::tessera::storage::WriteSet;

namespace {

// Canonical bytes of an Assign request (request_id aside), hashed: a
// request id replays only the request it was first used with.
std::string AssignFingerprint(const AssignParams& p, std::string_view lang) {
  std::string buf;
  auto add = [&](std::string_view v) {
    storage::PutFixed64BE(&buf, v.size());
    buf.append(v.data(), v.size());
  };
  add("assign");
  add(p.statement_id);
  add(lang);
  storage::PutFixed64BE(&buf, static_cast<uint64_t>(p.role));
  storage::PutFixed64BE(&buf, static_cast<uint64_t>(p.scope->kind));
  storage::PutFixed64BE(&buf, p.scope->segment_ids.size());
  for (const auto& id : p.scope->segment_ids) add(id);
  add(p.assignee);
  storage::PutFixed64BE(
      &buf, p.deadline ? static_cast<uint64_t>(Micros(*p.deadline)) : 0);
  add(p.note);
  return Sha256(buf);
}

absl::Status RequestIdReused(std::string_view request_id) {
  return BadField("request_id",
                  StrCat("request_id \"", request_id,
                         "\" was already used with a different request"),
                  "REQUEST_ID_REUSED");
}

absl::Status CheckRequestId(std::string_view id) {
  if (id.size() > 64 || !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return BadField("request_id",
                    "must be 1 to 64 characters of [A-Za-z0-9_-]");
  }
  return absl::OkStatus();
}

absl::Status CheckNote(std::string_view note) {
  if (note.size() > kMaxNoteBytes || !ValidateUtf8(note).ok()) {
    return BadField(
        "note", StrCat("must be UTF-8 of at most ", kMaxNoteBytes, " bytes"));
  }
  return absl::OkStatus();
}

// ListAssignments cursors: [u64 create time micros][assignment id], the
// last item returned.
std::string ListCursor(int64_t micros, std::string_view id) {
  std::string out;
  storage::PutFixed64BE(&out, static_cast<uint64_t>(micros));
  out.append(id.data(), id.size());
  return out;
}

}  // namespace

absl::StatusOr<Assignment> AssignmentCore::Assign(const CallContext& ctx,
                                                  const AssignParams& p) {
  const Principal& caller = ctx.caller();
  RETURN_IF_ERROR(CheckRequestId(p.request_id));
  if (p.role != WorkRole::kTranslate && p.role != WorkRole::kReview) {
    return BadField("role",
                    "must be ASSIGNMENT_ROLE_TRANSLATE or "
                    "ASSIGNMENT_ROLE_REVIEW");
  }
  if (!p.scope.has_value()) return BadField("scope", "is required");
  if (p.assignee.empty()) return BadField("assignee", "is required");
  RETURN_IF_ERROR(CheckNote(p.note));
  if (p.deadline.has_value() && *p.deadline <= clock_->Now()) {
    return BadField("deadline", "must be in the future");
  }
  if (p.statement_id.empty()) return BadField("statement", "is required");
  ASSIGN_OR_RETURN(std::string lang,
                   internal::Canonical("language", p.language));
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(p.statement_id));
  const statement::Statement& s = loaded.first;
  if (!Coordinates(caller, lang)) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  StrCat("assigning work in ", lang, " needs a coordinator"),
                  lang);
  }
  RETURN_IF_ERROR(internal::CheckTargeted(s, lang));
  std::string request_key, fingerprint;
  if (!p.request_id.empty()) {
    request_key = AssignRequestKey(caller.user_id, p.request_id);
    fingerprint = AssignFingerprint(p, lang);
    ASSIGN_OR_RETURN(auto prior, tables_->requests.Get(request_key));
    if (prior.has_value()) {
      return Replay(caller, prior->record, p.request_id, fingerprint);
    }
  }
  if (s.state != statement::StatementState::kDraft &&
      s.state != statement::StatementState::kOpen) {
    return Precondition(
        "WRONG_STATE", StrCat("statements/", s.statement_id),
        "work is assigned only while the statement is draft or open");
  }
  Stored a;
  a.r.set_statement_id(s.statement_id);
  a.r.set_statement_iid(loaded.second);
  a.r.set_language(lang);
  a.r.set_role(static_cast<int>(p.role));
  a.r.set_assignee(p.assignee);
  if (p.deadline) a.r.set_deadline_micros(Micros(*p.deadline));
  a.r.set_note(p.note);
  a.r.set_state(static_cast<int>(AssignmentState::kActive));
  a.r.set_creator(caller.user_id);
  const absl::Time now = clock_->Now();
  a.r.set_create_time_micros(Micros(now));
  a.r.set_update_time_micros(Micros(now));
  RETURN_IF_ERROR(internal::FillScope(*p.scope, *statements_, s, &a.r));
  return WriteAssignment(ctx, std::nullopt, std::move(a), "assignment.created",
                         request_key, p.request_id, fingerprint);
}

absl::StatusOr<Assignment> AssignmentCore::WriteAssignment(
    const CallContext& ctx, std::optional<Stored> before, Stored after,
    std::string_view event, std::string_view request_key,
    std::string_view request_id, std::string_view fingerprint) {
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    after.r.statement_id()));
  const statement::Statement& s = loaded.first;
  const uint64_t iid = loaded.second;
  // The assignee must hold the role's user role in the language.
  if (!before || before->r.assignee() != after.r.assignee()) {
    auto grants = grants_->GrantsOf(after.r.assignee());
    if (!grants.ok()) {
      if (absl::IsNotFound(grants.status())) {
        return Absent(StrCat("users/", after.r.assignee()));
      }
      return grants.status();
    }
    Principal assignee{after.r.assignee(), "", *grants};
    if (!assignee.HasRoleFor(UserRoleFor(after.role()), after.r.language())) {
      return Precondition(
          "ASSIGNEE_ROLE", StrCat("users/", after.r.assignee()),
          StrCat("lacks the ", RoleName(UserRoleFor(after.role())), " role in ",
                 after.r.language()));
    }
  }
  for (int attempt = 0;; ++attempt) {
    if (before) {
      after.n = before->n;
    } else {
      ASSIGN_OR_RETURN(after.n, internal::RandomId(random_));
    }
    RETURN_IF_ERROR(CheckScope(after, s, iid));
    WriteSet w;
    const uint64_t version = before ? before->version : 0;
    tables_->assignments.Update(&w, AssignmentKey(iid, after.n), after.r,
                                version);
    if (!before) tables_->owners.PutNew(&w, AssignmentOwnerKey(after.n), iid);
    if (!request_key.empty()) {
      tables_->requests.PutNew(
          &w, request_key,
          internal::AssignRequestEntry{after.n, std::string(fingerprint)});
    }
    // Overlap is decided on what CheckScope read: guard every other active
    // assignment of the same statement, language and role.
    ASSIGN_OR_RETURN(std::vector<Stored> others,
                     LoadAssignments(s.statement_id));
    for (const Stored& o : others) {
      if (o.n != after.n && o.active() &&
          o.r.language() == after.r.language() &&
          o.r.role() == after.r.role()) {
        tables_->assignments.ExpectVersion(&w, AssignmentKey(iid, o.n),
                                           o.version);
      }
    }
    w.AppendEvent(event, StrCat("assignments/", after.id(), " by users/",
                                ctx.caller().user_id));
    RETURN_IF_ERROR(ctx.CheckDeadline());
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok()) {
      if (!absl::IsAborted(committed.status()) || attempt + 1 >= kMaxAttempts) {
        return committed.status();
      }
      if (before) {
        ASSIGN_OR_RETURN(auto now, LoadAssignment(before->id()));
        if (!now || now->version != before->version) {
          return Conflict(StrCat("assignments/", before->id()), before->version,
                          now ? now->version : 0);
        }
      }
      if (!request_key.empty()) {
        ASSIGN_OR_RETURN(auto prior, tables_->requests.Get(request_key));
        if (prior.has_value()) {
          return Replay(ctx.caller(), prior->record, request_id, fingerprint);
        }
      }
      continue;
    }
    after.version = version + 1;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(s, iid, after.r.language()));
    absl::MutexLock lock(&index->mu);
    return View(after, s, index.get());
  }
}

absl::StatusOr<Assignment> AssignmentCore::Replay(
    const Principal& caller, const internal::AssignRequestEntry& prior,
    std::string_view request_id, std::string_view fingerprint) {
  if (prior.fingerprint != fingerprint) return RequestIdReused(request_id);
  return GetAssignment(caller, internal::IdString(prior.assignment));
}

absl::Status AssignmentCore::CheckScope(const Stored& candidate,
                                        const statement::Statement& s,
                                        uint64_t iid) {
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(s, iid, candidate.r.language()));
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  absl::MutexLock lock(&index->mu);
  ASSIGN_OR_RETURN(Resolved mine,
                   internal::Resolve(*statements_, candidate.r, *index));
  int count = 0;
  mine.ForEach([&](int) { ++count; });
  if (count == 0) {
    return BadField("scope", "has no translatable segment");
  }
  std::vector<PreconditionViolation> violations;
  std::string first_holder;
  for (const Stored& other : all) {
    if (other.n == candidate.n || !other.active() ||
        other.r.language() != candidate.r.language() ||
        other.r.role() != candidate.r.role()) {
      continue;
    }
    ASSIGN_OR_RETURN(Resolved theirs,
                     internal::Resolve(*statements_, other.r, *index));
    std::vector<std::string> shared;
    mine.ForEach([&](int p) {
      if (shared.size() < 5 && theirs.Contains(p)) {
        shared.push_back(index->ids[p]);
      }
    });
    if (shared.empty()) continue;
    std::string ids;
    for (const auto& id : shared) StrAppend(&ids, ids.empty() ? "" : ", ", id);
    violations.push_back({"ASSIGNMENT_OVERLAP",
                          StrCat("assignments/", other.id()),
                          StrCat("assigned to users/", other.r.assignee(),
                                 "; shares segments ", ids)});
    if (first_holder.empty()) first_holder = other.r.assignee();
  }
  if (violations.empty()) return absl::OkStatus();
  absl::Status status = ErrorWithInfo(
      absl::StatusCode::kFailedPrecondition, "ASSIGNMENT_OVERLAP",
      StrCat("the scope overlaps ", violations.size(),
             " active assignment(s) for ", RoleName(candidate.role()),
             ", held by users/", first_holder),
      {{"assignee", first_holder}});
  ErrorDetails details = *DetailsOf(status);
  details.preconditions = std::move(violations);
  SetDetails(status, details);
  return status;
}

absl::StatusOr<Assignment> AssignmentCore::GetAssignment(
    const Principal& caller, std::string_view assignment_id) {
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) return Absent(StrCat("assignments/", assignment_id));
  if (a->r.assignee() != caller.user_id &&
      !Coordinates(caller, a->r.language())) {
    return Denied("ROLE_DENIED",
                  "translators and reviewers see only their own assignments",
                  a->r.language());
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  absl::MutexLock lock(&index->mu);
  return View(*a, loaded.first, index.get());
}

absl::StatusOr<Assignment> AssignmentCore::UpdateAssignment(
    const CallContext& ctx, std::string_view assignment_id, uint64_t version,
    const AssignmentUpdate& update) {
  const Principal& caller = ctx.caller();
  if (!update.assignee && !update.deadline && !update.scope && !update.note) {
    return BadField("update_mask", "names no field to change");
  }
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) return Absent(StrCat("assignments/", assignment_id));
  const std::string name = StrCat("assignments/", a->id());
  if (!Coordinates(caller, a->r.language())) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  "changing an assignment needs a coordinator",
                  a->r.language());
  }
  if (version != 0 && version != a->version) {
    return Conflict(name, version, a->version);
  }
  if (!a->active()) {
    return Precondition("WRONG_STATE", name, "the assignment has ended");
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  Stored after = *a;
  if (update.assignee) {
    if (update.assignee->empty()) return BadField("assignee", "is required");
    after.r.set_assignee(*update.assignee);
  }
  if (update.deadline) {
    if (update.deadline->has_value() && **update.deadline <= clock_->Now()) {
      return BadField("deadline", "must be in the future");
    }
    after.r.set_deadline_micros(
        update.deadline->has_value() ? Micros(**update.deadline) : 0);
    after.r.set_overdue_raised(false);
  }
  if (update.note) {
    RETURN_IF_ERROR(CheckNote(*update.note));
    after.r.set_note(*update.note);
  }
  if (update.scope) {
    RETURN_IF_ERROR(internal::FillScope(*update.scope, *statements_,
                                        loaded.first, &after.r));
  }
  after.r.set_update_time_micros(Micros(clock_->Now()));
  ASSIGN_OR_RETURN(
      Assignment out,
      WriteAssignment(ctx, *a, after, "assignment.updated", "", "", ""));
  // Leases the previous assignee took through this assignment end where the
  // segment left it (or all of them when the assignee changed).
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  std::set<int> keep;
  if (a->r.assignee() == after.r.assignee()) {
    after.version = out.version;
    absl::MutexLock lock(&index->mu);
    ASSIGN_OR_RETURN(Resolved r,
                     internal::Resolve(*statements_, after.r, *index));
    r.ForEach([&](int p) { keep.insert(p); });
  }
  RETURN_IF_ERROR(EndLeasesOf(*a, &keep, index.get()));
  return out;
}

absl::StatusOr<Assignment> AssignmentCore::Unassign(
    const CallContext& ctx, std::string_view assignment_id, uint64_t version) {
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) return Absent(StrCat("assignments/", assignment_id));
  const std::string name = StrCat("assignments/", a->id());
  if (!Coordinates(ctx.caller(), a->r.language())) {
    return Denied("LANGUAGE_NOT_GRANTED", "unassigning needs a coordinator",
                  a->r.language());
  }
  if (version != a->version) return Conflict(name, version, a->version);
  if (!a->active()) {
    return Precondition("WRONG_STATE", name, "the assignment already ended");
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  Stored after = *a;
  const absl::Time now = clock_->Now();
  after.r.set_state(static_cast<int>(AssignmentState::kEnded));
  after.r.set_update_time_micros(Micros(now));
  after.r.set_end_time_micros(Micros(now));
  WriteSet w;
  tables_->assignments.Update(&w, AssignmentKey(loaded.second, a->n), after.r,
                              a->version);
  w.AppendEvent("assignment.ended",
                StrCat(name, " by users/", ctx.caller().user_id));
  RETURN_IF_ERROR(ctx.CheckDeadline());
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) {
    if (absl::IsAborted(committed.status())) {
      ASSIGN_OR_RETURN(auto cur, LoadAssignment(a->id()));
      return Conflict(name, version, cur ? cur->version : 0);
    }
    return committed.status();
  }
  after.version = a->version + 1;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  RETURN_IF_ERROR(EndLeasesOf(*a, nullptr, index.get()));
  absl::MutexLock lock(&index->mu);
  return View(after, loaded.first, index.get());
}

// Ends the assignee's current lease taken through `a` unless its segment's
// position is in `keep`. It completes a change already committed, so it
// runs even if the call's deadline passed meanwhile.
absl::Status AssignmentCore::EndLeasesOf(const Stored& a,
                                         const std::set<int>* keep,
                                         const LangIndex* index) {
  ASSIGN_OR_RETURN(auto current,
                   CurrentLease(a.r.assignee(), a.r.language(), a.role()));
  if (!current || !current->live(clock_->Now()) ||
      current->r.assignment() != a.id()) {
    return absl::OkStatus();
  }
  if (keep != nullptr) {
    auto it = index->pos.find(current->r.segment_id());
    if (it != index->pos.end() && keep->count(it->second)) {
      return absl::OkStatus();
    }
  }
  return EndLease(*current, LeaseState::kReleased);
}

absl::StatusOr<AssignmentPage> AssignmentCore::ListAssignments(
    const Principal& caller, const AssignmentQuery& q, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(
      const int size,
      PageSize(page_size, kDefaultAssignmentPageSize, kMaxAssignmentPageSize));
  std::string lang;
  if (!q.language.empty()) {
    ASSIGN_OR_RETURN(lang, internal::Canonical("language", q.language));
  }
  std::vector<AssignmentState> states = q.states;
  if (states.empty()) states.push_back(AssignmentState::kActive);
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  // The token binds the query (and the caller, whose grants filter it) and
  // names the last item returned, so a page resumes after it even when
  // earlier assignments were added or ended meanwhile.
  QueryFingerprint fp("assignment.ListAssignments");
  fp.String(caller.user_id)
      .String(q.statement_id)
      .String(lang)
      .String(q.assignee)
      .Int(static_cast<int>(q.role))
      .Bool(q.overdue_only);
  for (AssignmentState st : states) fp.Int(static_cast<int>(st));
  const std::string query = fp.Build();
  ASSIGN_OR_RETURN(std::string cursor, DecodePageToken(page_token, query));
  std::optional<std::pair<int64_t, std::string>> after;
  if (!cursor.empty()) {
    std::string_view rest(cursor);
    uint64_t micros = 0;
    if (!storage::GetFixed64BE(&rest, &micros)) {
      return BadField("page_token",
                      "does not parse; pass a next_page_token unchanged",
                      "INVALID_TOKEN");
    }
    after.emplace(static_cast<int64_t>(micros), std::string(rest));
  }
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(q.statement_id));
  AssignmentPage page;
  std::map<std::string, std::pair<statement::Statement, uint64_t>> statements;
  for (const Stored& a : all) {
    if (after && std::make_pair(a.r.create_time_micros(), a.id()) <= *after) {
      continue;
    }
    if (!lang.empty() && a.r.language() != lang) continue;
    if (q.role != WorkRole::kUnspecified && a.role() != q.role) continue;
    if (!q.assignee.empty() && a.r.assignee() != q.assignee) continue;
    if (std::find(states.begin(), states.end(),
                  static_cast<AssignmentState>(a.r.state())) == states.end()) {
      continue;
    }
    // Translators and reviewers see only their own.
    if (a.r.assignee() != caller.user_id &&
        !Coordinates(caller, a.r.language())) {
      continue;
    }
    auto it = statements.find(a.r.statement_id());
    if (it == statements.end()) {
      auto loaded =
          statements_->LoadStatementWithInternalId(a.r.statement_id());
      if (!loaded.ok()) continue;
      it = statements.emplace(a.r.statement_id(), *loaded).first;
    }
    ASSIGN_OR_RETURN(
        std::shared_ptr<LangIndex> index,
        Index(it->second.first, it->second.second, a.r.language()));
    Assignment v;
    {
      absl::MutexLock lock(&index->mu);
      ASSIGN_OR_RETURN(v, View(a, it->second.first, index.get()));
    }
    if (q.overdue_only && !v.overdue) continue;
    if (static_cast<int>(page.assignments.size()) >= size) {
      const Assignment& last = page.assignments.back();
      page.next_page_token = EncodePageToken(
          query, ListCursor(Micros(last.create_time), last.assignment_id));
      break;
    }
    page.assignments.push_back(std::move(v));
  }
  return page;
}

}  // namespace tessera::assignment

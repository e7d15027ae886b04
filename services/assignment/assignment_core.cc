#include "services/assignment/assignment_core.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/status_macros.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/open_statements.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::FromMicros;
using internal::Resolved;
using translation::SegmentState;

AssignmentCore::AssignmentCore(storage::Store* store,
                               StatementReader* statements,
                               TranslationReader* translations,
                               WorkGuardRegistry* guards, GrantsReader* grants,
                               Clock* clock, RandomSource* random,
                               AssignmentOptions options)
    : store_(store),
      statements_(statements),
      translations_(translations),
      guards_(guards),
      grants_(grants),
      clock_(clock),
      random_(random),
      options_(options),
      tables_(std::make_unique<internal::Tables>(store)),
      index_(std::make_unique<internal::WorkIndex>(statements, translations)),
      open_(std::make_unique<internal::OpenStatements>(store, statements)) {
  guards_->SetWorkGuard(this);
  guards_->SetWorkReader(this);
}

AssignmentCore::~AssignmentCore() {
  Stop();
  guards_->SetWorkReader(nullptr);
  guards_->SetWorkGuard(nullptr);
}

int AssignmentCore::OpenListBuildsForTest() { return open_->BuildsForTest(); }

absl::StatusOr<std::shared_ptr<internal::LangIndex>> AssignmentCore::Index(
    const statement::Statement& s, uint64_t iid, std::string_view language) {
  return index_->Get(s, iid, language);
}

absl::StatusOr<std::optional<AssignmentCore::Stored>>
AssignmentCore::LoadAssignment(std::string_view id) {
  uint64_t n = 0;
  if (!internal::ParseId(id, &n)) return std::optional<Stored>();
  ASSIGN_OR_RETURN(auto owner, tables_->owners.Get(AssignmentOwnerKey(n)));
  if (!owner.has_value()) return std::optional<Stored>();
  const uint64_t iid = owner->record;
  ASSIGN_OR_RETURN(auto stored,
                   tables_->assignments.Get(AssignmentKey(iid, n)));
  if (!stored.has_value()) return std::optional<Stored>();
  Stored out;
  out.n = n;
  out.version = stored->version;
  out.r = std::move(stored->record);
  return std::optional<Stored>(std::move(out));
}

absl::StatusOr<std::vector<AssignmentCore::Stored>>
AssignmentCore::LoadAssignments(std::string_view statement_id) {
  if (!statement_id.empty()) {
    ASSIGN_OR_RETURN(auto loaded,
                     statements_->LoadStatementWithInternalId(statement_id));
    return LoadAssignmentsOf(loaded.second);
  }
  return LoadAssignmentsUnder(AllAssignmentsPrefix());
}

absl::StatusOr<std::vector<AssignmentCore::Stored>>
AssignmentCore::LoadAssignmentsOf(uint64_t iid) {
  return LoadAssignmentsUnder(AssignmentPrefix(iid));
}

absl::StatusOr<std::vector<AssignmentCore::Stored>>
AssignmentCore::LoadAssignmentsUnder(const std::string& prefix) {
  std::vector<Stored> out;
  bool bad_key = false;
  RETURN_IF_ERROR(tables_->assignments.ScanPrefix(
      prefix,
      [&](std::string_view key,
          const storage::Versioned<internal::rec::AssignmentRecord>& stored) {
        Stored s;
        uint64_t iid = 0;
        if (!ParseAssignmentKey(key, &iid, &s.n)) {
          bad_key = true;
          return false;
        }
        s.version = stored.version;
        s.r = stored.record;
        out.push_back(std::move(s));
        return true;
      }));
  if (bad_key) return absl::InternalError("malformed assignment key");
  std::sort(out.begin(), out.end(), [](const Stored& a, const Stored& b) {
    return std::make_pair(a.r.create_time_micros(), a.id()) <
           std::make_pair(b.r.create_time_micros(), b.id());
  });
  return out;
}

absl::StatusOr<Assignment> AssignmentCore::View(const Stored& a,
                                                const statement::Statement& s,
                                                const LangIndex* index) {
  Assignment out;
  out.assignment_id = a.id();
  out.statement_id = a.r.statement_id();
  out.language = a.r.language();
  out.role = a.role();
  out.scope.kind = static_cast<Scope::Kind>(a.r.scope_kind());
  // Shown in the current revision's ids.
  ASSIGN_OR_RETURN(out.scope.segment_ids,
                   internal::CurrentScopeIds(*statements_, a.r, index));
  out.assignee = a.r.assignee();
  if (a.r.deadline_micros() != 0) {
    out.deadline = FromMicros(a.r.deadline_micros());
  }
  out.note = a.r.note();
  out.state = static_cast<AssignmentState>(a.r.state());
  out.effective_deadline = out.deadline ? out.deadline : s.deadline;
  out.creator = a.r.creator();
  out.create_time = FromMicros(a.r.create_time_micros());
  out.update_time = FromMicros(a.r.update_time_micros());
  if (a.r.end_time_micros() != 0) {
    out.end_time = FromMicros(a.r.end_time_micros());
  }
  out.version = a.version;
  std::map<SegmentState, StateCount> counts;
  for (SegmentState st : internal::kTranslatableStates) counts[st].state = st;
  bool complete = true;
  if (index != nullptr) {
    ASSIGN_OR_RETURN(Resolved r, internal::Resolve(*statements_, a.r, *index));
    r.ForEach([&](int p) {
      auto& c = counts[index->states[p]];
      ++c.segments;
      c.words += index->words[p];
      ++out.segment_count;
      out.word_count += index->words[p];
      const SegmentState st = index->states[p];
      const bool done = out.role == WorkRole::kReview
                            ? st == SegmentState::kApproved
                            : (st == SegmentState::kTranslated ||
                               st == SegmentState::kApproved);
      if (!done) complete = false;
    });
  }
  out.complete = complete;
  for (auto& [st, c] : counts) out.state_counts.push_back(c);
  out.overdue = out.state == AssignmentState::kActive && !out.complete &&
                out.effective_deadline.has_value() &&
                clock_->Now() > *out.effective_deadline;
  return out;
}

}  // namespace tessera::assignment

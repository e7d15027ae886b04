// AssignmentCore: ClaimNext, which hands out the next segment to work on
// as a lease.
#include <algorithm>
#include <set>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/open_statements.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::FromMicros;
using internal::kClaimRounds;
using internal::kClaimReservation;
using internal::kMaxAttempts;
using internal::LeaseView;
using internal::Micros;
using internal::Resolved;
using internal::ReviewOpen;
using internal::RoleName;
using internal::TranslateOpen;
using ::tessera::storage::WriteSet;
using translation::SegmentState;
using translation::Translation;

namespace {

bool Excludes(const ClaimParams& params, std::string_view statement_id,
              std::string_view segment_id) {
  for (const auto& r : params.exclude) {
    if (r.statement_id == statement_id && r.segment_id == segment_id) {
      return true;
    }
  }
  return false;
}

int ContextSize(const ClaimParams& params) {
  return params.context_size == 0 ? 2 : params.context_size;
}

}  // namespace

absl::StatusOr<ClaimResult> AssignmentCore::ClaimNext(const CallContext& ctx,
                                                      const ClaimParams& in) {
  const Principal& caller = ctx.caller();
  ClaimParams params = in;
  if (params.role != WorkRole::kTranslate && params.role != WorkRole::kReview) {
    return BadField("role",
                    "must be ASSIGNMENT_ROLE_TRANSLATE or "
                    "ASSIGNMENT_ROLE_REVIEW");
  }
  if (params.context_size < 0 || params.context_size > kMaxContextSize) {
    return BadField("context_size",
                    StrCat("must be between 0 and ", kMaxContextSize));
  }
  if (params.exclude.size() > kMaxExcludeSegments) {
    return BadField(
        "exclude_segments",
        StrCat("may name at most ", kMaxExcludeSegments, " segments"));
  }
  ASSIGN_OR_RETURN(params.language,
                   internal::Canonical("language", params.language));
  const std::string& lang = params.language;
  if (!internal::MayWork(caller, params.role, lang)) {
    return internal::Denied("LANGUAGE_NOT_GRANTED",
                            StrCat("no role of the caller allows ",
                                   RoleName(params.role), " claims in ", lang),
                            lang);
  }
  // The statements to look at, by deadline then age.
  std::shared_ptr<const internal::OpenStatements::List> listed;
  internal::OpenStatements::List named;
  if (!params.statement_id.empty()) {
    ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                      params.statement_id));
    RETURN_IF_ERROR(internal::CheckTargeted(loaded.first, lang));
    if (loaded.first.state != statement::StatementState::kOpen) {
      return internal::Precondition("WRONG_STATE",
                                    StrCat("statements/", params.statement_id),
                                    "only an open statement hands out work");
    }
    named.push_back(std::move(loaded));
  } else {
    ASSIGN_OR_RETURN(listed, open_->Of(lang));
  }
  const auto& candidates = listed ? *listed : named;
  // Step 1: the current lease, unless its work is done or it is skipped.
  ASSIGN_OR_RETURN(auto current,
                   CurrentLease(caller.user_id, lang, params.role));
  const absl::Time now = clock_->Now();
  // Whether the current lease's work is finished: it then ends below
  // whether or not a new claim follows, so that its segment is free for
  // the next person (the next review round) at once.
  bool current_done = false;
  if (current && current->live(now)) {
    const bool excluded =
        Excludes(params, current->r.statement_id(), current->r.segment_id());
    const bool same_statement =
        params.statement_id.empty() ||
        params.statement_id == current->r.statement_id();
    auto loaded =
        statements_->LoadStatementWithInternalId(current->r.statement_id());
    if (loaded.ok() && loaded->second == current->r.statement_iid()) {
      ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                       Index(loaded->first, loaded->second, lang));
      bool open = false;
      {
        absl::MutexLock lock(&index->mu);
        auto it = index->pos.find(current->r.segment_id());
        if (it != index->pos.end()) {
          const int p = it->second;
          open = params.role == WorkRole::kTranslate
                     ? TranslateOpen(index->states[p])
                     : ReviewOpen(index->states[p]) &&
                           std::find(index->approvers[p].begin(),
                                     index->approvers[p].end(),
                                     caller.user_id) ==
                               index->approvers[p].end();
          current_done = !open;
        }
      }
      if (open) {
        // The index is a hint: confirm the work is still open before
        // handing the segment back or keeping the lease.
        ASSIGN_OR_RETURN(SegmentWork work,
                         translations_->ReadSegmentState(
                             loaded->second, lang, current->r.segment_id()));
        open = params.role == WorkRole::kTranslate
                   ? TranslateOpen(work.state)
                   : ReviewOpen(work.state) &&
                         work.author != caller.user_id &&
                         std::find(work.approvers.begin(),
                                   work.approvers.end(),
                                   caller.user_id) == work.approvers.end();
        current_done = !open;
        absl::MutexLock lock(&index->mu);
        auto it = index->pos.find(current->r.segment_id());
        if (it != index->pos.end()) {
          index->Set(it->second, work.state, work.author, work.approvers,
                     work.version, now);
        }
      }
      if (open && !excluded && same_statement &&
          loaded->first.state == statement::StatementState::kOpen) {
        absl::StatusOr<Lease> renewed =
            RenewLease(ctx, internal::IdString(current->m), 0);
        if (renewed.ok()) {
          return Describe(loaded->first, loaded->second, *renewed,
                          ClaimReason::kCurrent, ContextSize(params));
        }
      }
    }
  }
  // Steps 2 to 4. A round that kept losing races to other claimers is
  // run again from the top: the races are the server's business, not the
  // caller's.
  for (int round = 1;; ++round) {
    absl::StatusOr<std::optional<ClaimResult>> claimed =
        ClaimFromSteps(ctx, params, candidates);
    if (claimed.ok()) {
      if (claimed->has_value()) return **std::move(claimed);
      break;
    }
    if (!absl::IsAborted(claimed.status())) return claimed.status();
    if (round >= kClaimRounds) return ClaimConflict(claimed.status());
    RETURN_IF_ERROR(ctx.CheckDeadline());
  }
  // Nothing left: a skipped current lease is given back, a finished one
  // completes.
  if (current && current->live(now)) {
    ASSIGN_OR_RETURN(auto fresh, LoadLease(current->m));
    if (fresh && fresh->live(now)) {
      const bool excluded =
          Excludes(params, fresh->r.statement_id(), fresh->r.segment_id());
      if (excluded || current_done) {
        RETURN_IF_ERROR(ctx.CheckDeadline());
        // Lost to a concurrent change of the lease (a renewal by the
        // holder's own change, the sweep): it is then no longer ours to
        // end here.
        absl::Status s = EndLease(
            *fresh, excluded ? LeaseState::kReleased : LeaseState::kCompleted);
        if (!s.ok() && !absl::IsAborted(s)) return s;
      }
    }
  }
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOTHING_TO_CLAIM",
                       StrCat("nothing left to claim for ",
                              RoleName(params.role), " in ", lang));
}

absl::StatusOr<std::optional<ClaimResult>> AssignmentCore::ClaimFromSteps(
    const CallContext& ctx, const ClaimParams& params,
    const std::vector<std::pair<statement::Statement, uint64_t>>& candidates) {
  for (int step = 2; step <= 4; ++step) {
    if (step == 2 && params.role != WorkRole::kTranslate) continue;
    for (const auto& [s, iid] : candidates) {
      if (step == 4 && !s.allow_open_claiming) continue;
      ASSIGN_OR_RETURN(auto claimed, TryClaim(ctx, s, iid, params, step));
      if (claimed) return claimed;
    }
  }
  return std::optional<ClaimResult>();
}

absl::StatusOr<std::optional<ClaimResult>> AssignmentCore::TryClaim(
    const CallContext& ctx, const statement::Statement& s, uint64_t iid,
    const ClaimParams& params, int step) {
  const Principal& caller = ctx.caller();
  const std::string& lang = params.language;
  const WorkRole role = params.role;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index, Index(s, iid, lang));
  std::set<std::string> excluded;
  for (const auto& r : params.exclude) {
    if (r.statement_id == s.statement_id) excluded.insert(r.segment_id);
  }
  // Scopes of this statement's active assignments for the role.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  std::vector<std::pair<const Stored*, Resolved>> others, own;
  bool whole_taken = false;
  {
    absl::MutexLock lock(&index->mu);
    for (const Stored& a : all) {
      if (!a.active() || a.r.language() != lang || a.role() != role) continue;
      ASSIGN_OR_RETURN(Resolved r,
                       internal::Resolve(*statements_, a.r, *index));
      if (a.r.assignee() == caller.user_id) {
        own.emplace_back(&a, std::move(r));
      } else {
        if (static_cast<Scope::Kind>(a.r.scope_kind()) ==
            Scope::Kind::kWholeLanguage) {
          whole_taken = true;
        }
        others.emplace_back(&a, std::move(r));
      }
    }
  }
  // A pick that turns out not claimable teaches the index why, so it is
  // not picked again: only commits lost to a race count as attempts.
  const int max_picks = static_cast<int>(index->ids.size()) + kMaxAttempts;
  int lost_commits = 0;
  std::string contended;
  for (int pick = 0; pick < max_picks && lost_commits < kMaxAttempts;
       ++pick) {
    const absl::Time now = clock_->Now();
    // Picks the first claimable position of `candidates` in order.
    int picked = -1;
    std::string assignment;
    ClaimReason reason = ClaimReason::kOpenPool;
    // The hint the pick replaced with its reservation.
    std::optional<std::pair<std::string, absl::Time>> hint_before;
    const absl::Time reserved_until = now + kClaimReservation;
    {
      absl::MutexLock lock(&index->mu);
      auto& held = index->held[static_cast<int>(role)];
      auto free_for_me = [&](int p) {
        if (excluded.count(index->ids[p])) return false;
        auto h = held.find(p);
        if (h != held.end() && h->second.second > now &&
            h->second.first != caller.user_id) {
          return false;
        }
        if (role == WorkRole::kReview) {
          if (index->authors[p] == caller.user_id) return false;
          const auto& ap = index->approvers[p];
          if (std::find(ap.begin(), ap.end(), caller.user_id) != ap.end()) {
            return false;
          }
        }
        return true;
      };
      const std::set<int>& open = role == WorkRole::kTranslate
                                      ? index->open_translate
                                      : index->open_review;
      auto covering = [&](int p) -> std::string {
        for (const auto& [a, r] : own) {
          if (r.Contains(p)) return a->id();
        }
        return "";
      };
      if (step == 2) {
        auto it = index->rejected_by_author.find(caller.user_id);
        if (it != index->rejected_by_author.end()) {
          for (int p : it->second) {
            if (free_for_me(p)) {
              picked = p;
              break;
            }
          }
        }
        reason = ClaimReason::kReturned;
        if (picked >= 0) assignment = covering(picked);
      } else if (step == 3) {
        reason = ClaimReason::kAssigned;
        for (const auto& [a, r] : own) {
          if (r.is_set) {
            for (int p : r.set) {
              if (open.count(p) && free_for_me(p)) {
                picked = p;
                break;
              }
            }
          } else {
            for (auto it = open.lower_bound(r.lo);
                 it != open.end() && *it < r.hi; ++it) {
              if (free_for_me(*it)) {
                picked = *it;
                break;
              }
            }
          }
          if (picked >= 0) {
            assignment = a->id();
            break;
          }
        }
      } else if (step == 4 && !whole_taken) {
        reason = ClaimReason::kOpenPool;
        for (auto it = open.begin(); it != open.end();) {
          const int p = *it;
          // Skip past any other assignee's range in one step.
          int skip_to = -1;
          bool covered = false;
          for (const auto& [a, r] : others) {
            if (r.Contains(p)) {
              covered = true;
              if (!r.is_set) skip_to = std::max(skip_to, r.hi);
            }
          }
          for (const auto& [a, r] : own) {
            if (r.Contains(p)) covered = true;
          }
          if (covered) {
            it = skip_to > p ? open.lower_bound(skip_to) : std::next(it);
            continue;
          }
          if (role == WorkRole::kTranslate &&
              index->states[p] == SegmentState::kRejected &&
              index->authors[p] != caller.user_id) {
            ++it;
            continue;
          }
          if (free_for_me(p)) {
            picked = p;
            break;
          }
          ++it;
        }
      }
      // Reserved under the same lock as the pick, so that other claimers
      // in this process pick elsewhere instead of racing for it.
      if (picked >= 0) {
        auto h = held.find(picked);
        if (h != held.end()) hint_before = h->second;
        held[picked] = {caller.user_id, reserved_until};
      }
    }
    if (picked < 0) return std::optional<ClaimResult>();
    bool lost = false;
    absl::StatusOr<std::optional<Lease>> lease = ClaimSegment(
        ctx, s, iid, lang, role, *index, picked, assignment, &lost);
    if (!lease.ok() || !lease->has_value()) {
      // Gives the reservation back, unless the claim learnt who holds it.
      absl::MutexLock lock(&index->mu);
      auto& held = index->held[static_cast<int>(role)];
      auto h = held.find(picked);
      if (h != held.end() && h->second.first == caller.user_id &&
          h->second.second == reserved_until) {
        if (hint_before) {
          h->second = *hint_before;
        } else {
          held.erase(h);
        }
      }
    }
    RETURN_IF_ERROR(lease.status());
    if (lease->has_value()) {
      ASSIGN_OR_RETURN(ClaimResult out, Describe(s, iid, **lease, reason,
                                                 ContextSize(params)));
      return std::optional<ClaimResult>(std::move(out));
    }
    // Not claimable after all (the index learnt why) or a lost race: the
    // next attempt picks again.
    if (lost) {
      ++lost_commits;
      contended = index->ids[picked];
    }
  }
  return ErrorWithInfo(
      absl::StatusCode::kAborted, "VERSION_CONFLICT",
      StrCat("concurrent claims kept winning the segments picked for ",
             "statements/", s.statement_id, "/languages/", lang,
             "; try again"),
      {{"resource",
        StrCat("statements/", s.statement_id, "/languages/", lang,
               contended.empty() ? "" : "/segments/", contended)}});
}

absl::Status AssignmentCore::ClaimConflict(const absl::Status& aborted) {
  // Every ABORTED answer of ClaimNext says the same: retry as it is.
  if (DetailsOf(aborted).has_value()) return aborted;
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       StrCat("concurrent changes kept winning; try again (",
                              aborted.message(), ")"));
}

// Claims position `p` for the caller: one commit guarded by the segment's
// slot, the translation as read, the caller's current-lease pointer and
// (for assigned work) the assignment. Returns nullopt when the segment is
// not claimable after all; `lost` is set when a commit lost a race.
absl::StatusOr<std::optional<Lease>> AssignmentCore::ClaimSegment(
    const CallContext& ctx, const statement::Statement& s, uint64_t iid,
    std::string_view language, WorkRole role, LangIndex& index, int p,
    std::string_view assignment_id, bool* lost) {
  const Principal& caller = ctx.caller();
  const uint8_t role_number = static_cast<uint8_t>(role);
  const absl::Time now = clock_->Now();
  const std::string seg = index.ids[p];
  const std::string slot_key = SlotKey(iid, language, role_number, seg);
  ASSIGN_OR_RETURN(auto slot, tables_->slots.Get(slot_key));
  const uint64_t slot_version = slot ? slot->version : 0;
  if (slot.has_value()) {
    ASSIGN_OR_RETURN(auto held, LoadLease(slot->record.lease_id()));
    if (held && held->live(now)) {
      absl::MutexLock lock(&index.mu);
      index.held[role_number][p] = {held->r.holder(),
                                    FromMicros(held->r.expire_time_micros())};
      return std::optional<Lease>();
    }
  }
  ASSIGN_OR_RETURN(SegmentWork work,
                   translations_->ReadSegmentState(iid, language, seg));
  const bool open =
      role == WorkRole::kTranslate
          ? TranslateOpen(work.state)
          : ReviewOpen(work.state) && work.author != caller.user_id &&
                std::find(work.approvers.begin(), work.approvers.end(),
                          caller.user_id) == work.approvers.end();
  if (!open) {
    absl::MutexLock lock(&index.mu);
    index.Set(p, work.state, work.author, work.approvers, work.version, now);
    return std::optional<Lease>();
  }
  ASSIGN_OR_RETURN(const uint64_t m, internal::RandomId(random_));
  internal::rec::LeaseRecord lr;
  lr.set_statement_id(s.statement_id);
  lr.set_statement_iid(iid);
  lr.set_language(std::string(language));
  lr.set_role(static_cast<int>(role));
  lr.set_segment_id(seg);
  lr.set_holder(caller.user_id);
  lr.set_assignment(std::string(assignment_id));
  lr.set_state(static_cast<int>(LeaseState::kActive));
  lr.set_create_time_micros(Micros(now));
  lr.set_expire_time_micros(Micros(now + options_.lease_ttl));
  internal::rec::SlotRecord taken;
  taken.set_lease_id(m);
  taken.set_holder(caller.user_id);

  WriteSet w;
  tables_->slots.Update(&w, slot_key, taken, slot_version);
  translations_->GuardUnchanged(iid, language, seg, work.version, &w);
  tables_->leases.PutNew(&w, LeaseKey(m), lr);
  // One lease per caller, language and role: the previous one ends here.
  const std::string current_key =
      CurrentLeaseKey(caller.user_id, language, role_number);
  ASSIGN_OR_RETURN(auto pointer, tables_->current_leases.Get(current_key));
  const uint64_t pointer_version = pointer ? pointer->version : 0;
  std::optional<internal::rec::LeaseRecord> previous;
  if (pointer.has_value()) {
    ASSIGN_OR_RETURN(auto prev, LoadLease(pointer->record));
    if (prev && prev->r.state() == static_cast<int>(LeaseState::kActive)) {
      internal::rec::LeaseRecord ended = prev->r;
      // Done work completes; anything else is given back.
      bool done = false;
      if (auto pi = index.pos.find(prev->r.segment_id());
          prev->r.statement_iid() == iid && pi != index.pos.end()) {
        absl::MutexLock lock(&index.mu);
        const SegmentState st = index.states[pi->second];
        done = prev->role() == WorkRole::kTranslate
                   ? !TranslateOpen(st)
                   : !ReviewOpen(st) ||
                         std::find(index.approvers[pi->second].begin(),
                                   index.approvers[pi->second].end(),
                                   caller.user_id) !=
                             index.approvers[pi->second].end();
      }
      const bool expired = !prev->live(now);
      ended.set_state(static_cast<int>(expired ? LeaseState::kExpired
                                       : done  ? LeaseState::kCompleted
                                               : LeaseState::kReleased));
      ended.set_end_time_micros(expired ? prev->r.expire_time_micros()
                                        : Micros(now));
      previous = prev->r;
      tables_->leases.Update(&w, LeaseKey(prev->m), ended, prev->version);
    }
  }
  tables_->current_leases.Update(&w, current_key, m, pointer_version);
  RETURN_IF_ERROR(ctx.CheckDeadline());
  // TryClaim reserved the position in the index before this commit; on
  // failure it gives the reservation back.
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) {
    if (absl::IsAborted(committed.status())) {
      *lost = true;
      return std::optional<Lease>();
    }
    return committed.status();
  }
  {
    absl::MutexLock lock(&index.mu);
    index.held[role_number][p] = {caller.user_id, now + options_.lease_ttl};
  }
  if (previous && previous->segment_id() != seg) {
    index_->ForgetHeld(previous->statement_iid(), previous->language(),
                       previous->role(), previous->segment_id(),
                       previous->holder());
  }
  return std::optional<Lease>(LeaseView(m, 1, lr, now));
}

absl::StatusOr<ClaimResult> AssignmentCore::Describe(
    const statement::Statement& s, uint64_t iid, const Lease& lease,
    ClaimReason reason, int context_size) {
  ClaimResult out;
  out.lease = lease;
  out.reason = reason;
  ASSIGN_OR_RETURN(out.translation,
                   translations_->LoadTranslation(
                       {s.statement_id, lease.language, lease.segment_id}));
  const int ordinal = out.translation.source.ordinal;
  // Neighbours in the current revision's document order, translatable or
  // not, located through the index rather than the whole document.
  std::vector<std::string> before, after;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(s, iid, lease.language));
  {
    const auto& all = index->all_ids;
    const int at = ordinal - 1;
    for (int i = std::max(0, at - context_size); i < at; ++i) {
      before.push_back(all[i]);
    }
    for (int i = at + 1;
         i < static_cast<int>(all.size()) && i <= at + context_size; ++i) {
      after.push_back(all[i]);
    }
  }
  for (const auto& id : before) {
    ASSIGN_OR_RETURN(Translation t, translations_->LoadTranslation(
                                        {s.statement_id, lease.language, id}));
    out.context_before.push_back(std::move(t));
  }
  for (const auto& id : after) {
    ASSIGN_OR_RETURN(Translation t, translations_->LoadTranslation(
                                        {s.statement_id, lease.language, id}));
    out.context_after.push_back(std::move(t));
  }
  // Who works on each of them, in one lookup.
  std::vector<std::string> ids = {lease.segment_id};
  ids.insert(ids.end(), before.begin(), before.end());
  ids.insert(ids.end(), after.begin(), after.end());
  ASSIGN_OR_RETURN(std::vector<translation::SegmentWorkers> workers,
                   WorkersOf(s, iid, lease.language, ids));
  size_t i = 0;
  out.translation.workers = std::move(workers[i++]);
  for (Translation& t : out.context_before) t.workers = std::move(workers[i++]);
  for (Translation& t : out.context_after) t.workers = std::move(workers[i++]);
  return out;
}

}  // namespace tessera::assignment

// AssignmentCore: progress of a statement and the caller's own work.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_internal.h"
#include "services/assignment/assignment_keys.h"
#include "services/assignment/assignment_scope.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment {

using internal::Denied;
using internal::kTranslatableStates;
using internal::Resolved;
using internal::TranslateOpen;
using translation::SegmentState;

absl::StatusOr<StatementProgress> AssignmentCore::GetProgress(
    const Principal& caller, std::string_view statement_id,
    const std::vector<std::string>& languages) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  const statement::Statement& s = loaded.first;
  std::vector<std::string> wanted;
  for (const std::string& l : languages) {
    ASSIGN_OR_RETURN(std::string c, internal::Canonical("languages", l));
    RETURN_IF_ERROR(internal::CheckTargeted(s, c));
    wanted.push_back(c);
  }
  auto may_see = [&](const std::string& l) {
    for (Role r : {Role::kCoordinator, Role::kTranslator, Role::kReviewer}) {
      if (caller.HasRoleFor(r, l)) return true;
    }
    return false;
  };
  StatementProgress out;
  out.statement_id = s.statement_id;
  out.deadline = s.deadline;
  out.read_time = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  // Live leases on this statement, from the stored current-lease pointers
  // (every active lease is its holder's current one): right after a
  // restart and after renewals, which the in-memory hints do not track.
  std::map<std::string, std::vector<std::pair<std::string, WorkRole>>> leases;
  {
    ASSIGN_OR_RETURN(std::vector<uint64_t> current,
                     CurrentLeaseIds(AllCurrentLeasesPrefix()));
    for (uint64_t m : current) {
      ASSIGN_OR_RETURN(auto l, LoadLease(m));
      if (l && l->live(out.read_time) &&
          l->r.statement_iid() == loaded.second) {
        leases[l->r.language()].emplace_back(l->r.holder(), l->role());
      }
    }
  }
  bool any = false;
  for (const std::string& lang : s.target_languages) {
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), lang) == wanted.end()) {
      continue;
    }
    if (!may_see(lang)) {
      if (!wanted.empty()) {
        return Denied("LANGUAGE_NOT_GRANTED",
                      StrCat("no role of the caller covers ", lang), lang);
      }
      continue;
    }
    any = true;
    LanguageProgress lp;
    lp.language = lang;
    ASSIGN_OR_RETURN(translation::Progress counts,
                     translations_->GetProgress(s.statement_id, lang));
    int64_t words = 0;
    for (SegmentState st : kTranslatableStates) {
      const auto& c = counts.Of(st);
      lp.state_counts.push_back({st, c.segments, c.words});
      lp.segment_count += static_cast<int>(c.segments);
      words += c.words;
    }
    lp.word_count = words;
    lp.percent_approved =
        words == 0 ? 100.0
                   : 100.0 * static_cast<double>(counts.approved.words) /
                         static_cast<double>(words);
    lp.words_left = counts.untranslated.words + counts.rejected.words +
                    counts.needs_update.words;
    lp.words_to_review = counts.translated.words;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(s, loaded.second, lang));
    std::map<std::pair<std::string, WorkRole>, AssigneeProgress> people;
    {
      absl::MutexLock lock(&index->mu);
      std::vector<bool> covered(index->ids.size(), false);
      for (const Stored& a : all) {
        if (!a.active() || a.r.language() != lang) continue;
        ASSIGN_OR_RETURN(Assignment v, View(a, s, index.get()));
        ASSIGN_OR_RETURN(Resolved r,
                         internal::Resolve(*statements_, a.r, *index));
        if (a.role() == WorkRole::kTranslate) {
          r.ForEach([&](int p) { covered[p] = true; });
        }
        auto& ap = people[{a.r.assignee(), a.role()}];
        ap.assignee = a.r.assignee();
        ap.role = a.role();
        ap.assignments.push_back(a.id());
        if (ap.state_counts.empty()) {
          for (SegmentState st : kTranslatableStates) {
            ap.state_counts.push_back({st, 0, 0});
          }
        }
        for (const StateCount& c : v.state_counts) {
          for (StateCount& mine : ap.state_counts) {
            if (mine.state == c.state) {
              mine.segments += c.segments;
              mine.words += c.words;
            }
          }
          const bool left = a.role() == WorkRole::kReview
                                ? c.state != SegmentState::kApproved
                                : TranslateOpen(c.state);
          if (left) ap.words_left += c.words;
        }
        if (v.effective_deadline &&
            (!ap.next_deadline || *v.effective_deadline < *ap.next_deadline)) {
          ap.next_deadline = v.effective_deadline;
        }
        if (v.overdue) {
          ap.overdue = true;
          lp.overdue_assignments.push_back(v);
        }
      }
      for (size_t p = 0; p < covered.size(); ++p) {
        if (!covered[p]) lp.unassigned_words += index->words[p];
      }
      for (const auto& [holder, role] : leases[lang]) {
        ++lp.active_leases;
        auto it = people.find({holder, role});
        if (it != people.end()) ++it->second.active_leases;
      }
    }
    for (auto& [key, ap] : people) lp.assignees.push_back(std::move(ap));
    out.languages.push_back(std::move(lp));
  }
  if (!any && !s.target_languages.empty()) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  "no role of the caller covers a language of the statement");
  }
  return out;
}

absl::StatusOr<MyWork> AssignmentCore::GetMyWork(
    const Principal& caller, const std::vector<std::string>& languages) {
  std::vector<std::string> wanted;
  for (const std::string& l : languages) {
    ASSIGN_OR_RETURN(std::string c, internal::Canonical("languages", l));
    wanted.push_back(c);
  }
  auto in_scope = [&](const std::string& l) {
    return wanted.empty() ||
           std::find(wanted.begin(), wanted.end(), l) != wanted.end();
  };
  MyWork out;
  // Rejected work waits for its author wherever it was claimed from: in
  // the statements of the caller's assignments and in every open statement
  // of a language the caller may translate.
  struct Rejected {
    absl::Time at;
    uint64_t iid = 0;
    int position = 0;
    translation::TranslationRef ref;
  };
  std::vector<Rejected> rejected;
  std::set<std::pair<uint64_t, std::string>> seen_langs;
  auto collect_rejected = [&](const statement::Statement& st, uint64_t iid,
                              const std::string& lang,
                              const LangIndex& index) {
    if (!seen_langs.insert({iid, lang}).second) return;
    auto it = index.rejected_by_author.find(caller.user_id);
    if (it == index.rejected_by_author.end()) return;
    for (int p : it->second) {
      rejected.push_back({index.rejected_at[p], iid, p,
                          {st.statement_id, lang, index.ids[p]}});
    }
  };
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(""));
  for (const Stored& a : all) {
    if (!a.active() || a.r.assignee() != caller.user_id ||
        !in_scope(a.r.language())) {
      continue;
    }
    auto loaded = statements_->LoadStatementWithInternalId(a.r.statement_id());
    if (!loaded.ok()) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(loaded->first, loaded->second, a.r.language()));
    absl::MutexLock lock(&index->mu);
    if (out.assignments.size() < kMaxMyWorkItems) {
      ASSIGN_OR_RETURN(Assignment v, View(a, loaded->first, index.get()));
      out.assignments.push_back(std::move(v));
    }
    collect_rejected(loaded->first, loaded->second, a.r.language(), *index);
  }
  statement::ListStatementsQuery open_query;
  open_query.states = {statement::StatementState::kOpen};
  open_query.languages = wanted;
  std::string token;
  do {
    ASSIGN_OR_RETURN(statement::StatementPage page,
                     statements_->ListStatements(
                         open_query, statement::kMaxStatementPageSize, token));
    for (const statement::Statement& listed : page.statements) {
      for (const std::string& lang : listed.target_languages) {
        if (!in_scope(lang) ||
            !internal::MayWork(caller, WorkRole::kTranslate, lang)) {
          continue;
        }
        auto loaded =
            statements_->LoadStatementWithInternalId(listed.statement_id);
        if (!loaded.ok()) continue;
        if (seen_langs.count({loaded->second, lang})) continue;
        ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                         Index(loaded->first, loaded->second, lang));
        absl::MutexLock lock(&index->mu);
        collect_rejected(loaded->first, loaded->second, lang, *index);
      }
    }
    token = page.next_page_token;
  } while (!token.empty());
  // Oldest rejection first; ties in statement and document order.
  std::sort(rejected.begin(), rejected.end(),
            [](const Rejected& a, const Rejected& b) {
              return std::tie(a.at, a.iid, a.position) <
                     std::tie(b.at, b.iid, b.position);
            });
  for (Rejected& r : rejected) {
    if (out.rejected_segments.size() >= kMaxMyWorkItems) break;
    out.rejected_segments.push_back(std::move(r.ref));
  }
  std::stable_sort(
      out.assignments.begin(), out.assignments.end(),
      [](const Assignment& a, const Assignment& b) {
        return a.effective_deadline.value_or(absl::InfiniteFuture()) <
               b.effective_deadline.value_or(absl::InfiniteFuture());
      });
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<uint64_t> ids,
                   CurrentLeaseIds(CurrentLeasePrefix(caller.user_id)));
  for (uint64_t m : ids) {
    ASSIGN_OR_RETURN(auto lease, LoadLease(m));
    if (lease && lease->live(now) && in_scope(lease->r.language())) {
      out.leases.push_back(
          internal::LeaseView(m, lease->version, lease->r, now));
    }
  }
  return out;
}

}  // namespace tessera::assignment

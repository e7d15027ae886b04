#include "services/assignment/assignment_scope.h"

#include <map>
#include <set>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/assignment/assignment_internal.h"
#include "services/common/errors.h"

namespace tessera::assignment::internal {

namespace {

// What became of revision `from`'s segments in the index's revision, cached
// in the index.
absl::StatusOr<std::shared_ptr<const Lineage>> LineageOf(
    StatementReader& statements, std::string_view statement_id, int from,
    const LangIndex& index) {
  auto it = index.lineages.find(from);
  if (it != index.lineages.end()) return it->second;
  auto l = std::make_shared<Lineage>();
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        statement::SourceSegmentPage page,
        statements.ListSourceSegments(statement_id, from,
                                      statement::kMaxSegmentPageSize, token));
    for (const auto& seg : page.segments) {
      l->old_pos[seg.info.segment_id] = static_cast<int>(l->old_ids.size());
      l->old_ids.push_back(seg.info.segment_id);
      l->now[seg.info.segment_id] = seg.info.segment_id;
    }
    token = page.next_page_token;
  } while (!token.empty());
  // Follow each revision's changes: unchanged segments keep their id, a
  // changed one is followed by its successor, a removed one drops out.
  for (int r = from + 1; r <= index.revision; ++r) {
    ASSIGN_OR_RETURN(statement::Revision rev,
                     statements.GetRevision(statement_id, r));
    std::unordered_map<std::string, std::string> successor;
    for (const auto& c : rev.changes.changed_segments) {
      successor[c.predecessor_segment_id] = c.segment_id;
    }
    std::set<std::string> removed(rev.changes.removed_segment_ids.begin(),
                                  rev.changes.removed_segment_ids.end());
    for (auto e = l->now.begin(); e != l->now.end();) {
      if (removed.count(e->second)) {
        e = l->now.erase(e);
        continue;
      }
      if (auto s = successor.find(e->second); s != successor.end()) {
        e->second = s->second;
      }
      ++e;
    }
  }
  index.lineages[from] = l;
  return std::shared_ptr<const Lineage>(l);
}

// The lineage a scope of `r` is read through, or null when the scope is of
// the index's revision (or covers the whole language).
absl::StatusOr<std::shared_ptr<const Lineage>> LineageFor(
    StatementReader& statements, const rec::AssignmentRecord& r,
    const LangIndex& index) {
  if (static_cast<Scope::Kind>(r.scope_kind()) == Scope::Kind::kWholeLanguage ||
      r.scope_revision() <= 0 || r.scope_revision() >= index.revision) {
    return std::shared_ptr<const Lineage>();
  }
  return LineageOf(statements, r.statement_id(), r.scope_revision(), index);
}

// A range's ends as ids of the current revision: a changed end is its
// successor, a removed one moves inwards to the nearest surviving segment;
// nullopt if none survives.
std::optional<std::pair<std::string, std::string>> CurrentEnds(
    const Lineage& lineage, const LangIndex& index, const std::string& first,
    const std::string& last) {
  auto f = lineage.old_pos.find(first);
  auto l = lineage.old_pos.find(last);
  if (f == lineage.old_pos.end() || l == lineage.old_pos.end()) {
    return std::nullopt;
  }
  auto surviving = [&](int i) -> const std::string* {
    auto it = lineage.now.find(lineage.old_ids[i]);
    if (it == lineage.now.end() || !index.any_ordinal.count(it->second)) {
      return nullptr;
    }
    return &it->second;
  };
  const std::string* lo = nullptr;
  const std::string* hi = nullptr;
  for (int i = f->second; i <= l->second && lo == nullptr; ++i) {
    lo = surviving(i);
  }
  for (int i = l->second; i >= f->second && hi == nullptr; --i) {
    hi = surviving(i);
  }
  if (lo == nullptr || hi == nullptr) return std::nullopt;
  return std::make_pair(*lo, *hi);
}

}  // namespace

absl::StatusOr<Resolved> Resolve(StatementReader& statements,
                                 const rec::AssignmentRecord& r,
                                 const LangIndex& index) {
  Resolved out;
  const int n = static_cast<int>(index.ids.size());
  ASSIGN_OR_RETURN(std::shared_ptr<const Lineage> lineage,
                   LineageFor(statements, r, index));
  switch (static_cast<Scope::Kind>(r.scope_kind())) {
    case Scope::Kind::kWholeLanguage:
      out.lo = 0;
      out.hi = n;
      break;
    case Scope::Kind::kRange: {
      if (lineage != nullptr && r.segment_ids_size() == 2 &&
          lineage->old_pos.count(r.segment_ids(0)) &&
          lineage->old_pos.count(r.segment_ids(1))) {
        // An end that changed is replaced by its successor; one that was
        // removed moves inwards to the nearest surviving segment.
        auto ends =
            CurrentEnds(*lineage, index, r.segment_ids(0), r.segment_ids(1));
        if (!ends) break;  // nothing survives: empty
        out.lo = index.LowerPos(index.any_ordinal.at(ends->first));
        out.hi = std::max(
            out.lo, index.LowerPos(index.any_ordinal.at(ends->second) + 1));
        break;
      }
      // Ends are ids; one that left the document falls back to the ordinal
      // it had when the scope was written.
      auto ordinal_of = [&](int i, int fallback) {
        if (r.segment_ids_size() <= i) return fallback;
        auto it = index.any_ordinal.find(r.segment_ids(i));
        return it == index.any_ordinal.end() ? fallback : it->second;
      };
      const int first = ordinal_of(0, r.first_ordinal());
      const int last = ordinal_of(1, r.last_ordinal());
      out.lo = index.LowerPos(first);
      out.hi = std::max(out.lo, index.LowerPos(last + 1));
      break;
    }
    case Scope::Kind::kSet:
      out.is_set = true;
      for (const auto& id : r.segment_ids()) {
        std::string_view now = id;
        if (lineage != nullptr) {
          auto l = lineage->now.find(id);
          if (l == lineage->now.end()) continue;  // removed
          now = l->second;
        }
        auto it = index.pos.find(std::string(now));
        if (it != index.pos.end()) out.set.push_back(it->second);
      }
      std::sort(out.set.begin(), out.set.end());
      // Two old ids may share a successor.
      out.set.erase(std::unique(out.set.begin(), out.set.end()), out.set.end());
      break;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> CurrentScopeIds(
    StatementReader& statements, const rec::AssignmentRecord& r,
    const LangIndex* index) {
  std::vector<std::string> ids(r.segment_ids().begin(), r.segment_ids().end());
  if (index == nullptr) return ids;
  ASSIGN_OR_RETURN(std::shared_ptr<const Lineage> lineage,
                   LineageFor(statements, r, *index));
  if (lineage == nullptr) return ids;
  if (static_cast<Scope::Kind>(r.scope_kind()) == Scope::Kind::kSet) {
    std::vector<std::pair<int, std::string>> now;
    for (const auto& id : r.segment_ids()) {
      auto l = lineage->now.find(id);
      if (l == lineage->now.end()) continue;
      auto o = index->any_ordinal.find(l->second);
      if (o != index->any_ordinal.end()) now.emplace_back(o->second, l->second);
    }
    std::sort(now.begin(), now.end());
    now.erase(std::unique(now.begin(), now.end()), now.end());
    ids.clear();
    for (auto& [o, id] : now) ids.push_back(id);
  } else if (r.segment_ids_size() == 2) {
    auto ends =
        CurrentEnds(*lineage, *index, r.segment_ids(0), r.segment_ids(1));
    if (ends) ids = {ends->first, ends->second};
  }
  return ids;
}

absl::Status FillScope(const Scope& scope, StatementReader& statements,
                       const statement::Statement& s,
                       rec::AssignmentRecord* r) {
  r->set_scope_kind(static_cast<int>(scope.kind));
  r->clear_segment_ids();
  r->set_scope_revision(s.current_revision);
  r->set_first_ordinal(0);
  r->set_last_ordinal(0);
  switch (scope.kind) {
    case Scope::Kind::kWholeLanguage:
      return absl::OkStatus();
    case Scope::Kind::kRange: {
      if (scope.segment_ids.size() != 2 || scope.segment_ids[0].empty() ||
          scope.segment_ids[1].empty()) {
        return BadField("scope.range",
                        "first_segment_id and last_segment_id are required");
      }
      int ordinals[2];
      for (int i = 0; i < 2; ++i) {
        auto seg = statements.GetSourceSegment(s.statement_id,
                                               scope.segment_ids[i], 0);
        if (!seg.ok()) {
          return BadField(i == 0 ? "scope.range.first_segment_id"
                                 : "scope.range.last_segment_id",
                          StrCat("segment ", scope.segment_ids[i],
                                 " is not in the current revision"));
        }
        ordinals[i] = seg->ordinal;
        r->add_segment_ids(scope.segment_ids[i]);
      }
      if (ordinals[1] < ordinals[0]) {
        return BadField("scope.range.last_segment_id",
                        "comes before first_segment_id in document order");
      }
      r->set_first_ordinal(ordinals[0]);
      r->set_last_ordinal(ordinals[1]);
      return absl::OkStatus();
    }
    case Scope::Kind::kSet: {
      if (scope.segment_ids.empty() ||
          scope.segment_ids.size() > kMaxSetSegments) {
        return BadField("scope.segments.segment_ids",
                        StrCat("must hold 1 to ", kMaxSetSegments, " ids"));
      }
      std::vector<std::pair<int, std::string>> sorted;
      std::set<std::string> seen;
      for (const std::string& id : scope.segment_ids) {
        if (!seen.insert(id).second) {
          return BadField("scope.segments.segment_ids",
                          StrCat("segment ", id, " is listed twice"));
        }
        auto seg = statements.GetSourceSegment(s.statement_id, id, 0);
        if (!seg.ok()) {
          return BadField(
              "scope.segments.segment_ids",
              StrCat("segment ", id, " is not in the current revision"));
        }
        if (!seg->segment.translatable) {
          return BadField("scope.segments.segment_ids",
                          StrCat("segment ", id, " is not translatable"));
        }
        sorted.emplace_back(seg->ordinal, id);
      }
      std::sort(sorted.begin(), sorted.end());
      for (auto& [o, id] : sorted) r->add_segment_ids(id);
      return absl::OkStatus();
    }
  }
  return BadField("scope", "is required");
}

}  // namespace tessera::assignment::internal

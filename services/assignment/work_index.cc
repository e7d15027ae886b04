#include "services/assignment/work_index.h"

#include <algorithm>

#include "common/status_macros.h"
#include "services/assignment/assignment_internal.h"

namespace tessera::assignment::internal {

using translation::SegmentState;
using translation::Translation;

void LangIndex::Set(int p, SegmentState s, std::string author,
                    std::vector<std::string> appr, uint64_t version,
                    absl::Time when) {
  if (version < versions[p]) return;
  versions[p] = version;
  const bool still_rejected = states[p] == SegmentState::kRejected &&
                              s == SegmentState::kRejected &&
                              authors[p] == author;
  if (s == SegmentState::kRejected && !still_rejected) rejected_at[p] = when;
  if (states[p] == SegmentState::kRejected) {
    auto it = rejected_by_author.find(authors[p]);
    if (it != rejected_by_author.end()) it->second.erase(p);
  }
  states[p] = s;
  authors[p] = std::move(author);
  approvers[p] = std::move(appr);
  if (TranslateOpen(s)) {
    open_translate.insert(p);
  } else {
    open_translate.erase(p);
  }
  if (ReviewOpen(s)) {
    open_review.insert(p);
  } else {
    open_review.erase(p);
  }
  if (s == SegmentState::kRejected) rejected_by_author[authors[p]].insert(p);
}

int LangIndex::LowerPos(int ordinal) const {
  return static_cast<int>(
      std::lower_bound(ordinals.begin(), ordinals.end(), ordinal) -
      ordinals.begin());
}

absl::StatusOr<std::shared_ptr<LangIndex>> WorkIndex::Get(
    const statement::Statement& s, uint64_t iid, std::string_view language) {
  const auto key = std::make_pair(iid, std::string(language));
  {
    absl::MutexLock lock(&mu_);
    auto it = indexes_.find(key);
    if (it != indexes_.end() && it->second->revision == s.current_revision) {
      return it->second;
    }
  }
  // One scan of the current revision and its translations.
  auto index = std::make_shared<LangIndex>();
  index->revision = s.current_revision;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        statement::SourceSegmentPage page,
        statements_->ListSourceSegments(s.statement_id, s.current_revision,
                                        statement::kMaxSegmentPageSize, token));
    for (const auto& seg : page.segments) {
      index->any_ordinal[seg.info.segment_id] = seg.ordinal;
      index->all_ids.push_back(seg.info.segment_id);
      if (!seg.segment.translatable) continue;
      index->pos[seg.info.segment_id] = static_cast<int>(index->ids.size());
      index->ids.push_back(seg.info.segment_id);
      index->ordinals.push_back(seg.ordinal);
      index->words.push_back(seg.info.word_count);
    }
    token = page.next_page_token;
  } while (!token.empty());
  const size_t n = index->ids.size();
  index->states.assign(n, SegmentState::kUntranslated);
  index->authors.assign(n, "");
  index->approvers.assign(n, {});
  index->rejected_at.assign(n, absl::InfinitePast());
  index->versions.assign(n, 0);
  for (size_t p = 0; p < n; ++p) {
    index->open_translate.insert(static_cast<int>(p));
  }
  token.clear();
  do {
    ASSIGN_OR_RETURN(
        translation::TranslationPage page,
        translations_->ListSegments(s.statement_id, language,
                                    translation::kMaxPageSize, token));
    for (const Translation& t : page.translations) {
      auto it = index->pos.find(t.segment_id);
      if (it == index->pos.end()) continue;
      index->Set(it->second, t.state, t.author, t.approvers, t.version,
                 t.update_time);
    }
    token = page.next_page_token;
  } while (!token.empty());
  absl::MutexLock lock(&mu_);
  auto& slot = indexes_[key];
  // A concurrent build of the same revision may have won; keep one.
  if (slot == nullptr || slot->revision != s.current_revision) slot = index;
  return slot;
}

std::shared_ptr<LangIndex> WorkIndex::Find(uint64_t iid,
                                           std::string_view language) {
  absl::MutexLock lock(&mu_);
  auto it = indexes_.find({iid, std::string(language)});
  return it == indexes_.end() ? nullptr : it->second;
}

void WorkIndex::Apply(const translation::CommittedChange& change,
                      absl::Time when) {
  std::shared_ptr<LangIndex> index = Find(change.iid, change.language);
  if (index == nullptr) return;
  absl::MutexLock lock(&index->mu);
  auto it = index->pos.find(change.segment_id);
  if (it == index->pos.end()) return;
  index->Set(it->second, change.state, change.author, change.approvers,
             change.version, when);
}

void WorkIndex::ForgetHeld(uint64_t iid, std::string_view language, int role,
                           std::string_view segment_id,
                           std::string_view holder) {
  std::shared_ptr<LangIndex> index = Find(iid, language);
  if (index == nullptr) return;
  absl::MutexLock lock(&index->mu);
  auto p = index->pos.find(std::string(segment_id));
  if (p == index->pos.end()) return;
  auto& held = index->held[role];
  auto h = held.find(p->second);
  if (h != held.end() && h->second.first == holder) held.erase(h);
}

}  // namespace tessera::assignment::internal

#include "services/assignment/open_statements.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/status_macros.h"

namespace tessera::assignment::internal {

absl::StatusOr<std::shared_ptr<const OpenStatements::List>> OpenStatements::Of(
    const std::string& lang) {
  const uint64_t last = feed_->LastVisibleFeedSeq();
  std::shared_ptr<const List> cached;
  uint64_t stamp = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = lists_.find(lang);
    if (it != lists_.end()) {
      cached = it->second.list;
      stamp = it->second.seq;
    }
  }
  if (cached != nullptr) {
    if (stamp >= last) return cached;
    constexpr size_t kMaxFeedLook = 512;
    ASSIGN_OR_RETURN(std::vector<storage::FeedEvent> events,
                     feed_->ReadFeed(stamp, kMaxFeedLook));
    bool changed = events.size() >= kMaxFeedLook;
    uint64_t seen = stamp;
    for (const auto& e : events) {
      if (absl::StartsWith(e.type, "statement.")) changed = true;
      seen = std::max(seen, e.seq);
    }
    if (!changed && seen >= last) {
      absl::MutexLock lock(&mu_);
      auto& entry = lists_[lang];
      if (entry.list == cached) entry.seq = std::max(entry.seq, seen);
      return cached;
    }
  }
  auto list = std::make_shared<List>();
  statement::ListStatementsQuery q;
  q.states = {statement::StatementState::kOpen};
  q.languages = {lang};
  std::string token;
  do {
    ASSIGN_OR_RETURN(auto page,
                     statements_->ListStatements(
                         q, statement::kMaxStatementPageSize, token));
    for (auto& st : page.statements) {
      ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                        st.statement_id));
      list->push_back(std::move(loaded));
    }
    token = page.next_page_token;
  } while (!token.empty());
  std::stable_sort(
      list->begin(), list->end(), [](const auto& a, const auto& b) {
        const absl::Time da = a.first.deadline.value_or(absl::InfiniteFuture());
        const absl::Time db = b.first.deadline.value_or(absl::InfiniteFuture());
        if (da != db) return da < db;
        return a.first.create_time < b.first.create_time;
      });
  absl::MutexLock lock(&mu_);
  ++builds_;
  auto& entry = lists_[lang];
  // Stamped with the feed position read before listing: anything committed
  // since is looked at next time.
  if (entry.list == nullptr || entry.seq <= last) {
    entry.list = list;
    entry.seq = last;
  }
  return std::shared_ptr<const List>(list);
}

}  // namespace tessera::assignment::internal

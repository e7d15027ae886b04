#include "services/statement/revision_matching.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string_view>

#include "text/similarity.h"

namespace tessera::statement {
namespace {

// Candidates are looked for this far around the place the surrounding
// unchanged segments suggest, and the edit-distance work of one revision is
// capped (see the header).
constexpr int kMatchWindow = 48;
constexpr int64_t kMatchCellBudget = int64_t{400} << 20;

// Indices (into `seq`) of one longest strictly increasing subsequence.
std::vector<size_t> LongestIncreasing(const std::vector<int>& seq) {
  std::vector<size_t> tails;  // index into seq of the smallest tail per length
  std::vector<int> parent(seq.size(), -1);
  for (size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i],
                               [&](size_t t, int v) { return seq[t] < v; });
    if (it != tails.begin()) parent[i] = static_cast<int>(*(it - 1));
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<size_t> out;
  for (int k = tails.empty() ? -1 : static_cast<int>(tails.back()); k >= 0;
       k = parent[k]) {
    out.push_back(static_cast<size_t>(k));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

RevisionChanges ComputeChanges(int previous_revision,
                               const std::vector<std::string>& old_ids,
                               const std::vector<std::string>& old_keys,
                               const std::vector<std::string>& new_ids,
                               const std::vector<std::string>& new_keys) {
  RevisionChanges changes;
  changes.previous_revision = previous_revision;
  std::map<std::string_view, int> old_index;
  for (size_t i = 0; i < old_ids.size(); ++i) {
    old_index.emplace(old_ids[i], static_cast<int>(i));
  }
  std::vector<int> old_of_new(new_ids.size(), -1);
  std::vector<bool> old_kept(old_ids.size(), false);
  std::vector<int> kept_seq;
  std::vector<size_t> kept_new;
  for (size_t j = 0; j < new_ids.size(); ++j) {
    auto it = old_index.find(new_ids[j]);
    if (it == old_index.end()) continue;
    old_of_new[j] = it->second;
    old_kept[it->second] = true;
    kept_seq.push_back(it->second);
    kept_new.push_back(j);
  }
  changes.unchanged_segment_count = static_cast<int>(kept_seq.size());
  std::vector<bool> in_order(kept_seq.size(), false);
  for (size_t k : LongestIncreasing(kept_seq)) in_order[k] = true;
  for (size_t k = 0; k < kept_seq.size(); ++k) {
    if (!in_order[k]) changes.moved_segment_ids.push_back(new_ids[kept_new[k]]);
  }

  // Unmatched segments on both sides, in document order.
  std::vector<int> old_free;
  for (size_t i = 0; i < old_ids.size(); ++i) {
    if (!old_kept[i]) old_free.push_back(static_cast<int>(i));
  }
  struct Candidate {
    double similarity;
    int distance;
    int new_index;
    int old_index;
  };
  std::vector<Candidate> candidates;
  std::vector<std::optional<text::SimilarityText>> old_points(old_ids.size());
  int64_t budget = kMatchCellBudget;
  int anchor_new = -1;
  int anchor_old = -1;
  for (size_t j = 0; j < new_ids.size(); ++j) {
    if (old_of_new[j] >= 0) {
      anchor_new = static_cast<int>(j);
      anchor_old = old_of_new[j];
      continue;
    }
    if (old_free.empty()) continue;
    // Where the surrounding unchanged text says this segment used to be.
    int expected = anchor_old + (static_cast<int>(j) - anchor_new);
    auto at = std::lower_bound(old_free.begin(), old_free.end(), expected);
    int center = static_cast<int>(at - old_free.begin());
    int lo = std::max(0, center - kMatchWindow);
    int hi = std::min(static_cast<int>(old_free.size()), center + kMatchWindow);
    const text::SimilarityText mine = text::PrepareSimilarity(new_keys[j]);
    for (int k = lo; k < hi; ++k) {
      int o = old_free[k];
      if (!old_points[o].has_value()) {
        old_points[o] = text::PrepareSimilarity(old_keys[o]);
      }
      double sim =
          text::EditSimilarity(mine, *old_points[o], kMinSimilarity, &budget);
      if (sim < kMinSimilarity) continue;
      candidates.push_back(
          {sim, std::abs(o - expected), static_cast<int>(j), o});
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) {
              if (a.similarity != b.similarity) {
                return a.similarity > b.similarity;
              }
              if (a.distance != b.distance) return a.distance < b.distance;
              return a.new_index < b.new_index;
            });
  std::vector<int> predecessor(new_ids.size(), -1);
  std::vector<float> similarity(new_ids.size(), 0);
  std::vector<bool> old_taken(old_ids.size(), false);
  for (const Candidate& c : candidates) {
    if (predecessor[c.new_index] >= 0 || old_taken[c.old_index]) continue;
    predecessor[c.new_index] = c.old_index;
    old_taken[c.old_index] = true;
    // Strictly inside (0, 1): different keys never score 1.
    similarity[c.new_index] =
        std::min(static_cast<float>(c.similarity), 0.9999f);
  }
  for (size_t j = 0; j < new_ids.size(); ++j) {
    if (old_of_new[j] >= 0) continue;
    if (predecessor[j] >= 0) {
      changes.changed_segments.push_back(
          {new_ids[j], old_ids[predecessor[j]], similarity[j]});
    } else {
      changes.added_segment_ids.push_back(new_ids[j]);
    }
  }
  for (int o : old_free) {
    if (!old_taken[o]) changes.removed_segment_ids.push_back(old_ids[o]);
  }
  return changes;
}

}  // namespace tessera::statement

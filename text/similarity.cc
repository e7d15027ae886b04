#include "text/similarity.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/utf8.h"

namespace tessera::text {

SimilarityText PrepareSimilarity(std::string_view utf8) {
  SimilarityText p;
  p.code_points.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp;
    i += DecodeUtf8(utf8, i, &cp);
    p.code_points.push_back(cp);
  }
  p.sorted = p.code_points;
  std::sort(p.sorted.begin(), p.sorted.end());
  return p;
}

double EditSimilarity(const SimilarityText& pa, const SimilarityText& pb,
                      double min_similarity, int64_t* budget) {
  const std::u32string& a = pa.code_points;
  const std::u32string& b = pb.code_points;
  size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 1.0;
  size_t max_dist = static_cast<size_t>((1.0 - min_similarity) *
                                        static_cast<double>(longest));
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > max_dist) return -1;
  // Distance >= longest - |common characters| (as multisets).
  size_t common = 0;
  for (size_t i = 0, j = 0; i < pa.sorted.size() && j < pb.sorted.size();) {
    if (pa.sorted[i] == pb.sorted[j]) {
      ++common;
      ++i;
      ++j;
    } else if (pa.sorted[i] < pb.sorted[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  if (longest - common > max_dist) return -1;
  int64_t cells =
      static_cast<int64_t>(a.size() + 1) * static_cast<int64_t>(b.size() + 1);
  if (cells > *budget) return -1;
  *budget -= cells;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max_dist) return -1;
    std::swap(prev, cur);
  }
  size_t dist = prev[b.size()];
  if (dist > max_dist) return -1;
  return 1.0 - static_cast<double>(dist) / static_cast<double>(longest);
}

double EditSimilarity(std::string_view a, std::string_view b) {
  int64_t budget = std::numeric_limits<int64_t>::max();
  return EditSimilarity(PrepareSimilarity(a), PrepareSimilarity(b), 0.0,
                        &budget);
}

}  // namespace tessera::text

#include "services/memory/memory_oracle.h"

#include <algorithm>

namespace tessera::memory {
namespace {

double Ins(const Token& t) {
  if (t.kind == TokenKind::kWord) return 1.0;
  if (t.kind == TokenKind::kPunct) return 0.1;
  if (t.kind == TokenKind::kCode) return 0.2;
  return 0.5;
}

// Infinity-free "not allowed": a cost no alignment can beat by using it.
constexpr double kNever = 1e18;

double Sub(const Token& a, const Token& b) {
  if (a.kind != b.kind) return kNever;
  if (a.kind != TokenKind::kWord) return a.text == b.text ? 0.0 : 0.1;
  if (a.folded == b.folded) return a.text == b.text ? 0.0 : 0.1;
  const double longer =
      static_cast<double>(std::max(a.points.size(), b.points.size()));
  return 0.75 + 0.25 * (static_cast<double>(Levenshtein(a.points, b.points)) /
                        longer);
}

}  // namespace

double OracleScore(const ScoreForm& a, const ScoreForm& b) {
  if (a.words < 4 || b.words < 4) {
    const double longer =
        static_cast<double>(std::max(a.chars.size(), b.chars.size()));
    if (longer == 0) return 1.0;
    return 1.0 - static_cast<double>(Levenshtein(a.chars, b.chars)) / longer;
  }
  const auto& x = a.tokens;
  const auto& y = b.tokens;
  std::vector<std::vector<double>> d(x.size() + 1,
                                     std::vector<double>(y.size() + 1, 0.0));
  for (size_t i = 1; i <= x.size(); ++i) d[i][0] = d[i - 1][0] + Ins(x[i - 1]);
  for (size_t j = 1; j <= y.size(); ++j) d[0][j] = d[0][j - 1] + Ins(y[j - 1]);
  for (size_t i = 1; i <= x.size(); ++i) {
    for (size_t j = 1; j <= y.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + Ins(x[i - 1]),
                          d[i][j - 1] + Ins(y[j - 1]),
                          d[i - 1][j - 1] + Sub(x[i - 1], y[j - 1])});
    }
  }
  double wa = 0, wb = 0;
  for (const Token& t : x) wa += Ins(t);
  for (const Token& t : y) wb += Ins(t);
  const double w = std::max(wa, wb);
  if (w <= 0) return 1.0;
  return 1.0 - d[x.size()][y.size()] / w;
}

std::vector<std::pair<uint64_t, double>> OracleLookup(
    const std::vector<std::pair<uint64_t, ScoreForm>>& units,
    const ScoreForm& query, double min_score) {
  std::vector<std::pair<uint64_t, double>> out;
  for (const auto& [id, form] : units) {
    const double s = OracleScore(query, form);
    if (s >= min_score) out.emplace_back(id, s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tessera::memory

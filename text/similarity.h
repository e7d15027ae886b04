// Edit-distance similarity between two texts, for matching a changed
// segment to its predecessor across revisions. Pure functions, safe to call
// from any thread; ICU-free.
#ifndef TESSERA_TEXT_SIMILARITY_H_
#define TESSERA_TEXT_SIMILARITY_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::text {

// A text prepared once for many EditSimilarity calls: its code points, and
// the same sorted (for a cheap lower bound on the distance).
struct SimilarityText {
  std::u32string code_points;
  std::u32string sorted;
};

// Prepares `utf8`, which should be well-formed; an ill-formed byte counts as
// one U+FFFD (see common/utf8.h).
SimilarityText PrepareSimilarity(std::string_view utf8);

// Returns the similarity of `a` and `b`:
//   1 - Levenshtein(a, b) / max(|a|, |b|)
// over code points, in [0, 1]: 1 for identical texts (two empty texts
// included), 0 when no code point can be kept (e.g. disjoint texts of equal
// length). Returns -1 instead when the similarity is certainly below
// `min_similarity` (in [0, 1]), which lets it stop early, or when the
// dynamic programme's (|a|+1)*(|b|+1) cells exceed *budget. Every run of the
// full programme subtracts its cells from *budget, so one budget caps the
// work of many calls; the cheap rejections cost nothing.
double EditSimilarity(const SimilarityText& a, const SimilarityText& b,
                      double min_similarity, int64_t* budget);

// EditSimilarity without cut-off or budget: always in [0, 1].
double EditSimilarity(std::string_view a, std::string_view b);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_SIMILARITY_H_

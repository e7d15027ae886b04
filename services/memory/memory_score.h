// The translation-memory score (memory.proto, "Scores"): how similar a
// unit's source is to a query, as CAT tools count it. Pure functions, safe
// to call from any thread; gRPC- and ICU-free (ICU stays behind text/).
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_SCORE_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_SCORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/document.h"

namespace tessera::memory {

enum class TokenKind : uint8_t {
  kWord = 1,
  kNumber = 2,  // numbers, URLs and e-mail addresses (text/placeholders.h)
  kCode = 3,    // an inline code, as "{1}", "{/1}" or "{2/}"
  kPunct = 4,   // any other non-space piece between ICU word boundaries
};

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string text;    // as in the normalised text
  std::string folded;  // words: case-folded text; others: text
  // Words: the folded text's code points, for the character refinement.
  std::u32string points;
};

// A source text prepared for scoring and indexing.
struct ScoreForm {
  std::string normalized;  // NFC, whitespace runs as one space, trimmed
  std::vector<Token> tokens;
  std::u32string chars;  // `normalized` as code points (codes are not in it)
  int words = 0;         // word tokens
  int numbers = 0;
  int codes = 0;
  int puncts = 0;
  // W: the sum of the insertion costs of the tokens, added in token order
  // (so that every scorer gets the same bits).
  double weight = 0;
  double Weight() const { return weight; }
  // Fewer than this many words on either side: the character score.
  static constexpr int kMinTokenWords = 4;
};

// Tokenises `content` with the word rules of `language` (canonical tag).
ScoreForm Prepare(const formats::Content& content, std::string_view language);

// Rebuilds the character part of a form from its tokens and text (after
// decoding a stored form).
void FillPoints(ScoreForm* form);

// Insertion (= deletion) cost of one token.
double InsertCost(TokenKind kind);
// Cost of substituting `b` for `a`; a negative value means "not allowed"
// (tokens of different kinds).
double SubstituteCost(const Token& a, const Token& b);

// The score of `b` against `a` (symmetric), in [0, 1].
double Score(const ScoreForm& a, const ScoreForm& b);

// Score(a, b) when it is at least `min_score`; otherwise -1, possibly
// without finishing the dynamic programme. When it returns a score, it is
// bit for bit the value Score returns.
double ScoreAtLeast(const ScoreForm& a, const ScoreForm& b, double min_score);

// Slack for comparisons of sums of costs that are decimal fractions.
inline constexpr double kScoreEpsilon = 1e-9;

// Code-point Levenshtein distance.
int Levenshtein(std::u32string_view a, std::u32string_view b);

// An edit of the query's tokens that turns a unit's source into it, for
// the source diff of a match.
struct TokenEdit {
  enum class Op : uint8_t { kKeep, kInsert, kDelete, kChange };
  Op op = Op::kKeep;
  TokenKind kind = TokenKind::kWord;
  std::string query_text;  // empty for kDelete
  std::string unit_text;   // empty for kInsert
};
// The edits of an optimal alignment of `unit` to `query`, in query order.
std::vector<TokenEdit> Diff(const ScoreForm& query, const ScoreForm& unit);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_SCORE_H_

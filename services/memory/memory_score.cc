#include "services/memory/memory_score.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

#include "common/utf8.h"
#include "text/case_fold.h"
#include "text/normalize.h"
#include "text/placeholders.h"
#include "text/word_count.h"

namespace tessera::memory {
namespace {

bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::u32string Points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t c;
    i += DecodeUtf8(s, i, &c);
    out.push_back(c);
  }
  return out;
}

std::string CodeText(const formats::CodeRef& c) {
  const std::string id = std::to_string(c.id);
  switch (c.kind) {
    case formats::CodeKind::kOpen:
      return "{" + id + "}";
    case formats::CodeKind::kClose:
      return "{/" + id + "}";
    default:
      return "{" + id + "/}";
  }
}

// NFC with the codes' offsets carried along.
formats::Content Nfc(const formats::Content& in) {
  if (text::IsNfc(in.text)) return in;
  text::NfcMapping m = text::NormalizeNfcMapped(in.text);
  formats::Content out{std::move(m.nfc), in.codes};
  for (formats::CodeRef& c : out.codes) {
    long delta = 0;
    size_t mapped = c.offset;
    for (const text::NfcChange& ch : m.changes) {
      if (ch.input_end <= c.offset) {
        delta = static_cast<long>(ch.nfc_end) - static_cast<long>(ch.input_end);
        mapped = static_cast<size_t>(static_cast<long>(c.offset) + delta);
      } else if (ch.input_begin < c.offset) {
        mapped = ch.nfc_begin;
        break;
      } else {
        break;
      }
    }
    c.offset = std::min(mapped, out.text.size());
  }
  return out;
}

}  // namespace

void FillPoints(ScoreForm* form) {
  form->chars = Points(form->normalized);
  form->words = form->numbers = form->codes = form->puncts = 0;
  form->weight = 0;
  for (Token& t : form->tokens) {
    form->weight += InsertCost(t.kind);
    switch (t.kind) {
      case TokenKind::kWord:
        ++form->words;
        t.points = Points(t.folded);
        break;
      case TokenKind::kNumber:
        ++form->numbers;
        break;
      case TokenKind::kCode:
        ++form->codes;
        break;
      case TokenKind::kPunct:
        ++form->puncts;
        break;
    }
  }
}

ScoreForm Prepare(const formats::Content& content, std::string_view language) {
  const formats::Content nfc = Nfc(content);
  const std::string& in = nfc.text;
  // Whitespace runs become one space, trimmed; map[i] is where input byte
  // i lands, for the codes.
  ScoreForm form;
  std::vector<size_t> map(in.size() + 1, 0);
  bool pending_space = false;
  for (size_t i = 0; i < in.size();) {
    char32_t c;
    const size_t n = DecodeUtf8(in, i, &c);
    if (IsSpace(c)) {
      pending_space = !form.normalized.empty();
      for (size_t k = 0; k < n; ++k) map[i + k] = form.normalized.size();
    } else {
      if (pending_space) form.normalized.push_back(' ');
      pending_space = false;
      for (size_t k = 0; k < n; ++k) map[i + k] = form.normalized.size();
      form.normalized.append(in, i, n);
    }
    i += n;
  }
  map[in.size()] = form.normalized.size();
  const std::string& t = form.normalized;

  struct Piece {
    size_t begin, end;
    TokenKind kind;
  };
  std::vector<Piece> pieces;
  const std::vector<text::Placeholder> holders = text::FindPlaceholders(t);
  size_t h = 0;
  for (const text::WordSpan& s : text::WordSpans(t, language)) {
    while (h < holders.size() && holders[h].end <= s.begin) {
      pieces.push_back({holders[h].begin, holders[h].end, TokenKind::kNumber});
      ++h;
    }
    if (h < holders.size() && holders[h].begin < s.end) continue;
    pieces.push_back(
        {s.begin, s.end, s.word ? TokenKind::kWord : TokenKind::kPunct});
  }
  for (; h < holders.size(); ++h) {
    pieces.push_back({holders[h].begin, holders[h].end, TokenKind::kNumber});
  }

  std::vector<std::pair<size_t, std::string>> codes;
  for (const formats::CodeRef& c : nfc.codes) {
    codes.emplace_back(map[std::min(c.offset, in.size())], CodeText(c));
  }
  size_t next_code = 0;
  auto emit_codes = [&](size_t up_to, bool inclusive) {
    while (next_code < codes.size() &&
           (codes[next_code].first < up_to ||
            (inclusive && codes[next_code].first == up_to))) {
      form.tokens.push_back({TokenKind::kCode, codes[next_code].second,
                             codes[next_code].second, {}});
      ++next_code;
    }
  };
  for (const Piece& p : pieces) {
    emit_codes(p.begin, true);
    std::string text = t.substr(p.begin, p.end - p.begin);
    std::string folded =
        p.kind == TokenKind::kWord ? text::FoldCase(text) : text;
    form.tokens.push_back({p.kind, std::move(text), std::move(folded), {}});
    emit_codes(p.end, false);
  }
  emit_codes(std::numeric_limits<size_t>::max(), true);
  FillPoints(&form);
  return form;
}

int Levenshtein(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1,
                         diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

double InsertCost(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord:
      return 1.0;
    case TokenKind::kNumber:
      return 0.5;
    case TokenKind::kCode:
      return 0.2;
    case TokenKind::kPunct:
      return 0.1;
  }
  return 1.0;
}

double SubstituteCost(const Token& a, const Token& b) {
  if (a.kind != b.kind) return -1;
  if (a.kind != TokenKind::kWord) return a.text == b.text ? 0.0 : 0.1;
  if (a.folded == b.folded) return a.text == b.text ? 0.0 : 0.1;
  const size_t longer = std::max(a.points.size(), b.points.size());
  const int d = Levenshtein(a.points, b.points);
  return 0.75 + 0.25 * (static_cast<double>(d) / static_cast<double>(longer));
}

namespace {

// Character score with an optional cut-off (min_score < 0: none).
double CharScore(const ScoreForm& a, const ScoreForm& b, double min_score) {
  const std::u32string& x = a.chars;
  const std::u32string& y = b.chars;
  const size_t longer = std::max(x.size(), y.size());
  if (longer == 0) return 1.0;
  const double limit =
      min_score < 0 ? static_cast<double>(longer)
                    : (1.0 - min_score) * static_cast<double>(longer) +
                          kScoreEpsilon;
  const size_t diff = x.size() > y.size() ? x.size() - y.size()
                                          : y.size() - x.size();
  if (static_cast<double>(diff) > limit) return -1;
  std::vector<int> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= x.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    int best = row[0];
    for (size_t j = 1; j <= y.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1,
                         diag + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (static_cast<double>(best) > limit) return -1;
  }
  const double score = 1.0 - static_cast<double>(row[y.size()]) /
                                 static_cast<double>(longer);
  return min_score >= 0 && score < min_score ? -1 : score;
}

double TokenScore(const ScoreForm& a, const ScoreForm& b, double min_score) {
  const double weight = std::max(a.Weight(), b.Weight());
  if (weight <= 0) return 1.0;
  const double limit = min_score < 0
                           ? std::numeric_limits<double>::infinity()
                           : (1.0 - min_score) * weight + kScoreEpsilon;
  if (std::abs(a.Weight() - b.Weight()) > limit) return -1;
  const std::vector<Token>& x = a.tokens;
  const std::vector<Token>& y = b.tokens;
  std::vector<double> row(y.size() + 1);
  row[0] = 0;
  for (size_t j = 1; j <= y.size(); ++j) {
    row[j] = row[j - 1] + InsertCost(y[j - 1].kind);
  }
  for (size_t i = 1; i <= x.size(); ++i) {
    double diag = row[0];
    row[0] = diag + InsertCost(x[i - 1].kind);
    double best = row[0];
    for (size_t j = 1; j <= y.size(); ++j) {
      const double up = row[j];
      double v = std::min(up + InsertCost(x[i - 1].kind),
                          row[j - 1] + InsertCost(y[j - 1].kind));
      // A substitution can only help when its least value could: 0 for
      // equal folded words, 0.75 for others (the character distance is
      // the expensive part).
      if (x[i - 1].kind == y[j - 1].kind && diag < v &&
          (x[i - 1].kind != TokenKind::kWord ||
           x[i - 1].folded == y[j - 1].folded || diag + 0.75 < v)) {
        const double sub = SubstituteCost(x[i - 1], y[j - 1]);
        v = std::min(v, diag + sub);
      }
      row[j] = v;
      diag = up;
      best = std::min(best, v);
    }
    if (best > limit) return -1;
  }
  const double score = 1.0 - row[y.size()] / weight;
  return min_score >= 0 && score < min_score ? -1 : score;
}

}  // namespace

double ScoreAtLeast(const ScoreForm& a, const ScoreForm& b, double min_score) {
  if (a.words < ScoreForm::kMinTokenWords ||
      b.words < ScoreForm::kMinTokenWords) {
    return CharScore(a, b, min_score);
  }
  return TokenScore(a, b, min_score);
}

double Score(const ScoreForm& a, const ScoreForm& b) {
  return ScoreAtLeast(a, b, -1);
}

std::vector<TokenEdit> Diff(const ScoreForm& query, const ScoreForm& unit) {
  const std::vector<Token>& x = unit.tokens;
  const std::vector<Token>& y = query.tokens;
  const size_t n = x.size(), m = y.size();
  std::vector<std::vector<double>> d(n + 1, std::vector<double>(m + 1, 0));
  for (size_t i = 1; i <= n; ++i) d[i][0] = d[i - 1][0] + InsertCost(x[i - 1].kind);
  for (size_t j = 1; j <= m; ++j) d[0][j] = d[0][j - 1] + InsertCost(y[j - 1].kind);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      double v = std::min(d[i - 1][j] + InsertCost(x[i - 1].kind),
                          d[i][j - 1] + InsertCost(y[j - 1].kind));
      const double sub = SubstituteCost(x[i - 1], y[j - 1]);
      if (sub >= 0) v = std::min(v, d[i - 1][j - 1] + sub);
      d[i][j] = v;
    }
  }
  std::vector<TokenEdit> edits;
  size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0) {
      const double sub = SubstituteCost(x[i - 1], y[j - 1]);
      if (sub >= 0 && d[i][j] == d[i - 1][j - 1] + sub) {
        edits.push_back({sub == 0 ? TokenEdit::Op::kKeep : TokenEdit::Op::kChange,
                         y[j - 1].kind, y[j - 1].text, x[i - 1].text});
        --i;
        --j;
        continue;
      }
    }
    if (j > 0 && d[i][j] == d[i][j - 1] + InsertCost(y[j - 1].kind)) {
      edits.push_back({TokenEdit::Op::kInsert, y[j - 1].kind, y[j - 1].text, ""});
      --j;
    } else {
      edits.push_back({TokenEdit::Op::kDelete, x[i - 1].kind, "", x[i - 1].text});
      --i;
    }
  }
  std::reverse(edits.begin(), edits.end());
  return edits;
}

}  // namespace tessera::memory

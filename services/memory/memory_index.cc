#include "services/memory/memory_index.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "services/memory/memory_keys.h"
#include "services/memory/memory_signature.h"
#include "storage/key_codec.h"

namespace tessera::memory {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return true;
}
void PutStr(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}
bool GetStr(std::string_view* in, std::string* s) {
  uint32_t n;
  if (!GetU32(in, &n) || in->size() < n) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}
void PutU16(std::string* out, int v) {
  const uint32_t c = static_cast<uint32_t>(std::clamp(v, 0, 0xFFFF));
  out->push_back(static_cast<char>(c >> 8));
  out->push_back(static_cast<char>(c));
}
int GetU16(std::string_view s, size_t at) {
  return (static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]);
}

std::string Mark() { return std::string(1, static_cast<char>(kMarkFormat)); }

std::string PostingValue(const ScoreForm& f) {
  std::string v(1, static_cast<char>(kPostingFormat));
  PutU16(&v, f.numbers);
  PutU16(&v, f.codes);
  PutU16(&v, f.puncts);
  return v;
}

// Distinct folded words of a form.
std::vector<std::string_view> DistinctWords(const ScoreForm& f) {
  std::vector<std::string_view> words;
  absl::flat_hash_set<std::string_view> seen;
  for (const Token& t : f.tokens) {
    if (t.kind == TokenKind::kWord && seen.insert(t.folded).second) {
      words.push_back(t.folded);
    }
  }
  return words;
}

uint32_t Words(const ScoreForm& f) { return static_cast<uint32_t>(f.words); }
uint32_t Length(const ScoreForm& f) {
  return static_cast<uint32_t>(f.chars.size());
}
bool IsShort(const ScoreForm& f) { return f.words < ScoreForm::kMinTokenWords; }

// Distinct bigrams of the character form, with their counts.
std::vector<std::pair<uint64_t, int>> Grams(const ScoreForm& f) {
  absl::flat_hash_map<uint64_t, int> count;
  std::vector<std::pair<uint64_t, int>> out;
  for (size_t i = 0; i + 1 < f.chars.size(); ++i) {
    const uint64_t g = (static_cast<uint64_t>(f.chars[i]) << 21) | f.chars[i + 1];
    if (count[g]++ == 0) out.emplace_back(g, 0);
  }
  for (auto& [g, c] : out) c = count[g];
  return out;
}

bool HasGrams(const ScoreForm& f) {
  return IsShort(f) || Length(f) <= kGramMaxLength;
}

template <typename Fn>
void ForEachEntry(const IndexedSource& s, Fn fn) {
  const ScoreForm& f = s.form;
  const uint64_t h = SourceHash(f);
  fn(FormKey(s.unit), EncodeForm(s.pair, f), false, 0);
  fn(ExactKey(s.pair, h, s.unit), Mark(), false, 0);
  fn(ContextKey(s.pair, h, s.previous_hash, s.next_hash, s.unit), Mark(),
     false, 0);
  fn(PairUnitKey(s.pair, s.unit), Mark(), false, 0);
  fn(LengthKey('l', s.pair, Length(f), s.unit), Mark(), false, 0);
  if (HasGrams(f)) {
    const std::string flag = {static_cast<char>(kMarkFormat),
                              static_cast<char>(IsShort(f) ? 1 : 0)};
    for (const auto& [g, c] : Grams(f)) {
      fn(GramKey(s.pair, g, Length(f), s.unit), flag, false, 0);
      fn(GramFrequencyKey(s.pair, g), std::string(), true, 1);
    }
  }
  if (IsShort(f)) {
    fn(LengthKey('s', s.pair, Length(f), s.unit), Mark(), false, 0);
    return;
  }
  const std::string value = PostingValue(f);
  fn(BucketKey(s.pair, Words(f), s.unit), value, false, 0);
  for (std::string_view w : DistinctWords(f)) {
    const uint64_t t = Hash64(w);
    fn(PostingKey(s.pair, t, Words(f), s.unit), value, false, 0);
    fn(FrequencyKey(s.pair, t), std::string(), true, 1);
  }
}

// Least shared words a unit of `words` words (and `other` for the other
// kinds) needs against the query; -1 when it cannot reach the score at
// all.
struct QueryBounds {
  int words = 0;
  int numbers = 0, codes = 0, puncts = 0;
  double weight = 0;
  double min_score = 0;

  double Other(int n, int c, int p) const {
    return 0.5 * std::abs(numbers - n) + 0.2 * std::abs(codes - c) +
           0.1 * std::abs(puncts - p);
  }
  // `other` and `unit_weight` of the unit.
  int Tau(int unit_words, double other, double unit_weight) const {
    const double limit =
        (1.0 - min_score) * std::max(weight, unit_weight) + kScoreEpsilon;
    const int d = std::abs(words - unit_words);
    const double room = limit - other - d;
    if (room < 0) return -1;
    const int common = std::min(words, unit_words);
    const int tau = common - static_cast<int>(std::floor(room / 0.75 + 1e-9));
    return std::max(tau, 0);
  }
  // The least Tau any unit of `unit_words` words can have (W(b) <= W(a)/s).
  int LeastTau(int unit_words) const {
    return Tau(unit_words, 0.0, std::max(weight / min_score, double(unit_words)));
  }
};

}  // namespace

uint64_t SourceHash(const ScoreForm& form) { return Hash64(form.normalized); }

std::string EncodeForm(uint64_t pair, const ScoreForm& form) {
  std::string out(1, static_cast<char>(kFormFormat));
  storage::PutFixed64BE(&out, pair);
  PutStr(&out, form.normalized);
  PutU32(&out, static_cast<uint32_t>(form.tokens.size()));
  for (const Token& t : form.tokens) {
    out.push_back(static_cast<char>(t.kind));
    PutStr(&out, t.text);
    if (t.kind == TokenKind::kWord) PutStr(&out, t.folded);
  }
  return out;
}

bool DecodeForm(std::string_view in, uint64_t* pair, ScoreForm* form) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormFormat) return false;
  in.remove_prefix(1);
  if (!storage::GetFixed64BE(&in, pair)) return false;
  *form = ScoreForm();
  uint32_t n;
  if (!GetStr(&in, &form->normalized) || !GetU32(&in, &n)) return false;
  form->tokens.resize(n);
  for (Token& t : form->tokens) {
    if (in.empty()) return false;
    t.kind = static_cast<TokenKind>(in[0]);
    in.remove_prefix(1);
    if (!GetStr(&in, &t.text)) return false;
    if (t.kind == TokenKind::kWord) {
      if (!GetStr(&in, &t.folded)) return false;
    } else {
      t.folded = t.text;
    }
  }
  FillPoints(form);
  return true;
}

void AddIndexWrites(const IndexedSource& source, storage::WriteSet* writes) {
  ForEachEntry(source, [&](const std::string& key, const std::string& value,
                           bool counter, int64_t delta) {
    if (counter) {
      writes->AddCounter(kMemoryCf, key, delta);
    } else {
      writes->Put(kMemoryCf, key, value);
    }
  });
}

void AddIndexErasures(const IndexedSource& source, storage::WriteSet* writes) {
  ForEachEntry(source, [&](const std::string& key, const std::string&,
                           bool counter, int64_t delta) {
    if (counter) {
      writes->AddCounter(kMemoryCf, key, -delta);
    } else {
      writes->Delete(kMemoryCf, key);
    }
  });
}

absl::StatusOr<std::vector<IndexHit>> Search(const storage::Store& store,
                                             uint64_t pair,
                                             const ScoreForm& query,
                                             double min_score,
                                             SearchStats* stats,
                                             SignatureCache* cache) {
  SearchStats local;
  if (stats == nullptr) stats = &local;
  const double s = std::clamp(min_score, 1e-6, 1.0);
  std::vector<uint64_t> candidates;
  absl::flat_hash_set<uint64_t> seen;
  auto add = [&](uint64_t unit) {
    if (seen.insert(unit).second) candidates.push_back(unit);
  };
  auto scan = [&](const std::string& begin, const std::string& end,
                  const std::function<void(std::string_view, std::string_view)>&
                      fn) -> absl::Status {
    return store.Scan(kMemoryCf, begin, end,
                      [&](std::string_view k, std::string_view v) {
                        ++stats->postings_read;
                        fn(k, v);
                        return true;
                      });
  };
  // Units scored by characters: code-point lengths in [s L, L / s]. With
  // k = floor((1 - s) max(L, L')) edits allowed, two texts share at least
  // max(L, L') - 1 - 2k bigrams (as multisets); where that is not positive,
  // or where the units have no bigram postings, the length is read whole.
  const double length = static_cast<double>(query.chars.size());
  const uint32_t len_lo =
      static_cast<uint32_t>(std::max(0.0, std::ceil(s * length - 1e-9)));
  const uint32_t len_hi =
      static_cast<uint32_t>(std::floor(length / s + 1e-9));
  const bool short_query = IsShort(query);
  const char length_kind = short_query ? 'l' : 's';
  const int query_grams = std::max(0, static_cast<int>(query.chars.size()) - 1);
  auto gram_tau = [&](uint32_t other_length) {
    const double longer = std::max(length, static_cast<double>(other_length));
    const int k = static_cast<int>(std::floor((1.0 - s) * longer + 1e-9));
    return static_cast<int>(longer) - 1 - 2 * k;
  };
  // When few units have a length in the window, reading them is cheaper
  // than the bigram postings and their counters.
  std::vector<uint64_t> few;
  bool over_budget = false;
  {
    constexpr size_t kFew = 64;
    absl::Status st = store.Scan(
        kMemoryCf, LengthPrefix(length_kind, pair, len_lo),
        LengthPrefix(length_kind, pair, len_hi + 1),
        [&](std::string_view k, std::string_view) {
          ++stats->postings_read;
          if (few.size() == kFew) {
            over_budget = true;
            return false;
          }
          few.push_back(TrailingUnit(k));
          return true;
        });
    if (!st.ok()) return st;
  }
  int least_gram_tau = query_grams + 1;
  if (!over_budget) {
    for (uint64_t unit : few) add(unit);
  }
  for (uint32_t len = len_lo; over_budget && len <= len_hi; ++len) {
    const int tau = gram_tau(len);
    // A short query also needs long units of 4+ words, which have no
    // bigrams.
    const bool whole = tau <= 0 || (short_query && len > kGramMaxLength);
    if (!whole) {
      least_gram_tau = std::min(least_gram_tau, tau);
      continue;
    }
    absl::Status st = scan(
        LengthPrefix(length_kind, pair, len),
        LengthPrefix(length_kind, pair, len + 1),
        [&](std::string_view k, std::string_view) { add(TrailingUnit(k)); });
    if (!st.ok()) return st;
  }
  if (over_budget && least_gram_tau <= query_grams) {
    struct Gram {
      int64_t df;
      uint64_t gram;
      int count;
    };
    std::vector<Gram> order;
    for (const auto& [g, c] : Grams(query)) {
      auto df = store.GetCounter(kMemoryCf, GramFrequencyKey(pair, g));
      if (!df.ok()) return df.status();
      order.push_back({*df, g, c});
    }
    std::sort(order.begin(), order.end(), [](const Gram& a, const Gram& b) {
      return a.df != b.df ? a.df < b.df : a.gram < b.gram;
    });
    int rank = 0;
    for (const Gram& g : order) {
      const int r = rank;
      rank += g.count;
      if (r > query_grams - least_gram_tau) break;
      absl::Status st = scan(
          GramPrefix(pair, g.gram, len_lo), GramPrefix(pair, g.gram, len_hi + 1),
          [&](std::string_view k, std::string_view v) {
            if (k.size() < 29 || v.size() < 2) return;
            if (!short_query && v[1] == 0) return;  // scored by tokens
            uint32_t len = 0;
            for (char ch : k.substr(17, 4)) len = (len << 8) | static_cast<uint8_t>(ch);
            if (short_query && len > kGramMaxLength) return;  // read whole
            const int tau = gram_tau(len);
            if (tau >= 1 && r <= query_grams - tau) add(TrailingUnit(k));
          });
      if (!st.ok()) return st;
    }
  }

  QueryBounds qb{query.words, query.numbers, query.codes, query.puncts,
                 query.Weight(), s};
  absl::Status st;
  if (!IsShort(query)) {
    const double lim_max = (1.0 - s) * qb.weight / s + kScoreEpsilon;
    const int n_lo = std::max(
        ScoreForm::kMinTokenWords,
        static_cast<int>(std::ceil(query.words - lim_max - 1e-9)));
    const int n_hi = static_cast<int>(std::floor(qb.weight / s + 1e-9));
    int least_tau = query.words + 1;
    for (int n = n_lo; n <= n_hi; ++n) {
      const int t = qb.LeastTau(n);
      if (t < 0) continue;
      least_tau = std::min(least_tau, t);
      if (t > 0) continue;
      // Units here may share no word with the query and still reach s.
      st = scan(BucketPrefix(pair, n), BucketPrefix(pair, n + 1),
                [&](std::string_view k, std::string_view v) {
                  if (v.size() < 7) return;
                  const int nn = GetU16(v, 1), cc = GetU16(v, 3),
                            pp = GetU16(v, 5);
                  const double w = n + 0.5 * nn + 0.2 * cc + 0.1 * pp;
                  if (qb.Tau(n, qb.Other(nn, cc, pp), w) == 0) {
                    add(TrailingUnit(k));
                  }
                });
      if (!st.ok()) return st;
    }
    if (n_lo <= n_hi && least_tau <= query.words) {
      // The query's words as a multiset, rarest first.
      absl::flat_hash_map<std::string_view, int> count;
      for (const Token& t : query.tokens) {
        if (t.kind == TokenKind::kWord) ++count[t.folded];
      }
      struct Element {
        int64_t df;
        uint64_t hash;
        std::string_view word;
      };
      std::vector<Element> order;
      for (const auto& [w, c] : count) {
        const uint64_t h = Hash64(w);
        auto df = store.GetCounter(kMemoryCf, FrequencyKey(pair, h));
        if (!df.ok()) return df.status();
        order.push_back({*df, h, w});
      }
      std::sort(order.begin(), order.end(), [](const Element& a, const Element& b) {
        return a.df != b.df ? a.df < b.df : a.hash < b.hash;
      });
      int rank = 0;
      for (const Element& e : order) {
        const int r = rank;
        rank += count[e.word];
        if (r > query.words - std::max(least_tau, 1)) break;
        st = scan(PostingPrefix(pair, e.hash, static_cast<uint32_t>(n_lo)),
                  PostingPrefix(pair, e.hash, static_cast<uint32_t>(n_hi) + 1),
                  [&](std::string_view k, std::string_view v) {
                    if (v.size() < 7 || k.size() < 29) return;
                    std::string_view rest = k.substr(17, 4);
                    uint32_t n = 0;
                    for (char ch : rest) n = (n << 8) | static_cast<uint8_t>(ch);
                    const int nn = GetU16(v, 1), cc = GetU16(v, 3),
                              pp = GetU16(v, 5);
                    const double w = n + 0.5 * nn + 0.2 * cc + 0.1 * pp;
                    const int tau =
                        qb.Tau(static_cast<int>(n), qb.Other(nn, cc, pp), w);
                    if (tau >= 1 && r <= query.words - tau) add(TrailingUnit(k));
                  });
        if (!st.ok()) return st;
      }
    }
  }

  // Filters on the candidates' signatures, then verification of the
  // survivors on their forms.
  stats->candidates += static_cast<int64_t>(candidates.size());
  SignatureCache local_cache;
  if (cache == nullptr) cache = &local_cache;
  std::vector<std::shared_ptr<const Signature>> sigs;
  cache->Find(candidates, &sigs);
  // Forms read for a missing signature, kept for the verification.
  absl::flat_hash_map<uint64_t, ScoreForm> read;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (sigs[i] != nullptr) continue;
    ++stats->signatures_read;
    auto value = store.Get(kMemoryCf, FormKey(candidates[i]));
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    ScoreForm form;
    uint64_t unit_pair = 0;
    if (!DecodeForm(**value, &unit_pair, &form) || unit_pair != pair) continue;
    auto sig = std::make_shared<const Signature>(MakeSignature(form));
    cache->Insert(candidates[i], sig);
    sigs[i] = std::move(sig);
    read.emplace(candidates[i], std::move(form));
  }
  const std::vector<uint32_t> query_hashed = HashedWords(query);
  std::optional<CharPattern> pattern;
  if (query.chars.size() <= 64) pattern.emplace(query.chars);
  std::vector<IndexHit> hits;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Signature* sig = sigs[i].get();
    if (sig == nullptr) continue;
    if (short_query || sig->words < ScoreForm::kMinTokenWords) {
      // The character score, exactly, where the unit's code points are at
      // hand.
      if (pattern.has_value() && sig->length <= Signature::kMaxChars) {
        const size_t longer = std::max<size_t>(query.chars.size(), sig->length);
        if (longer > 0) {
          const int d = pattern->Distance(sig->chars);
          if (1.0 - static_cast<double>(d) / static_cast<double>(longer) < s) {
            continue;
          }
        }
      }
    } else {
      // The count bound with the exact shared words (or more, on a hash
      // collision).
      const int m = SharedCount(query_hashed, sig->words_hashed);
      const int tau = qb.Tau(sig->words, qb.Other(sig->numbers, sig->codes, sig->puncts),
                             sig->weight);
      if (tau < 0 || m < tau) continue;
    }
    IndexHit hit;
    const uint64_t unit = candidates[i];
    if (auto it = read.find(unit); it != read.end()) {
      hit.form = std::move(it->second);
    } else {
      auto value = store.Get(kMemoryCf, FormKey(unit));
      if (!value.ok()) return value.status();
      if (!value->has_value()) continue;
      uint64_t unit_pair = 0;
      if (!DecodeForm(**value, &unit_pair, &hit.form) || unit_pair != pair) {
        continue;
      }
    }
    ++stats->verified;
    hit.score = ScoreAtLeast(query, hit.form, s);
    if (hit.score < 0 || hit.score < min_score) continue;
    hit.unit = unit;
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace tessera::memory

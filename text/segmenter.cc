#include "text/segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/parseerr.h>
#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "text/internal/prefilter.h"
#include "text/internal/rule_parser.h"
#include "text/internal/rules_data.h"
#include "text/internal/utf16.h"
#include "text/language.h"

namespace tessera::text {
namespace {

using internal::ParsedRuleSet;

// ---------------------------------------------------------------------------
// Character classes for the candidate scan, built once from ICU properties.

enum CharFlag : uint8_t {
  kTerminator = 1,  // Sentence_Break STerm or ATerm, and U+2026
  kCloser = 2,      // Sentence_Break Close
  kWhite = 4,       // White_Space
  kLineBreak = 8,   // LF VT FF CR NEL LS PS
  kAlnum = 16,      // a letter or a decimal digit
  kPunct = 32,      // general category P*
};

class CharClasses {
 public:
  static const CharClasses& Get() {
    static const CharClasses* const classes = new CharClasses();
    return *classes;
  }

  // One table lookup for the BMP, which holds every character the scan
  // cares about most; properties are computed for the rest.
  uint8_t Flags(UChar32 c) const {
    if (c <= 0xFFFF) return bmp_[c];
    return Compute(c);
  }

  // Every White_Space character is in the BMP, so one code unit suffices.
  static bool IsWhiteUnit(char16_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
    return IsWhiteNonAscii(c);
  }

 private:
  static bool IsWhiteNonAscii(UChar32 c) {
    return c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
  }

  CharClasses() {
    UErrorCode status = U_ZERO_ERROR;
    terminators_.applyPattern(
        u"[\\p{Sentence_Break=STerm}\\p{Sentence_Break=ATerm}\\u2026]", status);
    closers_.applyPattern(u"[\\p{Sentence_Break=Close}]", status);
    // Only a broken ICU data file can make these fail.
    if (U_FAILURE(status)) std::abort();
    terminators_.freeze();
    closers_.freeze();
    bmp_.resize(0x10000);
    for (UChar32 c = 0; c <= 0xFFFF; ++c) bmp_[c] = Compute(c);
  }

  uint8_t Compute(UChar32 c) const {
    uint8_t f = 0;
    if (terminators_.contains(c)) f |= kTerminator;
    if (closers_.contains(c)) f |= kCloser;
    if (c < 0x10000 && IsWhiteUnit(static_cast<char16_t>(c))) f |= kWhite;
    if ((c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029) {
      f |= kLineBreak;
    }
    const uint32_t mask = U_MASK(u_charType(c));
    if (mask & (U_GC_L_MASK | U_GC_ND_MASK)) f |= kAlnum;
    if (mask & U_GC_P_MASK) f |= kPunct;
    return f;
  }

  icu::UnicodeSet terminators_;
  icu::UnicodeSet closers_;
  std::vector<uint8_t> bmp_;
};

// Reads the code point at text[i]; sets *len to its length in code units.
inline UChar32 CodePointAt(const std::u16string& text, int32_t i,
                           int32_t* len) {
  const char16_t c = text[i];
  if (U16_IS_LEAD(c) && i + 1 < static_cast<int32_t>(text.size()) &&
      U16_IS_TRAIL(text[i + 1])) {
    *len = 2;
    return U16_GET_SUPPLEMENTARY(c, text[i + 1]);
  }
  *len = 1;
  return c;
}

// ---------------------------------------------------------------------------
// Compiled rules.

constexpr uint32_t kRegexFlags = UREGEX_MULTILINE;
// Bounds a pathological pattern's work per match; units are roughly ms.
constexpr int32_t kRegexTimeLimit = 50;
// Longest token looked up in a word list, in code units.
constexpr int32_t kMaxListToken = 48;

struct WordSet {
  bool case_insensitive = false;
  absl::flat_hash_set<std::u16string> words;
};

// One rule, compiled. Merging consecutive rules of one kind into a single
// alternation was measured to save nothing: ICU's per-match setup and its
// backtracking frames grow with the pattern.
struct Step {
  bool is_break = false;
  // "(?=after)(?<=before)", or just the look-ahead for a word-list rule; -1
  // when the rule matches everywhere.
  int pattern = -1;
  int list = -1;  // word-list rule: index into CompiledRules::lists
  // Prefilters (see internal/prefilter.h), owned by CompiledRules::sets: the
  // character at the candidate, and the two before it. Null: no filter.
  const icu::UnicodeSet* first = nullptr;
  const icu::UnicodeSet* last = nullptr;
  const icu::UnicodeSet* before_last = nullptr;
};

struct CompiledRules {
  std::vector<std::unique_ptr<icu::RegexPattern>> patterns;
  std::vector<Step> steps;
  std::vector<WordSet> lists;
  // `candidates` patterns, each with the set of characters it can start
  // with, so that the text is scanned by table lookup rather than by the
  // regex engine.
  struct CandidatePattern {
    int pattern;
    const icu::UnicodeSet* head;
    bool head_has_ascii;
  };
  std::vector<CandidatePattern> candidate_patterns;
  std::vector<std::unique_ptr<icu::UnicodeSet>> sets;
  std::vector<UChar32> spaced_closers;
  std::vector<UChar32> closers;  // extra, beyond Sentence_Break=Close
  std::vector<int> break_steps;  // indexes into `steps`, ascending
  std::vector<int> nobreak_steps;
};

// Replaces *out with the simple case folding of `s`.
void FoldCaseInto(std::u16string_view s, std::u16string* out) {
  out->clear();
  for (size_t i = 0; i < s.size();) {
    UChar32 c;
    U16_NEXT(s.data(), i, s.size(), c);
    c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    if (c <= 0xFFFF) {
      out->push_back(static_cast<char16_t>(c));
    } else {
      out->push_back(U16_LEAD(c));
      out->push_back(U16_TRAIL(c));
    }
  }
}

std::u16string FoldCase(const std::u16string& s) {
  std::u16string out;
  FoldCaseInto(s, &out);
  return out;
}

std::u16string ToU16(std::string_view utf8) {
  std::u16string out;
  internal::Utf8ToUtf16(utf8, &out);
  return out;
}

absl::StatusOr<std::unique_ptr<icu::RegexPattern>> CompileRegex(
    const std::string& pattern, std::string_view origin, std::string_view field,
    std::string_view shown) {
  UParseError parse_error;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexPattern> compiled(icu::RegexPattern::compile(
      icu::UnicodeString::fromUTF8(pattern), kRegexFlags, parse_error, status));
  if (U_FAILURE(status) || compiled == nullptr) {
    std::string why = u_errorName(status);
    if (status == U_REGEX_LOOK_BEHIND_LIMIT) {
      why =
          "the before pattern must have a bounded length (use {0,n}, not "
          "* or +)";
    }
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(origin), ": ", ToAbsl(field), " pattern '",
                     ToAbsl(shown), "' does not compile: ", why));
  }
  return compiled;
}

absl::StatusOr<CompiledRules> Compile(const ParsedRuleSet& parsed) {
  CompiledRules out;
  absl::flat_hash_map<std::string, int> list_index;
  for (const auto& [name, list] : parsed.lists) {
    WordSet set;
    set.case_insensitive = list.case_insensitive;
    for (const std::string& w : list.words) {
      std::u16string u = ToU16(w);
      if (static_cast<int32_t>(u.size()) > kMaxListToken) {
        return absl::InvalidArgumentError(
            absl::StrCat(list.origin, ": word '", w, "' is longer than ",
                         kMaxListToken, " code units"));
      }
      set.words.insert(set.case_insensitive ? FoldCase(u) : u);
    }
    list_index[name] = static_cast<int>(out.lists.size());
    out.lists.push_back(std::move(set));
  }

  // Builds (once per distinct pattern) the set a prefilter tests; null when
  // the analysis found none or ICU cannot read it, which only costs speed.
  absl::flat_hash_map<std::string, const icu::UnicodeSet*> set_cache;
  auto make_set = [&](const std::string& pattern) -> const icu::UnicodeSet* {
    if (pattern.empty()) return nullptr;
    auto [it, inserted] = set_cache.try_emplace(pattern, nullptr);
    if (!inserted) return it->second;
    auto set = std::make_unique<icu::UnicodeSet>();
    UErrorCode status = U_ZERO_ERROR;
    set->applyPattern(icu::UnicodeString::fromUTF8(pattern), status);
    if (U_FAILURE(status)) return nullptr;
    set->freeze();
    it->second = set.get();
    out.sets.push_back(std::move(set));
    return it->second;
  };

  for (const internal::ParsedRule& rule : parsed.rules) {
    Step step;
    step.is_break = rule.is_break;
    std::string pattern;
    if (!rule.after.empty()) {
      const std::string lookahead = absl::StrCat("(?=", rule.after, ")");
      // Compiled alone first, so that an error names the field.
      RETURN_IF_ERROR(
          CompileRegex(lookahead, rule.origin, "after", rule.after).status());
      pattern = lookahead;
      step.first = make_set(internal::AnalyzePattern(rule.after).first);
    }
    if (!rule.list.empty()) {
      step.list = list_index.at(rule.list);
    } else if (!rule.before.empty()) {
      const std::string lookbehind = absl::StrCat("(?<=", rule.before, ")");
      RETURN_IF_ERROR(
          CompileRegex(lookbehind, rule.origin, "before", rule.before)
              .status());
      // The look-ahead goes first: it is tried at one position, a
      // look-behind at every start its length range allows.
      pattern += lookbehind;
      const internal::PatternEdges edges =
          internal::AnalyzePattern(rule.before);
      step.last = make_set(edges.last);
      if (step.last != nullptr) step.before_last = make_set(edges.before_last);
    }
    if (!pattern.empty()) {
      ASSIGN_OR_RETURN(auto compiled,
                       CompileRegex(pattern, rule.origin, "rule", pattern));
      step.pattern = static_cast<int>(out.patterns.size());
      out.patterns.push_back(std::move(compiled));
    }
    out.steps.push_back(step);
  }

  for (int i = 0; i < static_cast<int>(out.steps.size()); ++i) {
    (out.steps[i].is_break ? out.break_steps : out.nobreak_steps).push_back(i);
  }
  for (const internal::ParsedPattern& c : parsed.candidates) {
    ASSIGN_OR_RETURN(auto compiled, CompileRegex(c.pattern, c.origin,
                                                 "candidates", c.pattern));
    const icu::UnicodeSet* head =
        make_set(internal::AnalyzePattern(c.pattern).first);
    if (head == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          c.origin, ": candidates pattern '", c.pattern,
          "' must start with a character or character class that is not "
          "optional"));
    }
    out.candidate_patterns.push_back({static_cast<int>(out.patterns.size()),
                                      head, head->containsSome(0, 0x7F) != 0});
    out.patterns.push_back(std::move(compiled));
  }
  for (auto [utf8, chars] :
       {std::pair{&parsed.spaced_closers, &out.spaced_closers},
        std::pair{&parsed.closers, &out.closers}}) {
    const std::u16string u = ToU16(*utf8);
    for (int32_t i = 0; i < static_cast<int32_t>(u.size());) {
      int32_t len;
      const UChar32 c = CodePointAt(u, i, &len);
      if (c > 0xFFFF) {
        return absl::InvalidArgumentError(absl::StrCat(
            "closers must be in the Basic Multilingual Plane: '", *utf8, "'"));
      }
      chars->push_back(c);
      i += len;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Per-call scratch state, pooled per segmenter.

struct Candidate {
  int32_t pos;
  bool icu;
};

struct Scratch {
  std::unique_ptr<icu::BreakIterator> iterator;
  std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
  // Matchers are pointed at the text only when first used in a call: most
  // rules are rejected by their prefilters, and a short paragraph would
  // otherwise pay for resetting every matcher.
  std::vector<uint64_t> matcher_call;  // the call a matcher was reset for
  uint64_t call = 0;
  UText text_ut = UTEXT_INITIALIZER;  // the current call's text
  std::u16string text;
  std::u16string view;
  // The token before the candidate being decided, for word lists: as
  // written, case-folded, and the same for the part after an apostrophe.
  // Computed once per candidate, on first use.
  int32_t token_pos = -1;
  bool has_token = false;
  std::u16string token;
  std::u16string token_folded;
  std::u16string tail;
  std::u16string tail_folded;
  std::vector<Candidate> candidates;  // from the scan, ascending
  std::vector<Candidate> icu;         // ICU's proposals, ascending
  std::vector<Candidate> extra;       // `candidates` pattern matches
  std::vector<Candidate> merged;
  std::vector<int32_t> forced;
  std::vector<std::pair<int32_t, bool>> breaks;  // position, forced
  std::vector<size_t> result;

  // Buffers above this many elements are released after a call, so one
  // huge document does not pin memory in every pooled scratch.
  static constexpr size_t kKeepCapacity = 1 << 20;
  void Trim() {
    if (text.capacity() > kKeepCapacity) std::u16string().swap(text);
    if (view.capacity() > kKeepCapacity) std::u16string().swap(view);
    if (candidates.capacity() > kKeepCapacity / 8 ||
        merged.capacity() > kKeepCapacity / 8) {
      std::vector<Candidate>().swap(candidates);
      std::vector<Candidate>().swap(icu);
      std::vector<Candidate>().swap(extra);
      std::vector<Candidate>().swap(merged);
      std::vector<std::pair<int32_t, bool>>().swap(breaks);
    }
  }
};

}  // namespace

// ---------------------------------------------------------------------------

struct Segmenter::Impl {
  std::string rules_name;
  CompiledRules rules;
  std::unique_ptr<icu::BreakIterator> prototype;

  mutable absl::Mutex mu;
  mutable std::vector<std::unique_ptr<Scratch>> free ABSL_GUARDED_BY(mu);

  // Returns a scratch for one call, or nullptr if ICU cannot clone (out of
  // memory).
  std::unique_ptr<Scratch> Acquire() const {
    {
      absl::MutexLock lock(&mu);
      if (!free.empty()) {
        std::unique_ptr<Scratch> s = std::move(free.back());
        free.pop_back();
        return s;
      }
    }
    auto s = std::make_unique<Scratch>();
    {
      // Cloning only reads the prototype; the lock makes that explicit.
      absl::MutexLock lock(&mu);
      s->iterator.reset(prototype->clone());
    }
    if (s->iterator == nullptr) return nullptr;
    for (const auto& pattern : rules.patterns) {
      UErrorCode status = U_ZERO_ERROR;
      std::unique_ptr<icu::RegexMatcher> m(pattern->matcher(status));
      if (U_FAILURE(status) || m == nullptr) return nullptr;
      m->setTimeLimit(kRegexTimeLimit, status);
      s->matchers.push_back(std::move(m));
    }
    s->matcher_call.assign(s->matchers.size(), 0);
    return s;
  }

  void Release(std::unique_ptr<Scratch> s) const {
    s->Trim();
    absl::MutexLock lock(&mu);
    free.push_back(std::move(s));
  }

  void ScanText(Scratch& s, bool* use_view) const;
  bool MatchesList(Scratch& s, const WordSet& list, int32_t pos) const;
  bool StepMatches(Scratch& s, const Step& step, int32_t pos) const;

  // The matcher for rules.patterns[index], reset to the current text.
  static icu::RegexMatcher& Matcher(Scratch& s, int index) {
    icu::RegexMatcher& m = *s.matchers[index];
    if (s.matcher_call[index] != s.call) {
      s.matcher_call[index] = s.call;
      m.reset(&s.text_ut);
    }
    return m;
  }
  bool Decide(Scratch& s, int32_t pos, bool icu_break) const;
  void Run(Scratch& s) const;
};

// Finds rule candidates (ends of terminator runs, single line breaks) and
// forced breaks (blank lines), and prepares the view ICU iterates over: the
// text with line breaks turned into spaces and, for spaced closers, the
// spaces before them turned into the closer.
void Segmenter::Impl::ScanText(Scratch& s, bool* use_view) const {
  const CharClasses& cc = CharClasses::Get();
  const std::u16string& t = s.text;
  const int32_t n = static_cast<int32_t>(t.size());
  *use_view = false;
  auto ensure_view = [&]() {
    if (!*use_view) {
      s.view.assign(t);
      *use_view = true;
    }
  };
  auto is_spaced_closer = [&](UChar32 c) {
    return std::find(rules.spaced_closers.begin(), rules.spaced_closers.end(),
                     c) != rules.spaced_closers.end();
  };
  auto is_extra_closer = [&](UChar32 c) {
    return std::find(rules.closers.begin(), rules.closers.end(), c) !=
           rules.closers.end();
  };

  int32_t i = 0;
  while (i < n) {
    int32_t len;
    const UChar32 c = CodePointAt(t, i, &len);
    const uint8_t f = cc.Flags(c);
    if (f & kTerminator) {
      int32_t j = i + len;
      for (;;) {
        while (j < n) {
          int32_t l2;
          const UChar32 c2 = CodePointAt(t, j, &l2);
          if (!(cc.Flags(c2) & (kTerminator | kCloser))) {
            if (!is_extra_closer(c2)) break;
            // Markdown emphasis after a terminator, "vivre !**": ICU
            // sees a closing parenthesis there.
            ensure_view();
            s.view[j] = u')';
          }
          j += l2;
        }
        if (rules.spaced_closers.empty()) break;
        // French « … » typography: "vivre ! »" keeps the » with the "!".
        int32_t k = j;
        while (k < n && k - j < 3 && CharClasses::IsWhiteUnit(t[k]) &&
               !(cc.Flags(t[k]) & kLineBreak)) {
          ++k;
        }
        if (k == j || k >= n || !is_spaced_closer(t[k])) break;
        ensure_view();
        for (int32_t m = j; m < k; ++m) s.view[m] = t[k];
        j = k + 1;
      }
      if (j < n) s.candidates.push_back({j, false});
      i = j;
      continue;
    }
    if (f & kWhite) {
      int32_t j = i;
      int lines = 0;
      bool paragraph = false;
      while (j < n && CharClasses::IsWhiteUnit(t[j])) {
        const char16_t w = t[j];
        if (cc.Flags(w) & kLineBreak) {
          ensure_view();
          s.view[j] = u' ';
          // CR LF is one line break.
          if (!(w == u'\n' && j > i && t[j - 1] == u'\r')) ++lines;
          if (w == 0x2029) paragraph = true;
        }
        ++j;
      }
      if (lines >= 2 || paragraph) {
        if (j < n) s.forced.push_back(j);
      } else if (lines == 1 && i > 0) {
        s.candidates.push_back({i, false});
      }
      i = j;
      continue;
    }
    i += len;
  }
}

// Word-list rules: the token before `pos` (back to whitespace, minus leading
// punctuation such as an opening bracket) must be a list entry. Comparing
// whole tokens is what keeps "Philipp." from matching the entry "pp.".
bool Segmenter::Impl::MatchesList(Scratch& s, const WordSet& list,
                                  int32_t pos) const {
  if (s.token_pos != pos) {
    s.token_pos = pos;
    s.has_token = false;
    const std::u16string& t = s.text;
    int32_t start = pos;
    while (start > 0 && !CharClasses::IsWhiteUnit(t[start - 1])) {
      if (pos - start >= kMaxListToken) return false;
      --start;
    }
    const CharClasses& cc = CharClasses::Get();
    while (start < pos && t[start] != u'.' && (cc.Flags(t[start]) & kPunct)) {
      ++start;
    }
    if (start == pos) return false;
    s.has_token = true;
    s.token.assign(t, start, pos - start);
    FoldCaseInto(s.token, &s.token_folded);
    // Elided forms: "l'av." is the entry "av." after "l'".
    const size_t apostrophe = s.token.find_last_of(u"'\u2019");
    if (apostrophe != std::u16string::npos && apostrophe + 1 < s.token.size()) {
      s.tail.assign(s.token, apostrophe + 1);
      FoldCaseInto(s.tail, &s.tail_folded);
    } else {
      s.tail.clear();
      s.tail_folded.clear();
    }
  }
  if (!s.has_token) return false;
  if (list.case_insensitive) {
    return list.words.contains(s.token_folded) ||
           (!s.tail.empty() && list.words.contains(s.tail_folded));
  }
  return list.words.contains(s.token) ||
         (!s.tail.empty() && list.words.contains(s.tail));
}

bool Segmenter::Impl::StepMatches(Scratch& s, const Step& step,
                                  int32_t pos) const {
  const std::u16string& t = s.text;
  if (step.first != nullptr) {
    int32_t len;
    if (pos >= static_cast<int32_t>(t.size()) ||
        !step.first->contains(CodePointAt(t, pos, &len))) {
      return false;
    }
  }
  if (step.last != nullptr) {
    int32_t p = pos;
    UChar32 c;
    if (p <= 0) return false;
    U16_PREV(t.data(), 0, p, c);
    if (!step.last->contains(c)) return false;
    if (step.before_last != nullptr) {
      if (p <= 0) return false;
      U16_PREV(t.data(), 0, p, c);
      if (!step.before_last->contains(c)) return false;
    }
  }
  if (step.list >= 0 && !MatchesList(s, rules.lists[step.list], pos)) {
    return false;
  }
  if (step.pattern >= 0) {
    UErrorCode status = U_ZERO_ERROR;
    const bool matched = Matcher(s, step.pattern).lookingAt(pos, status);
    if (U_FAILURE(status) || !matched) return false;
  }
  return true;
}

// The first matching step decides, and ICU decides when none matches. Only
// a step of the kind opposite to ICU's proposal can change the outcome, so
// those are tried first; the steps of ICU's kind before it are tried only
// when one matches. Most candidates thus cost only the opposite steps.
bool Segmenter::Impl::Decide(Scratch& s, int32_t pos, bool icu_break) const {
  const std::vector<int>& opposite =
      icu_break ? rules.nobreak_steps : rules.break_steps;
  for (int k : opposite) {
    if (!StepMatches(s, rules.steps[k], pos)) continue;
    for (int j = 0; j < k; ++j) {
      const Step& earlier = rules.steps[j];
      if (earlier.is_break == icu_break && StepMatches(s, earlier, pos)) {
        return icu_break;
      }
    }
    return !icu_break;
  }
  return icu_break;
}

void Segmenter::Impl::Run(Scratch& s) const {
  const std::u16string& t = s.text;
  const int32_t n = static_cast<int32_t>(t.size());
  const CharClasses& cc = CharClasses::Get();
  s.token_pos = -1;
  s.candidates.clear();
  s.icu.clear();
  s.forced.clear();
  s.breaks.clear();

  bool use_view = false;
  ScanText(s, &use_view);

  UErrorCode status = U_ZERO_ERROR;
  ++s.call;
  utext_openUChars(&s.text_ut, t.data(), n, &status);

  // ICU's proposals, each moved back over the whitespace ICU puts before
  // the boundary, so that rules see the position right after the sentence.
  UText view_ut = UTEXT_INITIALIZER;
  const std::u16string& view = use_view ? s.view : t;
  utext_openUChars(&view_ut, view.data(), n, &status);
  s.iterator->setText(&view_ut, status);
  utext_close(&view_ut);
  if (U_SUCCESS(status)) {
    for (int32_t b = s.iterator->next(); b != icu::BreakIterator::DONE && b < n;
         b = s.iterator->next()) {
      int32_t p = b;
      while (p > 0 && CharClasses::IsWhiteUnit(t[p - 1])) --p;
      if (p > 0) s.icu.push_back({p, true});
    }
  }

  s.extra.clear();
  for (const auto& c : rules.candidate_patterns) {
    for (int32_t i = 1; i < n;) {
      if (t[i] < 0x80 && !c.head_has_ascii) {
        ++i;
        continue;
      }
      int32_t len;
      const UChar32 ch = CodePointAt(t, i, &len);
      if (c.head->contains(ch)) {
        UErrorCode match_status = U_ZERO_ERROR;
        if (Matcher(s, c.pattern).lookingAt(i, match_status) &&
            U_SUCCESS(match_status)) {
          s.extra.push_back({i, false});
        }
      }
      i += len;
    }
  }

  // Three sorted streams: the scan's, ICU's and the patterns'. ICU's flag
  // sorts first among equal positions, since its default decides there.
  auto by_position = [](const Candidate& a, const Candidate& b) {
    return a.pos < b.pos || (a.pos == b.pos && a.icu > b.icu);
  };
  s.merged.clear();
  std::merge(s.candidates.begin(), s.candidates.end(), s.icu.begin(),
             s.icu.end(), std::back_inserter(s.merged), by_position);
  if (!s.extra.empty()) {
    std::sort(s.extra.begin(), s.extra.end(), by_position);
    s.candidates.clear();
    std::merge(s.merged.begin(), s.merged.end(), s.extra.begin(), s.extra.end(),
               std::back_inserter(s.candidates), by_position);
    s.merged.swap(s.candidates);
  }

  // Decide each candidate once (ICU's flag wins on duplicates, sorted
  // first), then place the break after the whitespace that follows.
  int32_t last_pos = -1;
  for (const Candidate& c : s.merged) {
    if (c.pos == last_pos) continue;
    last_pos = c.pos;
    if (!Decide(s, c.pos, c.icu)) continue;
    int32_t p = c.pos;
    while (p < n && CharClasses::IsWhiteUnit(t[p])) ++p;
    if (p < n && (s.breaks.empty() || s.breaks.back().first < p)) {
      s.breaks.push_back({p, false});
    }
  }

  // Blank lines always end a sentence.
  if (!s.forced.empty()) {
    std::vector<std::pair<int32_t, bool>> merged;
    merged.reserve(s.breaks.size() + s.forced.size());
    size_t a = 0, b = 0;
    while (a < s.breaks.size() || b < s.forced.size()) {
      if (b == s.forced.size() ||
          (a < s.breaks.size() && s.breaks[a].first < s.forced[b])) {
        merged.push_back(s.breaks[a++]);
      } else {
        if (a < s.breaks.size() && s.breaks[a].first == s.forced[b]) ++a;
        merged.push_back({s.forced[b++], true});
      }
    }
    s.breaks.swap(merged);
  }

  // A piece with no letter or digit joins the sentence before it (a lone
  // "»" or footnote mark), and leading whitespace joins the first sentence.
  auto has_alnum = [&](int32_t from, int32_t to) {
    for (int32_t i = from; i < to;) {
      int32_t len;
      if (cc.Flags(CodePointAt(t, i, &len)) & kAlnum) return true;
      i += len;
    }
    return false;
  };
  int32_t content = 0;  // first character that is not whitespace
  while (content < n && CharClasses::IsWhiteUnit(t[content])) ++content;
  s.result.clear();
  for (size_t k = 0; k < s.breaks.size(); ++k) {
    const auto [p, forced] = s.breaks[k];
    const int32_t next = k + 1 < s.breaks.size() ? s.breaks[k + 1].first : n;
    if (p <= content) continue;
    if (!forced && !has_alnum(p, next)) continue;
    s.result.push_back(static_cast<size_t>(p));
  }
  s.result.push_back(static_cast<size_t>(n));
  utext_close(&s.text_ut);
}

Segmenter::Segmenter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Segmenter::~Segmenter() = default;

const std::string& Segmenter::rules_name() const { return impl_->rules_name; }

std::vector<size_t> Segmenter::Split(std::string_view utf8) const {
  if (utf8.empty()) return {};
  // ICU indexes text with int32_t; far beyond any upload limit.
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) return {utf8.size()};
  std::unique_ptr<Scratch> s = impl_->Acquire();
  if (s == nullptr) return {utf8.size()};  // ICU out of memory
  const bool ascii = internal::Utf8ToUtf16(utf8, &s->text);
  impl_->Run(*s);
  std::vector<size_t> out = s->result;
  if (!ascii) internal::MapUtf16ToUtf8(utf8, &out);
  out.back() = utf8.size();
  impl_->Release(std::move(s));
  return out;
}

namespace {

absl::StatusOr<std::unique_ptr<icu::BreakIterator>> SentencePrototype(
    const std::string& language) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createSentenceInstance(icu::Locale(language.c_str()),
                                                 status));
  if (U_FAILURE(status) || it == nullptr) {
    return absl::InternalError(
        absl::StrCat("ICU sentence iterator for '", language,
                     "' unavailable: ", u_errorName(status)));
  }
  return it;
}

std::optional<std::string_view> ResolveBuiltin(std::string_view name) {
  return internal::BuiltinRuleFile(name);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Segmenter>> Segmenter::Create(
    std::string_view rules, std::string_view canonical_tag) {
  ASSIGN_OR_RETURN(const std::string tag,
                   CanonicalizeLanguageTag(canonical_tag));
  ASSIGN_OR_RETURN(ParsedRuleSet parsed,
                   internal::ParseRuleSet("<custom>", rules, ResolveBuiltin));
  auto impl = std::make_unique<Impl>();
  impl->rules_name = "<custom>";
  ASSIGN_OR_RETURN(impl->rules, Compile(parsed));
  ASSIGN_OR_RETURN(impl->prototype, SentencePrototype(LanguageOf(tag)));
  return std::shared_ptr<const Segmenter>(new Segmenter(std::move(impl)));
}

namespace {

// Process-wide cache. Segmenters are keyed by (rule file, ICU locale whose
// sentence data is actually used), so the many languages that fall back to
// the common rules and ICU's root data share one instance. The map from
// language to segmenter is capped; past the cap, lookups still work but
// redo the cheap key computation.
struct Registry {
  static constexpr size_t kMaxLanguages = 512;
  absl::Mutex mu;
  // Keyed by the tag as given, so that a repeated lookup skips
  // canonicalisation; capped like by_language.
  absl::flat_hash_map<std::string, std::shared_ptr<const Segmenter>> by_tag
      ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, std::shared_ptr<const Segmenter>> by_language
      ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, std::shared_ptr<const Segmenter>> by_key
      ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry* const registry = new Registry();
  return *registry;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Segmenter>> Segmenter::ForLanguage(
    std::string_view canonical_tag) {
  Registry& registry = GetRegistry();
  const std::string given(canonical_tag);
  {
    absl::MutexLock lock(&registry.mu);
    auto it = registry.by_tag.find(given);
    if (it != registry.by_tag.end()) return it->second;
  }
  ASSIGN_OR_RETURN(const std::string tag,
                   CanonicalizeLanguageTag(canonical_tag));
  const std::string language = LanguageOf(tag);
  auto remember =
      [&](std::shared_ptr<const Segmenter> segmenter)
          ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry.mu) {
            if (registry.by_tag.size() < Registry::kMaxLanguages) {
              registry.by_tag.try_emplace(given, segmenter);
            }
            if (registry.by_language.size() < Registry::kMaxLanguages) {
              registry.by_language.try_emplace(language, segmenter);
            }
            return segmenter;
          };
  {
    absl::MutexLock lock(&registry.mu);
    auto it = registry.by_language.find(language);
    if (it != registry.by_language.end()) return remember(it->second);
  }

  const std::string rules_name =
      internal::BuiltinRuleFile(language) ? language : "common";
  ASSIGN_OR_RETURN(std::unique_ptr<icu::BreakIterator> prototype,
                   SentencePrototype(language));
  UErrorCode status = U_ZERO_ERROR;
  const std::string key =
      absl::StrCat(rules_name, "/",
                   prototype->getLocale(ULOC_ACTUAL_LOCALE, status).getName());

  std::shared_ptr<const Segmenter> segmenter;
  {
    absl::MutexLock lock(&registry.mu);
    auto it = registry.by_key.find(key);
    if (it != registry.by_key.end()) segmenter = it->second;
  }
  if (segmenter == nullptr) {
    const std::string_view text = *internal::BuiltinRuleFile(rules_name);
    absl::StatusOr<ParsedRuleSet> parsed =
        internal::ParseRuleSet(rules_name, text, ResolveBuiltin);
    absl::StatusOr<CompiledRules> compiled =
        parsed.ok() ? Compile(*parsed) : parsed.status();
    if (!compiled.ok()) {
      return absl::InternalError(
          absl::StrCat("built-in segmentation rules '", rules_name,
                       "' are broken: ", compiled.status().message()));
    }
    auto impl = std::make_unique<Impl>();
    impl->rules_name = rules_name;
    impl->rules = *std::move(compiled);
    impl->prototype = std::move(prototype);
    segmenter.reset(new Segmenter(std::move(impl)));
  }

  absl::MutexLock lock(&registry.mu);
  auto [it, inserted] = registry.by_key.try_emplace(key, segmenter);
  return remember(it->second);
}

}  // namespace tessera::text

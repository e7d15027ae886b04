#include "text/segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/parseerr.h>
#include <unicode/rbbi.h>
#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/usetiter.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "text/internal/prefilter.h"
#include "text/internal/rule_parser.h"
#include "text/internal/rules_data.h"
#include "text/internal/segmenter_testing.h"
#include "text/language.h"

namespace tessera::text {
namespace {

using internal::ParsedRuleSet;

// ---------------------------------------------------------------------------
// Characters.

enum CharFlag : uint8_t {
  kTerminator = 1,  // Sentence_Break STerm or ATerm, U+2026, and per rule set
                    // ICU's tailored terminators and `terminators`
  kCloser = 2,      // Sentence_Break Close
  kWhite = 4,       // White_Space
  kLineBreak = 8,   // LF VT FF CR NEL LS PS
  kAlnum = 16,      // a letter or a decimal digit
  kPunct = 32,      // general category P*
  kQuote = 64,      // per rule set: a character of a `quotes` pair
  kHead = 128,      // per rule set: may start a `candidates` match
};

inline bool IsWhite(UChar32 c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

inline bool IsLineBreak(UChar32 c) {
  return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

// Bullets that may stand right before a list marker: "•9.", "⁃10.".
inline bool IsBullet(UChar32 c) {
  return c == 0x2022 || c == 0x25E6 || c == 0x25AA || c == 0x2023 ||
         c == 0x2043 || c == 0x2219;
}

inline bool IsAsciiDigit(UChar32 c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiLetter(UChar32 c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

// The code point at p[*i] (U+FFFD for an ill-formed sequence, as ICU's
// UTF-8 UText reads it); advances *i. ICU's macros, not common/utf8.h, so
// the rules and ICU's break iterators see the same code points.
[[gnu::always_inline]] inline UChar32 Next(const uint8_t* p, int32_t* i,
                                           int32_t n) {
  int32_t k = *i;
  UChar32 c;
  U8_NEXT_OR_FFFD(p, k, n, c);
  *i = k;
  return c;
}

// The code point before p[*i]; moves *i back to its start.
[[gnu::always_inline]] inline UChar32 Prev(const uint8_t* p, int32_t* i) {
  int32_t k = *i;
  UChar32 c;
  U8_PREV_OR_FFFD(p, 0, k, c);
  *i = k;
  return c;
}

// Property-based classes, built once.
class CharClasses {
 public:
  static const CharClasses& Get() {
    static const CharClasses* const classes = new CharClasses();
    return *classes;
  }

  uint8_t Flags(UChar32 c) const {
    return c <= 0xFFFF ? flags_[c] : Compute(c);
  }

  // The Sentence_Break property value (USentenceBreak).
  uint8_t Sb(UChar32 c) const {
    return c <= 0xFFFF ? sb_[c]
                       : static_cast<uint8_t>(
                             u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK));
  }

  const std::vector<uint8_t>& bmp_flags() const { return flags_; }
  const icu::UnicodeSet& terminators() const { return terminators_; }

  uint8_t Compute(UChar32 c) const {
    uint8_t f = 0;
    if (terminators_.contains(c)) f |= kTerminator;
    if (closers_.contains(c)) f |= kCloser;
    if (IsWhite(c)) f |= kWhite;
    if (IsLineBreak(c)) f |= kLineBreak;
    const uint32_t mask = U_MASK(u_charType(c));
    if (mask & (U_GC_L_MASK | U_GC_ND_MASK)) f |= kAlnum;
    if (mask & U_GC_P_MASK) f |= kPunct;
    return f;
  }

 private:
  CharClasses() {
    UErrorCode status = U_ZERO_ERROR;
    terminators_.applyPattern(
        u"[\\p{Sentence_Break=STerm}\\p{Sentence_Break=ATerm}\\u2026]", status);
    closers_.applyPattern(u"[\\p{Sentence_Break=Close}]", status);
    // Only a broken ICU data file can make these fail.
    if (U_FAILURE(status)) std::abort();
    terminators_.freeze();
    closers_.freeze();
    flags_.resize(0x10000);
    sb_.resize(0x10000);
    for (UChar32 c = 0; c <= 0xFFFF; ++c) {
      flags_[c] = Compute(c);
      sb_[c] =
          static_cast<uint8_t>(u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK));
    }
  }

  icu::UnicodeSet terminators_;
  icu::UnicodeSet closers_;
  std::vector<uint8_t> flags_;
  std::vector<uint8_t> sb_;
};

inline bool IsExtendOrFormat(uint8_t sb) {
  return sb == U_SB_EXTEND || sb == U_SB_FORMAT;
}

// ---------------------------------------------------------------------------
// Compiled rules.

constexpr uint32_t kRegexFlags = UREGEX_MULTILINE;
// Bounds a pathological pattern's work per match; units are roughly ms.
constexpr int32_t kRegexTimeLimit = 50;
// Longest token looked up in a word list, in code points.
constexpr int32_t kMaxListToken = 48;
// A quotation longer than this (bytes) is not treated as embedded.
constexpr int32_t kMaxQuotation = 1000;

// At most this many word lists per rule set: list membership is a bit
// mask.
constexpr int kMaxLists = 64;

// A UnicodeSet with its ASCII part as a bitmap, since prefilters test
// mostly ASCII characters.
class FastSet {
 public:
  FastSet() = default;
  explicit FastSet(const icu::UnicodeSet* set) : set_(set) {
    if (set == nullptr) return;
    for (UChar32 c = 0; c < 128; ++c) {
      if (set->contains(c)) ascii_[c >> 6] |= uint64_t{1} << (c & 63);
    }
  }
  explicit operator bool() const { return set_ != nullptr; }
  const icu::UnicodeSet* set() const { return set_; }
  bool contains(UChar32 c) const {
    if (c >= 0 && c < 128) return (ascii_[c >> 6] >> (c & 63)) & 1;
    return set_->contains(c);
  }

 private:
  const icu::UnicodeSet* set_ = nullptr;
  uint64_t ascii_[2] = {0, 0};
};

// One rule, compiled. Merging consecutive rules of one kind into a single
// alternation was measured to save nothing: ICU's per-match setup and its
// backtracking frames grow with the pattern.
struct Step {
  bool is_break = false;
  // "(?=after)(?<=before)", or just the look-ahead for a word-list rule; -1
  // when the rule matches everywhere.
  int pattern = -1;
  int list = -1;        // before is @LIST: the list's bit in `words`
  int after_list = -1;  // after is @LIST
  // Prefilters (see internal/prefilter.h), owned by CompiledRules::sets: the
  // character at the candidate, and the three before it (tail[0] is the
  // last), each may also lie before the text when tail_at_start says so.
  // Null: no filter.
  FastSet first;
  FastSet tail[internal::PatternEdges::kTail];
  bool tail_at_start[internal::PatternEdges::kTail] = {};
  // The tail is tested on the characters before the candidate without
  // format characters (bidi marks), as word lists see tokens.
  bool tail_skips_format = false;
  // After a run of at least `lead_min` characters of `lead` (spaces,
  // usually), the next character must be in `after_lead`.
  FastSet lead;
  FastSet after_lead;
  int lead_min = 0;
};

// Enumeration marker styles: kind (number, lower-case or upper-case letter)
// times form.
enum MarkerKind { kNumber = 0, kLower = 1, kUpper = 2 };
enum MarkerForm { kDot = 0, kParen = 1, kDotParen = 2, kBothParens = 3 };
constexpr int kMarkerStyles = 12;
inline int StyleIndex(int kind, int form) { return kind * 4 + form; }

struct QuotePair {
  UChar32 open;
  UChar32 close;
};

struct CompiledRules {
  std::vector<std::unique_ptr<icu::RegexPattern>> patterns;
  std::vector<Step> steps;
  // Every word-list entry (UTF-8, case-folded for a case-insensitive list)
  // with the lists that hold it: bit i for list i.
  absl::flat_hash_map<std::string, uint64_t> words;
  uint64_t folded_lists = 0;  // bits of the case-insensitive lists
  // `candidates` patterns, each with the set of characters it can start
  // with, so that the text is scanned by table lookup rather than by the
  // regex engine.
  struct CandidatePattern {
    int pattern;
    const icu::UnicodeSet* head;
  };
  std::vector<CandidatePattern> candidate_patterns;
  std::vector<std::unique_ptr<icu::UnicodeSet>> sets;
  std::vector<UChar32> spaced_closers;
  std::vector<UChar32> closers;      // extra, beyond Sentence_Break=Close
  std::vector<UChar32> terminators;  // extra, from `terminators`
  std::vector<QuotePair> quotes;
  std::array<bool, kMarkerStyles> enumerations{};
  bool any_enumerations = false;
  int max_token = 0;             // the longest word-list entry, in code points
  std::vector<int> break_steps;  // indexes into `steps`, ascending
  std::vector<int> nobreak_steps;
};

// Appends the simple case folding of the UTF-8 `s` to *out.
void AppendFolded(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      const char c = static_cast<char>(p[i++]);
      out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      continue;
    }
    const UChar32 c = u_foldCase(Next(p, &i, n), U_FOLD_CASE_DEFAULT);
    char buf[4];
    int32_t len = 0;
    U8_APPEND_UNSAFE(buf, len, c);
    out->append(buf, len);
  }
}

std::string Folded(std::string_view s) {
  std::string out;
  AppendFolded(s, &out);
  return out;
}

std::vector<UChar32> CodePointsOf(std::string_view utf8) {
  std::vector<UChar32> out;
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) out.push_back(Next(p, &i, n));
  return out;
}

int32_t CountCodePoints(std::string_view utf8) {
  int32_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
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
    return absl::InvalidArgumentError(StrCat(
        origin, ": ", field, " pattern '", shown, "' does not compile: ", why));
  }
  return compiled;
}

int EnumerationStyle(std::string_view style) {
  const bool paren_before = style.front() == '(';
  const char k = style[paren_before ? 1 : 0];
  const int kind = k == 'N' ? kNumber : k == 'a' ? kLower : kUpper;
  const std::string_view tail = style.substr(paren_before ? 2 : 1);
  const int form = paren_before  ? kBothParens
                   : tail == "." ? kDot
                   : tail == ")" ? kParen
                                 : kDotParen;
  return StyleIndex(kind, form);
}

absl::StatusOr<CompiledRules> Compile(const ParsedRuleSet& parsed) {
  CompiledRules out;
  absl::flat_hash_map<std::string, int> list_index;
  absl::flat_hash_map<std::string, std::array<const icu::UnicodeSet*, 2>>
      list_tails;
  for (const auto& [name, list] : parsed.lists) {
    const int index = static_cast<int>(list_index.size());
    if (index >= kMaxLists) {
      return absl::InvalidArgumentError(
          absl::StrCat(list.origin, ": more than ", kMaxLists, " word lists"));
    }
    const uint64_t bit = uint64_t{1} << index;
    if (list.case_insensitive) out.folded_lists |= bit;
    for (const std::string& w : list.words) {
      if (CountCodePoints(w) > kMaxListToken) {
        return absl::InvalidArgumentError(
            absl::StrCat(list.origin, ": word '", w, "' is longer than ",
                         kMaxListToken, " characters"));
      }
      out.words[list.case_insensitive ? Folded(w) : w] |= bit;
      out.max_token = std::max(out.max_token, CountCodePoints(w));
    }
    list_index[name] = index;
    // The last two characters of the list's entries, for prefilters.
    auto& tails = list_tails[name];
    for (int k = 0; k < 2; ++k) {
      auto set = std::make_unique<icu::UnicodeSet>();
      UErrorCode status = U_ZERO_ERROR;
      set->applyPattern(u"[]", status);
      bool any = false;
      for (const std::string& w : list.words) {
        const std::vector<UChar32> cps = CodePointsOf(w);
        if (static_cast<int>(cps.size()) <= k) {
          any = true;
          break;
        }
        set->add(cps[cps.size() - 1 - k]);
      }
      if (any || U_FAILURE(status)) continue;
      if (list.case_insensitive) set->closeOver(USET_CASE_INSENSITIVE);
      set->freeze();
      tails[k] = set.get();
      out.sets.push_back(std::move(set));
    }
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
    if (!rule.after_list.empty()) {
      step.after_list = list_index.at(rule.after_list);
    } else if (!rule.after.empty()) {
      const std::string lookahead = absl::StrCat("(?=", rule.after, ")");
      // Compiled alone first, so that an error names the field.
      RETURN_IF_ERROR(
          CompileRegex(lookahead, rule.origin, "after", rule.after).status());
      pattern = lookahead;
      const internal::PatternEdges edges = internal::AnalyzePattern(rule.after);
      step.first = FastSet(make_set(edges.first));
      const icu::UnicodeSet* lead = make_set(edges.lead);
      const icu::UnicodeSet* after_lead = make_set(edges.after_lead);
      if (lead != nullptr && after_lead != nullptr &&
          lead->containsNone(*after_lead)) {
        step.lead = FastSet(lead);
        step.after_lead = FastSet(after_lead);
        step.lead_min = edges.lead_min;
      }
    }
    if (!rule.list.empty()) {
      step.list = list_index.at(rule.list);
      // The token must end like some entry: with its last character,
      // after its second to last (any for one-character entries), either
      // in any case for a case-insensitive list. Format characters may sit
      // anywhere in the text and are not part of tokens.
      for (int k = 0; k < 2; ++k) {
        step.tail[k] = FastSet(list_tails[rule.list][k]);
        step.tail_at_start[k] = k > 0;
      }
      step.tail_skips_format = true;
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
      for (int k = 0; k < internal::PatternEdges::kTail; ++k) {
        step.tail[k] = FastSet(make_set(edges.tail[k]));
        step.tail_at_start[k] = edges.tail_at_start[k];
      }
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
    out.candidate_patterns.push_back(
        {static_cast<int>(out.patterns.size()), head});
    out.patterns.push_back(std::move(compiled));
  }
  out.spaced_closers = CodePointsOf(parsed.spaced_closers);
  out.closers = CodePointsOf(parsed.closers);
  out.terminators = CodePointsOf(parsed.terminators);
  for (const std::string& pair : parsed.quote_pairs) {
    const std::vector<UChar32> cps = CodePointsOf(pair);
    if (cps.size() != 2 || cps[0] > 0xFFFF || cps[1] > 0xFFFF) {
      return absl::InvalidArgumentError(absl::StrCat(
          "quotes pair '", pair,
          "' must be two characters of the Basic Multilingual Plane"));
    }
    out.quotes.push_back({cps[0], cps[1]});
  }
  for (const std::string& style : parsed.enumerations) {
    out.enumerations[EnumerationStyle(style)] = true;
    out.any_enumerations = true;
  }
  return out;
}

// ---------------------------------------------------------------------------
// ICU's terminators. ICU breaks only after a run of its terminators (and
// after paragraph separators, which the segmenter never shows it), so the
// segmenter asks ICU only there. Locale tailorings may add terminators
// (Greek ';'); they are found by asking the iterator itself, once per rule
// set ICU uses.

std::vector<UChar32> ProbeTailoredTerminators(
    const icu::BreakIterator& prototype) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* cache =
      new absl::flat_hash_map<std::string, std::vector<UChar32>>();
  std::string key;
  if (const auto* rbbi =
          dynamic_cast<const icu::RuleBasedBreakIterator*>(&prototype)) {
    rbbi->getRules().toUTF8String(key);
  }
  if (key.empty()) {
    UErrorCode status = U_ZERO_ERROR;
    key = prototype.getLocale(ULOC_ACTUAL_LOCALE, status).getName();
  }
  {
    absl::MutexLock lock(&mu);
    auto it = cache->find(key);
    if (it != cache->end()) return it->second;
  }
  std::vector<UChar32> found;
  std::unique_ptr<icu::BreakIterator> it(prototype.clone());
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeSet probe(u"[[:P:][:S:]]", status);
  if (it != nullptr && U_SUCCESS(status)) {
    probe.removeAll(CharClasses::Get().terminators());
    icu::UnicodeSetIterator chars(probe);
    while (chars.next()) {
      const UChar32 c = chars.getCodepoint();
      icu::UnicodeString text(u"Ab");
      text.append(c);
      const int32_t after = text.length() + 1;
      text.append(u" Cd");
      it->setText(text);
      if (it->following(2) == after) found.push_back(c);
    }
  }
  absl::MutexLock lock(&mu);
  return cache->try_emplace(key, std::move(found)).first->second;
}

// ---------------------------------------------------------------------------
// Per-call scratch state, pooled per segmenter.

enum CandidateFlag : uint8_t {
  kFromRun = 1,       // end of a terminator run: ICU may break here
  kForceBreak = 2,    // an enumeration marker follows
  kForceNoBreak = 4,  // right after an enumeration marker
  kInQuotation = 8,   // inside an embedded quotation
};

struct Candidate {
  int32_t pos;
  int32_t run_start;  // kFromRun: where the terminator run starts
  uint8_t flags;
  // kFromRun: where the run ends as ICU reads it, after opening brackets
  // that the candidate leaves to the next sentence ("。”|《宣言》").
  int32_t run_end = -1;
};

struct QuoteEvent {
  int32_t pos;
  UChar32 c;
};

struct Marker {
  int32_t start;  // first byte, bullet included
  int32_t end;    // after the marker
  int style;
  int value;
  bool can_start;  // at the start of a line or after a colon
  bool after_colon;
  bool is_run;  // ends with a period: a terminator run ends at `end`
};

struct Scratch {
  std::unique_ptr<icu::BreakIterator> iterator;
  std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
  // Matchers are pointed at the text only when first used in a call: most
  // rules are rejected by their prefilters, and a short paragraph would
  // otherwise pay for resetting every matcher.
  std::vector<uint64_t> matcher_call;  // the call a matcher was reset for
  uint64_t call = 0;
  bool text_open = false;
  UText text_ut = UTEXT_INITIALIZER;  // the current call's text, UTF-8
  const uint8_t* p = nullptr;
  int32_t n = 0;

  // ICU's answers, keyed by the window around a terminator run with
  // letters, digits and spaces reduced to their Sentence_Break class.
  absl::flat_hash_map<std::u16string, bool> memo;
  std::u16string window;
  UText window_ut = UTEXT_INITIALIZER;

  // Computed once per candidate, on first use: the three characters
  // before the candidate being decided (last first), the characters from
  // it on, and the word lists holding the token before it and the word
  // after it.
  int32_t context_pos = -1;
  int context_size = 0;
  UChar32 context[3] = {};
  int visible_size = 0;  // the same without format characters
  UChar32 visible[3] = {};
  static constexpr int kAhead = 8;
  UChar32 ahead[kAhead] = {};
  int ahead_size = 0;
  int32_t ahead_end = 0;
  int32_t token_pos = -1;
  uint64_t token_lists = 0;  // the lists that hold the token
  int32_t word_pos = -1;
  uint64_t word_lists = 0;  // the lists that hold the word after
  std::string token;
  std::string part;
  std::string joined;
  std::string folded;

  std::vector<Candidate> candidates;  // ascending
  std::vector<Candidate> extra;
  std::vector<Candidate> merged;
  std::vector<QuoteEvent> quotes;
  std::vector<Marker> markers;
  std::vector<int32_t> forced;
  std::vector<std::pair<int32_t, int32_t>> spans;  // embedded quotations
  std::vector<std::pair<int32_t, bool>> breaks;    // position, forced
  std::vector<size_t> result;

  // Buffers above this many elements are released after a call, so one
  // huge document does not pin memory in every pooled scratch.
  static constexpr size_t kKeepCapacity = 1 << 17;
  static constexpr size_t kMaxMemo = 1 << 13;
  void Trim() {
    if (candidates.capacity() > kKeepCapacity ||
        merged.capacity() > kKeepCapacity) {
      std::vector<Candidate>().swap(candidates);
      std::vector<Candidate>().swap(extra);
      std::vector<Candidate>().swap(merged);
      std::vector<std::pair<int32_t, bool>>().swap(breaks);
      std::vector<size_t>().swap(result);
      std::vector<QuoteEvent>().swap(quotes);
      std::vector<Marker>().swap(markers);
    }
    if (memo.size() > kMaxMemo) memo.clear();
  }

  ~Scratch() {
    utext_close(&text_ut);
    utext_close(&window_ut);
  }
};

}  // namespace

// ---------------------------------------------------------------------------

struct Segmenter::Impl {
  const CharClasses& classes = CharClasses::Get();
  std::string rules_name;
  CompiledRules rules;
  std::unique_ptr<icu::BreakIterator> prototype;

  // Flags per BMP code point: the property-based ones plus this rule set's
  // terminators, quotes and candidate heads. `stop` marks the ASCII bytes
  // the scan must look at; the others are skipped in a tight loop.
  std::vector<uint8_t> bmp;
  std::array<bool, 128> stop{};
  std::vector<UChar32> supplementary_terminators;

  mutable absl::Mutex mu;
  mutable std::vector<std::unique_ptr<Scratch>> free ABSL_GUARDED_BY(mu);

  void BuildTables() {
    bmp = CharClasses::Get().bmp_flags();
    std::vector<UChar32> terminators = ProbeTailoredTerminators(*prototype);
    terminators.insert(terminators.end(), rules.terminators.begin(),
                       rules.terminators.end());
    for (UChar32 c : terminators) {
      if (c <= 0xFFFF) {
        bmp[c] |= kTerminator;
      } else {
        supplementary_terminators.push_back(c);
      }
    }
    for (const QuotePair& q : rules.quotes) {
      bmp[q.open] |= kQuote;
      bmp[q.close] |= kQuote;
    }
    for (const auto& c : rules.candidate_patterns) {
      icu::UnicodeSetIterator chars(*c.head);
      while (chars.next()) {
        const UChar32 ch = chars.getCodepoint();
        if (ch <= 0xFFFF) bmp[ch] |= kHead;
      }
    }
    for (int c = 0; c < 128; ++c) {
      stop[c] = (bmp[c] & (kTerminator | kLineBreak | kQuote | kHead)) != 0;
    }
    if (rules.any_enumerations) stop[')'] = true;
  }

  uint8_t Flags(UChar32 c) const {
    if (c <= 0xFFFF) return bmp[c];
    uint8_t f = CharClasses::Get().Compute(c);
    if (std::find(supplementary_terminators.begin(),
                  supplementary_terminators.end(),
                  c) != supplementary_terminators.end()) {
      f |= kTerminator;
    }
    for (const auto& cp : rules.candidate_patterns) {
      if (cp.head->contains(c)) f |= kHead;
    }
    return f;
  }

  // A terminator for the scan that ICU does not break after: U+2026 and
  // the rule set's `terminators`.
  bool IsOwnTerminator(UChar32 c) const {
    return c == 0x2026 ||
           (std::find(rules.terminators.begin(), rules.terminators.end(), c) !=
                rules.terminators.end() &&
            !(CharClasses::Get().Flags(c) & kTerminator));
  }

  // An opening bracket, or a quotation mark that only opens.
  bool IsOpener(UChar32 c) const {
    if (c < 0x80 ? c == '(' || c == '[' || c == '{'
                 : u_charType(c) == U_START_PUNCTUATION) {
      return true;
    }
    if (!(Flags(c) & kQuote)) return false;
    bool opens = false;
    for (const QuotePair& q : rules.quotes) {
      if (q.close == c) return false;
      opens |= q.open == c;
    }
    return opens;
  }

  bool IsExtraCloser(UChar32 c) const {
    return std::find(rules.closers.begin(), rules.closers.end(), c) !=
           rules.closers.end();
  }
  bool IsSpacedCloser(UChar32 c) const {
    return std::find(rules.spaced_closers.begin(), rules.spaced_closers.end(),
                     c) != rules.spaced_closers.end();
  }

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

  // The matcher for rules.patterns[index], reset to the current text.
  icu::RegexMatcher& Matcher(Scratch& s, int index) const {
    if (!s.text_open) {
      UErrorCode status = U_ZERO_ERROR;
      utext_openUTF8(&s.text_ut, reinterpret_cast<const char*>(s.p), s.n,
                     &status);
      s.text_open = true;
    }
    icu::RegexMatcher& m = *s.matchers[index];
    if (s.matcher_call[index] != s.call) {
      s.matcher_call[index] = s.call;
      m.reset(&s.text_ut);
    }
    return m;
  }

  void Scan(Scratch& s) const;
  int32_t ScanRun(Scratch& s, int32_t i) const;
  int32_t ScanWhite(Scratch& s, int32_t i) const;
  void NoteMarker(Scratch& s, int32_t token_end, int form, int32_t end,
                  bool is_run) const;
  void FindEnumerations(Scratch& s) const;
  void FindQuotations(Scratch& s) const;
  bool QuotationIsEmbedded(const Scratch& s, int32_t open_end,
                           int32_t close) const;
  bool IcuBreaks(Scratch& s, const Candidate& c) const;
  bool TokenBefore(const Scratch& s, int32_t end, int32_t* raw_start,
                   std::string* out) const;
  uint64_t ListsHolding(std::string_view word, std::string* folded) const;
  bool MatchesList(Scratch& s, int list, int32_t pos) const;
  bool InsideSpacedAbbreviation(Scratch& s, int32_t pos) const;
  bool MatchesAfterList(Scratch& s, int list, int32_t pos) const;
  bool StepMatches(Scratch& s, const Step& step, int32_t pos) const;
  bool Decide(Scratch& s, int32_t pos, bool icu_break) const;
  void FullTextIcu(Scratch& s, std::vector<int32_t>* proposals) const;
  void Run(Scratch& s, bool full_icu) const;
};

// Finds rule candidates (ends of terminator runs, single line breaks,
// `candidates` matches), forced breaks (blank lines), quotation marks and
// enumeration markers, in one pass over the UTF-8.
void Segmenter::Impl::Scan(Scratch& s) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  constexpr uint8_t kStop = kTerminator | kLineBreak | kQuote | kHead;
  const uint8_t* const table = bmp.data();
  int32_t i = 0;
  while (i < n) {
    // Skip what needs no attention: ASCII by table, and well-formed two-
    // and three-byte sequences by decoding inline.
    for (;;) {
      if (i >= n) break;
      const uint8_t b = p[i];
      if (b < 0x80) {
        if (stop[b]) break;
        ++i;
      } else if (b >= 0xC2 && b < 0xE0 && i + 1 < n &&
                 (p[i + 1] & 0xC0) == 0x80) {
        if (table[((b & 0x1F) << 6) | (p[i + 1] & 0x3F)] & kStop) break;
        i += 2;
      } else if (b >= 0xE0 && b < 0xF0 && i + 2 < n &&
                 (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
        const UChar32 c =
            ((b & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
        if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF) || (table[c] & kStop)) {
          break;
        }
        i += 3;
      } else {
        break;
      }
    }
    if (i >= n) break;
    int32_t next = i;
    const UChar32 c = Next(p, &next, n);
    const uint8_t f = Flags(c);
    if (f & kTerminator) {
      i = ScanRun(s, i);
      continue;
    }
    if (f & kLineBreak) {
      i = ScanWhite(s, i);
      continue;
    }
    if (f & kQuote) s.quotes.push_back({i, c});
    if (c == ')' && rules.any_enumerations) {
      NoteMarker(s, i, kParen, next, /*is_run=*/false);
    }
    if ((f & kHead) && i > 0) {
      for (const auto& cp : rules.candidate_patterns) {
        if (!cp.head->contains(c)) continue;
        UErrorCode status = U_ZERO_ERROR;
        if (Matcher(s, cp.pattern).lookingAt(i, status) && U_SUCCESS(status)) {
          s.candidates.push_back({i, -1, 0});
          break;
        }
      }
    }
    i = next;
  }
}

// A run of terminators with the closing punctuation that follows it
// directly (`."`, `?!)`), format and combining characters (as ICU reads
// them), the rule set's extra closers (`!**`) and, with spaced closers,
// `! »`. The candidate is at its end.
int32_t Segmenter::Impl::ScanRun(Scratch& s, int32_t i) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  const CharClasses& cc = classes;
  int32_t j = i;
  bool first = true;
  for (;;) {
    while (j < n) {
      int32_t k = j;
      const UChar32 c = Next(p, &k, n);
      const uint8_t f = Flags(c);
      if (!first && !(f & (kTerminator | kCloser)) && !IsExtraCloser(c) &&
          !IsExtendOrFormat(cc.Sb(c))) {
        break;
      }
      // ICU may end a sentence inside the run, before a terminator of
      // ours that is not one of its own ("end.…", "Ձեզ.:"): a candidate.
      if (!first && (f & kTerminator) && IsOwnTerminator(c)) {
        s.candidates.push_back({j, i, kFromRun, j});
      }
      if (f & kQuote) s.quotes.push_back({j, c});
      first = false;
      j = k;
    }
    if (rules.spaced_closers.empty()) break;
    // French « … » typography: "vivre ! »" keeps the » with the "!".
    int32_t k = j;
    for (int spaces = 0; k < n && spaces < 3; ++spaces) {
      int32_t m = k;
      const UChar32 c = Next(p, &m, n);
      if (!IsWhite(c) || IsLineBreak(c)) break;
      k = m;
    }
    if (k == j || k >= n) break;
    int32_t m = k;
    const UChar32 c = Next(p, &m, n);
    if (!IsSpacedCloser(c)) break;
    if (Flags(c) & kQuote) s.quotes.push_back({k, c});
    j = m;
  }
  if (rules.any_enumerations && p[i] == '.') {
    if (j == i + 1) NoteMarker(s, i, kDot, j, /*is_run=*/true);
    if (j == i + 2 && p[i + 1] == ')') {
      NoteMarker(s, i, kDotParen, j, /*is_run=*/true);
    }
  }
  // ICU counts opening brackets and quotes right after a terminator as
  // closing ones ("。”《宣言》"); they open the next sentence.
  int32_t end = j;
  while (end > i) {
    int32_t k = end;
    const UChar32 c = Prev(p, &k);
    if (k == i || !IsOpener(c)) break;
    end = k;
  }
  if (j < n) s.candidates.push_back({end, i, kFromRun, j});
  return j;
}

// A whitespace run holding a line break: a blank line (two breaks, or a
// paragraph separator) is a forced break; a single break is a candidate at
// the start of the run.
int32_t Segmenter::Impl::ScanWhite(Scratch& s, int32_t i) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  int32_t start = i;
  while (start > 0) {
    int32_t k = start;
    if (!IsWhite(Prev(p, &k))) break;
    start = k;
  }
  int32_t j = start;
  int lines = 0;
  bool paragraph = false;
  UChar32 before = 0;
  while (j < n) {
    int32_t k = j;
    const UChar32 c = Next(p, &k, n);
    if (!IsWhite(c)) break;
    if (IsLineBreak(c)) {
      // CR LF is one line break.
      if (!(c == '\n' && before == '\r')) ++lines;
      if (c == 0x2029) paragraph = true;
    }
    before = c;
    j = k;
  }
  if (lines >= 2 || paragraph) {
    if (j < n) s.forced.push_back(j);
  } else if (lines == 1 && start > 0) {
    s.candidates.push_back({start, -1, 0});
  }
  return j;
}

// A possible enumeration marker ending at `end`: "12.", "b)", "3.)",
// "(c)", whose number or letter ends at `token_end`. It must stand after
// whitespace, a bullet or the start of the text, and be followed by
// whitespace and something other than a digit ("1. 2. 2020" is a date).
void Segmenter::Impl::NoteMarker(Scratch& s, int32_t token_end, int form,
                                 int32_t end, bool is_run) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  int32_t b = token_end;
  while (b > 0 && token_end - b < 3 && IsAsciiDigit(p[b - 1])) --b;
  int kind;
  int value = 0;
  if (b < token_end) {
    if (b > 0 && IsAsciiDigit(p[b - 1])) return;
    kind = kNumber;
    for (int32_t k = b; k < token_end; ++k) value = value * 10 + (p[k] - '0');
  } else if (token_end > 0 && IsAsciiLetter(p[token_end - 1])) {
    b = token_end - 1;
    kind = p[b] >= 'a' ? kLower : kUpper;
    value = (p[b] | 0x20) - 'a' + 1;
  } else {
    return;
  }
  if (form == kParen && b > 0 && p[b - 1] == '(') {
    form = kBothParens;
    --b;
  }
  const int style = StyleIndex(kind, form);
  if (!rules.enumerations[style]) return;
  int32_t start = b;
  if (b > 0) {
    int32_t k = b;
    const UChar32 c = Prev(p, &k);
    if (IsBullet(c)) {
      start = k;
    } else if (!IsWhite(c)) {
      return;
    }
  }
  // A bullet a few spaces before belongs to the item: "• 10. The second".
  for (int32_t k = start, spaces = 0; k > 0 && spaces <= 2;) {
    const UChar32 c = Prev(p, &k);
    if (IsBullet(c)) {
      start = k;
      break;
    }
    if (c != ' ' && c != '\t' && c != 0xA0) break;
    ++spaces;
  }
  int32_t j = end;
  bool space = false;
  while (j < n) {
    int32_t k = j;
    if (!IsWhite(Next(p, &k, n))) break;
    space = true;
    j = k;
  }
  if (!space || j >= n || IsAsciiDigit(p[j])) return;
  // At the start of a line (after indentation and bullets) or after a
  // colon, a marker may start a list.
  int32_t k = start;
  UChar32 c = 0;
  while (k > 0) {
    int32_t m = k;
    c = Prev(p, &m);
    if (c != ' ' && c != '\t' && !IsBullet(c) && c != '-' && c != '*' &&
        c != '+') {
      break;
    }
    k = m;
    c = 0;
  }
  const bool can_start = k == 0 || IsLineBreak(c) || c == ':';
  s.markers.push_back({start, end, style, value, can_start, c == ':', is_run});
}

// Inline enumerations: within a paragraph, markers of one style numbered
// in sequence ("1. … 2. … 3."), the first at the start of a line or after a
// colon. Each marker starts a sentence, and no marker ends one.
void Segmenter::Impl::FindEnumerations(Scratch& s) const {
  if (s.markers.empty()) return;
  const uint8_t* p = s.p;
  struct Sequence {
    int last = 0;
    std::vector<int> members;
  };
  std::array<Sequence, kMarkerStyles> seq;
  auto commit = [&](Sequence& q) {
    if (q.members.size() >= 2) {
      for (size_t k = 0; k < q.members.size(); ++k) {
        const Marker& m = s.markers[q.members[k]];
        if (m.is_run) s.extra.push_back({m.end, -1, kForceNoBreak});
        if (k == 0 && !m.after_colon) continue;
        int32_t w = m.start;
        while (w > 0) {
          int32_t x = w;
          if (!IsWhite(Prev(p, &x))) break;
          w = x;
        }
        if (w > 0) s.extra.push_back({w, -1, kForceBreak});
      }
    }
    q.members.clear();
  };
  size_t forced = 0;
  int32_t previous = -1;
  for (int idx = 0; idx < static_cast<int>(s.markers.size()); ++idx) {
    const Marker& m = s.markers[idx];
    // A blank line between two markers ends every sequence.
    bool new_paragraph = false;
    while (forced < s.forced.size() && s.forced[forced] <= m.start) {
      if (s.forced[forced] > previous) new_paragraph = true;
      ++forced;
    }
    if (new_paragraph) {
      for (Sequence& q : seq) commit(q);
    }
    previous = m.start;
    Sequence& q = seq[m.style];
    if (!q.members.empty() && m.value == q.last + 1) {
      q.members.push_back(idx);
      q.last = m.value;
    } else if (m.can_start) {
      commit(q);
      q.members.push_back(idx);
      q.last = m.value;
    }
  }
  for (Sequence& q : seq) commit(q);
}

// Whether the quotation between `open_end` and `close` is part of the
// sentence around it: its text does not end with a sentence terminator
// ("„Prieskumy … nezaujíma,“ reagoval", "«… выходной»."). An omission
// mark, "[...]" or "(…)", is not an end either.
bool Segmenter::Impl::QuotationIsEmbedded(const Scratch& s, int32_t open_end,
                                          int32_t close) const {
  const uint8_t* p = s.p;
  const CharClasses& cc = classes;
  int32_t k = close;
  while (k > open_end) {
    int32_t m = k;
    const UChar32 c = Prev(p, &m);
    if (IsWhite(c)) {
      k = m;
      continue;
    }
    if (c == ']' || c == ')') {
      const std::string_view before(reinterpret_cast<const char*>(p) + open_end,
                                    m - open_end);
      for (std::string_view omission :
           {std::string_view("[..."), std::string_view("[\u2026"),
            std::string_view("(..."), std::string_view("(\u2026")}) {
        if (before.size() >= omission.size() &&
            before.substr(before.size() - omission.size()) == omission &&
            omission[0] == (c == ']' ? '[' : '(')) {
          return true;
        }
      }
    }
    if (cc.Sb(c) == U_SB_CLOSE || IsExtraCloser(c)) {
      k = m;
      continue;
    }
    return !(Flags(c) & kTerminator);
  }
  return true;
}

// Pairs the quotation marks of each paragraph and records the embedded
// quotations, whose inside never ends a sentence.
void Segmenter::Impl::FindQuotations(Scratch& s) const {
  if (s.quotes.empty()) return;
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  const CharClasses& cc = classes;
  struct Open {
    UChar32 c;
    int32_t pos;
    int32_t end;
  };
  std::vector<Open> stack;
  auto is_open = [&](UChar32 c) {
    for (const QuotePair& q : rules.quotes) {
      if (q.open == c) return true;
    }
    return false;
  };
  auto is_close = [&](UChar32 c) {
    for (const QuotePair& q : rules.quotes) {
      if (q.close == c) return true;
    }
    return false;
  };
  auto pairs = [&](UChar32 open, UChar32 close) {
    for (const QuotePair& q : rules.quotes) {
      if (q.open == open && q.close == close) return true;
    }
    return false;
  };
  size_t forced = 0;
  for (const QuoteEvent& e : s.quotes) {
    while (forced < s.forced.size() && s.forced[forced] <= e.pos) {
      stack.clear();
      ++forced;
    }
    int32_t end = e.pos;
    Next(p, &end, n);
    UChar32 before = 0;
    if (e.pos > 0) {
      int32_t k = e.pos;
      before = Prev(p, &k);
    }
    UChar32 after = 0;
    if (end < n) {
      int32_t k = end;
      after = Next(p, &k, n);
    }
    const bool opens = is_open(e.c);
    bool closed = false;
    // An apostrophe-like closer inside a word is an apostrophe: "don’t".
    const bool apostrophe = (e.c == 0x2019 || e.c == '\'') &&
                            (cc.Flags(after) & kAlnum) && e.pos > 0 &&
                            (cc.Flags(before) & kAlnum);
    if (is_close(e.c) && !apostrophe && !(opens && IsWhite(before))) {
      for (int k = static_cast<int>(stack.size()) - 1; k >= 0; --k) {
        if (!pairs(stack[k].c, e.c)) continue;
        if (e.pos - stack[k].end <= kMaxQuotation &&
            QuotationIsEmbedded(s, stack[k].end, e.pos)) {
          s.spans.push_back({stack[k].pos, e.pos});
        }
        stack.resize(k);
        closed = true;
        break;
      }
    }
    if (!closed && opens && end < n && !IsWhite(after)) {
      // A mark that also closes opens only after a space or an opening
      // bracket.
      if (!is_close(e.c) || e.pos == 0 || IsWhite(before) ||
          u_charType(before) == U_START_PUNCTUATION ||
          u_charType(before) == U_INITIAL_PUNCTUATION ||
          u_charType(before) == U_DASH_PUNCTUATION) {
        if (stack.size() < 32) stack.push_back({e.c, e.pos, end});
      }
    }
  }
  std::sort(s.spans.begin(), s.spans.end());
}

// ICU's proposal at a terminator run. ICU decides from the run, the
// character before it and what follows up to the first letter or
// terminator (UAX #29 rules SB6 to SB11), so it is asked about that window
// only, with letters, digits and spaces reduced to their Sentence_Break
// class; answers are remembered per window.
bool Segmenter::Impl::IcuBreaks(Scratch& s, const Candidate& c) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  const CharClasses& cc = classes;
  std::u16string& w = s.window;
  w.assign(2, u'\0');  // run start and end, filled in below
  auto append = [&](UChar32 ch, bool collapse) {
    const uint8_t sb = cc.Sb(ch);
    char16_t rep = 0;
    switch (sb) {
      case U_SB_LOWER:
        rep = u'a';
        break;
      case U_SB_UPPER:
        rep = u'A';
        break;
      case U_SB_OLETTER:
        rep = u'\u05D0';
        break;
      case U_SB_NUMERIC:
        rep = u'0';
        break;
      case U_SB_SP:
      case U_SB_SEP:
      case U_SB_CR:
      case U_SB_LF:
        rep = u' ';
        break;
      case U_SB_EXTEND:
        rep = u'\u0301';
        break;
      case U_SB_FORMAT:
        rep = u'\u00AD';
        break;
      default:
        break;
    }
    if (rep == 0) {
      if (ch <= 0xFFFF) {
        w.push_back(static_cast<char16_t>(ch));
      } else {
        w.push_back(U16_LEAD(ch));
        w.push_back(U16_TRAIL(ch));
      }
      return;
    }
    // Runs of one class read the same to ICU: keep two.
    if (collapse && w.size() >= 4 && w[w.size() - 1] == rep &&
        w[w.size() - 2] == rep) {
      return;
    }
    w.push_back(rep);
  };

  // Two characters before the run (with their combining marks), for SB7.
  // A run of marks is walked by one candidate only: linear overall.
  int32_t k = c.run_start;
  for (int base = 0; k > 0 && base < 2;) {
    int32_t m = k;
    if (!IsExtendOrFormat(cc.Sb(Prev(p, &m)))) ++base;
    k = m;
  }
  while (k < c.run_start) append(Next(p, &k, n), true);
  const size_t run_start = w.size();
  // The run as ICU's view shows it: extra closers read as ')', the spaces
  // before a spaced closer as that closer.
  const int32_t run_end_byte = c.run_end >= 0 ? c.run_end : c.pos;
  for (k = c.run_start; k < run_end_byte;) {
    UChar32 ch = Next(p, &k, n);
    if (IsWhite(ch)) {
      int32_t m = k;
      while (m < run_end_byte) {
        const UChar32 x = Next(p, &m, n);
        if (!IsWhite(x)) {
          ch = x;
          break;
        }
      }
    } else if (IsExtraCloser(ch)) {
      ch = ')';
    }
    append(ch, false);
  }
  const size_t run_end = w.size();
  // The whitespace after the run, with the combining and format
  // characters ICU reads as part of a space (SB5).
  k = run_end_byte;
  for (bool space = false; k < n;) {
    int32_t m = k;
    const UChar32 x = Next(p, &m, n);
    if (IsWhite(x)) {
      append(' ', true);
      space = true;
    } else if (space && IsExtendOrFormat(cc.Sb(x))) {
      append(x, true);
    } else {
      break;
    }
    k = m;
  }
  const size_t spaces_end = w.size();
  // Up to the first letter or terminator, with its combining marks.
  while (k < n) {
    const UChar32 ch = Next(p, &k, n);
    const uint8_t sb = cc.Sb(ch);
    append(ch, true);
    if (sb == U_SB_LOWER || sb == U_SB_UPPER || sb == U_SB_OLETTER ||
        sb == U_SB_ATERM || sb == U_SB_STERM) {
      while (k < n) {
        int32_t m = k;
        const UChar32 x = Next(p, &m, n);
        if (!IsExtendOrFormat(cc.Sb(x))) break;
        append(x, true);
        k = m;
      }
      break;
    }
  }
  w[0] = static_cast<char16_t>(run_start);
  w[1] = static_cast<char16_t>(run_end);
  constexpr size_t kMaxKey = 96;
  if (w.size() <= kMaxKey) {
    auto it = s.memo.find(w);
    if (it != s.memo.end()) return it->second;
  }
  UErrorCode status = U_ZERO_ERROR;
  utext_openUChars(&s.window_ut, w.data() + 2,
                   static_cast<int64_t>(w.size() - 2), &status);
  s.iterator->setText(&s.window_ut, status);
  bool brk = false;
  if (U_SUCCESS(status)) {
    // ICU may also break inside the run (before a "…"); that is another
    // candidate's business.
    int32_t b = s.iterator->following(static_cast<int32_t>(run_start - 2));
    while (b != icu::BreakIterator::DONE &&
           b < static_cast<int32_t>(run_end - 2)) {
      b = s.iterator->next();
    }
    brk = b != icu::BreakIterator::DONE &&
          b <= static_cast<int32_t>(spaces_end - 2);
  }
  if (w.size() <= kMaxKey) {
    if (s.memo.size() >= Scratch::kMaxMemo) s.memo.clear();
    s.memo.emplace(w, brk);
  }
  return brk;
}

// The token ending at `end`: back to whitespace (at most kMaxListToken
// characters), then without leading punctuation such as an opening bracket
// (a period stays: ".NET"), and without format characters such as bidi
// marks. Sets *raw_start to where the whitespace ends; false if there is no
// token.
bool Segmenter::Impl::TokenBefore(const Scratch& s, int32_t end,
                                  int32_t* raw_start, std::string* out) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  int32_t start = end;
  // No entry is longer than rules.max_token, after a short elided prefix
  // ("dell'") and opening punctuation.
  const int limit = rules.max_token + 8;
  bool ascii = true;
  for (int count = 0; start > 0; ++count) {
    if (count >= limit) return false;
    if (p[start - 1] < 0x80) {
      if (bmp[p[start - 1]] & kWhite) break;
      --start;
      continue;
    }
    ascii = false;
    int32_t k = start;
    if (IsWhite(Prev(p, &k))) break;
    start = k;
  }
  *raw_start = start;
  while (start < end) {
    int32_t k = start;
    const UChar32 c = Next(p, &k, n);
    if (c == '.' || !(bmp[c <= 0xFFFF ? c : 0] & kPunct)) break;
    start = k;
  }
  if (start == end) return false;
  out->clear();
  if (ascii) {
    out->append(reinterpret_cast<const char*>(p) + start, end - start);
    return true;
  }
  for (int32_t k = start; k < end;) {
    const int32_t from = k;
    const UChar32 c = Next(p, &k, n);
    if (c >= 0x80 && classes.Sb(c) == U_SB_FORMAT) continue;
    out->append(reinterpret_cast<const char*>(p) + from, k - from);
  }
  return !out->empty();
}

// A part of an abbreviation written with spaces ("z. B.", "EE. UU."): a
// short token ending with a period.
static bool IsAbbreviationPart(std::string_view token) {
  return token.size() >= 2 && token.back() == '.' &&
         CountCodePoints(token) <= 6;
}

// Word-list rules: the token before `pos` must be a list entry. Comparing
// whole tokens is what keeps "Philipp." from matching the entry "pp.". An
// elided form ("l'av.") is also tried as the part after its apostrophe, and
// an abbreviation written with spaces ("z. B.") as its parts joined
// ("z.B.").
// The lists that hold `word`: as written for case-sensitive lists, case-
// folded (into *folded) for the others.
uint64_t Segmenter::Impl::ListsHolding(std::string_view word,
                                       std::string* folded) const {
  if (word.empty()) return 0;
  uint64_t bits = 0;
  auto it = rules.words.find(absl::string_view(word.data(), word.size()));
  if (it != rules.words.end()) bits |= it->second & ~rules.folded_lists;
  if (rules.folded_lists != 0) {
    folded->clear();
    AppendFolded(word, folded);
    it = rules.words.find(absl::string_view(folded->data(), folded->size()));
    if (it != rules.words.end()) bits |= it->second & rules.folded_lists;
  }
  return bits;
}

bool Segmenter::Impl::MatchesList(Scratch& s, int list, int32_t pos) const {
  if (s.token_pos != pos) {
    s.token_pos = pos;
    s.token_lists = 0;
    int32_t raw_start;
    std::string& token = s.token;
    if (TokenBefore(s, pos, &raw_start, &token)) {
      s.token_lists |= ListsHolding(token, &s.folded);
      // Elided forms: "l'av." is the entry "av." after "l'".
      size_t apostrophe = token.rfind('\'');
      const size_t curly = token.rfind("\u2019");
      if (curly != std::string::npos &&
          (apostrophe == std::string::npos || curly > apostrophe)) {
        apostrophe = curly + 2;  // the last byte of the three
      }
      if (apostrophe != std::string::npos && apostrophe + 1 < token.size()) {
        s.token_lists |= ListsHolding(
            std::string_view(token).substr(apostrophe + 1), &s.folded);
      }
      // Spaced abbreviations: up to two more parts before, each one
      // whitespace character away.
      if (IsAbbreviationPart(token)) {
        s.joined = token;
        const uint8_t* p = s.p;
        for (int parts = 0; parts < 2 && raw_start >= 2; ++parts) {
          int32_t k = raw_start;
          if (!IsWhite(Prev(p, &k))) break;
          int32_t m = k;
          if (k == 0 || IsWhite(Prev(p, &m))) break;
          if (!TokenBefore(s, k, &raw_start, &s.part) ||
              !IsAbbreviationPart(s.part)) {
            break;
          }
          s.joined.insert(0, s.part);
          s.token_lists |= ListsHolding(s.joined, &s.folded);
        }
      }
    }
  }
  return (s.token_lists >> list) & 1;
}

// Whether `pos` is inside an abbreviation of some word list written with
// spaces: after "z." in "z. B.", for the entry "z.B.". No sentence ends
// there.
bool Segmenter::Impl::InsideSpacedAbbreviation(Scratch& s, int32_t pos) const {
  if (rules.words.empty()) return false;
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  // One whitespace character, then a part ending where whitespace or
  // closing punctuation starts.
  auto part_after = [&](int32_t from, int32_t* end) {
    int32_t k = from;
    if (k >= n || !IsWhite(Next(p, &k, n))) return false;
    // Letters and periods, up to a period that no letter follows: "UU."
    // in "EE. UU..", "s.r.o." in "s. r. o.,".
    int32_t m = k;
    while (m < n) {
      int32_t x = m;
      const UChar32 c = Next(p, &x, n);
      if (c == '.') {
        m = x;
        if (m >= n) break;
        int32_t y = m;
        if (!(classes.Flags(Next(p, &y, n)) & kAlnum)) break;
        continue;
      }
      if (!(classes.Flags(c) & kAlnum)) break;
      m = x;
    }
    *end = m;
    return IsAbbreviationPart(
        std::string_view(reinterpret_cast<const char*>(p) + k, m - k));
  };
  int32_t end1;
  if (!part_after(pos, &end1)) return false;
  int32_t raw_start;
  std::string before;
  if (!TokenBefore(s, pos, &raw_start, &before) ||
      !IsAbbreviationPart(before)) {
    return false;
  }
  std::vector<std::string> joins;
  std::string after;
  for (int32_t end = pos, parts = 0; parts < 2; ++parts) {
    int32_t next_end;
    if (!part_after(end, &next_end)) break;
    int32_t k = end;
    Next(p, &k, n);  // the whitespace
    after.append(reinterpret_cast<const char*>(p) + k, next_end - k);
    end = next_end;
    std::string head = before;
    joins.push_back(head + after);
    // With one part before as well: "s. r. o." at "r.".
    int32_t m = raw_start;
    std::string part;
    int32_t ignored;
    if (raw_start >= 2 && IsWhite(Prev(p, &m)) &&
        TokenBefore(s, m, &ignored, &part) && IsAbbreviationPart(part)) {
      joins.push_back(part + head + after);
    }
  }
  for (const std::string& j : joins) {
    if (ListsHolding(j, &s.folded) != 0) return true;
  }
  return false;
}

// After-list rules: the word after `pos` (past whitespace and opening
// punctuation; letters, marks and digits), or that word with the period
// that follows it, must be a list entry.
bool Segmenter::Impl::MatchesAfterList(Scratch& s, int list,
                                       int32_t pos) const {
  if (s.word_pos != pos) {
    s.word_pos = pos;
    s.word_lists = 0;
    const uint8_t* p = s.p;
    const int32_t n = s.n;
    int32_t k = pos;
    while (k < n) {
      int32_t m = k;
      const UChar32 c = Next(p, &m, n);
      const int8_t type = u_charType(c);
      if (!IsWhite(c) && type != U_START_PUNCTUATION &&
          type != U_INITIAL_PUNCTUATION && c != '"' && c != '\'') {
        break;
      }
      k = m;
    }
    // The next word, after whitespace: "U.S.A." has no word after "U.S.".
    const int32_t start = k;
    if (start == pos) k = n;
    for (int count = 0; k < n && count < kMaxListToken; ++count) {
      int32_t m = k;
      const UChar32 c = Next(p, &m, n);
      if (!(U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK))) {
        break;
      }
      k = m;
    }
    if (k > start) {
      const std::string_view word(reinterpret_cast<const char*>(p) + start,
                                  k - start);
      s.word_lists = ListsHolding(word, &s.folded);
      if (k < n && p[k] == '.') {
        s.word_lists |= ListsHolding(
            std::string_view(word.data(), word.size() + 1), &s.folded);
      }
    }
  }
  return (s.word_lists >> list) & 1;
}

[[gnu::always_inline]] inline bool Segmenter::Impl::StepMatches(
    Scratch& s, const Step& step, int32_t pos) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  if (s.context_pos != pos) {
    s.context_pos = pos;
    s.context_size = 0;
    s.visible_size = 0;
    for (int32_t k = pos;
         k > 0 && (s.context_size < 3 || s.visible_size < 3);) {
      const UChar32 c = Prev(p, &k);
      if (s.context_size < 3) s.context[s.context_size++] = c;
      if (s.visible_size < 3 && (c < 0x80 || classes.Sb(c) != U_SB_FORMAT)) {
        s.visible[s.visible_size++] = c;
      }
    }
    s.ahead_size = 0;
    s.ahead_end = pos;
    while (s.ahead_end < n && s.ahead_size < Scratch::kAhead) {
      s.ahead[s.ahead_size++] = Next(p, &s.ahead_end, n);
    }
  }
  if (step.first && (s.ahead_size == 0 || !step.first.contains(s.ahead[0]))) {
    return false;
  }
  const UChar32* context = step.tail_skips_format ? s.visible : s.context;
  const int context_size =
      step.tail_skips_format ? s.visible_size : s.context_size;
  for (int k = 0; k < internal::PatternEdges::kTail; ++k) {
    if (!step.tail[k]) continue;
    if (k >= context_size) {
      if (!step.tail_at_start[k]) return false;
    } else if (!step.tail[k].contains(context[k])) {
      return false;
    }
  }
  if (step.lead) {
    int count = 0;
    UChar32 c = -1;
    for (int k = 0; k < s.ahead_size; ++k) {
      c = s.ahead[k];
      if (!step.lead.contains(c)) break;
      ++count;
      c = -1;
    }
    if (c < 0) {  // a long run of lead characters: read on
      for (int32_t k = s.ahead_end; k < n;) {
        c = Next(p, &k, n);
        if (!step.lead.contains(c)) break;
        ++count;
        c = -1;
      }
    }
    if (count < step.lead_min || c < 0 || !step.after_lead.contains(c)) {
      return false;
    }
  }
  if (step.list >= 0 && !MatchesList(s, step.list, pos)) {
    return false;
  }
  if (step.after_list >= 0 && !MatchesAfterList(s, step.after_list, pos)) {
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

// The reference the windows are tested against: ICU iterates the whole
// text as the segmenter shows it (line breaks as spaces, extra closers as
// ')', spaced closers in place of the spaces before them), and each
// boundary, moved back over whitespace, is a proposal.
void Segmenter::Impl::FullTextIcu(Scratch& s,
                                  std::vector<int32_t>* proposals) const {
  const uint8_t* p = s.p;
  const int32_t n = s.n;
  std::u16string view;
  std::vector<int32_t> byte_of;  // UTF-16 index -> byte offset
  for (int32_t i = 0; i < n;) {
    const int32_t from = i;
    UChar32 c = Next(p, &i, n);
    if (IsLineBreak(c)) c = ' ';
    const int units = U16_LENGTH(c);
    for (int u = 0; u < units; ++u) byte_of.push_back(from);
    if (c <= 0xFFFF) {
      view.push_back(static_cast<char16_t>(c));
    } else {
      view.push_back(U16_LEAD(c));
      view.push_back(U16_TRAIL(c));
    }
  }
  byte_of.push_back(n);
  auto index_of = [&](int32_t byte) {
    return static_cast<int32_t>(
        std::lower_bound(byte_of.begin(), byte_of.end(), byte) -
        byte_of.begin());
  };
  std::vector<std::pair<int32_t, int32_t>> trimmed;  // ICU's run end, pos
  for (const Candidate& c : s.candidates) {
    if (!(c.flags & kFromRun)) continue;
    if (c.run_end > c.pos) trimmed.push_back({c.run_end, c.pos});
    for (int32_t k = c.run_start; k < c.run_end;) {
      const int32_t from = k;
      UChar32 ch = Next(p, &k, n);
      if (IsWhite(ch)) {
        int32_t m = k;
        while (m < c.run_end) {
          const UChar32 x = Next(p, &m, n);
          if (!IsWhite(x)) {
            ch = x;
            break;
          }
        }
        view[index_of(from)] = static_cast<char16_t>(ch);
      } else if (IsExtraCloser(ch)) {
        view[index_of(from)] = u')';
      }
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUChars(&ut, view.data(), static_cast<int64_t>(view.size()),
                   &status);
  s.iterator->setText(&ut, status);
  utext_close(&ut);
  if (U_FAILURE(status)) return;
  for (int32_t b = s.iterator->next();
       b != icu::BreakIterator::DONE && b < static_cast<int32_t>(view.size());
       b = s.iterator->next()) {
    // Back over the whitespace ICU puts before its boundary, and over the
    // combining or format characters it reads as part of a space.
    int32_t q = byte_of[b];
    while (q > 0) {
      int32_t k = q;
      const UChar32 c = Prev(p, &k);
      if (IsWhite(c)) {
        q = k;
        continue;
      }
      if (!IsExtendOrFormat(CharClasses::Get().Sb(c))) break;
      while (k > 0) {
        int32_t m = k;
        if (!IsExtendOrFormat(CharClasses::Get().Sb(Prev(p, &m)))) break;
        k = m;
      }
      int32_t m = k;
      if (k == 0 || !IsWhite(Prev(p, &m))) break;
      q = k;
    }
    auto it = std::lower_bound(trimmed.begin(), trimmed.end(),
                               std::pair<int32_t, int32_t>(q, -1));
    if (it != trimmed.end() && it->first == q) q = it->second;
    if (q > 0) proposals->push_back(q);
  }
}

void Segmenter::Impl::Run(Scratch& s, bool full_icu) const {
  const int32_t n = s.n;
  ++s.call;
  s.text_open = false;
  s.token_pos = -1;
  s.word_pos = -1;
  s.context_pos = -1;
  s.candidates.clear();
  s.extra.clear();
  s.merged.clear();
  s.quotes.clear();
  s.markers.clear();
  s.forced.clear();
  s.spans.clear();
  s.breaks.clear();

  Scan(s);
  FindEnumerations(s);
  FindQuotations(s);

  std::vector<int32_t> full;
  if (full_icu) {
    FullTextIcu(s, &full);
    std::sort(full.begin(), full.end());
    for (int32_t q : full) s.extra.push_back({q, -1, kFromRun});
  }

  // Two sorted streams: the scan's and the enumerations' (and, for the
  // reference, ICU's). Equal positions are one candidate with the flags of
  // both.
  auto by_position = [](const Candidate& a, const Candidate& b) {
    return a.pos < b.pos;
  };
  if (s.extra.empty()) {
    s.merged.swap(s.candidates);
  } else {
    std::stable_sort(s.extra.begin(), s.extra.end(), by_position);
    std::merge(s.candidates.begin(), s.candidates.end(), s.extra.begin(),
               s.extra.end(), std::back_inserter(s.merged), by_position);
  }
  {
    size_t out = 0;
    for (size_t k = 0; k < s.merged.size(); ++k) {
      if (out > 0 && s.merged[out - 1].pos == s.merged[k].pos) {
        Candidate& prev = s.merged[out - 1];
        if (s.merged[k].run_start >= 0) {
          prev.run_start = s.merged[k].run_start;
          prev.run_end = s.merged[k].run_end;
        }
        prev.flags |= s.merged[k].flags;
      } else {
        s.merged[out++] = s.merged[k];
      }
    }
    s.merged.resize(out);
  }
  // Inside an embedded quotation nothing ends a sentence.
  if (!s.spans.empty()) {
    for (const auto& [open, close] : s.spans) {
      auto it = std::upper_bound(
          s.merged.begin(), s.merged.end(), open,
          [](int32_t pos, const Candidate& c) { return pos < c.pos; });
      for (; it != s.merged.end() && it->pos < close; ++it) {
        it->flags |= kInQuotation;
      }
    }
  }

  // Decide each candidate, then place the break after the whitespace that
  // follows.
  const uint8_t* p = s.p;
  for (const Candidate& c : s.merged) {
    if (c.flags & kInQuotation) continue;
    bool brk;
    if (c.flags & kForceBreak) {
      brk = true;
    } else if (c.flags & kForceNoBreak) {
      brk = false;
    } else {
      bool icu = false;
      if (full_icu) {
        icu = std::binary_search(full.begin(), full.end(), c.pos);
      } else if (c.flags & kFromRun) {
        icu = IcuBreaks(s, c);
      }
      brk = !InsideSpacedAbbreviation(s, c.pos) && Decide(s, c.pos, icu);
    }
    if (!brk) continue;
    int32_t q = c.pos;
    while (q < n) {
      int32_t k = q;
      if (!IsWhite(Next(p, &k, n))) break;
      q = k;
    }
    if (q < n && (s.breaks.empty() || s.breaks.back().first < q)) {
      s.breaks.push_back({q, false});
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
      if (p[i] < 0x80) {
        if (IsAsciiDigit(p[i]) || IsAsciiLetter(p[i])) return true;
        ++i;
        continue;
      }
      if (Flags(Next(p, &i, n)) & kAlnum) return true;
    }
    return false;
  };
  int32_t content = 0;  // first character that is not whitespace
  while (content < n) {
    int32_t k = content;
    if (!IsWhite(Next(p, &k, n))) break;
    content = k;
  }
  s.result.clear();
  for (size_t k = 0; k < s.breaks.size(); ++k) {
    const auto [q, forced] = s.breaks[k];
    const int32_t next = k + 1 < s.breaks.size() ? s.breaks[k + 1].first : n;
    if (q <= content) continue;
    if (!forced && !has_alnum(q, next)) continue;
    s.result.push_back(static_cast<size_t>(q));
  }
  s.result.push_back(static_cast<size_t>(n));
  if (s.text_open) {
    utext_close(&s.text_ut);
    s.text_ut = UTEXT_INITIALIZER;
    s.text_open = false;
  }
}

Segmenter::Segmenter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Segmenter::~Segmenter() = default;

const std::string& Segmenter::rules_name() const { return impl_->rules_name; }

std::vector<size_t> Segmenter::Split(std::string_view utf8) const {
  return SplitImpl(utf8, /*full_icu=*/false);
}

std::vector<size_t> Segmenter::SplitImpl(std::string_view utf8,
                                         bool full_icu) const {
  if (utf8.empty()) return {};
  // ICU indexes text with int32_t; far beyond any upload limit.
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) return {utf8.size()};
  std::unique_ptr<Scratch> s = impl_->Acquire();
  if (s == nullptr) return {utf8.size()};  // ICU out of memory
  s->p = reinterpret_cast<const uint8_t*>(utf8.data());
  s->n = static_cast<int32_t>(utf8.size());
  impl_->Run(*s, full_icu);
  std::vector<size_t> out = s->result;
  s->p = nullptr;
  s->n = 0;
  impl_->Release(std::move(s));
  return out;
}

namespace internal {

std::vector<size_t> SplitWithFullTextIcu(const Segmenter& segmenter,
                                         std::string_view utf8) {
  return segmenter.SplitImpl(utf8, /*full_icu=*/true);
}

}  // namespace internal

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
  impl->BuildTables();
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

  // Shared fragments ("_latin") are included by language files, never used
  // on their own.
  const std::string rules_name =
      language[0] != '_' && internal::BuiltinRuleFile(language) ? language
                                                                : "common";
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
    impl->BuildTables();
    segmenter.reset(new Segmenter(std::move(impl)));
  }

  absl::MutexLock lock(&registry.mu);
  auto [it, inserted] = registry.by_key.try_emplace(key, segmenter);
  return remember(it->second);
}

}  // namespace tessera::text

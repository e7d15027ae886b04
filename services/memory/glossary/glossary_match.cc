#include "services/memory/glossary/glossary_match.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>

#include <algorithm>
#include <map>
#include <memory>

#include "common/utf8.h"
#include "text/case_fold.h"

namespace tessera::memory::glossary {
namespace {

constexpr size_t kNpos = std::string::npos;

// One word iterator per thread and language: creating one costs far more
// than a lookup, and an iterator must never be shared between threads.
icu::BreakIterator* WordIterator(std::string_view language) {
  thread_local std::map<std::string, std::unique_ptr<icu::BreakIterator>,
                        std::less<>>
      cache;
  auto it = cache.find(language);
  if (it != cache.end()) return it->second.get();
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale =
      icu::Locale::forLanguageTag(std::string(language), status);
  if (U_FAILURE(status)) locale = icu::Locale::getRoot();
  status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> iterator(
      icu::BreakIterator::createWordInstance(locale, status));
  if (U_FAILURE(status) || iterator == nullptr) {
    status = U_ZERO_ERROR;
    iterator.reset(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  }
  icu::BreakIterator* raw = iterator.get();
  cache.emplace(std::string(language), std::move(iterator));
  return raw;
}

// ICU keeps "l'organisation" and "UN's" as one word; an apostrophe inside
// a word ends one word and starts the next, so that elided articles and
// possessives fall away from terms.
void SplitAtApostrophes(std::string_view s, size_t from, size_t to,
                        std::vector<bool>* boundary, std::vector<Span>* words) {
  size_t start = from;
  for (size_t i = from; i < to;) {
    char32_t cp;
    const size_t n = DecodeUtf8(s, i, &cp);
    if ((cp == U'\'' || cp == U'\u2019') && i > from && i + n < to) {
      (*boundary)[i] = true;
      (*boundary)[i + n] = true;
      if (i > start) words->push_back({start, i});
      start = i + n;
    }
    i += n;
  }
  if (to > start) words->push_back({start, to});
}

// ICU word boundaries of `s` as byte offsets (UTF-8 UText gives native
// indices), and its word-like segments (rule status at or above
// UBRK_WORD_NONE_LIMIT: letters, numbers, kana, ideographs).
void Segment(std::string_view s, std::string_view language,
             std::vector<bool>* boundary, std::vector<Span>* words) {
  boundary->assign(s.size() + 1, false);
  (*boundary)[0] = true;
  (*boundary)[s.size()] = true;
  if (s.empty()) return;
  icu::BreakIterator* it = WordIterator(language);
  UErrorCode status = U_ZERO_ERROR;
  UText* text = utext_openUTF8(nullptr, s.data(),
                               static_cast<int64_t>(s.size()), &status);
  if (U_FAILURE(status)) return;
  it->setText(text, status);
  if (U_FAILURE(status)) {
    utext_close(text);
    return;
  }
  int32_t prev = it->first();
  for (int32_t b = it->next(); b != icu::BreakIterator::DONE;
       prev = b, b = it->next()) {
    (*boundary)[static_cast<size_t>(b)] = true;
    if (it->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) {
      SplitAtApostrophes(s, static_cast<size_t>(prev), static_cast<size_t>(b),
                         boundary, words);
    }
  }
  utext_close(text);
}

bool IsLetter(char32_t cp) {
  return (U_GET_GC_MASK(static_cast<UChar32>(cp)) &
          (U_GC_L_MASK | U_GC_M_MASK)) != 0;
}

// Scripts ICU splits with a dictionary rather than at spaces.
bool IsDictionaryScript(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(static_cast<UChar32>(cp), &status);
  switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
      return true;
    default:
      return false;
  }
}

void AppendFolded(std::string_view cp_bytes, char32_t cp, std::string* out) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                        : c);
    return;
  }
  *out += text::FoldCase(cp_bytes);
}

int LastWordLetters(std::string_view term, std::string_view language) {
  std::vector<bool> boundary;
  std::vector<Span> words;
  Segment(term, language, &boundary, &words);
  if (words.empty()) return 0;
  int letters = 0;
  for (size_t i = words.back().start; i < words.back().end;) {
    char32_t cp;
    i += DecodeUtf8(term, i, &cp);
    if (IsLetter(cp)) ++letters;
  }
  return letters;
}

}  // namespace

bool IsWhiteSpace(char32_t cp) {
  return u_isUWhiteSpace(static_cast<UChar32>(cp));
}

MatchText::MatchText(std::string_view utf8, std::string_view language)
    : text_(utf8), language_(language) {
  Segment(text_, language_, &boundary_, &words_);
  for (int fold = 0; fold < 2; ++fold) {
    Form& f = fold ? folded_ : exact_;
    f.out_at.assign(text_.size() + 1, kNpos);
    bool in_space = false;
    for (size_t i = 0; i < text_.size();) {
      char32_t cp;
      const size_t n = DecodeUtf8(text_, i, &cp);
      const std::string_view bytes = std::string_view(text_).substr(i, n);
      if (IsWhiteSpace(cp)) {
        if (!in_space) {
          f.out_at[i] = f.out.size();
          f.source_at.push_back(i);
          f.out.push_back(' ');
        }
        in_space = true;
      } else {
        in_space = false;
        f.out_at[i] = f.out.size();
        const size_t before = f.out.size();
        if (fold) {
          AppendFolded(bytes, cp, &f.out);
        } else {
          f.out += bytes;
        }
        if (f.out.size() > before) {
          f.source_at.push_back(i);
          f.source_at.resize(f.out.size(), kNpos);
        }
      }
      i += n;
    }
    f.out_at[text_.size()] = f.out.size();
    f.source_at.push_back(text_.size());
  }
}

std::vector<Span> MatchText::Find(std::string_view term, bool case_sensitive,
                                  bool match_inflections) const {
  std::vector<Span> hits;
  // The term's match form is the text's own rule applied to the term.
  const MatchText t(term, language_);
  const Form& f = case_sensitive ? exact_ : folded_;
  const std::string& needle = case_sensitive ? t.exact_.out : t.folded_.out;
  if (needle.empty() || needle.size() > f.out.size()) return hits;
  bool may_inflect = false;
  if (match_inflections && !term.empty()) {
    char32_t last;
    DecodeUtf8Before(term, term.size(), &last);
    may_inflect = IsLetter(last) &&
                  LastWordLetters(term, language_) >= kMinInflectedWordLetters;
  }
  for (size_t b = 0; b < text_.size(); ++b) {
    if (!boundary_[b]) continue;
    const size_t p = f.out_at[b];
    if (p == kNpos || f.out.compare(p, needle.size(), needle) != 0) continue;
    const size_t e = f.source_at[p + needle.size()];
    if (e == kNpos) continue;  // ends inside one character's folding
    if (boundary_[e]) {
      hits.push_back({b, e});
      continue;
    }
    if (!may_inflect) continue;
    size_t pos = e;
    for (int k = 0; k < kMaxInflectionLetters && pos < text_.size(); ++k) {
      char32_t cp;
      const size_t n = DecodeUtf8(text_, pos, &cp);
      if (!IsLetter(cp)) break;
      pos += n;
      if (boundary_[pos]) {
        hits.push_back({b, pos});
        break;
      }
    }
  }
  return hits;
}

std::vector<std::string> MatchText::CandidateKeys() const {
  std::vector<std::string> keys;
  const std::string_view s = text_;
  for (size_t i = 0; i < words_.size(); ++i) {
    const Span w = words_[i];
    keys.push_back(text::FoldCase(s.substr(w.start, w.end - w.start)));
    size_t end = w.end;
    for (int k = 0; k < kMaxInflectionLetters; ++k) {
      char32_t cp;
      const size_t n = DecodeUtf8Before(s, end, &cp);
      if (!IsLetter(cp) || end - n <= w.start) break;
      end -= n;
      keys.push_back(text::FoldCase(s.substr(w.start, end - w.start)));
    }
    char32_t first;
    DecodeUtf8(s, w.start, &first);
    if (IsDictionaryScript(first)) {
      for (size_t pos = w.start; pos < w.end;) {
        char32_t cp;
        pos += DecodeUtf8(s, pos, &cp);
        keys.push_back(text::FoldCase(s.substr(w.start, pos - w.start)));
      }
    }
    size_t joined = w.end;
    for (size_t j = i + 1; j < words_.size() && j <= i + 2; ++j) {
      if (words_[j].start != joined) break;
      joined = words_[j].end;
      keys.push_back(text::FoldCase(s.substr(w.start, joined - w.start)));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string TermKey(std::string_view term, std::string_view language) {
  std::vector<bool> boundary;
  std::vector<Span> words;
  Segment(term, language, &boundary, &words);
  if (words.empty()) return "";
  return text::FoldCase(
      term.substr(words[0].start, words[0].end - words[0].start));
}

bool HasWord(std::string_view term, std::string_view language) {
  return !TermKey(term, language).empty();
}

std::string FoldForSearch(std::string_view utf8) {
  std::string out;
  bool in_space = false;
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp;
    const size_t n = DecodeUtf8(utf8, i, &cp);
    if (IsWhiteSpace(cp)) {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      in_space = false;
      AppendFolded(utf8.substr(i, n), cp, &out);
    }
    i += n;
  }
  return out;
}

}  // namespace tessera::memory::glossary

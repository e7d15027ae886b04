#include "text/word_count.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "text/internal/utf16.h"
#include "text/language.h"

namespace tessera::text {
namespace {

// Prototype word iterators, one per language, created on first use and
// kept for the life of the process, so that the pointers below stay valid
// as keys. Capped: past the cap, languages share the root prototype.
class Prototypes {
 public:
  static Prototypes& Get() {
    static Prototypes* const p = new Prototypes();
    return *p;
  }

  // Returns nullptr only if ICU cannot build an iterator at all.
  const icu::BreakIterator* For(const std::string& language) {
    absl::MutexLock lock(&mu_);
    auto it = by_language_.find(language);
    if (it != by_language_.end()) return it->second;
    const std::string key =
        by_language_.size() < kMaxLanguages ? language : std::string("root");
    it = by_language_.find(key);
    if (it != by_language_.end()) return it->second;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> proto(
        icu::BreakIterator::createWordInstance(icu::Locale(key.c_str()),
                                               status));
    if (U_FAILURE(status) || proto == nullptr) return nullptr;
    const icu::BreakIterator* raw = proto.get();
    owned_.push_back(std::move(proto));
    by_language_.emplace(key, raw);
    return raw;
  }

  // Cloning reads the prototype only; serialised all the same.
  icu::BreakIterator* Clone(const icu::BreakIterator* proto) {
    absl::MutexLock lock(&mu_);
    return proto->clone();
  }

 private:
  static constexpr size_t kMaxLanguages = 256;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, const icu::BreakIterator*> by_language_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<icu::BreakIterator>> owned_ ABSL_GUARDED_BY(mu_);
};

// This thread's clone of `proto`. Prototypes live forever, so a pointer is
// a stable key.
icu::BreakIterator* ThreadIterator(const icu::BreakIterator* proto) {
  thread_local absl::flat_hash_map<const icu::BreakIterator*,
                                   std::unique_ptr<icu::BreakIterator>>
      clones;
  auto& slot = clones[proto];
  if (slot == nullptr) slot.reset(Prototypes::Get().Clone(proto));
  return slot.get();
}

bool IsCjkCounted(UChar32 c) {
  // Han, kana and their marks all lie at or above U+2E80 (CJK Radicals).
  if (c < 0x2E80) return false;
  return uscript_hasScript(c, USCRIPT_HAN) ||
         uscript_hasScript(c, USCRIPT_HIRAGANA) ||
         uscript_hasScript(c, USCRIPT_KATAKANA);
}

// Elided words that count on their own before an apostrophe, lower case.
const absl::flat_hash_set<std::u16string>* ElisionsFor(
    const std::string& language) {
  static const auto* const fr = new absl::flat_hash_set<std::u16string>{
      u"c", u"d",  u"j",     u"l",      u"m",      u"n",      u"s",
      u"t", u"qu", u"jusqu", u"lorsqu", u"puisqu", u"quoiqu", u"presqu"};
  static const auto* const it = new absl::flat_hash_set<std::u16string>{
      u"l",    u"d",     u"c",     u"s",    u"m",    u"t",    u"v",
      u"un",   u"dell",  u"all",   u"dall", u"nell", u"sull", u"coll",
      u"dev",  u"quest", u"quell", u"bell", u"sant", u"anch", u"nessun",
      u"buon", u"tutt",  u"com",   u"dov",  u"cos",  u"ch",   u"qual"};
  if (language == "fr") return fr;
  if (language == "it") return it;
  return nullptr;
}

// Words in one ICU segment [from, to) of word-like status.
int WordsInSegment(const std::u16string& t, int32_t from, int32_t to,
                   const absl::flat_hash_set<std::u16string>* elisions) {
  int cjk = 0;
  bool other = false;
  for (int32_t i = from; i < to;) {
    UChar32 c;
    U16_NEXT(t.data(), i, to, c);
    if (IsCjkCounted(c)) {
      ++cjk;
    } else if (u_isalnum(c)) {
      other = true;
    }
  }
  if (cjk > 0) return cjk + (other ? 1 : 0);
  int words = 1;
  if (elisions != nullptr) {
    int32_t part_start = from;
    for (int32_t i = from; i < to; ++i) {
      if (t[i] != u'\'' && t[i] != 0x2019) continue;
      std::u16string part;
      for (int32_t k = part_start; k < i; ++k) {
        part.push_back(static_cast<char16_t>(u_tolower(t[k])));
      }
      if (elisions->contains(part)) ++words;
      part_start = i + 1;
    }
  }
  return words;
}

}  // namespace

int CountWords(std::string_view utf8, std::string_view canonical_tag) {
  if (utf8.empty()) return 0;
  const std::string language = LanguageOf(canonical_tag);
  const icu::BreakIterator* proto = Prototypes::Get().For(language);
  if (proto == nullptr) return 0;
  icu::BreakIterator* it = ThreadIterator(proto);
  if (it == nullptr) return 0;

  thread_local std::u16string text;
  internal::Utf8ToUtf16(utf8, &text);
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUChars(&ut, text.data(), static_cast<int64_t>(text.size()),
                   &status);
  it->setText(&ut, status);
  utext_close(&ut);
  if (U_FAILURE(status)) return 0;

  const auto* elisions = ElisionsFor(language);
  int words = 0;
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE;
       start = end, end = it->next()) {
    const int32_t status_value = it->getRuleStatus();
    if (status_value >= UBRK_WORD_NUMBER &&
        status_value < UBRK_WORD_IDEO_LIMIT) {
      words += WordsInSegment(text, start, end, elisions);
    }
  }
  if (text.capacity() > (1u << 20)) std::u16string().swap(text);
  return words;
}

std::vector<WordSpan> WordSpans(std::string_view utf8,
                                std::string_view canonical_tag) {
  std::vector<WordSpan> spans;
  if (utf8.empty()) return spans;
  const std::string language = LanguageOf(canonical_tag);
  const icu::BreakIterator* proto = Prototypes::Get().For(language);
  if (proto == nullptr) return spans;
  icu::BreakIterator* it = ThreadIterator(proto);
  if (it == nullptr) return spans;

  thread_local std::u16string text;
  const bool ascii = internal::Utf8ToUtf16(utf8, &text);
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUChars(&ut, text.data(), static_cast<int64_t>(text.size()),
                   &status);
  it->setText(&ut, status);
  utext_close(&ut);
  if (U_FAILURE(status)) return spans;

  std::vector<size_t> bounds;
  std::vector<bool> word;
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE;
       start = end, end = it->next()) {
    const int32_t status_value = it->getRuleStatus();
    const bool is_word = status_value >= UBRK_WORD_NUMBER &&
                         status_value < UBRK_WORD_IDEO_LIMIT;
    if (!is_word) {
      bool blank = true;
      for (int32_t i = start; i < end;) {
        UChar32 c;
        U16_NEXT(text.data(), i, end, c);
        if (!u_isUWhiteSpace(c)) {
          blank = false;
          break;
        }
      }
      if (blank) continue;
    }
    bounds.push_back(static_cast<size_t>(start));
    bounds.push_back(static_cast<size_t>(end));
    word.push_back(is_word);
  }
  if (!ascii) internal::MapUtf16ToUtf8(utf8, &bounds);
  for (size_t i = 0; i < word.size(); ++i) {
    spans.push_back({bounds[2 * i], bounds[2 * i + 1], word[i]});
  }
  if (text.capacity() > (1u << 20)) std::u16string().swap(text);
  return spans;
}

}  // namespace tessera::text

#include "text/placeholders.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>

namespace tessera::text {
namespace {

// UTF-8 text with code point access at byte offsets. Stays on ICU's
// U8_NEXT/U8_PREV rather than common/utf8.h: an ill-formed sequence is one
// U+FFFD over its maximal subpart there (one per byte in common/utf8.h), and
// placeholder spans over such text must not move.
class Text {
 public:
  explicit Text(std::string_view s)
      : s_(reinterpret_cast<const uint8_t*>(s.data())),
        n_(static_cast<int32_t>(s.size())) {}

  int32_t size() const { return n_; }
  uint8_t byte(int32_t i) const { return s_[i]; }

  // Code point at `i` (-1 past the end); *len is its length in bytes.
  UChar32 At(int32_t i, int32_t* len) const {
    if (i >= n_) {
      *len = 0;
      return -1;
    }
    if (s_[i] < 0x80) {
      *len = 1;
      return s_[i];
    }
    int32_t j = i;
    UChar32 c;
    U8_NEXT(s_, j, n_, c);
    *len = j - i;
    return c < 0 ? 0xFFFD : c;
  }
  UChar32 At(int32_t i) const {
    int32_t len;
    return At(i, &len);
  }

  // Code point ending at `i` (-1 at the start); *len is its length.
  UChar32 Before(int32_t i, int32_t* len) const {
    if (i <= 0) {
      *len = 0;
      return -1;
    }
    int32_t j = i;
    UChar32 c;
    U8_PREV(s_, 0, j, c);
    *len = i - j;
    return c < 0 ? 0xFFFD : c;
  }
  UChar32 Before(int32_t i) const {
    int32_t len;
    return Before(i, &len);
  }

  bool StartsWithIgnoreCase(int32_t i, std::string_view prefix) const {
    if (n_ - i < static_cast<int32_t>(prefix.size())) return false;
    for (size_t k = 0; k < prefix.size(); ++k) {
      uint8_t c = s_[i + k];
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
      if (c != static_cast<uint8_t>(prefix[k])) return false;
    }
    return true;
  }

 private:
  const uint8_t* s_;
  int32_t n_;
};

bool IsLetter(UChar32 c) {
  return c >= 0 && (U_MASK(u_charType(c)) & U_GC_L_MASK) != 0;
}
bool IsDigit(UChar32 c) { return c >= 0 && u_isdigit(c); }
bool IsWordChar(UChar32 c) {
  return c >= 0 && (U_MASK(u_charType(c)) &
                    (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}
bool IsSpace(UChar32 c) { return c >= 0 && u_isUWhiteSpace(c); }

// Characters that end a URL: spaces, angle brackets and quotation marks
// that wrap URLs in prose.
bool EndsUrl(UChar32 c) {
  if (c < 0 || IsSpace(c) || u_iscntrl(c)) return true;
  switch (c) {
    case '<':
    case '>':
    case '"':
    case '`':
    case '\\':
    case 0x00AB:
    case 0x00BB:
    case 0x201C:
    case 0x201D:
    case 0x2018:
    case 0x2019:
    case 0x201E:
    case 0x2039:
    case 0x203A:
      return true;
    default:
      return false;
  }
}

struct Span {
  int32_t begin;
  int32_t end;
};

// Returns the end of a URL starting at `begin` whose prefix ends at
// `body`, or -1 if there is no URL body.
int32_t UrlEnd(const Text& t, int32_t begin, int32_t body) {
  int32_t end = body;
  while (end < t.size()) {
    int32_t len;
    if (EndsUrl(t.At(end, &len))) break;
    end += len;
  }
  // Trailing punctuation belongs to the sentence, and a closing bracket only
  // to a URL that opened it.
  for (;;) {
    if (end <= body) return -1;
    const uint8_t last = t.byte(end - 1);
    if (last == '.' || last == ',' || last == ';' || last == ':' ||
        last == '!' || last == '?' || last == '\'' || last == '*') {
      --end;
      continue;
    }
    char open = 0;
    if (last == ')') open = '(';
    if (last == ']') open = '[';
    if (last == '}') open = '{';
    if (open != 0) {
      int depth = 0;
      for (int32_t i = begin; i < end; ++i) {
        if (t.byte(i) == open) ++depth;
        if (t.byte(i) == last) --depth;
      }
      if (depth < 0) {
        --end;
        continue;
      }
    }
    break;
  }
  return end;
}

void FindUrls(const Text& t, std::vector<Span>* out) {
  static constexpr std::string_view kSchemes[] = {"https://", "http://",
                                                  "ftp://"};
  for (int32_t i = 0; i < t.size(); ++i) {
    const uint8_t c = t.byte(i);
    if (c != 'h' && c != 'H' && c != 'f' && c != 'F' && c != 'w' && c != 'W') {
      continue;
    }
    const UChar32 before = t.Before(i);
    if (IsWordChar(before) || before == '.' || before == '-' || before == '_' ||
        before == '@' || before == '/') {
      continue;
    }
    int32_t body = -1;
    for (std::string_view scheme : kSchemes) {
      if (t.StartsWithIgnoreCase(i, scheme)) {
        body = i + static_cast<int32_t>(scheme.size());
        break;
      }
    }
    if (body < 0 && t.StartsWithIgnoreCase(i, "www.") &&
        IsWordChar(t.At(i + 4))) {
      body = i + 4;
    }
    if (body < 0) continue;
    const int32_t end = UrlEnd(t, i, body);
    if (end < 0) continue;
    out->push_back({i, end});
    i = end - 1;
  }
}

bool IsLocalPartChar(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' ||
           c == '+' || c == '-';
  }
  return IsWordChar(c);
}

bool IsDomainChar(UChar32 c) {
  return c == '.' || c == '-' || (c >= 0 && IsWordChar(c));
}

bool Inside(const std::vector<Span>& spans, int32_t pos) {
  for (const Span& s : spans) {
    if (pos >= s.begin && pos < s.end) return true;
  }
  return false;
}

void FindEmails(const Text& t, const std::vector<Span>& urls,
                std::vector<Span>* out) {
  int32_t floor = 0;  // end of the last address: addresses never overlap
  for (int32_t at = 0; at < t.size(); ++at) {
    if (t.byte(at) != '@' || Inside(urls, at)) continue;
    int32_t begin = at;
    while (begin > floor) {
      int32_t len;
      const UChar32 c = t.Before(begin, &len);
      if (!IsLocalPartChar(c)) break;
      begin -= len;
    }
    while (begin < at && t.byte(begin) == '.') ++begin;
    if (begin == at || t.byte(at - 1) == '.') continue;

    int32_t end = at + 1;
    while (end < t.size()) {
      int32_t len;
      if (!IsDomainChar(t.At(end, &len))) break;
      end += len;
    }
    while (end > at + 1 && (t.byte(end - 1) == '.' || t.byte(end - 1) == '-')) {
      --end;
    }
    // Domain: non-empty labels, at least two, the last all letters, 2+ long.
    int32_t label_start = at + 1;
    int labels = 0;
    bool ok = end > at + 1;
    int32_t last_label = label_start;
    for (int32_t i = at + 1; ok && i <= end; ++i) {
      if (i == end || t.byte(i) == '.') {
        if (i == label_start || t.byte(label_start) == '-' ||
            t.byte(i - 1) == '-') {
          ok = false;
        }
        ++labels;
        last_label = label_start;
        label_start = i + 1;
      }
    }
    if (!ok || labels < 2 || end - last_label < 2) continue;
    for (int32_t i = last_label; i < end && ok;) {
      int32_t len;
      if (!IsLetter(t.At(i, &len))) ok = false;
      i += len;
    }
    if (!ok) continue;
    out->push_back({begin, end});
    floor = end;
    at = end - 1;
  }
}

bool IsGroupSpace(UChar32 c) {
  return c == ' ' || c == 0x00A0 || c == 0x202F || c == 0x2009 || c == '\'' ||
         c == 0x2019;
}

// Number of decimal digits starting at `i`; *end is where they stop.
int CountDigits(const Text& t, int32_t i, int32_t* end) {
  int count = 0;
  for (;;) {
    int32_t len;
    if (!IsDigit(t.At(i, &len))) break;
    i += len;
    ++count;
  }
  *end = i;
  return count;
}

// Skips the run of word characters at `i`.
int32_t SkipWord(const Text& t, int32_t i) {
  for (;;) {
    int32_t len;
    if (!IsWordChar(t.At(i, &len))) return i;
    i += len;
  }
}

void FindNumbers(const Text& t, const std::vector<Span>& protected_spans,
                 std::vector<Placeholder>* out) {
  size_t next_span = 0;
  int32_t i = 0;
  while (i < t.size()) {
    while (next_span < protected_spans.size() &&
           protected_spans[next_span].end <= i) {
      ++next_span;
    }
    if (next_span < protected_spans.size() &&
        protected_spans[next_span].begin <= i) {
      i = protected_spans[next_span].end;
      continue;
    }
    int32_t len;
    const UChar32 c = t.At(i, &len);
    if (!IsDigit(c)) {
      i += len;
      continue;
    }
    if (IsWordChar(t.Before(i))) {  // "A4": digits inside a word
      i = SkipWord(t, i);
      continue;
    }
    int32_t begin = i;
    int32_t sign_len;
    const UChar32 sign = t.Before(i, &sign_len);
    if ((sign == '-' || sign == '+' || sign == 0x2212) &&
        !IsWordChar(t.Before(i - sign_len))) {
      begin = i - sign_len;
    }
    int32_t end;
    int group = CountDigits(t, i, &end);
    for (;;) {
      int32_t sep_len;
      const UChar32 sep = t.At(end, &sep_len);
      int32_t digits_end;
      if (sep == '.' || sep == ',') {
        const int digits = CountDigits(t, end + sep_len, &digits_end);
        if (digits == 0) break;
        group = digits;
        end = digits_end;
      } else if (IsGroupSpace(sep) && group <= 3) {
        const int digits = CountDigits(t, end + sep_len, &digits_end);
        if (digits != 3) break;
        group = digits;
        end = digits_end;
      } else {
        break;
      }
    }
    int32_t suffix_len;
    const UChar32 suffix = t.At(end, &suffix_len);
    if (suffix == '%' || suffix == 0x2030) {
      end += suffix_len;
    } else if (suffix == ' ' || suffix == 0x00A0 || suffix == 0x202F ||
               suffix == 0x2009) {
      int32_t pct_len;
      const UChar32 pct = t.At(end + suffix_len, &pct_len);
      if (pct == '%' || pct == 0x2030) end += suffix_len + pct_len;
    }
    if (IsWordChar(t.At(end))) {  // "1er", "3D", "100km"
      i = SkipWord(t, end);
      continue;
    }
    // Digits running into an address or URL ("1,0@0.org") belong to it.
    if (next_span < protected_spans.size() &&
        protected_spans[next_span].begin < end) {
      i = protected_spans[next_span].end;
      continue;
    }
    out->push_back({PlaceholderKind::kNumber, static_cast<size_t>(begin),
                    static_cast<size_t>(end)});
    i = end;
  }
}

// URLs and e-mail addresses, sorted.
std::vector<Span> ProtectedSpans(const Text& t, std::vector<Span>* urls,
                                 std::vector<Span>* emails) {
  FindUrls(t, urls);
  FindEmails(t, *urls, emails);
  std::vector<Span> all(urls->begin(), urls->end());
  all.insert(all.end(), emails->begin(), emails->end());
  std::sort(all.begin(), all.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  return all;
}

}  // namespace

std::vector<Placeholder> FindPlaceholders(std::string_view utf8) {
  const Text t(utf8);
  std::vector<Span> urls, emails;
  const std::vector<Span> spans = ProtectedSpans(t, &urls, &emails);
  std::vector<Placeholder> out;
  for (const Span& s : urls) {
    out.push_back({PlaceholderKind::kUrl, static_cast<size_t>(s.begin),
                   static_cast<size_t>(s.end)});
  }
  for (const Span& s : emails) {
    out.push_back({PlaceholderKind::kEmail, static_cast<size_t>(s.begin),
                   static_cast<size_t>(s.end)});
  }
  FindNumbers(t, spans, &out);
  std::sort(out.begin(), out.end(),
            [](const Placeholder& a, const Placeholder& b) {
              return a.begin < b.begin;
            });
  return out;
}

bool IsNonTranslatable(std::string_view utf8) {
  const Text t(utf8);
  std::vector<Span> urls, emails;
  const std::vector<Span> spans = ProtectedSpans(t, &urls, &emails);
  size_t next_span = 0;
  for (int32_t i = 0; i < t.size();) {
    while (next_span < spans.size() && spans[next_span].end <= i) ++next_span;
    if (next_span < spans.size() && spans[next_span].begin <= i) {
      i = spans[next_span].end;
      continue;
    }
    int32_t len;
    if (IsLetter(t.At(i, &len))) return false;
    i += len;
  }
  return true;
}

}  // namespace tessera::text

#include "text/internal/prefilter.h"

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tessera::text::internal {
namespace {

// ICU's own definitions of the regex class escapes.
constexpr std::string_view kSpace = "\\t\\n\\f\\r\\p{Z}";
constexpr std::string_view kDigit = "\\p{Nd}";
constexpr std::string_view kWord =
    "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200c\\u200d";

enum class Kind { kAtom, kOpaque, kZeroWidth };

struct Token {
  Kind kind = Kind::kOpaque;
  std::string set;  // kAtom: UnicodeSet pattern of the one character
  int min = 1;      // minimum repetitions
  bool quantified = false;
};

std::string CharSet(uint32_t c) { return absl::StrFormat("[\\x{%X}]", c); }
std::string CharItem(uint32_t c) { return absl::StrFormat("\\x{%X}", c); }

// Decodes the UTF-8 code point at re[*i] and advances *i; 0xFFFD on error.
uint32_t DecodeUtf8(const std::string& re, size_t* i) {
  const auto b = static_cast<unsigned char>(re[*i]);
  int len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  uint32_t c = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 7;
  if (*i + len > re.size()) {
    *i = re.size();
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    c = (c << 6) | (static_cast<unsigned char>(re[*i + k]) & 0x3F);
  }
  *i += len;
  return c;
}

bool ParseHex(std::string_view digits, uint32_t* out) {
  if (digits.empty() || digits.size() > 6) return false;
  uint32_t v = 0;
  for (char d : digits) {
    v <<= 4;
    if (d >= '0' && d <= '9') {
      v |= d - '0';
    } else if (d >= 'a' && d <= 'f') {
      v |= d - 'a' + 10;
    } else if (d >= 'A' && d <= 'F') {
      v |= d - 'A' + 10;
    } else {
      return false;
    }
  }
  *out = v;
  return v <= 0x10FFFF;
}

// The result of reading one escape sequence.
struct Escape {
  Kind kind = Kind::kOpaque;
  std::string set;      // kAtom: a UnicodeSet pattern
  bool single = false;  // kAtom of exactly one character `c`
  uint32_t c = 0;
  bool give_up = false;  // the whole pattern must not be analysed (\Q)
};

// Reads the escape at re[*i] == '\\' and advances *i past it.
Escape ReadEscape(const std::string& re, size_t* i) {
  Escape e;
  const size_t start = *i;
  if (start + 1 >= re.size()) {
    *i = re.size();
    return e;
  }
  const char x = re[start + 1];
  *i = start + 2;
  auto single = [&](uint32_t c) {
    e.kind = Kind::kAtom;
    e.single = true;
    e.c = c;
    e.set = CharSet(c);
    return e;
  };
  auto klass = [&](std::string_view body, bool negated) {
    e.kind = Kind::kAtom;
    e.set = absl::StrCat(negated ? "[^" : "[",
                         absl::string_view(body.data(), body.size()), "]");
    return e;
  };
  switch (x) {
    case 's':
      return klass(kSpace, false);
    case 'S':
      return klass(kSpace, true);
    case 'd':
      return klass(kDigit, false);
    case 'D':
      return klass(kDigit, true);
    case 'w':
      return klass(kWord, false);
    case 'W':
      return klass(kWord, true);
    case 't':
      return single(0x09);
    case 'n':
      return single(0x0A);
    case 'r':
      return single(0x0D);
    case 'f':
      return single(0x0C);
    case 'e':
      return single(0x1B);
    case 'a':
      return single(0x07);
    case 'b':
    case 'B':
    case 'A':
    case 'z':
    case 'Z':
    case 'G':
      e.kind = Kind::kZeroWidth;
      return e;
    case 'Q':
      e.give_up = true;
      return e;
    case 'p':
    case 'P': {
      std::string name;
      if (*i < re.size() && re[*i] == '{') {
        const size_t close = re.find('}', *i);
        if (close == std::string::npos) {
          *i = re.size();
          return e;
        }
        name = re.substr(*i + 1, close - *i - 1);
        *i = close + 1;
      } else if (*i < re.size()) {
        name = re.substr(*i, 1);
        *i += 1;
      }
      if (name.empty() || name.find_first_of("[]\\") != std::string::npos) {
        return e;
      }
      return klass(absl::StrCat("\\", std::string(1, x), "{", name, "}"),
                   false);
    }
    case 'x':
    case 'u':
    case 'U': {
      std::string_view digits;
      if (x == 'x' && *i < re.size() && re[*i] == '{') {
        const size_t close = re.find('}', *i);
        if (close == std::string::npos) {
          *i = re.size();
          return e;
        }
        digits = std::string_view(re).substr(*i + 1, close - *i - 1);
        *i = close + 1;
      } else {
        const size_t n = x == 'x' ? 2 : x == 'u' ? 4 : 8;
        digits = std::string_view(re).substr(*i, n);
        *i = std::min(re.size(), *i + n);
      }
      uint32_t c;
      if (!ParseHex(digits, &c)) return e;
      return single(c);
    }
    default:
      break;
  }
  const auto ux = static_cast<unsigned char>(x);
  if (ux >= 0x80) {  // an escaped non-ASCII character is itself
    size_t j = start + 1;
    const uint32_t c = DecodeUtf8(re, &j);
    *i = j;
    return single(c);
  }
  if ((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') ||
      (x >= '0' && x <= '9')) {
    // Back-references, \N{..}, \X, \R, \h, \v and anything unknown: their
    // extent cannot be pinned down here.
    if (x == 'N' && *i < re.size() && re[*i] == '{') {
      const size_t close = re.find('}', *i);
      *i = close == std::string::npos ? re.size() : close + 1;
    } else if (x == 'k' && *i < re.size() && re[*i] == '<') {
      const size_t close = re.find('>', *i);
      *i = close == std::string::npos ? re.size() : close + 1;
    }
    return e;
  }
  return single(ux);  // escaped punctuation: the character itself
}

// Skips the class starting at re[*i] == '[' (nested classes included).
void SkipClass(const std::string& re, size_t* i) {
  int depth = 0;
  while (*i < re.size()) {
    const char c = re[*i];
    if (c == '\\') {
      *i += 2;
      continue;
    }
    ++*i;
    if (c == '[') ++depth;
    if (c == ']' && --depth == 0) return;
  }
}

// Reads the class at re[*i] == '[' as a UnicodeSet pattern; kOpaque for
// syntax this translation does not cover (nested classes, && and --).
Token ReadClass(const std::string& re, size_t* i) {
  Token t;
  const size_t start = *i;
  size_t j = start + 1;
  std::string out = "[";
  if (j < re.size() && re[j] == '^') {
    out += '^';
    ++j;
  }
  bool ok = j < re.size() && re[j] != ']';
  bool have_prev = false;  // the last item was a single character `prev`,
  uint32_t prev = 0;       // which a '-' can start a range from
  while (ok && j < re.size() && re[j] != ']') {
    const char c = re[j];
    if (c == '[' || (c == '&' && j + 1 < re.size() && re[j + 1] == '&') ||
        (c == '-' && j + 1 < re.size() && re[j + 1] == '-')) {
      ok = false;
      break;
    }
    if (c == '-' && have_prev && j + 1 < re.size() && re[j + 1] != ']') {
      ++j;
      uint32_t hi;
      if (re[j] == '\\') {
        Escape e = ReadEscape(re, &j);
        if (!e.single) {
          ok = false;
          break;
        }
        hi = e.c;
      } else {
        hi = DecodeUtf8(re, &j);
      }
      if (hi < prev) {
        ok = false;
        break;
      }
      absl::StrAppend(&out, "-", CharItem(hi));
      have_prev = false;
      continue;
    }
    if (c == '\\') {
      Escape e = ReadEscape(re, &j);
      if (e.kind != Kind::kAtom) {
        ok = false;
        break;
      }
      if (e.single) {
        out += CharItem(e.c);
        prev = e.c;
        have_prev = true;
      } else {
        out += e.set;  // a nested set is a union in UnicodeSet syntax
        have_prev = false;
      }
      continue;
    }
    const uint32_t ch = DecodeUtf8(re, &j);
    out += CharItem(ch);
    prev = ch;
    have_prev = true;
  }
  if (ok && j < re.size() && re[j] == ']') {
    *i = j + 1;
    t.kind = Kind::kAtom;
    t.set = out + "]";
    return t;
  }
  *i = start;
  SkipClass(re, i);
  return t;  // opaque
}

// Splits `re` into top-level tokens. Returns false when the pattern as a
// whole must not be analysed: alternation at the top level, inline flags,
// \Q quoting, or unbalanced syntax.
bool Tokenize(const std::string& re, std::vector<Token>* out) {
  size_t i = 0;
  while (i < re.size()) {
    const char c = re[i];
    Token t;
    if (c == '|') return false;
    if (c == ')') return false;
    if (c == '(') {
      if (i + 2 < re.size() && re[i + 1] == '?') {
        const char k = re[i + 2];
        const bool look = k == '=' || k == '!' ||
                          (k == '<' && i + 3 < re.size() &&
                           (re[i + 3] == '=' || re[i + 3] == '!'));
        if (!look && k != ':' && k != '>') return false;  // flags, comments
        t.kind = look ? Kind::kZeroWidth : Kind::kOpaque;
      }
      int depth = 0;
      while (i < re.size()) {
        const char g = re[i];
        if (g == '\\') {
          Escape e = ReadEscape(re, &i);
          if (e.give_up) return false;
          continue;
        }
        if (g == '[') {
          SkipClass(re, &i);
          continue;
        }
        if (g == '(' && i + 2 < re.size() && re[i + 1] == '?' &&
            std::string_view("=!<:>").find(re[i + 2]) == std::string::npos) {
          return false;  // inline flags inside a group
        }
        ++i;
        if (g == '(') ++depth;
        if (g == ')' && --depth == 0) break;
      }
      if (depth != 0) return false;
    } else if (c == '[') {
      t = ReadClass(re, &i);
    } else if (c == '\\') {
      Escape e = ReadEscape(re, &i);
      if (e.give_up) return false;
      t.kind = e.kind;
      t.set = e.set;
    } else if (c == '^' || c == '$') {
      t.kind = Kind::kZeroWidth;
      ++i;
    } else if (c == '.') {
      ++i;  // any character: opaque
    } else if (c == '?' || c == '*' || c == '+' || c == '{') {
      return false;  // a quantifier with nothing to apply to
    } else {
      t.kind = Kind::kAtom;
      t.set = CharSet(DecodeUtf8(re, &i));
    }
    // Quantifier.
    if (i < re.size()) {
      const char q = re[i];
      if (q == '?' || q == '*' || q == '+') {
        t.quantified = true;
        t.min = q == '+' ? 1 : 0;
        ++i;
      } else if (q == '{') {
        const size_t close = re.find('}', i);
        if (close == std::string::npos) return false;
        const std::string_view body =
            std::string_view(re).substr(i + 1, close - i - 1);
        int min = 0;
        size_t k = 0;
        for (; k < body.size() && body[k] >= '0' && body[k] <= '9'; ++k) {
          min = min * 10 + (body[k] - '0');
          if (min > 1000) return false;
        }
        if (k == 0) return false;
        t.quantified = !(body == "1");
        t.min = min;
        i = close + 1;
      }
      if (t.quantified && i < re.size() && (re[i] == '?' || re[i] == '+')) {
        ++i;  // lazy or possessive
      }
    }
    if (t.kind == Kind::kZeroWidth && t.quantified) t.kind = Kind::kOpaque;
    out->push_back(std::move(t));
  }
  return true;
}

}  // namespace

PatternEdges AnalyzePattern(const std::string& regex) {
  PatternEdges edges;
  std::vector<Token> tokens;
  if (!Tokenize(regex, &tokens)) return edges;

  // Zero-width tokens consume nothing, so they are skipped at both ends.
  size_t first = 0;
  while (first < tokens.size() && tokens[first].kind == Kind::kZeroWidth) {
    ++first;
  }
  if (first < tokens.size() && tokens[first].kind == Kind::kAtom &&
      tokens[first].min >= 1) {
    edges.first = tokens[first].set;
  }

  size_t last = tokens.size();
  while (last > 0 && tokens[last - 1].kind == Kind::kZeroWidth) --last;
  if (last == 0) return edges;
  const Token& end = tokens[last - 1];
  if (end.kind != Kind::kAtom || end.min < 1) return edges;
  edges.last = end.set;
  if (end.quantified) return edges;  // may repeat: the one before is unknown
  size_t prev = last - 1;
  while (prev > 0 && tokens[prev - 1].kind == Kind::kZeroWidth) --prev;
  if (prev > 0 && tokens[prev - 1].kind == Kind::kAtom &&
      tokens[prev - 1].min >= 1) {
    edges.before_last = tokens[prev - 1].set;
  }
  return edges;
}

}  // namespace tessera::text::internal

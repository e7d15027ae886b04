#include "text/internal/prefilter.h"

#include <cctype>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/utf8.h"

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

// The code point at re[*i] (U+FFFD for an ill-formed byte); advances *i.
uint32_t NextCodePoint(const std::string& re, size_t* i) {
  char32_t c;
  *i += DecodeUtf8(re, *i, &c);
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
    const uint32_t c = NextCodePoint(re, &j);
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
        hi = NextCodePoint(re, &j);
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
    const uint32_t ch = NextCodePoint(re, &j);
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
      t.set = CharSet(NextCodePoint(re, &i));
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

// --- The last characters of a match ----------------------------------------
//
// The pattern is parsed into a small tree (atoms, sequences, alternations,
// `^`, zero-width assertions, quantifiers), and for each node the possible
// endings of its matches are listed as sequences of character sets, last
// first, at most kTail long. A sequence shorter than kTail is "open": it is
// the node's whole match, and what comes before the node continues it.

constexpr int kTail = PatternEdges::kTail;
constexpr int kMaxEndings = 48;
const char kLineStart[] = "[\\x{A}-\\x{D}\\x{85}\\x{2028}\\x{2029}]";

struct Node {
  enum Type { kAtom, kSeq, kAlt, kLineStart, kEmpty, kUnknown } type = kEmpty;
  std::string set;  // kAtom: UnicodeSet pattern; empty: any character
  std::vector<Node> children;
  int min = 1;
  int max = 1;  // -1: unbounded
};

struct Ending {
  std::vector<std::string> sets;  // last first; "" is any character
  bool open = true;               // the node's whole match (shorter than kTail)
  bool anchored = false;          // open, and the match starts at `^`
};

class TreeParser {
 public:
  explicit TreeParser(const std::string& re) : re_(re) {}

  bool Parse(Node* out) {
    if (!ParseAlt(out, 0)) return false;
    return i_ == re_.size();
  }

 private:
  bool ParseAlt(Node* out, int depth) {
    if (depth > 16) return false;
    Node alt;
    alt.type = Node::kAlt;
    for (;;) {
      Node seq;
      seq.type = Node::kSeq;
      if (!ParseSeq(&seq, depth)) return false;
      alt.children.push_back(std::move(seq));
      if (i_ < re_.size() && re_[i_] == '|') {
        ++i_;
        continue;
      }
      break;
    }
    *out =
        alt.children.size() == 1 ? std::move(alt.children[0]) : std::move(alt);
    return true;
  }

  bool ParseSeq(Node* seq, int depth) {
    while (i_ < re_.size() && re_[i_] != '|' && re_[i_] != ')') {
      Node item;
      const char c = re_[i_];
      if (c == '(') {
        if (!ParseGroup(&item, depth)) return false;
      } else if (c == '[') {
        Token t = ReadClass(re_, &i_);
        item.type = Node::kAtom;
        item.set = t.kind == Kind::kAtom ? t.set : "";
      } else if (c == '\\') {
        Escape e = ReadEscape(re_, &i_);
        if (e.give_up) return false;
        if (e.kind == Kind::kAtom) {
          item.type = Node::kAtom;
          item.set = e.set;
        } else if (e.kind == Kind::kZeroWidth) {
          item.type = re_[i_ - 1] == 'A' ? Node::kLineStart : Node::kEmpty;
        } else {
          item.type = Node::kUnknown;
        }
      } else if (c == '^') {
        item.type = Node::kLineStart;
        ++i_;
      } else if (c == '$') {
        item.type = Node::kEmpty;
        ++i_;
      } else if (c == '.') {
        item.type = Node::kAtom;  // any character
        ++i_;
      } else if (c == '?' || c == '*' || c == '+' || c == '{') {
        return false;
      } else {
        item.type = Node::kAtom;
        item.set = CharSet(NextCodePoint(re_, &i_));
      }
      if (!ParseQuantifier(&item)) return false;
      seq->children.push_back(std::move(item));
    }
    return true;
  }

  bool ParseGroup(Node* out, int depth) {
    ++i_;  // '('
    bool zero_width = false;
    if (i_ < re_.size() && re_[i_] == '?') {
      const std::string_view rest = std::string_view(re_).substr(i_ + 1);
      if (!rest.empty() && rest[0] == ':') {
        i_ += 2;
      } else if (!rest.empty() && (rest[0] == '=' || rest[0] == '!')) {
        i_ += 2;
        zero_width = true;
      } else if (rest.size() > 1 && rest[0] == '<' &&
                 (rest[1] == '=' || rest[1] == '!')) {
        i_ += 3;
        zero_width = true;
      } else if (!rest.empty() && rest[0] == '>') {
        i_ += 2;
      } else {
        // Flags for the group, "(?i:": what it matches is unknown here.
        size_t k = 0;
        while (k < rest.size() &&
               (std::isalpha(static_cast<unsigned char>(rest[k])) ||
                rest[k] == '-')) {
          ++k;
        }
        if (k == 0 || k >= rest.size() || rest[k] != ':') return false;
        i_ += k + 2;
        Node inner;
        if (!ParseAlt(&inner, depth + 1)) return false;
        if (i_ >= re_.size() || re_[i_] != ')') return false;
        ++i_;
        out->type = Node::kUnknown;
        return true;
      }
    }
    Node inner;
    if (!ParseAlt(&inner, depth + 1)) return false;
    if (i_ >= re_.size() || re_[i_] != ')') return false;
    ++i_;
    if (zero_width) {
      out->type = Node::kEmpty;
    } else {
      *out = std::move(inner);
      // A quantifier applies to the group as a whole.
      if (out->min != 1 || out->max != 1) {
        Node wrap;
        wrap.type = Node::kSeq;
        wrap.children.push_back(std::move(*out));
        *out = std::move(wrap);
      }
    }
    return true;
  }

  bool ParseQuantifier(Node* item) {
    if (i_ >= re_.size()) return true;
    const char q = re_[i_];
    int min = 1, max = 1;
    if (q == '?' || q == '*' || q == '+') {
      min = q == '+' ? 1 : 0;
      max = q == '?' ? 1 : -1;
      ++i_;
    } else if (q == '{') {
      const size_t close = re_.find('}', i_);
      if (close == std::string::npos) return false;
      const std::string body = re_.substr(i_ + 1, close - i_ - 1);
      const size_t comma = body.find(',');
      auto number = [](const std::string& d, int* v) {
        if (d.empty() || d.size() > 4) return false;
        *v = 0;
        for (char ch : d) {
          if (ch < '0' || ch > '9') return false;
          *v = *v * 10 + (ch - '0');
        }
        return true;
      };
      if (comma == std::string::npos) {
        if (!number(body, &min)) return false;
        max = min;
      } else {
        if (!number(body.substr(0, comma), &min)) return false;
        const std::string hi = body.substr(comma + 1);
        if (hi.empty()) {
          max = -1;
        } else if (!number(hi, &max) || max < min) {
          return false;
        }
      }
      i_ = close + 1;
    } else {
      return true;
    }
    if (i_ < re_.size() && (re_[i_] == '?' || re_[i_] == '+')) ++i_;
    if (item->type == Node::kLineStart || item->type == Node::kEmpty) {
      item->type = Node::kEmpty;  // a quantified assertion: nothing certain
      return true;
    }
    if (item->min != 1 || item->max != 1) {
      Node wrap;
      wrap.type = Node::kSeq;
      wrap.children.push_back(std::move(*item));
      *item = std::move(wrap);
    }
    item->min = min;
    item->max = max;
    return true;
  }

  const std::string& re_;
  size_t i_ = 0;
};

std::string Union(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return "";  // any character
  if (a.find(b) != std::string::npos) return a;
  if (b.find(a) != std::string::npos) return b;
  return absl::StrCat("[", a, b, "]");
}

// Collapses many endings into one, position by position.
std::vector<Ending> Merge(const std::vector<Ending>& endings) {
  Ending merged;
  merged.open = false;
  for (int k = 0; k < kTail; ++k) {
    std::string set;
    bool first = true;
    for (const Ending& e : endings) {
      std::string here;
      if (k < static_cast<int>(e.sets.size())) {
        here = e.sets[k];
      } else if (e.anchored && k == static_cast<int>(e.sets.size())) {
        here = kLineStart;
      } else {
        here = "";
      }
      set = first ? here : Union(set, here);
      first = false;
    }
    merged.sets.push_back(set);
  }
  return {merged};
}

std::vector<Ending> Endings(const Node& node);

// The endings of `node` repeated exactly `times` times.
std::vector<Ending> Repeated(const Node& node, int times);

// `before` then `after`: the endings of the concatenation.
std::vector<Ending> Concat(const std::vector<Ending>& before,
                           const std::vector<Ending>& after) {
  std::vector<Ending> out;
  for (const Ending& b : after) {
    if (!b.open || b.anchored) {
      out.push_back(b);
      continue;
    }
    for (const Ending& a : before) {
      Ending e;
      e.sets = b.sets;
      for (const std::string& s : a.sets) {
        if (static_cast<int>(e.sets.size()) == kTail) break;
        e.sets.push_back(s);
      }
      e.open = a.open && static_cast<int>(e.sets.size()) < kTail;
      e.anchored = e.open && a.anchored;
      out.push_back(std::move(e));
    }
  }
  if (out.size() > kMaxEndings) return Merge(out);
  return out;
}

std::vector<Ending> Once(const Node& node) {
  switch (node.type) {
    case Node::kAtom: {
      Ending e;
      e.sets.push_back(node.set);
      e.open = kTail > 1;
      return {e};
    }
    case Node::kLineStart: {
      Ending e;
      e.anchored = true;
      return {e};
    }
    case Node::kEmpty:
      return {Ending()};
    case Node::kUnknown: {
      Ending e;
      e.sets.assign(kTail, "");
      e.open = false;
      return {e};
    }
    case Node::kSeq: {
      std::vector<Ending> out = {Ending()};
      for (const Node& child : node.children) out = Concat(out, Endings(child));
      return out;
    }
    case Node::kAlt: {
      std::vector<Ending> out;
      for (const Node& child : node.children) {
        for (Ending& e : Endings(child)) out.push_back(std::move(e));
      }
      if (out.size() > kMaxEndings) return Merge(out);
      return out;
    }
  }
  return {};
}

std::vector<Ending> Repeated(const Node& node, int times) {
  std::vector<Ending> out = {Ending()};
  const std::vector<Ending> once = Once(node);
  for (int r = 0; r < times; ++r) out = Concat(out, once);
  return out;
}

std::vector<Ending> Endings(const Node& node) {
  if (node.min == 1 && node.max == 1) return Once(node);
  // The ending depends on the last kTail repetitions only; any count above
  // kTail is covered by kTail repetitions after something unknown.
  Ending unknown;
  unknown.sets.assign(kTail, "");
  unknown.open = false;
  const int hi = node.max < 0 ? kTail + 1 : std::min(node.max, kTail + 1);
  std::vector<Ending> out;
  for (int r = std::min(node.min, kTail + 1); r <= hi; ++r) {
    std::vector<Ending> part = r <= kTail
                                   ? Repeated(node, r)
                                   : Concat({unknown}, Repeated(node, kTail));
    for (Ending& e : part) out.push_back(std::move(e));
  }
  if (out.size() > kMaxEndings) return Merge(out);
  return out;
}

void AnalyzeTail(const std::string& regex, PatternEdges* edges) {
  Node root;
  TreeParser parser(regex);
  if (!parser.Parse(&root)) return;
  const std::vector<Ending> endings = Endings(root);
  if (endings.empty()) return;
  for (int k = 0; k < kTail; ++k) {
    std::string set;
    bool at_start = false;
    bool first = true;
    for (const Ending& e : endings) {
      std::string here;
      if (k < static_cast<int>(e.sets.size())) {
        here = e.sets[k];
      } else if (e.anchored && k == static_cast<int>(e.sets.size())) {
        here = kLineStart;
        at_start = true;
      } else {
        here = "";
        at_start = true;
      }
      set = first ? here : Union(set, here);
      first = false;
    }
    edges->tail[k] = set;
    edges->tail_at_start[k] = at_start;
  }
}

}  // namespace

PatternEdges AnalyzePattern(const std::string& regex) {
  PatternEdges edges;
  AnalyzeTail(regex, &edges);
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
  if (first < tokens.size() && tokens[first].kind == Kind::kAtom) {
    size_t next = first + 1;
    while (next < tokens.size() && tokens[next].kind == Kind::kZeroWidth) {
      ++next;
    }
    if (next < tokens.size() && tokens[next].kind == Kind::kAtom &&
        tokens[next].min >= 1) {
      edges.lead = tokens[first].set;
      edges.lead_min = tokens[first].min;
      edges.after_lead = tokens[next].set;
    }
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

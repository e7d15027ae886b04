#include "formats/markdown.h"

// cmark-gfm's node.h exposes cmark_node::content: the raw inline text of a
// paragraph, heading or table cell exactly as the inline parser read it
// (container prefixes and continuation indentation removed, reference
// definitions taken out, table pipes unescaped). Inline source positions in
// cmark-gfm 0.29 are unreliable after the first line of a block, so the
// importer maps that text back to the source bytes line by line and then
// walks the inline tree with a cursor over it.
#include <cmark-gfm.h>
#include <cmark-gfm/node.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/internal/builder.h"
#include "formats/internal/cmark.h"
#include "formats/internal/utf8.h"

namespace tessera::formats {
namespace {

using internal::IsAsciiPunct;
using internal::TextBlock;
using internal::Token;

// One source line: [begin, end) is its text, without the line ending
// ("\n", "\r\n" or "\r", the ones cmark knows).
struct SourceLine {
  size_t begin;
  size_t end;
};

std::vector<SourceLine> SplitLines(std::string_view s) {
  std::vector<SourceLine> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = pos;
    while (end < s.size() && s[end] != '\n' && s[end] != '\r') ++end;
    lines.push_back(SourceLine{pos, end});
    pos = end;
    if (pos < s.size()) {
      pos +=
          (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
    }
  }
  return lines;
}

bool IsCmarkSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

std::string_view RStrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsCmarkSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsCmarkSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Maps offsets in a block's inline text (as cmark read it) to source
// offsets. Spans are contiguous in both spaces: verbatim runs (same bytes),
// gaps (trailing spaces and a line ending in the text; trailing spaces, the
// line ending, the next line's container prefix and indentation in the
// source) and unescaped table pipes ("|" for "\|").
class ContentMap {
 public:
  enum class Kind { kVerbatim, kGap, kPipe };
  struct Span {
    size_t c_begin, c_end, s_begin, s_end;
    Kind kind;
  };

  void Add(Kind kind, size_t c_begin, size_t c_end, size_t s_begin,
           size_t s_end) {
    if (c_end == c_begin && s_end == s_begin) return;
    spans_.push_back(Span{c_begin, c_end, s_begin, s_end, kind});
  }

  // Source offset where text byte `c` starts.
  size_t SourceBegin(size_t c) const {
    const Span* s = Find(c, /*at_end=*/false);
    if (s == nullptr) return spans_.empty() ? 0 : spans_.back().s_end;
    return std::min(s->s_begin + (c - s->c_begin), s->s_end);
  }
  // Source offset where text ending before byte `c` ends.
  size_t SourceEnd(size_t c) const {
    const Span* s = Find(c, /*at_end=*/true);
    if (s == nullptr) return spans_.empty() ? 0 : spans_.front().s_begin;
    if (c == s->c_end) return s->s_end;
    return std::min(s->s_begin + (c - s->c_begin), s->s_end);
  }

  const std::vector<Span>& spans() const { return spans_; }

  // The span holding text byte `c` (at_end: holding byte c - 1).
  const Span* Find(size_t c, bool at_end) const {
    auto it = std::upper_bound(spans_.begin(), spans_.end(), c,
                               [&](size_t v, const Span& s) {
                                 return v < s.c_begin + (at_end ? 1 : 0);
                               });
    if (it == spans_.begin()) return nullptr;
    --it;
    if (at_end ? (c > it->c_begin && c <= it->c_end)
               : (c >= it->c_begin && c < it->c_end)) {
      return &*it;
    }
    return nullptr;
  }

 private:
  std::vector<Span> spans_;
};

// Walks the inline tree of one block with a cursor over its text, emitting
// text and code tokens with exact source ranges.
class InlineTokenizer {
 public:
  InlineTokenizer(std::string_view source, std::string_view text,
                  const ContentMap& map, std::vector<Token>* out)
      : source_(source), c_(text), map_(map), out_(out) {}

  absl::Status Run(cmark_node* block) {
    cmark_iter* it = cmark_iter_new(block);
    absl::Status status;
    cmark_event_type ev;
    while (status.ok() && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node* node = cmark_iter_get_node(it);
      if (node == block) continue;
      status = ev == CMARK_EVENT_ENTER ? Enter(node, it) : Exit(node);
    }
    cmark_iter_free(it);
    RETURN_IF_ERROR(status);
    if (pos_ != c_.size()) return Error("text left after the last inline");
    return absl::OkStatus();
  }

 private:
  struct Open {
    int pair;
    CodeType type;
    size_t length;      // delimiter length (emphasis, strikethrough)
    char delimiter;     // '*', '_', '~', or ']' for links and images
    size_t text_start;  // text offset where a link's text starts
  };

  absl::Status Error(std::string_view what) const {
    return absl::InternalError(absl::StrCat(
        "markdown import: ", internal::Sv(what), " at source byte ",
        map_.SourceBegin(std::min(pos_, c_.size())), " (text offset ", pos_,
        ")"));
  }

  bool At(size_t i, char ch) const { return i < c_.size() && c_[i] == ch; }

  absl::Status Enter(cmark_node* node, cmark_iter* it) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_TEXT:
        return MatchText(cmark_node_get_literal(node), /*emit=*/true);
      case CMARK_NODE_SOFTBREAK:
        return Break(CodeType::kSoftBreak);
      case CMARK_NODE_LINEBREAK:
        return Break(CodeType::kLineBreak);
      case CMARK_NODE_CODE:
        return CodeSpan(node);
      case CMARK_NODE_HTML_INLINE:
        return Html(node);
      case CMARK_NODE_FOOTNOTE_REFERENCE:
        return FootnoteRef();
      case CMARK_NODE_EMPH:
        return OpenDelimited(CodeType::kEmphasis, 1);
      case CMARK_NODE_STRONG:
        return OpenDelimited(CodeType::kStrong, 2);
      case CMARK_NODE_LINK:
      case CMARK_NODE_IMAGE:
        return OpenLink(node, it);
      default:
        if (internal::IsStrikethrough(node)) {
          size_t n = 0;
          while (At(pos_ + n, '~')) ++n;
          if (n == 0) return Error("strikethrough without '~'");
          return OpenDelimited(CodeType::kStrikethrough, n);
        }
        return Error(absl::StrCat("unsupported inline node ",
                                  cmark_node_get_type_string(node)));
    }
  }

  absl::Status Exit(cmark_node* node) {
    const cmark_node_type type = cmark_node_get_type(node);
    const bool delimited = type == CMARK_NODE_EMPH ||
                           type == CMARK_NODE_STRONG ||
                           internal::IsStrikethrough(node);
    const bool link = type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE;
    if (!delimited && !link) return absl::OkStatus();
    if (open_.empty()) return Error("inline closes what never opened");
    const Open open = open_.back();
    open_.pop_back();
    if (delimited) {
      for (size_t i = 0; i < open.length; ++i) {
        if (!At(pos_ + i, open.delimiter)) {
          return Error("closing delimiter not found");
        }
      }
      EmitCode(pos_, pos_ + open.length, CodeKind::kClose, open.type,
               open.pair);
      pos_ += open.length;
      return absl::OkStatus();
    }
    if (!At(pos_, ']')) return Error("link text not closed by ']'");
    bool label_is_text;
    const size_t end = LinkTail(pos_, &label_is_text);
    // A shortcut or collapsed reference ("[foo]", "[foo][]") finds its
    // target through its text; the close code keeps that label so a
    // translated text can be rendered as a full reference "[…][foo]".
    std::string label;
    if (label_is_text) {
      const size_t from = map_.SourceEnd(open.text_start);
      const size_t to = map_.SourceBegin(pos_);
      if (to >= from) label.assign(source_.substr(from, to - from));
    }
    EmitCode(pos_, end, CodeKind::kClose, open.type, open.pair,
             std::move(label));
    pos_ = end;
    return absl::OkStatus();
  }

  absl::Status OpenDelimited(CodeType type, size_t length) {
    const char delimiter = pos_ < c_.size() ? c_[pos_] : '\0';
    if (type != CodeType::kStrikethrough && delimiter != '*' &&
        delimiter != '_') {
      return Error("emphasis without '*' or '_'");
    }
    for (size_t i = 0; i < length; ++i) {
      if (!At(pos_ + i, delimiter)) return Error("short emphasis delimiter");
    }
    const int pair = next_pair_++;
    EmitCode(pos_, pos_ + length, CodeKind::kOpen, type, pair);
    pos_ += length;
    open_.push_back(Open{pair, type, length, delimiter, 0});
    return absl::OkStatus();
  }

  absl::Status OpenLink(cmark_node* node, cmark_iter* it) {
    const bool image = cmark_node_get_type(node) == CMARK_NODE_IMAGE;
    if (!image && At(pos_, '<')) {
      // <https://…> or <a@b.c>: one standalone code, children skipped.
      const size_t gt = c_.find('>', pos_);
      if (gt == std::string_view::npos) return Error("autolink without '>'");
      EmitCode(pos_, gt + 1, CodeKind::kStandalone, CodeType::kAutolink, -1,
               std::string(c_.substr(pos_ + 1, gt - pos_ - 1)));
      pos_ = gt + 1;
      cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
      return absl::OkStatus();
    }
    if (!image && !At(pos_, '[')) {
      // A GFM extended autolink (www.…, https://…, an e-mail address) has
      // no brackets: its bytes are its text.
      std::string text;
      cmark_iter* sub = cmark_iter_new(node);
      cmark_event_type ev;
      while ((ev = cmark_iter_next(sub)) != CMARK_EVENT_DONE) {
        cmark_node* child = cmark_iter_get_node(sub);
        if (ev == CMARK_EVENT_ENTER &&
            cmark_node_get_type(child) == CMARK_NODE_TEXT) {
          text.append(cmark_node_get_literal(child));
        }
      }
      cmark_iter_free(sub);
      const size_t start = pos_;
      RETURN_IF_ERROR(MatchText(text, /*emit=*/false));
      EmitCode(start, pos_, CodeKind::kStandalone, CodeType::kAutolink, -1,
               text);
      cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
      return absl::OkStatus();
    }
    const size_t length = image ? 2 : 1;
    if (image && !(At(pos_, '!') && At(pos_ + 1, '['))) {
      return Error("image without '!['");
    }
    const CodeType type = image ? CodeType::kImage : CodeType::kLink;
    const int pair = next_pair_++;
    EmitCode(pos_, pos_ + length, CodeKind::kOpen, type, pair);
    pos_ += length;
    open_.push_back(Open{pair, type, 0, ']', pos_});
    return absl::OkStatus();
  }

  // Where a link or image that closes at `p` (a ']') ends, following
  // cmark's handle_close_bracket: an inline "(destination title)", else a
  // "[label]" (full or collapsed reference), else nothing (shortcut).
  size_t LinkTail(size_t p, bool* label_is_text) const {
    *label_is_text = false;
    const size_t after = p + 1;
    if (At(after, '(')) {
      const size_t url_start = SkipSpaceChars(after + 1);
      const std::optional<size_t> url_end = ScanLinkUrl(url_start);
      if (url_end.has_value()) {
        const size_t start_title = SkipSpaceChars(*url_end);
        const size_t end_title = start_title == *url_end
                                     ? start_title
                                     : start_title + ScanLinkTitle(start_title);
        const size_t end_all = SkipSpaceChars(end_title);
        if (At(end_all, ')')) return end_all + 1;
      }
    }
    if (At(after, '[')) {
      const std::optional<size_t> label_end = ScanLinkLabel(after);
      if (label_end.has_value()) {
        // "[]" (or "[ ]") makes a collapsed reference.
        *label_is_text =
            Trim(c_.substr(after + 1, *label_end - after - 2)).empty();
        return *label_end;
      }
    }
    *label_is_text = true;
    return after;
  }

  size_t SkipSpaceChars(size_t i) const {
    while (i < c_.size() && IsCmarkSpace(c_[i])) ++i;
    return i;
  }

  std::optional<size_t> ScanLinkUrl(size_t offset) const {
    size_t i = offset;
    if (At(i, '<')) {
      ++i;
      while (i < c_.size()) {
        if (c_[i] == '>') {
          ++i;
          break;
        } else if (c_[i] == '\\') {
          i += 2;
        } else if (c_[i] == '\n' || c_[i] == '<') {
          return std::nullopt;
        } else {
          ++i;
        }
      }
      if (i >= c_.size()) return std::nullopt;
      return i;
    }
    int parens = 0;
    while (i < c_.size()) {
      if (c_[i] == '\\' && i + 1 < c_.size() && IsAsciiPunct(c_[i + 1])) {
        i += 2;
      } else if (c_[i] == '(') {
        ++parens;
        ++i;
        if (parens > 32) return std::nullopt;
      } else if (c_[i] == ')') {
        if (parens == 0) break;
        --parens;
        ++i;
      } else if (IsCmarkSpace(c_[i])) {
        if (i == offset) return std::nullopt;
        break;
      } else {
        ++i;
      }
    }
    if (i >= c_.size()) return std::nullopt;
    return i;
  }

  // Length of a link title at `i`, or 0.
  size_t ScanLinkTitle(size_t i) const {
    if (i >= c_.size()) return 0;
    const char open = c_[i];
    if (open != '"' && open != '\'' && open != '(') return 0;
    const char close = open == '(' ? ')' : open;
    size_t j = i + 1;
    while (j < c_.size()) {
      if (c_[j] == '\\' && j + 1 < c_.size() && IsAsciiPunct(c_[j + 1])) {
        j += 2;
      } else if (c_[j] == close) {
        return j + 1 - i;
      } else if (open == '(' && c_[j] == '(') {
        return 0;
      } else {
        ++j;
      }
    }
    return 0;
  }

  std::optional<size_t> ScanLinkLabel(size_t i) const {
    size_t j = i + 1;
    size_t length = 0;
    while (j < c_.size() && c_[j] != '[' && c_[j] != ']') {
      if (c_[j] == '\\') {
        ++j;
        ++length;
        if (j < c_.size() && IsAsciiPunct(c_[j])) {
          ++j;
          ++length;
        }
      } else {
        ++j;
        ++length;
      }
      if (length > 999) return std::nullopt;
    }
    if (At(j, ']')) return j + 1;
    return std::nullopt;
  }

  absl::Status Break(CodeType type) {
    const size_t start = pos_;
    if (type == CodeType::kLineBreak && At(pos_, '\\')) {
      ++pos_;
    } else {
      while (pos_ < c_.size() && c_[pos_] != '\n' && IsCmarkSpace(c_[pos_])) {
        ++pos_;
      }
    }
    if (!At(pos_, '\n')) return Error("line break not at a line ending");
    ++pos_;
    // After a line ending (not after "\\\n") the inline parser skips the
    // next line's indentation, which a lazy continuation line keeps in the
    // block text.
    if (c_[start] != '\\') {
      while (At(pos_, ' ') || At(pos_, '\t')) ++pos_;
    }
    EmitCode(start, pos_, CodeKind::kStandalone, type, -1, "\n");
    return absl::OkStatus();
  }

  absl::Status CodeSpan(cmark_node* node) {
    size_t n = 0;
    while (At(pos_ + n, '`')) ++n;
    if (n == 0) return Error("code span without '`'");
    size_t close = std::string_view::npos;
    for (size_t j = pos_ + n; j < c_.size();) {
      const size_t k = c_.find('`', j);
      if (k == std::string_view::npos) break;
      size_t m = 0;
      while (At(k + m, '`')) ++m;
      if (m == n) {
        close = k;
        break;
      }
      j = k + m;
    }
    if (close == std::string_view::npos) return Error("code span not closed");
    std::string inner(c_.substr(pos_ + n, close - pos_ - n));
    std::replace(inner.begin(), inner.end(), '\n', ' ');
    const bool strip = inner.size() >= 2 && inner.front() == ' ' &&
                       inner.back() == ' ' &&
                       inner.find_first_not_of(' ') != std::string::npos;
    const std::string_view literal = cmark_node_get_literal(node);
    if ((strip ? std::string_view(inner).substr(1, inner.size() - 2)
               : std::string_view(inner)) != literal) {
      return Error("code span text does not match");
    }
    // A stripped space belongs with its backticks: it is markup.
    const size_t s = strip ? 1 : 0;
    const int pair = next_pair_++;
    EmitCode(pos_, pos_ + n + s, CodeKind::kOpen, CodeType::kCodeSpan, pair);
    EmitText(pos_ + n + s, close - s);
    EmitCode(close - s, close + n, CodeKind::kClose, CodeType::kCodeSpan, pair);
    pos_ = close + n;
    return absl::OkStatus();
  }

  absl::Status Html(cmark_node* node) {
    const std::string_view literal = cmark_node_get_literal(node);
    if (c_.substr(pos_, literal.size()) != literal) {
      return Error("inline HTML does not match");
    }
    EmitCode(pos_, pos_ + literal.size(), CodeKind::kStandalone,
             CodeType::kHtml, -1);
    pos_ += literal.size();
    return absl::OkStatus();
  }

  absl::Status FootnoteRef() {
    if (!At(pos_, '[') || !At(pos_ + 1, '^')) {
      return Error("footnote reference without '[^'");
    }
    size_t j = pos_ + 2;
    while (j < c_.size() && c_[j] != ']') {
      j += (c_[j] == '\\' && j + 1 < c_.size() && IsAsciiPunct(c_[j + 1])) ? 2
                                                                           : 1;
    }
    if (!At(j, ']')) return Error("footnote reference not closed");
    EmitCode(pos_, j + 1, CodeKind::kStandalone, CodeType::kFootnoteRef, -1);
    pos_ = j + 1;
    return absl::OkStatus();
  }

  // One way the text spells part of a text node's literal.
  enum class StepKind { kRaw, kEscape, kEntity };
  struct Step {
    StepKind kind;
    size_t text_len;     // bytes of text consumed
    size_t literal_len;  // bytes of literal produced
  };

  // Finds how c_[pos_…] spells `literal`: runs of identical bytes,
  // backslash escapes and character references. Escapes and references are
  // tried first, as cmark reads them, with backtracking for the literals
  // that keep them raw (a GFM "www." autolink keeps "&amp;" as written).
  // Iterative, and each (text, literal) position is explored once.
  std::optional<std::vector<Step>> PlanText(std::string_view literal) const {
    struct Frame {
      size_t pos, l;
      Step options[3];
      int count = 0;
      int next = 0;
    };
    std::string decoded;
    const auto frame_at = [&](size_t pos, size_t l) {
      Frame f{pos, l, {}, 0, 0};
      if (l >= literal.size() || pos >= c_.size()) return f;
      if (c_[pos] == '\\' && pos + 1 < c_.size() && IsAsciiPunct(c_[pos + 1]) &&
          literal[l] == c_[pos + 1]) {
        f.options[f.count++] = Step{StepKind::kEscape, 2, 1};
      }
      if (c_[pos] == '&') {
        const size_t n = internal::EntityLength(c_, pos, &decoded);
        if (n > 0 && literal.substr(l, decoded.size()) == decoded) {
          f.options[f.count++] = Step{StepKind::kEntity, n, decoded.size()};
        }
      }
      size_t k = 0;
      while (pos + k < c_.size() && l + k < literal.size() &&
             c_[pos + k] == literal[l + k] &&
             (k == 0 || (c_[pos + k] != '\\' && c_[pos + k] != '&'))) {
        ++k;
      }
      if (k > 0) f.options[f.count++] = Step{StepKind::kRaw, k, k};
      return f;
    };
    std::vector<Frame> stack;
    std::set<std::pair<size_t, size_t>> dead;
    stack.push_back(frame_at(pos_, 0));
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.l == literal.size()) {
        std::vector<Step> steps;
        steps.reserve(stack.size());
        for (size_t i = 0; i + 1 < stack.size(); ++i) {
          steps.push_back(stack[i].options[stack[i].next - 1]);
        }
        return steps;
      }
      if (f.next >= f.count) {
        dead.emplace(f.pos, f.l);
        stack.pop_back();
        continue;
      }
      const Step step = f.options[f.next++];
      const size_t pos = f.pos + step.text_len;
      const size_t l = f.l + step.literal_len;
      if (dead.count({pos, l}) != 0) continue;
      stack.push_back(frame_at(pos, l));
    }
    return std::nullopt;
  }

  // Consumes the source of a text node whose literal is `literal`. Backslash
  // escapes and character references become standalone codes (when
  // `emit`), the rest text.
  absl::Status MatchText(std::string_view literal, bool emit) {
    const std::optional<std::vector<Step>> steps = PlanText(literal);
    if (!steps.has_value()) return Error("text does not match the parse");
    size_t l = 0;
    size_t run = pos_;
    for (const Step& step : *steps) {
      if (step.kind != StepKind::kRaw && emit) {
        if (pos_ > run) EmitText(run, pos_);
        EmitCode(pos_, pos_ + step.text_len, CodeKind::kStandalone,
                 step.kind == StepKind::kEscape ? CodeType::kEscape
                                                : CodeType::kEntity,
                 -1, std::string(literal.substr(l, step.literal_len)));
      }
      pos_ += step.text_len;
      l += step.literal_len;
      if (step.kind != StepKind::kRaw) run = pos_;
    }
    if (emit && pos_ > run) EmitText(run, pos_);
    return absl::OkStatus();
  }

  void Push(Token token) {
    if (!token.is_code && !out_->empty() && !out_->back().is_code &&
        out_->back().end == token.begin) {
      out_->back().end = token.end;
      return;
    }
    out_->push_back(std::move(token));
  }

  // Text [c0, c1), split where the map says the source differs: a line
  // ending (inside a code span) becomes a soft-break code, an unescaped
  // table pipe an escape code.
  void EmitText(size_t c0, size_t c1) {
    size_t c = c0;
    while (c < c1) {
      const ContentMap::Span* span = map_.Find(c, /*at_end=*/false);
      const size_t e = span == nullptr ? c1 : std::min(c1, span->c_end);
      Token t;
      t.begin = map_.SourceBegin(c);
      t.end = map_.SourceEnd(e);
      if (span != nullptr && span->kind != ContentMap::Kind::kVerbatim) {
        t.is_code = true;
        t.kind = CodeKind::kStandalone;
        if (span->kind == ContentMap::Kind::kGap) {
          t.type = CodeType::kSoftBreak;
          t.equiv = "\n";
        } else {
          t.type = CodeType::kEscape;
          t.equiv = "|";
        }
      }
      Push(std::move(t));
      c = e;
    }
  }

  void EmitCode(size_t c0, size_t c1, CodeKind kind, CodeType type, int pair,
                std::string equiv = {}) {
    Token t;
    t.is_code = true;
    t.begin = map_.SourceBegin(c0);
    t.end = map_.SourceEnd(c1);
    t.kind = kind;
    t.type = type;
    t.pair = pair;
    t.equiv = std::move(equiv);
    Push(std::move(t));
  }

  std::string_view source_;
  std::string_view c_;
  const ContentMap& map_;
  std::vector<Token>* out_;
  size_t pos_ = 0;
  int next_pair_ = 0;
  std::vector<Open> open_;
};

class MarkdownImporter {
 public:
  explicit MarkdownImporter(std::string_view source)
      : source_(source), lines_(SplitLines(source)) {}

  absl::StatusOr<Document> Run(const ImportOptions& options) {
    internal::ParsedMarkdown parsed(source_);
    cmark_iter* it = cmark_iter_new(parsed.root());
    std::vector<BlockKind> containers;
    absl::Status status;
    cmark_event_type ev;
    while (status.ok() && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node* node = cmark_iter_get_node(it);
      const cmark_node_type type = cmark_node_get_type(node);
      if (type == CMARK_NODE_BLOCK_QUOTE || type == CMARK_NODE_ITEM ||
          type == CMARK_NODE_FOOTNOTE_DEFINITION) {
        if (ev == CMARK_EVENT_ENTER) {
          containers.push_back(
              type == CMARK_NODE_BLOCK_QUOTE ? BlockKind::kBlockQuote
              : type == CMARK_NODE_ITEM      ? BlockKind::kListItem
                                             : BlockKind::kFootnoteDefinition);
        } else {
          containers.pop_back();
        }
        continue;
      }
      if (ev != CMARK_EVENT_ENTER) continue;
      if (type == CMARK_NODE_HTML_BLOCK) {
        NoteMarker(node);
      } else if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ||
                 internal::IsTableCell(node)) {
        status = TextBlockOf(node, containers);
        cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
      }
    }
    cmark_iter_free(it);
    RETURN_IF_ERROR(status);
    ApplyMarkers();
    return internal::BuildDocument(Format::kMarkdown, source_,
                                   std::move(blocks_), options);
  }

 private:
  absl::Status TextBlockOf(cmark_node* node,
                           const std::vector<BlockKind>& containers) {
    if (cmark_node_first_child(node) == nullptr) return absl::OkStatus();
    const std::string_view content(
        reinterpret_cast<const char*>(node->content.ptr),
        static_cast<size_t>(node->content.size));
    TextBlock block;
    block.context.nesting = containers;
    ContentMap map;
    const cmark_node_type type = cmark_node_get_type(node);
    if (type == CMARK_NODE_HEADING) {
      block.context.kind = BlockKind::kHeading;
      block.context.heading_level = cmark_node_get_heading_level(node);
      if (node->as.heading.setext) {
        RETURN_IF_ERROR(MapLines(content, LineIndex(node->start_line),
                                 std::nullopt, /*pipes=*/false, &map));
      } else {
        RETURN_IF_ERROR(MapAtxHeading(content, node, &map));
      }
    } else if (type == CMARK_NODE_PARAGRAPH) {
      block.context.kind =
          containers.empty() ? BlockKind::kParagraph : containers.back();
      if (node->start_line > 0) {
        RETURN_IF_ERROR(
            MapLines(content, LineIndex(node->start_line),
                     node->end_line >= node->start_line
                         ? std::optional<size_t>(LineIndex(node->end_line))
                         : std::nullopt,
                     /*pipes=*/false, &map));
      } else {
        // A paragraph cut off before a table has no position (the table
        // starts on its first line) and its pipes were unescaped.
        cmark_node* next = cmark_node_next(node);
        const size_t first = next != nullptr && next->start_line > 0
                                 ? LineIndex(next->start_line)
                                 : 0;
        RETURN_IF_ERROR(
            MapLines(content, first, std::nullopt, /*pipes=*/true, &map));
      }
    } else {
      block.context.kind = BlockKind::kTableCell;
      RETURN_IF_ERROR(MapTableCell(content, node, &map));
    }
    // The inline parser reads the text without its trailing whitespace.
    std::string_view text = content;
    while (!text.empty() && IsCmarkSpace(text.back())) text.remove_suffix(1);
    InlineTokenizer tokenizer(source_, text, map, &block.tokens);
    RETURN_IF_ERROR(tokenizer.Run(node));
    blocks_.push_back(std::move(block));
    return absl::OkStatus();
  }

  static size_t LineIndex(int cmark_line) {
    return cmark_line > 0 ? static_cast<size_t>(cmark_line - 1) : 0;
  }

  std::string_view LineText(size_t i) const {
    return source_.substr(lines_[i].begin, lines_[i].end - lines_[i].begin);
  }

  // Maps a multi-line block: each line of `content` is the end of one
  // source line (whatever precedes it is container prefix and indentation).
  // With `pipes`, "\|" in the source reads as "|": the table extension
  // unescapes the paragraph lines it cuts off before a table.
  absl::Status MapLines(std::string_view content, size_t first_hint,
                        std::optional<size_t> last_hint, bool pipes,
                        ContentMap* map) {
    std::vector<std::string_view> rows;
    for (size_t pos = 0; pos < content.size();) {
      const size_t nl = content.find('\n', pos);
      const size_t end = nl == std::string_view::npos ? content.size() : nl;
      rows.push_back(content.substr(pos, end - pos));
      pos = end + 1;
    }
    const size_t n = rows.size();
    if (n == 0) return absl::InternalError("markdown import: empty block");
    // A row is indentation (kept by lazy continuation lines, tabs possibly
    // expanded to spaces), a core that ends its source line, and trailing
    // spaces.
    const auto indent = [](std::string_view row) {
      return std::min(row.find_first_not_of(" \t"), row.size());
    };
    std::vector<size_t> starts(n);  // source offset of each row's core
    size_t first_line = 0;
    const auto fits = [&](size_t s) {
      if (s + n > lines_.size()) return false;
      for (size_t j = 0; j < n; ++j) {
        const std::optional<size_t> start =
            MatchRow(s + j, RStrip(rows[j].substr(indent(rows[j]))), pipes);
        if (!start.has_value()) return false;
        starts[j] = *start;
      }
      first_line = s;
      return true;
    };
    bool found = last_hint.has_value() && *last_hint + 1 >= n &&
                 fits(*last_hint + 1 - n);
    for (size_t s = first_hint; !found && s + n <= lines_.size(); ++s) {
      found = fits(s);
    }
    if (!found) {
      return absl::InternalError(absl::StrCat(
          "markdown import: block text not found from line ", first_hint + 1));
    }
    size_t c = 0;
    size_t c_gap = 0;  // text offset where the previous row's gap starts
    size_t s_gap = 0;  // and its source offset
    for (size_t j = 0; j < n; ++j) {
      const size_t lead = indent(rows[j]);
      const size_t core = RStrip(rows[j].substr(lead)).size();
      // The indentation: the same bytes just before the core when they are
      // there, else (a tab cut by a container) the whitespace run before it.
      size_t s_lead = starts[j];
      if (lead > 0) {
        if (starts[j] >= lead &&
            source_.substr(starts[j] - lead, lead) == rows[j].substr(0, lead)) {
          s_lead = starts[j] - lead;
        } else {
          const size_t line_begin = lines_[first_line + j].begin;
          while (s_lead > line_begin &&
                 (source_[s_lead - 1] == ' ' || source_[s_lead - 1] == '\t')) {
            --s_lead;
          }
        }
      }
      if (j > 0) {
        // Trailing spaces, the line ending, the container prefix.
        map->Add(ContentMap::Kind::kGap, c_gap, c, s_gap, s_lead);
      }
      map->Add(ContentMap::Kind::kVerbatim, c, c + lead, s_lead, starts[j]);
      c += lead;
      s_gap = MapRun(c, starts[j], core, pipes, map);
      c += core;
      c_gap = c;
      c += rows[j].size() - lead - core + 1;
    }
    return absl::OkStatus();
  }

  // Where `row` (without trailing spaces) starts at the end of line `li`,
  // or nullopt. With `pipes`, "\|" in the line reads as "|".
  std::optional<size_t> MatchRow(size_t li, std::string_view row,
                                 bool pipes) const {
    const std::string_view line = RStrip(LineText(li));
    if (!pipes) {
      if (row.size() > line.size() ||
          line.substr(line.size() - row.size()) != row) {
        return std::nullopt;
      }
      return lines_[li].begin + line.size() - row.size();
    }
    std::string unescaped;
    std::vector<size_t> at;  // source offset of each unescaped byte
    for (size_t i = 0; i < line.size(); ++i) {
      at.push_back(lines_[li].begin + i);
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') ++i;
      unescaped.push_back(line[i]);
    }
    if (row.size() > unescaped.size() ||
        unescaped.compare(unescaped.size() - row.size(), row.size(), row) !=
            0) {
      return std::nullopt;
    }
    return row.empty() ? lines_[li].begin + line.size()
                       : at[unescaped.size() - row.size()];
  }

  // Maps `len` text bytes at text offset `c` to the source from offset `s`
  // (with `pipes`, "\|" for "|"). Returns the source offset after them.
  size_t MapRun(size_t c, size_t s, size_t len, bool pipes,
                ContentMap* map) const {
    size_t run_c = c;
    size_t run_s = s;
    for (size_t k = 0; k < len; ++k) {
      if (pipes && source_[s] == '\\' && s + 1 < source_.size() &&
          source_[s + 1] == '|') {
        map->Add(ContentMap::Kind::kVerbatim, run_c, c, run_s, s);
        map->Add(ContentMap::Kind::kPipe, c, c + 1, s, s + 2);
        c += 1;
        s += 2;
        run_c = c;
        run_s = s;
      } else {
        ++c;
        ++s;
      }
    }
    map->Add(ContentMap::Kind::kVerbatim, run_c, c, run_s, s);
    return s;
  }

  absl::Status MapAtxHeading(std::string_view content, cmark_node* node,
                             ContentMap* map) {
    const size_t li = LineIndex(node->start_line);
    if (li >= lines_.size()) {
      return absl::InternalError("markdown import: heading line not found");
    }
    const std::string_view line = LineText(li);
    size_t p = node->start_column > 0
                   ? std::min(line.size(), size_t(node->start_column - 1))
                   : 0;
    p = line.find('#', p);
    if (p == std::string_view::npos) p = line.find('#');
    if (p != std::string_view::npos) {
      while (p < line.size() && line[p] == '#') ++p;
      while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
      if (line.substr(p, content.size()) != content) {
        p = line.find(content, p);
      }
    }
    if (p == std::string_view::npos) {
      return absl::InternalError(absl::StrCat(
          "markdown import: heading text not found on line ", li + 1));
    }
    const size_t s = lines_[li].begin + p;
    map->Add(ContentMap::Kind::kVerbatim, 0, content.size(), s,
             s + content.size());
    return absl::OkStatus();
  }

  // The cell text cmark reads from raw cell bytes: "\|" unescaped, then
  // trimmed.
  std::string CellText(size_t r0, size_t r1) const {
    std::string out;
    for (size_t r = r0; r < r1; ++r) {
      if (source_[r] == '\\' && r + 1 < r1 && source_[r + 1] == '|') ++r;
      out.push_back(source_[r]);
    }
    return std::string(Trim(out));
  }

  void MapCellRange(size_t r0, size_t r1, ContentMap* map) const {
    while (r0 < r1 && IsCmarkSpace(source_[r0])) ++r0;
    while (r1 > r0 && IsCmarkSpace(source_[r1 - 1])) --r1;
    size_t c = 0;
    size_t run = r0;
    for (size_t i = r0; i < r1;) {
      if (source_[i] == '\\' && i + 1 < r1 && source_[i + 1] == '|') {
        map->Add(ContentMap::Kind::kVerbatim, c, c + (i - run), run, i);
        c += i - run;
        map->Add(ContentMap::Kind::kPipe, c, c + 1, i, i + 2);
        c += 1;
        i += 2;
        run = i;
      } else {
        ++i;
      }
    }
    map->Add(ContentMap::Kind::kVerbatim, c, c + (r1 - run), run, r1);
  }

  // Byte ranges of a row line's pieces between unescaped pipes.
  std::vector<std::pair<size_t, size_t>> SplitPipes(size_t li) const {
    std::vector<std::pair<size_t, size_t>> pieces;
    size_t start = lines_[li].begin;
    for (size_t i = start; i < lines_[li].end; ++i) {
      if (source_[i] == '|' && (i == start || source_[i - 1] != '\\')) {
        pieces.emplace_back(start, i);
        start = i + 1;
      }
    }
    pieces.emplace_back(start, lines_[li].end);
    return pieces;
  }

  bool IsDelimiterRow(size_t li) const {
    const std::string_view line = LineText(li);
    return line.find('-') != std::string_view::npos &&
           line.find_first_not_of(" \t|:->") == std::string_view::npos;
  }

  // Finds the cells of `row` on source line `li`, with or without a leading
  // pipe.
  bool AlignRow(size_t li, cmark_node* row,
                std::vector<std::pair<size_t, size_t>>* cells) const {
    std::vector<std::string_view> contents;
    for (cmark_node* c = cmark_node_first_child(row); c != nullptr;
         c = cmark_node_next(c)) {
      contents.emplace_back(reinterpret_cast<const char*>(c->content.ptr),
                            static_cast<size_t>(c->content.size));
    }
    const std::vector<std::pair<size_t, size_t>> pieces = SplitPipes(li);
    for (int leading_pipe = 1; leading_pipe >= 0; --leading_pipe) {
      if (leading_pipe &&
          source_.substr(pieces[0].first, pieces[0].second - pieces[0].first)
                  .find_first_not_of(" \t>-+*.)0123456789") !=
              std::string_view::npos) {
        continue;
      }
      cells->clear();
      bool ok = true;
      for (size_t i = 0; i < contents.size() && ok; ++i) {
        const size_t pi = i + static_cast<size_t>(leading_pipe);
        if (pi >= pieces.size()) {
          ok = contents[i].empty();
          cells->emplace_back(lines_[li].end, lines_[li].end);
          continue;
        }
        std::pair<size_t, size_t> range = pieces[pi];
        if (!leading_pipe && i == 0) {
          ok = false;
          for (size_t st = range.first; st <= range.second; ++st) {
            if (CellText(st, range.second) == contents[0]) {
              range.first = st;
              ok = true;
              break;
            }
          }
        } else {
          ok = CellText(range.first, range.second) == contents[i];
        }
        cells->push_back(range);
      }
      if (ok) return true;
    }
    return false;
  }

  absl::Status MapTableCell(std::string_view content, cmark_node* cell,
                            ContentMap* map) {
    // cmark records the raw cell (between pipes) as columns of its line,
    // except for a header row that interrupts a paragraph.
    const size_t li = LineIndex(cell->start_line);
    if (cell->start_line > 0 && li < lines_.size() && cell->start_column > 0 &&
        cell->end_column >= cell->start_column - 1) {
      const size_t r0 = lines_[li].begin + size_t(cell->start_column - 1);
      const size_t r1 = lines_[li].begin + size_t(cell->end_column);
      if (r1 <= lines_[li].end && CellText(r0, r1) == content) {
        MapCellRange(r0, r1, map);
        return absl::OkStatus();
      }
    }
    cmark_node* row = cmark_node_parent(cell);
    cmark_node* table = row != nullptr ? cmark_node_parent(row) : nullptr;
    size_t index = 0;
    for (cmark_node* c = cmark_node_first_child(row); c != cell && c != nullptr;
         c = cmark_node_next(c)) {
      ++index;
    }
    // A body row is on its own line; a header row is the first line after
    // the table start that has a delimiter row below it.
    const bool header = row == cmark_node_first_child(table);
    const size_t from =
        header ? (table != nullptr ? LineIndex(table->start_line) : 0) : li;
    const size_t to = header ? lines_.size() : std::min(li + 1, lines_.size());
    for (size_t l = from; l < to; ++l) {
      if (header && (l + 1 >= lines_.size() || !IsDelimiterRow(l + 1))) {
        continue;
      }
      std::vector<std::pair<size_t, size_t>> cells;
      if (AlignRow(l, row, &cells) && index < cells.size()) {
        MapCellRange(cells[index].first, cells[index].second, map);
        return absl::OkStatus();
      }
    }
    return absl::InternalError(absl::StrCat(
        "markdown import: table cell not found near line ", cell->start_line));
  }

  void NoteMarker(cmark_node* node) {
    const char* literal = cmark_node_get_literal(node);
    if (literal == nullptr || node->start_line <= 0) return;
    const size_t li = LineIndex(node->start_line);
    if (li >= lines_.size()) return;
    if (internal::IsMarkerLine(literal, kNoTranslateBegin)) {
      markers_.emplace_back(lines_[li].begin, true);
    } else if (internal::IsMarkerLine(literal, kNoTranslateEnd)) {
      markers_.emplace_back(lines_[li].begin, false);
    }
  }

  // A block lies in a no-translate region when the last marker line
  // before it begins one.
  void ApplyMarkers() {
    std::sort(markers_.begin(), markers_.end());
    for (TextBlock& block : blocks_) {
      if (block.tokens.empty()) continue;
      const auto after =
          std::lower_bound(markers_.begin(), markers_.end(),
                           std::make_pair(block.tokens.front().begin, false));
      if (after != markers_.begin() && std::prev(after)->second) {
        block.no_translate = true;
      }
    }
  }

  std::string_view source_;
  std::vector<SourceLine> lines_;
  std::vector<TextBlock> blocks_;
  std::vector<std::pair<size_t, bool>> markers_;  // (offset, begins)
};

}  // namespace

absl::StatusOr<Document> ImportMarkdown(std::string_view utf8,
                                        const ImportOptions& options) {
  if (utf8.size() > kMaxImportBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("markdown document of ", utf8.size(),
                     " bytes exceeds the limit of ", kMaxImportBytes));
  }
  RETURN_IF_ERROR(
      internal::CheckUtf8(utf8, "markdown document", /*allow_nul=*/false));
  return MarkdownImporter(utf8).Run(options);
}

}  // namespace tessera::formats

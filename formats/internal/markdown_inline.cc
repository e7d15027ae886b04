#include "formats/internal/markdown_inline.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/internal/cmark.h"
#include "formats/internal/utf8.h"

namespace tessera::formats::internal {
namespace {

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
    if (type == CodeType::kSoftBreak) {
      // A soft line break is a space to the reader, and to word counts and
      // search: text " " standing for the line ending and the next line's
      // prefix, which identity renderings keep (Segment::source_runs).
      EmitSpace(start, pos_);
      return absl::OkStatus();
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
    if (!token.is_code && !token.has_text && !out_->empty() &&
        !out_->back().is_code && !out_->back().has_text &&
        out_->back().end == token.begin) {
      out_->back().end = token.end;
      return;
    }
    out_->push_back(std::move(token));
  }

  // Text [c0, c1) that reads as one space.
  void EmitSpace(size_t c0, size_t c1) {
    Token t;
    t.begin = map_.SourceBegin(c0);
    t.end = map_.SourceEnd(c1);
    t.has_text = true;
    t.text = " ";
    t.equiv = "\n";
    Push(std::move(t));
  }

  // Text [c0, c1), split where the map says the source differs: a line
  // ending (inside a code span, where CommonMark reads it as a space)
  // becomes a space, an unescaped table pipe an escape code.
  void EmitText(size_t c0, size_t c1) {
    size_t c = c0;
    while (c < c1) {
      const ContentMap::Span* span = map_.Find(c, /*at_end=*/false);
      const size_t e = span == nullptr ? c1 : std::min(c1, span->c_end);
      Token t;
      t.begin = map_.SourceBegin(c);
      t.end = map_.SourceEnd(e);
      if (span != nullptr && span->kind == ContentMap::Kind::kGap) {
        EmitSpace(c, e);
        c = e;
        continue;
      }
      if (span != nullptr && span->kind != ContentMap::Kind::kVerbatim) {
        t.is_code = true;
        t.kind = CodeKind::kStandalone;
        t.type = CodeType::kEscape;
        t.equiv = "|";
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

}  // namespace

absl::Status TokenizeInlines(cmark_node* block, std::string_view source,
                             std::string_view text, const ContentMap& map,
                             std::vector<Token>* out) {
  return InlineTokenizer(source, text, map, out).Run(block);
}

}  // namespace tessera::formats::internal

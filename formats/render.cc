#include "formats/render.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
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

// A content as a run of text pieces and codes. A text piece equal to a
// source text run whose bytes differ from its text (Segment::source_runs)
// carries those bytes, which the renderer writes instead of the text.
struct Piece {
  bool is_code = false;
  std::string text;
  const InlineCode* code = nullptr;
  bool has_raw = false;
  std::string raw;
};
using Pieces = std::vector<Piece>;

// The text runs of `content`, between its code offsets (codes + 1 runs).
std::vector<std::string_view> TextRuns(const Content& content) {
  std::vector<std::string_view> runs;
  size_t pos = 0;
  for (const CodeRef& ref : content.codes) {
    const size_t at = std::max(pos, std::min(ref.offset, content.text.size()));
    runs.push_back(std::string_view(content.text).substr(pos, at - pos));
    pos = at;
  }
  runs.push_back(std::string_view(content.text).substr(pos));
  return runs;
}

// Gives each text piece of `pieces` (from a content whose runs are
// `runs`) the source bytes of the source run it equals: the run at the
// same place when it matches, else the first equal one.
void AttachSourceBytes(const Segment& segment,
                       const std::vector<std::string_view>& runs,
                       const std::vector<size_t>& piece_runs, Pieces* pieces) {
  if (segment.source_runs.empty()) return;
  const std::vector<std::string_view> source = TextRuns(segment.content);
  if (source.size() != segment.source_runs.size()) return;
  for (size_t i = 0; i < pieces->size(); ++i) {
    Piece& piece = (*pieces)[i];
    if (piece.is_code) continue;
    const size_t j = piece_runs[i];
    // The run at the same place, else an equal run: one written as its
    // text if there is such, else the first.
    size_t k = source.size();
    if (j < source.size() && source[j] == runs[j]) {
      k = j;
    } else {
      for (size_t m = 0; m < source.size(); ++m) {
        if (source[m] != runs[j]) continue;
        if (segment.source_runs[m] == source[m]) {
          k = source.size();
          break;
        }
        if (k == source.size()) k = m;
      }
    }
    if (k == source.size() || segment.source_runs[k] == source[k]) continue;
    piece.has_raw = true;
    piece.raw = segment.source_runs[k];
  }
}

// `content` must have passed ValidateContent for `segment`.
Pieces ToPieces(const Segment& segment, const Content& content) {
  const auto code_for = [&](const CodeRef& ref) -> const InlineCode* {
    for (const InlineCode& code : segment.codes) {
      if (code.id == ref.id && code.kind == ref.kind) return &code;
    }
    return nullptr;
  };
  Pieces pieces;
  std::vector<size_t> piece_runs;  // the run index of each piece
  size_t pos = 0;
  for (size_t k = 0; k < content.codes.size(); ++k) {
    const CodeRef& ref = content.codes[k];
    if (ref.offset > pos) {
      pieces.push_back(
          Piece{false, content.text.substr(pos, ref.offset - pos), nullptr, false, {}});
      piece_runs.push_back(k);
      pos = ref.offset;
    }
    pieces.push_back(Piece{true, {}, code_for(ref), false, {}});
    piece_runs.push_back(k);
  }
  if (pos < content.text.size()) {
    pieces.push_back(Piece{false, content.text.substr(pos), nullptr, false, {}});
    piece_runs.push_back(content.codes.size());
  }
  AttachSourceBytes(segment, TextRuns(content), piece_runs, &pieces);
  return pieces;
}

// Changes a text piece's text, which then no longer stands for source
// bytes.
std::string& MutableText(Piece& piece) {
  piece.has_raw = false;
  piece.raw.clear();
  return piece.text;
}

bool IsOneOf(const char* set, char c) {
  return c != '\0' && std::strchr(set, c) != nullptr;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool IsEmphasisLike(const Piece& p, CodeKind kind) {
  return p.is_code && p.code->kind == kind &&
         (p.code->type == CodeType::kEmphasis ||
          p.code->type == CodeType::kStrong ||
          p.code->type == CodeType::kStrikethrough);
}

void DropEmptyText(Pieces* pieces) {
  Pieces out;
  for (Piece& p : *pieces) {
    if (!p.is_code && p.text.empty()) continue;
    if (!p.is_code && !out.empty() && !out.back().is_code) {
      Piece& last = out.back();
      if (last.has_raw || p.has_raw) {
        if (!last.has_raw) last.raw = last.text;
        last.raw += p.has_raw ? p.raw : p.text;
        last.has_raw = true;
      }
      last.text += p.text;
      continue;
    }
    out.push_back(std::move(p));
  }
  *pieces = std::move(out);
}

// Markdown reads emphasis only when its delimiters touch the text inside,
// and drops spaces at block ends and before line endings; so whitespace
// moves out of emphasis codes and off the segment's ends and line breaks.
// Source contents never have such whitespace, so identity is unaffected.
void NormalizeForMarkdown(Pieces* pieces) {
  DropEmptyText(pieces);
  Pieces& v = *pieces;
  const auto leading_space = [](const std::string& t) {
    size_t k = 0;
    while (k < t.size() && IsAsciiSpace(t[k])) ++k;
    return k;
  };
  // Right to left, so that nested opens pass the space outwards.
  for (size_t i = v.size(); i-- > 0;) {
    if (!IsEmphasisLike(v[i], CodeKind::kOpen) || i + 1 >= v.size() ||
        v[i + 1].is_code) {
      continue;
    }
    const size_t k = leading_space(v[i + 1].text);
    if (k == 0) continue;
    std::string ws = v[i + 1].text.substr(0, k);
    MutableText(v[i + 1]).erase(0, k);
    if (i > 0 && !v[i - 1].is_code) {
      MutableText(v[i - 1]) += ws;
    } else {
      v.insert(v.begin() + static_cast<ptrdiff_t>(i),
               Piece{false, std::move(ws), nullptr, false, {}});
    }
  }
  // Left to right, so that nested closes pass the space outwards.
  for (size_t i = 0; i < v.size(); ++i) {
    if (!IsEmphasisLike(v[i], CodeKind::kClose) || i == 0 || v[i - 1].is_code) {
      continue;
    }
    const std::string& before = v[i - 1].text;
    size_t k = before.size();
    while (k > 0 && IsAsciiSpace(before[k - 1])) --k;
    if (k == before.size()) continue;
    std::string ws = before.substr(k);
    MutableText(v[i - 1]).erase(k);
    if (i + 1 < v.size() && !v[i + 1].is_code) {
      MutableText(v[i + 1]).insert(0, ws);
    } else {
      v.insert(v.begin() + static_cast<ptrdiff_t>(i) + 1,
               Piece{false, std::move(ws), nullptr, false, {}});
    }
  }
  DropEmptyText(pieces);
  Pieces& p = *pieces;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].is_code) continue;
    const std::string& t = p[i].text;
    if (i == 0) {
      size_t k = 0;
      while (k < t.size() && IsAsciiSpace(t[k])) ++k;
      if (k > 0) MutableText(p[i]).erase(0, k);
    }
    // Spaces before a line ending would turn it into a hard break ("\\\n"
    // breaks are not affected).
    const bool before_break = i + 1 < p.size() && p[i + 1].is_code &&
                              internal::IsBreakType(p[i + 1].code->type) &&
                              !p[i + 1].code->data.empty() &&
                              IsAsciiSpace(p[i + 1].code->data[0]);
    if (i + 1 == p.size() || before_break) {
      size_t k = t.size();
      while (k > 0 && IsAsciiSpace(t[k - 1])) --k;
      if (k < t.size()) MutableText(p[i]).erase(k);
    }
  }
  DropEmptyText(pieces);
}

struct EscapeContext {
  bool table = false;       // in a table cell: '|' splits cells
  bool code_span = false;   // inside a code span: no escapes exist
  bool line_start = false;  // the text starts a line
  int next_char = -1;       // the byte that follows the text, if known
  bool aggressive = false;  // escape every Markdown-significant character
};

void AppendEscaped(std::string_view t, const EscapeContext& ctx,
                   std::string* out) {
  size_t first_visible = 0;
  while (first_visible < t.size() && IsAsciiSpace(t[first_visible])) {
    ++first_visible;
  }
  // "1." or "1)" at a line start would open an ordered list.
  size_t list_delimiter = std::string_view::npos;
  if (ctx.aggressive && ctx.line_start) {
    size_t j = first_visible;
    while (j < t.size() && j - first_visible < 10 && t[j] >= '0' &&
           t[j] <= '9') {
      ++j;
    }
    if (j > first_visible && j < t.size() && (t[j] == '.' || t[j] == ')')) {
      list_delimiter = j;
    }
  }
  std::string decoded;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\r' || c == '\n') {
      // A line ending in text would end the block or start another one.
      if (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n') continue;
      out->push_back(' ');
      continue;
    }
    if (ctx.table && c == '|') {
      out->append("\\|");
      continue;
    }
    if (ctx.code_span) {
      out->push_back(c);
      continue;
    }
    bool escape = false;
    if (c == '\\') {
      const int next = i + 1 < t.size() ? static_cast<unsigned char>(t[i + 1])
                                        : ctx.next_char;
      escape = ctx.aggressive ||
               (next >= 0 && (internal::IsAsciiPunct(static_cast<char>(next)) ||
                              next == '\n'));
    } else if (c == '&') {
      escape = ctx.aggressive || internal::EntityLength(t, i, &decoded) > 0;
    } else if (ctx.aggressive) {
      const bool at_line_start = ctx.line_start && i == first_visible;
      // "://" and "www." would start GFM autolinks, which run over the
      // delimiters that follow them.
      const bool autolink_start =
          (c == ':' && t.substr(i + 1, 2) == "//") ||
          (c == '.' && i >= 3 && t.substr(i - 3, 3) == "www");
      escape = IsOneOf("`*_[]<~#|", c) ||
               (at_line_start && IsOneOf(">-+=", c)) || i == list_delimiter ||
               autolink_start;
    }
    if (escape) out->push_back('\\');
    out->push_back(c);
  }
}

// A bare GFM autolink ("www.…", "https://…", an e-mail address): its end
// depends on the text that follows it.
bool IsBareAutolink(const InlineCode& code) {
  return code.type == CodeType::kAutolink && !code.data.empty() &&
         code.data[0] != '<';
}

// The address cmark-gfm gives a bare autolink, from its source bytes and
// its text.
std::string AutolinkUrl(const InlineCode& code) {
  const std::string& text = code.equiv;
  if (code.data.rfind("www.", 0) == 0) return "http://" + text;
  if (text.find("://") != std::string::npos || text.rfind("mailto:", 0) == 0 ||
      text.rfind("xmpp:", 0) == 0) {
    return text;
  }
  return "mailto:" + text;
}

// "[text](url)", which renders exactly as the bare autolink does but no
// longer depends on its neighbours.
void AppendExplicitLink(const InlineCode& code, std::string* out) {
  const std::string& text = code.equiv;
  out->push_back('[');
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Escaping the dot of "www." and the colon of "://" keeps the link text
    // from being matched as an autolink of its own.
    const bool autolink_start =
        (c == '.' && i >= 3 && text.compare(i - 3, 3, "www") == 0) ||
        (c == ':' && text.compare(i + 1, 2, "//") == 0);
    if (autolink_start || IsOneOf("\\`*_[]<>&~#|!", c)) {
      out->push_back('\\');
    }
    out->push_back(c);
  }
  out->append("](");
  for (char c : AutolinkUrl(code)) {
    // cmark decodes references in a destination before it removes
    // backslashes, so '&' must be written as a reference.
    if (c == '&') {
      out->append("&amp;");
      continue;
    }
    // "|" would end a table cell (the table extension unescapes "\|").
    if (IsOneOf("()<>\\|", c)) out->push_back('\\');
    out->push_back(c);
  }
  out->push_back(')');
}

void AppendSegment(const Segment& segment, const Pieces& pieces,
                   bool aggressive, bool explicit_autolinks, bool line_start,
                   std::string* out) {
  EscapeContext ctx;
  ctx.table = segment.context.kind == BlockKind::kTableCell;
  ctx.aggressive = aggressive;
  int code_depth = 0;
  bool at_line_start = line_start;
  std::vector<size_t> link_text_starts;
  for (size_t k = 0; k < pieces.size(); ++k) {
    const Piece& piece = pieces[k];
    if (piece.is_code) {
      const InlineCode& code = *piece.code;
      const bool link =
          code.type == CodeType::kLink || code.type == CodeType::kImage;
      if (link && code.kind == CodeKind::kOpen) {
        out->append(code.data);
        link_text_starts.push_back(out->size());
        continue;
      }
      if (link && code.kind == CodeKind::kClose && !link_text_starts.empty()) {
        const size_t start = link_text_starts.back();
        link_text_starts.pop_back();
        // A shortcut or collapsed reference whose text no longer reads as
        // its label becomes a full reference.
        if (!code.equiv.empty() &&
            std::string_view(*out).substr(start) != code.equiv) {
          absl::StrAppend(out, "][", code.equiv, "]");
          continue;
        }
      }
      if (explicit_autolinks && IsBareAutolink(code)) {
        AppendExplicitLink(code, out);
      } else {
        out->append(code.data);
      }
      if (piece.code->type == CodeType::kCodeSpan) {
        code_depth += piece.code->kind == CodeKind::kOpen ? 1 : -1;
      }
      at_line_start =
          internal::IsBreakType(piece.code->type) &&
          piece.code->data.find_first_of("\r\n") != std::string::npos;
      continue;
    }
    ctx.code_span = code_depth > 0;
    ctx.line_start = at_line_start;
    ctx.next_char = -1;
    if (k + 1 < pieces.size()) {
      const Piece& next = pieces[k + 1];
      const std::string& bytes = next.is_code ? next.code->data : next.text;
      if (!bytes.empty()) ctx.next_char = static_cast<unsigned char>(bytes[0]);
    }
    if (piece.has_raw && !aggressive) {
      // The source's own bytes: they read as the source does.
      out->append(piece.raw);
    } else {
      AppendEscaped(piece.text, ctx, out);
    }
    at_line_start = false;
  }
}

// Validates every content that differs from its segment's source content
// (a source content is the segment's own: valid by construction) and
// returns which ones differ.
absl::StatusOr<std::vector<bool>> CheckContents(
    const Document& document, const std::vector<Content>& contents) {
  if (contents.size() != document.segments.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", contents.size(), " contents for ",
                     document.segments.size(), " segments"));
  }
  std::vector<bool> changed(contents.size(), false);
  for (size_t i = 0; i < contents.size(); ++i) {
    const Segment& segment = document.segments[i];
    if (contents[i] == segment.content) continue;
    changed[i] = true;
    const absl::Status valid = ValidateContent(segment, contents[i]);
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("segment ", i, ": ", valid.message()));
    }
  }
  return changed;
}

std::string RenderPlainText(const Document& document,
                            const std::vector<Content>& contents,
                            const std::vector<bool>& changed) {
  size_t size = 0;
  for (const SkeletonPart& part : document.skeleton) {
    size += part.is_hole()
                ? contents[static_cast<size_t>(part.segment)].text.size()
                : part.literal.size();
  }
  std::string out;
  out.reserve(size + size / 8);
  for (const SkeletonPart& part : document.skeleton) {
    if (!part.is_hole()) {
      out.append(part.literal);
      continue;
    }
    const size_t i = static_cast<size_t>(part.segment);
    const Segment& segment = document.segments[i];
    for (const Piece& piece :
         ToPieces(segment, changed[i] ? contents[i] : segment.content)) {
      out.append(piece.is_code  ? piece.code->data
                 : piece.has_raw ? piece.raw
                                 : piece.text);
    }
  }
  return out;
}

internal::Analysis AnalyzeMarkdown(const std::string& markdown) {
  internal::ParsedMarkdown parsed(markdown);
  return internal::Analyze(parsed.root());
}

// What every rendering of a Markdown document shares: the source pieces,
// where segments start lines, the identity rendering and, once a
// translation needs checking, the identity's structure.
struct PreparedMarkdown {
  explicit PreparedMarkdown(const Document& d);
  const internal::Analysis& Expected() const {
    std::call_once(expected_once,
                   [this] { expected = AnalyzeMarkdown(identity); });
    return expected;
  }

  const Document* document;
  std::vector<Pieces> source;
  std::vector<bool> line_start;
  std::string identity;
  mutable std::once_flag expected_once;
  mutable internal::Analysis expected;
};

class MarkdownRenderer {
 public:
  // Segments whose content is their source content share the prepared
  // source pieces: only the changed ones are cut and normalised.
  MarkdownRenderer(const PreparedMarkdown& prepared,
                   const std::vector<Content>& contents,
                   std::vector<bool> changed)
      : prepared_(prepared),
        document_(*prepared.document),
        source_(prepared.source),
        line_start_(prepared.line_start),
        changed_(std::move(changed)) {
    const size_t n = document_.segments.size();
    target_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (!changed_[i]) continue;
      target_[i] = ToPieces(document_.segments[i], contents[i]);
      NormalizeForMarkdown(&target_[i]);
      any_changed_ = true;
    }
  }

  // The source contents as they are, for the identity.
  std::string AssembleSource() const {
    const std::vector<bool> none(document_.segments.size(), false);
    return Assemble(none, none, 0);
  }

  absl::StatusOr<std::string> Render() {
    const size_t n = document_.segments.size();
    const std::vector<bool> none(n, false);
    const std::vector<bool> all(n, true);
    const std::string& identity = prepared_.identity;
    // Every segment keeps its source content: the target is the identity.
    if (!any_changed_) return identity;
    const std::vector<bool>* passes[] = {&none, &changed_, &all};
    for (const std::vector<bool>* aggressive : passes) {
      std::string out = Assemble(*aggressive, none, n);
      // The source parses as the source: nothing to check.
      if (out == identity) return out;
      const internal::Analysis& expected = prepared_.Expected();
      internal::Analysis got = AnalyzeMarkdown(out);
      std::vector<std::pair<std::string, std::string>> lost;
      std::set_difference(expected.autolinks.begin(), expected.autolinks.end(),
                          got.autolinks.begin(), got.autolinks.end(),
                          std::back_inserter(lost));
      if (lost.empty()) {
        if (got.signature == expected.signature) return out;
        continue;
      }
      // Translated text now runs into some bare addresses (a GFM autolink
      // ends at the first space, and may swallow a delimiter on its way):
      // write the segments holding those addresses with explicit links.
      std::set<std::string> lost_texts;
      for (const auto& [text, url] : lost) lost_texts.insert(text);
      std::vector<bool> explicit_links(n, false);
      for (size_t i = 0; i < n; ++i) {
        for (const InlineCode& code : document_.segments[i].codes) {
          if (IsBareAutolink(code) && lost_texts.count(code.equiv) != 0) {
            explicit_links[i] = true;
          }
        }
      }
      out = Assemble(*aggressive, explicit_links, n);
      got = AnalyzeMarkdown(out);
      if (got.signature == expected.signature &&
          std::includes(got.autolinks.begin(), got.autolinks.end(),
                        expected.autolinks.begin(), expected.autolinks.end())) {
        return out;
      }
    }
    // Name the first segment whose translation breaks the structure: the
    // smallest k such that translating segments [0, k) fails.
    const internal::Analysis& expected = prepared_.Expected();
    size_t lo = 0;
    size_t hi = n;
    while (hi - lo > 1) {
      const size_t mid = lo + (hi - lo) / 2;
      if (AnalyzeMarkdown(Assemble(all, none, mid)).signature ==
          expected.signature) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "segment ", hi - 1,
        ": translation cannot keep the Markdown structure (check where its "
        "inline codes and line breaks sit)"));
  }

 private:
  // Renders with the target pieces of segments [0, translated) and the
  // source pieces of the rest.
  std::string Assemble(const std::vector<bool>& aggressive,
                       const std::vector<bool>& explicit_links,
                       size_t translated) const {
    std::string out;
    out.reserve(size_hint_);
    for (const SkeletonPart& part : document_.skeleton) {
      if (!part.is_hole()) {
        out.append(part.literal);
        continue;
      }
      const size_t i = static_cast<size_t>(part.segment);
      const bool target = i < translated;
      AppendSegment(document_.segments[i],
                    target && changed_[i] ? target_[i] : source_[i],
                    aggressive[i] && target, explicit_links[i] && target,
                    line_start_[i], &out);
    }
    size_hint_ = std::max(size_hint_, out.size());
    return out;
  }

  const PreparedMarkdown& prepared_;
  const Document& document_;
  const std::vector<Pieces>& source_;
  const std::vector<bool>& line_start_;
  std::vector<Pieces> target_;  // empty where the segment is unchanged
  std::vector<bool> changed_;
  bool any_changed_ = false;
  mutable size_t size_hint_ = 0;  // the largest output so far
};

PreparedMarkdown::PreparedMarkdown(const Document& d)
    : document(&d), line_start(d.segments.size(), false) {
  const size_t n = d.segments.size();
  source.reserve(n);
  for (const Segment& segment : d.segments) {
    source.push_back(ToPieces(segment, segment.content));
    NormalizeForMarkdown(&source.back());
  }
  // A segment starts a line when it starts its block or the skeleton
  // before it (within the block) holds a line ending.
  bool newline = true;
  int previous_block = -1;
  for (const SkeletonPart& part : d.skeleton) {
    if (!part.is_hole()) {
      if (part.literal.find_first_of("\r\n") != std::string::npos) {
        newline = true;
      }
      continue;
    }
    const size_t i = static_cast<size_t>(part.segment);
    const int block = d.segments[i].context.block_index;
    line_start[i] = newline || block != previous_block;
    previous_block = block;
    newline = false;
  }
  identity =
      MarkdownRenderer(*this, {}, std::vector<bool>(n, false)).AssembleSource();
}

}  // namespace

struct PreparedDocument::State {
  absl::Status valid;  // whether the skeleton's holes name segments
  std::optional<PreparedMarkdown> markdown;
};

PreparedDocument::PreparedDocument(const Document& document)
    : document_(document), state_(std::make_unique<State>()) {
  for (const SkeletonPart& part : document.skeleton) {
    if (part.is_hole() &&
        static_cast<size_t>(part.segment) >= document.segments.size()) {
      state_->valid = absl::InternalError(
          absl::StrCat("skeleton refers to missing segment ", part.segment));
      return;
    }
  }
  if (document.format != Format::kPlainText) state_->markdown.emplace(document);
}

PreparedDocument::~PreparedDocument() = default;

absl::StatusOr<std::string> PreparedDocument::Render(
    const std::vector<Content>& contents) const {
  RETURN_IF_ERROR(state_->valid);
  ASSIGN_OR_RETURN(std::vector<bool> changed,
                   CheckContents(document_, contents));
  if (!state_->markdown.has_value()) {
    return RenderPlainText(document_, contents, changed);
  }
  return MarkdownRenderer(*state_->markdown, contents, std::move(changed))
      .Render();
}

absl::StatusOr<std::string> Render(const Document& document,
                                   const std::vector<Content>& contents) {
  return PreparedDocument(document).Render(contents);
}

}  // namespace tessera::formats

#include "formats/internal/builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "formats/internal/utf8.h"

namespace tessera::formats::internal {
namespace {

std::string_view Bytes(std::string_view source, const Token& t) {
  return source.substr(t.begin, t.end - t.begin);
}

// The text a code contributes to what the sentence splitter and the
// verbatim check read: line breaks read as "\n", escapes and character
// references as what they decode to, autolinks as their address. Other
// codes are markup and contribute nothing.
std::string_view ViewText(const Token& t) {
  if (!t.is_code) return {};
  switch (t.type) {
    case CodeType::kEscape:
    case CodeType::kEntity:
    case CodeType::kSoftBreak:
    case CodeType::kLineBreak:
    case CodeType::kAutolink:
      return t.equiv;
    default:
      return {};
  }
}

bool SuperscriptDigit(char32_t cp, char* digit) {
  switch (cp) {
    case 0x2070:
      *digit = '0';
      return true;
    case 0x00B9:
      *digit = '1';
      return true;
    case 0x00B2:
      *digit = '2';
      return true;
    case 0x00B3:
      *digit = '3';
      return true;
    default:
      if (cp >= 0x2074 && cp <= 0x2079) {
        *digit = static_cast<char>('4' + (cp - 0x2074));
        return true;
      }
      return false;
  }
}

// A paragraph that starts with the number of a footnote mark seen earlier
// ("1 Déclaration du FPLP …" after "»¹") is that footnote's definition. The
// number and the space after it move to the skeleton.
void DetectFootnoteDefinition(std::string_view source, TextBlock& block,
                              std::set<std::string>* pending) {
  if (pending->empty() || block.context.kind != BlockKind::kParagraph ||
      block.tokens.empty() || block.tokens.front().is_code ||
      block.tokens.front().has_text) {
    return;
  }
  Token& first = block.tokens.front();
  const std::string_view text = Bytes(source, first);
  size_t i = 0;
  while (i < text.size() && i < 3 && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0 || i >= text.size()) return;
  char32_t cp;
  const size_t n = DecodeUtf8(text, i, &cp);
  if (cp != ' ' && cp != '\t' && cp != 0xA0 && cp != 0x202F) return;
  const auto it = pending->find(std::string(text.substr(0, i)));
  if (it == pending->end()) return;
  pending->erase(it);
  block.context.kind = BlockKind::kFootnoteDefinition;
  first.begin += i + n;
  if (first.begin == first.end) block.tokens.erase(block.tokens.begin());
}

// Superscript digits glued to the preceding character ("possible.* »¹")
// are footnote marks: they become standalone footnote-reference codes.
void SplitSuperscripts(std::string_view source, TextBlock& block,
                       std::set<std::string>* seen) {
  std::vector<Token> out;
  out.reserve(block.tokens.size());
  int code_span_depth = 0;
  for (const Token& t : block.tokens) {
    if (t.is_code) {
      if (t.type == CodeType::kCodeSpan) {
        code_span_depth += t.kind == CodeKind::kOpen ? 1 : -1;
      }
      out.push_back(t);
      continue;
    }
    if (code_span_depth > 0 || t.has_text) {
      out.push_back(t);
      continue;
    }
    const std::string_view s = Bytes(source, t);
    size_t run_start = 0;
    size_t i = 0;
    while (i < s.size()) {
      // Superscript digits are encoded C2 Bx or E2 81 Bx.
      const unsigned char lead = static_cast<unsigned char>(s[i]);
      if (lead != 0xC2 && lead != 0xE2) {
        ++i;
        continue;
      }
      char32_t cp;
      size_t n = DecodeUtf8(s, i, &cp);
      char digit;
      if (!SuperscriptDigit(cp, &digit)) {
        i += n;
        continue;
      }
      std::string digits;
      size_t j = i;
      while (j < s.size()) {
        n = DecodeUtf8(s, j, &cp);
        if (!SuperscriptDigit(cp, &digit)) break;
        digits.push_back(digit);
        j += n;
      }
      bool glued;
      if (i > 0) {
        char32_t prev;
        DecodeUtf8Before(s, i, &prev);
        glued = !IsUnicodeSpace(prev);
      } else if (!out.empty() && out.back().is_code) {
        glued = !IsBreakType(out.back().type);
      } else if (!out.empty()) {
        const std::string_view before = Bytes(source, out.back());
        char32_t prev = ' ';
        if (!before.empty()) DecodeUtf8Before(before, before.size(), &prev);
        glued = !IsUnicodeSpace(prev);
      } else {
        glued = false;
      }
      if (glued) {
        if (i > run_start) {
          Token text = t;
          text.begin = t.begin + run_start;
          text.end = t.begin + i;
          out.push_back(text);
        }
        Token mark;
        mark.is_code = true;
        mark.begin = t.begin + i;
        mark.end = t.begin + j;
        mark.kind = CodeKind::kStandalone;
        mark.type = CodeType::kFootnoteRef;
        mark.equiv = digits;
        out.push_back(std::move(mark));
        seen->insert(digits);
        run_start = j;
      }
      i = j;
    }
    if (run_start < s.size() || s.empty()) {
      Token text = t;
      text.begin = t.begin + run_start;
      out.push_back(text);
    }
  }
  block.tokens = std::move(out);
}

struct Cut {
  size_t token;  // first token (or part of it) that goes right
  size_t pos;    // source offset of the cut, inside or at the token start
};

// Finds where view offset `b` falls among the tokens. Zero-width codes at
// the boundary go left when they close or stand alone, right when they
// open, so a sentence keeps its closing bold and a footnote mark. `scan` is
// where the search starts and is left where it stopped: offsets come in
// ascending order, so a block is scanned once.
Cut LocateCut(const std::vector<Token>& tokens, std::string_view source,
              const std::vector<size_t>& vstart, size_t b, size_t* scan,
              bool* ok) {
  *ok = true;
  const size_t n = tokens.size();
  size_t& k = *scan;
  while (k < n) {
    const size_t s = vstart[k];
    const size_t e = vstart[k + 1];
    if (e < b || (e == b && s < b)) {
      ++k;
      continue;
    }
    if (s == e && s == b) {
      if (tokens[k].is_code && tokens[k].kind == CodeKind::kOpen) break;
      ++k;
      continue;
    }
    break;
  }
  if (k < n && vstart[k] < b) {
    const Token& t = tokens[k];
    if (!t.is_code && !t.has_text) {
      const size_t offset = b - vstart[k];
      if (!IsCharBoundary(Bytes(source, t), offset)) *ok = false;
      return Cut{k, t.begin + offset};
    }
    return Cut{k + 1, k + 1 < n ? tokens[k + 1].begin : t.end};
  }
  return Cut{k, k < n ? tokens[k].begin : source.size()};
}

absl::Status SegmentBlock(std::string_view source, const TextBlock& block,
                          const ImportOptions& options, Document* doc,
                          std::vector<std::pair<size_t, size_t>>* ranges) {
  const std::vector<Token>& tokens = block.tokens;
  const size_t n = tokens.size();
  std::string view;
  std::vector<size_t> vstart(n + 1);
  std::vector<int> depth(n + 1, 0);  // open pairs before token k
  for (size_t k = 0; k < n; ++k) {
    vstart[k] = view.size();
    const Token& t = tokens[k];
    // A soft line break still reads as "\n" to the sentence splitter (the
    // same length as its " "), as it did when it was a code.
    view.append(t.is_code    ? ViewText(t)
                : t.has_text ? std::string_view(t.equiv)
                             : TokenText(source, t));
    depth[k + 1] = depth[k];
    if (t.is_code && t.kind == CodeKind::kOpen) ++depth[k + 1];
    if (t.is_code && t.kind == CodeKind::kClose) --depth[k + 1];
  }
  vstart[n] = view.size();

  std::vector<Cut> cuts;
  if (options.split_sentences && !view.empty()) {
    const std::vector<size_t> ends = options.split_sentences(view);
    size_t prev = 0;
    size_t scan = 0;
    for (size_t b : ends) {
      if (b > view.size() || b < prev) {
        return absl::InvalidArgumentError(
            absl::StrCat("sentence splitter returned offset ", b, " after ",
                         prev, " for a text of ", view.size(), " bytes"));
      }
      prev = b;
      if (b == 0 || b == view.size()) continue;
      bool ok;
      const Cut cut = LocateCut(tokens, source, vstart, b, &scan, &ok);
      if (!ok || cut.token >= n || depth[cut.token] > 0) continue;
      if (cut.token == 0 && cut.pos == tokens[0].begin) continue;
      if (!cuts.empty() && cuts.back().token == cut.token &&
          cuts.back().pos == cut.pos) {
        continue;
      }
      cuts.push_back(cut);
    }
  }

  std::vector<std::vector<Token>> pieces(1);
  size_t ci = 0;
  for (size_t k = 0; k < n; ++k) {
    Token t = tokens[k];
    while (ci < cuts.size() && cuts[ci].token == k) {
      if (cuts[ci].pos > t.begin) {
        Token left = t;
        left.end = cuts[ci].pos;
        pieces.back().push_back(left);
        t.begin = cuts[ci].pos;
      }
      pieces.emplace_back();
      ++ci;
    }
    pieces.back().push_back(std::move(t));
  }

  const auto is_edge_filler = [&](const Token& t) {
    if (t.is_code) return IsBreakType(t.type);
    const std::string_view text = TokenText(source, t);
    return LeadingSpaceBytes(text) == text.size();
  };
  for (std::vector<Token>& piece : pieces) {
    size_t a = 0;
    size_t b = piece.size();
    while (a < b && is_edge_filler(piece[a])) ++a;
    while (b > a && is_edge_filler(piece[b - 1])) --b;
    if (a == b) continue;
    if (!piece[a].is_code) {
      piece[a].begin += LeadingSpaceBytes(Bytes(source, piece[a]));
    }
    if (!piece[b - 1].is_code) {
      piece[b - 1].end -= TrailingSpaceBytes(Bytes(source, piece[b - 1]));
    }
    Segment segment;
    segment.context = block.context;
    std::map<int, int> pair_ids;
    int next_id = 1;
    std::string plain;
    // Each text run's source bytes, and whether some differ from its text.
    std::vector<std::string> runs(1);
    bool runs_differ = false;
    for (size_t k = a; k < b; ++k) {
      const Token& t = piece[k];
      if (!t.is_code) {
        segment.content.text.append(TokenText(source, t));
        plain.append(TokenText(source, t));
        runs.back().append(Bytes(source, t));
        runs_differ = runs_differ || t.has_text;
        continue;
      }
      runs.emplace_back();
      int id;
      if (t.pair >= 0) {
        const auto [it, inserted] = pair_ids.try_emplace(t.pair, next_id);
        if (inserted) ++next_id;
        id = it->second;
      } else {
        id = next_id++;
      }
      segment.content.codes.push_back(
          CodeRef{id, t.kind, segment.content.text.size()});
      segment.codes.push_back(InlineCode{
          id, t.kind, t.type, std::string(Bytes(source, t)), t.equiv});
      plain.append(ViewText(t));
    }
    const bool verbatim = options.is_verbatim ? options.is_verbatim(plain)
                                              : IsVerbatimText(plain);
    segment.translatable = !block.no_translate && !verbatim;
    if (runs_differ) segment.source_runs = std::move(runs);
    ranges->emplace_back(piece[a].begin, piece[b - 1].end);
    doc->segments.push_back(std::move(segment));
    if (options.max_segments > 0 &&
        doc->segments.size() > options.max_segments) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the document has more than ", options.max_segments,
                       " segments"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsMarkerLine(std::string_view line, std::string_view marker) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  };
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  return line == marker;
}

absl::StatusOr<Document> BuildDocument(Format format, std::string_view source,
                                       std::vector<TextBlock> blocks,
                                       const ImportOptions& options) {
  blocks.erase(
      std::remove_if(blocks.begin(), blocks.end(),
                     [](const TextBlock& b) { return b.tokens.empty(); }),
      blocks.end());
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const TextBlock& a, const TextBlock& b) {
                     return a.tokens.front().begin < b.tokens.front().begin;
                   });
  size_t prev_end = 0;
  for (const TextBlock& block : blocks) {
    if (block.tokens.front().begin < prev_end) {
      return absl::InternalError(absl::StrCat(
          "text blocks overlap at byte offset ", block.tokens.front().begin));
    }
    for (size_t k = 0; k < block.tokens.size(); ++k) {
      const Token& t = block.tokens[k];
      if (t.end < t.begin || t.end > source.size() ||
          (k > 0 && block.tokens[k - 1].end != t.begin)) {
        return absl::InternalError(absl::StrCat(
            "text block tokens are not contiguous at byte offset ", t.begin));
      }
    }
    prev_end = block.tokens.back().end;
  }

  std::set<std::string> footnote_marks;
  for (size_t i = 0; i < blocks.size(); ++i) {
    TextBlock& block = blocks[i];
    block.context.block_index = static_cast<int>(i);
    for (const BlockRange& range : options.no_translate_blocks) {
      if (block.context.block_index >= range.begin &&
          block.context.block_index < range.end) {
        block.no_translate = true;
      }
    }
    DetectFootnoteDefinition(source, block, &footnote_marks);
    SplitSuperscripts(source, block, &footnote_marks);
  }

  Document doc;
  doc.format = format;
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const TextBlock& block : blocks) {
    if (block.tokens.empty()) continue;
    RETURN_IF_ERROR(SegmentBlock(source, block, options, &doc, &ranges));
  }

  size_t cursor = 0;
  const auto add_literal = [&](size_t from, size_t to) {
    if (to <= from) return;
    if (!doc.skeleton.empty() && !doc.skeleton.back().is_hole()) {
      doc.skeleton.back().literal.append(source.substr(from, to - from));
    } else {
      doc.skeleton.push_back(
          SkeletonPart{std::string(source.substr(from, to - from)), -1});
    }
  };
  for (size_t i = 0; i < ranges.size(); ++i) {
    add_literal(cursor, ranges[i].first);
    doc.skeleton.push_back(SkeletonPart{"", static_cast<int>(i)});
    cursor = ranges[i].second;
  }
  add_literal(cursor, source.size());
  return doc;
}

}  // namespace tessera::formats::internal

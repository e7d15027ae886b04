#include "services/statement/statement_convert.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"

namespace tessera::statement {
namespace {

absl::StatusOr<absl::Time> TimeFromProto(std::string_view field,
                                         const google::protobuf::Timestamp& t) {
  if (t.nanos() < 0 || t.nanos() > 999999999 || t.seconds() < 0 ||
      t.seconds() > 253402300799) {
    return BadField(field, "is not a valid timestamp");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

v1::DocumentFormat FormatToProto(formats::Format f) {
  switch (f) {
    case formats::Format::kMarkdown:
      return v1::DOCUMENT_FORMAT_MARKDOWN;
    case formats::Format::kPlainText:
      return v1::DOCUMENT_FORMAT_PLAIN_TEXT;
  }
  return v1::DOCUMENT_FORMAT_UNSPECIFIED;
}

v1::CodeKind KindToProto(formats::CodeKind k) {
  switch (k) {
    case formats::CodeKind::kOpen:
      return v1::CODE_KIND_OPEN;
    case formats::CodeKind::kClose:
      return v1::CODE_KIND_CLOSE;
    case formats::CodeKind::kStandalone:
      return v1::CODE_KIND_STANDALONE;
  }
  return v1::CODE_KIND_UNSPECIFIED;
}

v1::CodeType TypeToProto(formats::CodeType t) {
  switch (t) {
    case formats::CodeType::kEmphasis:
      return v1::CODE_TYPE_EMPHASIS;
    case formats::CodeType::kStrong:
      return v1::CODE_TYPE_STRONG;
    case formats::CodeType::kStrikethrough:
      return v1::CODE_TYPE_STRIKETHROUGH;
    case formats::CodeType::kLink:
    case formats::CodeType::kAutolink:
      return v1::CODE_TYPE_LINK;
    case formats::CodeType::kImage:
      return v1::CODE_TYPE_IMAGE;
    case formats::CodeType::kCodeSpan:
      return v1::CODE_TYPE_CODE_SPAN;
    case formats::CodeType::kFootnoteRef:
      return v1::CODE_TYPE_FOOTNOTE_REFERENCE;
    case formats::CodeType::kSoftBreak:
    case formats::CodeType::kLineBreak:
      return v1::CODE_TYPE_LINE_BREAK;
    case formats::CodeType::kHtml:
      return v1::CODE_TYPE_HTML;
    case formats::CodeType::kEscape:
    case formats::CodeType::kEntity:
      return v1::CODE_TYPE_OTHER;
  }
  return v1::CODE_TYPE_UNSPECIFIED;
}

v1::BlockKind BlockToProto(formats::BlockKind k) {
  switch (k) {
    case formats::BlockKind::kParagraph:
      return v1::BLOCK_KIND_PARAGRAPH;
    case formats::BlockKind::kHeading:
      return v1::BLOCK_KIND_HEADING;
    case formats::BlockKind::kListItem:
      return v1::BLOCK_KIND_LIST_ITEM;
    case formats::BlockKind::kTableCell:
      return v1::BLOCK_KIND_TABLE_CELL;
    case formats::BlockKind::kBlockQuote:
      return v1::BLOCK_KIND_BLOCK_QUOTE;
    case formats::BlockKind::kFootnoteDefinition:
      return v1::BLOCK_KIND_FOOTNOTE;
    case formats::BlockKind::kOther:
      return v1::BLOCK_KIND_OTHER;
  }
  return v1::BLOCK_KIND_UNSPECIFIED;
}

std::string Truncate(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return StrCat(s.substr(0, cut), "…");
}

// The link target of a link's or image's closing code: "](url "t")" gives
// url, "][ref]" gives ref, "]" gives the reference label.
std::string LinkTarget(const formats::InlineCode& close) {
  std::string_view d = close.data;
  if (d.size() >= 3 && d.substr(0, 2) == "](" && d.back() == ')') {
    d = d.substr(2, d.size() - 3);
    while (!d.empty() && (d.front() == ' ' || d.front() == '\n')) {
      d.remove_prefix(1);
    }
    if (!d.empty() && d.front() == '<') {
      size_t end = d.find('>');
      return std::string(d.substr(
          1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    }
    size_t end = d.find_first_of(" \n\t");
    return std::string(d.substr(0, end));
  }
  if (d.size() >= 3 && d.substr(0, 2) == "][" && d.back() == ']') {
    std::string_view label = d.substr(2, d.size() - 3);
    return std::string(label.empty() ? std::string_view(close.equiv) : label);
  }
  return close.equiv;
}

std::string Display(const formats::Segment& s, const formats::InlineCode& c) {
  switch (c.type) {
    case formats::CodeType::kLink:
    case formats::CodeType::kImage:
      for (const auto& other : s.codes) {
        if (other.id == c.id && other.kind == formats::CodeKind::kClose) {
          return Truncate(LinkTarget(other), 200);
        }
      }
      return Truncate(c.data, 200);
    case formats::CodeType::kAutolink:
    case formats::CodeType::kEscape:
    case formats::CodeType::kEntity:
      return Truncate(c.equiv, 200);
    case formats::CodeType::kSoftBreak:
    case formats::CodeType::kLineBreak:
      return "line break";
    default:
      return Truncate(c.data, 200);
  }
}

std::string RevisionNameOf(std::string_view id, int revision) {
  return StrCat("statements/", id, "/revisions/", revision);
}

// Splits "statements/{id}/{rest...}" into id and the parts after it.
bool SplitName(std::string_view name, std::vector<std::string_view>* parts) {
  parts->clear();
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view part = name.substr(start, slash == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : slash - start);
    if (part.empty()) return false;
    parts->push_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts->size() >= 2 && (*parts)[0] == "statements";
}

absl::Status NameError(std::string_view field, std::string_view form,
                       std::string_view name) {
  return BadField(field, StrCat("must be a resource name of the form ", form,
                                ", got \"", name.substr(0, 200), "\""));
}

}  // namespace

void ToProto(const Statement& s, v1::Statement* out) {
  out->set_name(StrCat("statements/", s.statement_id));
  out->set_statement_id(s.statement_id);
  out->set_title(s.title);
  out->set_source_language(s.source_language);
  out->set_format(FormatToProto(s.format));
  for (const auto& l : s.target_languages) out->add_target_languages(l);
  if (s.deadline) ToTimestamp(*s.deadline, out->mutable_deadline());
  for (const auto& [k, v] : s.labels) (*out->mutable_labels())[k] = v;
  out->set_state(static_cast<v1::StatementState>(s.state));
  out->set_review_rounds(s.review_rounds);
  out->set_allow_open_claiming(s.allow_open_claiming);
  if (s.current_revision > 0) {
    out->set_current_revision(
        RevisionNameOf(s.statement_id, s.current_revision));
  }
  out->set_segment_count(s.segment_count);
  out->set_translatable_segment_count(s.translatable_segment_count);
  out->set_word_count(s.word_count);
  out->set_creator(StrCat("users/", s.creator));
  ToTimestamp(s.create_time, out->mutable_create_time());
  ToTimestamp(s.update_time, out->mutable_update_time());
  out->set_version(static_cast<int64_t>(s.version));
}

void ToProto(const Revision& r, v1::Revision* out) {
  out->set_name(RevisionNameOf(r.statement_id, r.revision_number));
  out->set_revision_number(r.revision_number);
  out->set_format(FormatToProto(r.format));
  if (r.source) out->set_source(*r.source);
  out->set_source_size_bytes(r.source_size_bytes);
  out->set_source_sha256(r.source_sha256);
  if (r.skeleton) out->set_skeleton(*r.skeleton);
  for (const auto& range : r.no_translate_ranges) {
    auto* pr = out->add_no_translate_ranges();
    if (range.kind == NoTranslateRange::Kind::kBlocks) {
      pr->mutable_blocks()->set_first_block(range.first);
      pr->mutable_blocks()->set_last_block(range.last);
    } else {
      pr->mutable_lines()->set_first_line(range.first);
      pr->mutable_lines()->set_last_line(range.last);
    }
  }
  out->set_segment_count(r.segment_count);
  out->set_translatable_segment_count(r.translatable_segment_count);
  out->set_word_count(r.word_count);
  auto* c = out->mutable_changes();
  if (r.changes.previous_revision > 0) {
    c->set_previous_revision(
        RevisionNameOf(r.statement_id, r.changes.previous_revision));
  }
  for (const auto& id : r.changes.added_segment_ids) {
    c->add_added_segment_ids(id);
  }
  for (const auto& id : r.changes.removed_segment_ids) {
    c->add_removed_segment_ids(id);
  }
  for (const auto& ch : r.changes.changed_segments) {
    auto* pc = c->add_changed_segments();
    pc->set_segment_id(ch.segment_id);
    pc->set_predecessor_segment_id(ch.predecessor_segment_id);
    pc->set_similarity(ch.similarity);
  }
  c->set_unchanged_segment_count(r.changes.unchanged_segment_count);
  for (const auto& id : r.changes.moved_segment_ids) {
    c->add_moved_segment_ids(id);
  }
  out->set_note(r.note);
  out->set_creator(StrCat("users/", r.creator));
  ToTimestamp(r.create_time, out->mutable_create_time());
}

void ToProto(const SourceSegment& seg, v1::SourceSegment* out) {
  const formats::Segment& s = seg.segment;
  out->set_name(StrCat("statements/", seg.statement_id, "/segments/",
                       seg.info.segment_id));
  out->set_segment_id(seg.info.segment_id);
  out->set_ordinal(seg.ordinal);
  out->set_revision(RevisionNameOf(seg.statement_id, seg.revision_number));
  auto* content = out->mutable_content();
  content->set_text(s.content.text);
  for (const auto& ref : s.content.codes) {
    auto* pr = content->add_codes();
    pr->set_id(ref.id);
    pr->set_kind(KindToProto(ref.kind));
    pr->set_offset(static_cast<uint32_t>(ref.offset));
  }
  std::set<int> seen;
  for (const auto& code : s.codes) {
    if (!seen.insert(code.id).second) continue;
    auto* pc = out->add_codes();
    pc->set_id(code.id);
    pc->set_kind(KindToProto(code.kind));
    pc->set_type(TypeToProto(code.type));
    pc->set_display(Display(s, code));
  }
  for (const auto& p : seg.info.placeholders) {
    auto* pp = out->add_placeholders();
    switch (p.kind) {
      case text::PlaceholderKind::kUrl:
        pp->set_type(v1::PLACEHOLDER_TYPE_URL);
        break;
      case text::PlaceholderKind::kEmail:
        pp->set_type(v1::PLACEHOLDER_TYPE_EMAIL);
        break;
      case text::PlaceholderKind::kNumber:
        pp->set_type(v1::PLACEHOLDER_TYPE_NUMBER);
        break;
    }
    pp->set_start(static_cast<uint32_t>(p.begin));
    pp->set_end(static_cast<uint32_t>(p.end));
  }
  out->set_word_count(seg.info.word_count);
  out->set_translatable(s.translatable);
  out->set_no_translate_reason(
      static_cast<v1::NoTranslateReason>(seg.info.no_translate_reason));
  auto* ctx = out->mutable_context();
  ctx->set_block_kind(BlockToProto(s.context.kind));
  ctx->set_heading_level(s.context.heading_level);
  ctx->set_block_index(s.context.block_index);
  ctx->set_index_in_block(seg.info.index_in_block);
  ctx->set_block_segment_count(seg.info.block_segment_count);
  ctx->set_source_line(seg.info.source_line);
  ctx->set_section_heading(seg.info.section_heading);
}

void ToProto(const StatementPage& page, v1::ListStatementsResponse* out) {
  for (const auto& s : page.statements) ToProto(s, out->add_statements());
  out->set_next_page_token(page.next_page_token);
}

void ToProto(const RevisionPage& page, v1::ListRevisionsResponse* out) {
  for (const auto& r : page.revisions) ToProto(r, out->add_revisions());
  out->set_next_page_token(page.next_page_token);
}

void ToProto(const SourceSegmentPage& page,
             v1::ListSourceSegmentsResponse* out) {
  for (const auto& seg : page.segments) {
    ToProto(seg, out->add_source_segments());
  }
  out->set_next_page_token(page.next_page_token);
  out->set_total_size(page.total_size);
}

absl::StatusOr<formats::Format> FormatFromProto(std::string_view field,
                                                v1::DocumentFormat format) {
  switch (format) {
    case v1::DOCUMENT_FORMAT_MARKDOWN:
      return formats::Format::kMarkdown;
    case v1::DOCUMENT_FORMAT_PLAIN_TEXT:
      return formats::Format::kPlainText;
    default:
      return BadField(
          field,
          "must be DOCUMENT_FORMAT_MARKDOWN or DOCUMENT_FORMAT_PLAIN_TEXT");
  }
}

absl::StatusOr<std::vector<NoTranslateRange>> RangesFromProto(
    std::string_view field,
    const google::protobuf::RepeatedPtrField<v1::NoTranslateRange>& ranges) {
  std::vector<NoTranslateRange> out;
  for (int i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    switch (r.range_case()) {
      case v1::NoTranslateRange::kBlocks:
        out.push_back({NoTranslateRange::Kind::kBlocks,
                       r.blocks().first_block(), r.blocks().last_block()});
        break;
      case v1::NoTranslateRange::kLines:
        out.push_back({NoTranslateRange::Kind::kLines, r.lines().first_line(),
                       r.lines().last_line()});
        break;
      default:
        return BadField(StrCat(field, "[", i, "]"),
                        "a range needs blocks or lines");
    }
  }
  return out;
}

absl::StatusOr<CreateParams> CreateParamsFromProto(
    const v1::CreateStatementRequest& req) {
  CreateParams p;
  p.control.request_id = req.request_id();
  p.control.validate_only = req.validate_only();
  p.statement_id = req.statement_id();
  p.title = req.title();
  ASSIGN_OR_RETURN(p.format, FormatFromProto("format", req.format()));
  p.source = req.source();
  p.source_language = req.source_language();
  p.target_languages.assign(req.target_languages().begin(),
                            req.target_languages().end());
  if (req.has_deadline()) {
    ASSIGN_OR_RETURN(absl::Time t, TimeFromProto("deadline", req.deadline()));
    p.deadline = t;
  }
  for (const auto& [k, v] : req.labels()) p.labels[k] = v;
  p.review_rounds = req.review_rounds();
  p.allow_open_claiming = req.allow_open_claiming();
  ASSIGN_OR_RETURN(
      p.no_translate_ranges,
      RangesFromProto("no_translate_ranges", req.no_translate_ranges()));
  p.draft = req.draft();
  return p;
}

absl::StatusOr<ReviseParams> ReviseParamsFromProto(
    const v1::ReviseStatementRequest& req) {
  ReviseParams p;
  ASSIGN_OR_RETURN(p.statement_id,
                   ParseStatementName("statement", req.statement()));
  if (req.version() <= 0) {
    return BadField("version",
                    "is required: pass the Statement.version you last read");
  }
  p.version = static_cast<uint64_t>(req.version());
  p.control.request_id = req.request_id();
  p.control.validate_only = req.validate_only();
  p.source = req.source();
  ASSIGN_OR_RETURN(
      p.no_translate_ranges,
      RangesFromProto("no_translate_ranges", req.no_translate_ranges()));
  p.note = req.note();
  return p;
}

absl::StatusOr<StatementUpdate> UpdateFromProto(
    const v1::UpdateStatementRequest& req) {
  const v1::Statement& s = req.statement();
  if (req.update_mask().paths_size() == 0) {
    return BadField("update_mask", "must name at least one field");
  }
  StatementUpdate u;
  for (int i = 0; i < req.update_mask().paths_size(); ++i) {
    const std::string& path = req.update_mask().paths(i);
    if (path == "title") {
      u.title = s.title();
    } else if (path == "target_languages") {
      u.target_languages = std::vector<std::string>(
          s.target_languages().begin(), s.target_languages().end());
    } else if (path == "deadline") {
      if (s.has_deadline()) {
        ASSIGN_OR_RETURN(absl::Time t,
                         TimeFromProto("statement.deadline", s.deadline()));
        u.deadline = std::optional<absl::Time>(t);
      } else {
        u.deadline = std::optional<absl::Time>();
      }
    } else if (path == "labels") {
      std::map<std::string, std::string> labels;
      for (const auto& [k, v] : s.labels()) labels[k] = v;
      u.labels = std::move(labels);
    } else if (path == "review_rounds") {
      u.review_rounds = s.review_rounds();
    } else if (path == "allow_open_claiming") {
      u.allow_open_claiming = s.allow_open_claiming();
    } else {
      return BadField(
          StrCat("update_mask.paths[", i, "]"),
          StrCat("\"", path.substr(0, 100),
                 "\" cannot be updated; updatable: title, target_languages, "
                 "deadline, labels, review_rounds, allow_open_claiming"));
    }
  }
  return u;
}

absl::StatusOr<ListStatementsQuery> QueryFromProto(
    const v1::ListStatementsRequest& req) {
  ListStatementsQuery q;
  for (const auto& sel : req.label_selectors()) {
    LabelSelector ls;
    ls.key = sel.key();
    if (sel.has_value()) ls.value = sel.value();
    q.label_selectors.push_back(std::move(ls));
  }
  for (int i = 0; i < req.states_size(); ++i) {
    int st = req.states(i);
    if (st < v1::STATEMENT_STATE_DRAFT || st > v1::STATEMENT_STATE_ARCHIVED) {
      return BadField(StrCat("states[", i, "]"),
                      "must be a known statement state");
    }
    q.states.push_back(static_cast<StatementState>(st));
  }
  q.languages.assign(req.languages().begin(), req.languages().end());
  return q;
}

absl::StatusOr<VersionedName> VersionedNameFromProto(
    std::string_view name_field, std::string_view name,
    std::string_view version_field, int64_t version) {
  VersionedName out;
  ASSIGN_OR_RETURN(out.statement_id, ParseStatementName(name_field, name));
  if (version <= 0) {
    return BadField(version_field,
                    "is required: pass the Statement.version you last read");
  }
  out.version = static_cast<uint64_t>(version);
  return out;
}

absl::StatusOr<bool> FullViewFromProto(v1::RevisionView view) {
  if (view < v1::REVISION_VIEW_UNSPECIFIED || view > v1::REVISION_VIEW_FULL) {
    return BadField("view", "must be BASIC or FULL");
  }
  return view == v1::REVISION_VIEW_FULL;
}

absl::StatusOr<std::string> ParseStatementName(std::string_view field,
                                               std::string_view name) {
  std::vector<std::string_view> parts;
  if (!SplitName(name, &parts) || parts.size() != 2) {
    return NameError(field, "statements/{statement_id}", name);
  }
  return std::string(parts[1]);
}

absl::StatusOr<std::pair<std::string, int>> ParseRevisionName(
    std::string_view field, std::string_view name) {
  std::vector<std::string_view> parts;
  int revision = 0;
  if (!SplitName(name, &parts) || parts.size() != 4 ||
      parts[2] != "revisions" ||
      !std::all_of(parts[3].begin(), parts[3].end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(ToAbsl(parts[3]), &revision) || revision < 1) {
    return NameError(field, "statements/{statement_id}/revisions/{revision}",
                     name);
  }
  return std::make_pair(std::string(parts[1]), revision);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseSegmentName(
    std::string_view field, std::string_view name) {
  std::vector<std::string_view> parts;
  if (!SplitName(name, &parts) || parts.size() != 4 || parts[2] != "segments") {
    return NameError(field, "statements/{statement_id}/segments/{segment_id}",
                     name);
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

absl::StatusOr<int> ParseOptionalRevision(std::string_view field,
                                          std::string_view name,
                                          std::string_view statement_id) {
  if (name.empty()) return 0;
  ASSIGN_OR_RETURN(auto parsed, ParseRevisionName(field, name));
  if (parsed.first != statement_id) {
    return BadField(field,
                    StrCat("names a revision of statements/", parsed.first,
                           ", not of statements/", statement_id));
  }
  return parsed.second;
}

}  // namespace tessera::statement

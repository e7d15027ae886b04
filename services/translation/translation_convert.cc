#include "services/translation/translation_convert.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"
#include "services/statement/statement_convert.h"

namespace tessera::translation {
namespace {

std::string UserName(std::string_view user_id) {
  return user_id.empty() ? std::string() : StrCat("users/", user_id);
}

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
  return true;
}

absl::Status NameError(std::string_view field, std::string_view form,
                       std::string_view name) {
  return BadField(field, StrCat("must be a resource name of the form ", form,
                                ", got \"", name.substr(0, 200), "\""));
}

}  // namespace

void ToProto(const formats::Content& c, v1::Content* out) {
  out->set_text(c.text);
  for (const formats::CodeRef& r : c.codes) {
    auto* code = out->add_codes();
    code->set_id(r.id);
    code->set_kind(static_cast<v1::CodeKind>(static_cast<int>(r.kind)));
    code->set_offset(static_cast<uint32_t>(r.offset));
  }
}

void ToProto(const text::QaIssue& issue, v1::QaIssue* out) {
  out->set_code(static_cast<v1::QaCode>(static_cast<int>(issue.code)));
  out->set_severity(
      static_cast<v1::QaSeverity>(static_cast<int>(issue.severity)));
  out->set_message(issue.message);
  out->set_start(static_cast<uint32_t>(issue.start));
  out->set_end(static_cast<uint32_t>(issue.end));
  if (issue.code_id != 0) out->set_code_id(issue.code_id);
}

void ToProto(const Translation& t, v1::Translation* out) {
  out->set_name(StrCat("statements/", t.statement_id, "/languages/", t.language,
                       "/segments/", t.segment_id));
  out->set_statement(StrCat("statements/", t.statement_id));
  out->set_language(t.language);
  out->set_segment_id(t.segment_id);
  statement::ToProto(t.source, out->mutable_source());
  if (!t.content.text.empty() || !t.content.codes.empty()) {
    ToProto(t.content, out->mutable_content());
  }
  out->set_state(static_cast<v1::SegmentState>(static_cast<int>(t.state)));
  out->set_version(static_cast<int64_t>(t.version));
  out->set_author(UserName(t.author));
  out->set_reviewer(UserName(t.reviewer));
  for (const auto& a : t.approvers) out->add_approvers(UserName(a));
  out->set_review_rounds(t.review_rounds);
  out->set_origin(static_cast<v1::Origin>(static_cast<int>(t.origin)));
  for (const auto& i : t.qa_issues) ToProto(i, out->add_qa_issues());
  if (t.draft) {
    auto* d = out->mutable_draft();
    ToProto(t.draft->content, d->mutable_content());
    d->set_author(UserName(t.draft->author));
    ToTimestamp(t.draft->update_time, d->mutable_update_time());
  }
  out->set_rejection_reason(t.rejection_reason);
  if (t.previous_source) {
    ToProto(*t.previous_source, out->mutable_previous_source());
  }
  out->set_translate_assignee(UserName(t.workers.translate_assignee));
  out->set_review_assignee(UserName(t.workers.review_assignee));
  out->set_lease_holder(UserName(t.workers.lease_holder));
  if (t.workers.lease_expire_time) {
    ToTimestamp(*t.workers.lease_expire_time,
                out->mutable_lease_expire_time());
  }
  out->set_comment_count(t.comment_count);
  ToTimestamp(t.update_time, out->mutable_update_time());
}

void ToProto(const HistoryEntry& e, const TranslationRef& ref,
             v1::HistoryEntry* out) {
  out->set_version(static_cast<int64_t>(e.version));
  out->set_action(static_cast<v1::HistoryAction>(static_cast<int>(e.action)));
  out->set_actor(UserName(e.actor));
  ToTimestamp(e.time, out->mutable_time());
  out->set_state(static_cast<v1::SegmentState>(static_cast<int>(e.state)));
  ToProto(e.content, out->mutable_content());
  out->set_author(UserName(e.author));
  out->set_origin(static_cast<v1::Origin>(static_cast<int>(e.origin)));
  out->set_reason(e.reason);
  ToProto(e.source, out->mutable_source());
  if (e.revision > 0) {
    out->set_revision(
        StrCat("statements/", ref.statement_id, "/revisions/", e.revision));
  }
  out->set_segment_id(e.segment_id);
  for (const auto& i : e.qa_issues) ToProto(i, out->add_qa_issues());
}

void ToProto(const Comment& c, const TranslationRef& ref, v1::Comment* out) {
  out->set_name(StrCat("statements/", ref.statement_id, "/languages/",
                       ref.language, "/segments/", ref.segment_id, "/comments/",
                       c.comment_id));
  out->set_author(UserName(c.author));
  out->set_text(c.text);
  out->set_translation_version(static_cast<int64_t>(c.translation_version));
  ToTimestamp(c.create_time, out->mutable_create_time());
}

absl::StatusOr<formats::Content> ContentFromProto(std::string_view field,
                                                  const v1::Content& content) {
  formats::Content c;
  c.text = content.text();
  for (int i = 0; i < content.codes_size(); ++i) {
    const v1::CodeRef& r = content.codes(i);
    if (r.kind() != v1::CODE_KIND_OPEN && r.kind() != v1::CODE_KIND_CLOSE &&
        r.kind() != v1::CODE_KIND_STANDALONE) {
      return BadField(StrCat(field, ".codes[", i, "].kind"),
                      "must be open, close or standalone");
    }
    c.codes.push_back(
        {r.id(), static_cast<formats::CodeKind>(r.kind()), r.offset()});
  }
  return c;
}

absl::StatusOr<TranslationRef> ParseTranslationName(std::string_view field,
                                                    std::string_view name) {
  std::vector<std::string_view> parts;
  if (!SplitName(name, &parts) || parts.size() != 6 ||
      parts[0] != "statements" || parts[2] != "languages" ||
      parts[4] != "segments") {
    return NameError(
        field,
        "statements/{statement_id}/languages/{language}/segments/{segment_id}",
        name);
  }
  return TranslationRef{std::string(parts[1]), std::string(parts[3]),
                        std::string(parts[5])};
}

absl::StatusOr<std::pair<std::string, std::string>> ParseLanguageName(
    std::string_view field, std::string_view name) {
  std::vector<std::string_view> parts;
  if (!SplitName(name, &parts) || parts.size() != 4 ||
      parts[0] != "statements" || parts[2] != "languages") {
    return NameError(field, "statements/{statement_id}/languages/{language}",
                     name);
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

absl::StatusOr<uint64_t> VersionFromProto(int64_t version) {
  if (version <= 0) {
    return BadField("version",
                    "is required: pass the Translation.version you last read");
  }
  return static_cast<uint64_t>(version);
}

absl::StatusOr<ListSegmentsQuery> QueryFromProto(
    const v1::ListSegmentsRequest& request) {
  ListSegmentsQuery q;
  for (int i = 0; i < request.states_size(); ++i) {
    const int s = request.states(i);
    if (s < 1 || s > 5) {
      return BadField(StrCat("states[", i, "]"), "is not a segment state");
    }
    q.states.push_back(static_cast<SegmentState>(s));
  }
  if (!request.assignee().empty()) {
    std::string_view a = request.assignee();
    if (a.substr(0, 6) != "users/" || a.size() == 6) {
      return BadField("assignee", "must be \"users/{user_id}\"");
    }
    q.assignee = std::string(a.substr(6));
  }
  q.text_query = request.text_query();
  q.include_non_translatable = request.include_non_translatable();
  q.with_workers = true;
  return q;
}

}  // namespace tessera::translation

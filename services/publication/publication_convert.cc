#include "services/publication/publication_convert.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"
#include "services/statement/statement_convert.h"
#include "services/statement/statement_model.h"

namespace tessera::publication {
namespace {


std::vector<std::string_view> Split(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t slash = name.find('/', pos);
    parts.push_back(name.substr(pos, slash == std::string_view::npos
                                         ? std::string_view::npos
                                         : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return parts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::vector<statement::LabelSelector> Selectors(
    const google::protobuf::RepeatedPtrField<v1::LabelSelector>& in) {
  std::vector<statement::LabelSelector> out;
  for (const auto& sel : in) {
    statement::LabelSelector ls;
    ls.key = sel.key();
    if (sel.has_value()) ls.value = sel.value();
    out.push_back(std::move(ls));
  }
  return out;
}

}  // namespace

void ToProto(const Publication& p, v1::Publication* out) {
  out->set_name(StrCat("statements/", p.statement_id, "/languages/", p.language,
                       "/publications/", p.version));
  out->set_statement(StrCat("statements/", p.statement_id));
  out->set_language(p.language);
  out->set_version(p.version);
  out->set_revision(
      StrCat("statements/", p.statement_id, "/revisions/", p.revision));
  out->set_format(static_cast<v1::DocumentFormat>(p.format));
  out->set_trigger(static_cast<v1::PublicationTrigger>(p.trigger));
  out->set_policy(static_cast<v1::PublicationPolicy>(p.policy));
  out->set_complete(p.complete);
  if (!p.publisher.empty()) out->set_publisher(StrCat("users/", p.publisher));
  ToTimestamp(p.create_time, out->mutable_create_time());
  out->set_statement_title(p.statement_title);
  for (const auto& [k, v] : p.statement_labels) {
    (*out->mutable_statement_labels())[k] = v;
  }
  out->set_size_bytes(p.size_bytes);
  out->set_content_sha256(p.content_sha256);
  v1::PublicationStats* s = out->mutable_stats();
  s->set_segment_count(p.stats.segment_count);
  s->set_translatable_segment_count(p.stats.translatable_segment_count);
  s->set_approved_segment_count(p.stats.approved_segment_count);
  s->set_fallback_segment_count(p.stats.fallback_segment_count);
  s->set_gap_segment_count(p.stats.gap_segment_count);
  s->set_word_count(p.stats.word_count);
  s->set_approved_word_count(p.stats.approved_word_count);
  ToTimestamp(p.stats.import_time, s->mutable_import_time());
  const absl::Duration d = p.create_time - p.stats.import_time;
  const int64_t secs = absl::ToInt64Seconds(d);
  s->mutable_time_to_publish()->set_seconds(secs);
  s->mutable_time_to_publish()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(d - absl::Seconds(secs))));
  for (const ManifestEntry& e : p.manifest) {
    v1::ManifestEntry* m = out->add_manifest();
    m->set_segment_id(e.segment_id);
    m->set_ordinal(e.ordinal);
    m->set_fill(static_cast<v1::SegmentFill>(e.fill));
    m->set_state(static_cast<v1::SegmentState>(e.state));
    if (!e.translator.empty())
      m->set_translator(StrCat("users/", e.translator));
    for (const auto& r : e.reviewers) m->add_reviewers(StrCat("users/", r));
    m->set_translation_version(e.translation_version);
    m->set_origin(static_cast<v1::Origin>(e.origin));
    m->set_word_count(e.word_count);
  }
}

absl::StatusOr<Policy> PolicyFromProto(std::string_view field, int policy) {
  if (policy < 0 || policy > v1::PUBLICATION_POLICY_MARK_GAPS) {
    return BadField(field, "is not a known PublicationPolicy");
  }
  return policy == 0 ? Policy::kRefuse : static_cast<Policy>(policy);
}

absl::StatusOr<OutputFormat> FormatFromProto(std::string_view field,
                                             int format) {
  if (format < 0 || format > v1::DOCUMENT_FORMAT_HTML) {
    return BadField(field, "is not a known DocumentFormat");
  }
  return static_cast<OutputFormat>(format);
}

absl::StatusOr<bool> FullViewFromProto(std::string_view field, int view) {
  if (view < 0 || view > v1::PUBLICATION_VIEW_FULL) {
    return BadField(field, "is not a known PublicationView");
  }
  return view == v1::PUBLICATION_VIEW_FULL;
}

v1::DocumentFormat FormatToProto(OutputFormat format) {
  return static_cast<v1::DocumentFormat>(format);
}

absl::StatusOr<PublicationName> ParsePublicationName(std::string_view field,
                                                     std::string_view name) {
  const std::vector<std::string_view> parts = Split(name);
  PublicationName out;
  if (parts.size() != 6 || parts[0] != "statements" || parts[1].empty() ||
      parts[2] != "languages" || parts[3].empty() ||
      parts[4] != "publications" || parts[5].empty()) {
    return BadField(field,
                    StrCat("\"", name.substr(0, 200),
                           "\" is not statements/{statement_id}/languages/"
                           "{language}/publications/{version}"));
  }
  out.statement_id = std::string(parts[1]);
  out.language = std::string(parts[3]);
  if (parts[5] != "latest") {
    int64_t v = 0;
    if (!absl::SimpleAtoi(ToAbsl(parts[5]), &v) || v < 1) {
      return BadField(field, "the version must be a number >= 1 or \"latest\"");
    }
    out.version = v;
  }
  return out;
}

absl::StatusOr<PublishParams> FromProto(const v1::PublishRequest& req) {
  PublishParams out;
  ASSIGN_OR_RETURN(out.statement_id,
                   statement::ParseStatementName("statement", req.statement()));
  if (req.language().empty()) {
    return BadField("language", "is required");
  }
  out.language = req.language();
  ASSIGN_OR_RETURN(out.policy, PolicyFromProto("policy", req.policy()));
  return out;
}

absl::StatusOr<GetParams> FromProto(const v1::GetPublicationRequest& req) {
  GetParams out;
  ASSIGN_OR_RETURN(out.name, ParsePublicationName("name", req.name()));
  ASSIGN_OR_RETURN(out.format, FormatFromProto("format", req.format()));
  ASSIGN_OR_RETURN(out.full, FullViewFromProto("view", req.view()));
  return out;
}

void ToProto(Document document, v1::GetPublicationResponse* out) {
  ToProto(document.publication, out->mutable_publication());
  out->set_content(std::move(document.content));
  out->set_format(FormatToProto(document.format));
  out->set_content_type(document.content_type);
}

void ToProto(const PublicationPage& page, v1::ListPublicationsResponse* out) {
  for (const Publication& p : page.publications) {
    ToProto(p, out->add_publications());
  }
  out->set_next_page_token(page.next_page_token);
}

absl::StatusOr<ListQuery> ListQueryFromProto(
    const v1::ListPublicationsRequest& req) {
  ListQuery q;
  if (!req.statement().empty()) {
    ASSIGN_OR_RETURN(q.statement_id, statement::ParseStatementName(
                                         "statement", req.statement()));
  }
  q.languages.assign(req.languages().begin(), req.languages().end());
  if (req.has_create_time_range()) {
    const auto& r = req.create_time_range();
    if (r.has_start_time()) q.start_time = FromTimestamp(r.start_time());
    if (r.has_end_time()) q.end_time = FromTimestamp(r.end_time());
  }
  q.label_selectors = Selectors(req.label_selectors());
  q.latest_only = req.latest_only();
  ASSIGN_OR_RETURN(q.full, FullViewFromProto("view", req.view()));
  return q;
}

absl::StatusOr<WatchFilter> WatchFilterFromProto(
    const v1::WatchPublicationsRequest& req) {
  WatchFilter f;
  for (int i = 0; i < req.statements_size(); ++i) {
    ASSIGN_OR_RETURN(std::string id,
                     statement::ParseStatementName(
                         StrCat("statements[", i, "]"), req.statements(i)));
    f.statement_ids.push_back(std::move(id));
  }
  f.languages.assign(req.languages().begin(), req.languages().end());
  f.label_selectors = Selectors(req.label_selectors());
  ASSIGN_OR_RETURN(f.full, FullViewFromProto("view", req.view()));
  return f;
}

}  // namespace tessera::publication

#include "services/memory/memory_convert.h"

#include <cstdio>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"
#include "services/translation/translation_convert.h"
#include "text/language.h"

namespace tessera::memory {
namespace {

absl::StatusOr<std::string> Language(std::string_view field,
                                     std::string_view tag) {
  if (tag.empty()) return BadField(field, "required");
  auto canonical = text::CanonicalizeLanguageTag(tag);
  if (!canonical.ok()) return BadField(field, "not a BCP 47 language tag");
  if (*canonical != tag) {
    return BadField(field, StrCat("not canonical; use \"", *canonical, "\""));
  }
  return *canonical;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string UnitName(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
  return StrCat("memoryUnits/", buf);
}

v1::MatchKind KindToProto(MatchKind k) {
  switch (k) {
    case MatchKind::kContext:
      return v1::MATCH_KIND_CONTEXT;
    case MatchKind::kExact:
      return v1::MATCH_KIND_EXACT;
    case MatchKind::kExactText:
      return v1::MATCH_KIND_EXACT_TEXT;
    case MatchKind::kFuzzy:
      return v1::MATCH_KIND_FUZZY;
  }
  return v1::MATCH_KIND_UNSPECIFIED;
}

v1::SourceEdit::Op OpToProto(TokenEdit::Op op) {
  switch (op) {
    case TokenEdit::Op::kKeep:
      return v1::SourceEdit::OP_KEEP;
    case TokenEdit::Op::kInsert:
      return v1::SourceEdit::OP_INSERT;
    case TokenEdit::Op::kDelete:
      return v1::SourceEdit::OP_DELETE;
    case TokenEdit::Op::kChange:
      return v1::SourceEdit::OP_CHANGE;
  }
  return v1::SourceEdit::OP_UNSPECIFIED;
}

// LookupRequest's and GetSuggestionsRequest's min_score and max_results.
absl::Status Limits(float min_score, int32_t max_results, LookupQuery* q) {
  if (min_score == 0) {
    q->min_score = 0.75;
  } else if (!(min_score >= 0.5f && min_score <= 1.0f)) {
    return BadField("min_score", "must be in [0.5, 1.0]");
  } else {
    q->min_score = min_score;
  }
  if (max_results < 0 || max_results > 50) {
    return BadField("max_results", "must be in [0, 50]");
  }
  q->max_results = max_results == 0 ? 5 : max_results;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SuggestionsQuery> FromProto(
    const v1::GetSuggestionsRequest& req) {
  SuggestionsQuery q;
  ASSIGN_OR_RETURN(q.ref,
                   translation::ParseTranslationName("segment", req.segment()));
  ASSIGN_OR_RETURN(q.ref.language, Language("segment", q.ref.language));
  RETURN_IF_ERROR(Limits(req.min_score(), req.max_results(), &q.lookup));
  q.lookup.target_language = q.ref.language;
  return q;
}

absl::StatusOr<LookupQuery> FromProto(const v1::LookupRequest& req) {
  LookupQuery q;
  ASSIGN_OR_RETURN(q.source_language,
                   Language("source_language", req.source_language()));
  ASSIGN_OR_RETURN(q.target_language,
                   Language("target_language", req.target_language()));
  if (req.source().text().empty()) return BadField("source.text", "required");
  if (req.source().text().size() > 65536) {
    return BadField("source.text", "longer than 65536 bytes");
  }
  ASSIGN_OR_RETURN(q.source,
                   translation::ContentFromProto("source", req.source()));
  RETURN_IF_ERROR(Limits(req.min_score(), req.max_results(), &q));
  // Neighbours are compared by their normalised text.
  if (!req.previous_source().text().empty()) {
    ASSIGN_OR_RETURN(formats::Content c,
                     translation::ContentFromProto("previous_source",
                                                   req.previous_source()));
    q.previous_source = Prepare(c, q.source_language).normalized;
  }
  if (!req.next_source().text().empty()) {
    ASSIGN_OR_RETURN(formats::Content c,
                     translation::ContentFromProto("next_source",
                                                   req.next_source()));
    q.next_source = Prepare(c, q.source_language).normalized;
  }
  return q;
}

absl::StatusOr<ConcordanceQuery> FromProto(
    const v1::SearchConcordanceRequest& req) {
  ConcordanceQuery q;
  ASSIGN_OR_RETURN(q.source_language,
                   Language("source_language", req.source_language()));
  ASSIGN_OR_RETURN(q.target_language,
                   Language("target_language", req.target_language()));
  if (req.phrase().empty()) return BadField("phrase", "required");
  if (req.phrase().size() > 200) {
    return BadField("phrase", "longer than 200 bytes");
  }
  if (!ValidateUtf8(req.phrase()).ok()) {
    return BadField("phrase", "not valid UTF-8");
  }
  q.phrase = req.phrase();
  q.in_target = req.in_target();
  if (req.max_results() < 0 || req.max_results() > 200) {
    return BadField("max_results", "must be in [0, 200]");
  }
  q.max_results = req.max_results() == 0 ? 20 : req.max_results();
  return q;
}

absl::StatusOr<ImportTmxQuery> FromProto(const v1::ImportTmxRequest& req) {
  ImportTmxQuery q;
  if (req.tmx().empty()) return BadField("tmx", "required");
  if (!req.source_language().empty()) {
    ASSIGN_OR_RETURN(q.options.source_language,
                     Language("source_language", req.source_language()));
  }
  for (int i = 0; i < req.target_languages_size(); ++i) {
    ASSIGN_OR_RETURN(std::string tag,
                     Language(StrCat("target_languages[", i, "]"),
                              req.target_languages(i)));
    q.options.target_languages.push_back(std::move(tag));
  }
  if (req.source_name().size() > 200) {
    return BadField("source_name", "longer than 200 bytes");
  }
  if (!ValidateUtf8(req.source_name()).ok()) {
    return BadField("source_name", "not valid UTF-8");
  }
  q.options.provenance = StrCat("tmx:", req.source_name());
  q.validate_only = req.validate_only();
  return q;
}

absl::StatusOr<ExportTmxQuery> FromProto(const v1::ExportTmxRequest& req) {
  ExportTmxQuery q;
  ASSIGN_OR_RETURN(q.source_language,
                   Language("source_language", req.source_language()));
  for (int i = 0; i < req.target_languages_size(); ++i) {
    ASSIGN_OR_RETURN(std::string tag,
                     Language(StrCat("target_languages[", i, "]"),
                              req.target_languages(i)));
    q.target_languages.push_back(std::move(tag));
  }
  if (req.has_update_time_range()) {
    const v1::TimeInterval& r = req.update_time_range();
    if (r.has_start_time()) q.from = FromTimestamp(r.start_time());
    if (r.has_end_time()) q.to = FromTimestamp(r.end_time());
    if (q.to < q.from) {
      return BadField("update_time_range.end_time",
                      "must not be before start_time");
    }
  }
  return q;
}

void ToProto(const storage::memory::MemoryUnitRecord& r, v1::MemoryUnit* out) {
  out->set_name(UnitName(r.unit_id()));
  out->set_source_language(r.source_language());
  out->set_target_language(r.target_language());
  if (auto c = formats::ParseReadable(r.source()); c.ok()) {
    translation::ToProto(*c, out->mutable_source());
  }
  if (auto c = formats::ParseReadable(r.target()); c.ok()) {
    translation::ToProto(*c, out->mutable_target());
  }
  out->set_unit_source(static_cast<v1::MemoryUnitSource>(r.unit_source()));
  out->set_translation(r.translation());
  if (!r.author().empty()) out->set_author(StrCat("users/", r.author()));
  if (!r.reviewer().empty()) out->set_reviewer(StrCat("users/", r.reviewer()));
  out->set_provenance(r.provenance());
  ToTimestamp(absl::FromUnixMicros(r.create_time_us()),
              out->mutable_create_time());
  ToTimestamp(absl::FromUnixMicros(r.update_time_us()),
              out->mutable_update_time());
  const std::string& t = r.translation();
  if (t.rfind("statements/", 0) == 0) {
    out->set_statement(t.substr(0, t.find('/', 11)));
  }
}

void ToProto(const Match& m, v1::MemoryMatch* out) {
  ToProto(m.unit, out->mutable_unit());
  out->set_score(static_cast<float>(m.score));
  out->set_kind(KindToProto(m.kind));
  for (const TokenEdit& e : m.diff) {
    v1::SourceEdit* d = out->add_source_diff();
    d->set_op(OpToProto(e.op));
    d->set_query_text(e.query_text);
    d->set_unit_text(e.unit_text);
  }
  translation::ToProto(m.suggestion, out->mutable_suggestion());
}

}  // namespace tessera::memory

#include "services/translation/translation_internal.h"

#include <algorithm>
#include <iterator>

#include "common/strings.h"
#include "services/common/errors.h"
#include "services/translation/translation_keys.h"

namespace tessera::translation::internal {

Tables::Tables(storage::Store* store)
    : translations(store, kTranslationsCf, kTranslationsFormat, "translation"),
      history(store, kTranslationsCf, kTranslationsFormat,
              "translation history"),
      comments(store, kTranslationsCf, kTranslationsFormat, "comment"),
      revision_applied(store, kTranslationsCf, kTranslationsFormat,
                       "revision applied"),
      comment_heads(store, kTranslationsCf, kTranslationsFormat,
                    "comment head"),
      comment_requests(store, kTranslationsCf, kTranslationsFormat,
                       "comment request") {}

bool Counted(SegmentState state) {
  return std::find(std::begin(kCountedStates), std::end(kCountedStates),
                   state) != std::end(kCountedStates);
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

void ToRecord(const formats::Content& content, rec::ContentRecord* out) {
  out->set_text(content.text);
  for (const formats::CodeRef& ref : content.codes) {
    auto* code = out->add_codes();
    code->set_id(ref.id);
    code->set_kind(static_cast<int>(ref.kind));
    code->set_offset(static_cast<uint32_t>(ref.offset));
  }
}

formats::Content FromRecord(const rec::ContentRecord& record) {
  formats::Content c;
  c.text = record.text();
  c.codes.reserve(static_cast<size_t>(record.codes_size()));
  for (const auto& code : record.codes()) {
    c.codes.push_back({code.id(), static_cast<formats::CodeKind>(code.kind()),
                       code.offset()});
  }
  return c;
}

void ToRecord(const text::QaIssue& issue, rec::QaIssueRecord* out) {
  out->set_code(static_cast<int>(issue.code));
  out->set_severity(static_cast<int>(issue.severity));
  out->set_message(issue.message);
  out->set_start(static_cast<uint32_t>(issue.start));
  out->set_end(static_cast<uint32_t>(issue.end));
  out->set_code_id(issue.code_id);
}

text::QaIssue FromRecord(const rec::QaIssueRecord& record) {
  text::QaIssue issue{static_cast<text::QaCode>(record.code()),
                      static_cast<text::QaSeverity>(record.severity()),
                      record.message(), record.start(), record.end()};
  issue.code_id = record.code_id();
  return issue;
}

HistoryEntry FromRecord(const rec::HistoryRecord& record, uint64_t version) {
  HistoryEntry e;
  e.version = version;
  e.action = static_cast<HistoryAction>(record.action());
  e.actor = record.actor();
  e.time = FromMicros(record.time_micros());
  e.state = static_cast<SegmentState>(record.state());
  e.content = FromRecord(record.content());
  e.author = record.author();
  e.origin = static_cast<Origin>(record.origin());
  e.reason = record.reason();
  e.source = FromRecord(record.source());
  e.revision = record.revision();
  e.segment_id = record.segment_id();
  for (const auto& issue : record.qa_issues()) {
    e.qa_issues.push_back(FromRecord(issue));
  }
  return e;
}

Comment FromRecord(const rec::CommentRecord& record, uint64_t comment_id) {
  return Comment{comment_id, record.author(), record.text(),
                 static_cast<uint64_t>(record.translation_version()),
                 FromMicros(record.create_time_micros())};
}

Translation MakeView(const statement::Statement& statement,
                     const TranslationRef& ref,
                     const statement::SourceSegment& source,
                     const rec::TranslationRecord* record, uint64_t version,
                     int comment_count) {
  Translation t;
  t.statement_id = statement.statement_id;
  t.language = ref.language;
  t.segment_id = ref.segment_id;
  t.source = source;
  t.review_rounds = statement.review_rounds;
  t.comment_count = comment_count;
  t.update_time = statement.create_time;
  t.version = version;
  if (!source.segment.translatable) t.state = SegmentState::kUnspecified;
  if (record == nullptr) return t;
  t.content = FromRecord(record->content());
  if (source.segment.translatable) {
    t.state = static_cast<SegmentState>(record->state());
  }
  t.author = record->author();
  t.reviewer = record->reviewer();
  t.approvers.assign(record->approvers().begin(), record->approvers().end());
  t.origin = static_cast<Origin>(record->origin());
  for (const auto& issue : record->qa_issues()) {
    t.qa_issues.push_back(FromRecord(issue));
  }
  if (record->has_draft()) {
    t.draft =
        Draft{FromRecord(record->draft().content()), record->draft().author(),
              FromMicros(record->draft().update_time_micros())};
  }
  t.rejection_reason = record->rejection_reason();
  if (record->has_previous_source()) {
    t.previous_source = FromRecord(record->previous_source());
  }
  t.update_time = FromMicros(record->update_time_micros());
  return t;
}

std::string TranslationName(const TranslationRef& ref) {
  return StrCat("statements/", ref.statement_id, "/languages/", ref.language,
                "/segments/", ref.segment_id);
}

absl::Status SegmentWrongState(const TranslationRef& ref, SegmentState state,
                               std::string_view message) {
  return WrongStateError(TranslationName(ref),
                         StrCat("SEGMENT_STATE_", SegmentStateName(state)),
                         message);
}

absl::Status StatementWrongState(const statement::Statement& statement,
                                 std::string_view message) {
  return WrongStateError(StrCat("statements/", statement.statement_id),
                         StrCat("STATEMENT_STATE_",
                                statement::StatementStateName(statement.state)),
                         message);
}

absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language) {
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied, reason, message,
                       {{"language", std::string(language)}});
}

absl::Status VersionConflict(const TranslationRef& ref, uint64_t requested,
                             uint64_t current) {
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       StrCat(TranslationName(ref), " is at version ", current,
                              ", not ", requested),
                       {{"current_version", StrCat(current)}});
}

}  // namespace tessera::translation::internal

// The reads of TranslationCore: one translation, the segments of a
// language, a translation's history, progress and the stored translations
// of a language. None writes, except that each first carries over a source
// revision its language has not had yet (see translation_core.h).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/translation/translation_carry_over.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_internal.h"
#include "services/translation/translation_keys.h"
#include "storage/key_codec.h"
#include "text/case_fold.h"
#include "text/language.h"
#include "text/normalize.h"

namespace tessera::translation {
namespace {

using internal::Context;
using internal::Need;
using internal::StoredRecord;

constexpr size_t kMaxTextQueryBytes = 200;

// Page cursors are the last position returned: a segment's ordinal, a
// history version.
std::string Cursor(uint64_t last) {
  std::string cursor;
  storage::PutFixed64BE(&cursor, last);
  return cursor;
}

absl::StatusOr<uint64_t> DecodeCursor(std::string_view token,
                                      std::string_view fingerprint) {
  ASSIGN_OR_RETURN(std::string cursor, DecodePageToken(token, fingerprint));
  if (cursor.empty()) return 0;
  std::string_view c = cursor;
  uint64_t last = 0;
  if (c.size() != 8 || !storage::GetFixed64BE(&c, &last)) {
    return BadField("page_token", "does not parse", "INVALID_TOKEN");
  }
  return last;
}

std::string ListSegmentsFingerprint(std::string_view statement_id,
                                    std::string_view language,
                                    const ListSegmentsQuery& query) {
  QueryFingerprint fp("translation.ListSegments");
  fp.String(statement_id)
      .String(language)
      .String(query.assignee)
      .String(query.text_query)
      .Bool(query.include_non_translatable);
  for (SegmentState s : query.states) fp.Int(static_cast<int>(s));
  return fp.Build();
}

bool Contains(const std::string& folded_haystack, const std::string& needle) {
  return folded_haystack.find(needle) != std::string::npos;
}

}  // namespace

absl::StatusOr<Translation> TranslationCore::GetSegment(
    const Principal& caller, const TranslationRef& ref) {
  ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kRead,
                                        /*require_open=*/false,
                                        /*require_current=*/true));
  ASSIGN_OR_RETURN(Translation t, View(ctx));
  if (workers_ != nullptr) {
    ASSIGN_OR_RETURN(std::vector<SegmentWorkers> w,
                     workers_->WorkersOf(ctx.statement, ctx.iid,
                                         ctx.ref.language, {ctx.ref.segment_id}));
    if (!w.empty()) t.workers = std::move(w.front());
  }
  return t;
}

absl::StatusOr<Translation> TranslationCore::LoadTranslation(
    const TranslationRef& ref) {
  ASSIGN_OR_RETURN(Context ctx, Prepare(InternalPrincipal(), ref, Need::kRead,
                                        /*require_open=*/false,
                                        /*require_current=*/true));
  return View(ctx);
}

absl::StatusOr<TranslationPage> TranslationCore::ListSegments(
    const Principal& caller, std::string_view statement_id,
    std::string_view language, const ListSegmentsQuery& query, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
  if (query.text_query.size() > kMaxTextQueryBytes) {
    return BadField("text_query",
                    StrCat("is longer than ", kMaxTextQueryBytes, " bytes"));
  }
  if (!ValidateUtf8(query.text_query).ok()) {
    return BadField("text_query", "is not valid UTF-8", "INVALID_UTF8");
  }
  const std::string fingerprint =
      ListSegmentsFingerprint(statement_id, language, query);
  ASSIGN_OR_RETURN(uint64_t after, DecodeCursor(page_token, fingerprint));
  TranslationRef ref{std::string(statement_id), std::string(language), ""};
  ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kRead,
                                        /*require_open=*/false,
                                        /*require_current=*/false));
  const std::string& lang = ctx.ref.language;

  // Every record and comment count of the language, then the segments of
  // the current revision in order, joined.
  std::map<std::string, StoredRecord> records;
  RETURN_IF_ERROR(tables_->translations.ScanPrefix(
      TranslationLanguagePrefix(ctx.iid, lang),
      [&](std::string_view key, const StoredRecord& record) {
        std::optional<std::string> seg = SegmentIdOfKey(key);
        if (seg.has_value()) records[*std::move(seg)] = record;
        return true;
      }));
  std::map<std::string, int> comments;
  RETURN_IF_ERROR(tables_->comment_heads.ScanPrefix(
      CommentHeadLanguagePrefix(ctx.iid, lang),
      [&](std::string_view key, const storage::Versioned<std::string>& head) {
        std::optional<std::string> seg = SegmentIdOfKey(key);
        if (seg.has_value()) {
          comments[*std::move(seg)] = static_cast<int>(head.version);
        }
        return true;
      }));
  const std::string folded =
      text::FoldCase(text::NormalizeNfc(query.text_query));
  std::optional<std::set<std::string>> assigned;
  if (!query.assignee.empty() && gate_ != nullptr) {
    ASSIGN_OR_RETURN(assigned, gate_->SegmentsOf(query.assignee, ctx.statement,
                                                 ctx.iid, lang));
  }

  TranslationPage page;
  std::string token;
  bool more = false;
  do {
    ASSIGN_OR_RETURN(
        statement::SourceSegmentPage sources,
        statements_->ListSourceSegments(ctx.statement.statement_id, 0,
                                        statement::kMaxSegmentPageSize, token,
                                        !query.include_non_translatable));
    for (statement::SourceSegment& source : sources.segments) {
      if (static_cast<uint64_t>(source.ordinal) <= after) continue;
      const std::string& seg = source.info.segment_id;
      TranslationRef r{ctx.statement.statement_id, lang, seg};
      auto record = records.find(seg);
      const StoredRecord* stored =
          record == records.end() ? nullptr : &record->second;
      auto count = comments.find(seg);
      Translation t = internal::MakeView(
          ctx.statement, r, source, stored ? &stored->record : nullptr,
          stored ? stored->version : 1,
          count == comments.end() ? 0 : count->second);
      if (!query.states.empty() &&
          std::find(query.states.begin(), query.states.end(), t.state) ==
              query.states.end()) {
        continue;
      }
      // Assignments and leases belong to the AssignmentService (the gate);
      // without one a user filter matches no segment.
      if (!query.assignee.empty() && (!assigned || assigned->count(seg) == 0)) {
        continue;
      }
      if (!folded.empty() &&
          !Contains(text::FoldCase(t.source.segment.content.text), folded) &&
          !Contains(text::FoldCase(t.content.text), folded)) {
        continue;
      }
      if (static_cast<int>(page.translations.size()) >= size) {
        more = true;
        break;
      }
      page.translations.push_back(std::move(t));
    }
    token = sources.next_page_token;
  } while (!more && !token.empty());
  if (query.with_workers && workers_ != nullptr &&
      !page.translations.empty()) {
    std::vector<std::string> ids;
    for (const Translation& t : page.translations) ids.push_back(t.segment_id);
    ASSIGN_OR_RETURN(std::vector<SegmentWorkers> w,
                     workers_->WorkersOf(ctx.statement, ctx.iid, lang, ids));
    for (size_t i = 0; i < w.size() && i < page.translations.size(); ++i) {
      page.translations[i].workers = std::move(w[i]);
    }
  }
  if (more && !page.translations.empty()) {
    page.next_page_token = EncodePageToken(
        fingerprint,
        Cursor(static_cast<uint64_t>(page.translations.back().source.ordinal)));
  }
  return page;
}

absl::StatusOr<HistoryPage> TranslationCore::GetHistory(
    const Principal& caller, const TranslationRef& ref, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kRead,
                                        /*require_open=*/false,
                                        /*require_current=*/false));
  const std::string& lang = ctx.ref.language;
  const std::string fingerprint = QueryFingerprint("translation.GetHistory")
                                      .String(ctx.ref.statement_id)
                                      .String(lang)
                                      .String(ctx.ref.segment_id)
                                      .Build();
  ASSIGN_OR_RETURN(uint64_t after, DecodeCursor(page_token, fingerprint));
  // The chain of segments this translation was carried over from.
  std::vector<std::string> chain = {ctx.ref.segment_id};
  std::set<std::string> visited = {ctx.ref.segment_id};
  std::optional<StoredRecord> r = ctx.record;
  while (r && !r->record.predecessor_segment_id().empty() &&
         visited.insert(r->record.predecessor_segment_id()).second) {
    chain.insert(chain.begin(), r->record.predecessor_segment_id());
    ASSIGN_OR_RETURN(r, tables_->translations.Get(TranslationRecordKey(
                            ctx.iid, lang, chain.front())));
  }
  std::vector<HistoryEntry> all;
  for (const std::string& seg : chain) {
    RETURN_IF_ERROR(tables_->history.ScanPrefix(
        HistorySegmentPrefix(ctx.iid, lang, seg),
        [&](std::string_view,
            const storage::Versioned<internal::rec::HistoryRecord>& entry) {
          all.push_back(internal::FromRecord(entry.record, entry.version));
          return true;
        }));
  }
  if (all.empty() && ctx.in_current) {
    HistoryEntry e;
    e.version = 1;
    e.action = HistoryAction::kCreated;
    e.time = ctx.statement.create_time;
    e.state = ctx.source.segment.translatable ? SegmentState::kUntranslated
                                              : SegmentState::kUnspecified;
    e.source = ctx.source.segment.content;
    e.revision = ctx.source.revision_number;
    e.segment_id = ctx.ref.segment_id;
    all.push_back(std::move(e));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) {
                     return a.version < b.version;
                   });
  HistoryPage page;
  for (HistoryEntry& e : all) {
    if (e.version <= after) continue;
    if (static_cast<int>(page.entries.size()) >= size) {
      page.next_page_token =
          EncodePageToken(fingerprint, Cursor(page.entries.back().version));
      break;
    }
    page.entries.push_back(std::move(e));
  }
  return page;
}

absl::StatusOr<Progress> TranslationCore::GetProgress(
    std::string_view statement_id, std::string_view language) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  ASSIGN_OR_RETURN(std::string lang, text::CanonicalizeLanguageTag(language));
  RETURN_IF_ERROR(
      carry_over_->EnsureCarriedOver(loaded.first, loaded.second, lang));
  // Reload: carrying over may have been needed for a newer revision.
  ASSIGN_OR_RETURN(loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  const auto& [statement, iid] = loaded;
  Progress p;
  int64_t segments = 0, words = 0;
  for (SegmentState s : internal::kCountedStates) {
    ASSIGN_OR_RETURN(
        int64_t n,
        store_->GetCounter(kTranslationsCf,
                           CounterKey(iid, lang, s, CounterUnit::kSegments)));
    ASSIGN_OR_RETURN(
        int64_t w,
        store_->GetCounter(kTranslationsCf,
                           CounterKey(iid, lang, s, CounterUnit::kWords)));
    Progress::Count& c = const_cast<Progress::Count&>(p.Of(s));
    c.segments = n;
    c.words = w;
    segments += n;
    words += w;
  }
  p.untranslated.segments = statement.translatable_segment_count - segments;
  p.untranslated.words = statement.word_count - words;
  return p;
}

absl::StatusOr<std::vector<TranslationCore::StoredTranslation>>
TranslationCore::ScanTranslations(std::string_view statement_id,
                                  std::string_view language) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  ASSIGN_OR_RETURN(std::string lang, text::CanonicalizeLanguageTag(language));
  RETURN_IF_ERROR(
      carry_over_->EnsureCarriedOver(loaded.first, loaded.second, lang));
  std::vector<StoredTranslation> out;
  out.reserve(64);
  absl::Status status;
  // Decoded through the table but scanned here, into one record reused
  // for every row (its containers are kept), so that the strings a
  // publication keeps are moved out rather than copied.
  const std::string prefix = TranslationLanguagePrefix(loaded.second, lang);
  StoredRecord stored;
  RETURN_IF_ERROR(store_->Scan(
      kTranslationsCf, prefix, storage::PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        status = tables_->translations.DecodeInto(key, value, &stored);
        if (!status.ok()) return false;
        StoredTranslation t;
        storage::KeyReader rest(key.substr(prefix.size()));
        if (!rest.String(&t.segment_id)) {
          status = absl::InternalError("corrupt translation record key");
          return false;
        }
        internal::rec::TranslationRecord& r = stored.record;
        t.version = stored.version;
        t.state = static_cast<SegmentState>(r.state());
        internal::rec::ContentRecord* content = r.mutable_content();
        t.content.text = std::move(*content->mutable_text());
        t.content.codes.reserve(static_cast<size_t>(content->codes_size()));
        for (const auto& code : content->codes()) {
          t.content.codes.push_back(
              {code.id(), static_cast<formats::CodeKind>(code.kind()),
               code.offset()});
        }
        t.author = std::move(*r.mutable_author());
        t.approvers.reserve(static_cast<size_t>(r.approvers_size()));
        for (std::string& a : *r.mutable_approvers()) {
          t.approvers.push_back(std::move(a));
        }
        t.origin = static_cast<Origin>(r.origin());
        t.source_words = r.counted_words();
        t.current = !r.removed() && r.successor_segment_id().empty();
        out.push_back(std::move(t));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

}  // namespace tessera::translation

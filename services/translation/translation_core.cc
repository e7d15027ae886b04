#include "services/translation/translation_core.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/content_check.h"
#include "services/common/errors.h"
#include "services/translation/translation_records.pb.h"
#include "storage/key_codec.h"
#include "text/case_fold.h"
#include "text/language.h"
#include "text/normalize.h"

namespace tessera::translation {

namespace rec = ::tessera::storage::translation;
using ::tessera::storage::ColumnFamily;
using ::tessera::storage::KeyBuilder;
using ::tessera::storage::WriteSet;

namespace {

constexpr ColumnFamily kCf = ColumnFamily::kTranslations;

// Key kinds of the translations column family; see storage/FORMAT.md.
constexpr uint8_t kTranslationKind = 0x01;
constexpr uint8_t kHistoryKind = 0x02;
constexpr uint8_t kCommentKind = 0x03;
constexpr uint8_t kCounterKind = 0x04;
constexpr uint8_t kCursorKind = 0x05;
constexpr uint8_t kAppliedKind = 0x06;
constexpr uint8_t kCommentHeadKind = 0x07;
constexpr uint8_t kCommentRequestKind = 0x08;
constexpr uint8_t kFormat1 = 0x01;

constexpr std::string_view kQaPayloadUrl = "tessera.internal/qa_issues";
constexpr int kMaxAttempts = 16;

// Every per-language key starts [kind][u64 statement][str language], and
// every per-segment key continues with [str segment].
KeyBuilder LanguageKey(uint8_t kind, uint64_t iid, std::string_view lang) {
  KeyBuilder k(kind);
  k.U64(iid).String(lang);
  return k;
}
KeyBuilder SegmentKey(uint8_t kind, uint64_t iid, std::string_view lang,
                      std::string_view seg) {
  KeyBuilder k = LanguageKey(kind, iid, lang);
  k.String(seg);
  return k;
}

std::string TranslationKey(uint64_t iid, std::string_view lang,
                           std::string_view seg) {
  return SegmentKey(kTranslationKind, iid, lang, seg).Build();
}
std::string TranslationPrefix(uint64_t iid, std::string_view lang) {
  return LanguageKey(kTranslationKind, iid, lang).Build();
}
std::string HistoryPrefix(uint64_t iid, std::string_view lang,
                          std::string_view seg) {
  return SegmentKey(kHistoryKind, iid, lang, seg).Build();
}
std::string HistoryKey(uint64_t iid, std::string_view lang,
                       std::string_view seg, uint64_t version) {
  return SegmentKey(kHistoryKind, iid, lang, seg).U64(version).Build();
}
std::string CommentPrefix(uint64_t iid, std::string_view lang,
                          std::string_view seg) {
  return SegmentKey(kCommentKind, iid, lang, seg).Build();
}
std::string CommentKey(uint64_t iid, std::string_view lang,
                       std::string_view seg, uint64_t seq) {
  return SegmentKey(kCommentKind, iid, lang, seg).U64(seq).Build();
}
std::string CommentHeadKey(uint64_t iid, std::string_view lang,
                           std::string_view seg) {
  return SegmentKey(kCommentHeadKind, iid, lang, seg).Build();
}
std::string CommentHeadPrefix(uint64_t iid, std::string_view lang) {
  return LanguageKey(kCommentHeadKind, iid, lang).Build();
}
std::string CommentRequestKey(uint64_t iid, std::string_view lang,
                              std::string_view seg, std::string_view user,
                              std::string_view request_id) {
  return SegmentKey(kCommentRequestKind, iid, lang, seg)
      .String(user)
      .String(request_id)
      .Build();
}
// which: 0 segments, 1 words.
std::string CounterKey(uint64_t iid, std::string_view lang, SegmentState state,
                       uint8_t which) {
  return LanguageKey(kCounterKind, iid, lang)
      .U8(static_cast<uint8_t>(state))
      .U8(which)
      .Build();
}
std::string CursorKey() { return KeyBuilder(kCursorKind).Build(); }
std::string AppliedKey(uint64_t iid, std::string_view lang) {
  return LanguageKey(kAppliedKind, iid, lang).Build();
}

// States kept in counters; untranslated is the remainder.
constexpr SegmentState kCountedStates[] = {
    SegmentState::kTranslated, SegmentState::kApproved, SegmentState::kRejected,
    SegmentState::kNeedsUpdate};
bool Counted(SegmentState s) {
  return std::find(std::begin(kCountedStates), std::end(kCountedStates), s) !=
         std::end(kCountedStates);
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

// ---------------------------------------------------------------------------
// Errors with google.rpc details (see "Errors" in common.proto).

std::string Name(std::string_view sid, std::string_view lang,
                 std::string_view seg) {
  return StrCat("statements/", sid, "/languages/", lang, "/segments/", seg);
}

absl::Status WrongState(std::string_view subject, std::string_view state,
                        std::string_view message) {
  return WrongStateError(subject, state, message);
}

std::string StateEnumName(SegmentState s) {
  return StrCat("SEGMENT_STATE_", SegmentStateName(s));
}

absl::Status SegmentWrongState(const TranslationRef& ref, SegmentState s,
                               std::string_view message) {
  return WrongState(Name(ref.statement_id, ref.language, ref.segment_id),
                    StateEnumName(s), message);
}

absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language) {
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied, reason, message,
                       {{"language", std::string(language)}});
}

absl::Status Conflict(const TranslationRef& ref, uint64_t requested,
                      uint64_t current) {
  return ErrorWithInfo(
      absl::StatusCode::kAborted, "VERSION_CONFLICT",
      StrCat(Name(ref.statement_id, ref.language, ref.segment_id),
             " is at version ", current, ", not ", requested),
      {{"current_version", StrCat(current)}});
}

// ---------------------------------------------------------------------------
// Record conversion.

void ToRecord(const formats::Content& c, rec::ContentRecord* r) {
  r->set_text(c.text);
  for (const formats::CodeRef& ref : c.codes) {
    auto* cr = r->add_codes();
    cr->set_id(ref.id);
    cr->set_kind(static_cast<int>(ref.kind));
    cr->set_offset(static_cast<uint32_t>(ref.offset));
  }
}
formats::Content FromRecord(const rec::ContentRecord& r) {
  formats::Content c;
  c.text = r.text();
  for (const auto& cr : r.codes()) {
    c.codes.push_back(
        {cr.id(), static_cast<formats::CodeKind>(cr.kind()), cr.offset()});
  }
  return c;
}
void ToRecord(const text::QaIssue& i, rec::QaIssueRecord* r) {
  r->set_code(static_cast<int>(i.code));
  r->set_severity(static_cast<int>(i.severity));
  r->set_message(i.message);
  r->set_start(static_cast<uint32_t>(i.start));
  r->set_end(static_cast<uint32_t>(i.end));
  r->set_code_id(i.code_id);
}
text::QaIssue FromRecord(const rec::QaIssueRecord& r) {
  text::QaIssue i{static_cast<text::QaCode>(r.code()),
                  static_cast<text::QaSeverity>(r.severity()), r.message(),
                  r.start(), r.end()};
  i.code_id = r.code_id();
  return i;
}

const Principal& Internal() {
  static const Principal* p = new Principal{"", "", {{Role::kAdmin, {}}}};
  return *p;
}

bool OnlyWhitespace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

// Checks a free-text field (reason, comment): UTF-8, at most `max` bytes,
// and unless `optional`, not empty or only whitespace. Returns it NFC.
absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view text, size_t max,
                                      bool optional) {
  if (!ValidateUtf8(text).ok()) {
    return BadField(field, "is not valid UTF-8", "INVALID_UTF8");
  }
  if (!optional && (text.empty() || OnlyWhitespace(text))) {
    return BadField(field, "is required and may not be only whitespace");
  }
  if (text.size() > max) {
    return BadField(field, StrCat("is longer than ", max, " bytes"));
  }
  return text::NormalizeNfc(text);
}

// NFC-normalises `c.text` piece by piece between code offsets, so that the
// offsets stay on the same characters.
formats::Content NormalizeContent(const formats::Content& c) {
  if (text::IsNfc(c.text)) return c;
  formats::Content out;
  size_t from = 0;
  for (const formats::CodeRef& ref : c.codes) {
    const size_t to = std::min(std::max(ref.offset, from), c.text.size());
    out.text +=
        text::NormalizeNfc(std::string_view(c.text).substr(from, to - from));
    from = to;
    out.codes.push_back({ref.id, ref.kind, out.text.size()});
  }
  out.text += text::NormalizeNfc(std::string_view(c.text).substr(from));
  return out;
}

// The structure every stored content must have; see
// formats::CheckContentStructure.
absl::Status CheckStructure(const formats::Content& c, bool required) {
  const std::optional<formats::ContentProblem> problem =
      formats::CheckContentStructure(c, kMaxContentBytes, required);
  if (!problem.has_value()) return absl::OkStatus();
  const std::string field = StrCat("content.", problem->field);
  if (problem->invalid_utf8_at.has_value()) {
    return BadField(field, problem->description, "INVALID_UTF8",
                    {{"byte_offset", StrCat(*problem->invalid_utf8_at)}});
  }
  return BadField(field, problem->description);
}

text::QaCode QaCodeOf(formats::CodeProblemKind kind) {
  switch (kind) {
    case formats::CodeProblemKind::kAdded:
      return text::QaCode::kCodeAdded;
    case formats::CodeProblemKind::kDuplicated:
      return text::QaCode::kCodeDuplicated;
    case formats::CodeProblemKind::kCrossed:
      return text::QaCode::kCodeCrossed;
    case formats::CodeProblemKind::kMissing:
      break;
  }
  return text::QaCode::kCodeMissing;
}

// Every inline-code problem of `c` against the segment's codes, each with
// the index of the code reference concerned (-1 for a missing one).
std::vector<std::pair<int, text::QaIssue>> CodeIssues(
    const formats::Segment& segment, const formats::Content& c) {
  std::vector<std::pair<int, text::QaIssue>> out;
  for (formats::CodeProblem& p : formats::FindCodeProblems(segment, c)) {
    text::QaIssue issue{QaCodeOf(p.kind), text::QaSeverity::kError,
                        std::move(p.message), p.offset, p.offset};
    issue.code_id = p.code_id;
    out.emplace_back(p.ref_index, std::move(issue));
  }
  return out;
}

uint64_t Fingerprint(std::string_view s) {
  // FNV-1a: stable across processes, unlike std::hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Page tokens: "<fingerprint of the query>.<last position>".
std::string MakeToken(uint64_t fp, uint64_t last) {
  return StrCat(fp, ".", last);
}
absl::StatusOr<uint64_t> ParseToken(std::string_view token, uint64_t fp) {
  if (token.empty()) return 0;
  const size_t dot = token.find('.');
  uint64_t got_fp = 0, last = 0;
  if (dot == std::string_view::npos ||
      !absl::SimpleAtoi(ToAbsl(token.substr(0, dot)), &got_fp) ||
      !absl::SimpleAtoi(ToAbsl(token.substr(dot + 1)), &last) || got_fp != fp) {
    return BadField("page_token", "does not parse or belongs to another query",
                    "INVALID_TOKEN");
  }
  return last;
}

absl::StatusOr<int> PageSize(int page_size) {
  if (page_size < 0) return BadField("page_size", "must not be negative");
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

}  // namespace

std::string TranslationRecordKey(uint64_t iid, std::string_view language,
                                 std::string_view segment_id) {
  return TranslationKey(iid, language, segment_id);
}

std::vector<text::QaIssue> QaIssuesOf(const absl::Status& status) {
  std::vector<text::QaIssue> out;
  auto payload = status.GetPayload(ToAbsl(kQaPayloadUrl));
  if (!payload.has_value()) return out;
  rec::QaIssuesRecord r;
  if (!r.ParseFromString(std::string(*payload))) return out;
  for (const auto& i : r.issues()) out.push_back(FromRecord(i));
  return out;
}

// What the core reads of one translation record.
struct TranslationCore::Rec {
  uint64_t version = 0;
  rec::TranslationRecord r;
};

enum class TranslationCore::Need {
  kRead,
  kTranslate,
  kReview,
  kCoordinate,
  kComment
};

// Everything a call works on.
struct TranslationCore::Ctx {
  statement::Statement statement;
  uint64_t iid = 0;
  TranslationRef ref;  // language canonical
  bool in_current = false;
  statement::SourceSegment source;
  std::optional<Rec> rec;

  // Filled by a change: the record after it, its history entry, extra
  // writes and the event type.
  rec::TranslationRecord next;
  rec::HistoryRecord entry;
  std::string event;
  bool dry_run = false;
  WriteSet extra;
  std::vector<std::function<void(WriteSet&)>> more;
};

TranslationCore::TranslationCore(storage::Store* store,
                                 statement::StatementCore* statements,
                                 Clock* clock)
    : store_(store),
      statements_(statements),
      clock_(clock),
      carry_over_(store, kCf, CursorKey(), "carry-over",
                  [this](const std::vector<storage::FeedEvent>& events) {
                    return ApplyRevisions(events);
                  }) {}

TranslationCore::~TranslationCore() { Stop(); }

absl::StatusOr<std::optional<TranslationCore::Rec>> TranslationCore::ReadRec(
    uint64_t iid, std::string_view language, std::string_view segment_id) {
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, TranslationKey(iid, language, segment_id)));
  if (!value.has_value()) return std::optional<Rec>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  Rec out;
  out.version = r.version;
  if (r.format != kFormat1 || !out.r.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt translation record");
  }
  return std::optional<Rec>(std::move(out));
}

absl::StatusOr<TranslationCore::Ctx> TranslationCore::Prepare(
    const Principal& caller, const TranslationRef& ref, Need need,
    bool require_open, bool require_current) {
  Ctx ctx;
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(ref.statement_id));
  ctx.statement = std::move(loaded.first);
  ctx.iid = loaded.second;
  ctx.ref = ref;
  auto lang = text::CanonicalizeLanguageTag(ref.language);
  if (!lang.ok()) {
    return BadField("name", StrCat("\"", ref.language,
                                   "\" is not a valid BCP 47 language tag"));
  }
  ctx.ref.language = *lang;
  const auto& targets = ctx.statement.target_languages;
  if (std::find(targets.begin(), targets.end(), *lang) == targets.end()) {
    return BadField("name",
                    StrCat("statements/", ref.statement_id,
                           " does not target the language ", *lang),
                    "LANGUAGE_NOT_TARGETED", {{"language", *lang}});
  }
  bool allowed = false;
  switch (need) {
    case Need::kRead:
      allowed =
          std::any_of(std::begin(kAllRoles), std::end(kAllRoles),
                      [&](Role r) { return caller.HasRoleFor(r, *lang); });
      break;
    case Need::kTranslate:
      allowed = caller.HasRoleFor(Role::kTranslator, *lang) ||
                caller.HasRoleFor(Role::kCoordinator, *lang);
      break;
    case Need::kReview:
      allowed = caller.HasRoleFor(Role::kReviewer, *lang) ||
                caller.HasRoleFor(Role::kCoordinator, *lang);
      break;
    case Need::kCoordinate:
      allowed = caller.HasRoleFor(Role::kCoordinator, *lang);
      break;
    case Need::kComment:
      allowed = caller.HasRoleFor(Role::kTranslator, *lang) ||
                caller.HasRoleFor(Role::kReviewer, *lang) ||
                caller.HasRoleFor(Role::kCoordinator, *lang);
      break;
  }
  if (!allowed) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  StrCat("no role of the caller allows this call in ", *lang),
                  *lang);
  }
  RETURN_IF_ERROR(EnsureCarriedOver(ctx.statement, ctx.iid, *lang));
  if (require_open && ctx.statement.state != statement::StatementState::kOpen) {
    return WrongState(StrCat("statements/", ctx.statement.statement_id),
                      StrCat("STATEMENT_STATE_", statement::StatementStateName(
                                                     ctx.statement.state)),
                      "translations change only while the statement is open");
  }
  // Language-level calls (ListSegments) name no segment.
  if (ref.segment_id.empty()) return ctx;
  auto source = statements_->GetSourceSegment(Internal(), ref.statement_id,
                                              ref.segment_id, 0);
  if (source.ok()) {
    ctx.in_current = true;
    ctx.source = *std::move(source);
  } else if (!absl::IsNotFound(source.status()) || require_current) {
    return source.status();
  }
  ASSIGN_OR_RETURN(ctx.rec, ReadRec(ctx.iid, *lang, ref.segment_id));
  if (!ctx.in_current && !ctx.rec.has_value()) return source.status();
  return ctx;
}

absl::StatusOr<int> TranslationCore::CommentCount(uint64_t iid,
                                                  std::string_view language,
                                                  std::string_view segment_id) {
  ASSIGN_OR_RETURN(auto head,
                   store_->Get(kCf, CommentHeadKey(iid, language, segment_id)));
  if (!head.has_value()) return 0;
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*head));
  return static_cast<int>(r.version);
}

namespace {

Translation MakeView(const statement::Statement& s, const TranslationRef& ref,
                     const statement::SourceSegment& source,
                     const rec::TranslationRecord* r, uint64_t version,
                     int comment_count) {
  Translation t;
  t.statement_id = s.statement_id;
  t.language = ref.language;
  t.segment_id = ref.segment_id;
  t.source = source;
  t.review_rounds = s.review_rounds;
  t.comment_count = comment_count;
  t.update_time = s.create_time;
  t.version = version;
  if (!source.segment.translatable) {
    t.state = SegmentState::kUnspecified;
  }
  if (r == nullptr) return t;
  t.content = FromRecord(r->content());
  if (source.segment.translatable) {
    t.state = static_cast<SegmentState>(r->state());
  }
  t.author = r->author();
  t.reviewer = r->reviewer();
  t.approvers.assign(r->approvers().begin(), r->approvers().end());
  t.origin = static_cast<Origin>(r->origin());
  for (const auto& i : r->qa_issues()) t.qa_issues.push_back(FromRecord(i));
  if (r->has_draft()) {
    t.draft = Draft{FromRecord(r->draft().content()), r->draft().author(),
                    FromMicros(r->draft().update_time_micros())};
  }
  t.rejection_reason = r->rejection_reason();
  if (r->has_previous_source()) {
    t.previous_source = FromRecord(r->previous_source());
  }
  t.update_time = FromMicros(r->update_time_micros());
  return t;
}

}  // namespace

absl::StatusOr<Translation> TranslationCore::View(const Ctx& ctx) {
  ASSIGN_OR_RETURN(int comments,
                   CommentCount(ctx.iid, ctx.ref.language, ctx.ref.segment_id));
  return MakeView(ctx.statement, ctx.ref, ctx.source,
                  ctx.rec ? &ctx.rec->r : nullptr,
                  ctx.rec ? ctx.rec->version : 1, comments);
}

absl::StatusOr<Translation> TranslationCore::Mutate(
    const Principal& caller, const TranslationRef& ref, uint64_t version,
    Need need, const std::function<absl::Status(Ctx&)>& change) {
  if (version == 0) {
    return BadField("version",
                    "is required: pass the Translation.version you last read");
  }
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(Ctx ctx, Prepare(caller, ref, need, /*require_open=*/true,
                                      /*require_current=*/true));
    if (!ctx.source.segment.translatable) {
      return SegmentWrongState(ctx.ref, SegmentState::kUnspecified,
                               "the segment is not translatable");
    }
    const uint64_t current = ctx.rec ? ctx.rec->version : 1;
    if (version != current) return Conflict(ctx.ref, version, current);
    if (ctx.rec) {
      ctx.next = ctx.rec->r;
    } else {
      ctx.next.set_state(static_cast<int>(SegmentState::kUntranslated));
    }
    const SegmentState before = static_cast<SegmentState>(ctx.next.state());
    const int64_t before_words = ctx.next.counted_words();
    const absl::Time now = clock_->Now();
    ctx.next.set_update_time_micros(Micros(now));
    RETURN_IF_ERROR(change(ctx));
    const uint64_t next_version = current + 1;
    const SegmentState after = static_cast<SegmentState>(ctx.next.state());
    const int64_t words = ctx.source.info.word_count;
    ctx.next.set_counted_words(words);

    WriteSet w;
    const std::string& lang = ctx.ref.language;
    const std::string& seg = ctx.ref.segment_id;
    const std::string source_revision = StrCat(ctx.source.revision_number);
    if (gate_ != nullptr &&
        (need == Need::kTranslate || need == Need::kReview)) {
      RETURN_IF_ERROR(gate_->Admit(
          caller, ctx.statement, ctx.iid, lang, seg,
          need == Need::kTranslate ? WorkKind::kTranslate : WorkKind::kReview,
          &w));
    }
    if (!ctx.rec) {
      rec::HistoryRecord created;
      created.set_action(static_cast<int>(HistoryAction::kCreated));
      created.set_time_micros(Micros(ctx.statement.create_time));
      created.set_state(static_cast<int>(SegmentState::kUntranslated));
      created.set_origin(static_cast<int>(Origin::kUnspecified));
      ToRecord(ctx.source.segment.content, created.mutable_source());
      created.set_revision(ctx.source.revision_number);
      created.set_segment_id(seg);
      w.Put(kCf, HistoryKey(ctx.iid, lang, seg, 1),
            storage::EncodeRecord(kFormat1, 1, created.SerializeAsString()));
    }
    rec::HistoryRecord& e = ctx.entry;
    e.set_actor(caller.user_id);
    e.set_time_micros(Micros(now));
    e.set_state(static_cast<int>(after));
    if (!e.has_content()) *e.mutable_content() = ctx.next.content();
    e.set_author(ctx.next.author());
    e.set_origin(ctx.next.origin());
    ToRecord(ctx.source.segment.content, e.mutable_source());
    e.set_revision(ctx.source.revision_number);
    e.set_segment_id(seg);
    if (e.qa_issues().empty() &&
        e.action() == static_cast<int>(HistoryAction::kSubmitted)) {
      *e.mutable_qa_issues() = ctx.next.qa_issues();
    }
    w.Put(kCf, HistoryKey(ctx.iid, lang, seg, next_version),
          storage::EncodeRecord(kFormat1, next_version, e.SerializeAsString()));
    const std::string key = TranslationKey(ctx.iid, lang, seg);
    w.ExpectVersion(kCf, key, ctx.rec ? ctx.rec->version : 0);
    w.Put(kCf, key,
          storage::EncodeRecord(kFormat1, next_version,
                                ctx.next.SerializeAsString()));
    if (ctx.rec && Counted(before) &&
        (before != after || before_words != words)) {
      w.AddCounter(kCf, CounterKey(ctx.iid, lang, before, 0), -1);
      w.AddCounter(kCf, CounterKey(ctx.iid, lang, before, 1), -before_words);
    }
    if (Counted(after) && (!ctx.rec || !Counted(before) || before != after ||
                           before_words != words)) {
      w.AddCounter(kCf, CounterKey(ctx.iid, lang, after, 0), 1);
      w.AddCounter(kCf, CounterKey(ctx.iid, lang, after, 1), words);
    }
    for (const auto& add : ctx.more) add(w);
    w.AppendEvent(ctx.event,
                  StrCat(Name(ctx.statement.statement_id, lang, seg), " v",
                         next_version, " by users/", caller.user_id));
    if (!ctx.dry_run) {
      absl::StatusOr<storage::CommitResult> committed =
          store_->Commit(std::move(w));
      if (!committed.ok()) {
        if (!absl::IsAborted(committed.status()) ||
            attempt + 1 >= kMaxAttempts) {
          return committed.status();
        }
        // Retried: Prepare answers a stale version with the conflict,
        // while a race on the comment thread alone is simply redone.
        continue;
      }
      if (gate_ != nullptr) {
        CommittedChange change{
            ctx.statement.statement_id,
            ctx.iid,
            lang,
            seg,
            after,
            next_version,
            ctx.next.author(),
            {ctx.next.approvers().begin(), ctx.next.approvers().end()}};
        gate_->Committed(change);
      }
    }
    // A dry run shows the translation as it would be, at today's version.
    Rec done;
    done.version = ctx.dry_run ? current : next_version;
    done.r = ctx.next;
    ctx.rec = std::move(done);
    return View(ctx);
  }
}

namespace {

// Adds `text` to the thread of `ref` in the same commit as the change.
absl::Status AddThreadWrite(storage::Store* store, uint64_t iid,
                            const TranslationRef& ref,
                            const std::string& author, const std::string& text,
                            uint64_t translation_version, absl::Time now,
                            std::vector<std::function<void(WriteSet&)>>* more) {
  const std::string head_key =
      CommentHeadKey(iid, ref.language, ref.segment_id);
  ASSIGN_OR_RETURN(auto head, store->Get(kCf, head_key));
  uint64_t count = 0;
  if (head.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*head));
    count = r.version;
  }
  rec::CommentRecord c;
  c.set_author(author);
  c.set_text(text);
  c.set_translation_version(static_cast<int64_t>(translation_version));
  c.set_create_time_micros(Micros(now));
  more->push_back([=](WriteSet& w) {
    w.ExpectVersion(kCf, head_key, count);
    w.Put(kCf, head_key, storage::EncodeRecord(kFormat1, count + 1, ""));
    w.Put(kCf, CommentKey(iid, ref.language, ref.segment_id, count + 1),
          storage::EncodeRecord(kFormat1, 1, c.SerializeAsString()));
  });
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Translation> TranslationCore::GetSegment(
    const Principal& caller, const TranslationRef& ref) {
  ASSIGN_OR_RETURN(Ctx ctx, Prepare(caller, ref, Need::kRead, false, true));
  return View(ctx);
}

absl::StatusOr<Translation> TranslationCore::LoadTranslation(
    const TranslationRef& ref) {
  ASSIGN_OR_RETURN(Ctx ctx, Prepare(Internal(), ref, Need::kRead, false, true));
  return View(ctx);
}

absl::StatusOr<Translation> TranslationCore::SaveDraft(
    const Principal& caller, const TranslationRef& ref, uint64_t version,
    const formats::Content& raw) {
  RETURN_IF_ERROR(CheckStructure(raw, /*required=*/false));
  const formats::Content content = NormalizeContent(raw);
  return Mutate(caller, ref, version, Need::kTranslate, [&](Ctx& ctx) {
    const auto state = static_cast<SegmentState>(ctx.next.state());
    if (state == SegmentState::kApproved) {
      return SegmentWrongState(ctx.ref, state,
                               "an approved translation takes no draft; "
                               "reopen it first");
    }
    ctx.entry.set_action(static_cast<int>(HistoryAction::kDraftSaved));
    if (content.text.empty()) {
      ctx.next.clear_draft();
    } else {
      auto* d = ctx.next.mutable_draft();
      d->Clear();
      ToRecord(content, d->mutable_content());
      d->set_author(caller.user_id);
      d->set_update_time_micros(ctx.next.update_time_micros());
    }
    ToRecord(content, ctx.entry.mutable_content());
    ctx.entry.set_author(caller.user_id);
    ctx.event = "translation.draft_saved";
    return absl::OkStatus();
  });
}

absl::StatusOr<Translation> TranslationCore::Submit(const Principal& caller,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    const formats::Content& raw,
                                                    bool validate_only) {
  RETURN_IF_ERROR(CheckStructure(raw, /*required=*/true));
  const formats::Content content = NormalizeContent(raw);
  return Mutate(caller, ref, version, Need::kTranslate, [&](Ctx& ctx) {
    const auto state = static_cast<SegmentState>(ctx.next.state());
    if (state == SegmentState::kApproved) {
      return SegmentWrongState(ctx.ref, state,
                               "the translation is approved; reopen it first");
    }
    // QA: inline codes against the segment, then the text checks.
    std::vector<std::pair<int, text::QaIssue>> errors =
        CodeIssues(ctx.source.segment, content);
    std::vector<text::QaIssue> warnings;
    for (text::QaIssue& i : text::CheckTranslation(
             ctx.source.segment.content.text, content.text,
             ctx.statement.source_language, ctx.ref.language)) {
      if (i.severity == text::QaSeverity::kError) {
        errors.emplace_back(-2, std::move(i));
      } else {
        warnings.push_back(std::move(i));
      }
    }
    if (errors.empty()) {
      // Anything the detailed checks let through is still refused.
      absl::Status valid =
          formats::ValidateContent(ctx.source.segment, content);
      if (!valid.ok()) {
        return BadField("content", std::string(valid.message()));
      }
    }
    if (!errors.empty()) {
      absl::Status s = ErrorWithInfo(
          absl::StatusCode::kInvalidArgument, "QA_ERRORS",
          StrCat("the translation has ", errors.size(),
                 " QA error(s): ", errors.front().second.message));
      ErrorDetails details = *DetailsOf(s);
      rec::QaIssuesRecord report;
      for (const auto& [index, issue] : errors) {
        details.fields.push_back({index >= 0
                                      ? StrCat("content.codes[", index, "]")
                                  : index == -1 ? std::string("content.codes")
                                                : std::string("content.text"),
                                  issue.message});
        ToRecord(issue, report.add_issues());
      }
      for (const auto& w : warnings) ToRecord(w, report.add_issues());
      SetDetails(s, details);
      s.SetPayload(ToAbsl(kQaPayloadUrl),
                   absl::Cord(report.SerializeAsString()));
      return s;
    }
    ctx.next.clear_content();
    ToRecord(content, ctx.next.mutable_content());
    ctx.next.set_state(static_cast<int>(SegmentState::kTranslated));
    ctx.next.set_author(caller.user_id);
    ctx.next.clear_approvers();
    ctx.next.set_origin(static_cast<int>(Origin::kHuman));
    ctx.next.clear_qa_issues();
    for (const auto& w : warnings) ToRecord(w, ctx.next.add_qa_issues());
    ctx.next.clear_draft();
    ctx.next.clear_rejection_reason();
    ctx.next.clear_previous_source();
    ctx.entry.set_action(static_cast<int>(HistoryAction::kSubmitted));
    ctx.event = "translation.submitted";
    ctx.dry_run = validate_only;
    return absl::OkStatus();
  });
}

absl::StatusOr<Translation> TranslationCore::Approve(const Principal& caller,
                                                     const TranslationRef& ref,
                                                     uint64_t version,
                                                     std::string_view comment) {
  ASSIGN_OR_RETURN(std::string text,
                   CheckText("comment", comment, kMaxReasonBytes, true));
  return Mutate(caller, ref, version, Need::kReview, [&](Ctx& ctx) {
    const auto state = static_cast<SegmentState>(ctx.next.state());
    if (state != SegmentState::kTranslated) {
      return SegmentWrongState(ctx.ref, state,
                               "only a translated segment can be approved");
    }
    if (ctx.next.author() == caller.user_id) {
      return Denied("FOUR_EYES",
                    "the author of a translation may not approve it",
                    ctx.ref.language);
    }
    for (const auto& a : ctx.next.approvers()) {
      if (a == caller.user_id) {
        return Denied("FOUR_EYES", "the caller already approved this content",
                      ctx.ref.language);
      }
    }
    ctx.next.add_approvers(caller.user_id);
    ctx.next.set_reviewer(caller.user_id);
    if (ctx.next.approvers_size() >= std::max(1, ctx.statement.review_rounds)) {
      ctx.next.set_state(static_cast<int>(SegmentState::kApproved));
    }
    ctx.entry.set_action(static_cast<int>(HistoryAction::kApproved));
    ctx.entry.set_reason(text);
    ctx.event = "translation.approved";
    if (!text.empty()) {
      RETURN_IF_ERROR(AddThreadWrite(store_, ctx.iid, ctx.ref, caller.user_id,
                                     text, ctx.rec ? ctx.rec->version + 1 : 2,
                                     FromMicros(ctx.next.update_time_micros()),
                                     &ctx.more));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Translation> TranslationCore::Reject(const Principal& caller,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    std::string_view reason) {
  ASSIGN_OR_RETURN(std::string text,
                   CheckText("reason", reason, kMaxReasonBytes, false));
  return Mutate(caller, ref, version, Need::kReview, [&](Ctx& ctx) {
    const auto state = static_cast<SegmentState>(ctx.next.state());
    if (state != SegmentState::kTranslated) {
      return SegmentWrongState(ctx.ref, state,
                               "only a translated segment can be rejected");
    }
    ctx.next.set_state(static_cast<int>(SegmentState::kRejected));
    ctx.next.set_reviewer(caller.user_id);
    ctx.next.clear_approvers();
    ctx.next.set_rejection_reason(text);
    ctx.entry.set_action(static_cast<int>(HistoryAction::kRejected));
    ctx.entry.set_reason(text);
    ctx.event = "translation.rejected";
    return AddThreadWrite(store_, ctx.iid, ctx.ref, caller.user_id, text,
                          ctx.rec ? ctx.rec->version + 1 : 2,
                          FromMicros(ctx.next.update_time_micros()), &ctx.more);
  });
}

absl::StatusOr<Translation> TranslationCore::Reopen(const Principal& caller,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    std::string_view reason) {
  ASSIGN_OR_RETURN(std::string text,
                   CheckText("reason", reason, kMaxReasonBytes, true));
  return Mutate(caller, ref, version, Need::kCoordinate, [&](Ctx& ctx) {
    const auto state = static_cast<SegmentState>(ctx.next.state());
    if (state != SegmentState::kApproved) {
      return SegmentWrongState(ctx.ref, state,
                               "only an approved segment can be reopened");
    }
    ctx.next.set_state(static_cast<int>(SegmentState::kTranslated));
    ctx.next.clear_approvers();
    ctx.entry.set_action(static_cast<int>(HistoryAction::kReopened));
    ctx.entry.set_reason(text);
    ctx.event = "translation.reopened";
    return absl::OkStatus();
  });
}

absl::StatusOr<TranslationPage> TranslationCore::ListSegments(
    const Principal& caller, std::string_view statement_id,
    std::string_view language, const ListSegmentsQuery& query, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size, PageSize(page_size));
  if (query.text_query.size() > 200) {
    return BadField("text_query", "is longer than 200 bytes");
  }
  if (!ValidateUtf8(query.text_query).ok()) {
    return BadField("text_query", "is not valid UTF-8", "INVALID_UTF8");
  }
  std::string fp_input =
      StrCat(statement_id, "|", language, "|", query.assignee, "|",
             query.text_query, "|", query.include_non_translatable ? 1 : 0);
  for (SegmentState s : query.states) {
    StrAppend(&fp_input, ",", static_cast<int>(s));
  }
  ASSIGN_OR_RETURN(uint64_t after,
                   ParseToken(page_token, Fingerprint(fp_input)));
  TranslationRef ref{std::string(statement_id), std::string(language), ""};
  ASSIGN_OR_RETURN(Ctx ctx, Prepare(caller, ref, Need::kRead, false, false));
  const std::string& lang = ctx.ref.language;

  std::map<std::string, Rec> recs;
  RETURN_IF_ERROR(store_->Scan(
      kCf, TranslationPrefix(ctx.iid, lang),
      storage::PrefixSuccessor(TranslationPrefix(ctx.iid, lang)),
      [&](std::string_view key, std::string_view value) {
        storage::KeyReader reader(key);
        uint8_t kind;
        uint64_t iid;
        std::string l, seg;
        auto r = storage::DecodeRecord(value);
        if (!reader.Kind(&kind) || !reader.U64(&iid) || !reader.String(&l) ||
            !reader.String(&seg) || !r.ok()) {
          return true;
        }
        Rec out;
        out.version = r->version;
        if (out.r.ParseFromString(r->payload)) recs[seg] = std::move(out);
        return true;
      }));
  std::map<std::string, int> comments;
  RETURN_IF_ERROR(
      store_->Scan(kCf, CommentHeadPrefix(ctx.iid, lang),
                   storage::PrefixSuccessor(CommentHeadPrefix(ctx.iid, lang)),
                   [&](std::string_view key, std::string_view value) {
                     storage::KeyReader reader(key);
                     uint8_t kind;
                     uint64_t iid;
                     std::string l, seg;
                     auto r = storage::DecodeRecord(value);
                     if (reader.Kind(&kind) && reader.U64(&iid) &&
                         reader.String(&l) && reader.String(&seg) && r.ok()) {
                       comments[seg] = static_cast<int>(r->version);
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
    ASSIGN_OR_RETURN(statement::SourceSegmentPage sp,
                     statements_->ListSourceSegments(
                         Internal(), ctx.statement.statement_id, 0,
                         statement::kMaxSegmentPageSize, token,
                         !query.include_non_translatable));
    for (statement::SourceSegment& src : sp.segments) {
      if (static_cast<uint64_t>(src.ordinal) <= after) continue;
      TranslationRef r{ctx.statement.statement_id, lang, src.info.segment_id};
      auto it = recs.find(src.info.segment_id);
      const Rec* rp = it == recs.end() ? nullptr : &it->second;
      auto c = comments.find(src.info.segment_id);
      Translation t =
          MakeView(ctx.statement, r, src, rp ? &rp->r : nullptr,
                   rp ? rp->version : 1, c == comments.end() ? 0 : c->second);
      if (!query.states.empty() &&
          std::find(query.states.begin(), query.states.end(), t.state) ==
              query.states.end()) {
        continue;
      }
      // Assignments and leases belong to the AssignmentService (the gate);
      // without one a user filter matches no segment.
      if (!query.assignee.empty() &&
          (!assigned || assigned->count(src.info.segment_id) == 0)) {
        continue;
      }
      if (!folded.empty() &&
          text::FoldCase(t.source.segment.content.text).find(folded) ==
              std::string::npos &&
          text::FoldCase(t.content.text).find(folded) == std::string::npos) {
        continue;
      }
      if (static_cast<int>(page.translations.size()) >= size) {
        more = true;
        break;
      }
      page.translations.push_back(std::move(t));
    }
    token = sp.next_page_token;
  } while (!more && !token.empty());
  if (more && !page.translations.empty()) {
    page.next_page_token = MakeToken(
        Fingerprint(fp_input),
        static_cast<uint64_t>(page.translations.back().source.ordinal));
  }
  return page;
}

absl::StatusOr<HistoryPage> TranslationCore::GetHistory(
    const Principal& caller, const TranslationRef& ref, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size, PageSize(page_size));
  ASSIGN_OR_RETURN(Ctx ctx, Prepare(caller, ref, Need::kRead, false, false));
  const uint64_t fp =
      Fingerprint(Name(ref.statement_id, ctx.ref.language, ref.segment_id));
  ASSIGN_OR_RETURN(uint64_t after, ParseToken(page_token, fp));
  const std::string& lang = ctx.ref.language;
  // The chain of segments this translation was carried over from.
  std::vector<std::string> chain = {ctx.ref.segment_id};
  std::set<std::string> visited = {ctx.ref.segment_id};
  std::optional<Rec> r = ctx.rec;
  while (r && !r->r.predecessor_segment_id().empty() &&
         visited.insert(r->r.predecessor_segment_id()).second) {
    chain.insert(chain.begin(), r->r.predecessor_segment_id());
    ASSIGN_OR_RETURN(r, ReadRec(ctx.iid, lang, chain.front()));
  }
  std::vector<HistoryEntry> all;
  for (const std::string& seg : chain) {
    RETURN_IF_ERROR(store_->Scan(
        kCf, HistoryPrefix(ctx.iid, lang, seg),
        storage::PrefixSuccessor(HistoryPrefix(ctx.iid, lang, seg)),
        [&](std::string_view, std::string_view value) {
          auto rr = storage::DecodeRecord(value);
          rec::HistoryRecord h;
          if (!rr.ok() || !h.ParseFromString(rr->payload)) return true;
          HistoryEntry e;
          e.version = rr->version;
          e.action = static_cast<HistoryAction>(h.action());
          e.actor = h.actor();
          e.time = FromMicros(h.time_micros());
          e.state = static_cast<SegmentState>(h.state());
          e.content = FromRecord(h.content());
          e.author = h.author();
          e.origin = static_cast<Origin>(h.origin());
          e.reason = h.reason();
          e.source = FromRecord(h.source());
          e.revision = h.revision();
          e.segment_id = h.segment_id();
          for (const auto& i : h.qa_issues())
            e.qa_issues.push_back(FromRecord(i));
          all.push_back(std::move(e));
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
      page.next_page_token = MakeToken(fp, page.entries.back().version);
      break;
    }
    page.entries.push_back(std::move(e));
  }
  return page;
}

absl::StatusOr<Comment> TranslationCore::AddComment(
    const Principal& caller, const TranslationRef& ref, std::string_view text,
    std::string_view request_id) {
  ASSIGN_OR_RETURN(std::string body,
                   CheckText("text", text, kMaxReasonBytes, false));
  if (request_id.size() > 64 ||
      !std::all_of(request_id.begin(), request_id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return BadField("request_id",
                    "must be 1 to 64 characters of [A-Za-z0-9_-]");
  }
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(Ctx ctx,
                     Prepare(caller, ref, Need::kComment, false, true));
    if (ctx.statement.state == statement::StatementState::kArchived) {
      return WrongState(StrCat("statements/", ctx.statement.statement_id),
                        "STATEMENT_STATE_ARCHIVED",
                        "an archived statement takes no comments");
    }
    const std::string& lang = ctx.ref.language;
    const std::string& seg = ctx.ref.segment_id;
    const std::string req_key =
        request_id.empty()
            ? std::string()
            : CommentRequestKey(ctx.iid, lang, seg, caller.user_id, request_id);
    if (!req_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, store_->Get(kCf, req_key));
      if (prior.has_value()) {
        ASSIGN_OR_RETURN(storage::Record pr, storage::DecodeRecord(*prior));
        std::string_view p = pr.payload;
        uint64_t seq = 0;
        if (!storage::GetFixed64BE(&p, &seq)) {
          return absl::InternalError("corrupt comment request record");
        }
        ASSIGN_OR_RETURN(auto value,
                         store_->Get(kCf, CommentKey(ctx.iid, lang, seg, seq)));
        if (!value.has_value()) return absl::InternalError("comment missing");
        ASSIGN_OR_RETURN(storage::Record cr, storage::DecodeRecord(*value));
        rec::CommentRecord c;
        if (!c.ParseFromString(cr.payload)) {
          return absl::InternalError("corrupt comment");
        }
        return Comment{seq, c.author(), c.text(),
                       static_cast<uint64_t>(c.translation_version()),
                       FromMicros(c.create_time_micros())};
      }
    }
    ASSIGN_OR_RETURN(int count, CommentCount(ctx.iid, lang, seg));
    const uint64_t seq = static_cast<uint64_t>(count) + 1;
    const absl::Time now = clock_->Now();
    const uint64_t tv = ctx.rec ? ctx.rec->version : 1;
    std::vector<std::function<void(WriteSet&)>> more;
    RETURN_IF_ERROR(AddThreadWrite(store_, ctx.iid, ctx.ref, caller.user_id,
                                   body, tv, now, &more));
    WriteSet w;
    for (const auto& add : more) add(w);
    if (!req_key.empty()) {
      std::string payload;
      storage::PutFixed64BE(&payload, seq);
      w.ExpectVersion(kCf, req_key, 0);
      w.Put(kCf, req_key, storage::EncodeRecord(kFormat1, 1, payload));
    }
    w.AppendEvent("translation.commented",
                  StrCat(Name(ctx.statement.statement_id, lang, seg),
                         "/comments/", seq, " by users/", caller.user_id));
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok()) {
      if (absl::IsAborted(committed.status()) && attempt + 1 < kMaxAttempts) {
        continue;
      }
      return committed.status();
    }
    return Comment{seq, caller.user_id, body, tv, now};
  }
}

absl::StatusOr<CommentPage> TranslationCore::ListComments(
    const Principal& caller, const TranslationRef& ref, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size, PageSize(page_size));
  ASSIGN_OR_RETURN(Ctx ctx, Prepare(caller, ref, Need::kRead, false, false));
  const std::string& lang = ctx.ref.language;
  const uint64_t fp =
      Fingerprint(StrCat("c|", Name(ref.statement_id, lang, ref.segment_id)));
  ASSIGN_OR_RETURN(uint64_t after, ParseToken(page_token, fp));
  CommentPage page;
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kCf, CommentKey(ctx.iid, lang, ctx.ref.segment_id, after + 1),
      storage::PrefixSuccessor(
          CommentPrefix(ctx.iid, lang, ctx.ref.segment_id)),
      [&](std::string_view key, std::string_view value) {
        if (static_cast<int>(page.comments.size()) >= size) {
          page.next_page_token = MakeToken(fp, page.comments.back().comment_id);
          return false;
        }
        std::string_view k = key.substr(key.size() - 8);
        uint64_t seq = 0;
        storage::GetFixed64BE(&k, &seq);
        auto r = storage::DecodeRecord(value);
        rec::CommentRecord c;
        if (!r.ok() || !c.ParseFromString(r->payload)) {
          status = absl::InternalError("corrupt comment");
          return false;
        }
        page.comments.push_back(
            Comment{seq, c.author(), c.text(),
                    static_cast<uint64_t>(c.translation_version()),
                    FromMicros(c.create_time_micros())});
        return true;
      }));
  RETURN_IF_ERROR(status);
  return page;
}

absl::StatusOr<Progress> TranslationCore::GetProgress(
    std::string_view statement_id, std::string_view language) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  ASSIGN_OR_RETURN(std::string lang, text::CanonicalizeLanguageTag(language));
  RETURN_IF_ERROR(EnsureCarriedOver(loaded.first, loaded.second, lang));
  // Reload: carrying over may have been needed for a newer revision.
  ASSIGN_OR_RETURN(loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  Progress p;
  int64_t segments = 0, words = 0;
  for (SegmentState s : kCountedStates) {
    ASSIGN_OR_RETURN(
        int64_t n,
        store_->GetCounter(kCf, CounterKey(loaded.second, lang, s, 0)));
    ASSIGN_OR_RETURN(
        int64_t w,
        store_->GetCounter(kCf, CounterKey(loaded.second, lang, s, 1)));
    Progress::Count& c = const_cast<Progress::Count&>(p.Of(s));
    c.segments = n;
    c.words = w;
    segments += n;
    words += w;
  }
  p.untranslated.segments = loaded.first.translatable_segment_count - segments;
  p.untranslated.words = loaded.first.word_count - words;
  return p;
}

// ---------------------------------------------------------------------------
// Carry-over of source revisions.

absl::Status TranslationCore::EnsureCarriedOver(const statement::Statement& s,
                                                uint64_t iid,
                                                std::string_view language) {
  if (s.current_revision <= 1) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto applied_value,
                   store_->Get(kCf, AppliedKey(iid, language)));
  int applied = 1;
  if (applied_value.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*applied_value));
    applied = static_cast<int>(r.version);
  }
  for (int rev = applied + 1; rev <= s.current_revision; ++rev) {
    ASSIGN_OR_RETURN(
        statement::Revision r,
        statements_->GetRevision(Internal(), s.statement_id, rev, false));
    RETURN_IF_ERROR(ApplyRevisionToLanguage(s, iid, r, language));
  }
  return absl::OkStatus();
}

absl::Status TranslationCore::ApplyRevision(std::string_view statement_id,
                                            int revision) {
  auto loaded = statements_->LoadStatementWithInternalId(statement_id);
  if (absl::IsNotFound(loaded.status())) return absl::OkStatus();
  RETURN_IF_ERROR(loaded.status());
  if (loaded->first.current_revision < revision) return absl::OkStatus();
  for (const std::string& lang : loaded->first.target_languages) {
    RETURN_IF_ERROR(EnsureCarriedOver(loaded->first, loaded->second, lang));
  }
  return absl::OkStatus();
}

absl::Status TranslationCore::ApplyRevisionToLanguage(
    const statement::Statement& s, uint64_t iid, const statement::Revision& r,
    std::string_view language) {
  const int n = r.revision_number;
  const int prev = r.changes.previous_revision;
  const std::string lang(language);
  for (int attempt = 0;; ++attempt) {
    const std::string applied_key = AppliedKey(iid, lang);
    ASSIGN_OR_RETURN(auto applied_value, store_->Get(kCf, applied_key));
    uint64_t applied_version = 0;
    int applied = 1;
    if (applied_value.has_value()) {
      ASSIGN_OR_RETURN(storage::Record ar,
                       storage::DecodeRecord(*applied_value));
      applied_version = ar.version;
      applied = static_cast<int>(ar.version);
    }
    if (applied >= n) return absl::OkStatus();
    if (applied != n - 1) {
      return absl::InternalError("revisions carried over out of order");
    }

    // Records touched by this revision: original version and new state.
    struct Touched {
      uint64_t original = 0;
      std::optional<Rec> cur;
    };
    std::map<std::string, Touched> touched;
    const auto get =
        [&](const std::string& seg) -> absl::StatusOr<std::optional<Rec>*> {
      auto it = touched.find(seg);
      if (it == touched.end()) {
        ASSIGN_OR_RETURN(std::optional<Rec> read, ReadRec(iid, lang, seg));
        Touched t;
        t.original = read ? read->version : 0;
        t.cur = std::move(read);
        it = touched.emplace(seg, std::move(t)).first;
      }
      return &it->second.cur;
    };
    WriteSet w;
    const absl::Time now = clock_->Now();
    const auto uncount = [&](const rec::TranslationRecord& t) {
      const auto st = static_cast<SegmentState>(t.state());
      if (!Counted(st) || t.removed() || !t.successor_segment_id().empty()) {
        return;
      }
      w.AddCounter(kCf, CounterKey(iid, lang, st, 0), -1);
      w.AddCounter(kCf, CounterKey(iid, lang, st, 1), -t.counted_words());
    };
    const auto count = [&](const rec::TranslationRecord& t) {
      const auto st = static_cast<SegmentState>(t.state());
      if (!Counted(st)) return;
      w.AddCounter(kCf, CounterKey(iid, lang, st, 0), 1);
      w.AddCounter(kCf, CounterKey(iid, lang, st, 1), t.counted_words());
    };
    const auto history = [&](const std::string& seg, uint64_t version,
                             HistoryAction action,
                             const rec::TranslationRecord& t,
                             const formats::Content& source) {
      rec::HistoryRecord h;
      h.set_action(static_cast<int>(action));
      h.set_time_micros(Micros(now));
      h.set_state(t.state());
      *h.mutable_content() = t.content();
      h.set_author(t.author());
      h.set_origin(t.origin());
      ToRecord(source, h.mutable_source());
      h.set_revision(n);
      h.set_segment_id(seg);
      w.Put(kCf, HistoryKey(iid, lang, seg, version),
            storage::EncodeRecord(kFormat1, version, h.SerializeAsString()));
    };
    int changes = 0;

    // Changed text: the predecessor's translation moves to the successor.
    for (const statement::ChangedSegment& ch : r.changes.changed_segments) {
      ASSIGN_OR_RETURN(std::optional<Rec> * pred,
                       get(ch.predecessor_segment_id));
      if (!pred->has_value() || (*pred)->r.removed() ||
          !(*pred)->r.successor_segment_id().empty()) {
        continue;
      }
      ASSIGN_OR_RETURN(
          statement::SourceSegment old_src,
          statements_->GetSourceSegment(Internal(), s.statement_id,
                                        ch.predecessor_segment_id, prev));
      ASSIGN_OR_RETURN(statement::SourceSegment new_src,
                       statements_->GetSourceSegment(Internal(), s.statement_id,
                                                     ch.segment_id, n));
      Rec p = **pred;
      ASSIGN_OR_RETURN(std::optional<Rec> * succ, get(ch.segment_id));
      uint64_t base = p.version;
      if (succ->has_value()) {
        uncount((*succ)->r);
        base = std::max(base, (*succ)->version);
      }
      uncount(p.r);
      const uint64_t nv = base + 1;
      Rec next;
      next.version = nv;
      next.r = p.r;
      next.r.clear_approvers();
      next.r.clear_rejection_reason();
      next.r.clear_qa_issues();
      next.r.set_predecessor_segment_id(ch.predecessor_segment_id);
      next.r.clear_successor_segment_id();
      next.r.set_removed(false);
      next.r.set_update_time_micros(Micros(now));
      next.r.set_counted_words(new_src.info.word_count);
      if (!p.r.content().text().empty()) {
        next.r.set_state(static_cast<int>(SegmentState::kNeedsUpdate));
        next.r.set_origin(static_cast<int>(Origin::kCarriedOver));
        next.r.clear_previous_source();
        ToRecord(old_src.segment.content, next.r.mutable_previous_source());
      } else {
        next.r.set_state(static_cast<int>(SegmentState::kUntranslated));
      }
      if (new_src.segment.translatable) count(next.r);
      history(ch.segment_id, nv, HistoryAction::kSourceChanged, next.r,
              new_src.segment.content);
      p.version = nv;
      p.r.set_successor_segment_id(ch.segment_id);
      **pred = p;
      *succ = next;
      ++changes;
    }

    // Removed: the translation stays, for history only.
    for (const std::string& seg : r.changes.removed_segment_ids) {
      ASSIGN_OR_RETURN(std::optional<Rec> * cur, get(seg));
      if (!cur->has_value() || (*cur)->r.removed() ||
          !(*cur)->r.successor_segment_id().empty()) {
        continue;
      }
      ASSIGN_OR_RETURN(
          statement::SourceSegment old_src,
          statements_->GetSourceSegment(Internal(), s.statement_id, seg, prev));
      uncount((*cur)->r);
      (*cur)->version += 1;
      (*cur)->r.set_removed(true);
      (*cur)->r.set_update_time_micros(Micros(now));
      history(seg, (*cur)->version, HistoryAction::kSourceRemoved, (*cur)->r,
              old_src.segment.content);
      ++changes;
    }

    // Added text that an earlier revision had: its translation comes back
    // as needs_update (or untranslated without content).
    for (const std::string& seg : r.changes.added_segment_ids) {
      ASSIGN_OR_RETURN(std::optional<Rec> * cur, get(seg));
      if (!cur->has_value() ||
          !((*cur)->r.removed() || !(*cur)->r.successor_segment_id().empty())) {
        continue;
      }
      ASSIGN_OR_RETURN(
          statement::SourceSegment new_src,
          statements_->GetSourceSegment(Internal(), s.statement_id, seg, n));
      Rec& t = **cur;
      t.version += 1;
      t.r.set_removed(false);
      t.r.clear_successor_segment_id();
      t.r.clear_approvers();
      t.r.set_counted_words(new_src.info.word_count);
      t.r.set_update_time_micros(Micros(now));
      t.r.set_state(static_cast<int>(t.r.content().text().empty()
                                         ? SegmentState::kUntranslated
                                         : SegmentState::kNeedsUpdate));
      if (new_src.segment.translatable) count(t.r);
      history(seg, t.version, HistoryAction::kSourceChanged, t.r,
              new_src.segment.content);
      ++changes;
    }

    for (const auto& [seg, t] : touched) {
      if (!t.cur.has_value() || t.cur->version == t.original) continue;
      const std::string key = TranslationKey(iid, lang, seg);
      w.ExpectVersion(kCf, key, t.original);
      w.Put(kCf, key,
            storage::EncodeRecord(kFormat1, t.cur->version,
                                  t.cur->r.SerializeAsString()));
    }
    w.ExpectVersion(kCf, applied_key, applied_version);
    w.Put(kCf, applied_key, storage::EncodeRecord(kFormat1, n, ""));
    w.AppendEvent("translation.carried_over",
                  StrCat("statements/", s.statement_id, "/languages/", lang,
                         " revision ", n, ": ", changes, " translation(s)"));
    auto committed = store_->Commit(std::move(w));
    if (committed.ok()) return absl::OkStatus();
    if (!absl::IsAborted(committed.status()) || attempt + 1 >= kMaxAttempts) {
      return committed.status();
    }
  }
}

absl::Status TranslationCore::CatchUp() { return carry_over_.CatchUp(); }

absl::StatusOr<bool> TranslationCore::ApplyRevisions(
    const std::vector<storage::FeedEvent>& events) {
  bool applied = false;
  for (const storage::FeedEvent& e : events) {
    if (e.type != "statement.revised") continue;
    // Payload: "statements/{id}/revisions/{n} by users/{user}".
    std::string_view p = e.payload;
    constexpr std::string_view kPrefix = "statements/";
    const size_t rev = p.find("/revisions/");
    int n = 0;
    if (p.substr(0, kPrefix.size()) != kPrefix ||
        rev == std::string_view::npos) {
      continue;
    }
    std::string_view num = p.substr(rev + 11);
    num = num.substr(0, num.find(' '));
    if (!absl::SimpleAtoi(ToAbsl(num), &n)) continue;
    // Each statement-language records the revision it has, so applying a
    // batch again after a crash is harmless.
    RETURN_IF_ERROR(
        ApplyRevision(p.substr(kPrefix.size(), rev - kPrefix.size()), n));
    applied = true;
  }
  return applied;
}

void TranslationCore::Start() { carry_over_.Start(); }

void TranslationCore::Stop() { carry_over_.Stop(); }

absl::StatusOr<std::vector<TranslationCore::StoredTranslation>>
TranslationCore::ScanTranslations(std::string_view statement_id,
                                  std::string_view language) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  ASSIGN_OR_RETURN(std::string lang, text::CanonicalizeLanguageTag(language));
  RETURN_IF_ERROR(EnsureCarriedOver(loaded.first, loaded.second, lang));
  const std::string prefix = TranslationPrefix(loaded.second, lang);
  std::vector<StoredTranslation> out;
  out.reserve(64);
  absl::Status status;
  // One message is parsed into again and again (its containers are
  // reused), read in place from the envelope, and the strings assembly
  // keeps are moved out of it rather than copied.
  rec::TranslationRecord tr;
  RETURN_IF_ERROR(store_->Scan(
      kCf, prefix, storage::PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        storage::KeyReader reader(key.substr(prefix.size()));
        StoredTranslation t;
        // The record envelope: format byte, then the version.
        uint64_t version = 0;
        std::string_view payload = value;
        bool envelope =
            payload.size() >= 9 && static_cast<uint8_t>(payload[0]) == kFormat1;
        if (envelope) {
          payload.remove_prefix(1);
          envelope = storage::GetFixed64BE(&payload, &version);
        }
        if (!reader.String(&t.segment_id) || !envelope ||
            !tr.ParseFromArray(payload.data(),
                               static_cast<int>(payload.size()))) {
          status = absl::InternalError("corrupt translation record");
          return false;
        }
        t.version = version;
        t.state = static_cast<SegmentState>(tr.state());
        rec::ContentRecord* content = tr.mutable_content();
        t.content.text = std::move(*content->mutable_text());
        t.content.codes.reserve(static_cast<size_t>(content->codes_size()));
        for (const auto& cr : content->codes()) {
          t.content.codes.push_back({cr.id(),
                                     static_cast<formats::CodeKind>(cr.kind()),
                                     cr.offset()});
        }
        t.author = std::move(*tr.mutable_author());
        t.approvers.reserve(static_cast<size_t>(tr.approvers_size()));
        for (std::string& a : *tr.mutable_approvers()) {
          t.approvers.push_back(std::move(a));
        }
        t.origin = static_cast<Origin>(tr.origin());
        t.source_words = tr.counted_words();
        t.current = !tr.removed() && tr.successor_segment_id().empty();
        out.push_back(std::move(t));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

}  // namespace tessera::translation

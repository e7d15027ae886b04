// The changes of a translation's state machine: SaveDraft, Submit, Approve,
// Reject and Reopen. Each reads top to bottom: check the input, load the
// translation, apply the transition's rules to the record, ask the
// WorkGuard, build the writes, check the deadline, commit.
#include <algorithm>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/translation/translation_checks.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_internal.h"
#include "services/translation/translation_keys.h"

namespace tessera::translation {
namespace {

using internal::Attempts;
using internal::Context;
using internal::Need;
using internal::rec::HistoryRecord;
using internal::rec::TranslationRecord;
using storage::WriteSet;

absl::Status RequireVersion(uint64_t version) {
  if (version == 0) {
    return BadField("version",
                    "is required: pass the Translation.version you last read");
  }
  return absl::OkStatus();
}

// One change to one translation: the record as it was and as the change
// leaves it, and the history entry that records the change.
class Change {
 public:
  // Starts changing the prepared `ctx`, requested at `version`, at `now`.
  // FAILED_PRECONDITION (WRONG_STATE) for a segment that is not
  // translatable; ABORTED (VERSION_CONFLICT) for a stale version.
  static absl::StatusOr<Change> Begin(Context ctx, uint64_t version,
                                      absl::Time now) {
    if (!ctx.source.segment.translatable) {
      return internal::SegmentWrongState(ctx.ref, SegmentState::kUnspecified,
                                         "the segment is not translatable");
    }
    if (version != ctx.version()) {
      return internal::VersionConflict(ctx.ref, version, ctx.version());
    }
    return Change(std::move(ctx), now);
  }

  const Context& context() const { return ctx_; }
  const TranslationRef& ref() const { return ctx_.ref; }
  absl::Time now() const { return now_; }
  uint64_t next_version() const { return ctx_.version() + 1; }

  // The record as the change leaves it; starts as it is.
  TranslationRecord& next() { return next_; }
  SegmentState state() const {
    return static_cast<SegmentState>(next_.state());
  }
  // The history entry; the rules set its action (and reason or content),
  // Write() the rest.
  HistoryRecord& entry() { return entry_; }

  // Adds the change to `writes`: the "created" entry before a first
  // change, the entry, the record (compare-and-set on the version read)
  // and the counter deltas.
  void Write(const internal::Tables& tables, const Principal& caller,
             WriteSet* writes) {
    const uint64_t version = next_version();
    const SegmentState after = state();
    const int64_t words = ctx_.source.info.word_count;
    next_.set_counted_words(words);
    const std::string& lang = ctx_.ref.language;
    const std::string& seg = ctx_.ref.segment_id;
    const bool first = !ctx_.record.has_value();
    if (first) {
      HistoryRecord created;
      created.set_action(static_cast<int>(HistoryAction::kCreated));
      created.set_time_micros(internal::Micros(ctx_.statement.create_time));
      created.set_state(static_cast<int>(SegmentState::kUntranslated));
      created.set_origin(static_cast<int>(Origin::kUnspecified));
      internal::ToRecord(ctx_.source.segment.content, created.mutable_source());
      created.set_revision(ctx_.source.revision_number);
      created.set_segment_id(seg);
      tables.history.Put(writes, HistoryKey(ctx_.iid, lang, seg, 1), created,
                         1);
    }
    HistoryRecord& e = entry_;
    e.set_actor(caller.user_id);
    e.set_time_micros(internal::Micros(now_));
    e.set_state(static_cast<int>(after));
    if (!e.has_content()) *e.mutable_content() = next_.content();
    e.set_author(next_.author());
    e.set_origin(next_.origin());
    internal::ToRecord(ctx_.source.segment.content, e.mutable_source());
    e.set_revision(ctx_.source.revision_number);
    e.set_segment_id(seg);
    if (e.qa_issues().empty() &&
        e.action() == static_cast<int>(HistoryAction::kSubmitted)) {
      *e.mutable_qa_issues() = next_.qa_issues();
    }
    tables.history.Put(writes, HistoryKey(ctx_.iid, lang, seg, version), e,
                       version);
    const std::string key = TranslationRecordKey(ctx_.iid, lang, seg);
    tables.translations.ExpectVersion(writes, key,
                                      first ? 0 : ctx_.record->version);
    tables.translations.Put(writes, key, next_, version);
    // A record's counter contribution changes with its state or its words.
    const bool moved = before_ != after || before_words_ != words;
    if (!first && internal::Counted(before_) && moved) {
      AddToCounters(writes, before_, -1, -before_words_);
    }
    if (internal::Counted(after) &&
        (first || !internal::Counted(before_) || moved)) {
      AddToCounters(writes, after, 1, words);
    }
  }

  // Adds the change's feed event of `type` to `writes`.
  void AppendEvent(std::string_view type, const Principal& caller,
                   WriteSet* writes) const {
    writes->AppendEvent(
        type, StrCat(internal::TranslationName(ctx_.ref), " v", next_version(),
                     " by users/", caller.user_id));
  }

  // The context with the record as committed.
  Context Committed() && { return std::move(*this).WithNext(next_version()); }
  // The context with the record as the change would leave it, at today's
  // version, for a change that validates only.
  Context DryRun() && { return std::move(*this).WithNext(ctx_.version()); }

 private:
  Change(Context ctx, absl::Time now) : ctx_(std::move(ctx)), now_(now) {
    if (ctx_.record.has_value()) {
      next_ = ctx_.record->record;
    } else {
      next_.set_state(static_cast<int>(SegmentState::kUntranslated));
    }
    before_ = state();
    before_words_ = next_.counted_words();
    next_.set_update_time_micros(internal::Micros(now_));
  }

  void AddToCounters(WriteSet* writes, SegmentState state, int64_t segments,
                     int64_t words) const {
    const std::string& lang = ctx_.ref.language;
    writes->AddCounter(
        kTranslationsCf,
        CounterKey(ctx_.iid, lang, state, CounterUnit::kSegments), segments);
    writes->AddCounter(kTranslationsCf,
                       CounterKey(ctx_.iid, lang, state, CounterUnit::kWords),
                       words);
  }

  Context WithNext(uint64_t version) && {
    ctx_.record = internal::StoredRecord{std::move(next_), version};
    return std::move(ctx_);
  }

  Context ctx_;
  absl::Time now_;
  TranslationRecord next_;
  HistoryRecord entry_;
  SegmentState before_ = SegmentState::kUntranslated;
  int64_t before_words_ = 0;
};

}  // namespace

absl::StatusOr<Translation> TranslationCore::SaveDraft(
    const CallContext& call, const TranslationRef& ref, uint64_t version,
    const formats::Content& raw) {
  RETURN_IF_ERROR(internal::CheckStructure(raw, /*required=*/false));
  const formats::Content content = internal::NormalizeContent(raw);
  RETURN_IF_ERROR(RequireVersion(version));
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kTranslate,
                                          /*require_open=*/true,
                                          /*require_current=*/true));
    ASSIGN_OR_RETURN(Change change,
                     Change::Begin(std::move(ctx), version, clock_->Now()));
    if (change.state() == SegmentState::kApproved) {
      return internal::SegmentWrongState(
          change.ref(), change.state(),
          "an approved translation takes no draft; reopen it first");
    }
    TranslationRecord& next = change.next();
    if (content.text.empty()) {
      next.clear_draft();
    } else {
      auto* draft = next.mutable_draft();
      draft->Clear();
      internal::ToRecord(content, draft->mutable_content());
      draft->set_author(caller.user_id);
      draft->set_update_time_micros(next.update_time_micros());
    }
    change.entry().set_action(static_cast<int>(HistoryAction::kDraftSaved));
    internal::ToRecord(content, change.entry().mutable_content());

    WriteSet writes;
    RETURN_IF_ERROR(
        Admit(caller, change.context(), WorkKind::kTranslate, &writes));
    change.Write(*tables_, caller, &writes);
    change.AppendEvent("translation.draft_saved", caller, &writes);
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Finish(std::move(change).Committed());
  }
}

absl::StatusOr<Translation> TranslationCore::Submit(const CallContext& call,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    const formats::Content& raw,
                                                    bool validate_only) {
  RETURN_IF_ERROR(internal::CheckStructure(raw, /*required=*/true));
  const formats::Content content = internal::NormalizeContent(raw);
  RETURN_IF_ERROR(RequireVersion(version));
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kTranslate,
                                          /*require_open=*/true,
                                          /*require_current=*/true));
    ASSIGN_OR_RETURN(Change change,
                     Change::Begin(std::move(ctx), version, clock_->Now()));
    if (change.state() == SegmentState::kApproved) {
      return internal::SegmentWrongState(
          change.ref(), change.state(),
          "the translation is approved; reopen it first");
    }
    ASSIGN_OR_RETURN(
        std::vector<text::QaIssue> warnings,
        internal::CheckSubmission(change.context().source.segment, content,
                                  change.context().statement.source_language,
                                  change.ref().language));
    if (glossary_ != nullptr) {
      ASSIGN_OR_RETURN(
          std::vector<text::QaIssue> terms,
          glossary_->Check(change.context().statement.source_language,
                           change.ref().language,
                           change.context().source.segment.content.text,
                           content.text));
      warnings.insert(warnings.end(), terms.begin(), terms.end());
    }
    TranslationRecord& next = change.next();
    next.clear_content();
    internal::ToRecord(content, next.mutable_content());
    next.set_state(static_cast<int>(SegmentState::kTranslated));
    next.set_author(caller.user_id);
    next.clear_approvers();
    next.set_origin(static_cast<int>(Origin::kHuman));
    next.clear_qa_issues();
    for (const auto& w : warnings) internal::ToRecord(w, next.add_qa_issues());
    next.clear_draft();
    next.clear_rejection_reason();
    next.clear_previous_source();
    change.entry().set_action(static_cast<int>(HistoryAction::kSubmitted));

    WriteSet writes;
    RETURN_IF_ERROR(
        Admit(caller, change.context(), WorkKind::kTranslate, &writes));
    change.Write(*tables_, caller, &writes);
    change.AppendEvent("translation.submitted", caller, &writes);
    if (validate_only) return View(std::move(change).DryRun());
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Finish(std::move(change).Committed());
  }
}

absl::StatusOr<Translation> TranslationCore::Approve(const CallContext& call,
                                                     const TranslationRef& ref,
                                                     uint64_t version,
                                                     std::string_view comment) {
  ASSIGN_OR_RETURN(std::string text,
                   internal::CheckText("comment", comment, kMaxReasonBytes,
                                       /*optional=*/true));
  RETURN_IF_ERROR(RequireVersion(version));
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kReview,
                                          /*require_open=*/true,
                                          /*require_current=*/true));
    ASSIGN_OR_RETURN(Change change,
                     Change::Begin(std::move(ctx), version, clock_->Now()));
    if (change.state() != SegmentState::kTranslated) {
      return internal::SegmentWrongState(
          change.ref(), change.state(),
          "only a translated segment can be approved");
    }
    TranslationRecord& next = change.next();
    if (next.author() == caller.user_id) {
      return internal::Denied("FOUR_EYES",
                              "the author of a translation may not approve it",
                              change.ref().language);
    }
    if (std::find(next.approvers().begin(), next.approvers().end(),
                  caller.user_id) != next.approvers().end()) {
      return internal::Denied("FOUR_EYES",
                              "the caller already approved this content",
                              change.ref().language);
    }
    next.add_approvers(caller.user_id);
    next.set_reviewer(caller.user_id);
    if (next.approvers_size() >=
        std::max(1, change.context().statement.review_rounds)) {
      next.set_state(static_cast<int>(SegmentState::kApproved));
    }
    change.entry().set_action(static_cast<int>(HistoryAction::kApproved));
    change.entry().set_reason(text);

    WriteSet writes;
    RETURN_IF_ERROR(
        Admit(caller, change.context(), WorkKind::kReview, &writes));
    change.Write(*tables_, caller, &writes);
    if (!text.empty()) {
      RETURN_IF_ERROR(AddToThread(change.context(), caller.user_id, text,
                                  change.next_version(), change.now(), &writes)
                          .status());
    }
    change.AppendEvent("translation.approved", caller, &writes);
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Finish(std::move(change).Committed());
  }
}

absl::StatusOr<Translation> TranslationCore::Reject(const CallContext& call,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    std::string_view reason) {
  ASSIGN_OR_RETURN(std::string text,
                   internal::CheckText("reason", reason, kMaxReasonBytes,
                                       /*optional=*/false));
  RETURN_IF_ERROR(RequireVersion(version));
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kReview,
                                          /*require_open=*/true,
                                          /*require_current=*/true));
    ASSIGN_OR_RETURN(Change change,
                     Change::Begin(std::move(ctx), version, clock_->Now()));
    if (change.state() != SegmentState::kTranslated) {
      return internal::SegmentWrongState(
          change.ref(), change.state(),
          "only a translated segment can be rejected");
    }
    TranslationRecord& next = change.next();
    next.set_state(static_cast<int>(SegmentState::kRejected));
    next.set_reviewer(caller.user_id);
    next.clear_approvers();
    next.set_rejection_reason(text);
    change.entry().set_action(static_cast<int>(HistoryAction::kRejected));
    change.entry().set_reason(text);

    WriteSet writes;
    RETURN_IF_ERROR(
        Admit(caller, change.context(), WorkKind::kReview, &writes));
    change.Write(*tables_, caller, &writes);
    // The reason also joins the comment thread.
    RETURN_IF_ERROR(AddToThread(change.context(), caller.user_id, text,
                                change.next_version(), change.now(), &writes)
                        .status());
    change.AppendEvent("translation.rejected", caller, &writes);
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Finish(std::move(change).Committed());
  }
}

absl::StatusOr<Translation> TranslationCore::Reopen(const CallContext& call,
                                                    const TranslationRef& ref,
                                                    uint64_t version,
                                                    std::string_view reason) {
  ASSIGN_OR_RETURN(std::string text,
                   internal::CheckText("reason", reason, kMaxReasonBytes,
                                       /*optional=*/true));
  RETURN_IF_ERROR(RequireVersion(version));
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kCoordinate,
                                          /*require_open=*/true,
                                          /*require_current=*/true));
    ASSIGN_OR_RETURN(Change change,
                     Change::Begin(std::move(ctx), version, clock_->Now()));
    if (change.state() != SegmentState::kApproved) {
      return internal::SegmentWrongState(
          change.ref(), change.state(),
          "only an approved segment can be reopened");
    }
    TranslationRecord& next = change.next();
    next.set_state(static_cast<int>(SegmentState::kTranslated));
    next.clear_approvers();
    change.entry().set_action(static_cast<int>(HistoryAction::kReopened));
    change.entry().set_reason(text);

    // Reopening is the coordinator's call: no WorkGuard.
    WriteSet writes;
    change.Write(*tables_, caller, &writes);
    change.AppendEvent("translation.reopened", caller, &writes);
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Finish(std::move(change).Committed());
  }
}

}  // namespace tessera::translation

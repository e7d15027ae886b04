#include "services/translation/translation_carry_over.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/translation/translation_keys.h"

namespace tessera::translation::internal {
namespace {

using ::tessera::storage::WriteSet;

// A record that moved to a successor or lost its segment is kept for
// history only.
bool Retired(const rec::TranslationRecord& r) {
  return r.removed() || !r.successor_segment_id().empty();
}

// One revision carried over to one language: reads the records the
// revision touches, changes them in memory and collects the writes of the
// one commit that applies it.
class LanguageCarry {
 public:
  LanguageCarry(const Tables& tables, const StatementReader& statements,
                const statement::Statement& statement, uint64_t iid,
                const statement::Revision& revision, std::string language,
                absl::Time now)
      : tables_(tables),
        statements_(statements),
        statement_id_(statement.statement_id),
        iid_(iid),
        revision_(revision.revision_number),
        previous_(revision.changes.previous_revision),
        language_(std::move(language)),
        now_(now) {}

  // Changed text: the predecessor's translation moves to the successor.
  absl::Status MoveToSuccessor(const statement::ChangedSegment& change) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> * pred,
                     Touch(change.predecessor_segment_id));
    if (!pred->has_value() || Retired((*pred)->record)) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        statement::SourceSegment old_source,
        statements_.GetSourceSegment(statement_id_,
                                     change.predecessor_segment_id, previous_));
    ASSIGN_OR_RETURN(statement::SourceSegment new_source,
                     statements_.GetSourceSegment(
                         statement_id_, change.segment_id, revision_));
    StoredRecord p = **pred;
    ASSIGN_OR_RETURN(std::optional<StoredRecord> * succ,
                     Touch(change.segment_id));
    // The successor's numbers continue above both records'.
    uint64_t base = p.version;
    if (succ->has_value()) {
      Uncount((*succ)->record);
      base = std::max(base, (*succ)->version);
    }
    Uncount(p.record);
    StoredRecord next;
    next.version = base + 1;
    next.record = p.record;
    rec::TranslationRecord& r = next.record;
    r.clear_approvers();
    r.clear_rejection_reason();
    r.clear_qa_issues();
    r.set_predecessor_segment_id(change.predecessor_segment_id);
    r.clear_successor_segment_id();
    r.set_removed(false);
    r.set_update_time_micros(Micros(now_));
    r.set_counted_words(new_source.info.word_count);
    if (!p.record.content().text().empty()) {
      r.set_state(static_cast<int>(SegmentState::kNeedsUpdate));
      r.set_origin(static_cast<int>(Origin::kCarriedOver));
      r.clear_previous_source();
      ToRecord(old_source.segment.content, r.mutable_previous_source());
    } else {
      r.set_state(static_cast<int>(SegmentState::kUntranslated));
    }
    if (new_source.segment.translatable) Count(r);
    History(change.segment_id, next.version, HistoryAction::kSourceChanged, r,
            new_source.segment.content);
    p.version = next.version;
    p.record.set_successor_segment_id(change.segment_id);
    **pred = std::move(p);
    *succ = std::move(next);
    ++changes_;
    return absl::OkStatus();
  }

  // Removed: the translation stays, for history only.
  absl::Status Remove(const std::string& segment_id) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> * cur, Touch(segment_id));
    if (!cur->has_value() || Retired((*cur)->record)) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        statement::SourceSegment old_source,
        statements_.GetSourceSegment(statement_id_, segment_id, previous_));
    StoredRecord& t = **cur;
    Uncount(t.record);
    t.version += 1;
    t.record.set_removed(true);
    t.record.set_update_time_micros(Micros(now_));
    History(segment_id, t.version, HistoryAction::kSourceRemoved, t.record,
            old_source.segment.content);
    ++changes_;
    return absl::OkStatus();
  }

  // Added text that an earlier revision had: its translation comes back as
  // needs_update (or untranslated without content).
  absl::Status Restore(const std::string& segment_id) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> * cur, Touch(segment_id));
    if (!cur->has_value() || !Retired((*cur)->record)) {
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(
        statement::SourceSegment new_source,
        statements_.GetSourceSegment(statement_id_, segment_id, revision_));
    StoredRecord& t = **cur;
    t.version += 1;
    t.record.set_removed(false);
    t.record.clear_successor_segment_id();
    t.record.clear_approvers();
    t.record.set_counted_words(new_source.info.word_count);
    t.record.set_update_time_micros(Micros(now_));
    t.record.set_state(static_cast<int>(t.record.content().text().empty()
                                            ? SegmentState::kUntranslated
                                            : SegmentState::kNeedsUpdate));
    if (new_source.segment.translatable) Count(t.record);
    History(segment_id, t.version, HistoryAction::kSourceChanged, t.record,
            new_source.segment.content);
    ++changes_;
    return absl::OkStatus();
  }

  // The commit: every record changed (compare-and-set on the version read),
  // the history and counters collected on the way, the language's applied
  // revision raised from `applied_version`, and the event.
  WriteSet Build(uint64_t applied_version) && {
    for (const auto& [segment_id, t] : touched_) {
      if (!t.now.has_value() || t.now->version == t.read_version) continue;
      const std::string key = TranslationRecordKey(iid_, language_, segment_id);
      tables_.translations.ExpectVersion(&writes_, key, t.read_version);
      tables_.translations.Put(&writes_, key, t.now->record, t.now->version);
    }
    const std::string applied_key = RevisionAppliedKey(iid_, language_);
    tables_.revision_applied.ExpectVersion(&writes_, applied_key,
                                           applied_version);
    tables_.revision_applied.Put(&writes_, applied_key, "",
                                 static_cast<uint64_t>(revision_));
    writes_.AppendEvent(
        "translation.carried_over",
        StrCat("statements/", statement_id_, "/languages/", language_,
               " revision ", revision_, ": ", changes_, " translation(s)"));
    return std::move(writes_);
  }

 private:
  // A record this revision touches: the version it was read at, and the
  // record as the revision leaves it (nullopt: there is none).
  struct Touched {
    uint64_t read_version = 0;
    std::optional<StoredRecord> now;
  };

  absl::StatusOr<std::optional<StoredRecord>*> Touch(
      const std::string& segment_id) {
    auto it = touched_.find(segment_id);
    if (it == touched_.end()) {
      ASSIGN_OR_RETURN(std::optional<StoredRecord> read,
                       tables_.translations.Get(
                           TranslationRecordKey(iid_, language_, segment_id)));
      Touched t;
      t.read_version = read ? read->version : 0;
      t.now = std::move(read);
      it = touched_.emplace(segment_id, std::move(t)).first;
    }
    return &it->second.now;
  }

  void AddToCounters(const rec::TranslationRecord& r, int64_t sign) {
    const auto state = static_cast<SegmentState>(r.state());
    writes_.AddCounter(
        kTranslationsCf,
        CounterKey(iid_, language_, state, CounterUnit::kSegments), sign);
    writes_.AddCounter(kTranslationsCf,
                       CounterKey(iid_, language_, state, CounterUnit::kWords),
                       sign * r.counted_words());
  }
  void Uncount(const rec::TranslationRecord& r) {
    if (Counted(static_cast<SegmentState>(r.state())) && !Retired(r)) {
      AddToCounters(r, -1);
    }
  }
  void Count(const rec::TranslationRecord& r) {
    if (Counted(static_cast<SegmentState>(r.state()))) AddToCounters(r, 1);
  }

  void History(const std::string& segment_id, uint64_t version,
               HistoryAction action, const rec::TranslationRecord& r,
               const formats::Content& source) {
    rec::HistoryRecord h;
    h.set_action(static_cast<int>(action));
    h.set_time_micros(Micros(now_));
    h.set_state(r.state());
    *h.mutable_content() = r.content();
    h.set_author(r.author());
    h.set_origin(r.origin());
    ToRecord(source, h.mutable_source());
    h.set_revision(revision_);
    h.set_segment_id(segment_id);
    tables_.history.Put(
        &writes_, HistoryKey(iid_, language_, segment_id, version), h, version);
  }

  const Tables& tables_;
  const StatementReader& statements_;
  const std::string statement_id_;
  const uint64_t iid_;
  const int revision_;
  const int previous_;
  const std::string language_;
  const absl::Time now_;
  std::map<std::string, Touched> touched_;
  WriteSet writes_;
  int changes_ = 0;
};

}  // namespace

CarryOver::CarryOver(storage::Store* store, const storage::FeedSource* feed,
                     const StatementReader* statements, Clock* clock,
                     const Tables* tables)
    : store_(store),
      statements_(statements),
      clock_(clock),
      tables_(tables),
      consumer_(store, feed, kTranslationsCf, CarryOverCursorKey(),
                "carry-over",
                [this](const std::vector<storage::FeedEvent>& events) {
                  return ApplyEvents(events);
                }) {}

absl::Status CarryOver::EnsureCarriedOver(const statement::Statement& statement,
                                          uint64_t iid,
                                          std::string_view language) {
  if (statement.current_revision <= 1) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto applied, tables_->revision_applied.Get(
                                     RevisionAppliedKey(iid, language)));
  const int done = applied ? static_cast<int>(applied->version) : 1;
  for (int n = done + 1; n <= statement.current_revision; ++n) {
    ASSIGN_OR_RETURN(statement::Revision revision,
                     statements_->GetRevision(statement.statement_id, n));
    RETURN_IF_ERROR(ApplyToLanguage(statement, iid, revision, language));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> CarryOver::ApplyEvents(
    const std::vector<storage::FeedEvent>& events) {
  bool applied = false;
  for (const storage::FeedEvent& e : events) {
    if (e.type != "statement.revised") continue;
    // Payload: "statements/{id}/revisions/{n} by users/{user}".
    std::string_view p = e.payload;
    constexpr std::string_view kPrefix = "statements/";
    constexpr std::string_view kRevisions = "/revisions/";
    const size_t at = p.find(kRevisions);
    if (p.substr(0, kPrefix.size()) != kPrefix ||
        at == std::string_view::npos) {
      continue;
    }
    std::string_view number = p.substr(at + kRevisions.size());
    number = number.substr(0, number.find(' '));
    int n = 0;
    if (!absl::SimpleAtoi(ToAbsl(number), &n)) continue;
    // Each statement-language records the revision it has, so applying a
    // batch again after a crash is harmless.
    RETURN_IF_ERROR(
        ApplyRevision(p.substr(kPrefix.size(), at - kPrefix.size()), n));
    applied = true;
  }
  return applied;
}

absl::Status CarryOver::ApplyRevision(std::string_view statement_id,
                                      int revision) {
  auto loaded = statements_->LoadStatementWithInternalId(statement_id);
  if (absl::IsNotFound(loaded.status())) return absl::OkStatus();
  RETURN_IF_ERROR(loaded.status());
  const auto& [statement, iid] = *loaded;
  if (statement.current_revision < revision) return absl::OkStatus();
  for (const std::string& language : statement.target_languages) {
    RETURN_IF_ERROR(EnsureCarriedOver(statement, iid, language));
  }
  return absl::OkStatus();
}

absl::Status CarryOver::ApplyToLanguage(const statement::Statement& statement,
                                        uint64_t iid,
                                        const statement::Revision& revision,
                                        std::string_view language) {
  const int n = revision.revision_number;
  const std::string applied_key = RevisionAppliedKey(iid, language);
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(auto applied, tables_->revision_applied.Get(applied_key));
    const uint64_t applied_version = applied ? applied->version : 0;
    const int done = applied ? static_cast<int>(applied->version) : 1;
    if (done >= n) return absl::OkStatus();
    if (done != n - 1) {
      return absl::InternalError("revisions carried over out of order");
    }
    LanguageCarry carry(*tables_, *statements_, statement, iid, revision,
                        std::string(language), clock_->Now());
    for (const statement::ChangedSegment& change :
         revision.changes.changed_segments) {
      RETURN_IF_ERROR(carry.MoveToSuccessor(change));
    }
    for (const std::string& segment_id : revision.changes.removed_segment_ids) {
      RETURN_IF_ERROR(carry.Remove(segment_id));
    }
    for (const std::string& segment_id : revision.changes.added_segment_ids) {
      RETURN_IF_ERROR(carry.Restore(segment_id));
    }
    absl::Status committed =
        store_->Commit(std::move(carry).Build(applied_version)).status();
    if (!attempts.Again(committed)) return committed;
  }
}

}  // namespace tessera::translation::internal

// StatementCore's changes: create, revise, update and the lifecycle
// transitions. The reads are in statement_reads.cc.
#include "services/statement/statement_core.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/statement/revision_matching.h"
#include "services/statement/statement_keys.h"
#include "services/statement/statement_tables.h"
#include "services/statement/statement_validation.h"
#include "storage/key_codec.h"

namespace tessera::statement {
namespace {

using storage::KeyBuilder;
using storage::WriteSet;

// Canonical bytes of a request for request-id fingerprints. The digest is
// stored in RequestRecord, so these bytes are part of the format.
class Fingerprint {
 public:
  explicit Fingerprint(std::string_view kind) { Add(kind); }
  Fingerprint& Add(std::string_view s) {
    buf_.append(KeyBuilder(0).String(s).key(), 1);
    return *this;
  }
  Fingerprint& Add(int64_t v) {
    storage::PutFixed64BE(&buf_, static_cast<uint64_t>(v));
    return *this;
  }
  Fingerprint& Add(const std::vector<NoTranslateRange>& ranges) {
    Add(static_cast<int64_t>(ranges.size()));
    for (const auto& r : ranges) {
      Add(static_cast<int64_t>(r.kind)).Add(r.first).Add(r.last);
    }
    return *this;
  }
  std::string Digest() const { return Sha256(buf_); }

 private:
  std::string buf_;
};

std::string CreateFingerprint(const CreateParams& p,
                              std::string_view source_language,
                              const std::vector<std::string>& targets,
                              int rounds) {
  Fingerprint fp("create");
  fp.Add(p.statement_id)
      .Add(p.title)
      .Add(static_cast<int64_t>(p.format))
      .Add(Sha256(p.source))
      .Add(source_language);
  fp.Add(static_cast<int64_t>(targets.size()));
  for (const auto& t : targets) fp.Add(t);
  fp.Add(p.deadline ? absl::ToUnixMicros(*p.deadline) : 0);
  fp.Add(static_cast<int64_t>(p.labels.size()));
  for (const auto& [k, v] : p.labels) fp.Add(k).Add(v);
  fp.Add(rounds).Add(p.allow_open_claiming ? 1 : 0).Add(p.no_translate_ranges);
  fp.Add(p.draft ? 1 : 0);
  return fp.Digest();
}

std::string ReviseFingerprint(const ReviseParams& p) {
  return Fingerprint("revise")
      .Add(p.statement_id)
      .Add(static_cast<int64_t>(p.version))
      .Add(Sha256(p.source))
      .Add(p.no_translate_ranges)
      .Add(p.note)
      .Digest();
}

rec::RequestRecord MakeRequestRecord(std::string_view fingerprint,
                                     std::string_view statement_id,
                                     int revision_number, absl::Time now) {
  rec::RequestRecord rr;
  rr.set_fingerprint(std::string(fingerprint));
  rr.set_statement_id(std::string(statement_id));
  rr.set_revision_number(revision_number);
  rr.set_create_time_micros(absl::ToUnixMicros(now));
  return rr;
}

// Every write of one revision: record, raw bytes, document, segments and
// their id index. All keys are new to this revision number, which the
// guarded statement record serialises.
void AddRevisionWrites(const StatementTables& t, WriteSet* w, uint64_t iid,
                       const Revision& revision, const ImportResult& imp,
                       std::string_view source_bytes) {
  const int rev = revision.revision_number;
  t.revisions.Put(w, RevisionKey(iid, rev),
                  ToRecord(revision, Sha256(source_bytes)), 1);
  t.sources.Put(w, SourceKey(iid, rev), std::string(source_bytes));
  rec::RevisionDocumentRecord doc;
  doc.set_document(formats::SerializeDocument(imp.document));
  for (const auto& info : imp.segments) doc.add_segment_ids(info.segment_id);
  t.documents.Put(w, DocumentKey(iid, rev), doc);
  for (size_t i = 0; i < imp.segments.size(); ++i) {
    const int ordinal = static_cast<int>(i) + 1;
    t.segments.Put(w, SegmentRecordKey(iid, rev, ordinal),
                   ToRecord(imp.document.segments[i], imp.segments[i]));
    t.segment_ids.Put(w, SegmentIdKey(iid, rev, imp.segments[i].segment_id),
                      static_cast<uint32_t>(ordinal));
  }
}

Revision MakeRevision(std::string_view statement_id, int number,
                      formats::Format format, std::string_view source,
                      const std::vector<NoTranslateRange>& ranges,
                      const ImportResult& imp, std::string_view note,
                      std::string_view creator, absl::Time now) {
  Revision r;
  r.statement_id = std::string(statement_id);
  r.revision_number = number;
  r.format = format;
  r.source_size_bytes = static_cast<int64_t>(source.size());
  r.source_sha256 = HexEncode(Sha256(source));
  r.no_translate_ranges = ranges;
  r.segment_count = imp.segment_count;
  r.translatable_segment_count = imp.translatable_segment_count;
  r.word_count = imp.word_count;
  r.note = std::string(note);
  r.creator = std::string(creator);
  r.create_time = now;
  return r;
}

std::string EventPayload(std::string_view name, std::string_view user) {
  return StrCat(name, " by users/", user);
}

absl::Status CheckFormat(formats::Format format) {
  if (format != formats::Format::kMarkdown &&
      format != formats::Format::kPlainText) {
    return BadField("format",
                    "must be DOCUMENT_FORMAT_MARKDOWN or "
                    "DOCUMENT_FORMAT_PLAIN_TEXT");
  }
  return absl::OkStatus();
}

}  // namespace

StatementCore::StatementCore(storage::Store* store, Clock* clock,
                             RandomSource* random, ImportLimits limits)
    : store_(store),
      clock_(clock),
      random_(random),
      limits_(limits),
      tables_(std::make_unique<const StatementTables>(store)) {}

StatementCore::~StatementCore() = default;

absl::StatusOr<std::optional<StatementCore::PriorRequest>>
StatementCore::FindRequest(std::string_view request_key) const {
  ASSIGN_OR_RETURN(auto found, tables_->requests.Get(request_key));
  if (!found.has_value()) return std::optional<PriorRequest>();
  const rec::RequestRecord& r = found->record;
  return std::optional<PriorRequest>(
      PriorRequest{r.fingerprint(), r.statement_id(), r.revision_number()});
}

absl::StatusOr<Statement> StatementCore::ReplayCreate(
    const PriorRequest& prior, std::string_view fingerprint,
    std::string_view request_id) const {
  if (prior.fingerprint != fingerprint) return RequestIdReused(request_id);
  return LoadStatement(prior.statement_id);
}

absl::StatusOr<Statement> StatementCore::CreateStatement(
    const CallContext& call, CreateParams p) {
  const Principal& caller = call.caller();
  RETURN_IF_ERROR(CheckDocumentSize(p.source, limits_.max_document_bytes));
  RETURN_IF_ERROR(CheckRequestId(p.control.request_id));
  if (!p.statement_id.empty()) {
    RETURN_IF_ERROR(CheckStatementId("statement_id", p.statement_id));
  }
  ASSIGN_OR_RETURN(p.title, CheckText("title", p.title, 1, kMaxTitleBytes));
  RETURN_IF_ERROR(CheckFormat(p.format));
  ASSIGN_OR_RETURN(std::string source_language,
                   CanonicalLanguage("source_language", p.source_language));
  ASSIGN_OR_RETURN(std::vector<std::string> targets,
                   CanonicalTargets("target_languages", p.target_languages,
                                    source_language));
  RETURN_IF_ERROR(CheckLabels(p.labels));
  ASSIGN_OR_RETURN(int rounds,
                   CheckReviewRounds("review_rounds", p.review_rounds, true));
  const absl::Time now = clock_->Now();
  if (p.deadline.has_value() && *p.deadline <= now) {
    return BadField("deadline", "must be in the future");
  }
  RETURN_IF_ERROR(
      CheckRangesSyntax("no_translate_ranges", p.no_translate_ranges));
  RETURN_IF_ERROR(CheckCanChange(caller, targets));

  // Idempotency: the canonical request, request_id and validate_only aside.
  const std::string fingerprint =
      CreateFingerprint(p, source_language, targets, rounds);
  std::string request_key;
  if (!p.control.request_id.empty()) {
    request_key = CreateRequestKey(caller.user_id, p.control.request_id);
    ASSIGN_OR_RETURN(auto prior, FindRequest(request_key));
    if (prior.has_value()) {
      return ReplayCreate(*prior, fingerprint, p.control.request_id);
    }
  }

  ImportOptions io;
  io.no_translate_ranges = p.no_translate_ranges;
  io.limits = limits_;
  // The parse child is timed by the real clock, the call by ours.
  io.deadline = absl::Now() + (call.deadline() - clock_->Now());
  io.cancelled = call.cancellation();
  ASSIGN_OR_RETURN(ImportResult imp,
                   ImportDocument(p.format, source_language, p.source, io));

  Statement s;
  s.statement_id = p.statement_id;
  s.title = p.title;
  s.source_language = source_language;
  s.format = p.format;
  s.target_languages = targets;
  s.deadline = p.deadline;
  s.labels = p.labels;
  s.state = p.draft ? StatementState::kDraft : StatementState::kOpen;
  s.review_rounds = rounds;
  s.allow_open_claiming = p.allow_open_claiming;
  s.current_revision = 1;
  s.segment_count = imp.segment_count;
  s.translatable_segment_count = imp.translatable_segment_count;
  s.word_count = imp.word_count;
  s.creator = caller.user_id;
  s.create_time = now;
  s.update_time = now;
  s.version = 1;

  const bool chosen_id = !p.statement_id.empty();
  if (chosen_id) {
    ASSIGN_OR_RETURN(auto taken, tables_->names.Get(NameKey(p.statement_id)));
    if (taken.has_value()) return StatementExists(p.statement_id);
  }

  for (int attempt = 0; attempt < 4; ++attempt) {
    if (!chosen_id) {
      ASSIGN_OR_RETURN(std::string r, random_->Bytes(8));
      s.statement_id = StrCat("s", HexEncode(r));
    }
    ASSIGN_OR_RETURN(std::string id_bytes, random_->Bytes(8));
    std::string_view idv = id_bytes;
    uint64_t iid = 0;
    storage::GetFixed64BE(&idv, &iid);
    if (iid == 0) continue;

    Revision revision =
        MakeRevision(s.statement_id, 1, s.format, p.source,
                     p.no_translate_ranges, imp, "", s.creator, now);
    for (const auto& info : imp.segments) {
      revision.changes.added_segment_ids.push_back(info.segment_id);
    }
    if (p.control.validate_only) return s;

    // PutNew guards both ids: neither a public nor an internal id is ever
    // taken twice.
    WriteSet w;
    const std::string name_key = NameKey(s.statement_id);
    tables_->names.PutNew(&w, name_key, iid);
    tables_->statements.PutNew(&w, StatementKey(iid), ToRecord(s, iid));
    tables_->listing.Put(&w, ListKey(s.create_time, s.statement_id), iid);
    AddRevisionWrites(*tables_, &w, iid, revision, imp, p.source);
    if (!request_key.empty()) {
      tables_->requests.PutNew(
          &w, request_key,
          MakeRequestRecord(fingerprint, s.statement_id, 1, now));
    }
    w.AppendEvent("statement.created",
                  EventPayload(RevisionName(s.statement_id, 1), s.creator));
    RETURN_IF_ERROR(call.CheckDeadline());
    auto committed = store_->Commit(std::move(w));
    if (committed.ok()) return s;
    if (!absl::IsAborted(committed.status())) return committed.status();
    // Lost a race: to a retry of this very request, to a statement with the
    // same id, or (astronomically rarely) to an internal id.
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, FindRequest(request_key));
      if (prior.has_value()) {
        return ReplayCreate(*prior, fingerprint, p.control.request_id);
      }
    }
    if (chosen_id) {
      ASSIGN_OR_RETURN(auto taken, tables_->names.Get(name_key));
      if (taken.has_value()) return StatementExists(s.statement_id);
    }
  }
  return absl::InternalError("could not allocate a statement id");
}

absl::StatusOr<Statement> StatementCore::CommitStatementChange(
    const CallContext& call, const Loaded& before, Statement after,
    std::string_view event) {
  after.version = before.statement.version + 1;
  after.update_time = clock_->Now();
  WriteSet w;
  tables_->statements.Update(&w, StatementKey(before.internal_id),
                             ToRecord(after, before.internal_id),
                             before.statement.version);
  w.AppendEvent(event, EventPayload(StatementName(after.statement_id),
                                    call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  auto committed = store_->Commit(std::move(w));
  if (absl::IsAborted(committed.status())) {
    ASSIGN_OR_RETURN(Loaded now, Load(after.statement_id));
    return VersionConflict(StatementName(after.statement_id),
                           before.statement.version, now.statement.version);
  }
  RETURN_IF_ERROR(committed.status());
  return after;
}

absl::StatusOr<Statement> StatementCore::UpdateStatement(
    const CallContext& call, std::string_view statement_id,
    uint64_t expected_version, const StatementUpdate& update) {
  const Principal& caller = call.caller();
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  Statement after = l.statement;
  bool any = false;
  if (update.title) {
    ASSIGN_OR_RETURN(after.title, CheckText("statement.title", *update.title, 1,
                                            kMaxTitleBytes));
    any = true;
  }
  if (update.target_languages) {
    ASSIGN_OR_RETURN(
        after.target_languages,
        CanonicalTargets("statement.target_languages", *update.target_languages,
                         after.source_language));
    any = true;
  }
  if (update.deadline) {
    if (update.deadline->has_value() && **update.deadline <= clock_->Now()) {
      return BadField("statement.deadline", "must be in the future");
    }
    after.deadline = *update.deadline;
    any = true;
  }
  if (update.labels) {
    RETURN_IF_ERROR(CheckLabels(*update.labels));
    after.labels = *update.labels;
    any = true;
  }
  if (update.review_rounds) {
    ASSIGN_OR_RETURN(after.review_rounds,
                     CheckReviewRounds("statement.review_rounds",
                                       *update.review_rounds, false));
    any = true;
  }
  if (update.allow_open_claiming) {
    after.allow_open_claiming = *update.allow_open_claiming;
    any = true;
  }
  if (!any) return BadField("update_mask", "names no field to update");
  RETURN_IF_ERROR(CheckCanChange(caller, l.statement.target_languages));
  RETURN_IF_ERROR(CheckCanChange(caller, after.target_languages));
  if (l.statement.version != expected_version) {
    return VersionConflict(StatementName(statement_id), expected_version,
                           l.statement.version);
  }
  if (l.statement.state == StatementState::kArchived) {
    return WrongState(l.statement, "an archived statement is read only");
  }
  return CommitStatementChange(call, l, std::move(after), "statement.updated");
}

absl::StatusOr<Statement> StatementCore::Transition(
    const CallContext& call, std::string_view statement_id,
    uint64_t expected_version, StatementState to) {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  RETURN_IF_ERROR(CheckCanChange(call.caller(), l.statement.target_languages));
  if (l.statement.version != expected_version) {
    return VersionConflict(StatementName(statement_id), expected_version,
                           l.statement.version);
  }
  const StatementState from = l.statement.state;
  std::string_view event;
  switch (to) {
    case StatementState::kOpen:
      if (from != StatementState::kDraft && from != StatementState::kClosed) {
        return WrongState(l.statement,
                          from == StatementState::kOpen
                              ? "it is already open"
                              : "an archived statement cannot be reopened");
      }
      event = "statement.opened";
      break;
    case StatementState::kClosed:
      if (from != StatementState::kOpen) {
        return WrongState(l.statement, "only an open statement can be closed");
      }
      event = "statement.closed";
      break;
    case StatementState::kArchived:
      if (from == StatementState::kArchived) {
        return WrongState(l.statement, "it is already archived");
      }
      event = "statement.archived";
      break;
    case StatementState::kDraft:
      return absl::InternalError("no transition back to draft");
  }
  Statement after = l.statement;
  after.state = to;
  return CommitStatementChange(call, l, std::move(after), event);
}

absl::StatusOr<Statement> StatementCore::OpenStatement(
    const CallContext& call, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(call, statement_id, expected_version,
                    StatementState::kOpen);
}

absl::StatusOr<Statement> StatementCore::CloseStatement(
    const CallContext& call, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(call, statement_id, expected_version,
                    StatementState::kClosed);
}

absl::StatusOr<Statement> StatementCore::ArchiveStatement(
    const CallContext& call, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(call, statement_id, expected_version,
                    StatementState::kArchived);
}

absl::StatusOr<Revision> StatementCore::ReplayRevise(
    const Loaded& l, const PriorRequest& prior, std::string_view fingerprint,
    std::string_view request_id) const {
  if (prior.fingerprint != fingerprint) return RequestIdReused(request_id);
  return LoadRevision(l, prior.revision_number, false);
}

absl::StatusOr<Revision> StatementCore::ReviseStatement(const CallContext& call,
                                                        ReviseParams p) {
  const Principal& caller = call.caller();
  RETURN_IF_ERROR(CheckDocumentSize(p.source, limits_.max_document_bytes));
  RETURN_IF_ERROR(CheckRequestId(p.control.request_id));
  if (p.version == 0) {
    return BadField("version",
                    "is required: pass the Statement.version you last read");
  }
  if (!p.note.empty()) {
    ASSIGN_OR_RETURN(p.note, CheckText("note", p.note, 0, kMaxNoteBytes));
  }
  RETURN_IF_ERROR(
      CheckRangesSyntax("no_translate_ranges", p.no_translate_ranges));
  ASSIGN_OR_RETURN(Loaded l, Load(p.statement_id));
  const Statement& s = l.statement;
  RETURN_IF_ERROR(CheckCanChange(caller, s.target_languages));

  p.statement_id = s.statement_id;
  const std::string fingerprint = ReviseFingerprint(p);
  std::string request_key;
  if (!p.control.request_id.empty()) {
    request_key =
        ReviseRequestKey(l.internal_id, caller.user_id, p.control.request_id);
    ASSIGN_OR_RETURN(auto prior, FindRequest(request_key));
    if (prior.has_value()) {
      return ReplayRevise(l, *prior, fingerprint, p.control.request_id);
    }
  }
  if (s.version != p.version) {
    return VersionConflict(StatementName(s.statement_id), p.version, s.version);
  }
  if (s.state == StatementState::kArchived) {
    return WrongState(s, "an archived statement cannot be revised");
  }

  ImportOptions io;
  io.no_translate_ranges = p.no_translate_ranges;
  io.limits = limits_;
  // The parse child is timed by the real clock, the call by ours.
  io.deadline = absl::Now() + (call.deadline() - clock_->Now());
  io.cancelled = call.cancellation();
  ASSIGN_OR_RETURN(ImportResult imp,
                   ImportDocument(s.format, s.source_language, p.source, io));
  ASSIGN_OR_RETURN(RevisionDocument previous,
                   LoadDocument(l.internal_id, s.current_revision));
  std::vector<std::string> old_keys, new_keys, new_ids;
  for (const auto& seg : previous.document.segments) {
    old_keys.push_back(SegmentKey(seg.content));
  }
  for (size_t i = 0; i < imp.segments.size(); ++i) {
    new_keys.push_back(SegmentKey(imp.document.segments[i].content));
    new_ids.push_back(imp.segments[i].segment_id);
  }
  const absl::Time now = clock_->Now();
  const int number = s.current_revision + 1;
  Revision revision =
      MakeRevision(s.statement_id, number, s.format, p.source,
                   p.no_translate_ranges, imp, p.note, caller.user_id, now);
  revision.changes = ComputeChanges(s.current_revision, previous.segment_ids,
                                    old_keys, new_ids, new_keys);
  if (p.control.validate_only) return revision;

  Statement after = s;
  after.current_revision = number;
  after.segment_count = imp.segment_count;
  after.translatable_segment_count = imp.translatable_segment_count;
  after.word_count = imp.word_count;
  after.update_time = now;
  after.version = s.version + 1;
  WriteSet w;
  tables_->statements.Update(&w, StatementKey(l.internal_id),
                             ToRecord(after, l.internal_id), s.version);
  AddRevisionWrites(*tables_, &w, l.internal_id, revision, imp, p.source);
  if (!request_key.empty()) {
    tables_->requests.PutNew(
        &w, request_key,
        MakeRequestRecord(fingerprint, s.statement_id, number, now));
  }
  w.AppendEvent(
      "statement.revised",
      EventPayload(RevisionName(s.statement_id, number), caller.user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  auto committed = store_->Commit(std::move(w));
  if (absl::IsAborted(committed.status())) {
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, FindRequest(request_key));
      if (prior.has_value()) {
        return ReplayRevise(l, *prior, fingerprint, p.control.request_id);
      }
    }
    ASSIGN_OR_RETURN(Loaded current, Load(s.statement_id));
    return VersionConflict(StatementName(s.statement_id), p.version,
                           current.statement.version);
  }
  RETURN_IF_ERROR(committed.status());
  return revision;
}

}  // namespace tessera::statement

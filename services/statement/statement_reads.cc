// StatementCore's reads: statements, revisions and source segments, for
// callers (rights checked) and for other services' ports (not checked).
// Nothing here writes.
#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_keys.h"
#include "services/statement/statement_tables.h"
#include "services/statement/statement_validation.h"
#include "storage/key_codec.h"

namespace tessera::statement {
namespace {

// A cursor of one or two u32s, as ListRevisions and ListSourceSegments
// resume from them.
std::string U32Cursor(std::initializer_list<uint32_t> values) {
  std::string out;
  for (uint32_t v : values) {
    out.append(storage::PayloadCodec<uint32_t>::Encode(v));
  }
  return out;
}

// The u32s of a cursor made by U32Cursor; false when it holds another
// number of them.
bool ParseU32Cursor(std::string_view cursor, std::vector<uint32_t*> out) {
  if (cursor.size() != 4 * out.size()) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!storage::PayloadCodec<uint32_t>::Decode(cursor.substr(4 * i, 4),
                                                 out[i])) {
      return false;
    }
  }
  return true;
}

// A token that passed its checksum but holds a cursor this method never
// makes: the checksum is no secret, so the cursor is checked as input.
absl::Status ForgedToken() {
  return BadField("page_token", "was not made by this method", "INVALID_TOKEN");
}

// The canonical ListStatements query: tags canonical, sorted and unique;
// states known; label selectors checked and sorted.
struct CanonicalQuery {
  std::vector<std::string> languages;
  std::set<StatementState> states;
  std::vector<std::pair<std::string, std::string>> selectors;
};

absl::StatusOr<CanonicalQuery> Canonicalize(const ListStatementsQuery& query) {
  CanonicalQuery c;
  for (size_t i = 0; i < query.languages.size(); ++i) {
    ASSIGN_OR_RETURN(
        std::string tag,
        CanonicalLanguage(StrCat("languages[", i, "]"), query.languages[i]));
    c.languages.push_back(std::move(tag));
  }
  std::sort(c.languages.begin(), c.languages.end());
  c.languages.erase(std::unique(c.languages.begin(), c.languages.end()),
                    c.languages.end());
  c.states.insert(query.states.begin(), query.states.end());
  for (StatementState st : c.states) {
    if (static_cast<int>(st) < 1 || static_cast<int>(st) > 4) {
      return BadField("states", "holds an unknown state");
    }
  }
  for (size_t i = 0; i < query.label_selectors.size(); ++i) {
    const LabelSelector& sel = query.label_selectors[i];
    std::string f = StrCat("label_selectors[", i, "]");
    RETURN_IF_ERROR(CheckLabelKey(StrCat(f, ".key"), sel.key));
    if (sel.value) {
      RETURN_IF_ERROR(CheckLabelValue(StrCat(f, ".value"), *sel.value));
    }
    c.selectors.emplace_back(sel.key, sel.value ? StrCat("=", *sel.value) : "");
  }
  std::sort(c.selectors.begin(), c.selectors.end());
  return c;
}

std::string FingerprintOf(const CanonicalQuery& c) {
  QueryFingerprint q("statement.ListStatements");
  for (const auto& l : c.languages) q.String("l").String(l);
  for (StatementState st : c.states) q.String("s").Int(static_cast<int>(st));
  for (const auto& [k, v] : c.selectors) q.String("k").String(k).String(v);
  return q.Build();
}

bool Matches(const CanonicalQuery& c, const ListStatementsQuery& query,
             const Principal& caller, const Statement& s) {
  if (c.states.empty() ? s.state == StatementState::kArchived
                       : !c.states.count(s.state)) {
    return false;
  }
  if (!c.languages.empty() &&
      std::none_of(c.languages.begin(), c.languages.end(), [&](const auto& l) {
        return std::find(s.target_languages.begin(), s.target_languages.end(),
                         l) != s.target_languages.end();
      })) {
    return false;
  }
  for (const auto& sel : query.label_selectors) {
    auto it = s.labels.find(sel.key);
    if (it == s.labels.end()) return false;
    if (sel.value && it->second != *sel.value) return false;
  }
  return CanRead(caller, s);
}

absl::Status SegmentNotFound(std::string_view statement_id,
                             std::string_view segment_id, int revision) {
  std::string name =
      StrCat(StatementName(statement_id), "/segments/", segment_id);
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                       StrCat("no segment ", name, " in revision ", revision),
                       {{"resource", name}});
}

}  // namespace

absl::StatusOr<std::optional<StatementCore::Loaded>> StatementCore::Find(
    std::string_view statement_id) const {
  if (!IsValidStatementId(statement_id)) return std::optional<Loaded>();
  ASSIGN_OR_RETURN(auto name, tables_->names.Get(NameKey(statement_id)));
  if (!name.has_value()) return std::optional<Loaded>();
  Loaded l;
  l.internal_id = name->record;
  ASSIGN_OR_RETURN(auto record,
                   tables_->statements.Get(StatementKey(l.internal_id)));
  if (!record.has_value()) {
    return absl::InternalError("statement name points nowhere");
  }
  l.statement = FromRecord(record->record, record->version);
  return std::optional<Loaded>(std::move(l));
}

absl::StatusOr<StatementCore::Loaded> StatementCore::Load(
    std::string_view statement_id) const {
  ASSIGN_OR_RETURN(auto found, Find(statement_id));
  if (!found.has_value()) {
    return ResourceNotFound(StatementName(statement_id), "statement");
  }
  return *std::move(found);
}

absl::StatusOr<StatementCore::Loaded> StatementCore::LoadReadable(
    const Principal& caller, std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  RETURN_IF_ERROR(CheckCanRead(caller, l.statement));
  return l;
}

absl::StatusOr<Statement> StatementCore::LoadStatement(
    std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  return l.statement;
}

absl::StatusOr<std::pair<Statement, uint64_t>>
StatementCore::LoadStatementWithInternalId(
    std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  return std::make_pair(std::move(l.statement), l.internal_id);
}

absl::StatusOr<Statement> StatementCore::GetStatement(
    const Principal& caller, std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  return l.statement;
}

absl::StatusOr<StatementPage> StatementCore::ListStatements(
    const Principal& caller, const ListStatementsQuery& query, int page_size,
    std::string_view page_token) const {
  ASSIGN_OR_RETURN(page_size, PageSize(page_size, kDefaultStatementPageSize,
                                       kMaxStatementPageSize));
  ASSIGN_OR_RETURN(CanonicalQuery canonical, Canonicalize(query));
  const std::string fingerprint = FingerprintOf(canonical);
  // The cursor is the listing key of the last statement returned.
  ASSIGN_OR_RETURN(std::string begin, DecodePageToken(page_token, fingerprint));
  if (begin.empty()) {
    begin = ListPrefix();
  } else {
    if (!IsListKey(begin)) return ForgedToken();
    begin.push_back('\0');
  }

  StatementPage page;
  absl::Status inner;
  bool more = false;
  std::string last_key;
  RETURN_IF_ERROR(tables_->listing.Scan(
      begin, storage::PrefixSuccessor(ListPrefix()),
      [&](std::string_view key, uint64_t iid) {
        auto record = tables_->statements.Get(StatementKey(iid));
        if (!record.ok()) {
          inner = record.status();
          return false;
        }
        if (!record->has_value()) return true;
        Statement s = FromRecord((*record)->record, (*record)->version);
        if (!Matches(canonical, query, caller, s)) return true;
        if (page.statements.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        page.statements.push_back(std::move(s));
        last_key = std::string(key);
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) page.next_page_token = EncodePageToken(fingerprint, last_key);
  return page;
}

absl::StatusOr<Revision> StatementCore::LoadRevision(const Loaded& l,
                                                     int revision_number,
                                                     bool full) const {
  const Statement& s = l.statement;
  if (revision_number < 1 || revision_number > s.current_revision) {
    return ResourceNotFound(RevisionName(s.statement_id, revision_number),
                            "revision");
  }
  ASSIGN_OR_RETURN(auto record, tables_->revisions.Get(RevisionKey(
                                    l.internal_id, revision_number)));
  if (!record.has_value()) {
    return ResourceNotFound(RevisionName(s.statement_id, revision_number),
                            "revision");
  }
  Revision out = FromRecord(s.statement_id, record->record);
  if (full) {
    ASSIGN_OR_RETURN(auto src, tables_->sources.Get(
                                   SourceKey(l.internal_id, revision_number)));
    ASSIGN_OR_RETURN(auto doc, tables_->documents.Get(DocumentKey(
                                   l.internal_id, revision_number)));
    if (!src.has_value() || !doc.has_value()) {
      return absl::InternalError("revision bytes missing");
    }
    out.source = *std::move(src);
    out.skeleton = doc->document();
  }
  return out;
}

absl::StatusOr<Revision> StatementCore::GetRevision(
    const Principal& caller, std::string_view statement_id, int revision_number,
    bool full) const {
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  return LoadRevision(l, revision_number, full);
}

absl::StatusOr<RevisionPage> StatementCore::ListRevisions(
    const Principal& caller, std::string_view statement_id, int page_size,
    std::string_view page_token) const {
  ASSIGN_OR_RETURN(page_size, PageSize(page_size, kDefaultStatementPageSize,
                                       kMaxStatementPageSize));
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  const std::string fingerprint =
      QueryFingerprint("statement.ListRevisions").String(statement_id).Build();
  // The cursor is the last revision number returned.
  ASSIGN_OR_RETURN(std::string cursor,
                   DecodePageToken(page_token, fingerprint));
  uint32_t after = 0;
  if (!cursor.empty() && !ParseU32Cursor(cursor, {&after})) {
    return ForgedToken();
  }
  RevisionPage page;
  bool more = false;
  RETURN_IF_ERROR(tables_->revisions.Scan(
      RevisionKey(l.internal_id, static_cast<int>(after) + 1),
      storage::PrefixSuccessor(RevisionPrefix(l.internal_id)),
      [&](std::string_view, const storage::Versioned<rec::RevisionRecord>& r) {
        if (page.revisions.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        page.revisions.push_back(
            FromRecord(l.statement.statement_id, r.record));
        return true;
      }));
  if (more) {
    page.next_page_token = EncodePageToken(
        fingerprint, U32Cursor({static_cast<uint32_t>(
                         page.revisions.back().revision_number)}));
  }
  return page;
}

absl::StatusOr<SourceSegment> StatementCore::GetSourceSegment(
    const Principal& caller, std::string_view statement_id,
    std::string_view segment_id, int revision_number) const {
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  const Statement& s = l.statement;
  const int rev = revision_number == 0 ? s.current_revision : revision_number;
  if (rev < 1 || rev > s.current_revision) {
    return ResourceNotFound(RevisionName(s.statement_id, rev), "revision");
  }
  ASSIGN_OR_RETURN(auto ordinal, tables_->segment_ids.Get(SegmentIdKey(
                                     l.internal_id, rev, segment_id)));
  if (!ordinal.has_value()) {
    return SegmentNotFound(s.statement_id, segment_id, rev);
  }
  const int ord = static_cast<int>(*ordinal);
  ASSIGN_OR_RETURN(auto record, tables_->segments.Get(
                                    SegmentRecordKey(l.internal_id, rev, ord)));
  if (!record.has_value()) return absl::InternalError("dangling segment index");
  SourceSegment out;
  out.statement_id = s.statement_id;
  out.revision_number = rev;
  out.ordinal = ord;
  FromRecord(*record, &out.segment, &out.info);
  return out;
}

absl::StatusOr<SegmentNeighbourhood> StatementCore::LoadSegmentNeighbourhood(
    std::string_view statement_id, std::string_view segment_id) const {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  const int rev = l.statement.current_revision;
  ASSIGN_OR_RETURN(auto ordinal, tables_->segment_ids.Get(SegmentIdKey(
                                     l.internal_id, rev, segment_id)));
  if (!ordinal.has_value()) {
    return SegmentNotFound(l.statement.statement_id, segment_id, rev);
  }
  const int ord = static_cast<int>(*ordinal);
  SegmentNeighbourhood out;
  bool found = false;
  absl::Status inner;
  // Ordinals are consecutive from 1: the window is [ord - 1, ord + 1].
  RETURN_IF_ERROR(tables_->segments.Scan(
      SegmentRecordKey(l.internal_id, rev, std::max(1, ord - 1)),
      SegmentRecordKey(l.internal_id, rev, ord + 2),
      [&](std::string_view key, const rec::SourceSegmentRecord& sr) {
        std::optional<int> at = SegmentOrdinalOf(key);
        if (!at.has_value()) {
          inner = absl::InternalError("corrupt segment record");
          return false;
        }
        SourceSegment seg;
        seg.statement_id = l.statement.statement_id;
        seg.revision_number = rev;
        seg.ordinal = *at;
        FromRecord(sr, &seg.segment, &seg.info);
        if (*at == ord) {
          out.segment = std::move(seg);
          found = true;
        } else if (*at < ord) {
          out.previous = std::move(seg);
        } else {
          out.next = std::move(seg);
        }
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (!found) return absl::InternalError("dangling segment index");
  out.statement = std::move(l.statement);
  return out;
}

absl::StatusOr<SourceSegmentPage> StatementCore::ListSourceSegments(
    const Principal& caller, std::string_view statement_id, int revision_number,
    int page_size, std::string_view page_token, bool translatable_only) const {
  ASSIGN_OR_RETURN(page_size, PageSize(page_size, kDefaultSegmentPageSize,
                                       kMaxSegmentPageSize));
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  const Statement& s = l.statement;
  const std::string fingerprint =
      QueryFingerprint("statement.ListSourceSegments")
          .String(statement_id)
          .Int(revision_number)
          .Bool(translatable_only)
          .Build();
  // The cursor is the revision the first page read and the last ordinal
  // returned: later pages stay on that revision, even if a new one became
  // current in between.
  ASSIGN_OR_RETURN(std::string cursor,
                   DecodePageToken(page_token, fingerprint));
  int rev = revision_number == 0 ? s.current_revision : revision_number;
  uint32_t after = 0;
  if (!cursor.empty()) {
    uint32_t token_rev = 0;
    if (!ParseU32Cursor(cursor, {&token_rev, &after})) return ForgedToken();
    rev = static_cast<int>(token_rev);
  }
  if (rev < 1 || rev > s.current_revision) {
    return ResourceNotFound(RevisionName(s.statement_id, rev), "revision");
  }
  // Only the counts: every page parsing the revision's change lists would
  // make listing a large statement quadratic.
  ASSIGN_OR_RETURN(auto counts, tables_->revision_counts.Get(
                                    RevisionKey(l.internal_id, rev)));
  if (!counts.has_value()) {
    return ResourceNotFound(RevisionName(s.statement_id, rev), "revision");
  }
  SourceSegmentPage page;
  page.total_size = translatable_only
                        ? counts->record.translatable_segment_count()
                        : counts->record.segment_count();
  absl::Status inner;
  bool more = false;
  RETURN_IF_ERROR(tables_->segments.Scan(
      SegmentRecordKey(l.internal_id, rev, static_cast<int>(after) + 1),
      storage::PrefixSuccessor(SegmentPrefix(l.internal_id, rev)),
      [&](std::string_view key, const rec::SourceSegmentRecord& sr) {
        std::optional<int> ordinal = SegmentOrdinalOf(key);
        if (!ordinal.has_value()) {
          inner = absl::InternalError("corrupt segment record");
          return false;
        }
        if (translatable_only && !sr.translatable()) return true;
        if (page.segments.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        SourceSegment seg;
        seg.statement_id = s.statement_id;
        seg.revision_number = rev;
        seg.ordinal = *ordinal;
        FromRecord(sr, &seg.segment, &seg.info);
        page.segments.push_back(std::move(seg));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) {
    page.next_page_token = EncodePageToken(
        fingerprint,
        U32Cursor({static_cast<uint32_t>(rev),
                   static_cast<uint32_t>(page.segments.back().ordinal)}));
  }
  return page;
}

absl::StatusOr<RevisionDocument> StatementCore::LoadDocument(
    uint64_t internal_id, int revision_number) const {
  ASSIGN_OR_RETURN(auto record, tables_->documents.Get(
                                    DocumentKey(internal_id, revision_number)));
  if (!record.has_value()) {
    return absl::InternalError("revision document missing");
  }
  RevisionDocument out;
  out.revision_number = revision_number;
  auto doc = formats::DeserializeDocument(record->document());
  if (!doc.ok()) {
    return absl::InternalError(
        StrCat("stored document does not parse: ", doc.status().message()));
  }
  out.document = *std::move(doc);
  out.segment_ids.assign(record->segment_ids().begin(),
                         record->segment_ids().end());
  if (out.segment_ids.size() != out.document.segments.size()) {
    return absl::InternalError("segment ids do not match the document");
  }
  return out;
}

absl::StatusOr<RevisionDocument> StatementCore::LoadRevisionDocument(
    std::string_view statement_id, int revision_number) const {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  const int rev =
      revision_number == 0 ? l.statement.current_revision : revision_number;
  if (rev < 1 || rev > l.statement.current_revision) {
    return ResourceNotFound(RevisionName(statement_id, rev), "revision");
  }
  return LoadDocument(l.internal_id, rev);
}

}  // namespace tessera::statement

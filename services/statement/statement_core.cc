#include "services/statement/statement_core.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/import.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "services/common/errors.h"
#include "services/statement/statement_records.pb.h"
#include "storage/key_codec.h"
#include "text/language.h"
#include "text/normalize.h"
#include "text/segmenter.h"
#include "text/similarity.h"
#include "text/word_count.h"

namespace tessera::statement {
namespace {

using storage::ColumnFamily;
using storage::KeyBuilder;
using storage::KeyReader;
using storage::WriteSet;
namespace rec = ::tessera::storage::statement;

constexpr ColumnFamily kCf = ColumnFamily::kStatements;

// Key kinds and value formats: see storage/FORMAT.md.
constexpr uint8_t kNameKind = 0x01;
constexpr uint8_t kStatementKind = 0x02;
constexpr uint8_t kRevisionKind = 0x03;
constexpr uint8_t kSourceKind = 0x04;
constexpr uint8_t kDocumentKind = 0x05;
constexpr uint8_t kSegmentKind = 0x06;
constexpr uint8_t kSegmentIdKind = 0x07;
constexpr uint8_t kListKind = 0x08;
constexpr uint8_t kCreateRequestKind = 0x09;
constexpr uint8_t kReviseRequestKind = 0x0A;
constexpr uint8_t kFormat1 = 0x01;

// Page token lists.
constexpr int kStatementList = 1;
constexpr int kRevisionList = 2;
constexpr int kSegmentList = 3;

// Revision matching: a changed segment must be at least this similar to
// its predecessor; candidates are looked for this far around the place the
// surrounding unchanged segments suggest; and the edit-distance work of one
// revision is capped so a pathological upload cannot stall the server.
constexpr double kMinSimilarity = 0.5;
constexpr int kMatchWindow = 48;
constexpr int64_t kMatchCellBudget = int64_t{400} << 20;

// ---------------------------------------------------------------------------
// Errors with google.rpc details (see "Errors" in common.proto).

absl::Status FieldError(std::string_view reason, std::string_view field,
                        std::string_view description,
                        const ErrorMetadata& metadata = {}) {
  return tessera::BadField(field, description, reason, metadata);
}

absl::Status QuotaExceeded(std::string_view limit, int64_t value,
                           std::string_view message) {
  return QuotaExceededError(limit, value, message);
}

std::string StatementName(std::string_view id) {
  return StrCat("statements/", id);
}
std::string RevisionName(std::string_view id, int revision) {
  return StrCat("statements/", id, "/revisions/", revision);
}

absl::Status NotFound(std::string_view resource, std::string_view what) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                       StrCat("no ", what, " ", resource),
                       {{"resource", std::string(resource)}});
}

absl::Status WrongState(const Statement& s, std::string_view message) {
  std::string name = StatementName(s.statement_id);
  std::string state = StrCat("STATEMENT_STATE_", StatementStateName(s.state));
  absl::Status status(
      absl::StatusCode::kFailedPrecondition,
      ToAbsl(StrCat(name, " is ", StatementStateName(s.state), ": ", message)));
  ErrorDetails d;
  d.reason = "WRONG_STATE";
  d.metadata = {{"state", state}};
  d.preconditions.push_back({"WRONG_STATE", name, std::string(message)});
  SetDetails(status, d);
  return status;
}

absl::Status VersionConflict(std::string_view resource, uint64_t requested,
                             uint64_t current) {
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       StrCat(resource, " is at version ", current, ", not ",
                              requested, "; read it again and retry"),
                       {{"current_version", StrCat(current)}});
}

// ---------------------------------------------------------------------------
// Field checks.

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsValidStatementId(std::string_view id) {
  if (id.empty() || id.size() > kMaxStatementIdBytes || !IsLower(id[0])) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return IsLower(c) || IsDigit(c) || c == '-';
  });
}

absl::Status CheckStatementId(std::string_view field, std::string_view id) {
  if (!IsValidStatementId(id)) {
    return BadField(field, StrCat("must be 1 to ", kMaxStatementIdBytes,
                                  " characters of [a-z0-9-] starting with a "
                                  "letter, got \"",
                                  id.substr(0, 80), "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(std::string_view id) {
  if (id.empty()) return absl::OkStatus();
  bool ok = id.size() <= kMaxRequestIdBytes &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return IsLower(c) || IsDigit(c) || (c >= 'A' && c <= 'Z') ||
                     c == '_' || c == '-';
            });
  if (!ok) {
    return BadField("request_id", StrCat("must be 1 to ", kMaxRequestIdBytes,
                                         " characters of [A-Za-z0-9_-]"));
  }
  return absl::OkStatus();
}

// Valid UTF-8, at most `max` bytes once in NFC, no control characters (C0,
// DEL, C1). Returns the NFC form.
absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view value, size_t min,
                                      size_t max) {
  size_t bad = FindInvalidUtf8(value);
  if (bad != std::string_view::npos) {
    return FieldError("INVALID_UTF8", field,
                      StrCat("invalid UTF-8 at byte offset ", bad),
                      {{"byte_offset", StrCat(bad)}});
  }
  std::string nfc = text::NormalizeNfc(value);
  if (nfc.size() < min || nfc.size() > max) {
    return BadField(field, StrCat("must be ", min, " to ", max,
                                  " bytes of UTF-8, got ", nfc.size()));
  }
  for (size_t i = 0; i < nfc.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(nfc[i]);
    bool c1 = c == 0xC2 && i + 1 < nfc.size() &&
              static_cast<unsigned char>(nfc[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(nfc[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      return BadField(field, "must not contain control characters");
    }
  }
  return nfc;
}

absl::StatusOr<std::string> CanonicalLanguage(std::string_view field,
                                              std::string_view tag) {
  auto canonical = text::CanonicalizeLanguageTag(tag);
  if (!canonical.ok()) {
    return BadField(field, std::string(canonical.status().message()));
  }
  return *std::move(canonical);
}

absl::StatusOr<std::vector<std::string>> CanonicalTargets(
    std::string_view field, const std::vector<std::string>& tags,
    std::string_view source_language) {
  if (tags.empty() || tags.size() > kMaxTargetLanguages) {
    return BadField(field, StrCat("must hold 1 to ", kMaxTargetLanguages,
                                  " language tags, got ", tags.size()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string f = StrCat(field, "[", i, "]");
    ASSIGN_OR_RETURN(std::string tag, CanonicalLanguage(f, tags[i]));
    if (tag == source_language) {
      return BadField(f, StrCat(tag, " is the source language"));
    }
    if (std::find(out.begin(), out.end(), tag) == out.end()) {
      out.push_back(std::move(tag));
    }
  }
  return out;
}

bool IsLabelChar(char c) {
  return IsLower(c) || IsDigit(c) || c == '_' || c == '-';
}

absl::Status CheckLabelKey(std::string_view field, std::string_view key) {
  if (key.empty() || key.size() > kMaxLabelBytes || !IsLower(key[0]) ||
      !std::all_of(key.begin(), key.end(), IsLabelChar)) {
    return BadField(field, StrCat("label keys are 1 to ", kMaxLabelBytes,
                                  " characters of [a-z0-9_-] starting with a "
                                  "lowercase letter"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabelValue(std::string_view field, std::string_view value) {
  if (value.size() > kMaxLabelBytes ||
      !std::all_of(value.begin(), value.end(), IsLabelChar)) {
    return BadField(field, StrCat("label values are 0 to ", kMaxLabelBytes,
                                  " characters of [a-z0-9_-]"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabels(const std::map<std::string, std::string>& labels) {
  if (labels.size() > kMaxLabels) {
    return BadField("labels",
                    StrCat("at most ", kMaxLabels, " labels are allowed, got ",
                           labels.size()));
  }
  for (const auto& [k, v] : labels) {
    RETURN_IF_ERROR(CheckLabelKey(StrCat("labels[", k.substr(0, 80), "]"), k));
    RETURN_IF_ERROR(CheckLabelValue(StrCat("labels[", k, "]"), v));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CheckReviewRounds(std::string_view field, int rounds,
                                      bool zero_means_one) {
  if (rounds == 0 && zero_means_one) return 1;
  if (rounds < 1 || rounds > kMaxReviewRounds) {
    return BadField(
        field, StrCat("must be 1 to ", kMaxReviewRounds, ", got ", rounds));
  }
  return rounds;
}

absl::Status CheckRangesSyntax(std::string_view field,
                               const std::vector<NoTranslateRange>& ranges) {
  if (ranges.size() > kMaxNoTranslateRanges) {
    return BadField(field, StrCat("at most ", kMaxNoTranslateRanges,
                                  " ranges are allowed, got ", ranges.size()));
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    const NoTranslateRange& r = ranges[i];
    std::string f = StrCat(field, "[", i, "]");
    if (r.kind == NoTranslateRange::Kind::kBlocks) {
      if (r.first < 0 || r.last < r.first) {
        return BadField(f, StrCat("blocks ", r.first, " to ", r.last,
                                  ": need 0 <= first_block <= last_block"));
      }
    } else if (r.kind == NoTranslateRange::Kind::kLines) {
      if (r.first < 1 || r.last < r.first) {
        return BadField(f, StrCat("lines ", r.first, " to ", r.last,
                                  ": need 1 <= first_line <= last_line"));
      }
    } else {
      return BadField(f, "a range needs blocks or lines");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDocumentSize(std::string_view source, size_t limit) {
  if (source.size() > limit) {
    return QuotaExceeded("max_document_bytes", static_cast<int64_t>(limit),
                         StrCat("source is ", source.size(),
                                " bytes; the limit "
                                "max_document_bytes is ",
                                limit, " bytes"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Permissions (see the statement.proto header).

absl::Status CheckCanChange(const Principal& caller,
                            const std::vector<std::string>& languages) {
  if (caller.IsAdmin()) return absl::OkStatus();
  if (!caller.HasRole(Role::kCoordinator)) {
    return ErrorWithInfo(absl::StatusCode::kPermissionDenied, "ROLE_DENIED",
                         StrCat("user ", caller.user_id,
                                " is neither an admin nor a coordinator"));
  }
  for (const auto& lang : languages) {
    if (!caller.HasRoleFor(Role::kCoordinator, lang)) {
      return ErrorWithInfo(
          absl::StatusCode::kPermissionDenied, "LANGUAGE_NOT_GRANTED",
          StrCat("user ", caller.user_id, " is not a coordinator for ", lang,
                 ", a target language of the statement"),
          {{"language", lang}});
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCanRead(const Principal& caller, const Statement& s) {
  if (caller.IsAdmin() || caller.HasRole(Role::kService)) {
    return absl::OkStatus();
  }
  for (Role role : {Role::kCoordinator, Role::kTranslator, Role::kReviewer}) {
    for (const auto& lang : s.target_languages) {
      if (caller.HasRoleFor(role, lang)) return absl::OkStatus();
    }
  }
  std::string first =
      s.target_languages.empty() ? std::string() : s.target_languages.front();
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied,
                       "LANGUAGE_NOT_GRANTED",
                       StrCat("user ", caller.user_id,
                              " holds no role for any target language of ",
                              StatementName(s.statement_id)),
                       {{"language", first}});
}

bool CanRead(const Principal& caller, const Statement& s) {
  return CheckCanRead(caller, s).ok();
}

// ---------------------------------------------------------------------------
// Keys.

uint64_t HashU64(std::string_view data) {
  std::string h = Sha256(data);
  std::string_view v = h;
  uint64_t out = 0;
  storage::GetFixed64BE(&v, &out);
  return out;
}

std::string NameKey(std::string_view statement_id) {
  return KeyBuilder(kNameKind)
      .U64(HashU64(statement_id))
      .String(statement_id)
      .Build();
}
std::string StatementKey(uint64_t iid) {
  return KeyBuilder(kStatementKind).U64(iid).Build();
}
std::string RevisionKey(uint64_t iid, int rev) {
  return KeyBuilder(kRevisionKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .Build();
}
std::string SourceKey(uint64_t iid, int rev) {
  return KeyBuilder(kSourceKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .Build();
}
std::string DocumentKey(uint64_t iid, int rev) {
  return KeyBuilder(kDocumentKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .Build();
}
std::string SegmentPrefix(uint64_t iid, int rev) {
  return KeyBuilder(kSegmentKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .Build();
}
std::string SegmentRecordKey(uint64_t iid, int rev, int ordinal) {
  return KeyBuilder(kSegmentKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .U32(static_cast<uint32_t>(ordinal))
      .Build();
}
std::string SegmentIdKey(uint64_t iid, int rev, std::string_view segment_id) {
  return KeyBuilder(kSegmentIdKind)
      .U64(iid)
      .U32(static_cast<uint32_t>(rev))
      .String(segment_id)
      .Build();
}
std::string ListKey(absl::Time create_time, std::string_view statement_id) {
  // Inverted time: newest first in a forward scan.
  return KeyBuilder(kListKind)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(create_time)))
      .String(statement_id)
      .Build();
}
std::string CreateRequestKey(std::string_view user_id,
                             std::string_view request_id) {
  std::string both =
      KeyBuilder(0).String(user_id).String(request_id).Build().substr(1);
  return KeyBuilder(kCreateRequestKind)
      .U64(HashU64(both))
      .String(user_id)
      .String(request_id)
      .Build();
}
std::string ReviseRequestKey(uint64_t iid, std::string_view user_id,
                             std::string_view request_id) {
  return KeyBuilder(kReviseRequestKind)
      .U64(iid)
      .String(user_id)
      .String(request_id)
      .Build();
}

std::string Tagged(std::string_view payload) {
  std::string out(1, static_cast<char>(kFormat1));
  out.append(payload);
  return out;
}

absl::StatusOr<std::string_view> Untag(std::string_view value,
                                       std::string_view what) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kFormat1) {
    return absl::InternalError(StrCat("corrupt ", what, " value"));
  }
  return value.substr(1);
}

std::string U64Value(uint64_t v) {
  std::string out;
  storage::PutFixed64BE(&out, v);
  return out;
}

// ---------------------------------------------------------------------------
// Records.

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

rec::StatementRecord ToRecord(const Statement& s, uint64_t iid) {
  rec::StatementRecord r;
  r.set_statement_id(s.statement_id);
  r.set_internal_id(iid);
  r.set_title(s.title);
  r.set_source_language(s.source_language);
  r.set_format(static_cast<int>(s.format));
  for (const auto& l : s.target_languages) r.add_target_languages(l);
  if (s.deadline) r.set_deadline_micros(Micros(*s.deadline));
  for (const auto& [k, v] : s.labels) (*r.mutable_labels())[k] = v;
  r.set_state(static_cast<int>(s.state));
  r.set_review_rounds(s.review_rounds);
  r.set_allow_open_claiming(s.allow_open_claiming);
  r.set_current_revision(s.current_revision);
  r.set_segment_count(s.segment_count);
  r.set_translatable_segment_count(s.translatable_segment_count);
  r.set_word_count(s.word_count);
  r.set_creator(s.creator);
  r.set_create_time_micros(Micros(s.create_time));
  r.set_update_time_micros(Micros(s.update_time));
  return r;
}

Statement FromRecord(const rec::StatementRecord& r, uint64_t version) {
  Statement s;
  s.statement_id = r.statement_id();
  s.title = r.title();
  s.source_language = r.source_language();
  s.format = static_cast<formats::Format>(r.format());
  s.target_languages.assign(r.target_languages().begin(),
                            r.target_languages().end());
  if (r.deadline_micros() != 0) s.deadline = FromMicros(r.deadline_micros());
  for (const auto& [k, v] : r.labels()) s.labels[k] = v;
  s.state = static_cast<StatementState>(r.state());
  s.review_rounds = r.review_rounds();
  s.allow_open_claiming = r.allow_open_claiming();
  s.current_revision = r.current_revision();
  s.segment_count = r.segment_count();
  s.translatable_segment_count = r.translatable_segment_count();
  s.word_count = r.word_count();
  s.creator = r.creator();
  s.create_time = FromMicros(r.create_time_micros());
  s.update_time = FromMicros(r.update_time_micros());
  s.version = version;
  return s;
}

void ToRecord(const NoTranslateRange& r, rec::NoTranslateRangeRecord* out) {
  out->set_kind(static_cast<int>(r.kind));
  out->set_first(r.first);
  out->set_last(r.last);
}

rec::RevisionRecord ToRecord(const Revision& r, std::string_view raw_sha256) {
  rec::RevisionRecord out;
  out.set_revision_number(r.revision_number);
  out.set_format(static_cast<int>(r.format));
  out.set_source_size_bytes(r.source_size_bytes);
  out.set_source_sha256(std::string(raw_sha256));
  for (const auto& range : r.no_translate_ranges) {
    ToRecord(range, out.add_no_translate_ranges());
  }
  out.set_segment_count(r.segment_count);
  out.set_translatable_segment_count(r.translatable_segment_count);
  out.set_word_count(r.word_count);
  auto* c = out.mutable_changes();
  c->set_previous_revision(r.changes.previous_revision);
  for (const auto& id : r.changes.added_segment_ids)
    c->add_added_segment_ids(id);
  for (const auto& id : r.changes.removed_segment_ids) {
    c->add_removed_segment_ids(id);
  }
  for (const auto& ch : r.changes.changed_segments) {
    auto* cr = c->add_changed_segments();
    cr->set_segment_id(ch.segment_id);
    cr->set_predecessor_segment_id(ch.predecessor_segment_id);
    cr->set_similarity(ch.similarity);
  }
  c->set_unchanged_segment_count(r.changes.unchanged_segment_count);
  for (const auto& id : r.changes.moved_segment_ids)
    c->add_moved_segment_ids(id);
  out.set_note(r.note);
  out.set_creator(r.creator);
  out.set_create_time_micros(Micros(r.create_time));
  return out;
}

Revision FromRecord(std::string_view statement_id,
                    const rec::RevisionRecord& r) {
  Revision out;
  out.statement_id = std::string(statement_id);
  out.revision_number = r.revision_number();
  out.format = static_cast<formats::Format>(r.format());
  out.source_size_bytes = r.source_size_bytes();
  out.source_sha256 = HexEncode(r.source_sha256());
  for (const auto& range : r.no_translate_ranges()) {
    out.no_translate_ranges.push_back(
        {static_cast<NoTranslateRange::Kind>(range.kind()), range.first(),
         range.last()});
  }
  out.segment_count = r.segment_count();
  out.translatable_segment_count = r.translatable_segment_count();
  out.word_count = r.word_count();
  const auto& c = r.changes();
  out.changes.previous_revision = c.previous_revision();
  out.changes.added_segment_ids.assign(c.added_segment_ids().begin(),
                                       c.added_segment_ids().end());
  out.changes.removed_segment_ids.assign(c.removed_segment_ids().begin(),
                                         c.removed_segment_ids().end());
  for (const auto& ch : c.changed_segments()) {
    out.changes.changed_segments.push_back(
        {ch.segment_id(), ch.predecessor_segment_id(), ch.similarity()});
  }
  out.changes.unchanged_segment_count = c.unchanged_segment_count();
  out.changes.moved_segment_ids.assign(c.moved_segment_ids().begin(),
                                       c.moved_segment_ids().end());
  out.note = r.note();
  out.creator = r.creator();
  out.create_time = FromMicros(r.create_time_micros());
  return out;
}

rec::SourceSegmentRecord ToRecord(const formats::Segment& s,
                                  const SegmentInfo& info) {
  rec::SourceSegmentRecord r;
  r.set_segment_id(info.segment_id);
  r.set_text(s.content.text);
  for (const auto& ref : s.content.codes) {
    auto* cr = r.add_code_refs();
    cr->set_id(ref.id);
    cr->set_kind(static_cast<int>(ref.kind));
    cr->set_offset(static_cast<uint32_t>(ref.offset));
  }
  for (const auto& code : s.codes) {
    auto* c = r.add_codes();
    c->set_id(code.id);
    c->set_kind(static_cast<int>(code.kind));
    c->set_type(static_cast<int>(code.type));
    c->set_data(code.data);
    c->set_equiv(code.equiv);
  }
  r.set_block_kind(static_cast<int>(s.context.kind));
  r.set_heading_level(s.context.heading_level);
  r.set_block_index(s.context.block_index);
  for (auto k : s.context.nesting) r.add_nesting(static_cast<int>(k));
  r.set_index_in_block(info.index_in_block);
  r.set_block_segment_count(info.block_segment_count);
  r.set_source_line(info.source_line);
  r.set_section_heading(info.section_heading);
  r.set_word_count(info.word_count);
  r.set_translatable(s.translatable);
  r.set_no_translate_reason(static_cast<int>(info.no_translate_reason));
  for (const auto& p : info.placeholders) {
    auto* pr = r.add_placeholders();
    pr->set_type(static_cast<int>(p.kind) + 1);
    pr->set_start(static_cast<uint32_t>(p.begin));
    pr->set_end(static_cast<uint32_t>(p.end));
  }
  return r;
}

void FromRecord(const rec::SourceSegmentRecord& r, formats::Segment* s,
                SegmentInfo* info) {
  info->segment_id = r.segment_id();
  s->content.text = r.text();
  for (const auto& cr : r.code_refs()) {
    s->content.codes.push_back(formats::CodeRef{
        cr.id(), static_cast<formats::CodeKind>(cr.kind()), cr.offset()});
  }
  for (const auto& c : r.codes()) {
    s->codes.push_back(formats::InlineCode{
        c.id(), static_cast<formats::CodeKind>(c.kind()),
        static_cast<formats::CodeType>(c.type()), c.data(), c.equiv()});
  }
  s->context.kind = static_cast<formats::BlockKind>(r.block_kind());
  s->context.heading_level = r.heading_level();
  s->context.block_index = r.block_index();
  for (int k : r.nesting()) {
    s->context.nesting.push_back(static_cast<formats::BlockKind>(k));
  }
  s->translatable = r.translatable();
  info->index_in_block = r.index_in_block();
  info->block_segment_count = r.block_segment_count();
  info->source_line = r.source_line();
  info->section_heading = r.section_heading();
  info->word_count = r.word_count();
  info->no_translate_reason =
      static_cast<NoTranslateReason>(r.no_translate_reason());
  for (const auto& p : r.placeholders()) {
    info->placeholders.push_back(text::Placeholder{
        static_cast<text::PlaceholderKind>(p.type() - 1), p.start(), p.end()});
  }
}

// ---------------------------------------------------------------------------
// Page tokens: opaque, checksummed, bound to their query.

constexpr std::string_view kTokenSalt = "tessera.statement.page.v1";

std::string EncodePageToken(const rec::PageTokenRecord& r) {
  std::string payload = r.SerializeAsString();
  std::string sum = Sha256(StrCat(kTokenSalt, payload)).substr(0, 8);
  return Base64UrlEncode(StrCat(payload, sum));
}

absl::StatusOr<rec::PageTokenRecord> DecodePageToken(
    std::string_view token, int list, std::string_view query_hash) {
  auto invalid = [](std::string_view why) {
    return FieldError("INVALID_TOKEN", "page_token", why);
  };
  std::string raw;
  if (!absl::WebSafeBase64Unescape(ToAbsl(token), &raw) || raw.size() < 8) {
    return invalid("does not parse; pass a next_page_token unchanged");
  }
  std::string_view payload(raw.data(), raw.size() - 8);
  if (Sha256(StrCat(kTokenSalt, payload)).substr(0, 8) !=
      raw.substr(raw.size() - 8)) {
    return invalid("does not parse; pass a next_page_token unchanged");
  }
  rec::PageTokenRecord r;
  if (!r.ParseFromArray(payload.data(), static_cast<int>(payload.size())) ||
      r.list() != list) {
    return invalid("was not made by this method");
  }
  if (r.query_hash() != query_hash) {
    return invalid(
        "belongs to a different query; repeat the other request fields "
        "unchanged");
  }
  return r;
}

absl::StatusOr<int> ClampPageSize(int page_size, int def, int max) {
  if (page_size < 0) return BadField("page_size", "must not be negative");
  if (page_size == 0) return def;
  return std::min(page_size, max);
}

// ---------------------------------------------------------------------------
// Import helpers.

std::string_view PlainCodeText(const formats::InlineCode& code) {
  switch (code.type) {
    case formats::CodeType::kEscape:
    case formats::CodeType::kEntity:
    case formats::CodeType::kSoftBreak:
    case formats::CodeType::kLineBreak:
    case formats::CodeType::kAutolink:
      return code.equiv;
    default:
      return {};
  }
}

// The segment's text as the importer's verbatim check reads it.
std::string PlainText(const formats::Segment& s) {
  std::string out;
  size_t next = 0;
  for (const auto& ref : s.content.codes) {
    size_t at = std::min(ref.offset, s.content.text.size());
    if (at > next) out.append(s.content.text, next, at - next);
    next = std::max(next, at);
    for (const auto& code : s.codes) {
      if (code.id == ref.id && code.kind == ref.kind) {
        out.append(PlainCodeText(code));
        break;
      }
    }
  }
  if (next < s.content.text.size()) out.append(s.content.text, next);
  return out;
}

size_t SourceBytes(const formats::Segment& s) {
  size_t n = s.content.text.size();
  for (const auto& code : s.codes) n += code.data.size();
  return n;
}

int CountLines(std::string_view s) {
  int lines = static_cast<int>(std::count(s.begin(), s.end(), '\n'));
  if (!s.empty() && s.back() != '\n') ++lines;
  return lines;
}

// ---------------------------------------------------------------------------
// Revision matching.

// Indices (into `seq`) of one longest strictly increasing subsequence.
std::vector<size_t> LongestIncreasing(const std::vector<int>& seq) {
  std::vector<size_t> tails;  // index into seq of the smallest tail per length
  std::vector<int> parent(seq.size(), -1);
  for (size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i],
                               [&](size_t t, int v) { return seq[t] < v; });
    if (it != tails.begin()) parent[i] = static_cast<int>(*(it - 1));
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<size_t> out;
  for (int k = tails.empty() ? -1 : static_cast<int>(tails.back()); k >= 0;
       k = parent[k]) {
    out.push_back(static_cast<size_t>(k));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RevisionChanges ComputeChanges(int previous_revision,
                               const std::vector<std::string>& old_ids,
                               const std::vector<std::string>& old_keys,
                               const std::vector<std::string>& new_ids,
                               const std::vector<std::string>& new_keys) {
  RevisionChanges changes;
  changes.previous_revision = previous_revision;
  std::map<std::string_view, int> old_index;
  for (size_t i = 0; i < old_ids.size(); ++i) {
    old_index.emplace(old_ids[i], static_cast<int>(i));
  }
  std::vector<int> old_of_new(new_ids.size(), -1);
  std::vector<bool> old_kept(old_ids.size(), false);
  std::vector<int> kept_seq;
  std::vector<size_t> kept_new;
  for (size_t j = 0; j < new_ids.size(); ++j) {
    auto it = old_index.find(new_ids[j]);
    if (it == old_index.end()) continue;
    old_of_new[j] = it->second;
    old_kept[it->second] = true;
    kept_seq.push_back(it->second);
    kept_new.push_back(j);
  }
  changes.unchanged_segment_count = static_cast<int>(kept_seq.size());
  std::vector<bool> in_order(kept_seq.size(), false);
  for (size_t k : LongestIncreasing(kept_seq)) in_order[k] = true;
  for (size_t k = 0; k < kept_seq.size(); ++k) {
    if (!in_order[k]) changes.moved_segment_ids.push_back(new_ids[kept_new[k]]);
  }

  // Unmatched segments on both sides, in document order.
  std::vector<int> old_free;
  for (size_t i = 0; i < old_ids.size(); ++i) {
    if (!old_kept[i]) old_free.push_back(static_cast<int>(i));
  }
  struct Candidate {
    double similarity;
    int distance;
    int new_index;
    int old_index;
  };
  std::vector<Candidate> candidates;
  std::vector<std::optional<text::SimilarityText>> old_points(old_ids.size());
  int64_t budget = kMatchCellBudget;
  int anchor_new = -1;
  int anchor_old = -1;
  for (size_t j = 0; j < new_ids.size(); ++j) {
    if (old_of_new[j] >= 0) {
      anchor_new = static_cast<int>(j);
      anchor_old = old_of_new[j];
      continue;
    }
    if (old_free.empty()) continue;
    // Where the surrounding unchanged text says this segment used to be.
    int expected = anchor_old + (static_cast<int>(j) - anchor_new);
    auto at = std::lower_bound(old_free.begin(), old_free.end(), expected);
    int center = static_cast<int>(at - old_free.begin());
    int lo = std::max(0, center - kMatchWindow);
    int hi = std::min(static_cast<int>(old_free.size()), center + kMatchWindow);
    const text::SimilarityText mine = text::PrepareSimilarity(new_keys[j]);
    for (int k = lo; k < hi; ++k) {
      int o = old_free[k];
      if (!old_points[o].has_value()) {
        old_points[o] = text::PrepareSimilarity(old_keys[o]);
      }
      double sim =
          text::EditSimilarity(mine, *old_points[o], kMinSimilarity, &budget);
      if (sim < kMinSimilarity) continue;
      candidates.push_back(
          {sim, std::abs(o - expected), static_cast<int>(j), o});
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) {
              if (a.similarity != b.similarity) {
                return a.similarity > b.similarity;
              }
              if (a.distance != b.distance) return a.distance < b.distance;
              return a.new_index < b.new_index;
            });
  std::vector<int> predecessor(new_ids.size(), -1);
  std::vector<float> similarity(new_ids.size(), 0);
  std::vector<bool> old_taken(old_ids.size(), false);
  for (const Candidate& c : candidates) {
    if (predecessor[c.new_index] >= 0 || old_taken[c.old_index]) continue;
    predecessor[c.new_index] = c.old_index;
    old_taken[c.old_index] = true;
    // Strictly inside (0, 1): different keys never score 1.
    similarity[c.new_index] =
        std::min(static_cast<float>(c.similarity), 0.9999f);
  }
  for (size_t j = 0; j < new_ids.size(); ++j) {
    if (old_of_new[j] >= 0) continue;
    if (predecessor[j] >= 0) {
      changes.changed_segments.push_back(
          {new_ids[j], old_ids[predecessor[j]], similarity[j]});
    } else {
      changes.added_segment_ids.push_back(new_ids[j]);
    }
  }
  for (int o : old_free) {
    if (!old_taken[o]) changes.removed_segment_ids.push_back(old_ids[o]);
  }
  return changes;
}

// Canonical bytes of a request for request-id fingerprints.
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

}  // namespace

// ---------------------------------------------------------------------------

absl::Status InvalidFieldError(std::string_view field,
                               std::string_view description) {
  return BadField(field, description);
}

std::string SegmentKey(const formats::Content& content) {
  std::string readable = formats::ToReadable(content);
  std::string out;
  out.reserve(readable.size());
  bool space = false;
  for (char c : readable) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<ImportResult> ImportDocument(formats::Format format,
                                            std::string_view source_language,
                                            std::string_view bytes,
                                            const ImportOptions& options) {
  const ImportLimits& limits = options.limits;
  RETURN_IF_ERROR(CheckDocumentSize(bytes, limits.max_document_bytes));
  size_t bad = FindInvalidUtf8(bytes);
  if (bad != std::string_view::npos) {
    return FieldError("INVALID_UTF8", "source",
                      StrCat("invalid UTF-8 at byte offset ", bad),
                      {{"byte_offset", StrCat(bad)}});
  }
  size_t nul = bytes.find('\0');
  if (nul != std::string_view::npos) {
    return BadField("source", StrCat("holds a NUL byte at byte offset ", nul));
  }
  if (format != formats::Format::kMarkdown &&
      format != formats::Format::kPlainText) {
    return BadField("format", "must be Markdown or plain text");
  }
  ImportResult result;
  ASSIGN_OR_RETURN(result.source_language,
                   CanonicalLanguage("source_language", source_language));
  RETURN_IF_ERROR(
      CheckRangesSyntax("no_translate_ranges", options.no_translate_ranges));

  std::string normalized;
  std::string_view source = bytes;
  if (!text::IsNfc(bytes)) {
    normalized = text::NormalizeNfc(bytes);
    source = normalized;
  }

  auto segmenter = text::Segmenter::ForLanguage(result.source_language);
  if (!segmenter.ok()) {
    if (!absl::IsInvalidArgument(segmenter.status())) {
      return segmenter.status();
    }
    return BadField("source_language",
                    std::string(segmenter.status().message()));
  }
  formats::ImportOptions fo;
  std::shared_ptr<const text::Segmenter> seg = *std::move(segmenter);
  fo.split_sentences = [seg](std::string_view t) { return seg->Split(t); };
  fo.is_verbatim = [](std::string_view t) {
    return text::IsNonTranslatable(t);
  };
  for (const auto& r : options.no_translate_ranges) {
    if (r.kind == NoTranslateRange::Kind::kBlocks) {
      fo.no_translate_blocks.push_back(
          {r.first, std::min(r.last, std::numeric_limits<int>::max() - 1) + 1});
    }
  }
  auto imported = format == formats::Format::kMarkdown
                      ? formats::ImportMarkdown(source, fo)
                      : formats::ImportPlainText(source, fo);
  if (!imported.ok()) {
    if (absl::IsInvalidArgument(imported.status())) {
      return BadField("source", std::string(imported.status().message()));
    }
    return imported.status();
  }
  result.document = *std::move(imported);
  formats::Document& doc = result.document;
  const size_t n = doc.segments.size();

  // Where each segment starts in the source, hence its block's line.
  std::vector<size_t> starts(n, 0);
  size_t offset = 0;
  for (const auto& part : doc.skeleton) {
    if (part.is_hole()) {
      if (part.segment < 0 || static_cast<size_t>(part.segment) >= n) {
        return absl::InternalError("skeleton hole out of range");
      }
      starts[part.segment] = offset;
      offset += SourceBytes(doc.segments[part.segment]);
    } else {
      offset += part.literal.size();
    }
  }
  if (offset != source.size()) {
    return absl::InternalError(StrCat("the imported document covers ", offset,
                                      " of ", source.size(), " source bytes"));
  }
  std::vector<size_t> line_starts = {0};
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') line_starts.push_back(i + 1);
  }
  auto line_of = [&](size_t at) {
    return static_cast<int>(
        std::upper_bound(line_starts.begin(), line_starts.end(), at) -
        line_starts.begin());
  };

  int block_count = 0;
  for (const auto& s : doc.segments) {
    block_count = std::max(block_count, s.context.block_index + 1);
  }
  result.block_count = block_count;
  const int line_count = CountLines(source);
  for (size_t i = 0; i < options.no_translate_ranges.size(); ++i) {
    const NoTranslateRange& r = options.no_translate_ranges[i];
    std::string f = StrCat("no_translate_ranges[", i, "]");
    if (r.kind == NoTranslateRange::Kind::kBlocks && r.last >= block_count) {
      return BadField(f, StrCat("block ", r.last,
                                " is past the end: the "
                                "document has ",
                                block_count, " blocks"));
    }
    if (r.kind == NoTranslateRange::Kind::kLines && r.last > line_count) {
      return BadField(f, StrCat("line ", r.last,
                                " is past the end: the "
                                "document has ",
                                line_count, " lines"));
    }
  }

  if (n > static_cast<size_t>(limits.max_segments)) {
    return QuotaExceeded(
        "max_segments_per_statement", limits.max_segments,
        StrCat("the document has ", n,
               " segments; the limit max_segments_per_statement is ",
               limits.max_segments));
  }

  // Per block: first line, segment count, and marks.
  std::vector<int> block_line(block_count, 0);
  std::vector<int> block_segments(block_count, 0);
  std::vector<bool> block_marked(block_count, false);
  for (size_t i = 0; i < n; ++i) {
    int b = doc.segments[i].context.block_index;
    if (block_segments[b]++ == 0) block_line[b] = line_of(starts[i]);
  }
  for (const auto& r : options.no_translate_ranges) {
    for (int b = 0; b < block_count; ++b) {
      bool in = r.kind == NoTranslateRange::Kind::kBlocks
                    ? (b >= r.first && b <= r.last)
                    : (block_segments[b] > 0 && block_line[b] >= r.first &&
                       block_line[b] <= r.last);
      if (in) block_marked[b] = true;
    }
  }

  result.segments.resize(n);
  std::map<std::string, int> occurrences;
  std::string heading;       // text of the last heading block finished
  std::string this_heading;  // text of the heading block being read
  int heading_block = -1;
  int prev_block = -1;
  int index_in_block = 0;
  for (size_t i = 0; i < n; ++i) {
    formats::Segment& s = doc.segments[i];
    SegmentInfo& info = result.segments[i];
    const int b = s.context.block_index;
    if (b != prev_block) {
      if (heading_block >= 0) {
        heading = this_heading;
        this_heading.clear();
        heading_block = -1;
      }
      index_in_block = 0;
      prev_block = b;
    }
    if (s.content.text.size() > limits.max_segment_bytes) {
      return FieldError("LIMIT_EXCEEDED", "source",
                        StrCat("segment ", i + 1, " (",
                               formats::BlockKindName(s.context.kind),
                               " block ", b, " starting on line ",
                               block_line[b], ") is ", s.content.text.size(),
                               " bytes; the limit max_segment_bytes is ",
                               limits.max_segment_bytes, " bytes"),
                        {{"limit", "max_segment_bytes"},
                         {"value", StrCat(limits.max_segment_bytes)}});
    }
    if (block_marked[b]) s.translatable = false;
    if (!s.translatable) {
      info.no_translate_reason =
          !block_marked[b] && text::IsNonTranslatable(PlainText(s))
              ? NoTranslateReason::kDetected
              : NoTranslateReason::kMarked;
    }
    info.word_count = s.translatable ? text::CountWords(s.content.text,
                                                        result.source_language)
                                     : 0;
    info.placeholders = text::FindPlaceholders(s.content.text);
    info.index_in_block = index_in_block++;
    info.block_segment_count = block_segments[b];
    info.source_line = block_line[b];
    info.section_heading = heading;
    if (s.context.kind == formats::BlockKind::kHeading) {
      heading_block = b;
      if (!this_heading.empty()) this_heading.push_back(' ');
      this_heading.append(s.content.text);
    }
    std::string key = SegmentKey(s.content);
    int occurrence = ++occurrences[key];
    info.segment_id = HexEncode(Sha256(key).substr(0, 8));
    if (occurrence > 1) StrAppend(&info.segment_id, "x", occurrence);

    ++result.segment_count;
    if (s.translatable) {
      ++result.translatable_segment_count;
      result.word_count += info.word_count;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------

struct StatementCore::Loaded {
  uint64_t internal_id = 0;
  Statement statement;
};

absl::StatusOr<std::optional<StatementCore::Loaded>> StatementCore::Find(
    std::string_view statement_id) const {
  if (!IsValidStatementId(statement_id)) return std::optional<Loaded>();
  ASSIGN_OR_RETURN(auto name, store_->Get(kCf, NameKey(statement_id)));
  if (!name.has_value()) return std::optional<Loaded>();
  ASSIGN_OR_RETURN(storage::Record nr, storage::DecodeRecord(*name));
  std::string_view p = nr.payload;
  Loaded l;
  if (nr.format != kFormat1 || !storage::GetFixed64BE(&p, &l.internal_id)) {
    return absl::InternalError("corrupt statement name record");
  }
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, StatementKey(l.internal_id)));
  if (!value.has_value()) {
    return absl::InternalError("statement name points nowhere");
  }
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  rec::StatementRecord sr;
  if (r.format != kFormat1 || !sr.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt statement record");
  }
  l.statement = FromRecord(sr, r.version);
  return std::optional<Loaded>(std::move(l));
}

absl::StatusOr<StatementCore::Loaded> StatementCore::Load(
    std::string_view statement_id) const {
  ASSIGN_OR_RETURN(auto found, Find(statement_id));
  if (!found.has_value()) {
    return NotFound(StatementName(statement_id), "statement");
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

namespace {

// Every write of one revision: record, raw bytes, document, segments and
// their id index.
void AddRevisionWrites(WriteSet& w, uint64_t iid, const Revision& revision,
                       const ImportResult& imp, std::string_view raw_sha256,
                       std::string_view source_bytes) {
  const int rev = revision.revision_number;
  w.Put(kCf, RevisionKey(iid, rev),
        storage::EncodeRecord(
            kFormat1, 1, ToRecord(revision, raw_sha256).SerializeAsString()));
  w.Put(kCf, SourceKey(iid, rev), Tagged(source_bytes));
  rec::RevisionDocumentRecord doc;
  doc.set_document(formats::SerializeDocument(imp.document));
  for (const auto& info : imp.segments) doc.add_segment_ids(info.segment_id);
  w.Put(kCf, DocumentKey(iid, rev), Tagged(doc.SerializeAsString()));
  for (size_t i = 0; i < imp.segments.size(); ++i) {
    const int ordinal = static_cast<int>(i) + 1;
    w.Put(kCf, SegmentRecordKey(iid, rev, ordinal),
          Tagged(ToRecord(imp.document.segments[i], imp.segments[i])
                     .SerializeAsString()));
    std::string ord;
    ord.resize(4);
    for (int k = 0; k < 4; ++k) {
      ord[k] = static_cast<char>(
          (static_cast<uint32_t>(ordinal) >> (24 - 8 * k)) & 0xFF);
    }
    w.Put(kCf, SegmentIdKey(iid, rev, imp.segments[i].segment_id), Tagged(ord));
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

absl::StatusOr<std::optional<rec::RequestRecord>> LoadRequest(
    const storage::Store& store, const std::string& key) {
  ASSIGN_OR_RETURN(auto value, store.Get(kCf, key));
  if (!value.has_value()) return std::optional<rec::RequestRecord>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  rec::RequestRecord rr;
  if (r.format != kFormat1 || !rr.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt request record");
  }
  return std::optional<rec::RequestRecord>(std::move(rr));
}

absl::Status RequestIdReused(std::string_view request_id) {
  return FieldError("REQUEST_ID_REUSED", "request_id",
                    StrCat("request_id \"", request_id,
                           "\" was already used with a different request"));
}

absl::Status CheckWriteDeadline(const Clock& clock, absl::Time deadline) {
  if (clock.Now() >= deadline) {
    return absl::DeadlineExceededError(
        "the call's deadline passed before it could complete; nothing was "
        "changed");
  }
  return absl::OkStatus();
}

std::string EventPayload(std::string_view name, std::string_view user) {
  return StrCat(name, " by users/", user);
}

}  // namespace

absl::StatusOr<Statement> StatementCore::CreateStatement(
    const Principal& caller, CreateParams p) {
  RETURN_IF_ERROR(CheckDocumentSize(p.source, limits_.max_document_bytes));
  RETURN_IF_ERROR(CheckRequestId(p.control.request_id));
  if (!p.statement_id.empty()) {
    RETURN_IF_ERROR(CheckStatementId("statement_id", p.statement_id));
  }
  ASSIGN_OR_RETURN(p.title, CheckText("title", p.title, 1, kMaxTitleBytes));
  if (p.format != formats::Format::kMarkdown &&
      p.format != formats::Format::kPlainText) {
    return BadField("format",
                    "must be DOCUMENT_FORMAT_MARKDOWN or "
                    "DOCUMENT_FORMAT_PLAIN_TEXT");
  }
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
  Fingerprint fp("create");
  fp.Add(p.statement_id)
      .Add(p.title)
      .Add(static_cast<int64_t>(p.format))
      .Add(Sha256(p.source))
      .Add(source_language);
  fp.Add(static_cast<int64_t>(targets.size()));
  for (const auto& t : targets) fp.Add(t);
  fp.Add(p.deadline ? Micros(*p.deadline) : 0);
  fp.Add(static_cast<int64_t>(p.labels.size()));
  for (const auto& [k, v] : p.labels) fp.Add(k).Add(v);
  fp.Add(rounds).Add(p.allow_open_claiming ? 1 : 0).Add(p.no_translate_ranges);
  fp.Add(p.draft ? 1 : 0);
  const std::string fingerprint = fp.Digest();
  std::string request_key;
  auto replay =
      [&](const rec::RequestRecord& prior) -> absl::StatusOr<Statement> {
    if (prior.fingerprint() != fingerprint) {
      return RequestIdReused(p.control.request_id);
    }
    return LoadStatement(prior.statement_id());
  };
  if (!p.control.request_id.empty()) {
    request_key = CreateRequestKey(caller.user_id, p.control.request_id);
    ASSIGN_OR_RETURN(auto prior, LoadRequest(*store_, request_key));
    if (prior.has_value()) return replay(*prior);
  }

  ImportOptions io;
  io.no_translate_ranges = p.no_translate_ranges;
  io.limits = limits_;
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
    ASSIGN_OR_RETURN(auto taken, store_->Get(kCf, NameKey(p.statement_id)));
    if (taken.has_value()) {
      std::string name = StatementName(p.statement_id);
      return ErrorWithInfo(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                           StrCat(name, " already exists"),
                           {{"resource", name}});
    }
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

    WriteSet w;
    const std::string name_key = NameKey(s.statement_id);
    w.ExpectVersion(kCf, name_key, 0);
    w.ExpectVersion(kCf, StatementKey(iid), 0);
    w.Put(kCf, name_key, storage::EncodeRecord(kFormat1, 1, U64Value(iid)));
    w.Put(kCf, StatementKey(iid),
          storage::EncodeRecord(kFormat1, s.version,
                                ToRecord(s, iid).SerializeAsString()));
    w.Put(kCf, ListKey(s.create_time, s.statement_id), Tagged(U64Value(iid)));
    AddRevisionWrites(w, iid, revision, imp, Sha256(p.source), p.source);
    if (!request_key.empty()) {
      rec::RequestRecord rr;
      rr.set_fingerprint(fingerprint);
      rr.set_statement_id(s.statement_id);
      rr.set_revision_number(1);
      rr.set_create_time_micros(Micros(now));
      w.ExpectVersion(kCf, request_key, 0);
      w.Put(kCf, request_key,
            storage::EncodeRecord(kFormat1, 1, rr.SerializeAsString()));
    }
    w.AppendEvent("statement.created",
                  EventPayload(RevisionName(s.statement_id, 1), s.creator));
    RETURN_IF_ERROR(CheckWriteDeadline(*clock_, p.control.deadline));
    auto committed = store_->Commit(std::move(w));
    if (committed.ok()) return s;
    if (!absl::IsAborted(committed.status())) return committed.status();
    // Lost a race: to a retry of this very request, to a statement with the
    // same id, or (astronomically rarely) to an internal id.
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, LoadRequest(*store_, request_key));
      if (prior.has_value()) return replay(*prior);
    }
    if (chosen_id) {
      ASSIGN_OR_RETURN(auto taken, store_->Get(kCf, name_key));
      if (taken.has_value()) {
        std::string name = StatementName(s.statement_id);
        return ErrorWithInfo(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                             StrCat(name, " already exists"),
                             {{"resource", name}});
      }
    }
  }
  return absl::InternalError("could not allocate a statement id");
}

absl::StatusOr<Statement> StatementCore::GetStatement(
    const Principal& caller, std::string_view statement_id) const {
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  return l.statement;
}

absl::StatusOr<StatementPage> StatementCore::ListStatements(
    const Principal& caller, const ListStatementsQuery& query, int page_size,
    std::string_view page_token) const {
  ASSIGN_OR_RETURN(page_size,
                   ClampPageSize(page_size, kDefaultStatementPageSize,
                                 kMaxStatementPageSize));
  // Canonical query, for filtering and for binding page tokens to it.
  std::vector<std::string> languages;
  for (size_t i = 0; i < query.languages.size(); ++i) {
    ASSIGN_OR_RETURN(
        std::string tag,
        CanonicalLanguage(StrCat("languages[", i, "]"), query.languages[i]));
    languages.push_back(std::move(tag));
  }
  std::sort(languages.begin(), languages.end());
  languages.erase(std::unique(languages.begin(), languages.end()),
                  languages.end());
  std::set<StatementState> states(query.states.begin(), query.states.end());
  for (StatementState st : states) {
    if (static_cast<int>(st) < 1 || static_cast<int>(st) > 4) {
      return BadField("states", "holds an unknown state");
    }
  }
  std::vector<std::pair<std::string, std::string>> selectors;
  for (size_t i = 0; i < query.label_selectors.size(); ++i) {
    const LabelSelector& sel = query.label_selectors[i];
    std::string f = StrCat("label_selectors[", i, "]");
    RETURN_IF_ERROR(CheckLabelKey(StrCat(f, ".key"), sel.key));
    if (sel.value)
      RETURN_IF_ERROR(CheckLabelValue(StrCat(f, ".value"), *sel.value));
    selectors.emplace_back(sel.key, sel.value ? StrCat("=", *sel.value) : "");
  }
  std::sort(selectors.begin(), selectors.end());
  Fingerprint q("list-statements");
  for (const auto& l : languages) q.Add("l").Add(l);
  for (StatementState st : states) q.Add("s").Add(static_cast<int64_t>(st));
  for (const auto& [k, v] : selectors) q.Add("k").Add(k).Add(v);
  const std::string query_hash = q.Digest();

  std::string begin = KeyBuilder(kListKind).Build();
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(rec::PageTokenRecord t,
                     DecodePageToken(page_token, kStatementList, query_hash));
    begin =
        ListKey(FromMicros(t.last_create_time_micros()), t.last_statement_id());
    begin.push_back('\0');
  }

  auto matches = [&](const Statement& s) {
    if (states.empty() ? s.state == StatementState::kArchived
                       : !states.count(s.state)) {
      return false;
    }
    if (!languages.empty() &&
        std::none_of(languages.begin(), languages.end(), [&](const auto& l) {
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
  };

  StatementPage page;
  absl::Status inner;
  bool more = false;
  RETURN_IF_ERROR(store_->Scan(
      kCf, begin, storage::PrefixSuccessor(KeyBuilder(kListKind).Build()),
      [&](std::string_view, std::string_view v) {
        auto payload = Untag(v, "statement list");
        uint64_t iid = 0;
        std::string_view p = payload.ok() ? *payload : std::string_view();
        if (!payload.ok() || !storage::GetFixed64BE(&p, &iid)) {
          inner = absl::InternalError("corrupt statement list entry");
          return false;
        }
        auto value = store_->Get(kCf, StatementKey(iid));
        if (!value.ok()) {
          inner = value.status();
          return false;
        }
        if (!value->has_value()) return true;
        auto r = storage::DecodeRecord(**value);
        rec::StatementRecord sr;
        if (!r.ok() || !sr.ParseFromString(r->payload)) {
          inner = absl::InternalError("corrupt statement record");
          return false;
        }
        Statement s = FromRecord(sr, r->version);
        if (!matches(s)) return true;
        if (page.statements.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        page.statements.push_back(std::move(s));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) {
    rec::PageTokenRecord t;
    t.set_list(kStatementList);
    t.set_query_hash(query_hash);
    t.set_last_create_time_micros(Micros(page.statements.back().create_time));
    t.set_last_statement_id(page.statements.back().statement_id);
    page.next_page_token = EncodePageToken(t);
  }
  return page;
}

absl::StatusOr<Statement> StatementCore::CommitStatementChange(
    const Loaded& before, Statement after, std::string_view event,
    const Principal& caller) {
  after.version = before.statement.version + 1;
  after.update_time = clock_->Now();
  WriteSet w;
  const std::string key = StatementKey(before.internal_id);
  w.ExpectVersion(kCf, key, before.statement.version);
  w.Put(kCf, key,
        storage::EncodeRecord(
            kFormat1, after.version,
            ToRecord(after, before.internal_id).SerializeAsString()));
  w.AppendEvent(
      event, EventPayload(StatementName(after.statement_id), caller.user_id));
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
    const Principal& caller, std::string_view statement_id,
    uint64_t expected_version, const StatementUpdate& update) {
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
  return CommitStatementChange(l, std::move(after), "statement.updated",
                               caller);
}

absl::StatusOr<Statement> StatementCore::Transition(
    const Principal& caller, std::string_view statement_id,
    uint64_t expected_version, StatementState to) {
  ASSIGN_OR_RETURN(Loaded l, Load(statement_id));
  RETURN_IF_ERROR(CheckCanChange(caller, l.statement.target_languages));
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
  return CommitStatementChange(l, std::move(after), event, caller);
}

absl::StatusOr<Statement> StatementCore::OpenStatement(
    const Principal& caller, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(caller, statement_id, expected_version,
                    StatementState::kOpen);
}

absl::StatusOr<Statement> StatementCore::CloseStatement(
    const Principal& caller, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(caller, statement_id, expected_version,
                    StatementState::kClosed);
}

absl::StatusOr<Statement> StatementCore::ArchiveStatement(
    const Principal& caller, std::string_view statement_id,
    uint64_t expected_version) {
  return Transition(caller, statement_id, expected_version,
                    StatementState::kArchived);
}

absl::StatusOr<Revision> StatementCore::ReviseStatement(const Principal& caller,
                                                        ReviseParams p) {
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

  Fingerprint fp("revise");
  fp.Add(s.statement_id)
      .Add(static_cast<int64_t>(p.version))
      .Add(Sha256(p.source))
      .Add(p.no_translate_ranges)
      .Add(p.note);
  const std::string fingerprint = fp.Digest();
  std::string request_key;
  auto replay =
      [&](const rec::RequestRecord& prior) -> absl::StatusOr<Revision> {
    if (prior.fingerprint() != fingerprint) {
      return RequestIdReused(p.control.request_id);
    }
    return LoadRevision(l, prior.revision_number(), false);
  };
  if (!p.control.request_id.empty()) {
    request_key =
        ReviseRequestKey(l.internal_id, caller.user_id, p.control.request_id);
    ASSIGN_OR_RETURN(auto prior, LoadRequest(*store_, request_key));
    if (prior.has_value()) return replay(*prior);
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
  const std::string key = StatementKey(l.internal_id);
  w.ExpectVersion(kCf, key, s.version);
  w.Put(kCf, key,
        storage::EncodeRecord(
            kFormat1, after.version,
            ToRecord(after, l.internal_id).SerializeAsString()));
  AddRevisionWrites(w, l.internal_id, revision, imp, Sha256(p.source),
                    p.source);
  if (!request_key.empty()) {
    rec::RequestRecord rr;
    rr.set_fingerprint(fingerprint);
    rr.set_statement_id(s.statement_id);
    rr.set_revision_number(number);
    rr.set_create_time_micros(Micros(now));
    w.ExpectVersion(kCf, request_key, 0);
    w.Put(kCf, request_key,
          storage::EncodeRecord(kFormat1, 1, rr.SerializeAsString()));
  }
  w.AppendEvent(
      "statement.revised",
      EventPayload(RevisionName(s.statement_id, number), caller.user_id));
  RETURN_IF_ERROR(CheckWriteDeadline(*clock_, p.control.deadline));
  auto committed = store_->Commit(std::move(w));
  if (absl::IsAborted(committed.status())) {
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, LoadRequest(*store_, request_key));
      if (prior.has_value()) return replay(*prior);
    }
    ASSIGN_OR_RETURN(Loaded current, Load(s.statement_id));
    return VersionConflict(StatementName(s.statement_id), p.version,
                           current.statement.version);
  }
  RETURN_IF_ERROR(committed.status());
  return revision;
}

absl::StatusOr<Revision> StatementCore::LoadRevision(const Loaded& l,
                                                     int revision_number,
                                                     bool full) const {
  const Statement& s = l.statement;
  if (revision_number < 1 || revision_number > s.current_revision) {
    return NotFound(RevisionName(s.statement_id, revision_number), "revision");
  }
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, RevisionKey(l.internal_id,
                                                            revision_number)));
  if (!value.has_value()) {
    return NotFound(RevisionName(s.statement_id, revision_number), "revision");
  }
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  rec::RevisionRecord rr;
  if (r.format != kFormat1 || !rr.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt revision record");
  }
  Revision out = FromRecord(s.statement_id, rr);
  if (full) {
    ASSIGN_OR_RETURN(
        auto src, store_->Get(kCf, SourceKey(l.internal_id, revision_number)));
    ASSIGN_OR_RETURN(auto doc, store_->Get(kCf, DocumentKey(l.internal_id,
                                                            revision_number)));
    if (!src.has_value() || !doc.has_value()) {
      return absl::InternalError("revision bytes missing");
    }
    ASSIGN_OR_RETURN(std::string_view src_bytes, Untag(*src, "source"));
    ASSIGN_OR_RETURN(std::string_view doc_bytes, Untag(*doc, "document"));
    rec::RevisionDocumentRecord dr;
    if (!dr.ParseFromArray(doc_bytes.data(),
                           static_cast<int>(doc_bytes.size()))) {
      return absl::InternalError("corrupt revision document");
    }
    out.source = std::string(src_bytes);
    out.skeleton = dr.document();
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
  ASSIGN_OR_RETURN(page_size,
                   ClampPageSize(page_size, kDefaultStatementPageSize,
                                 kMaxStatementPageSize));
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  const std::string query_hash =
      Fingerprint("list-revisions").Add(statement_id).Digest();
  int after = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(rec::PageTokenRecord t,
                     DecodePageToken(page_token, kRevisionList, query_hash));
    after = t.last_number();
  }
  RevisionPage page;
  absl::Status inner;
  bool more = false;
  std::string prefix = KeyBuilder(kRevisionKind).U64(l.internal_id).Build();
  RETURN_IF_ERROR(store_->Scan(
      kCf, RevisionKey(l.internal_id, after + 1),
      storage::PrefixSuccessor(prefix),
      [&](std::string_view, std::string_view v) {
        if (page.revisions.size() == static_cast<size_t>(page_size)) {
          more = true;
          return false;
        }
        auto r = storage::DecodeRecord(v);
        rec::RevisionRecord rr;
        if (!r.ok() || !rr.ParseFromString(r->payload)) {
          inner = absl::InternalError("corrupt revision record");
          return false;
        }
        page.revisions.push_back(FromRecord(l.statement.statement_id, rr));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) {
    rec::PageTokenRecord t;
    t.set_list(kRevisionList);
    t.set_query_hash(query_hash);
    t.set_last_number(page.revisions.back().revision_number);
    page.next_page_token = EncodePageToken(t);
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
    return NotFound(RevisionName(s.statement_id, rev), "revision");
  }
  std::string name =
      StrCat(StatementName(s.statement_id), "/segments/", segment_id);
  ASSIGN_OR_RETURN(auto index, store_->Get(kCf, SegmentIdKey(l.internal_id, rev,
                                                             segment_id)));
  if (!index.has_value()) {
    return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                         StrCat("no segment ", name, " in revision ", rev),
                         {{"resource", name}});
  }
  ASSIGN_OR_RETURN(std::string_view ord_bytes, Untag(*index, "segment index"));
  if (ord_bytes.size() != 4)
    return absl::InternalError("corrupt segment index");
  int ordinal = 0;
  for (char c : ord_bytes)
    ordinal = (ordinal << 8) | static_cast<unsigned char>(c);
  ASSIGN_OR_RETURN(
      auto value,
      store_->Get(kCf, SegmentRecordKey(l.internal_id, rev, ordinal)));
  if (!value.has_value()) return absl::InternalError("dangling segment index");
  ASSIGN_OR_RETURN(std::string_view payload, Untag(*value, "segment"));
  rec::SourceSegmentRecord sr;
  if (!sr.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::InternalError("corrupt segment record");
  }
  SourceSegment out;
  out.statement_id = s.statement_id;
  out.revision_number = rev;
  out.ordinal = ordinal;
  FromRecord(sr, &out.segment, &out.info);
  return out;
}

absl::StatusOr<SourceSegmentPage> StatementCore::ListSourceSegments(
    const Principal& caller, std::string_view statement_id, int revision_number,
    int page_size, std::string_view page_token, bool translatable_only) const {
  ASSIGN_OR_RETURN(page_size, ClampPageSize(page_size, kDefaultSegmentPageSize,
                                            kMaxSegmentPageSize));
  ASSIGN_OR_RETURN(Loaded l, LoadReadable(caller, statement_id));
  const Statement& s = l.statement;
  const std::string query_hash = Fingerprint("list-segments")
                                     .Add(statement_id)
                                     .Add(revision_number)
                                     .Add(translatable_only ? 1 : 0)
                                     .Digest();
  int rev = revision_number == 0 ? s.current_revision : revision_number;
  int after = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(rec::PageTokenRecord t,
                     DecodePageToken(page_token, kSegmentList, query_hash));
    // Later pages stay on the revision the first page read, even if a new
    // one became current in between.
    rev = t.revision();
    after = t.last_number();
  }
  if (rev < 1 || rev > s.current_revision) {
    return NotFound(RevisionName(s.statement_id, rev), "revision");
  }
  // Only the counts: every page parsing the revision's change lists would
  // make listing a large statement quadratic.
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, RevisionKey(l.internal_id, rev)));
  if (!value.has_value()) {
    return NotFound(RevisionName(s.statement_id, rev), "revision");
  }
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  rec::RevisionCountsRecord counts;
  if (r.format != kFormat1 || !counts.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt revision record");
  }
  SourceSegmentPage page;
  page.total_size = translatable_only ? counts.translatable_segment_count()
                                      : counts.segment_count();
  absl::Status inner;
  bool more = false;
  RETURN_IF_ERROR(store_->Scan(
      kCf, SegmentRecordKey(l.internal_id, rev, after + 1),
      storage::PrefixSuccessor(SegmentPrefix(l.internal_id, rev)),
      [&](std::string_view key, std::string_view v) {
        KeyReader kr(key);
        uint8_t kind;
        uint64_t iid;
        uint32_t r, ordinal;
        auto payload = Untag(v, "segment");
        rec::SourceSegmentRecord sr;
        if (!kr.Kind(&kind) || !kr.U64(&iid) || !kr.U32(&r) ||
            !kr.U32(&ordinal) || !payload.ok() ||
            !sr.ParseFromArray(payload->data(),
                               static_cast<int>(payload->size()))) {
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
        seg.ordinal = static_cast<int>(ordinal);
        FromRecord(sr, &seg.segment, &seg.info);
        page.segments.push_back(std::move(seg));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) {
    rec::PageTokenRecord t;
    t.set_list(kSegmentList);
    t.set_query_hash(query_hash);
    t.set_last_number(page.segments.back().ordinal);
    t.set_revision(rev);
    page.next_page_token = EncodePageToken(t);
  }
  return page;
}

absl::StatusOr<RevisionDocument> StatementCore::LoadDocument(
    uint64_t internal_id, int revision_number) const {
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, DocumentKey(internal_id, revision_number)));
  if (!value.has_value()) {
    return absl::InternalError("revision document missing");
  }
  ASSIGN_OR_RETURN(std::string_view bytes, Untag(*value, "document"));
  rec::RevisionDocumentRecord dr;
  if (!dr.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError("corrupt revision document");
  }
  RevisionDocument out;
  out.revision_number = revision_number;
  auto doc = formats::DeserializeDocument(dr.document());
  if (!doc.ok()) {
    return absl::InternalError(
        StrCat("stored document does not parse: ", doc.status().message()));
  }
  out.document = *std::move(doc);
  out.segment_ids.assign(dr.segment_ids().begin(), dr.segment_ids().end());
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
    return NotFound(RevisionName(statement_id, rev), "revision");
  }
  return LoadDocument(l.internal_id, rev);
}

}  // namespace tessera::statement

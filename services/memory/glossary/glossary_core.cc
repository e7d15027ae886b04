#include "services/memory/glossary/glossary_core.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/memory/glossary/glossary_keys.h"
#include "services/memory/glossary/glossary_match.h"
#include "services/memory/glossary/glossary_records.pb.h"
#include "storage/key_codec.h"
#include "storage/table.h"
#include "text/language.h"
#include "text/normalize.h"

namespace tessera::memory::glossary {
namespace {

namespace rec = storage::memory::glossary;
using storage::Versioned;
using storage::WriteSet;

constexpr std::string_view kNamePrefix = "glossaryEntries/";
constexpr size_t kMaxEntryIdBytes = 64;
constexpr int kCreateAttempts = 4;

storage::Table<rec::GlossaryEntryRecord> Entries(storage::Store* store) {
  return {store, kGlossaryCf, kEntryFormat, "glossary entry"};
}
storage::RawTable Unique(storage::Store* store) {
  return {store, kGlossaryCf, kUniqueFormat, "glossary uniqueness"};
}
storage::TaggedTable<std::string> Listing(storage::Store* store) {
  return {store, kGlossaryCf, kListFormat, "glossary listing"};
}
storage::TaggedTable<std::string> Terms(storage::Store* store) {
  return {store, kGlossaryCf, kTermFormat, "glossary term index"};
}
storage::Table<rec::GlossaryRequestRecord> Requests(storage::Store* store) {
  return {store, kGlossaryCf, kRequestFormat, "glossary request"};
}

rec::GlossaryEntryRecord ToRecord(const GlossaryEntry& e) {
  rec::GlossaryEntryRecord r;
  r.set_entry_id(e.entry_id);
  r.set_source_language(e.source_language);
  r.set_target_language(e.target_language);
  r.set_source_term(e.source_term);
  r.set_target_term(e.target_term);
  r.set_do_not_translate(e.do_not_translate);
  r.set_case_sensitive(e.case_sensitive);
  r.set_match_inflections(e.match_inflections);
  r.set_part_of_speech(static_cast<int>(e.part_of_speech));
  r.set_note(e.note);
  r.set_creator(e.creator);
  r.set_create_time_micros(absl::ToUnixMicros(e.create_time));
  r.set_update_time_micros(absl::ToUnixMicros(e.update_time));
  return r;
}

GlossaryEntry FromRecord(const Versioned<rec::GlossaryEntryRecord>& stored) {
  const rec::GlossaryEntryRecord& r = stored.record;
  GlossaryEntry e;
  e.entry_id = r.entry_id();
  e.source_language = r.source_language();
  e.target_language = r.target_language();
  e.source_term = r.source_term();
  e.target_term = r.target_term();
  e.do_not_translate = r.do_not_translate();
  e.case_sensitive = r.case_sensitive();
  e.match_inflections = r.match_inflections();
  e.part_of_speech = static_cast<PartOfSpeech>(r.part_of_speech());
  e.note = r.note();
  e.creator = r.creator();
  e.create_time = absl::FromUnixMicros(r.create_time_micros());
  e.update_time = absl::FromUnixMicros(r.update_time_micros());
  e.version = stored.version;
  return e;
}

std::string Field(std::string_view name) {
  return StrCat("glossary_entry.", name);
}

absl::StatusOr<std::string> CanonicalLanguage(std::string_view field,
                                              std::string_view tag) {
  auto canonical = text::CanonicalizeLanguageTag(tag);
  if (!canonical.ok()) {
    return BadField(field, std::string(canonical.status().message()));
  }
  return *std::move(canonical);
}

// Valid UTF-8 (else INVALID_UTF8 with the offset), in NFC; control
// characters refused except, when `multiline`, tab and line breaks.
absl::StatusOr<std::string> CleanText(std::string_view field,
                                      std::string_view value, bool multiline) {
  const size_t bad = FindInvalidUtf8(value);
  if (bad != std::string_view::npos) {
    return BadField(field, StrCat("invalid UTF-8 at byte offset ", bad),
                    "INVALID_UTF8", {{"byte_offset", StrCat(bad)}});
  }
  std::string nfc = text::NormalizeNfc(value);
  for (size_t i = 0; i < nfc.size();) {
    char32_t cp;
    i += DecodeUtf8(nfc, i, &cp);
    const bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
    const bool allowed = multiline && (cp == '\t' || cp == '\n' || cp == '\r');
    if (control && !allowed) {
      return BadField(field, "must not contain control characters");
    }
  }
  return nfc;
}

// NFC, trimmed of white space, 1 to kMaxTermBytes.
absl::StatusOr<std::string> CleanTerm(std::string_view field,
                                      std::string_view value) {
  ASSIGN_OR_RETURN(std::string nfc, CleanText(field, value, false));
  size_t begin = 0, end = nfc.size();
  while (begin < end) {
    char32_t cp;
    const size_t n = DecodeUtf8(nfc, begin, &cp);
    if (!IsWhiteSpace(cp)) break;
    begin += n;
  }
  while (end > begin) {
    char32_t cp;
    const size_t n = DecodeUtf8Before(nfc, end, &cp);
    if (!IsWhiteSpace(cp)) break;
    end -= n;
  }
  std::string term = nfc.substr(begin, end - begin);
  if (term.empty()) return BadField(field, "is required");
  if (term.size() > kMaxTermBytes) {
    return BadField(field, StrCat("is ", term.size(), " bytes; the limit is ",
                                  kMaxTermBytes));
  }
  return term;
}

// Checks and normalises the user-set fields of `e` in place.
absl::Status Validate(GlossaryEntry* e) {
  ASSIGN_OR_RETURN(
      e->source_language,
      CanonicalLanguage(Field("source_language"), e->source_language));
  ASSIGN_OR_RETURN(
      e->target_language,
      CanonicalLanguage(Field("target_language"), e->target_language));
  if (e->source_language == e->target_language) {
    return BadField(Field("target_language"),
                    "must differ from source_language");
  }
  ASSIGN_OR_RETURN(e->source_term,
                   CleanTerm(Field("source_term"), e->source_term));
  if (!HasWord(e->source_term, e->source_language)) {
    return BadField(Field("source_term"),
                    "must contain a letter, a digit or an ideograph");
  }
  if (e->do_not_translate) {
    if (!e->target_term.empty()) {
      return BadField(Field("target_term"),
                      "must be empty when do_not_translate is true");
    }
  } else {
    if (e->target_term.empty()) {
      return BadField(Field("target_term"),
                      "is required unless do_not_translate is true");
    }
    ASSIGN_OR_RETURN(e->target_term,
                     CleanTerm(Field("target_term"), e->target_term));
  }
  ASSIGN_OR_RETURN(e->note, CleanText(Field("note"), e->note, true));
  if (e->note.size() > kMaxNoteBytes) {
    return BadField(Field("note"), StrCat("is ", e->note.size(),
                                          " bytes; the limit is ",
                                          kMaxNoteBytes));
  }
  const int pos = static_cast<int>(e->part_of_speech);
  if (pos < 0 || pos > static_cast<int>(PartOfSpeech::kOther)) {
    return BadField(Field("part_of_speech"), StrCat("unknown value ", pos));
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(std::string_view id) {
  if (id.empty()) return absl::OkStatus();
  const bool ok = id.size() <= kMaxRequestIdBytes &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (!ok) {
    return BadField("request_id", StrCat("must be 1 to ", kMaxRequestIdBytes,
                                         " characters of [A-Za-z0-9_-]"));
  }
  return absl::OkStatus();
}

std::string UniqueKeyOf(const GlossaryEntry& e) {
  return UniqueKey(e.source_language, e.target_language,
                   FoldForSearch(e.source_term), FoldForSearch(e.target_term));
}
std::string ListKeyOf(const GlossaryEntry& e) {
  return ListKey(FoldForSearch(e.source_term), e.entry_id);
}
std::string TermKeyOf(const GlossaryEntry& e) {
  return TermIndexKey(e.source_language, e.target_language,
                      TermKey(e.source_term, e.source_language), e.entry_id);
}

// Everything about a create request that shapes its result.
std::string Fingerprint(const GlossaryEntry& e) {
  std::string f;
  for (std::string_view part :
       {std::string_view(e.source_language), std::string_view(e.target_language),
        std::string_view(e.source_term), std::string_view(e.target_term),
        std::string_view(e.note)}) {
    StrAppend(&f, part.size(), ":", part, ";");
  }
  StrAppend(&f, e.do_not_translate, e.case_sensitive, e.match_inflections, ";",
            static_cast<int>(e.part_of_speech));
  return Sha256(f);
}

absl::Status Duplicate(std::string_view existing_id) {
  const std::string name = EntryName(existing_id);
  return ErrorWithInfo(
      absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
      StrCat(name, " already has this language pair, source term and "
                   "target term (ignoring case)"),
      {{"resource", name}});
}

absl::Status RequestIdReused(std::string_view request_id) {
  return BadField("request_id",
                  StrCat("request_id \"", request_id,
                         "\" was already used with a different request"),
                  "REQUEST_ID_REUSED");
}

std::string EventPayload(std::string_view entry_id, std::string_view user) {
  return StrCat(EntryName(entry_id), " by users/", user);
}

absl::Status NoEntry(std::string_view entry_id) {
  const std::string name = EntryName(entry_id);
  return NotFoundError(name, StrCat("no glossary entry ", name));
}

}  // namespace

std::string EntryName(std::string_view entry_id) {
  return StrCat(kNamePrefix, entry_id);
}

absl::StatusOr<std::string> ParseEntryName(std::string_view field,
                                           std::string_view name) {
  if (name.substr(0, kNamePrefix.size()) != kNamePrefix) {
    return BadField(field, "must be \"glossaryEntries/{entry_id}\"");
  }
  std::string_view id = name.substr(kNamePrefix.size());
  const bool ok = !id.empty() && id.size() <= kMaxEntryIdBytes &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                  });
  if (!ok) {
    return BadField(field, "the entry id must be 1 to 64 of [a-z0-9]");
  }
  return std::string(id);
}

absl::StatusOr<std::optional<GlossaryEntry>> GlossaryCore::Load(
    std::string_view entry_id) const {
  ASSIGN_OR_RETURN(auto stored, Entries(store_).Get(EntryKey(entry_id)));
  if (!stored.has_value()) return std::optional<GlossaryEntry>();
  return std::optional<GlossaryEntry>(FromRecord(*stored));
}

absl::StatusOr<GlossaryEntry> GlossaryCore::Get(
    std::string_view entry_id) const {
  ASSIGN_OR_RETURN(auto entry, Load(entry_id));
  if (!entry.has_value()) return NoEntry(entry_id);
  return *std::move(entry);
}

absl::Status GlossaryCore::Conflict(std::string_view entry_id,
                                    uint64_t requested) const {
  ASSIGN_OR_RETURN(auto now, Load(entry_id));
  if (!now.has_value()) return NoEntry(entry_id);
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       StrCat(EntryName(entry_id), " is at version ",
                              now->version, ", not ", requested,
                              "; read it again and retry"),
                       {{"current_version", StrCat(now->version)}});
}

absl::StatusOr<GlossaryEntry> GlossaryCore::Create(
    const CallContext& call, GlossaryEntry e, std::string_view request_id) {
  RETURN_IF_ERROR(CheckRequestId(request_id));
  RETURN_IF_ERROR(Validate(&e));
  const std::string& user = call.caller().user_id;
  const std::string fingerprint = Fingerprint(e);
  std::string request_key;
  auto replay = [&]() -> absl::StatusOr<std::optional<GlossaryEntry>> {
    ASSIGN_OR_RETURN(auto prior, Requests(store_).Get(request_key));
    if (!prior.has_value()) return std::optional<GlossaryEntry>();
    if (prior->record.fingerprint() != fingerprint) {
      return RequestIdReused(request_id);
    }
    ASSIGN_OR_RETURN(GlossaryEntry made, Get(prior->record.entry_id()));
    return std::optional<GlossaryEntry>(std::move(made));
  };
  if (!request_id.empty()) {
    request_key = RequestKey(user, request_id);
    ASSIGN_OR_RETURN(auto prior, replay());
    if (prior.has_value()) return *std::move(prior);
  }
  const std::string unique_key = UniqueKeyOf(e);
  auto taken = [&]() -> absl::StatusOr<std::optional<std::string>> {
    ASSIGN_OR_RETURN(auto owner, Unique(store_).Get(unique_key));
    if (!owner.has_value()) return std::optional<std::string>();
    return std::optional<std::string>(owner->record);
  };
  ASSIGN_OR_RETURN(auto owner, taken());
  if (owner.has_value()) return Duplicate(*owner);

  const absl::Time now = clock_->Now();
  e.creator = user;
  e.create_time = now;
  e.update_time = now;
  e.version = 1;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::string random, random_->Bytes(8));
    e.entry_id = HexEncode(random);
    WriteSet w;
    Entries(store_).PutNew(&w, EntryKey(e.entry_id), ToRecord(e));
    Unique(store_).PutNew(&w, unique_key, e.entry_id);
    Listing(store_).Put(&w, ListKeyOf(e), "");
    Terms(store_).Put(&w, TermKeyOf(e), "");
    if (!request_key.empty()) {
      rec::GlossaryRequestRecord r;
      r.set_fingerprint(fingerprint);
      r.set_entry_id(e.entry_id);
      r.set_create_time_micros(absl::ToUnixMicros(now));
      Requests(store_).PutNew(&w, request_key, r);
    }
    w.AppendEvent("glossary.created", EventPayload(e.entry_id, user));
    RETURN_IF_ERROR(call.CheckDeadline());
    auto committed = store_->Commit(std::move(w));
    if (committed.ok()) return e;
    if (!absl::IsAborted(committed.status())) return committed.status();
    // Lost a race: to a retry of this request, to an entry with the same
    // terms, or (very rarely) to an entry with the same id.
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, replay());
      if (prior.has_value()) return *std::move(prior);
    }
    ASSIGN_OR_RETURN(owner, taken());
    if (owner.has_value()) return Duplicate(*owner);
  }
  return absl::InternalError("could not allocate a glossary entry id");
}

absl::StatusOr<GlossaryPage> GlossaryCore::List(
    const GlossaryQuery& query, int page_size, std::string_view page_token,
    const std::function<bool(const GlossaryEntry&)>& visible) const {
  ASSIGN_OR_RETURN(int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
  std::string source, target, needle;
  if (!query.source_language.empty()) {
    ASSIGN_OR_RETURN(source,
                     CanonicalLanguage("source_language", query.source_language));
  }
  if (!query.target_language.empty()) {
    ASSIGN_OR_RETURN(target,
                     CanonicalLanguage("target_language", query.target_language));
  }
  if (!query.term_query.empty()) {
    ASSIGN_OR_RETURN(std::string q,
                     CleanText("term_query", query.term_query, false));
    if (q.size() > kMaxTermBytes) {
      return BadField("term_query", StrCat("is ", q.size(),
                                           " bytes; the limit is ",
                                           kMaxTermBytes));
    }
    needle = FoldForSearch(q);
  }
  const std::string fingerprint = QueryFingerprint("memory.ListGlossaryEntries")
                                      .String(source)
                                      .String(target)
                                      .String(needle)
                                      .Build();
  ASSIGN_OR_RETURN(std::string last, DecodePageToken(page_token, fingerprint));
  const std::string prefix = ListPrefix();
  std::string begin = prefix;
  if (!last.empty()) {
    if (last.substr(0, prefix.size()) != prefix) {
      return BadField("page_token", "does not belong to this query",
                      "INVALID_TOKEN");
    }
    begin = last + '\0';
  }
  GlossaryPage page;
  std::string last_key;
  bool more = false;
  absl::Status inner;
  RETURN_IF_ERROR(Listing(store_).Scan(
      begin, storage::PrefixSuccessor(prefix),
      [&](std::string_view key, const std::string&) {
        std::string id;
        if (!ParseListKey(key, &id)) return true;
        auto entry = Load(id);
        if (!entry.ok()) {
          inner = entry.status();
          return false;
        }
        if (!entry->has_value()) return true;
        const GlossaryEntry& e = **entry;
        if (!source.empty() && e.source_language != source) return true;
        if (!target.empty() && e.target_language != target) return true;
        if (!needle.empty() &&
            FoldForSearch(e.source_term).find(needle) == std::string::npos &&
            FoldForSearch(e.target_term).find(needle) == std::string::npos) {
          return true;
        }
        if (visible && !visible(e)) return true;
        if (page.entries.size() == static_cast<size_t>(size)) {
          more = true;
          return false;
        }
        page.entries.push_back(**std::move(entry));
        last_key = std::string(key);
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) page.next_page_token = EncodePageToken(fingerprint, last_key);
  return page;
}

absl::StatusOr<GlossaryEntry> GlossaryCore::Update(
    const CallContext& call, std::string_view entry_id,
    uint64_t expected_version, const GlossaryUpdate& u) {
  if (!u.source_term && !u.target_term && !u.do_not_translate &&
      !u.case_sensitive && !u.match_inflections && !u.part_of_speech &&
      !u.note) {
    return BadField("update_mask", "names no field to change");
  }
  if (expected_version == 0) {
    return BadField(Field("version"), "is required");
  }
  ASSIGN_OR_RETURN(GlossaryEntry before, Get(entry_id));
  if (before.version != expected_version) {
    return Conflict(entry_id, expected_version);
  }
  GlossaryEntry after = before;
  if (u.source_term) after.source_term = *u.source_term;
  if (u.target_term) after.target_term = *u.target_term;
  if (u.do_not_translate) after.do_not_translate = *u.do_not_translate;
  if (u.case_sensitive) after.case_sensitive = *u.case_sensitive;
  if (u.match_inflections) after.match_inflections = *u.match_inflections;
  if (u.part_of_speech) after.part_of_speech = *u.part_of_speech;
  if (u.note) after.note = *u.note;
  RETURN_IF_ERROR(Validate(&after));
  after.update_time = clock_->Now();
  after.version = expected_version + 1;

  const std::string old_unique = UniqueKeyOf(before);
  const std::string new_unique = UniqueKeyOf(after);
  auto duplicate = [&]() -> absl::StatusOr<bool> {
    if (new_unique == old_unique) return false;
    ASSIGN_OR_RETURN(auto owner, Unique(store_).Get(new_unique));
    return owner.has_value() && owner->record != after.entry_id;
  };
  ASSIGN_OR_RETURN(bool dup, duplicate());
  if (dup) {
    ASSIGN_OR_RETURN(auto owner, Unique(store_).Get(new_unique));
    return Duplicate(owner->record);
  }
  WriteSet w;
  Entries(store_).Update(&w, EntryKey(entry_id), ToRecord(after),
                         expected_version);
  if (new_unique != old_unique) {
    Unique(store_).Delete(&w, old_unique);
    Unique(store_).PutNew(&w, new_unique, after.entry_id);
  }
  if (ListKeyOf(before) != ListKeyOf(after)) {
    Listing(store_).Delete(&w, ListKeyOf(before));
    Listing(store_).Put(&w, ListKeyOf(after), "");
  }
  if (TermKeyOf(before) != TermKeyOf(after)) {
    Terms(store_).Delete(&w, TermKeyOf(before));
    Terms(store_).Put(&w, TermKeyOf(after), "");
  }
  w.AppendEvent("glossary.updated",
                EventPayload(entry_id, call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  auto committed = store_->Commit(std::move(w));
  if (absl::IsAborted(committed.status())) {
    ASSIGN_OR_RETURN(auto now, Load(entry_id));
    if (!now.has_value()) return NoEntry(entry_id);
    if (now->version != expected_version) {
      return Conflict(entry_id, expected_version);
    }
    ASSIGN_OR_RETURN(auto owner, Unique(store_).Get(new_unique));
    if (owner.has_value()) return Duplicate(owner->record);
  }
  RETURN_IF_ERROR(committed.status());
  return after;
}

absl::Status GlossaryCore::Delete(const CallContext& call,
                                  std::string_view entry_id,
                                  uint64_t expected_version) {
  if (expected_version == 0) return BadField("version", "is required");
  ASSIGN_OR_RETURN(GlossaryEntry e, Get(entry_id));
  if (e.version != expected_version) {
    return Conflict(entry_id, expected_version);
  }
  WriteSet w;
  Entries(store_).ExpectVersion(&w, EntryKey(entry_id), expected_version);
  Entries(store_).Delete(&w, EntryKey(entry_id));
  Unique(store_).Delete(&w, UniqueKeyOf(e));
  Listing(store_).Delete(&w, ListKeyOf(e));
  Terms(store_).Delete(&w, TermKeyOf(e));
  w.AppendEvent("glossary.deleted",
                EventPayload(entry_id, call.caller().user_id));
  RETURN_IF_ERROR(call.CheckDeadline());
  auto committed = store_->Commit(std::move(w));
  if (absl::IsAborted(committed.status())) {
    return Conflict(entry_id, expected_version);
  }
  return committed.status();
}

absl::StatusOr<std::vector<GlossaryHit>> GlossaryCore::FindTerms(
    std::string_view source_language, std::string_view target_language,
    std::string_view text) const {
  ASSIGN_OR_RETURN(std::string source,
                   CanonicalLanguage("source_language", source_language));
  ASSIGN_OR_RETURN(std::string target,
                   CanonicalLanguage("target_language", target_language));
  std::vector<GlossaryHit> hits;
  if (text.empty()) return hits;
  const MatchText prepared(text, source);
  std::set<std::string> ids;
  for (const std::string& key : prepared.CandidateKeys()) {
    RETURN_IF_ERROR(Terms(store_).ScanPrefix(
        TermIndexPrefix(source, target, key),
        [&](std::string_view k, const std::string&) {
          std::string id;
          if (ParseTermIndexKey(k, &id)) ids.insert(std::move(id));
          return true;
        }));
  }
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto entry, Load(id));
    if (!entry.has_value()) continue;  // deleted since the scan
    for (const Span& s : prepared.Find(entry->source_term,
                                       entry->case_sensitive,
                                       entry->match_inflections)) {
      hits.push_back(GlossaryHit{*entry, s.start, s.end});
    }
  }
  std::sort(hits.begin(), hits.end(),
            [](const GlossaryHit& a, const GlossaryHit& b) {
              return std::make_tuple(a.start, b.end, a.entry.entry_id) <
                     std::make_tuple(b.start, a.end, b.entry.entry_id);
            });
  return hits;
}

}  // namespace tessera::memory::glossary

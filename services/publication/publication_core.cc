#include "services/publication/publication_core.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <utility>

#include "absl/strings/numbers.h"
#include "common/log.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "formats/export.h"
#include "formats/render.h"
#include "services/common/errors.h"
#include "services/publication/publication_records.pb.h"
#include "storage/key_codec.h"
#include "text/language.h"

namespace tessera::publication {

namespace rec = ::tessera::storage::publication;
using ::tessera::storage::ColumnFamily;
using ::tessera::storage::KeyBuilder;
using ::tessera::storage::KeyReader;
using ::tessera::storage::WriteSet;
using ::tessera::translation::Origin;
using ::tessera::translation::SegmentState;

namespace {

constexpr ColumnFamily kCf = ColumnFamily::kPublications;

// Key kinds of the publications column family; see storage/FORMAT.md.
constexpr uint8_t kPublicationKind = 0x01;
constexpr uint8_t kDocumentKind = 0x02;
constexpr uint8_t kHeadKind = 0x03;
constexpr uint8_t kListingKind = 0x04;
constexpr uint8_t kCursorKind = 0x05;
constexpr uint8_t kFormat1 = 0x01;

constexpr int kMaxAttempts = 16;
constexpr std::string_view kEventType = "publication.created";
constexpr std::string_view kGapMarker = "[MISSING TRANSLATION] ";

std::string PublicationKey(uint64_t iid, std::string_view lang,
                           int64_t version) {
  return KeyBuilder(kPublicationKind)
      .U64(iid)
      .String(lang)
      .U64(static_cast<uint64_t>(version))
      .Build();
}
std::string DocumentKey(uint64_t iid, std::string_view lang, int64_t version) {
  return KeyBuilder(kDocumentKind)
      .U64(iid)
      .String(lang)
      .U64(static_cast<uint64_t>(version))
      .Build();
}
std::string HeadKey(uint64_t iid, std::string_view lang) {
  return KeyBuilder(kHeadKind).U64(iid).String(lang).Build();
}
std::string ListingKey(absl::Time t, std::string_view sid,
                       std::string_view lang, int64_t version) {
  return KeyBuilder(kListingKind)
      .U64(~static_cast<uint64_t>(absl::ToUnixMicros(t)))
      .String(sid)
      .String(lang)
      .U64(static_cast<uint64_t>(version))
      .Build();
}
std::string ListingPrefix() { return KeyBuilder(kListingKind).Build(); }
// Every key lies in the 9-byte prefix extractor's domain.
std::string CursorKey() { return KeyBuilder(kCursorKind).U64(0).Build(); }

std::string PublicationName(std::string_view sid, std::string_view lang,
                            int64_t version) {
  return StrCat("statements/", sid, "/languages/", lang, "/publications/",
                version);
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

const Principal& Internal() {
  static const Principal* p = new Principal{"", "", {{Role::kAdmin, {}}}};
  return *p;
}

// ---------------------------------------------------------------------------
// Errors with google.rpc details (see "Errors" in common.proto).

absl::Status WrongState(std::string_view subject, std::string_view state,
                        std::string_view message) {
  return WrongStateError(subject, state, message);
}

absl::Status Denied(std::string_view message, std::string_view language) {
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied,
                       "LANGUAGE_NOT_GRANTED", message,
                       {{"language", std::string(language)}});
}

absl::Status NotFound(std::string_view resource, std::string_view message) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND", message,
                       {{"resource", std::string(resource)}});
}

std::string StateEnumName(SegmentState s) {
  return StrCat("SEGMENT_STATE_", translation::SegmentStateName(s));
}

absl::Status NotApproved(std::string_view sid, std::string_view lang,
                         const std::vector<ManifestEntry>& missing) {
  absl::Status status = ErrorWithInfo(
      absl::StatusCode::kFailedPrecondition, "SEGMENTS_NOT_APPROVED",
      StrCat(missing.size(), " translatable segment(s) of statements/", sid,
             " are not approved in ", lang),
      {{"missing_count", StrCat(missing.size())}});
  ErrorDetails details = *DetailsOf(status);
  for (size_t i = 0; i < missing.size() && i < kMaxMissingListed; ++i) {
    details.preconditions.push_back(
        {"SEGMENTS_NOT_APPROVED",
         StrCat("statements/", sid, "/languages/", lang, "/segments/",
                missing[i].segment_id),
         StateEnumName(missing[i].state)});
  }
  SetDetails(status, details);
  return status;
}

bool ReadsLanguage(const Principal& caller, std::string_view lang) {
  return std::any_of(std::begin(kAllRoles), std::end(kAllRoles),
                     [&](Role r) { return caller.HasRoleFor(r, lang); });
}

bool WatchesLanguage(const Principal& caller, std::string_view lang) {
  return caller.HasRoleFor(Role::kService, lang) ||
         caller.HasRoleFor(Role::kCoordinator, lang);
}

absl::StatusOr<std::string> Canonical(std::string_view field,
                                      std::string_view tag) {
  auto lang = text::CanonicalizeLanguageTag(tag);
  if (!lang.ok()) {
    return BadField(field,
                    StrCat("\"", tag, "\" is not a valid BCP 47 language tag"));
  }
  return *lang;
}

absl::Status CheckSelectors(
    const std::vector<statement::LabelSelector>& selectors) {
  if (selectors.size() > kMaxWatchFilterValues) {
    return BadField("label_selectors",
                    StrCat("at most ", kMaxWatchFilterValues, " selectors"));
  }
  for (size_t i = 0; i < selectors.size(); ++i) {
    const auto& s = selectors[i];
    if (s.key.empty() || s.key.size() > statement::kMaxLabelBytes) {
      return BadField(
          StrCat("label_selectors[", i, "].key"),
          StrCat("must be 1 to ", statement::kMaxLabelBytes, " bytes"));
    }
  }
  return absl::OkStatus();
}

bool MatchesSelectors(const std::vector<statement::LabelSelector>& selectors,
                      const std::map<std::string, std::string>& labels) {
  for (const auto& s : selectors) {
    auto it = labels.find(s.key);
    if (it == labels.end()) return false;
    if (s.value.has_value() && it->second != *s.value) return false;
  }
  return true;
}

bool ValidStatementId(std::string_view id) {
  return !id.empty() && id.size() <= statement::kMaxStatementIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

uint64_t Fingerprint64(std::string_view s) {
  // FNV-1a: stable across processes, unlike std::hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string HexDecode(std::string_view hex, bool* ok) {
  std::string out;
  *ok = hex.size() % 2 == 0;
  const auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    *ok = false;
    return 0;
  };
  for (size_t i = 0; *ok && i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Record conversion.

void ToRecord(const Publication& p, const std::string& fingerprint,
              rec::PublicationRecord* r) {
  r->set_statement_id(p.statement_id);
  r->set_language(p.language);
  r->set_version(p.version);
  r->set_revision(p.revision);
  r->set_format(static_cast<int>(p.format));
  r->set_trigger(static_cast<int>(p.trigger));
  r->set_policy(static_cast<int>(p.policy));
  r->set_complete(p.complete);
  r->set_publisher(p.publisher);
  r->set_create_time_micros(Micros(p.create_time));
  r->set_statement_title(p.statement_title);
  for (const auto& [k, v] : p.statement_labels) {
    (*r->mutable_statement_labels())[k] = v;
  }
  r->set_size_bytes(p.size_bytes);
  r->set_content_sha256(p.content_sha256);
  r->set_segment_count(p.stats.segment_count);
  r->set_translatable_segment_count(p.stats.translatable_segment_count);
  r->set_approved_segment_count(p.stats.approved_segment_count);
  r->set_fallback_segment_count(p.stats.fallback_segment_count);
  r->set_gap_segment_count(p.stats.gap_segment_count);
  r->set_word_count(p.stats.word_count);
  r->set_approved_word_count(p.stats.approved_word_count);
  r->set_import_time_micros(Micros(p.stats.import_time));
  for (const ManifestEntry& e : p.manifest) {
    auto* m = r->add_manifest();
    m->set_segment_id(e.segment_id);
    m->set_ordinal(e.ordinal);
    m->set_fill(static_cast<int>(e.fill));
    m->set_state(static_cast<int>(e.state));
    m->set_translator(e.translator);
    for (const auto& rv : e.reviewers) m->add_reviewers(rv);
    m->set_translation_version(e.translation_version);
    m->set_origin(static_cast<int>(e.origin));
    m->set_word_count(e.word_count);
  }
  r->set_fingerprint(fingerprint);
}

Publication FromRecord(const rec::PublicationRecord& r, bool full) {
  Publication p;
  p.statement_id = r.statement_id();
  p.language = r.language();
  p.version = r.version();
  p.revision = r.revision();
  p.format = static_cast<formats::Format>(r.format());
  p.trigger = static_cast<Trigger>(r.trigger());
  p.policy = static_cast<Policy>(r.policy());
  p.complete = r.complete();
  p.publisher = r.publisher();
  p.create_time = FromMicros(r.create_time_micros());
  p.statement_title = r.statement_title();
  for (const auto& [k, v] : r.statement_labels()) p.statement_labels[k] = v;
  p.size_bytes = r.size_bytes();
  p.content_sha256 = r.content_sha256();
  p.stats.segment_count = r.segment_count();
  p.stats.translatable_segment_count = r.translatable_segment_count();
  p.stats.approved_segment_count = r.approved_segment_count();
  p.stats.fallback_segment_count = r.fallback_segment_count();
  p.stats.gap_segment_count = r.gap_segment_count();
  p.stats.word_count = r.word_count();
  p.stats.approved_word_count = r.approved_word_count();
  p.stats.import_time = FromMicros(r.import_time_micros());
  if (full) {
    for (const auto& m : r.manifest()) {
      ManifestEntry e;
      e.segment_id = m.segment_id();
      e.ordinal = m.ordinal();
      e.fill = static_cast<Fill>(m.fill());
      e.state = static_cast<SegmentState>(m.state());
      e.translator = m.translator();
      e.reviewers.assign(m.reviewers().begin(), m.reviewers().end());
      e.translation_version = m.translation_version();
      e.origin = static_cast<Origin>(m.origin());
      e.word_count = m.word_count();
      p.manifest.push_back(std::move(e));
    }
  }
  return p;
}

// The source content with the gap marker in front, codes shifted with it.
formats::Content GapContent(const formats::Content& source) {
  formats::Content c;
  c.text = StrCat(kGapMarker, source.text);
  for (formats::CodeRef ref : source.codes) {
    ref.offset += kGapMarker.size();
    c.codes.push_back(ref);
  }
  return c;
}

// Parses "statements/{sid}/languages/{lang}/{rest}" at the start of a feed
// payload; `rest` runs to the next space.
bool ParseEventName(std::string_view payload, std::string_view* sid,
                    std::string_view* lang, std::string_view* rest) {
  constexpr std::string_view kStatements = "statements/";
  constexpr std::string_view kLanguages = "/languages/";
  if (payload.substr(0, kStatements.size()) != kStatements) return false;
  payload.remove_prefix(kStatements.size());
  const size_t l = payload.find(kLanguages);
  if (l == std::string_view::npos) return false;
  *sid = payload.substr(0, l);
  payload.remove_prefix(l + kLanguages.size());
  const size_t slash = payload.find('/');
  if (slash == std::string_view::npos) return false;
  *lang = payload.substr(0, slash);
  payload.remove_prefix(slash + 1);
  *rest = payload.substr(0, payload.find(' '));
  return !sid->empty() && !lang->empty();
}

}  // namespace

PublicationCore::PublicationCore(storage::Store* store,
                                 statement::StatementCore* statements,
                                 translation::TranslationCore* translations,
                                 Clock* clock)
    : store_(store),
      statements_(statements),
      translations_(translations),
      clock_(clock),
      auto_publish_(store, kCf, CursorKey(), "publication",
                    [this](const std::vector<storage::FeedEvent>& events) {
                      return PublishApproved(events);
                    }) {}

PublicationCore::~PublicationCore() { Stop(); }

// ---------------------------------------------------------------------------
// Assembly.

absl::StatusOr<Assembly> PublicationCore::Assemble(
    std::string_view statement_id, std::string_view language, Policy policy) {
  if (policy == Policy::kUnspecified) policy = Policy::kRefuse;
  ASSIGN_OR_RETURN(std::string lang, Canonical("language", language));
  statement::Statement s;
  uint64_t iid = 0;
  std::vector<translation::TranslationCore::StoredTranslation> stored;
  // The translations must be those of the revision assembled: a revision
  // that lands between the reads is read again.
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(statement::Statement before,
                     statements_->LoadStatement(statement_id));
    ASSIGN_OR_RETURN(stored,
                     translations_->ScanTranslations(statement_id, lang));
    ASSIGN_OR_RETURN(auto loaded,
                     statements_->LoadStatementWithInternalId(statement_id));
    s = std::move(loaded.first);
    iid = loaded.second;
    if (s.current_revision == before.current_revision) break;
    if (attempt + 1 >= kMaxAttempts) {
      return absl::AbortedError("the statement keeps being revised");
    }
  }
  const auto& targets = s.target_languages;
  if (std::find(targets.begin(), targets.end(), lang) == targets.end()) {
    return BadField("language",
                    StrCat("statements/", s.statement_id,
                           " does not target the language ", lang),
                    "LANGUAGE_NOT_TARGETED", {{"language", lang}});
  }
  ASSIGN_OR_RETURN(auto cached,
                   CachedRevision(statement_id, iid, s.current_revision));
  const statement::RevisionDocument& doc = cached->revision;
  const size_t n = doc.document.segments.size();
  if (doc.segment_ids.size() != n) {
    return absl::InternalError("revision document without segment ids");
  }
  std::unordered_map<std::string_view,
                     translation::TranslationCore::StoredTranslation*>
      by_id;
  by_id.reserve(stored.size());
  for (auto& t : stored) by_id.emplace(t.segment_id, &t);

  // Word counts: every record keeps its segment's; only segments never
  // touched need the source segments read.
  std::vector<int> words(n, 0);
  bool all_counted = true;
  for (size_t i = 0; i < n && all_counted; ++i) {
    if (!doc.document.segments[i].translatable) continue;
    auto it = by_id.find(doc.segment_ids[i]);
    if (it == by_id.end() || !it->second->current) {
      all_counted = false;
    } else {
      words[i] = static_cast<int>(it->second->source_words);
    }
  }
  if (!all_counted) {
    std::string token;
    do {
      ASSIGN_OR_RETURN(statement::SourceSegmentPage page,
                       statements_->ListSourceSegments(
                           Internal(), statement_id, s.current_revision,
                           statement::kMaxSegmentPageSize, token, false));
      for (const auto& seg : page.segments) {
        if (seg.ordinal >= 1 && static_cast<size_t>(seg.ordinal) <= n) {
          words[seg.ordinal - 1] = seg.info.word_count;
        }
      }
      token = page.next_page_token;
    } while (!token.empty());
  }

  Assembly out;
  Publication& p = out.publication;
  p.statement_id = s.statement_id;
  p.language = lang;
  p.revision = s.current_revision;
  p.format = s.format;
  p.policy = policy;
  p.statement_title = s.title;
  p.statement_labels = s.labels;
  p.stats.segment_count = static_cast<int>(n);
  p.stats.import_time = s.create_time;
  p.manifest.reserve(n);
  std::vector<formats::Content> contents;
  contents.reserve(n);
  std::string fp = StrCat("r", s.current_revision, "|");
  for (size_t i = 0; i < n; ++i) {
    const formats::Segment& seg = doc.document.segments[i];
    ManifestEntry e;
    e.segment_id = doc.segment_ids[i];
    e.ordinal = static_cast<int>(i) + 1;
    e.word_count = words[i];
    if (!seg.translatable) {
      e.fill = Fill::kSourceCopy;
      contents.push_back(seg.content);
    } else {
      ++p.stats.translatable_segment_count;
      p.stats.word_count += words[i];
      auto it = by_id.find(e.segment_id);
      auto* t =
          it == by_id.end() || !it->second->current ? nullptr : it->second;
      e.state = t ? t->state : SegmentState::kUntranslated;
      e.translation_version = t ? static_cast<int64_t>(t->version) : 1;
      if (t) e.translator = std::move(t->author);
      if (t && t->state == SegmentState::kApproved) {
        e.fill = Fill::kTranslation;
        e.reviewers = std::move(t->approvers);
        e.origin = t->origin;
        ++p.stats.approved_segment_count;
        p.stats.approved_word_count += words[i];
        // Each record serves one segment: its content moves.
        contents.push_back(std::move(t->content));
      } else {
        out.missing.push_back(e);
        switch (policy) {
          case Policy::kMarkGaps:
            e.fill = Fill::kGapMarker;
            ++p.stats.gap_segment_count;
            contents.push_back(GapContent(seg.content));
            break;
          default:
            // kRefuse never stores this; kSourceFallback publishes it.
            e.fill = Fill::kSourceFallback;
            ++p.stats.fallback_segment_count;
            contents.push_back(seg.content);
            break;
        }
      }
    }
    StrAppend(&fp, e.segment_id, ":", static_cast<int>(e.fill), ":",
              e.translation_version, ";");
    p.manifest.push_back(std::move(e));
  }
  p.complete = out.missing.empty();
  auto rendered = cached->render.Render(contents);
  if (!rendered.ok()) {
    return WrongState(
        StrCat("statements/", s.statement_id, "/languages/", lang),
        "UNRENDERABLE",
        StrCat("the translations cannot be rendered into the "
               "document: ",
               rendered.status().message()));
  }
  out.content = *std::move(rendered);
  p.size_bytes = static_cast<int64_t>(out.content.size());
  p.content_sha256 = HexEncode(Sha256(out.content));
  out.fingerprint = HexEncode(Sha256(fp));
  return out;
}

absl::StatusOr<std::shared_ptr<const PublicationCore::PreparedRevision>>
PublicationCore::CachedRevision(std::string_view statement_id, uint64_t iid,
                                int revision) {
  {
    absl::MutexLock lock(&cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->iid == iid && it->revision == revision) {
        cache_.splice(cache_.begin(), cache_, it);
        ++cache_hits_;
        return cache_.front().document;
      }
    }
    ++cache_misses_;
  }
  // Decoded outside the lock: two assemblies may both decode a document,
  // and the second insertion is dropped.
  ASSIGN_OR_RETURN(statement::RevisionDocument loaded,
                   statements_->LoadRevisionDocument(statement_id, revision));
  auto doc = std::make_shared<const PreparedRevision>(std::move(loaded));
  const size_t size =
      std::max<size_t>(1, doc->revision.document.segments.size());
  absl::MutexLock lock(&cache_mu_);
  if (size > cache_max_segments_) return doc;
  for (const CacheEntry& c : cache_) {
    if (c.iid == iid && c.revision == revision) return doc;
  }
  while (!cache_.empty() && (cache_segments_ + size > cache_max_segments_ ||
                             cache_.size() >= kRevisionCacheEntries)) {
    cache_segments_ -= std::max<size_t>(
        1, cache_.back().document->revision.document.segments.size());
    cache_.pop_back();
  }
  cache_.push_front(CacheEntry{iid, revision, doc});
  cache_segments_ += size;
  return doc;
}

PublicationCore::RevisionCacheStats PublicationCore::revision_cache_stats()
    const {
  absl::MutexLock lock(&cache_mu_);
  return {cache_hits_, cache_misses_, cache_.size(), cache_segments_};
}

void PublicationCore::ResetRevisionCache(size_t max_segments) {
  absl::MutexLock lock(&cache_mu_);
  cache_.clear();
  cache_segments_ = 0;
  cache_max_segments_ = max_segments;
}

// ---------------------------------------------------------------------------
// Storage.

absl::StatusOr<Publication> PublicationCore::Save(const Assembly& assembly,
                                                  uint64_t iid, Trigger trigger,
                                                  Policy policy,
                                                  std::string_view publisher,
                                                  bool* created) {
  *created = false;
  const Publication& a = assembly.publication;
  const std::string head_key = HeadKey(iid, a.language);
  ASSIGN_OR_RETURN(auto head_value, store_->Get(kCf, head_key));
  uint64_t head_version = 0;
  if (head_value.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*head_value));
    rec::HeadRecord head;
    if (r.format != kFormat1 || !head.ParseFromString(r.payload)) {
      return absl::InternalError("corrupt publication head");
    }
    head_version = r.version;
    if (head.fingerprint() == assembly.fingerprint) {
      ASSIGN_OR_RETURN(
          auto latest,
          Load(iid, a.language, static_cast<int64_t>(head_version), true));
      if (!latest.has_value()) {
        return absl::InternalError("publication head without publication");
      }
      return *std::move(latest);
    }
  }
  Publication p = a;
  p.version = static_cast<int64_t>(head_version) + 1;
  p.trigger = trigger;
  p.policy = policy == Policy::kUnspecified ? Policy::kRefuse : policy;
  p.publisher = std::string(publisher);
  p.create_time = clock_->Now();
  rec::PublicationRecord r;
  ToRecord(p, assembly.fingerprint, &r);
  rec::HeadRecord head;
  head.set_fingerprint(assembly.fingerprint);
  std::string iid_value(1, static_cast<char>(kFormat1));
  storage::PutFixed64BE(&iid_value, iid);

  WriteSet w;
  w.ExpectVersion(kCf, head_key, head_version);
  w.Put(kCf, head_key,
        storage::EncodeRecord(kFormat1, static_cast<uint64_t>(p.version),
                              head.SerializeAsString()));
  w.Put(kCf, PublicationKey(iid, p.language, p.version),
        storage::EncodeRecord(kFormat1, 1, r.SerializeAsString()));
  w.Put(kCf, DocumentKey(iid, p.language, p.version),
        StrCat(std::string(1, static_cast<char>(kFormat1)), assembly.content));
  w.Put(kCf, ListingKey(p.create_time, p.statement_id, p.language, p.version),
        iid_value);
  w.AppendEvent(kEventType,
                StrCat(PublicationName(p.statement_id, p.language, p.version),
                       publisher.empty() ? std::string(" automatic")
                                         : StrCat(" by users/", publisher)));
  RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
  *created = true;
  return p;
}

absl::StatusOr<std::optional<Publication>> PublicationCore::Load(
    uint64_t iid, std::string_view language, int64_t version, bool full) {
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, PublicationKey(iid, language, version)));
  if (!value.has_value()) return std::optional<Publication>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  rec::PublicationRecord pr;
  if (r.format != kFormat1 || !pr.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt publication record");
  }
  return std::optional<Publication>(FromRecord(pr, full));
}

absl::StatusOr<std::string> PublicationCore::LoadContent(
    uint64_t iid, std::string_view language, int64_t version) {
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, DocumentKey(iid, language, version)));
  if (!value.has_value() || value->empty() || (*value)[0] != kFormat1) {
    return absl::InternalError("publication document missing or corrupt");
  }
  return value->substr(1);
}

// ---------------------------------------------------------------------------
// Calls.

absl::StatusOr<Publication> PublicationCore::Publish(
    const Principal& caller, std::string_view statement_id,
    std::string_view language, Policy policy) {
  if (static_cast<int>(policy) > static_cast<int>(Policy::kMarkGaps)) {
    return BadField("policy", "is not a known PublicationPolicy");
  }
  if (policy == Policy::kUnspecified) policy = Policy::kRefuse;
  ASSIGN_OR_RETURN(std::string lang, Canonical("language", language));
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto loaded,
                     statements_->LoadStatementWithInternalId(statement_id));
    const statement::Statement& s = loaded.first;
    const auto& targets = s.target_languages;
    if (std::find(targets.begin(), targets.end(), lang) == targets.end()) {
      return BadField("language",
                      StrCat("statements/", s.statement_id,
                             " does not target the language ", lang),
                      "LANGUAGE_NOT_TARGETED", {{"language", lang}});
    }
    if (!caller.HasRoleFor(Role::kCoordinator, lang)) {
      return Denied(
          StrCat("publishing in ", lang, " needs a coordinator grant for it"),
          lang);
    }
    if (s.state != statement::StatementState::kOpen &&
        s.state != statement::StatementState::kClosed) {
      return WrongState(
          StrCat("statements/", s.statement_id),
          StrCat("STATEMENT_STATE_", statement::StatementStateName(s.state)),
          "only an open or closed statement can be published");
    }
    ASSIGN_OR_RETURN(Assembly a, Assemble(statement_id, lang, policy));
    if (policy == Policy::kRefuse && !a.missing.empty()) {
      return NotApproved(s.statement_id, lang, a.missing);
    }
    bool created = false;
    auto saved = Save(a, loaded.second, Trigger::kOnDemand, policy,
                      caller.user_id, &created);
    if (saved.ok() || !absl::IsAborted(saved.status()) ||
        attempt + 1 >= kMaxAttempts) {
      return saved;
    }
  }
}

absl::StatusOr<Document> PublicationCore::GetPublication(
    const Principal& caller, std::string_view statement_id,
    std::string_view language, std::optional<int64_t> version,
    OutputFormat format, bool full) {
  ASSIGN_OR_RETURN(std::string lang, Canonical("name", language));
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  if (!ReadsLanguage(caller, lang)) {
    return Denied(StrCat("no role of the caller is granted in ", lang), lang);
  }
  const uint64_t iid = loaded.second;
  const std::string base = StrCat("statements/", statement_id, "/languages/",
                                  lang, "/publications/");
  if (!version.has_value()) {
    ASSIGN_OR_RETURN(auto head, store_->Get(kCf, HeadKey(iid, lang)));
    if (!head.has_value()) {
      return NotFound(StrCat(base, "latest"),
                      StrCat("statements/", statement_id,
                             " has no publication in ", lang, " yet"));
    }
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*head));
    version = static_cast<int64_t>(r.version);
  }
  ASSIGN_OR_RETURN(auto pub, Load(iid, lang, *version, full));
  if (!pub.has_value()) {
    return NotFound(StrCat(base, *version),
                    StrCat(base, *version, " does not exist"));
  }
  Document d;
  if (format == OutputFormat::kSource) {
    format = pub->format == formats::Format::kMarkdown
                 ? OutputFormat::kMarkdown
                 : OutputFormat::kPlainText;
  }
  const bool markdown = pub->format == formats::Format::kMarkdown;
  if (format == OutputFormat::kMarkdown && !markdown) {
    return BadField("format",
                    "a plain-text publication has no Markdown rendering");
  }
  ASSIGN_OR_RETURN(std::string bytes, LoadContent(iid, lang, *version));
  switch (format) {
    case OutputFormat::kMarkdown:
      d.content = std::move(bytes);
      d.content_type = "text/markdown; charset=utf-8";
      break;
    case OutputFormat::kPlainText:
      d.content =
          markdown ? formats::MarkdownToPlainText(bytes) : std::move(bytes);
      d.content_type = "text/plain; charset=utf-8";
      break;
    case OutputFormat::kHtml:
      d.content = markdown ? formats::MarkdownToHtml(bytes)
                           : formats::PlainTextToHtml(bytes);
      d.content_type = "text/html; charset=utf-8";
      break;
    default:
      return BadField("format", "is not a known DocumentFormat");
  }
  d.format = format;
  d.publication = *std::move(pub);
  return d;
}

absl::StatusOr<PublicationPage> PublicationCore::ListPublications(
    const Principal& caller, const ListQuery& query_in, int page_size,
    std::string_view page_token) {
  if (page_size < 0) return BadField("page_size", "must not be negative");
  const int size =
      page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  ListQuery query = query_in;
  if (!query.statement_id.empty() && !ValidStatementId(query.statement_id)) {
    return BadField("statement", "is not a statement name");
  }
  if (query.languages.size() > kMaxWatchFilterValues) {
    return BadField("languages",
                    StrCat("at most ", kMaxWatchFilterValues, " languages"));
  }
  for (size_t i = 0; i < query.languages.size(); ++i) {
    ASSIGN_OR_RETURN(query.languages[i], Canonical(StrCat("languages[", i, "]"),
                                                   query.languages[i]));
  }
  if (query.start_time && query.end_time &&
      *query.end_time < *query.start_time) {
    return BadField("create_time_range.end_time",
                    "must not be before start_time");
  }
  RETURN_IF_ERROR(CheckSelectors(query.label_selectors));
  std::string fp_input =
      StrCat(query.statement_id, "|", query.latest_only ? 1 : 0, "|",
             query.start_time ? Micros(*query.start_time) : -1, "|",
             query.end_time ? Micros(*query.end_time) : -1);
  for (const auto& l : query.languages) StrAppend(&fp_input, "|l", l);
  for (const auto& sel : query.label_selectors) {
    StrAppend(&fp_input, "|s", sel.key, "=", sel.value ? "1" : "0",
              sel.value.value_or(""));
  }
  const std::string fp = StrCat(Fingerprint64(fp_input));
  std::string begin = ListingPrefix();
  if (!page_token.empty()) {
    const size_t dot = page_token.find('.');
    bool ok = dot != std::string_view::npos && page_token.substr(0, dot) == fp;
    std::string last;
    if (ok) last = HexDecode(page_token.substr(dot + 1), &ok);
    if (!ok || last.substr(0, begin.size()) != begin) {
      return BadField("page_token",
                      "does not parse or belongs to another query",
                      "INVALID_TOKEN");
    }
    begin = last + '\0';  // just after the last key returned
  }

  PublicationPage page;
  std::string last_key;
  absl::Status status;
  std::map<std::pair<uint64_t, std::string>, int64_t> heads;
  RETURN_IF_ERROR(store_->Scan(
      kCf, begin, storage::PrefixSuccessor(ListingPrefix()),
      [&](std::string_view key, std::string_view value) {
        KeyReader reader(key);
        uint8_t kind;
        uint64_t inv_time, version, iid;
        std::string sid, lang;
        std::string_view v = value.substr(std::min<size_t>(1, value.size()));
        if (!reader.Kind(&kind) || !reader.U64(&inv_time) ||
            !reader.String(&sid) || !reader.String(&lang) ||
            !reader.U64(&version) || !storage::GetFixed64BE(&v, &iid)) {
          status = absl::InternalError("corrupt publication listing key");
          return false;
        }
        const absl::Time t = FromMicros(static_cast<int64_t>(~inv_time));
        if (query.start_time && t < *query.start_time) return false;
        if (query.end_time && t >= *query.end_time) return true;
        if (!query.statement_id.empty() && sid != query.statement_id) {
          return true;
        }
        if (!query.languages.empty() &&
            std::find(query.languages.begin(), query.languages.end(), lang) ==
                query.languages.end()) {
          return true;
        }
        if (!ReadsLanguage(caller, lang)) return true;
        if (query.latest_only) {
          auto [it, inserted] = heads.try_emplace({iid, lang}, 0);
          if (inserted) {
            auto head = store_->Get(kCf, HeadKey(iid, lang));
            if (!head.ok()) {
              status = head.status();
              return false;
            }
            if (head->has_value()) {
              auto r = storage::DecodeRecord(**head);
              if (r.ok()) it->second = static_cast<int64_t>(r->version);
            }
          }
          if (it->second != static_cast<int64_t>(version)) return true;
        }
        auto pub = Load(iid, lang, static_cast<int64_t>(version), query.full);
        if (!pub.ok()) {
          status = pub.status();
          return false;
        }
        if (!pub->has_value() || !MatchesSelectors(query.label_selectors,
                                                   (*pub)->statement_labels)) {
          return true;
        }
        if (static_cast<int>(page.publications.size()) >= size) {
          page.next_page_token = StrCat(fp, ".", HexEncode(last_key));
          return false;
        }
        page.publications.push_back(**std::move(pub));
        last_key = std::string(key);
        return true;
      }));
  RETURN_IF_ERROR(status);
  return page;
}

// ---------------------------------------------------------------------------
// Watch.

std::string PublicationCore::EncodeCursor(uint64_t seq) {
  std::string raw;
  storage::PutFixed64BE(&raw, seq);
  return StrCat("c", HexEncode(raw));
}

absl::StatusOr<uint64_t> PublicationCore::DecodeCursor(
    std::string_view cursor) const {
  bool ok = cursor.size() == 17 && cursor[0] == 'c';
  std::string raw;
  if (ok) raw = HexDecode(cursor.substr(1), &ok);
  uint64_t seq = 0;
  std::string_view v = raw;
  if (!ok || !storage::GetFixed64BE(&v, &seq)) {
    return BadField("cursor", "is not a cursor this server gave out",
                    "INVALID_TOKEN");
  }
  const uint64_t last = store_->LastVisibleFeedSeq();
  if (seq > last) {
    return ErrorWithInfo(
        absl::StatusCode::kOutOfRange, "CURSOR_AHEAD",
        StrCat("the cursor is at feed position ", seq,
               ", beyond the end of the change feed (", last, ")"));
  }
  return seq;
}

absl::Status PublicationCore::CheckWatch(const Principal& caller,
                                         WatchFilter* filter) const {
  if (filter->statement_ids.size() > kMaxWatchFilterValues) {
    return BadField("statements",
                    StrCat("at most ", kMaxWatchFilterValues, " statements"));
  }
  for (size_t i = 0; i < filter->statement_ids.size(); ++i) {
    if (!ValidStatementId(filter->statement_ids[i])) {
      return BadField(StrCat("statements[", i, "]"), "is not a statement name");
    }
  }
  if (filter->languages.size() > kMaxWatchFilterValues) {
    return BadField("languages",
                    StrCat("at most ", kMaxWatchFilterValues, " languages"));
  }
  for (size_t i = 0; i < filter->languages.size(); ++i) {
    ASSIGN_OR_RETURN(
        filter->languages[i],
        Canonical(StrCat("languages[", i, "]"), filter->languages[i]));
    if (!WatchesLanguage(caller, filter->languages[i])) {
      return Denied(
          StrCat("no role of the caller may watch ", filter->languages[i]),
          filter->languages[i]);
    }
  }
  return CheckSelectors(filter->label_selectors);
}

absl::StatusOr<WatchBatch> PublicationCore::ReadWatch(const Principal& caller,
                                                      const WatchFilter& filter,
                                                      uint64_t after,
                                                      size_t max_events) {
  ASSIGN_OR_RETURN(std::vector<storage::FeedEvent> events,
                   store_->ReadFeed(after, max_events));
  WatchBatch batch;
  batch.scanned_to = after;
  batch.at_end = events.size() < max_events;
  std::map<std::string, uint64_t, std::less<>> iids;
  for (const storage::FeedEvent& e : events) {
    batch.scanned_to = e.seq;
    if (e.type != kEventType) continue;
    std::string_view sid, lang, rest;
    int64_t version = 0;
    if (!ParseEventName(e.payload, &sid, &lang, &rest) ||
        rest.substr(0, 13) != "publications/" ||
        !absl::SimpleAtoi(ToAbsl(rest.substr(13)), &version)) {
      continue;
    }
    if (!filter.statement_ids.empty() &&
        std::find(filter.statement_ids.begin(), filter.statement_ids.end(),
                  sid) == filter.statement_ids.end()) {
      continue;
    }
    if (!filter.languages.empty() &&
        std::find(filter.languages.begin(), filter.languages.end(), lang) ==
            filter.languages.end()) {
      continue;
    }
    if (!WatchesLanguage(caller, lang)) continue;
    auto it = iids.find(sid);
    if (it == iids.end()) {
      auto loaded = statements_->LoadStatementWithInternalId(sid);
      if (absl::IsNotFound(loaded.status())) continue;
      RETURN_IF_ERROR(loaded.status());
      it = iids.emplace(std::string(sid), loaded->second).first;
    }
    ASSIGN_OR_RETURN(auto pub, Load(it->second, lang, version, filter.full));
    if (!pub.has_value() ||
        !MatchesSelectors(filter.label_selectors, pub->statement_labels)) {
      continue;
    }
    batch.items.push_back({e.seq, *std::move(pub)});
  }
  return batch;
}

// ---------------------------------------------------------------------------
// Automatic publication.

absl::Status PublicationCore::AutoPublish(std::string_view statement_id,
                                          std::string_view language) {
  for (int attempt = 0;; ++attempt) {
    auto loaded = statements_->LoadStatementWithInternalId(statement_id);
    if (absl::IsNotFound(loaded.status())) return absl::OkStatus();
    RETURN_IF_ERROR(loaded.status());
    const statement::Statement& s = loaded->first;
    if (s.state != statement::StatementState::kOpen &&
        s.state != statement::StatementState::kClosed) {
      return absl::OkStatus();
    }
    auto progress = translations_->GetProgress(statement_id, language);
    if (!progress.ok()) return progress.status();
    if (progress->approved.segments < s.translatable_segment_count ||
        s.translatable_segment_count == 0) {
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Assembly a,
                     Assemble(statement_id, language, Policy::kRefuse));
    // A later change may have undone the approval since the counters read.
    if (!a.missing.empty()) return absl::OkStatus();
    bool created = false;
    auto saved = Save(a, loaded->second, Trigger::kAutomatic, Policy::kRefuse,
                      "", &created);
    if (saved.ok()) return absl::OkStatus();
    if (!absl::IsAborted(saved.status()) || attempt + 1 >= kMaxAttempts) {
      return saved.status();
    }
  }
}

absl::Status PublicationCore::CatchUp() { return auto_publish_.CatchUp(); }

absl::StatusOr<bool> PublicationCore::PublishApproved(
    const std::vector<storage::FeedEvent>& events) {
  // Publications are deduplicated, so a batch handed over again after a
  // crash publishes nothing twice.
  bool published = false;
  // One assembly per language per batch, however many approvals.
  std::set<std::pair<std::string, std::string>> languages;
  for (const storage::FeedEvent& e : events) {
    std::string_view sid, lang, rest;
    if (e.type == "translation.approved" &&
        ParseEventName(e.payload, &sid, &lang, &rest)) {
      languages.emplace(sid, lang);
    }
  }
  for (const auto& [sid, lang] : languages) {
    absl::Status s = AutoPublish(sid, lang);
    if (s.ok()) {
      published = true;
      continue;
    }
    // A document the translations cannot fill is reported, not retried
    // forever; anything else (storage) is retried from this batch.
    if (absl::IsFailedPrecondition(s) || absl::IsInvalidArgument(s) ||
        absl::IsNotFound(s)) {
      LogError(StrCat("publication of statements/", sid, " in ", lang), s);
      continue;
    }
    return s;
  }
  return published;
}

void PublicationCore::Start() { auto_publish_.Start(); }

void PublicationCore::Stop() { auto_publish_.Stop(); }

}  // namespace tessera::publication

#include "services/publication/publication_core.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/publication/publication_core_internal.h"
#include "text/language.h"

namespace tessera::publication {

using ::tessera::translation::Origin;
using ::tessera::translation::SegmentState;

// ---------------------------------------------------------------------------
// Shared checks and errors (publication_core_internal.h).

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

// ---------------------------------------------------------------------------
// Records.

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

// ---------------------------------------------------------------------------
// The core.

PublicationCore::PublicationCore(storage::Store* store,
                                 const storage::FeedSource* feed,
                                 const StatementReader* statements,
                                 const TranslationReader* translations,
                                 Clock* clock)
    : store_(store),
      feed_(feed),
      statements_(statements),
      translations_(translations),
      clock_(clock),
      tables_(std::make_unique<const Tables>(store)),
      auto_publish_(store, feed, kPublicationsCf, CursorKey(), "publication",
                    [this](const std::vector<storage::FeedEvent>& events) {
                      return PublishApproved(events);
                    }) {}

PublicationCore::~PublicationCore() { Stop(); }

absl::StatusOr<std::optional<Publication>> PublicationCore::Load(
    uint64_t iid, std::string_view language, int64_t version, bool full) {
  ASSIGN_OR_RETURN(auto stored, tables_->publications.Get(
                                    PublicationKey(iid, language, version)));
  if (!stored.has_value()) return std::optional<Publication>();
  return std::optional<Publication>(FromRecord(stored->record, full));
}

absl::StatusOr<std::string> PublicationCore::LoadContent(
    uint64_t iid, std::string_view language, int64_t version) {
  ASSIGN_OR_RETURN(auto content,
                   tables_->documents.Get(DocumentKey(iid, language, version)));
  if (!content.has_value()) {
    return absl::InternalError("publication without its document");
  }
  return *std::move(content);
}

}  // namespace tessera::publication

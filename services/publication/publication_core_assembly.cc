// PublicationCore, assembly: a publication's document and manifest from
// the current revision and the language's translations, and the cache of
// decoded revision documents it renders from.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "formats/render.h"
#include "services/common/errors.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_core_internal.h"

namespace tessera::publication {
namespace {

using ::tessera::translation::SegmentState;

constexpr std::string_view kGapMarker = "[MISSING TRANSLATION] ";

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

}  // namespace

absl::StatusOr<Assembly> PublicationCore::Assemble(
    std::string_view statement_id, std::string_view language, Policy policy) {
  if (policy == Policy::kUnspecified) policy = Policy::kRefuse;
  ASSIGN_OR_RETURN(std::string lang, Canonical("language", language));
  statement::Statement s;
  uint64_t iid = 0;
  std::vector<translation::StoredTranslation> stored;
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
  std::unordered_map<std::string_view, translation::StoredTranslation*> by_id;
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
                           statement_id, s.current_revision,
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

PublicationCore::RevisionCacheStats PublicationCore::RevisionCacheStatsForTest()
    const {
  absl::MutexLock lock(&cache_mu_);
  return {cache_hits_, cache_misses_, cache_.size(), cache_segments_};
}

void PublicationCore::ResetRevisionCacheForTest(size_t max_segments) {
  absl::MutexLock lock(&cache_mu_);
  cache_.clear();
  cache_segments_ = 0;
  cache_max_segments_ = max_segments;
}

}  // namespace tessera::publication

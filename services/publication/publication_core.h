// PublicationCore: assembled target documents ("publications") of each
// (statement, language), their manifests, and the change-feed reading that
// WatchPublications streams, stored in the "publications" column family
// (keys in publication_keys.h). No gRPC here; publication_service.h adapts
// it. Statements and translations are read through the StatementReader and
// TranslationReader ports, the change feed through storage::FeedSource.
//
// Assembly takes the current revision's skeleton and fills each segment:
// its approved translation, its source when not translatable, and for
// translatable segments not approved, what the policy says. The renderer is
// formats::Render, so identity translations give the source byte for byte.
// The language's translations are read with one ScanTranslations.
//
// A publication is one Store::Commit: the record with its manifest, the
// rendered bytes, a listing entry, the (statement, language) head guarded
// by compare-and-set (so versions are dense and two publishers never take
// the same number) and a "publication.created" feed event. A publication
// equal to the latest (same revision, fills and translation versions) is
// not made again.
//
// Automatic publication is a change-feed consumer: for each
// "translation.approved" event whose language is then fully approved, it
// assembles and publishes unless the result equals the latest. CatchUp()
// runs it synchronously; Start() on a background thread. A replay after a
// crash publishes nothing twice, because of that equality check.
//
// Errors are the domain errors of services/common/errors.h (reasons,
// field violations, preconditions), which the edge turns into google.rpc
// details. The implementation is split by capability: assembly, publish,
// queries, watch and the automatic publisher (publication_core_*.cc).
//
// Thread-safe.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "formats/document.h"
#include "formats/render.h"
#include "services/common/call_context.h"
#include "services/common/principal.h"
#include "services/publication/publication_render_cache.h"
#include "services/publication/statement_reader.h"
#include "services/publication/translation_reader.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"
#include "storage/feed_consumer.h"
#include "storage/feed_source.h"
#include "storage/store.h"

namespace tessera::publication {

// Numbered as tessera.v1.PublicationPolicy. Stored numbers.
enum class Policy : uint8_t {
  kUnspecified = 0,  // means kRefuse
  kRefuse = 1,
  kSourceFallback = 2,
  kMarkGaps = 3,
};

// Numbered as tessera.v1.PublicationTrigger. Stored numbers.
enum class Trigger : uint8_t {
  kUnspecified = 0,
  kAutomatic = 1,
  kOnDemand = 2,
};

// Numbered as tessera.v1.SegmentFill. Stored numbers.
enum class Fill : uint8_t {
  kUnspecified = 0,
  kTranslation = 1,
  kSourceCopy = 2,
  kSourceFallback = 3,
  kGapMarker = 4,
};

// Numbered as tessera.v1.DocumentFormat.
enum class OutputFormat : uint8_t {
  kSource = 0,  // the statement's format
  kMarkdown = 1,
  kPlainText = 2,
  kHtml = 3,
};

struct ManifestEntry {
  std::string segment_id;
  int ordinal = 0;
  Fill fill = Fill::kUnspecified;
  translation::SegmentState state = translation::SegmentState::kUnspecified;
  std::string translator;              // user_id
  std::vector<std::string> reviewers;  // user_ids
  int64_t translation_version = 0;
  translation::Origin origin = translation::Origin::kUnspecified;
  int word_count = 0;
};

struct Stats {
  int segment_count = 0;
  int translatable_segment_count = 0;
  int approved_segment_count = 0;
  int fallback_segment_count = 0;
  int gap_segment_count = 0;
  int64_t word_count = 0;
  int64_t approved_word_count = 0;
  absl::Time import_time;
};

struct Publication {
  std::string statement_id;
  std::string language;  // canonical
  int64_t version = 0;
  int revision = 0;
  formats::Format format = formats::Format::kMarkdown;
  Trigger trigger = Trigger::kUnspecified;
  Policy policy = Policy::kRefuse;
  bool complete = false;
  std::string publisher;  // user_id
  absl::Time create_time;
  std::string statement_title;
  std::map<std::string, std::string> statement_labels;
  int64_t size_bytes = 0;
  std::string content_sha256;  // lowercase hex
  Stats stats;
  std::vector<ManifestEntry> manifest;  // full view only
};

// A publication and one rendering of its document.
struct Document {
  Publication publication;
  std::string content;
  OutputFormat format = OutputFormat::kSource;  // never kSource here
  std::string content_type;
};

// An assembly, nothing stored.
struct Assembly {
  Publication publication;  // no version, time or publisher yet
  std::string content;      // in the source format
  std::string fingerprint;
  // Translatable segments not approved, in document order.
  std::vector<ManifestEntry> missing;
};

struct ListQuery {
  std::string statement_id;              // empty: all
  std::vector<std::string> languages;    // any of them; canonicalised
  std::optional<absl::Time> start_time;  // inclusive
  std::optional<absl::Time> end_time;    // exclusive
  std::vector<statement::LabelSelector> label_selectors;
  bool latest_only = false;
  bool full = false;
};

struct PublicationPage {
  std::vector<Publication> publications;
  std::string next_page_token;
};

// What a watcher wants; statements and languages as names and tags.
struct WatchFilter {
  std::vector<std::string> statement_ids;
  std::vector<std::string> languages;  // canonicalised by CheckWatch
  std::vector<statement::LabelSelector> label_selectors;
  bool full = false;
};

// One step of a watch: the publications found after a feed position.
struct WatchBatch {
  struct Item {
    uint64_t seq = 0;  // the feed position just after this publication
    Publication publication;
  };
  std::vector<Item> items;
  // Every event up to here was read (matching or not).
  uint64_t scanned_to = 0;
  // True when scanned_to is the end of the visible feed.
  bool at_end = false;
};

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// At most this many missing segments are listed in a refusal.
inline constexpr int kMaxMissingListed = 100;
inline constexpr size_t kMaxWatchFilterValues = 100;
// Decoded revision documents kept in memory for assembly, counted in
// segments (a 10,000-segment document takes a few megabytes decoded).
inline constexpr size_t kRevisionCacheSegments = 100000;
inline constexpr size_t kRevisionCacheEntries = 256;

class PublicationCore {
 public:
  // None owned; all must outlive the core. `store` holds the publications
  // column family; `feed` is the change feed the automatic publisher and
  // the watch reads follow (in process, the same Store).
  PublicationCore(storage::Store* store, const storage::FeedSource* feed,
                  const StatementReader* statements,
                  const TranslationReader* translations, Clock* clock);
  // Stops the background consumer if it runs.
  ~PublicationCore();

  // Assembles and stores a publication now (trigger on demand, publisher
  // the caller). Admin or a coordinator of the language. Success: the new
  // publication, numbered one above the latest; or the latest itself,
  // writing nothing, when the result would equal it (same revision, fills
  // and translation versions), so a repeated call is harmless. Errors:
  // INVALID_ARGUMENT (bad tag or policy, LANGUAGE_NOT_TARGETED); NOT_FOUND
  // (statement); PERMISSION_DENIED (LANGUAGE_NOT_GRANTED);
  // FAILED_PRECONDITION (SEGMENTS_NOT_APPROVED under kRefuse, one violation
  // per missing segment up to kMaxMissingListed and metadata
  // "missing_count"; WRONG_STATE for a draft or archived statement, or a
  // document the translations cannot be rendered into); DEADLINE_EXCEEDED
  // or CANCELLED (the context's, checked just before the commit: nothing
  // written); ABORTED when other publishers keep taking the next version;
  // other errors are storage errors.
  absl::StatusOr<Publication> Publish(const CallContext& call,
                                      std::string_view statement_id,
                                      std::string_view language, Policy policy);

  // A publication (`version` nullopt: the latest) rendered in `format`
  // (kSource: the statement's format), with the manifest when `full`.
  // Any role of the caller granted in the language. Reads only. Each
  // format of a publication is rendered once and then served from a
  // bounded cache (publication_render_cache.h). Errors:
  // NOT_FOUND (statement, publication, or none yet); INVALID_ARGUMENT (bad
  // tag, kMarkdown from a plain-text source, unknown format);
  // PERMISSION_DENIED (LANGUAGE_NOT_GRANTED); INTERNAL for a corrupt
  // record.
  absl::StatusOr<Document> GetPublication(const Principal& caller,
                                          std::string_view statement_id,
                                          std::string_view language,
                                          std::optional<int64_t> version,
                                          OutputFormat format, bool full);

  // One page of the publications the caller may read (any role granted in
  // the language), newest first (create time descending, then name).
  // Label selectors match the labels the statement had when each was made.
  // `page_size` 0 means kDefaultPageSize, at most kMaxPageSize;
  // `page_token` empty for the first page, then the previous page's
  // next_page_token (empty after the last page), bound to the query
  // (services/common/paging.h). Any caller. Reads only. Errors:
  // INVALID_ARGUMENT for a negative page size, a bad filter, or a page
  // token that is malformed or made for another query (INVALID_TOKEN).
  absl::StatusOr<PublicationPage> ListPublications(const Principal& caller,
                                                   const ListQuery& query,
                                                   int page_size,
                                                   std::string_view page_token);

  // Assembly alone, writing nothing (no permission checks; for tests,
  // benchmarks and Publish). Errors as Publish's, without the permission,
  // statement-state and deadline ones.
  absl::StatusOr<Assembly> Assemble(std::string_view statement_id,
                                    std::string_view language, Policy policy);

  // Watch cursors: "c" then the feed sequence number in 16 lowercase hex
  // digits. DecodeCursor: INVALID_ARGUMENT (INVALID_TOKEN) when malformed,
  // OUT_OF_RANGE (CURSOR_AHEAD) beyond the end of the feed.
  static std::string EncodeCursor(uint64_t seq);
  absl::StatusOr<uint64_t> DecodeCursor(std::string_view cursor) const;

  // Checks and canonicalises a watch filter for `caller` (service,
  // coordinator or admin). Errors: INVALID_ARGUMENT for a bad tag, name or
  // selector, or too many values; PERMISSION_DENIED (LANGUAGE_NOT_GRANTED)
  // for a language the caller may not watch.
  absl::Status CheckWatch(const Principal& caller, WatchFilter* filter) const;

  // Reads up to `max_events` feed events after `after` and returns the
  // publications among them that match `filter` (as CheckWatch left it)
  // and the caller's grants; events of statements since deleted are
  // skipped. Reads only. Errors are the feed's and storage errors.
  absl::StatusOr<WatchBatch> ReadWatch(const Principal& caller,
                                       const WatchFilter& filter,
                                       uint64_t after, size_t max_events);

  // The change feed the watch reads follow, for a watcher that waits on it.
  const storage::FeedSource* feed() const { return feed_; }

  // The revision-document cache, for tests and benchmarks only.
  struct RevisionCacheStats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t entries = 0;
    size_t segments = 0;
  };
  RevisionCacheStats RevisionCacheStatsForTest() const;
  // Drops every cached document and sets the budget (in segments; 0
  // disables the cache).
  void ResetRevisionCacheForTest(size_t max_segments);
  // The rendering cache of GetPublication, for tests and benchmarks only.
  RenderCache& RenderCacheForTest() { return renders_; }

  // Publishes every language completed by approvals in the feed not yet
  // read (trigger automatic, policy kRefuse, no publisher). Idempotent: a
  // replay publishes nothing twice. A language that cannot be published
  // (unrenderable, no longer targeted, statement gone) is logged and
  // skipped; other errors (storage) are returned and the same events are
  // read again next time.
  absl::Status CatchUp();

  // Starts / stops the background consumer that calls CatchUp() whenever
  // the feed grows. Stop() is idempotent.
  void Start();
  void Stop();

 private:
  absl::StatusOr<Publication> Save(const CallContext& call,
                                   const Assembly& assembly, uint64_t iid,
                                   Trigger trigger, Policy policy,
                                   std::string_view publisher, bool* created);
  absl::StatusOr<std::optional<Publication>> Load(uint64_t iid,
                                                  std::string_view language,
                                                  int64_t version, bool full);
  absl::StatusOr<std::string> LoadContent(uint64_t iid,
                                          std::string_view language,
                                          int64_t version);
  absl::Status AutoPublish(std::string_view statement_id,
                           std::string_view language);
  // A revision's decoded document, prepared for rendering. Revisions never
  // change once written and internal ids are never reused, so (internal
  // id, revision) names one document forever.
  struct PreparedRevision {
    explicit PreparedRevision(statement::RevisionDocument d)
        : revision(std::move(d)), render(revision.document) {}
    statement::RevisionDocument revision;
    formats::PreparedDocument render;  // refers to revision.document
  };
  // From the cache, or read and decoded (then cached within the budget).
  absl::StatusOr<std::shared_ptr<const PreparedRevision>> CachedRevision(
      std::string_view statement_id, uint64_t iid, int revision);
  // The automatic publisher's handler: publishes each language a
  // "translation.approved" left fully approved.
  absl::StatusOr<bool> PublishApproved(
      const std::vector<storage::FeedEvent>& events);

  storage::Store* store_;
  const storage::FeedSource* feed_;
  const StatementReader* statements_;
  const TranslationReader* translations_;
  Clock* clock_;
  struct Tables;
  std::unique_ptr<const Tables> tables_;

  // Least recently used last.
  struct CacheEntry {
    uint64_t iid = 0;
    int revision = 0;
    std::shared_ptr<const PreparedRevision> document;
  };
  mutable absl::Mutex cache_mu_;
  std::list<CacheEntry> cache_ ABSL_GUARDED_BY(cache_mu_);
  size_t cache_max_segments_ ABSL_GUARDED_BY(cache_mu_) =
      kRevisionCacheSegments;
  size_t cache_segments_ ABSL_GUARDED_BY(cache_mu_) = 0;
  uint64_t cache_hits_ ABSL_GUARDED_BY(cache_mu_) = 0;
  uint64_t cache_misses_ ABSL_GUARDED_BY(cache_mu_) = 0;

  // GetPublication's renderings.
  RenderCache renders_;

  // Publishes each language as it becomes fully approved. Last, so that it
  // stops before the members its handler uses go away.
  storage::FeedConsumer auto_publish_;
};

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_CORE_H_

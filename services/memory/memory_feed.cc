#include "services/memory/memory_feed.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/memory/memory_keys.h"
#include "storage/key_codec.h"

namespace tessera::memory {
namespace {

using storage::memory::MemoryUnitRecord;

constexpr uint8_t kCursorFormat = 0x01;
constexpr size_t kBatch = 256;

struct Cursor {
  uint64_t seq = 0;
  uint64_t version = 0;
};

absl::StatusOr<Cursor> LoadCursor(const storage::Store& store) {
  ASSIGN_OR_RETURN(auto value, store.Get(kMemoryCf, CursorKey()));
  Cursor c;
  if (!value.has_value()) return c;
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  std::string_view p = r.payload;
  if (r.format != kCursorFormat || !storage::GetFixed64BE(&p, &c.seq)) {
    return absl::InternalError("corrupt memory feed cursor");
  }
  c.version = r.version;
  return c;
}

void PutCursor(const Cursor& c, uint64_t seq, storage::WriteSet* w) {
  std::string payload;
  storage::PutFixed64BE(&payload, seq);
  w->ExpectVersion(kMemoryCf, CursorKey(), c.version);
  w->Put(kMemoryCf, CursorKey(),
         storage::EncodeRecord(kCursorFormat, c.version + 1, payload));
}

// "statements/{sid}/languages/{l}/segments/{seg} v3 by users/u".
bool ParseTranslationName(std::string_view payload, std::string* name,
                          std::string* sid, std::string* lang,
                          std::string* seg) {
  *name = std::string(payload.substr(0, payload.find(' ')));
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name->size()) {
    const size_t slash = name->find('/', start);
    const size_t end = slash == std::string::npos ? name->size() : slash;
    parts.push_back(name->substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() != 6 || parts[0] != "statements" ||
      parts[2] != "languages" || parts[4] != "segments") {
    return false;
  }
  *sid = parts[1];
  *lang = parts[3];
  *seg = parts[5];
  return !sid->empty() && !lang->empty() && !seg->empty();
}

bool IsTranslationEvent(std::string_view type) {
  return type == "translation.approved" || type == "translation.rejected" ||
         type == "translation.reopened" || type == "translation.submitted" ||
         type == "translation.draft_saved";
}

}  // namespace

MemoryFeed::MemoryFeed(storage::Store* store, const storage::FeedSource* feed,
                       MemoryCore* core, const SourceReader* sources,
                       const TranslationReader* translations)
    : store_(store),
      feed_(feed),
      core_(core),
      sources_(sources),
      translations_(translations) {}

MemoryFeed::~MemoryFeed() { Stop(); }

absl::Status MemoryFeed::CatchUp() {
  absl::MutexLock lock(&mu_);
  return CatchUpLocked();
}

absl::Status MemoryFeed::CatchUpLocked() {
  for (;;) {
    ASSIGN_OR_RETURN(Cursor cursor, LoadCursor(*store_));
    ASSIGN_OR_RETURN(std::vector<storage::FeedEvent> events,
                     feed_->ReadFeed(cursor.seq, kBatch));
    if (events.empty()) return absl::OkStatus();
    // Per batch: each statement's sources and each language's
    // translations, read once (the current state is what counts).
    std::map<std::string, std::optional<StatementSources>> sources;
    std::map<std::pair<std::string, std::string>,
             std::vector<SegmentTranslation>>
        translations;
    for (size_t i = 0; i < events.size(); ++i) {
      const storage::FeedEvent& e = events[i];
      std::string name, sid, lang, seg;
      const bool relevant = IsTranslationEvent(e.type) &&
                            ParseTranslationName(e.payload, &name, &sid,
                                                 &lang, &seg);
      if (!relevant) {
        if (i + 1 < events.size()) continue;
        storage::WriteSet w;
        PutCursor(cursor, e.seq, &w);
        RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
        ++cursor.version;
        cursor.seq = e.seq;
        continue;
      }
      if (!sources.count(sid)) {
        auto loaded = sources_->CurrentSources(sid);
        if (absl::IsNotFound(loaded.status())) {
          sources[sid] = std::nullopt;
        } else {
          RETURN_IF_ERROR(loaded.status());
          sources[sid] = std::move(*loaded);
        }
      }
      const auto key = std::make_pair(sid, lang);
      if (sources[sid].has_value() && !translations.count(key)) {
        auto loaded = translations_->Translations(sid, lang);
        if (!absl::IsNotFound(loaded.status())) {
          RETURN_IF_ERROR(loaded.status());
          translations[key] = std::move(*loaded);
        }
      }
      // The unit the translation makes now, if approved.
      std::optional<UnitInput> input;
      if (sources[sid].has_value() && translations.count(key)) {
        const StatementSources& src = *sources[sid];
        for (const SegmentTranslation& t : translations[key]) {
          if (t.segment_id != seg || !t.approved) continue;
          for (size_t k = 0; k < src.segments.size(); ++k) {
            if (src.segments[k].id != seg) continue;
            UnitInput in;
            in.source_language = src.source_language;
            in.target_language = lang;
            in.source = src.segments[k].content;
            in.target = t.content;
            // The translation uses the source's codes, so their markup.
            in.source_natives = NativesFromCodes(src.segments[k].codes);
            in.translation = name;
            in.author = t.author;
            in.reviewer = t.reviewer;
            in.time = e.time;
            if (k > 0) {
              in.previous_source =
                  Prepare(src.segments[k - 1].content, src.source_language)
                      .normalized;
            }
            if (k + 1 < src.segments.size()) {
              in.next_source =
                  Prepare(src.segments[k + 1].content, src.source_language)
                      .normalized;
            }
            input = std::move(in);
            break;
          }
        }
      }
      storage::WriteSet w;
      ASSIGN_OR_RETURN(auto ref, store_->Get(kMemoryCf, ReferenceKey(name)));
      uint64_t old_unit = 0;
      if (ref.has_value() && ref->size() >= 9) {
        std::string_view v = std::string_view(*ref).substr(1);
        storage::GetFixed64BE(&v, &old_unit);
      }
      const uint64_t new_unit = input.has_value() ? MemoryCore::UnitId(*input) : 0;
      if (old_unit != 0 && old_unit != new_unit) {
        ASSIGN_OR_RETURN(auto old, core_->LoadUnit(old_unit));
        if (old.has_value()) {
          MemoryUnitRecord r = old->first;
          if (r.references() <= 1) {
            RETURN_IF_ERROR(core_->AddUnitErasures(r, old->second, &w));
          } else {
            r.set_references(r.references() - 1);
            w.ExpectVersion(kMemoryCf, UnitKey(old_unit), old->second);
            w.Put(kMemoryCf, UnitKey(old_unit),
                  storage::EncodeRecord(kUnitFormat, old->second + 1,
                                        r.SerializeAsString()));
          }
        }
        w.Delete(kMemoryCf, ReferenceKey(name));
      }
      if (input.has_value()) {
        ASSIGN_OR_RETURN(auto existing, core_->LoadUnit(new_unit));
        std::optional<MemoryUnitRecord> record;
        uint64_t version = 0;
        if (existing.has_value()) {
          record = std::move(existing->first);
          version = existing->second;
        }
        core_->AddUnitWrites(*input, record, version, &w,
                             old_unit == new_unit ? 0 : 1);
        std::string value(1, static_cast<char>(kRefFormat));
        storage::PutFixed64BE(&value, new_unit);
        w.Put(kMemoryCf, ReferenceKey(name), value);
      }
      PutCursor(cursor, e.seq, &w);
      RETURN_IF_ERROR(store_->Commit(std::move(w)).status());
      ++cursor.version;
      cursor.seq = e.seq;
    }
  }
}

void MemoryFeed::Start() {
  if (background_.joinable()) return;
  stop_ = false;
  background_ = std::thread([this] {
    while (!stop_) {
      absl::Status s = CatchUp();
      if (!s.ok()) {
        LogError("memory feed", s);
        absl::SleepFor(absl::Milliseconds(200));
      }
      uint64_t seq = 0;
      if (auto c = LoadCursor(*store_); c.ok()) seq = c->seq;
      feed_->WaitForFeed(seq, absl::Now() + absl::Seconds(1));
    }
  });
}

void MemoryFeed::Stop() {
  stop_ = true;
  if (background_.joinable()) background_.join();
}

}  // namespace tessera::memory

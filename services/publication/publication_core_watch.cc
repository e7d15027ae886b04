// PublicationCore, watching: cursors, watch filters and the reading of
// publications from the change feed that WatchPublications streams.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_core_internal.h"
#include "storage/key_codec.h"

namespace tessera::publication {
namespace {

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

}  // namespace

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
  const uint64_t last = feed_->LastVisibleFeedSeq();
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
                   feed_->ReadFeed(after, max_events));
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

}  // namespace tessera::publication

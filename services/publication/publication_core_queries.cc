// PublicationCore, queries: one publication rendered in a format, and the
// listing of publications newest first.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "formats/export.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_core_internal.h"
#include "storage/key_codec.h"

namespace tessera::publication {

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
    ASSIGN_OR_RETURN(auto head, tables_->heads.Get(HeadKey(iid, lang)));
    if (!head.has_value()) {
      return NotFound(StrCat(base, "latest"),
                      StrCat("statements/", statement_id,
                             " has no publication in ", lang, " yet"));
    }
    version = static_cast<int64_t>(head->version);
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
  switch (format) {
    case OutputFormat::kMarkdown:
      d.content_type = "text/markdown; charset=utf-8";
      break;
    case OutputFormat::kPlainText:
      d.content_type = "text/plain; charset=utf-8";
      break;
    case OutputFormat::kHtml:
      d.content_type = "text/html; charset=utf-8";
      break;
    default:
      return BadField("format", "is not a known DocumentFormat");
  }
  // The stored bytes are read, and converted, only on a cache miss.
  const std::string key =
      StrCat(iid, "/", lang, "/", *version, "/", static_cast<int>(format));
  ASSIGN_OR_RETURN(
      std::shared_ptr<const std::string> rendered,
      renders_.Get(key, pub->content_sha256,
                   [&]() -> absl::StatusOr<std::string> {
                     ASSIGN_OR_RETURN(std::string bytes,
                                      LoadContent(iid, lang, *version));
                     if (format == OutputFormat::kMarkdown || !markdown) {
                       if (format != OutputFormat::kHtml) return bytes;
                       return formats::PlainTextToHtml(bytes);
                     }
                     return format == OutputFormat::kHtml
                                ? formats::MarkdownToHtml(bytes)
                                : formats::MarkdownToPlainText(bytes);
                   }));
  d.content = *rendered;
  d.format = format;
  d.publication = *std::move(pub);
  return d;
}

absl::StatusOr<PublicationPage> PublicationCore::ListPublications(
    const Principal& caller, const ListQuery& query_in, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(const int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
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
  // The view only shapes each result, not which ones: it stays out.
  QueryFingerprint fingerprint("publication.ListPublications");
  fingerprint.String(query.statement_id)
      .Bool(query.latest_only)
      .Bool(query.start_time.has_value())
      .Int(query.start_time ? Micros(*query.start_time) : 0)
      .Bool(query.end_time.has_value())
      .Int(query.end_time ? Micros(*query.end_time) : 0)
      .Int(static_cast<int64_t>(query.languages.size()));
  for (const auto& l : query.languages) fingerprint.String(l);
  fingerprint.Int(static_cast<int64_t>(query.label_selectors.size()));
  for (const auto& sel : query.label_selectors) {
    fingerprint.String(sel.key)
        .Bool(sel.value.has_value())
        .String(sel.value.value_or(""));
  }
  const std::string fp = fingerprint.Build();
  // The cursor is the last listing key returned.
  ASSIGN_OR_RETURN(std::string last, DecodePageToken(page_token, fp));
  const std::string prefix = ListingPrefix();
  std::string begin = prefix;
  if (!last.empty()) {
    if (last.substr(0, prefix.size()) != prefix) {
      return BadField("page_token", "is not a ListPublications page token",
                      "INVALID_TOKEN");
    }
    begin = last + '\0';  // just after the last key returned
  }

  PublicationPage page;
  std::string last_key;
  absl::Status status;
  std::map<std::pair<uint64_t, std::string>, int64_t> heads;
  RETURN_IF_ERROR(tables_->listing.Scan(
      begin, storage::PrefixSuccessor(prefix),
      [&](std::string_view key, uint64_t iid) {
        ListingEntry entry;
        if (!ParseListingKey(key, &entry)) {
          status = absl::InternalError("corrupt publication listing key");
          return false;
        }
        const std::string& lang = entry.language;
        if (query.start_time && entry.create_time < *query.start_time) {
          return false;
        }
        if (query.end_time && entry.create_time >= *query.end_time) {
          return true;
        }
        if (!query.statement_id.empty() &&
            entry.statement_id != query.statement_id) {
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
            auto head = tables_->heads.Get(HeadKey(iid, lang));
            if (!head.ok()) {
              status = head.status();
              return false;
            }
            if (head->has_value()) {
              it->second = static_cast<int64_t>((*head)->version);
            }
          }
          if (it->second != entry.version) return true;
        }
        auto pub = Load(iid, lang, entry.version, query.full);
        if (!pub.ok()) {
          status = pub.status();
          return false;
        }
        if (!pub->has_value() || !MatchesSelectors(query.label_selectors,
                                                   (*pub)->statement_labels)) {
          return true;
        }
        if (static_cast<int>(page.publications.size()) >= size) {
          page.next_page_token = EncodePageToken(fp, last_key);
          return false;
        }
        page.publications.push_back(**std::move(pub));
        last_key = std::string(key);
        return true;
      }));
  RETURN_IF_ERROR(status);
  return page;
}

}  // namespace tessera::publication

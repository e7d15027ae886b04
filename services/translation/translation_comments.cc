// The comment thread of a translation: AddComment, ListComments, and the
// thread writes that Approve and Reject add to their commits. Comment ids
// are dense: every write raises the thread's head with a compare-and-set.
#include <algorithm>
#include <string>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/translation/translation_checks.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_internal.h"
#include "services/translation/translation_keys.h"
#include "storage/key_codec.h"

namespace tessera::translation {
namespace {

using internal::Attempts;
using internal::Context;
using internal::Need;
using storage::WriteSet;

constexpr size_t kMaxRequestIdBytes = 64;

bool ValidRequestId(std::string_view request_id) {
  return request_id.size() <= kMaxRequestIdBytes &&
         std::all_of(request_id.begin(), request_id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

std::string Cursor(uint64_t comment_id) {
  std::string cursor;
  storage::PutFixed64BE(&cursor, comment_id);
  return cursor;
}

}  // namespace

absl::StatusOr<int> TranslationCore::CommentCount(uint64_t iid,
                                                  std::string_view language,
                                                  std::string_view segment_id) {
  ASSIGN_OR_RETURN(auto head, tables_->comment_heads.Get(
                                  CommentHeadKey(iid, language, segment_id)));
  return head ? static_cast<int>(head->version) : 0;
}

absl::StatusOr<uint64_t> TranslationCore::AddToThread(
    const Context& ctx, const std::string& author, const std::string& text,
    uint64_t translation_version, absl::Time now, WriteSet* writes) {
  const std::string& lang = ctx.ref.language;
  const std::string& seg = ctx.ref.segment_id;
  const std::string head_key = CommentHeadKey(ctx.iid, lang, seg);
  ASSIGN_OR_RETURN(auto head, tables_->comment_heads.Get(head_key));
  const uint64_t count = head ? head->version : 0;
  internal::rec::CommentRecord comment;
  comment.set_author(author);
  comment.set_text(text);
  comment.set_translation_version(static_cast<int64_t>(translation_version));
  comment.set_create_time_micros(internal::Micros(now));
  tables_->comment_heads.Update(writes, head_key, "", count);
  // The head's compare-and-set keeps the id free.
  tables_->comments.Put(writes, CommentKey(ctx.iid, lang, seg, count + 1),
                        comment, 1);
  return count + 1;
}

absl::StatusOr<Comment> TranslationCore::AddComment(
    const CallContext& call, const TranslationRef& ref, std::string_view text,
    std::string_view request_id) {
  ASSIGN_OR_RETURN(std::string body,
                   internal::CheckText("text", text, kMaxReasonBytes,
                                       /*optional=*/false));
  if (!ValidRequestId(request_id)) {
    return BadField("request_id",
                    "must be 1 to 64 characters of [A-Za-z0-9_-]");
  }
  const Principal& caller = call.caller();
  for (Attempts attempts;;) {
    ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kComment,
                                          /*require_open=*/false,
                                          /*require_current=*/true));
    if (ctx.statement.state == statement::StatementState::kArchived) {
      return internal::StatementWrongState(
          ctx.statement, "an archived statement takes no comments");
    }
    const std::string& lang = ctx.ref.language;
    const std::string& seg = ctx.ref.segment_id;
    const std::string request_key =
        request_id.empty()
            ? std::string()
            : CommentRequestKey(ctx.iid, lang, seg, caller.user_id, request_id);
    // A retried request answers with the comment it made.
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(auto prior, tables_->comment_requests.Get(request_key));
      if (prior.has_value()) {
        const uint64_t id = prior->record;
        ASSIGN_OR_RETURN(auto comment, tables_->comments.Get(
                                           CommentKey(ctx.iid, lang, seg, id)));
        if (!comment.has_value()) {
          return absl::InternalError("comment missing");
        }
        return internal::FromRecord(comment->record, id);
      }
    }
    const absl::Time now = clock_->Now();
    const uint64_t translation_version = ctx.version();
    WriteSet writes;
    ASSIGN_OR_RETURN(uint64_t id,
                     AddToThread(ctx, caller.user_id, body, translation_version,
                                 now, &writes));
    if (!request_key.empty()) {
      tables_->comment_requests.PutNew(&writes, request_key, id);
    }
    writes.AppendEvent("translation.commented",
                       StrCat(internal::TranslationName(ctx.ref), "/comments/",
                              id, " by users/", caller.user_id));
    RETURN_IF_ERROR(call.CheckDeadline());
    absl::Status committed = store_->Commit(std::move(writes)).status();
    if (attempts.Again(committed)) continue;
    RETURN_IF_ERROR(committed);
    return Comment{id, caller.user_id, body, translation_version, now};
  }
}

absl::StatusOr<CommentPage> TranslationCore::ListComments(
    const Principal& caller, const TranslationRef& ref, int page_size,
    std::string_view page_token) {
  ASSIGN_OR_RETURN(int size,
                   PageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(Context ctx, Prepare(caller, ref, Need::kRead,
                                        /*require_open=*/false,
                                        /*require_current=*/false));
  const std::string& lang = ctx.ref.language;
  const std::string& seg = ctx.ref.segment_id;
  const std::string fingerprint = QueryFingerprint("translation.ListComments")
                                      .String(ctx.ref.statement_id)
                                      .String(lang)
                                      .String(seg)
                                      .Build();
  ASSIGN_OR_RETURN(std::string cursor,
                   DecodePageToken(page_token, fingerprint));
  uint64_t after = 0;
  if (!cursor.empty()) {
    std::string_view c = cursor;
    if (c.size() != 8 || !storage::GetFixed64BE(&c, &after)) {
      return BadField("page_token", "does not parse", "INVALID_TOKEN");
    }
  }
  CommentPage page;
  RETURN_IF_ERROR(tables_->comments.Scan(
      CommentKey(ctx.iid, lang, seg, after + 1),
      storage::PrefixSuccessor(CommentSegmentPrefix(ctx.iid, lang, seg)),
      [&](std::string_view key,
          const storage::Versioned<internal::rec::CommentRecord>& comment) {
        if (static_cast<int>(page.comments.size()) >= size) {
          page.next_page_token = EncodePageToken(
              fingerprint, Cursor(page.comments.back().comment_id));
          return false;
        }
        page.comments.push_back(internal::FromRecord(
            comment.record, CommentIdOfKey(key).value_or(0)));
        return true;
      }));
  return page;
}

}  // namespace tessera::translation

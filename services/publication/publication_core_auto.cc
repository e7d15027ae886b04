// PublicationCore, the automatic publisher: a change-feed consumer that
// publishes each language a "translation.approved" left fully approved.
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/publication/publication_core.h"
#include "services/publication/publication_core_internal.h"

namespace tessera::publication {
namespace {

// The automatic publisher's context: no caller, no deadline.
const CallContext& Automatic() {
  static const Principal* nobody = new Principal{};
  static const CallContext* context = new CallContext(*nobody);
  return *context;
}

}  // namespace

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
    auto saved = Save(Automatic(), a, loaded->second, Trigger::kAutomatic,
                      Policy::kRefuse, "", &created);
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

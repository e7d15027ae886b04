#include "services/translation/translation_core.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/translation/translation_carry_over.h"
#include "services/translation/translation_internal.h"
#include "services/translation/translation_keys.h"
#include "text/language.h"

namespace tessera::translation {

using internal::Context;
using internal::Need;

TranslationCore::TranslationCore(storage::Store* store,
                                 const StatementReader* statements,
                                 Clock* clock, const storage::FeedSource* feed)
    : store_(store),
      statements_(statements),
      clock_(clock),
      tables_(std::make_unique<internal::Tables>(store)),
      carry_over_(std::make_unique<internal::CarryOver>(
          store, feed != nullptr ? feed : store, statements, clock,
          tables_.get())) {}

TranslationCore::~TranslationCore() { Stop(); }

absl::Status TranslationCore::CatchUp() { return carry_over_->CatchUp(); }

void TranslationCore::Start() { carry_over_->Start(); }

void TranslationCore::Stop() { carry_over_->Stop(); }

namespace {

bool Allowed(const Principal& caller, Need need, std::string_view language) {
  const auto has = [&](Role role) { return caller.HasRoleFor(role, language); };
  switch (need) {
    case Need::kRead:
      return std::any_of(std::begin(kAllRoles), std::end(kAllRoles), has);
    case Need::kTranslate:
      return has(Role::kTranslator) || has(Role::kCoordinator);
    case Need::kReview:
      return has(Role::kReviewer) || has(Role::kCoordinator);
    case Need::kCoordinate:
      return has(Role::kCoordinator);
    case Need::kComment:
      return has(Role::kTranslator) || has(Role::kReviewer) ||
             has(Role::kCoordinator);
  }
  return false;
}

}  // namespace

absl::StatusOr<Context> TranslationCore::Prepare(const Principal& caller,
                                                 const TranslationRef& ref,
                                                 Need need, bool require_open,
                                                 bool require_current) {
  Context ctx;
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(ref.statement_id));
  ctx.statement = std::move(loaded.first);
  ctx.iid = loaded.second;
  ctx.ref = ref;
  auto language = text::CanonicalizeLanguageTag(ref.language);
  if (!language.ok()) {
    return BadField("name", StrCat("\"", ref.language,
                                   "\" is not a valid BCP 47 language tag"));
  }
  const std::string& lang = *language;
  ctx.ref.language = lang;
  const auto& targets = ctx.statement.target_languages;
  if (std::find(targets.begin(), targets.end(), lang) == targets.end()) {
    return BadField("name",
                    StrCat("statements/", ref.statement_id,
                           " does not target the language ", lang),
                    "LANGUAGE_NOT_TARGETED", {{"language", lang}});
  }
  if (!Allowed(caller, need, lang)) {
    return internal::Denied(
        "LANGUAGE_NOT_GRANTED",
        StrCat("no role of the caller allows this call in ", lang), lang);
  }
  RETURN_IF_ERROR(carry_over_->EnsureCarriedOver(ctx.statement, ctx.iid, lang));
  if (require_open && ctx.statement.state != statement::StatementState::kOpen) {
    return internal::StatementWrongState(
        ctx.statement, "translations change only while the statement is open");
  }
  // Language-level calls (ListSegments) name no segment.
  if (ref.segment_id.empty()) return ctx;
  auto source =
      statements_->GetSourceSegment(ref.statement_id, ref.segment_id, 0);
  if (source.ok()) {
    ctx.in_current = true;
    ctx.source = *std::move(source);
  } else if (!absl::IsNotFound(source.status()) || require_current) {
    return source.status();
  }
  ASSIGN_OR_RETURN(ctx.record, tables_->translations.Get(TranslationRecordKey(
                                   ctx.iid, lang, ref.segment_id)));
  if (!ctx.in_current && !ctx.record.has_value()) return source.status();
  return ctx;
}

absl::StatusOr<Translation> TranslationCore::View(const Context& ctx) {
  ASSIGN_OR_RETURN(int comments,
                   CommentCount(ctx.iid, ctx.ref.language, ctx.ref.segment_id));
  return internal::MakeView(ctx.statement, ctx.ref, ctx.source,
                            ctx.record ? &ctx.record->record : nullptr,
                            ctx.version(), comments);
}

absl::Status TranslationCore::Admit(const Principal& caller, const Context& ctx,
                                    WorkKind kind, storage::WriteSet* writes) {
  if (gate_ == nullptr) return absl::OkStatus();
  return gate_->Admit(caller, ctx.statement, ctx.iid, ctx.ref.language,
                      ctx.ref.segment_id, kind, writes);
}

absl::StatusOr<Translation> TranslationCore::Finish(const Context& ctx) {
  if (gate_ != nullptr && ctx.record.has_value()) {
    const internal::rec::TranslationRecord& r = ctx.record->record;
    gate_->Committed(
        CommittedChange{ctx.statement.statement_id,
                        ctx.iid,
                        ctx.ref.language,
                        ctx.ref.segment_id,
                        static_cast<SegmentState>(r.state()),
                        ctx.record->version,
                        r.author(),
                        {r.approvers().begin(), r.approvers().end()}});
  }
  return View(ctx);
}

}  // namespace tessera::translation

#include "services/translation/translation_core.h"

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/call_context.h"
#include "services/common/errors.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_translation.h"
#include "storage/feed_source.h"
#include "storage/store.h"

namespace tessera::translation {
namespace {

using ::tessera::statement::CreateParams;
using ::tessera::statement::ReviseParams;
using ::tessera::statement::StatementCore;
using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
Principal User(std::string id, Role role, std::vector<std::string> langs) {
  return Principal{std::move(id), "", {{role, std::move(langs)}}};
}
const Principal kAnna = User("anna", Role::kTranslator, {"fr"});
const Principal kBert = User("bert", Role::kReviewer, {"fr"});
const Principal kCleo = User("cleo", Role::kReviewer, {"fr"});
const Principal kDora = User("dora", Role::kCoordinator, {"fr"});
const Principal kEmil = User("emil", Role::kTranslator, {"de"});
const Principal kSvc = User("svc", Role::kService, {});
// Translator and reviewer at once.
const Principal kBoth{
    "both", "", {{Role::kTranslator, {"fr"}}, {Role::kReviewer, {"fr"}}}};

// The reason and metadata of a domain error (the edge sends them as a
// google.rpc.ErrorInfo).
std::string ReasonOf(const absl::Status& s) {
  std::optional<ErrorDetails> details = DetailsOf(s);
  return details ? details->reason : "";
}
std::string MetadataOf(const absl::Status& s, std::string_view key) {
  std::optional<ErrorDetails> details = DetailsOf(s);
  if (!details) return "";
  for (const auto& [k, v] : details->metadata) {
    if (k == key) return v;
  }
  return "";
}

formats::Content Readable(std::string_view r) {
  auto c = formats::ParseReadable(r);
  EXPECT_OK(c);
  return c.ok() ? *c : formats::Content();
}

// Three paragraphs; the second has an emphasis and a link, the third a URL.
const char kSource[] =
    "The council met today. It adopted a resolution.\n\n"
    "We demand *an immediate* ceasefire.\n\n"
    "Read more at https://example.org/statement today.\n";

class TranslationCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    statements_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                                  RandomSource::Secure());
    reader_ = std::make_unique<statement::StatementReaderForTranslation>(
        statements_.get());
    core_ =
        std::make_unique<TranslationCore>(store_.get(), reader_.get(), &clock_);
    Create(kSource, 1);
  }

  void Create(const std::string& source, int rounds,
              formats::Format format = formats::Format::kMarkdown) {
    CreateParams p;
    p.title = "Statement";
    p.format = format;
    p.source = source;
    p.source_language = "en";
    p.target_languages = {"fr", "de"};
    p.review_rounds = rounds;
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(Admin(), p));
    sid_ = s.statement_id;
    ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                        Admin(), sid_, 0, 100, "", true));
    ids_.clear();
    texts_.clear();
    for (const auto& seg : page.segments) {
      ids_.push_back(seg.info.segment_id);
      texts_.push_back(seg.segment.content.text);
    }
  }

  TranslationRef Ref(int i, std::string lang = "fr") {
    return TranslationRef{sid_, lang, ids_[i]};
  }

  // Everything the translations column family holds, and the feed head.
  std::pair<std::vector<std::pair<std::string, std::string>>, uint64_t> Snap() {
    std::vector<std::pair<std::string, std::string>> rows;
    EXPECT_OK(store_->Scan(storage::ColumnFamily::kTranslations, "", "",
                           [&](std::string_view k, std::string_view v) {
                             rows.emplace_back(k, v);
                             return true;
                           }));
    return {rows, store_->LastVisibleFeedSeq()};
  }

  absl::StatusOr<Translation> SubmitText(const Principal& who, int i,
                                         uint64_t version,
                                         std::string_view text) {
    return core_->Submit(who, Ref(i), version, Readable(text), false);
  }

  absl::Status Revise(const std::string& source) {
    ASSIGN_OR_RETURN(auto s, statements_->LoadStatement(sid_));
    ReviseParams p;
    p.statement_id = sid_;
    p.version = s.version;
    p.source = source;
    return statements_->ReviseStatement(Admin(), p).status();
  }

  // Progress recounted from every translation of the current revision.
  Progress Recount(const std::string& lang = "fr") {
    Progress p;
    auto page = core_->ListSegments(Admin(), sid_, lang, {}, 1000, "");
    EXPECT_OK(page);
    for (const Translation& t : page->translations) {
      Progress::Count& c = const_cast<Progress::Count&>(p.Of(t.state));
      c.segments += 1;
      c.words += t.source.info.word_count;
    }
    return p;
  }

  void ExpectCountersMatchRecount(const std::string& lang = "fr") {
    ASSERT_OK_AND_ASSIGN(Progress fast, core_->GetProgress(sid_, lang));
    Progress slow = Recount(lang);
    for (SegmentState s :
         {SegmentState::kUntranslated, SegmentState::kTranslated,
          SegmentState::kApproved, SegmentState::kRejected,
          SegmentState::kNeedsUpdate}) {
      EXPECT_EQ(fast.Of(s).segments, slow.Of(s).segments)
          << SegmentStateName(s);
      EXPECT_EQ(fast.Of(s).words, slow.Of(s).words) << SegmentStateName(s);
    }
  }

  std::vector<HistoryEntry> History(const TranslationRef& ref) {
    auto page = core_->GetHistory(Admin(), ref, 1000, "");
    EXPECT_OK(page);
    return page.ok() ? page->entries : std::vector<HistoryEntry>();
  }

  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> statements_;
  std::unique_ptr<statement::StatementReaderForTranslation> reader_;
  std::unique_ptr<TranslationCore> core_;
  std::string sid_;
  std::vector<std::string> ids_;
  std::vector<std::string> texts_;
};

TEST_F(TranslationCoreTest, SegmentsStartUntranslatedAtVersionOne) {
  ASSERT_EQ(ids_.size(), 4u);
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kAnna, Ref(0)));
  EXPECT_EQ(t.state, SegmentState::kUntranslated);
  EXPECT_EQ(t.version, 1u);
  EXPECT_EQ(t.source.segment.content.text, "The council met today.");
  EXPECT_EQ(t.review_rounds, 1);
  ASSERT_OK_AND_ASSIGN(Progress p, core_->GetProgress(sid_, "fr"));
  EXPECT_EQ(p.untranslated.segments, 4);
  EXPECT_GT(p.untranslated.words, 10);
  auto h = History(Ref(0));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].action, HistoryAction::kCreated);
}

TEST_F(TranslationCoreTest, SubmitThenApprove) {
  ASSERT_OK_AND_ASSIGN(Translation t,
                       SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  EXPECT_EQ(t.version, 2u);
  EXPECT_EQ(t.author, "anna");
  EXPECT_EQ(t.origin, Origin::kHuman);
  ASSERT_OK_AND_ASSIGN(t, core_->Approve(kBert, Ref(0), 2, ""));
  EXPECT_EQ(t.state, SegmentState::kApproved);
  EXPECT_EQ(t.version, 3u);
  EXPECT_EQ(t.reviewer, "bert");
  EXPECT_THAT(t.approvers, ElementsAre("bert"));
  auto h = History(Ref(0));
  ASSERT_EQ(h.size(), 3u);
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].version, i + 1);
  EXPECT_EQ(h[1].action, HistoryAction::kSubmitted);
  EXPECT_EQ(h[1].actor, "anna");
  EXPECT_EQ(h[1].content.text, "Le conseil s'est réuni.");
  EXPECT_EQ(h[2].action, HistoryAction::kApproved);
  EXPECT_EQ(h[2].state, SegmentState::kApproved);
  ASSERT_OK_AND_ASSIGN(Progress p, core_->GetProgress(sid_, "fr"));
  EXPECT_EQ(p.approved.segments, 1);
  EXPECT_EQ(p.untranslated.segments, 3);
}

TEST_F(TranslationCoreTest, FourEyesWhateverTheRoles) {
  ASSERT_OK(SubmitText(kBoth, 0, 1, "Le conseil s'est réuni."));
  absl::Status s = core_->Approve(kBoth, Ref(0), 2, "").status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReasonOf(s), "FOUR_EYES");
  // An admin author may not approve their own work either.
  ASSERT_OK(SubmitText(Admin(), 1, 1, "Il a adopté une résolution."));
  s = core_->Approve(Admin(), Ref(1), 2, "").status();
  EXPECT_EQ(ReasonOf(s), "FOUR_EYES");
  // Nothing was written by the refused calls.
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kBert, Ref(0)));
  EXPECT_EQ(t.version, 2u);
  EXPECT_EQ(t.state, SegmentState::kTranslated);
}

TEST_F(TranslationCoreTest, ReviewRoundsNeedDistinctReviewers) {
  Create(kSource, 2);
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK_AND_ASSIGN(Translation t, core_->Approve(kBert, Ref(0), 2, "ok"));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  EXPECT_THAT(t.approvers, ElementsAre("bert"));
  EXPECT_EQ(t.comment_count, 1);
  EXPECT_EQ(ReasonOf(core_->Approve(kBert, Ref(0), 3, "").status()),
            "FOUR_EYES");
  ASSERT_OK_AND_ASSIGN(t, core_->Approve(kCleo, Ref(0), 3, ""));
  EXPECT_EQ(t.state, SegmentState::kApproved);
  EXPECT_THAT(t.approvers, ElementsAre("bert", "cleo"));
}

TEST_F(TranslationCoreTest, RejectNeedsAReasonAndReturnsToTheTranslator) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  EXPECT_THAT(core_->Reject(kBert, Ref(0), 2, "  ").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Translation t,
                       core_->Reject(kBert, Ref(0), 2, "Wrong tense."));
  EXPECT_EQ(t.state, SegmentState::kRejected);
  EXPECT_EQ(t.rejection_reason, "Wrong tense.");
  EXPECT_EQ(t.author, "anna");
  EXPECT_EQ(t.comment_count, 1);
  ASSERT_OK_AND_ASSIGN(CommentPage c,
                       core_->ListComments(kAnna, Ref(0), 0, ""));
  ASSERT_EQ(c.comments.size(), 1u);
  EXPECT_EQ(c.comments[0].text, "Wrong tense.");
  EXPECT_EQ(c.comments[0].author, "bert");
  // The rejected segment can be submitted again.
  ASSERT_OK_AND_ASSIGN(t, SubmitText(kAnna, 0, 3, "Le conseil se réunit."));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  EXPECT_EQ(t.rejection_reason, "");
  ExpectCountersMatchRecount();
}

TEST_F(TranslationCoreTest, ReopenByCoordinatorOnly) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK(core_->Approve(kBert, Ref(0), 2, ""));
  EXPECT_EQ(ReasonOf(core_->Reopen(kBert, Ref(0), 3, "").status()),
            "LANGUAGE_NOT_GRANTED");
  ASSERT_OK_AND_ASSIGN(Translation t, core_->Reopen(kDora, Ref(0), 3, "typo"));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  EXPECT_THAT(t.approvers, IsEmpty());
  EXPECT_EQ(History(Ref(0)).back().reason, "typo");
}

TEST_F(TranslationCoreTest, RefusedTransitions) {
  const auto wrong = [&](const absl::Status& s) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(ReasonOf(s), "WRONG_STATE");
  };
  // From untranslated.
  wrong(core_->Approve(kBert, Ref(0), 1, "").status());
  wrong(core_->Reject(kBert, Ref(0), 1, "no").status());
  wrong(core_->Reopen(kDora, Ref(0), 1, "").status());
  // From translated.
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  wrong(core_->Reopen(kDora, Ref(0), 2, "").status());
  // From rejected.
  ASSERT_OK(core_->Reject(kBert, Ref(0), 2, "no"));
  wrong(core_->Approve(kBert, Ref(0), 3, "").status());
  wrong(core_->Reject(kBert, Ref(0), 3, "no").status());
  wrong(core_->Reopen(kDora, Ref(0), 3, "").status());
  // From approved.
  ASSERT_OK(SubmitText(kAnna, 0, 3, "Le conseil s'est réuni."));
  ASSERT_OK(core_->Approve(kBert, Ref(0), 4, ""));
  wrong(SubmitText(kAnna, 0, 5, "Autre chose.").status());
  wrong(core_->SaveDraft(kAnna, Ref(0), 5, Readable("brouillon")).status());
  wrong(core_->Approve(kCleo, Ref(0), 5, "").status());
  wrong(core_->Reject(kCleo, Ref(0), 5, "no").status());
}

TEST_F(TranslationCoreTest, StaleVersionIsAbortedAndWritesNothing) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  auto before = Snap();
  absl::Status s = SubmitText(kAnna, 0, 1, "Autre.").status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ReasonOf(s), "VERSION_CONFLICT");
  EXPECT_EQ(MetadataOf(s, "current_version"), "2");
  EXPECT_THAT(core_->Approve(kBert, Ref(0), 5, "").status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(core_->SaveDraft(kAnna, Ref(0), 1, Readable("x")).status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(Snap(), before);
  EXPECT_THAT(SubmitText(kAnna, 0, 0, "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TranslationCoreTest, LanguagesRolesAndStatementState) {
  absl::Status s = core_->GetSegment(kAnna, Ref(0, "it")).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(s), "LANGUAGE_NOT_TARGETED");
  // Translators act in their languages only.
  s = SubmitText(kEmil, 0, 1, "Le conseil.").status();
  EXPECT_EQ(ReasonOf(s), "LANGUAGE_NOT_GRANTED");
  ASSERT_OK(core_->Submit(kEmil, Ref(0, "de"), 1,
                          Readable("Der Rat tagte heute."), false));
  // A reviewer does not translate; a service only reads.
  EXPECT_THAT(SubmitText(kBert, 0, 1, "Le conseil.").status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(core_->GetSegment(kSvc, Ref(0)).status());
  EXPECT_THAT(SubmitText(kSvc, 0, 1, "Le conseil.").status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // Language tags are canonicalised.
  EXPECT_OK(core_->GetSegment(kAnna, Ref(0, "FR")).status());
  // Unknown segment.
  EXPECT_THAT(
      core_->GetSegment(kAnna, TranslationRef{sid_, "fr", "zzz"}).status(),
      StatusIs(absl::StatusCode::kNotFound));
  // A closed statement takes no changes but can still be read.
  ASSERT_OK_AND_ASSIGN(auto st, statements_->LoadStatement(sid_));
  ASSERT_OK(statements_->CloseStatement(Admin(), sid_, st.version));
  s = SubmitText(kAnna, 0, 1, "Le conseil s'est réuni.").status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_OK(core_->GetSegment(kAnna, Ref(0)).status());
}

TEST_F(TranslationCoreTest, QaErrorsBlockSubmit) {
  // Segment 2: "We demand {1}an immediate{/1} ceasefire."
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kAnna, Ref(2)));
  ASSERT_EQ(t.source.segment.content.codes.size(), 2u);
  auto before = Snap();
  absl::Status s =
      SubmitText(kAnna, 2, 1, "Nous exigeons un cessez-le-feu.").status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(s), "QA_ERRORS");
  std::vector<text::QaIssue> issues = QaIssuesOf(s);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].code, text::QaCode::kCodeMissing);
  EXPECT_EQ(issues[1].code, text::QaCode::kCodeMissing);
  // One field violation per error (a google.rpc.BadRequest at the edge).
  std::optional<ErrorDetails> bad = DetailsOf(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->fields.size(), 2u);
  // Crossed and added codes.
  s = SubmitText(kAnna, 2, 1, "Nous {/1}exigeons{1} un cessez-le-feu.")
          .status();
  ASSERT_FALSE(QaIssuesOf(s).empty());
  EXPECT_EQ(QaIssuesOf(s)[0].code, text::QaCode::kCodeCrossed);
  s = SubmitText(kAnna, 2, 1, "Nous {1}exigeons{/1}{2/} un cessez-le-feu.")
          .status();
  EXPECT_EQ(QaIssuesOf(s)[0].code, text::QaCode::kCodeAdded);
  s = SubmitText(kAnna, 2, 1, "Nous {1}exigeons{/1} {1}un{/1} cessez-le-feu.")
          .status();
  EXPECT_EQ(QaIssuesOf(s)[0].code, text::QaCode::kCodeDuplicated);
  EXPECT_EQ(Snap(), before);
  // Correct codes pass.
  ASSERT_OK(SubmitText(kAnna, 2, 1, "Nous exigeons {1}un{/1} cessez-le-feu."));
  // Plain text keeps URLs and addresses in the text: they must survive.
  Create(
      "Read more at https://example.org/statement or write to "
      "info@example.org today.\n",
      1, formats::Format::kPlainText);
  s = SubmitText(kAnna, 0, 1, "Lisez la suite ou écrivez aujourd'hui.")
          .status();
  // Both errors come first; warnings (here the length) follow.
  ASSERT_GE(QaIssuesOf(s).size(), 2u);
  EXPECT_EQ(QaIssuesOf(s)[0].code, text::QaCode::kPlaceholderMissing);
  EXPECT_EQ(QaIssuesOf(s)[1].code, text::QaCode::kPlaceholderMissing);
  for (size_t i = 2; i < QaIssuesOf(s).size(); ++i) {
    EXPECT_EQ(QaIssuesOf(s)[i].severity, text::QaSeverity::kWarning);
  }
  s = SubmitText(kAnna, 0, 1,
                 "Lisez https://example.org/declaration ou écrivez à "
                 "info@example.org aujourd'hui.")
          .status();
  ASSERT_FALSE(QaIssuesOf(s).empty());
  EXPECT_EQ(QaIssuesOf(s)[0].code, text::QaCode::kPlaceholderAltered);
  ASSERT_OK(SubmitText(kAnna, 0, 1,
                       "Lisez https://example.org/statement ou écrivez à "
                       "info@example.org aujourd'hui."));
}

TEST_F(TranslationCoreTest, QaWarningsAreStoredAndReturned) {
  ASSERT_OK_AND_ASSIGN(
      Translation t,
      SubmitText(kAnna, 0, 1, "Le conseil s'est  réuni \"aujourd'hui\""));
  std::vector<text::QaCode> codes;
  for (const auto& i : t.qa_issues) codes.push_back(i.code);
  EXPECT_THAT(codes, ::testing::UnorderedElementsAre(
                         text::QaCode::kFinalPunctuation, text::QaCode::kQuotes,
                         text::QaCode::kDoubleSpace));
  ASSERT_OK_AND_ASSIGN(Translation again, core_->GetSegment(kBert, Ref(0)));
  EXPECT_EQ(again.qa_issues, t.qa_issues);
  EXPECT_EQ(History(Ref(0)).back().qa_issues, t.qa_issues);
  // validate_only writes nothing but reports the warnings.
  auto before = Snap();
  ASSERT_OK_AND_ASSIGN(
      Translation dry,
      core_->Submit(kAnna, Ref(1), 1, Readable(texts_[1]), true));
  EXPECT_EQ(dry.version, 1u);
  ASSERT_FALSE(dry.qa_issues.empty());
  EXPECT_EQ(dry.qa_issues[0].code, text::QaCode::kIdenticalToSource);
  EXPECT_EQ(Snap(), before);
}

// A glossary that answers what the test says, and records what it was
// asked.
class ScriptedGlossary final : public GlossaryChecker {
 public:
  absl::StatusOr<std::vector<text::QaIssue>> Check(
      std::string_view source_language, std::string_view target_language,
      std::string_view source, std::string_view target) const override {
    asked = StrCat(source_language, ">", target_language, ":", source, "|",
                   target);
    return answer;
  }
  absl::StatusOr<std::vector<text::QaIssue>> answer;
  mutable std::string asked;
};

TEST_F(TranslationCoreTest, SubmitStoresTheGlossaryFindings) {
  ScriptedGlossary glossary;
  core_->SetGlossaryChecker(&glossary);
  const text::QaIssue finding{text::QaCode::kGlossaryTerm,
                              text::QaSeverity::kWarning,
                              "glossary: \"council\" should be rendered as "
                              "\"conseil\"",
                              0, 0, 0};
  glossary.answer = std::vector<text::QaIssue>{finding};
  ASSERT_OK_AND_ASSIGN(Translation t,
                       SubmitText(kAnna, 0, 1, "Le comité s'est réuni."));
  EXPECT_EQ(glossary.asked,
            StrCat("en>fr:", texts_[0], "|Le comité s'est réuni."));
  ASSERT_EQ(t.qa_issues.size(), 1u);
  EXPECT_EQ(t.qa_issues[0], finding);
  ASSERT_OK_AND_ASSIGN(Translation again, core_->GetSegment(kBert, Ref(0)));
  EXPECT_EQ(again.qa_issues, t.qa_issues);
  // A glossary that fails fails the Submit, which writes nothing.
  glossary.answer = absl::UnavailableError("glossary down");
  auto before = Snap();
  EXPECT_THAT(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(Snap(), before);
}

TEST_F(TranslationCoreTest, DraftsKeepTheStateAndStayInHistory) {
  ASSERT_OK_AND_ASSIGN(Translation t,
                       core_->SaveDraft(kAnna, Ref(0), 1, Readable("Le con")));
  EXPECT_EQ(t.state, SegmentState::kUntranslated);
  EXPECT_EQ(t.version, 2u);
  ASSERT_TRUE(t.draft.has_value());
  EXPECT_EQ(t.draft->content.text, "Le con");
  ASSERT_OK_AND_ASSIGN(
      t, core_->SaveDraft(kAnna, Ref(0), 2, Readable("Le conseil")));
  ASSERT_OK_AND_ASSIGN(t, SubmitText(kAnna, 0, 3, "Le conseil s'est réuni."));
  EXPECT_FALSE(t.draft.has_value());
  auto h = History(Ref(0));
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[1].action, HistoryAction::kDraftSaved);
  EXPECT_EQ(h[1].content.text, "Le con");
  EXPECT_EQ(h[2].content.text, "Le conseil");
  ExpectCountersMatchRecount();
}

TEST_F(TranslationCoreTest, CommentsAreIdempotentAndPaged) {
  ASSERT_OK_AND_ASSIGN(Comment a,
                       core_->AddComment(kAnna, Ref(0), "Question?", "r1"));
  ASSERT_OK_AND_ASSIGN(Comment again,
                       core_->AddComment(kAnna, Ref(0), "Question?", "r1"));
  EXPECT_EQ(again.comment_id, a.comment_id);
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(core_->AddComment(kBert, Ref(0), StrCat("c", i), ""));
  }
  EXPECT_THAT(core_->AddComment(kSvc, Ref(0), "x", "").status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(core_->AddComment(kAnna, Ref(0), " ", "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> texts;
  std::string token;
  do {
    ASSERT_OK_AND_ASSIGN(CommentPage p,
                         core_->ListComments(kSvc, Ref(0), 2, token));
    for (const auto& c : p.comments) texts.push_back(c.text);
    token = p.next_page_token;
  } while (!token.empty());
  EXPECT_THAT(texts, ElementsAre("Question?", "c0", "c1", "c2", "c3"));
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kAnna, Ref(0)));
  EXPECT_EQ(t.comment_count, 5);
  EXPECT_EQ(t.version, 1u);  // comments do not change the version
}

TEST_F(TranslationCoreTest, ListSegmentsFiltersAndPages) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  ASSERT_OK(core_->Approve(kBert, Ref(1), 2, ""));
  ListSegmentsQuery q;
  q.states = {SegmentState::kTranslated, SegmentState::kApproved};
  ASSERT_OK_AND_ASSIGN(TranslationPage p,
                       core_->ListSegments(kSvc, sid_, "fr", q, 1, ""));
  ASSERT_EQ(p.translations.size(), 1u);
  EXPECT_EQ(p.translations[0].segment_id, ids_[0]);
  ASSERT_FALSE(p.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(
      TranslationPage p2,
      core_->ListSegments(kSvc, sid_, "fr", q, 1, p.next_page_token));
  ASSERT_EQ(p2.translations.size(), 1u);
  EXPECT_EQ(p2.translations[0].segment_id, ids_[1]);
  EXPECT_TRUE(p2.next_page_token.empty());
  // A token of another query is refused.
  EXPECT_THAT(
      core_->ListSegments(kSvc, sid_, "fr", {}, 1, p.next_page_token).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  ListSegmentsQuery text;
  text.text_query = "CEASEFIRE";
  ASSERT_OK_AND_ASSIGN(p, core_->ListSegments(kSvc, sid_, "fr", text, 0, ""));
  ASSERT_EQ(p.translations.size(), 1u);
  EXPECT_EQ(p.translations[0].segment_id, ids_[2]);
  text.text_query = "adopté";
  ASSERT_OK_AND_ASSIGN(p, core_->ListSegments(kSvc, sid_, "fr", text, 0, ""));
  ASSERT_EQ(p.translations.size(), 1u);
  EXPECT_EQ(p.translations[0].segment_id, ids_[1]);
  // Nobody holds an assignment or a lease yet.
  ListSegmentsQuery assigned;
  assigned.assignee = "anna";
  ASSERT_OK_AND_ASSIGN(p,
                       core_->ListSegments(kSvc, sid_, "fr", assigned, 0, ""));
  EXPECT_THAT(p.translations, IsEmpty());
  EXPECT_THAT(core_->ListSegments(kSvc, sid_, "fr", {}, -1, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Carry-over on revision, the three cases of the statements issue.

TEST_F(TranslationCoreTest, RevisionInsertingAParagraphKeepsEverything) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK(core_->Approve(kBert, Ref(0), 2, ""));
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  ASSERT_OK(Revise(std::string("A new opening paragraph.\n\n") + kSource));
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kAnna, Ref(0)));
  EXPECT_EQ(t.state, SegmentState::kApproved);
  EXPECT_EQ(t.version, 3u);
  ASSERT_OK_AND_ASSIGN(t, core_->GetSegment(kAnna, Ref(1)));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  ExpectCountersMatchRecount();
  ASSERT_OK_AND_ASSIGN(Progress p, core_->GetProgress(sid_, "fr"));
  EXPECT_EQ(p.untranslated.segments, 3);
}

TEST_F(TranslationCoreTest, RevisionEditingOneSentence) {
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  ASSERT_OK(core_->Approve(kBert, Ref(1), 2, ""));
  std::string edited = kSource;
  edited.replace(edited.find("adopted a resolution"), 20,
                 "adopted a short resolution");
  ASSERT_OK(Revise(edited));
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                      Admin(), sid_, 0, 100, "", true));
  const std::string successor = page.segments[1].info.segment_id;
  ASSERT_NE(successor, ids_[1]);
  ASSERT_OK_AND_ASSIGN(Translation t,
                       core_->GetSegment(kAnna, {sid_, "fr", successor}));
  EXPECT_EQ(t.state, SegmentState::kNeedsUpdate);
  EXPECT_EQ(t.content.text, "Il a adopté une résolution.");
  EXPECT_EQ(t.origin, Origin::kCarriedOver);
  EXPECT_EQ(t.version, 4u);  // continues the predecessor's numbers
  ASSERT_TRUE(t.previous_source.has_value());
  EXPECT_EQ(t.previous_source->text, "It adopted a resolution.");
  auto h = History({sid_, "fr", successor});
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].segment_id, ids_[1]);
  EXPECT_EQ(h[2].source.text, "It adopted a resolution.");
  EXPECT_EQ(h[3].action, HistoryAction::kSourceChanged);
  EXPECT_EQ(h[3].source.text, "It adopted a short resolution.");
  EXPECT_EQ(h[3].segment_id, successor);
  // The old segment is gone from the current revision, its history stays.
  EXPECT_THAT(core_->GetSegment(kAnna, Ref(1)).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(History(Ref(1)).size(), 3u);
  ExpectCountersMatchRecount();
  // needs_update → translated.
  ASSERT_OK_AND_ASSIGN(t, core_->Submit(kAnna, {sid_, "fr", successor}, 4,
                                        Readable("Il a adopté une courte "
                                                 "résolution."),
                                        false));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  ExpectCountersMatchRecount();
  // Replaying the feed changes nothing.
  auto before = Snap();
  auto fresh =
      std::make_unique<TranslationCore>(store_.get(), reader_.get(), &clock_);
  ASSERT_OK(fresh->CatchUp());
  auto after = Snap();
  // Only the persisted cursor may differ.
  EXPECT_EQ(after.first.size(), before.first.size());
}

TEST_F(TranslationCoreTest, RevisionReorderingParagraphsAndRemoving) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK(SubmitText(kAnna, 2, 1, "Nous exigeons {1}un{/1} cessez-le-feu."));
  ASSERT_OK(core_->Reject(kBert, Ref(2), 2, "style"));
  ASSERT_OK(SubmitText(kAnna, 3, 1, "Lisez la suite {1/} aujourd'hui."));
  // Swap the first two paragraphs.
  ASSERT_OK(
      Revise("We demand *an immediate* ceasefire.\n\n"
             "The council met today. It adopted a resolution.\n\n"
             "Read more at https://example.org/statement today.\n"));
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Translation t, core_->GetSegment(kAnna, Ref(2)));
  EXPECT_EQ(t.state, SegmentState::kRejected);
  EXPECT_EQ(t.source.ordinal, 1);
  ASSERT_OK_AND_ASSIGN(t, core_->GetSegment(kAnna, Ref(0)));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  ExpectCountersMatchRecount();
  // Now remove the last paragraph: its translation stays in history.
  ASSERT_OK(
      Revise("We demand *an immediate* ceasefire.\n\n"
             "The council met today. It adopted a resolution.\n"));
  ASSERT_OK(core_->CatchUp());
  EXPECT_THAT(core_->GetSegment(kAnna, Ref(3)).status(),
              StatusIs(absl::StatusCode::kNotFound));
  auto h = History(Ref(3));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].action, HistoryAction::kSourceRemoved);
  EXPECT_EQ(h[2].content.text, "Lisez la suite  aujourd'hui.");
  ExpectCountersMatchRecount();
  ASSERT_OK_AND_ASSIGN(Progress p, core_->GetProgress(sid_, "fr"));
  EXPECT_EQ(p.translated.segments, 1);
  EXPECT_EQ(p.rejected.segments, 1);
}

TEST_F(TranslationCoreTest, CountersMatchARecountAfterRandomWork) {
  std::mt19937 rng(42);
  const Principal translators[] = {kAnna, kDora};
  const Principal reviewers[] = {kBert, kCleo, kDora};
  for (int step = 0; step < 300; ++step) {
    const int i = static_cast<int>(rng() % ids_.size());
    auto cur = core_->GetSegment(kDora, Ref(i));
    ASSERT_OK(cur);
    const uint64_t v = cur->version;
    switch (rng() % 5) {
      case 0:
        (void)core_->Submit(translators[rng() % 2], Ref(i), v,
                            Readable(i == 2   ? "Nous {1}exigeons{/1}."
                                     : i == 3 ? "Lisez {1/}."
                                              : "Bonjour."),
                            false);
        break;
      case 1:
        (void)core_->Approve(reviewers[rng() % 3], Ref(i), v, "");
        break;
      case 2:
        (void)core_->Reject(reviewers[rng() % 3], Ref(i), v, "non");
        break;
      case 3:
        (void)core_->Reopen(kDora, Ref(i), v, "");
        break;
      case 4:
        (void)core_->SaveDraft(kAnna, Ref(i), v, Readable("brouillon"));
        break;
    }
    if (step == 150) {
      std::string edited = kSource;
      edited.replace(edited.find("met today"), 9, "met yesterday");
      ASSERT_OK(Revise(edited));
      ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                          Admin(), sid_, 0, 100, "", true));
      ids_.clear();
      for (const auto& seg : page.segments) ids_.push_back(seg.info.segment_id);
    }
  }
  ExpectCountersMatchRecount();
  ExpectCountersMatchRecount("de");
}

// The client gave up: the deadline passed or the call was cancelled
// before the commit, so nothing is written.
class Cancelled final : public CancellationSource {
 public:
  bool IsCancelled() const override { return true; }
};

TEST_F(TranslationCoreTest, ChangesCheckTheDeadlineJustBeforeCommitting) {
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  const auto before = Snap();
  const CallContext late(kAnna, clock_.Now() - absl::Seconds(1), &clock_);
  EXPECT_THAT(core_->SaveDraft(late, Ref(0), 1, Readable("x")).status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(
      core_->Submit(late, Ref(0), 1, Readable("Le conseil."), false).status(),
      StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(core_->AddComment(late, Ref(0), "Question?", "r1").status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  // A dry run commits nothing, so it needs no time left.
  EXPECT_OK(
      core_->Submit(late, Ref(0), 1, Readable("Le conseil."), true).status());
  const Cancelled cancelled;
  const CallContext gone(kBert, absl::InfiniteFuture(), &clock_, &cancelled);
  EXPECT_THAT(core_->Approve(gone, Ref(1), 2, "").status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(core_->Reject(gone, Ref(1), 2, "style").status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(Snap(), before);
  // Refusals that come first keep their own codes.
  EXPECT_THAT(core_->Reopen(gone, Ref(1), 2, "").status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // With time left the same change commits.
  const CallContext in_time(kAnna, clock_.Now() + absl::Seconds(5), &clock_);
  ASSERT_OK_AND_ASSIGN(
      Translation t,
      core_->Submit(in_time, Ref(0), 1, Readable("Le conseil."), false));
  EXPECT_EQ(t.version, 2u);
}

TEST_F(TranslationCoreTest, HistoryAndCommentTokensBelongToTheirTranslation) {
  ASSERT_OK(SubmitText(kAnna, 0, 1, "Le conseil s'est réuni."));
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  ASSERT_OK_AND_ASSIGN(HistoryPage h, core_->GetHistory(kSvc, Ref(0), 1, ""));
  ASSERT_EQ(h.entries.size(), 1u);
  ASSERT_FALSE(h.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(HistoryPage rest,
                       core_->GetHistory(kSvc, Ref(0), 1, h.next_page_token));
  ASSERT_EQ(rest.entries.size(), 1u);
  EXPECT_EQ(rest.entries[0].version, 2u);
  EXPECT_THAT(core_->GetHistory(kSvc, Ref(1), 1, h.next_page_token).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->GetHistory(kSvc, Ref(0), 1, "not a token").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));

  ASSERT_OK(core_->AddComment(kAnna, Ref(0), "One", ""));
  ASSERT_OK(core_->AddComment(kAnna, Ref(0), "Two", ""));
  ASSERT_OK_AND_ASSIGN(CommentPage c, core_->ListComments(kSvc, Ref(0), 1, ""));
  ASSERT_FALSE(c.next_page_token.empty());
  EXPECT_THAT(core_->ListComments(kSvc, Ref(1), 1, c.next_page_token).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Nor is a history token a comment token.
  EXPECT_THAT(core_->ListComments(kSvc, Ref(0), 1, h.next_page_token).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TranslationCoreTest, AReadRightAfterARevisionSeesTheCarryOver) {
  ASSERT_OK(SubmitText(kAnna, 1, 1, "Il a adopté une résolution."));
  std::string edited = kSource;
  edited.replace(edited.find("adopted a resolution"), 20,
                 "adopted a short resolution");
  ASSERT_OK(Revise(edited));
  // No CatchUp(): the read applies the revision itself.
  ListSegmentsQuery q;
  q.states = {SegmentState::kNeedsUpdate};
  ASSERT_OK_AND_ASSIGN(TranslationPage p,
                       core_->ListSegments(kSvc, sid_, "fr", q, 0, ""));
  ASSERT_EQ(p.translations.size(), 1u);
  EXPECT_EQ(p.translations[0].content.text, "Il a adopté une résolution.");
  ExpectCountersMatchRecount();
}

// The Store as a FeedSource, counting what the carry-over reads through it.
class CountingFeed final : public storage::FeedSource {
 public:
  explicit CountingFeed(const storage::FeedSource* feed) : feed_(feed) {}
  absl::StatusOr<std::vector<storage::FeedEvent>> ReadFeed(
      uint64_t after, size_t max) const override {
    ++reads_;
    return feed_->ReadFeed(after, max);
  }
  bool WaitForFeed(uint64_t after, absl::Time deadline) const override {
    return feed_->WaitForFeed(after, deadline);
  }
  uint64_t LastVisibleFeedSeq() const override {
    return feed_->LastVisibleFeedSeq();
  }
  int reads() const { return reads_; }

 private:
  const storage::FeedSource* feed_;
  mutable std::atomic<int> reads_{0};
};

TEST_F(TranslationCoreTest, CarryOverReadsTheFeedItIsGiven) {
  CountingFeed feed(store_.get());
  TranslationCore fed(store_.get(), reader_.get(), &clock_, &feed);
  ASSERT_OK(fed.Submit(kAnna, Ref(1), 1,
                       Readable("Il a adopté une résolution."), false));
  std::string edited = kSource;
  edited.replace(edited.find("adopted a resolution"), 20,
                 "adopted a short resolution");
  ASSERT_OK(Revise(edited));
  ASSERT_OK(fed.CatchUp());
  EXPECT_GT(feed.reads(), 0);
  ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                      Admin(), sid_, 0, 100, "", true));
  ASSERT_OK_AND_ASSIGN(
      Translation t,
      fed.GetSegment(kAnna, {sid_, "fr", page.segments[1].info.segment_id}));
  EXPECT_EQ(t.state, SegmentState::kNeedsUpdate);
}

}  // namespace
}  // namespace tessera::translation

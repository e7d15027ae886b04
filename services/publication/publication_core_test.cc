#include "services/publication/publication_core.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "formats/export.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/error_testing.h"
#include "services/publication/publication_keys.h"
#include "services/publication/publication_records.pb.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_publication.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_reader_for_publication.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace tessera::publication {
namespace {

using ::tessera::statement::CreateParams;
using ::tessera::statement::StatementCore;
using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::tessera::translation::Origin;
using ::tessera::translation::SegmentState;
using ::tessera::translation::TranslationCore;
using ::tessera::translation::TranslationRef;
using ::testing::HasSubstr;
using ::testing::Not;

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
Principal User(std::string id, Role role, std::vector<std::string> langs) {
  return Principal{std::move(id), "", {{role, std::move(langs)}}};
}
// Two coordinators: one submits, the other approves (four eyes).
const Principal kDora = User("dora", Role::kCoordinator, {"fr", "de"});
const Principal kEric = User("eric", Role::kCoordinator, {"fr", "de"});
const Principal kGerd = User("gerd", Role::kCoordinator, {"de"});
const Principal kAnna = User("anna", Role::kTranslator, {"fr"});
const Principal kSvc = User("svc", Role::kService, {});

using ::tessera::testing::ErrorInfoOf;
using ::tessera::testing::PreconditionFailureOf;

// Three paragraphs with codes, a number-only paragraph (not translatable)
// and a list.
const char kSource[] =
    "# The statement\n\n"
    "The council met today. It adopted a *resolution*.\n\n"
    "2024\n\n"
    "- We demand [a ceasefire](https://example.org/a) now.\n"
    "- We call for peace.\n";

class PublicationCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    statements_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                                  RandomSource::Secure());
    statements_for_translation_ =
        std::make_unique<statement::StatementReaderForTranslation>(
            statements_.get());
    translations_ = std::make_unique<TranslationCore>(
        store_.get(), statements_for_translation_.get(), &clock_);
    statement_reader_ =
        std::make_unique<statement::StatementReaderForPublication>(
            statements_.get());
    translation_reader_ =
        std::make_unique<translation::TranslationReaderForPublication>(
            translations_.get());
    core_ = NewCore();
    CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kMarkdown;
    p.source = kSource;
    p.source_language = "en";
    p.target_languages = {"fr", "de"};
    p.labels = {{"kind", "resolution"}};
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(Admin(), p));
    sid_ = s.statement_id;
    ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                        Admin(), sid_, 0, 100, "", false));
    for (const auto& seg : page.segments) {
      if (seg.segment.translatable) {
        ids_.push_back(seg.info.segment_id);
        sources_.push_back(seg.segment.content);
      } else {
        verbatim_.push_back(seg.info.segment_id);
      }
    }
  }

  std::unique_ptr<PublicationCore> NewCore() {
    return std::make_unique<PublicationCore>(
        store_.get(), store_.get(), statement_reader_.get(),
        translation_reader_.get(), &clock_);
  }

  TranslationRef Ref(size_t i, const std::string& lang) {
    return TranslationRef{sid_, lang, ids_[i]};
  }

  // Submits `content` as dora and approves it as eric; returns the version.
  uint64_t SubmitAndApprove(size_t i, const std::string& lang,
                            const formats::Content& content) {
    auto current = translations_->GetSegment(kDora, Ref(i, lang));
    EXPECT_OK(current);
    if (!current.ok()) return 0;
    auto t = translations_->Submit(kDora, Ref(i, lang), current->version,
                                   content, false);
    EXPECT_OK(t);
    if (!t.ok()) return 0;
    t = translations_->Approve(kEric, Ref(i, lang), t->version, "");
    EXPECT_OK(t);
    return t.ok() ? t->version : 0;
  }

  // Identity translations of segments [0, n).
  void ApproveIdentity(const std::string& lang, size_t n) {
    for (size_t i = 0; i < n; ++i) SubmitAndApprove(i, lang, sources_[i]);
  }

  absl::StatusOr<Document> Latest(const std::string& lang,
                                  OutputFormat f = OutputFormat::kSource) {
    return core_->GetPublication(kSvc, sid_, lang, std::nullopt, f, true);
  }

  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> statements_;
  std::unique_ptr<statement::StatementReaderForTranslation>
      statements_for_translation_;
  std::unique_ptr<TranslationCore> translations_;
  std::unique_ptr<statement::StatementReaderForPublication> statement_reader_;
  std::unique_ptr<translation::TranslationReaderForPublication>
      translation_reader_;
  std::unique_ptr<PublicationCore> core_;
  std::string sid_;
  std::vector<std::string> ids_;
  std::vector<formats::Content> sources_;
  std::vector<std::string> verbatim_;
};

TEST_F(PublicationCoreTest, LastApprovalPublishesIdentityByteForByte) {
  ASSERT_EQ(ids_.size(), 5u);
  ASSERT_EQ(verbatim_.size(), 1u);
  clock_.Advance(absl::Hours(5));
  ApproveIdentity("fr", ids_.size() - 1);
  ASSERT_OK(core_->CatchUp());
  EXPECT_THAT(Latest("fr"), StatusIs(absl::StatusCode::kNotFound));

  SubmitAndApprove(ids_.size() - 1, "fr", sources_.back());
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Document d, Latest("fr"));
  EXPECT_EQ(d.content, kSource);
  EXPECT_EQ(d.format, OutputFormat::kMarkdown);
  EXPECT_EQ(d.content_type, "text/markdown; charset=utf-8");
  const Publication& p = d.publication;
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.trigger, Trigger::kAutomatic);
  EXPECT_EQ(p.policy, Policy::kRefuse);
  EXPECT_TRUE(p.complete);
  EXPECT_EQ(p.publisher, "");
  EXPECT_EQ(p.revision, 1);
  EXPECT_EQ(p.statement_title, "Statement");
  EXPECT_EQ(p.statement_labels.at("kind"), "resolution");
  EXPECT_EQ(p.size_bytes, static_cast<int64_t>(sizeof(kSource) - 1));
  EXPECT_EQ(p.content_sha256, HexEncode(Sha256(kSource)));
  EXPECT_EQ(p.stats.segment_count, 6);
  EXPECT_EQ(p.stats.translatable_segment_count, 5);
  EXPECT_EQ(p.stats.approved_segment_count, 5);
  EXPECT_GT(p.stats.word_count, 15);
  EXPECT_EQ(p.stats.approved_word_count, p.stats.word_count);
  EXPECT_EQ(p.stats.import_time, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(p.create_time - p.stats.import_time, absl::Hours(5));
  ASSERT_EQ(p.manifest.size(), 6u);
  int64_t words = 0;
  for (size_t i = 0; i < p.manifest.size(); ++i) {
    const ManifestEntry& e = p.manifest[i];
    EXPECT_EQ(e.ordinal, static_cast<int>(i) + 1);
    words += e.word_count;
    if (e.segment_id == verbatim_[0]) {
      EXPECT_EQ(e.fill, Fill::kSourceCopy);
      EXPECT_EQ(e.state, SegmentState::kUnspecified);
      EXPECT_EQ(e.translation_version, 0);
      EXPECT_EQ(e.word_count, 0);
    } else {
      EXPECT_EQ(e.fill, Fill::kTranslation);
      EXPECT_EQ(e.state, SegmentState::kApproved);
      EXPECT_EQ(e.translator, "dora");
      EXPECT_EQ(e.reviewers, std::vector<std::string>{"eric"});
      EXPECT_EQ(e.translation_version, 3);
      EXPECT_EQ(e.origin, Origin::kHuman);
    }
  }
  EXPECT_EQ(words, p.stats.word_count);

  // German is untouched; HTML and plain text are rendered on read.
  EXPECT_THAT(Latest("de"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(Document html, Latest("fr", OutputFormat::kHtml));
  EXPECT_EQ(html.content, formats::MarkdownToHtml(kSource));
  EXPECT_THAT(html.content, HasSubstr("<em>resolution</em>"));
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  ASSERT_OK_AND_ASSIGN(Document text, Latest("fr", OutputFormat::kPlainText));
  EXPECT_THAT(text.content, HasSubstr("It adopted a resolution."));
  EXPECT_THAT(text.content, Not(HasSubstr("*")));
  // The basic view leaves the manifest out.
  ASSERT_OK_AND_ASSIGN(Document basic,
                       core_->GetPublication(kAnna, sid_, "fr", 1,
                                             OutputFormat::kSource, false));
  EXPECT_TRUE(basic.publication.manifest.empty());
  EXPECT_EQ(basic.publication.stats.segment_count, 6);
}

TEST_F(PublicationCoreTest, RevisionDocumentsAreCachedPerRevision) {
  ApproveIdentity("fr", ids_.size());
  ASSERT_OK_AND_ASSIGN(Assembly first,
                       core_->Assemble(sid_, "fr", Policy::kRefuse));
  ASSERT_OK_AND_ASSIGN(Assembly again,
                       core_->Assemble(sid_, "fr", Policy::kRefuse));
  EXPECT_EQ(first.content, kSource);
  EXPECT_EQ(again.content, kSource);
  EXPECT_EQ(again.fingerprint, first.fingerprint);
  auto stats = core_->RevisionCacheStatsForTest();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.segments, 6u);

  // A new revision is read from the store, not served from revision 1's
  // entry: its new paragraph falls back to the source.
  const std::string revised =
      StrCat(kSource, "\nA paragraph added in the second revision.\n");
  ASSERT_OK_AND_ASSIGN(auto st, statements_->GetStatement(Admin(), sid_));
  statement::ReviseParams rp;
  rp.statement_id = sid_;
  rp.version = st.version;
  rp.source = revised;
  ASSERT_OK(statements_->ReviseStatement(Admin(), rp).status());
  ASSERT_OK_AND_ASSIGN(Assembly refused,
                       core_->Assemble(sid_, "fr", Policy::kRefuse));
  EXPECT_EQ(refused.missing.size(), 1u);
  ASSERT_OK_AND_ASSIGN(Assembly second,
                       core_->Assemble(sid_, "fr", Policy::kSourceFallback));
  EXPECT_EQ(second.content, revised);
  EXPECT_EQ(second.publication.revision, 2);
  EXPECT_EQ(second.publication.stats.segment_count, 7);
  EXPECT_EQ(second.missing.size(), 1u);
  EXPECT_NE(second.fingerprint, first.fingerprint);
  stats = core_->RevisionCacheStatsForTest();
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_EQ(stats.segments, 13u);

  // The budget counts segments: a document larger than it is decoded every
  // time, and the least recently used entry makes room for a new one.
  core_->ResetRevisionCacheForTest(6);
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(Assembly a,
                         core_->Assemble(sid_, "fr", Policy::kSourceFallback));
    EXPECT_EQ(a.content, revised);
  }
  stats = core_->RevisionCacheStatsForTest();
  EXPECT_EQ(stats.misses, 4u);
  EXPECT_EQ(stats.entries, 0u);
  EXPECT_EQ(stats.segments, 0u);
  core_->ResetRevisionCacheForTest(7);
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(Assembly a,
                         core_->Assemble(sid_, "fr", Policy::kSourceFallback));
    EXPECT_EQ(a.content, revised);
  }
  stats = core_->RevisionCacheStatsForTest();
  EXPECT_EQ(stats.misses, 5u);
  EXPECT_EQ(stats.hits, 3u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.segments, 7u);
}

TEST_F(PublicationCoreTest, ReopenAndApproveAgainMakesVersionTwo) {
  ApproveIdentity("fr", ids_.size());
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Document v1, Latest("fr"));
  EXPECT_EQ(v1.publication.version, 1);

  // Replays publish nothing twice: the same core, and a fresh one whose
  // cursor was lost as in a crash before it was saved.
  ASSERT_OK(core_->CatchUp());
  {
    storage::WriteSet w;
    w.Delete(storage::ColumnFamily::kPublications,
             storage::KeyBuilder(0x05).U64(0).Build());
    ASSERT_OK(store_->Commit(std::move(w)).status());
  }
  core_ = NewCore();
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Document still, Latest("fr"));
  EXPECT_EQ(still.publication.version, 1);

  ASSERT_OK_AND_ASSIGN(auto t, translations_->GetSegment(kDora, Ref(1, "fr")));
  ASSERT_OK_AND_ASSIGN(
      t, translations_->Reopen(kDora, Ref(1, "fr"), t.version, "typo"));
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(still, Latest("fr"));
  EXPECT_EQ(still.publication.version, 1);
  // Segment 1 was reopened: submitted again by eric, approved by dora.
  ASSERT_OK_AND_ASSIGN(auto r1, translations_->GetSegment(kDora, Ref(1, "fr")));
  ASSERT_OK_AND_ASSIGN(
      r1, translations_->Submit(kEric, Ref(1, "fr"), r1.version, sources_[1],
                                false));
  ASSERT_OK_AND_ASSIGN(
      r1, translations_->Approve(kDora, Ref(1, "fr"), r1.version, ""));
  ASSERT_OK(core_->CatchUp());
  ASSERT_OK_AND_ASSIGN(Document v2, Latest("fr"));
  EXPECT_EQ(v2.publication.version, 2);
  EXPECT_EQ(v2.content, kSource);
  for (const ManifestEntry& e : v2.publication.manifest) {
    if (e.segment_id != ids_[1]) continue;
    EXPECT_EQ(e.translator, "eric");
    EXPECT_EQ(e.reviewers, std::vector<std::string>{"dora"});
    EXPECT_EQ(e.translation_version, static_cast<int64_t>(r1.version));
  }
  // Version 1 stays readable as it was.
  ASSERT_OK_AND_ASSIGN(
      Document old,
      core_->GetPublication(kSvc, sid_, "fr", 1, OutputFormat::kSource, true));
  EXPECT_EQ(old.publication.version, 1);
  EXPECT_EQ(old.publication.manifest[1].translator, "dora");
  EXPECT_THAT(
      core_->GetPublication(kSvc, sid_, "fr", 3, OutputFormat::kSource, false),
      StatusIs(absl::StatusCode::kNotFound));
  // An on-demand publish of the same state makes nothing new.
  ASSERT_OK_AND_ASSIGN(Publication again,
                       core_->Publish(kDora, sid_, "fr", Policy::kRefuse));
  EXPECT_EQ(again.version, 2);
  EXPECT_EQ(again.trigger, Trigger::kAutomatic);
}

TEST_F(PublicationCoreTest, PoliciesForIncompleteWork) {
  // Two of five approved, with real text for the first.
  formats::Content heading = sources_[0];
  heading.text = "La déclaration";
  SubmitAndApprove(0, "fr", heading);
  SubmitAndApprove(1, "fr", sources_[1]);
  // One more translated but not approved.
  ASSERT_OK(translations_->Submit(kDora, Ref(2, "fr"), 1, sources_[2], false)
                .status());

  absl::Status refused =
      core_->Publish(kDora, sid_, "fr", Policy::kUnspecified).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  auto info = ErrorInfoOf(refused);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "SEGMENTS_NOT_APPROVED");
  EXPECT_EQ(info->metadata().at("missing_count"), "3");
  auto pf = PreconditionFailureOf(refused);
  ASSERT_TRUE(pf.has_value());
  ASSERT_EQ(pf->violations_size(), 3);
  EXPECT_EQ(pf->violations(0).subject(),
            StrCat("statements/", sid_, "/languages/fr/segments/", ids_[2]));
  EXPECT_EQ(pf->violations(0).description(), "SEGMENT_STATE_TRANSLATED");
  EXPECT_EQ(pf->violations(1).description(), "SEGMENT_STATE_UNTRANSLATED");
  EXPECT_THAT(Latest("fr"), StatusIs(absl::StatusCode::kNotFound));

  ASSERT_OK_AND_ASSIGN(Publication fb, core_->Publish(kDora, sid_, "fr",
                                                      Policy::kSourceFallback));
  EXPECT_EQ(fb.version, 1);
  EXPECT_EQ(fb.trigger, Trigger::kOnDemand);
  EXPECT_EQ(fb.policy, Policy::kSourceFallback);
  EXPECT_EQ(fb.publisher, "dora");
  EXPECT_FALSE(fb.complete);
  EXPECT_EQ(fb.stats.approved_segment_count, 2);
  EXPECT_EQ(fb.stats.fallback_segment_count, 3);
  EXPECT_EQ(fb.stats.gap_segment_count, 0);
  EXPECT_LT(fb.stats.approved_word_count, fb.stats.word_count);
  ASSERT_OK_AND_ASSIGN(Document fbd, Latest("fr"));
  std::string expected = kSource;
  expected.replace(2, 13, "La déclaration");
  EXPECT_EQ(fbd.content, expected);
  int fallback = 0;
  for (const ManifestEntry& e : fbd.publication.manifest) {
    if (e.fill == Fill::kSourceFallback) {
      ++fallback;
      EXPECT_EQ(e.origin, Origin::kUnspecified);
      EXPECT_TRUE(e.reviewers.empty());
    }
  }
  EXPECT_EQ(fallback, 3);
  // The same request again changes nothing.
  ASSERT_OK_AND_ASSIGN(
      Publication fb2,
      core_->Publish(kDora, sid_, "fr", Policy::kSourceFallback));
  EXPECT_EQ(fb2.version, 1);

  ASSERT_OK_AND_ASSIGN(Publication gaps,
                       core_->Publish(kEric, sid_, "fr", Policy::kMarkGaps));
  EXPECT_EQ(gaps.version, 2);
  EXPECT_EQ(gaps.stats.gap_segment_count, 3);
  ASSERT_OK_AND_ASSIGN(Document gd, Latest("fr"));
  ASSERT_OK_AND_ASSIGN(Document gh, Latest("fr", OutputFormat::kHtml));
  ASSERT_OK_AND_ASSIGN(Document gt, Latest("fr", OutputFormat::kPlainText));
  for (const Document* d : {&gh, &gt}) {
    size_t count = 0;
    for (size_t at = d->content.find("[MISSING TRANSLATION]");
         at != std::string::npos;
         at = d->content.find("[MISSING TRANSLATION]", at + 1)) {
      ++count;
    }
    EXPECT_EQ(count, 3u) << d->content;
  }
  EXPECT_THAT(gt.content, HasSubstr("We call for peace."));
  EXPECT_THAT(gd.content, HasSubstr("La déclaration"));
}

TEST_F(PublicationCoreTest, PublishChecksRolesLanguagesAndState) {
  EXPECT_THAT(core_->Publish(kAnna, sid_, "fr", Policy::kSourceFallback),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(core_->Publish(kGerd, sid_, "fr", Policy::kSourceFallback),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(core_->Publish(kGerd, sid_, "de", Policy::kSourceFallback));
  EXPECT_THAT(core_->Publish(kDora, sid_, "it", Policy::kSourceFallback),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->Publish(kDora, sid_, "not a tag!", Policy::kRefuse),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->Publish(kDora, sid_, "fr", static_cast<Policy>(9)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->Publish(kDora, "missing", "fr", Policy::kRefuse),
              StatusIs(absl::StatusCode::kNotFound));
  // Readers need a grant in the language.
  EXPECT_THAT(core_->GetPublication(kGerd, sid_, "fr", std::nullopt,
                                    OutputFormat::kSource, false),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(auto s, statements_->LoadStatement(sid_));
  ASSERT_OK(statements_->ArchiveStatement(Admin(), sid_, s.version).status());
  EXPECT_THAT(core_->Publish(kDora, sid_, "fr", Policy::kSourceFallback),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(PublicationCoreTest, PublishPastItsDeadlineWritesNothing) {
  const uint64_t before = store_->LastVisibleFeedSeq();
  const CallContext late(kDora, clock_.Now() - absl::Seconds(1), &clock_);
  EXPECT_THAT(core_->Publish(late, sid_, "fr", Policy::kSourceFallback),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(store_->LastVisibleFeedSeq(), before);
  EXPECT_THAT(Latest("fr"), StatusIs(absl::StatusCode::kNotFound));
  const CallContext in_time(kDora, clock_.Now() + absl::Seconds(1), &clock_);
  ASSERT_OK_AND_ASSIGN(Publication p, core_->Publish(in_time, sid_, "fr",
                                                     Policy::kSourceFallback));
  EXPECT_EQ(p.version, 1);
}

TEST_F(PublicationCoreTest, ListFiltersAndPages) {
  ASSERT_OK(
      core_->Publish(kDora, sid_, "fr", Policy::kSourceFallback).status());
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK(
      core_->Publish(kDora, sid_, "de", Policy::kSourceFallback).status());
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK(core_->Publish(kDora, sid_, "fr", Policy::kMarkGaps).status());

  ListQuery all;
  ASSERT_OK_AND_ASSIGN(PublicationPage page,
                       core_->ListPublications(kSvc, all, 2, ""));
  ASSERT_EQ(page.publications.size(), 2u);
  EXPECT_EQ(page.publications[0].language, "fr");
  EXPECT_EQ(page.publications[0].version, 2);
  EXPECT_EQ(page.publications[1].language, "de");
  ASSERT_FALSE(page.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(
      PublicationPage next,
      core_->ListPublications(kSvc, all, 2, page.next_page_token));
  ASSERT_EQ(next.publications.size(), 1u);
  EXPECT_EQ(next.publications[0].version, 1);
  EXPECT_TRUE(next.next_page_token.empty());
  ListQuery other = all;
  other.latest_only = true;
  EXPECT_THAT(core_->ListPublications(kSvc, other, 2, page.next_page_token),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->ListPublications(kSvc, all, -1, ""),
              StatusIs(absl::StatusCode::kInvalidArgument));

  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kSvc, other, 0, ""));
  EXPECT_EQ(page.publications.size(), 2u);
  ListQuery fr;
  fr.languages = {"FR"};
  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kSvc, fr, 0, ""));
  EXPECT_EQ(page.publications.size(), 2u);
  ListQuery timed;
  timed.start_time = absl::FromUnixSeconds(1700000000) + absl::Seconds(30);
  timed.end_time = absl::FromUnixSeconds(1700000000) + absl::Seconds(90);
  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kSvc, timed, 0, ""));
  ASSERT_EQ(page.publications.size(), 1u);
  EXPECT_EQ(page.publications[0].language, "de");
  ListQuery labelled;
  labelled.label_selectors = {{"kind", std::string("resolution")}};
  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kSvc, labelled, 0, ""));
  EXPECT_EQ(page.publications.size(), 3u);
  labelled.label_selectors = {{"kind", std::string("report")}};
  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kSvc, labelled, 0, ""));
  EXPECT_TRUE(page.publications.empty());
  // A coordinator of German sees German only.
  ASSERT_OK_AND_ASSIGN(page, core_->ListPublications(kGerd, all, 0, ""));
  ASSERT_EQ(page.publications.size(), 1u);
  EXPECT_EQ(page.publications[0].language, "de");
}

// Stored bytes as storage/FORMAT.md pins them: envelopes for the record
// and the head, [0x01] then the bytes for the document and the listing.
TEST_F(PublicationCoreTest, PublishingStoresTheDocumentedValues) {
  ASSERT_OK_AND_ASSIGN(Publication p, core_->Publish(kDora, sid_, "fr",
                                                     Policy::kSourceFallback));
  ASSERT_OK_AND_ASSIGN(auto loaded,
                       statements_->LoadStatementWithInternalId(sid_));
  const uint64_t iid = loaded.second;
  const auto cf = storage::ColumnFamily::kPublications;
  const auto value = [&](const std::string& key) {
    auto v = store_->Get(cf, key);
    EXPECT_OK(v);
    return v.ok() && v->has_value() ? **v : std::string();
  };
  std::string v1;
  storage::PutFixed64BE(&v1, 1);
  const std::string record = value(PublicationKey(iid, "fr", 1));
  ASSERT_GT(record.size(), 9u);
  EXPECT_EQ(record.substr(0, 9), "\x01" + v1);
  storage::publication::PublicationRecord r;
  ASSERT_TRUE(r.ParseFromString(record.substr(9)));
  EXPECT_EQ(r.statement_id(), sid_);
  EXPECT_EQ(r.version(), 1);
  const std::string head = value(HeadKey(iid, "fr"));
  ASSERT_GT(head.size(), 9u);
  EXPECT_EQ(head.substr(0, 9), "\x01" + v1);
  storage::publication::HeadRecord h;
  ASSERT_TRUE(h.ParseFromString(head.substr(9)));
  EXPECT_EQ(h.fingerprint(), r.fingerprint());
  EXPECT_EQ(value(DocumentKey(iid, "fr", 1)), "\x01" + std::string(kSource));
  std::string listing = "\x01";
  storage::PutFixed64BE(&listing, iid);
  EXPECT_EQ(value(ListingKey(p.create_time, sid_, "fr", 1)), listing);
}

TEST_F(PublicationCoreTest, WatchReadsPublicationsAfterACursor) {
  const uint64_t start = store_->LastVisibleFeedSeq();
  ASSERT_OK(
      core_->Publish(kDora, sid_, "fr", Policy::kSourceFallback).status());
  ASSERT_OK(
      core_->Publish(kDora, sid_, "de", Policy::kSourceFallback).status());
  WatchFilter filter;
  ASSERT_OK(core_->CheckWatch(kSvc, &filter));
  ASSERT_OK_AND_ASSIGN(WatchBatch b, core_->ReadWatch(kSvc, filter, 0, 1000));
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_TRUE(b.at_end);
  EXPECT_EQ(b.scanned_to, store_->LastVisibleFeedSeq());
  EXPECT_GT(b.items[0].seq, start);
  EXPECT_EQ(b.items[0].publication.language, "fr");
  EXPECT_EQ(b.items[1].publication.language, "de");
  ASSERT_OK_AND_ASSIGN(b, core_->ReadWatch(kSvc, filter, b.items[0].seq, 1000));
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_EQ(b.items[0].publication.language, "de");

  filter.languages = {"de"};
  ASSERT_OK(core_->CheckWatch(kSvc, &filter));
  ASSERT_OK_AND_ASSIGN(b, core_->ReadWatch(kSvc, filter, 0, 1000));
  ASSERT_EQ(b.items.size(), 1u);
  filter.languages.clear();
  filter.label_selectors = {{"kind", std::nullopt}};
  ASSERT_OK_AND_ASSIGN(b, core_->ReadWatch(kSvc, filter, 0, 1000));
  EXPECT_EQ(b.items.size(), 2u);
  filter.label_selectors = {{"other", std::nullopt}};
  ASSERT_OK_AND_ASSIGN(b, core_->ReadWatch(kSvc, filter, 0, 1000));
  EXPECT_TRUE(b.items.empty());
  EXPECT_EQ(b.scanned_to, store_->LastVisibleFeedSeq());
  WatchFilter fr;
  fr.languages = {"fr"};
  EXPECT_THAT(core_->CheckWatch(kGerd, &fr),
              StatusIs(absl::StatusCode::kPermissionDenied));

  const std::string cursor =
      PublicationCore::EncodeCursor(store_->LastVisibleFeedSeq());
  EXPECT_EQ(cursor.size(), 17u);
  ASSERT_OK_AND_ASSIGN(uint64_t seq, core_->DecodeCursor(cursor));
  EXPECT_EQ(seq, store_->LastVisibleFeedSeq());
  EXPECT_THAT(core_->DecodeCursor("nonsense"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->DecodeCursor(PublicationCore::EncodeCursor(seq + 5)),
              StatusIs(absl::StatusCode::kOutOfRange));
}

}  // namespace
}  // namespace tessera::publication

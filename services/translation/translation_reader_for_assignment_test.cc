#include "services/translation/translation_reader_for_assignment.h"

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "formats/document.h"
#include "gtest/gtest.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/translation/translation_core.h"
#include "storage/store.h"

namespace tessera::translation {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }

formats::Content Text(const std::string& t) {
  formats::Content c;
  c.text = t;
  return c;
}

// A record of the assignments family the guarded commits write, so a
// test can tell whether a commit landed.
constexpr storage::ColumnFamily kProbeCf = storage::ColumnFamily::kAssignments;
const std::string kProbeKey = "\x7fprobe";

class TranslationReaderForAssignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    statements_ = std::make_unique<statement::StatementCore>(
        store_.get(), &clock_, RandomSource::Secure());
    statements_for_translation_ =
        std::make_unique<statement::StatementReaderForTranslation>(
            statements_.get());
    translations_ = std::make_unique<TranslationCore>(
        store_.get(), statements_for_translation_.get(), &clock_);
    reader_ = std::make_unique<TranslationReaderForAssignment>(
        store_.get(), translations_.get());
    statement::CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kPlainText;
    p.source = "First sentence.\n\nSecond sentence.\n";
    p.source_language = "en";
    p.target_languages = {"fr"};
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(Admin(), p));
    ASSERT_OK_AND_ASSIGN(
        auto loaded, statements_->LoadStatementWithInternalId(s.statement_id));
    iid_ = loaded.second;
    ASSERT_OK_AND_ASSIGN(
        auto page, statements_->ListSourceSegments(Admin(), s.statement_id, 0,
                                                   100, "", true));
    ASSERT_EQ(page.segments.size(), 2u);
    ref_ =
        TranslationRef{s.statement_id, "fr", page.segments[0].info.segment_id};
  }

  absl::Status Submit(const std::string& text) {
    auto t = translations_->LoadTranslation(ref_);
    if (!t.ok()) return t.status();
    return translations_->Submit(Admin(), ref_, t->version, Text(text), false)
        .status();
  }

  // Commits a probe write guarded by GuardUnchanged at `version`.
  absl::Status GuardedCommit(uint64_t version) {
    storage::WriteSet w;
    reader_->GuardUnchanged(iid_, ref_.language, ref_.segment_id, version, &w);
    w.Put(kProbeCf, kProbeKey, std::string("\x01", 1));
    return store_->Commit(std::move(w)).status();
  }

  bool ProbeLanded() {
    auto v = store_->Get(kProbeCf, kProbeKey);
    return v.ok() && v->has_value();
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<statement::StatementCore> statements_;
  std::unique_ptr<statement::StatementReaderForTranslation>
      statements_for_translation_;
  std::unique_ptr<TranslationCore> translations_;
  std::unique_ptr<TranslationReaderForAssignment> reader_;
  uint64_t iid_ = 0;
  TranslationRef ref_;
};

TEST_F(TranslationReaderForAssignmentTest, UntouchedSegmentReadsUntranslated) {
  ASSERT_OK_AND_ASSIGN(
      assignment::SegmentWork work,
      reader_->ReadSegmentState(iid_, ref_.language, ref_.segment_id));
  EXPECT_EQ(work.state, SegmentState::kUntranslated);
  EXPECT_EQ(work.version, 0u);
  EXPECT_EQ(work.author, "");
  EXPECT_TRUE(work.approvers.empty());
}

TEST_F(TranslationReaderForAssignmentTest, SubmittedSegmentReadsItsAuthor) {
  ASSERT_OK(Submit("Première phrase."));
  ASSERT_OK_AND_ASSIGN(
      assignment::SegmentWork work,
      reader_->ReadSegmentState(iid_, ref_.language, ref_.segment_id));
  EXPECT_EQ(work.state, SegmentState::kTranslated);
  EXPECT_EQ(work.author, "root");
  ASSERT_OK_AND_ASSIGN(Translation t, translations_->LoadTranslation(ref_));
  EXPECT_EQ(work.version, t.version);
}

TEST_F(TranslationReaderForAssignmentTest, GuardHoldsWhileNothingChanged) {
  ASSERT_OK(Submit("Première phrase."));
  ASSERT_OK_AND_ASSIGN(
      assignment::SegmentWork work,
      reader_->ReadSegmentState(iid_, ref_.language, ref_.segment_id));
  ASSERT_OK(GuardedCommit(work.version));
  EXPECT_TRUE(ProbeLanded());
}

TEST_F(TranslationReaderForAssignmentTest,
       GuardFailsAfterAChangeAndWritesNothing) {
  ASSERT_OK_AND_ASSIGN(
      assignment::SegmentWork work,
      reader_->ReadSegmentState(iid_, ref_.language, ref_.segment_id));
  // The first change of an untranslated segment.
  ASSERT_OK(Submit("Première phrase."));
  EXPECT_THAT(GuardedCommit(work.version),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_FALSE(ProbeLanded());
  // And any later one.
  ASSERT_OK_AND_ASSIGN(
      work, reader_->ReadSegmentState(iid_, ref_.language, ref_.segment_id));
  ASSERT_OK(Submit("La première phrase."));
  EXPECT_THAT(GuardedCommit(work.version),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_FALSE(ProbeLanded());
}

TEST_F(TranslationReaderForAssignmentTest, ReadsGoThroughTheCore) {
  ASSERT_OK(Submit("Première phrase."));
  ASSERT_OK_AND_ASSIGN(Progress p,
                       reader_->GetProgress(ref_.statement_id, "fr"));
  EXPECT_EQ(p.translated.segments, 1);
  ASSERT_OK_AND_ASSIGN(TranslationPage page,
                       reader_->ListSegments(ref_.statement_id, "fr", 100, ""));
  EXPECT_EQ(page.translations.size(), 2u);
  ASSERT_OK_AND_ASSIGN(Translation t, reader_->LoadTranslation(ref_));
  EXPECT_EQ(t.state, SegmentState::kTranslated);
  EXPECT_THAT(reader_->GetProgress("no-such-statement", "fr"),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace tessera::translation

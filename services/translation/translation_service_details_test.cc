// The edge details TranslationServiceImpl adds to a failed change: a
// VersionConflict with the translation as it is now, and a QaReport, over
// a real core and store (the handlers themselves run end to end in
// tests/integration/translation_service_test.cc).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/grpc/call.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_service.h"
#include "storage/store.h"

namespace tessera::translation {
namespace {

using ::tessera::testing::TempDir;

const Principal kAdmin{"root", "", {{Role::kAdmin, {}}}};
const Principal kAnna{"anna", "", {{Role::kTranslator, {"fr"}}}};

template <typename Detail>
std::optional<Detail> DetailOf(const absl::Status& status) {
  Detail detail;
  auto payload = status.GetPayload(
      StrCat("type.googleapis.com/", Detail::descriptor()->full_name()));
  if (!payload.has_value() || !detail.ParseFromString(std::string(*payload))) {
    return std::nullopt;
  }
  return detail;
}

class TranslationServiceDetailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, storage::Store::Open(so));
    statements_ = std::make_unique<statement::StatementCore>(
        store_.get(), &clock_, RandomSource::Secure());
    reader_ = std::make_unique<statement::StatementReaderForTranslation>(
        statements_.get());
    core_ =
        std::make_unique<TranslationCore>(store_.get(), reader_.get(), &clock_);
    service_ = std::make_unique<TranslationServiceImpl>(core_.get(), &env_);
    statement::CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kMarkdown;
    p.source =
        "The council met today.\n\nWe demand *an immediate* ceasefire.\n";
    p.source_language = "en";
    p.target_languages = {"fr"};
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(kAdmin, p));
    ASSERT_OK_AND_ASSIGN(
        auto page, statements_->ListSourceSegments(kAdmin, s.statement_id, 0,
                                                   10, "", true));
    ASSERT_EQ(page.segments.size(), 2u);
    for (const auto& seg : page.segments) {
      refs_.push_back({s.statement_id, "fr", seg.info.segment_id});
      names_.push_back(StrCat("statements/", s.statement_id,
                              "/languages/fr/segments/", seg.info.segment_id));
    }
  }

  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  CallEnv env_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<statement::StatementCore> statements_;
  std::unique_ptr<statement::StatementReaderForTranslation> reader_;
  std::unique_ptr<TranslationCore> core_;
  std::unique_ptr<TranslationServiceImpl> service_;
  std::vector<TranslationRef> refs_;
  std::vector<std::string> names_;
};

TEST_F(TranslationServiceDetailsTest, AStaleVersionGetsTheCurrentTranslation) {
  ASSERT_OK(core_->Submit(kAnna, refs_[0], 1,
                          formats::Content{"Le conseil s'est réuni.", {}},
                          false));
  absl::Status stale =
      core_->Submit(kAnna, refs_[0], 1, formats::Content{"Autre.", {}}, false)
          .status();
  ASSERT_TRUE(absl::IsAborted(stale));
  absl::Status out = service_->ChangeDetails(names_[0], 1)(stale);
  EXPECT_EQ(out.code(), absl::StatusCode::kAborted);
  auto conflict = DetailOf<v1::VersionConflict>(out);
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->resource(), names_[0]);
  EXPECT_EQ(conflict->request_version(), 1);
  EXPECT_EQ(conflict->current_version(), 2);
  v1::Translation current;
  ASSERT_TRUE(conflict->current().UnpackTo(&current));
  EXPECT_EQ(current.content().text(), "Le conseil s'est réuni.");
  EXPECT_FALSE(DetailOf<v1::QaReport>(out).has_value());
}

TEST_F(TranslationServiceDetailsTest, QaErrorsGetTheReport) {
  absl::Status refused =
      core_
          ->Submit(kAnna, refs_[1], 1,
                   formats::Content{"Nous exigeons un cessez-le-feu.", {}},
                   false)
          .status();
  ASSERT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  absl::Status out = service_->ChangeDetails(names_[1], 1)(refused);
  auto report = DetailOf<v1::QaReport>(out);
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->issues_size(), 2);
  EXPECT_EQ(report->issues(0).code(), v1::QA_CODE_CODE_MISSING);
  EXPECT_FALSE(DetailOf<v1::VersionConflict>(out).has_value());
}

TEST_F(TranslationServiceDetailsTest, OtherFailuresPassAsTheyAre) {
  absl::Status denied = absl::PermissionDeniedError("no");
  absl::Status out = service_->ChangeDetails(names_[0], 1)(denied);
  EXPECT_EQ(out, denied);
  // A name that does not parse names no translation to report on.
  out = service_->ChangeDetails("statements/x", 1)(absl::AbortedError("lost"));
  EXPECT_EQ(out.code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(DetailOf<v1::VersionConflict>(out).has_value());
}

}  // namespace
}  // namespace tessera::translation

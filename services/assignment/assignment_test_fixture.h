// The fixture of the assignment core's tests: a real Store in a temporary
// directory with the statement, translation and identity cores behind the
// assignment core's adapters, as tesserad wires them, a fake clock, and one
// plain-text statement of ten segments targeting fr. Test-only.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_TEST_FIXTURE_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_TEST_FIXTURE_H_

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
#include "services/assignment/assignment_core.h"
#include "services/common/errors.h"
#include "services/identity/grants_reader_for_assignment.h"
#include "services/identity/identity_core.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_assignment.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_reader_for_assignment.h"
#include "storage/store.h"

namespace tessera::assignment::test {

using ::tessera::statement::CreateParams;
using ::tessera::statement::StatementCore;
using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::tessera::translation::TranslationCore;
using ::tessera::translation::TranslationRef;

inline Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
inline Principal User(std::string id, Role role) {
  return Principal{std::move(id), "", {{role, {"fr"}}}};
}
const Principal kCoord = User("coord", Role::kCoordinator);
const Principal kAnna = User("anna", Role::kTranslator);
const Principal kBen = User("ben", Role::kTranslator);
const Principal kCara = User("cara", Role::kTranslator);
const Principal kRita = User("rita", Role::kReviewer);

// The reason the client would get in its google.rpc.ErrorInfo.
inline std::string ReasonOf(const absl::Status& s) {
  auto details = DetailsOf(s);
  return details.has_value() ? details->reason : "";
}

inline formats::Content Text(const std::string& t) {
  formats::Content c;
  c.text = t;
  return c;
}

class AssignmentCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    for (const Principal* p : {&kCoord, &kAnna, &kBen, &kCara, &kRita}) {
      ASSERT_OK(
          identity_->CreateUser(Admin(), p->user_id, p->user_id, p->grants)
              .status());
    }
    Create(/*open_claiming=*/true);
  }

  // Closes everything and opens the same database again, as a restart does.
  void Reopen() {
    core_.reset();
    translation_reader_.reset();
    statement_reader_.reset();
    grants_.reset();
    translations_.reset();
    statements_for_translation_.reset();
    statements_.reset();
    identity_.reset();
    store_.reset();
    Open();
  }

  void Open() {
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
    identity_ = std::make_unique<identity::IdentityCore>(
        store_.get(), &clock_, RandomSource::Secure());
    statement_reader_ =
        std::make_unique<statement::StatementReaderForAssignment>(
            statements_.get());
    translation_reader_ =
        std::make_unique<translation::TranslationReaderForAssignment>(
            store_.get(), translations_.get());
    grants_ =
        std::make_unique<identity::GrantsReaderForAssignment>(identity_.get());
    AssignmentOptions options;
    options.lease_ttl = absl::Minutes(20);
    core_ = std::make_unique<AssignmentCore>(
        store_.get(), statement_reader_.get(), translation_reader_.get(),
        translation_reader_.get(), grants_.get(), &clock_,
        RandomSource::Secure(), options);
  }

  void Create(bool open_claiming) {
    CreateParams p;
    p.title = "Statement";
    p.format = formats::Format::kPlainText;
    std::string source;
    for (int i = 1; i <= 10; ++i) {
      source += StrCat("Sentence number ", i, " of the statement.\n\n");
    }
    p.source = source;
    p.source_language = "en";
    p.target_languages = {"fr"};
    p.allow_open_claiming = open_claiming;
    ASSERT_OK_AND_ASSIGN(auto s, statements_->CreateStatement(Admin(), p));
    sid_ = s.statement_id;
    ASSERT_OK_AND_ASSIGN(auto page, statements_->ListSourceSegments(
                                        Admin(), sid_, 0, 100, "", true));
    ids_.clear();
    for (const auto& seg : page.segments) ids_.push_back(seg.info.segment_id);
    ASSERT_EQ(ids_.size(), 10u);
  }

  TranslationRef Ref(int i) { return TranslationRef{sid_, "fr", ids_[i]}; }

  AssignParams Params(const Principal& who, WorkRole role, Scope scope) {
    AssignParams p;
    p.statement_id = sid_;
    p.language = "fr";
    p.role = role;
    p.scope = std::move(scope);
    p.assignee = who.user_id;
    return p;
  }
  Scope Range(int first, int last) {
    return Scope{Scope::Kind::kRange, {ids_[first], ids_[last]}};
  }
  Scope Set(std::vector<int> which) {
    Scope s{Scope::Kind::kSet, {}};
    for (int i : which) s.segment_ids.push_back(ids_[i]);
    return s;
  }
  Scope Whole() { return Scope{Scope::Kind::kWholeLanguage, {}}; }

  absl::StatusOr<ClaimResult> Claim(const Principal& who,
                                    WorkRole role = WorkRole::kTranslate) {
    ClaimParams p;
    p.statement_id = sid_;
    p.language = "fr";
    p.role = role;
    return core_->ClaimNext(who, p);
  }

  absl::Status Submit(const Principal& who, int i) {
    auto t = translations_->LoadTranslation(Ref(i));
    if (!t.ok()) return t.status();
    return translations_
        ->Submit(who, Ref(i), t->version,
                 Text(StrCat("Phrase numéro ", i + 1, " de la déclaration.")),
                 false)
        .status();
  }

  // The index of the segment a claim returned.
  int Index(const ClaimResult& r) {
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] == r.lease.segment_id) return static_cast<int>(i);
    }
    return -1;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> statements_;
  std::unique_ptr<statement::StatementReaderForTranslation>
      statements_for_translation_;
  std::unique_ptr<TranslationCore> translations_;
  std::unique_ptr<identity::IdentityCore> identity_;
  std::unique_ptr<statement::StatementReaderForAssignment> statement_reader_;
  std::unique_ptr<translation::TranslationReaderForAssignment>
      translation_reader_;
  std::unique_ptr<identity::GrantsReaderForAssignment> grants_;
  std::unique_ptr<AssignmentCore> core_;
  std::string sid_;
  std::vector<std::string> ids_;
};

}  // namespace tessera::assignment::test

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_TEST_FIXTURE_H_

// The QA rules at Submit ("QA at Submit" in memory.proto) over a real
// glossary in RocksDB.
#include "services/memory/glossary/glossary_checker_for_translation.h"

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store.h"

namespace tessera::memory::glossary {
namespace {

using ::tessera::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Principal kAdmin{"root", "", {{Role::kAdmin, {}}}};

class GlossaryCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions o;
    o.path = dir_.Sub("db");
    auto store = storage::Store::Open(o);
    ASSERT_OK(store.status());
    store_ = *std::move(store);
    core_ = std::make_unique<GlossaryCore>(store_.get(), Clock::Real(),
                                           RandomSource::Secure());
    checker_ = std::make_unique<GlossaryCheckerForTranslation>(core_.get());
  }

  void Add(std::string source, std::string target, bool dnt = false,
           bool inflections = false, std::string to = "de") {
    GlossaryEntry e;
    e.source_language = "fr";
    e.target_language = to;
    e.source_term = std::move(source);
    e.target_term = std::move(target);
    e.do_not_translate = dnt;
    e.match_inflections = inflections;
    ASSERT_OK(core_->Create(kAdmin, e, "").status());
  }

  // The messages of the warnings for `target` as the German of `source`.
  std::vector<std::string> Check(std::string_view source,
                                 std::string_view target) {
    auto issues = checker_->Check("fr", "de", source, target);
    EXPECT_OK(issues.status());
    std::vector<std::string> out;
    if (!issues.ok()) return out;
    for (const text::QaIssue& i : *issues) {
      EXPECT_EQ(i.code, text::QaCode::kGlossaryTerm);
      EXPECT_EQ(i.severity, text::QaSeverity::kWarning);
      out.push_back(i.message);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<GlossaryCore> core_;
  std::unique_ptr<GlossaryCheckerForTranslation> checker_;
};

TEST_F(GlossaryCheckerTest, MissingTargetTermIsAWarning) {
  Add("Nations Unies", "Vereinte Nationen", false, true);
  EXPECT_THAT(Check("Les Nations unies exigent.", "Die UNO fordert."),
              ElementsAre(HasSubstr("\"Vereinte Nationen\"")));
  // Case and inflection tolerant in the target too.
  EXPECT_THAT(Check("Les Nations unies exigent.",
                    "Die vereinten Nationen fordern."),
              ElementsAre(HasSubstr("Vereinte Nationen")));
  EXPECT_THAT(Check("Les Nations unies exigent.",
                    "Die VEREINTE NATIONEN fordern."),
              IsEmpty());
  EXPECT_THAT(Check("Les Nations unies exigent.",
                    "Die Vereinte Nationenn fordern."),
              IsEmpty());
  // No term in the source, no finding.
  EXPECT_THAT(Check("Rien ici.", "Nichts hier."), IsEmpty());
}

TEST_F(GlossaryCheckerTest, DoNotTranslateTermMustStayVerbatim) {
  Add("Amnesty International", "", true);
  EXPECT_THAT(Check("Amnesty International exige.",
                    "Amnesty International fordert."),
              IsEmpty());
  EXPECT_THAT(Check("Amnesty International exige.",
                    "Amnesty Internationale fordert."),
              ElementsAre(HasSubstr("\"Amnesty International\" unchanged")));
  // The source's own spelling is what must survive.
  EXPECT_THAT(Check("AMNESTY INTERNATIONAL exige.",
                    "Amnesty International fordert."),
              ElementsAre(HasSubstr("\"AMNESTY INTERNATIONAL\" unchanged")));
}

TEST_F(GlossaryCheckerTest, AlternativesForOneTermAnyWillDo) {
  Add("paix", "Frieden");
  Add("paix", "Friede");
  Add("paix", "peace", false, false, "en");  // another pair, ignored
  EXPECT_THAT(Check("La paix.", "Der Friede."), IsEmpty());
  EXPECT_THAT(Check("La paix.", "Der Frieden."), IsEmpty());
  EXPECT_THAT(Check("La paix.", "Die Ruhe."),
              ElementsAre(HasSubstr("\"Friede")));
  EXPECT_THAT(Check("La paix et la paix.", "Die Ruhe und der Frieden."),
              IsEmpty());
}

}  // namespace
}  // namespace tessera::memory::glossary

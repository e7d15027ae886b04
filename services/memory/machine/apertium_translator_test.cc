// The Apertium adapter against the Debian pairs install-deps.sh installs,
// and against stand-in programs for timeouts, limits and failures.
#include "services/memory/machine/apertium_translator.h"

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::memory::machine {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::tessera::testing::StatusIs;

absl::Time In(absl::Duration d) { return absl::Now() + d; }

TEST(ApertiumTest, DiscoversTheInstalledDebianPairs) {
  auto t = ApertiumTranslator::Create({});
  const auto pairs = t->Pairs();
  for (const LanguagePair& p : {LanguagePair{"fr", "es"}, LanguagePair{"es", "fr"},
                                LanguagePair{"fr", "ca"}, LanguagePair{"en", "es"},
                                LanguagePair{"en", "ca"}}) {
    EXPECT_THAT(pairs, Contains(p)) << p.source << "-" << p.target;
  }
  EXPECT_FALSE(t->Supports({"en", "fr"}));  // Debian 12 has no en-fr pair
  EXPECT_TRUE(t->Supports({"fr-FR", "es-ES"}));
}

TEST(ApertiumTest, TranslatesFrenchIntoSpanishForReal) {
  auto t = ApertiumTranslator::Create({});
  const std::string fr = "Nous appelons à la paix immédiate.";
  const absl::Time t0 = absl::Now();
  ASSERT_OK_AND_ASSIGN(auto cold, t->Translate("fr", "es", fr, In(absl::Seconds(30))));
  const absl::Time t1 = absl::Now();
  EXPECT_THAT(cold.text, HasSubstr("paz"));
  EXPECT_THAT(cold.text, Not(HasSubstr("paix")));
  EXPECT_THAT(cold.text, Not(HasSubstr("\n")));
  EXPECT_EQ(cold.engine, "apertium fr-es");
  EXPECT_FALSE(cold.from_cache);
  ASSERT_OK_AND_ASSIGN(auto warm, t->Translate("fr-FR", "es", fr, In(absl::Seconds(30))));
  const absl::Time t2 = absl::Now();
  EXPECT_EQ(warm.text, cold.text);
  EXPECT_TRUE(warm.from_cache);
  std::cout << "apertium fr-es: \"" << cold.text << "\" cold "
            << absl::FormatDuration(t1 - t0) << ", cached "
            << absl::FormatDuration(t2 - t1) << "\n";
}

TEST(ApertiumTest, TranslatesEnglishIntoCatalan) {
  auto t = ApertiumTranslator::Create({});
  ASSERT_OK_AND_ASSIGN(auto r, t->Translate("en", "ca", "The workers demand peace.",
                                            In(absl::Seconds(30))));
  EXPECT_THAT(r.text, HasSubstr("pau"));
  EXPECT_EQ(r.engine, "apertium eng-cat");
}

TEST(ApertiumTest, APairWithoutModeIsNotSupported) {
  auto t = ApertiumTranslator::Create({});
  auto r = t->Translate("fr", "de", "Bonjour.", In(absl::Seconds(5)));
  EXPECT_TRUE(IsNotSupported(r.status())) << r.status();
  EXPECT_THAT(t->Translate("fr", "es", "", In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// A modes directory and a stand-in for the apertium program.
struct FakeApertium {
  testing::TempDir dir;
  ApertiumOptions options;
  explicit FakeApertium(const std::string& script) {
    mkdir(dir.Sub("modes").c_str(), 0755);
    for (const char* mode : {"fr-es", "eng-cat", "eng-cat_valencia",
                             "eco-fr-es", "xyz-fr"}) {
      std::ofstream(dir.Sub("modes/") + mode + ".mode") << "cat\n";
    }
    std::ofstream(dir.Sub("modes/README")) << "not a mode\n";
    std::ofstream(dir.Sub("apertium")) << "#!/bin/sh\n" << script << "\n";
    chmod(dir.Sub("apertium").c_str(), 0755);
    options.binary = dir.Sub("apertium");
    options.modes_dir = dir.Sub("modes");
  }
};

TEST(ApertiumTest, OffersPlainPairsOfKnownLanguagesOnly) {
  FakeApertium fake("cat");
  auto t = ApertiumTranslator::Create(fake.options);
  EXPECT_THAT(t->Pairs(), ElementsAre(LanguagePair{"en", "ca"},
                                      LanguagePair{"fr", "es"}));
  ASSERT_OK_AND_ASSIGN(auto r, t->Translate("fr", "es", "a b", In(absl::Seconds(5))));
  EXPECT_EQ(r.text, "a b");
  EXPECT_EQ(r.engine, "apertium fr-es");
}

TEST(ApertiumTest, TheTimeoutKillsAHangingEngine) {
  FakeApertium fake("sleep 30");
  fake.options.timeout = absl::Milliseconds(300);
  auto t = ApertiumTranslator::Create(fake.options);
  const absl::Time start = absl::Now();
  EXPECT_THAT(t->Translate("fr", "es", "x", In(absl::Seconds(30))),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // The call's own deadline, when earlier, wins.
  fake.options.timeout = absl::Seconds(30);
  t = ApertiumTranslator::Create(fake.options);
  const absl::Time again = absl::Now();
  EXPECT_THAT(t->Translate("fr", "es", "x", In(absl::Milliseconds(200))),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - again, absl::Seconds(3));
}

TEST(ApertiumTest, AFailingEngineIsUnavailableAndNotCached) {
  FakeApertium fake("echo 'mode broken' >&2; exit 2");
  auto t = ApertiumTranslator::Create(fake.options);
  EXPECT_THAT(t->Translate("fr", "es", "x", In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("mode broken")));
  EXPECT_THAT(t->Translate("fr", "es", "x", In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable));
}

// Each run logs its start and end; with a limit of n, never more than n
// runs are between a start and an end.
int MostAtOnce(int limit) {
  FakeApertium fake("");
  const std::string log = fake.dir.Sub("log");
  std::ofstream(fake.dir.Sub("apertium"))
      << "#!/bin/sh\necho start >> " << log << "\nsleep 0.2\necho end >> "
      << log << "\ncat\n";
  fake.options.max_concurrency = limit;
  auto t = ApertiumTranslator::Create(fake.options);
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[i] = t->Translate("fr", "es", "text " + std::to_string(i),
                                In(absl::Seconds(30)))
                       .status();
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : results) EXPECT_OK(s);
  std::ifstream in(log);
  int now = 0, most = 0;
  for (std::string line; std::getline(in, line);) {
    now += line == "start" ? 1 : -1;
    most = std::max(most, now);
  }
  return most;
}

TEST(ApertiumTest, TheConcurrencyLimitHolds) {
  EXPECT_EQ(MostAtOnce(1), 1);
  EXPECT_GE(MostAtOnce(4), 2);  // the log does see overlap when allowed
}

}  // namespace
}  // namespace tessera::memory::machine

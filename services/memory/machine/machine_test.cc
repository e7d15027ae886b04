// The port's helpers: cache, concurrency limit, pair resolution, the
// composite, and the subprocess runner the Apertium adapter uses.
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/memory/machine/machine_support.h"
#include "services/memory/machine/machine_translator.h"
#include "services/memory/machine/subprocess.h"

namespace tessera::memory::machine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tessera::testing::StatusIs;

TEST(TranslationCacheTest, EvictsTheLeastRecentlyUsed) {
  TranslationCache cache(2);
  const LanguagePair fr_es{"fr", "es"};
  cache.Put(fr_es, "un", "uno");
  cache.Put(fr_es, "deux", "dos");
  EXPECT_EQ(cache.Get(fr_es, "un"), "uno");  // "un" is now the most recent
  cache.Put(fr_es, "trois", "tres");
  EXPECT_EQ(cache.Get(fr_es, "deux"), std::nullopt);
  EXPECT_EQ(cache.Get(fr_es, "un"), "uno");
  EXPECT_EQ(cache.Get(fr_es, "trois"), "tres");
  EXPECT_EQ(cache.size(), 2u);
  // The pair is part of the key, in any spelling of the tags.
  EXPECT_EQ(cache.Get({"fr", "ca"}, "un"), std::nullopt);
  EXPECT_EQ(cache.Get({"FR", "ES"}, "un"), "uno");
  TranslationCache off(0);
  off.Put(fr_es, "un", "uno");
  EXPECT_EQ(off.Get(fr_es, "un"), std::nullopt);
}

TEST(ConcurrencyLimitTest, WaitsForASlotUntilTheDeadline) {
  ConcurrencyLimit limit(1);
  ASSERT_TRUE(limit.Acquire(absl::InfiniteFuture()));
  const absl::Time start = absl::Now();
  EXPECT_FALSE(limit.Acquire(start + absl::Milliseconds(50)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(30));
    limit.Release();
  });
  EXPECT_TRUE(limit.Acquire(absl::Now() + absl::Seconds(10)));
  releaser.join();
  limit.Release();
}

TEST(PairTableTest, RegionalTagsFallBackToTheirLanguage) {
  PairTable t;
  t.Add({"fr", "es"}, "fr-es");
  t.Add({"pt_BR", "en"}, "pt-br-en");
  EXPECT_EQ(t.Resolve("fr-CA", "es-MX")->second, "fr-es");
  EXPECT_EQ(t.Resolve("pt-br", "EN")->second, "pt-br-en");
  EXPECT_EQ(t.Resolve("pt-PT", "en"), std::nullopt);
  EXPECT_EQ(t.Resolve("es", "fr"), std::nullopt);
  EXPECT_THAT(t.Pairs(), ElementsAre(LanguagePair{"fr", "es"},
                                     LanguagePair{"pt-br", "en"}));
}

// A translator that answers its name, for the composite.
class Named : public MachineTranslator {
 public:
  Named(std::string name, LanguagePair pair) : name_(name), pair_(pair) {}
  bool Supports(const LanguagePair& p) const override { return p == pair_; }
  std::vector<LanguagePair> Pairs() const override { return {pair_}; }
  absl::StatusOr<MachineResult> Translate(std::string_view s,
                                          std::string_view t,
                                          std::string_view text,
                                          absl::Time) override {
    if (!Supports({std::string(s), std::string(t)})) {
      return NotSupportedError(s, t);
    }
    return MachineResult{std::string(text), name_, false};
  }

 private:
  std::string name_;
  LanguagePair pair_;
};

TEST(CompositeTranslatorTest, TheFirstAdapterWithThePairAnswers) {
  CompositeTranslator c({std::make_shared<Named>("a", LanguagePair{"fr", "es"}),
                         std::make_shared<Named>("b", LanguagePair{"en", "de"}),
                         std::make_shared<Named>("c", LanguagePair{"fr", "es"})});
  ASSERT_OK_AND_ASSIGN(auto r, c.Translate("fr", "es", "x", absl::Now()));
  EXPECT_EQ(r.engine, "a");
  ASSERT_OK_AND_ASSIGN(r, c.Translate("en", "de", "x", absl::Now()));
  EXPECT_EQ(r.engine, "b");
  auto none = c.Translate("de", "en", "x", absl::Now());
  EXPECT_TRUE(IsNotSupported(none.status())) << none.status();
  EXPECT_FALSE(c.Supports({"de", "en"}));
  EXPECT_THAT(c.Pairs(), ElementsAre(LanguagePair{"en", "de"},
                                     LanguagePair{"fr", "es"}));
  // Other NOT_FOUND errors are not "not supported".
  EXPECT_FALSE(IsNotSupported(absl::NotFoundError("x")));
}

TEST(SubprocessTest, PipesInputThroughAndReportsTheExit) {
  ASSERT_OK_AND_ASSIGN(auto r, RunProcess({"/bin/cat"}, "bonjour\n",
                                          absl::Now() + absl::Seconds(10),
                                          1 << 20));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "bonjour\n");
  // Bigger than a pipe buffer both ways.
  const std::string big(1 << 20, 'x');
  ASSERT_OK_AND_ASSIGN(r, RunProcess({"/bin/cat"}, big,
                                     absl::Now() + absl::Seconds(10), 2 << 20));
  EXPECT_EQ(r.output.size(), big.size());
  ASSERT_OK_AND_ASSIGN(r, RunProcess({"/bin/sh", "-c", "echo oops >&2; exit 3"},
                                     "", absl::Now() + absl::Seconds(10), 100));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.errors, "oops\n");
  EXPECT_THAT(RunProcess({"/nonexistent/program"}, "", absl::Now() +
                         absl::Seconds(10), 100),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(RunProcess({"/bin/cat"}, big, absl::Now() + absl::Seconds(10),
                         1000),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Regression: the write to a child that had quit raised SIGPIPE, which
// ended the whole process (seen with an engine that exits at once).
TEST(SubprocessTest, SigpipeFromAChildThatQuitsDoesNotKillTheCaller) {
  const std::string big(4 << 20, 'x');  // far more than a pipe holds
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, RunProcess({"/bin/sh", "-c", "exit 4"}, big,
                                            absl::Now() + absl::Seconds(10),
                                            100));
    EXPECT_EQ(r.exit_code, 4);
  }
}

// Whether a process is gone (or a zombie nobody reaped yet).
bool Dead(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() &&
         line[paren + 2] == 'Z';
}

TEST(SubprocessTest, TheDeadlineKillsTheWholeProcessGroup) {
  testing::TempDir dir;
  const std::string pidfile = dir.Sub("pid");
  const absl::Time start = absl::Now();
  auto r = RunProcess(
      {"/bin/sh", "-c", "sleep 30 & echo $! > " + pidfile + "; wait"}, "",
      start + absl::Milliseconds(300), 100);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  int pid = 0;
  std::ifstream(pidfile) >> pid;
  ASSERT_GT(pid, 0);
  // The grandchild got the SIGKILL too; allow the kernel a moment.
  for (int i = 0; i < 100 && !Dead(pid); ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(Dead(pid)) << "sleep " << pid << " survived";
}

}  // namespace
}  // namespace tessera::memory::machine

// Full recall: every Search over the index returns exactly the units and
// scores that the brute-force oracle finds, over the corpus and its
// variants, at several thresholds.
#include <map>
#include <random>

#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/memory/memory_core.h"
#include "services/memory/memory_index.h"
#include "services/memory/memory_keys.h"
#include "services/memory/memory_oracle.h"
#include "services/memory/memory_test_corpus.h"

namespace tessera::memory {
namespace {

TEST(MemoryRecallTest, IndexEqualsBruteForce) {
  testing::TempDir dir;
  storage::StoreOptions so;
  so.path = dir.Sub("db");
  so.sync_writes = false;
  auto store = storage::Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status();
  MemoryCore core(store->get());

  std::mt19937_64 rng(20261207);
  const auto corpus = LoadCorpus(TESSERA_SHARED_DIR "/corpus");
  ASSERT_GT(corpus.size(), 800u);
  // Per source language (target "en", or "fr" for English): the units.
  std::map<std::string, std::vector<std::pair<uint64_t, ScoreForm>>> units;
  std::map<std::string, std::vector<formats::Content>> queries;
  std::map<uint64_t, bool> added;
  storage::WriteSet batch;
  int in_batch = 0;
  auto add = [&](const std::string& lang, const formats::Content& c) {
    UnitInput in;
    in.source_language = lang;
    in.target_language = lang == "en" ? "fr" : "en";
    in.source = c;
    in.target = {"t", {}};
    in.time = absl::FromUnixSeconds(1);
    const uint64_t id = MemoryCore::UnitId(in);
    if (added[id]) return;
    added[id] = true;
    core.AddUnitWrites(in, std::nullopt, 0, &batch);
    units[lang].emplace_back(id, Prepare(c, lang));
    if (++in_batch == 500) {
      ASSERT_TRUE((*store)->Commit(std::move(batch)).ok());
      batch = storage::WriteSet();
      in_batch = 0;
    }
  };
  for (size_t i = 0; i < corpus.size(); ++i) {
    const auto& s = corpus[i];
    add(s.language, {s.text, {}});
    const auto variants = MakeVariants(s.text, &rng);
    // Half the variants go into the memory, half are only asked.
    for (size_t k = 0; k < variants.size(); ++k) {
      if (k % 2 == i % 2) {
        add(s.language, variants[k]);
      } else if (rng() % 6 == 0) {
        queries[s.language].push_back(variants[k]);
      }
    }
    if (rng() % 8 == 0) queries[s.language].push_back({s.text, {}});
  }
  ASSERT_TRUE((*store)->Commit(std::move(batch)).ok());

  int lookups = 0, nonempty = 0, fuzzy = 0;
  for (const auto& [lang, qs] : queries) {
    const std::string target = lang == "en" ? "fr" : "en";
    const uint64_t pair = PairId(lang, target);
    for (const formats::Content& q : qs) {
      const ScoreForm qf = Prepare(q, lang);
      // The oracle's scores once, thresholds after.
      const auto all = OracleLookup(units[lang], qf, 0.0);
      for (double t : {0.5, 0.7, 0.75, 0.9, 0.95}) {
        std::vector<std::pair<uint64_t, double>> want;
        for (const auto& p : all) {
          if (p.second >= t) want.push_back(p);
        }
        auto hits = Search(**store, pair, qf, t);
        ASSERT_TRUE(hits.ok()) << hits.status();
        std::vector<std::pair<uint64_t, double>> got;
        for (const IndexHit& h : *hits) got.emplace_back(h.unit, h.score);
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, want) << lang << " \"" << q.text << "\" at " << t;
        ++lookups;
        if (!want.empty()) ++nonempty;
        for (const auto& p : want) fuzzy += p.second < 1.0;
      }
    }
  }
  // The comparison is not vacuous: most lookups find something, many fuzzy.
  EXPECT_GT(lookups, 1000);
  EXPECT_GT(nonempty, lookups / 2);
  EXPECT_GT(fuzzy, 1000);
  std::printf("lookups %d, non-empty %d, fuzzy matches %d\n", lookups, nonempty,
              fuzzy);
}


// The signature filters at their edge: every lookup is asked again with
// min_score equal to each score the oracle gives (a unit exactly at the
// threshold must come back), over units that differ by case only, by
// numbers or codes, by a word or a letter, short and long.
TEST(MemoryRecallTest, UnitsExactlyAtTheThresholdAreFound) {
  testing::TempDir dir;
  storage::StoreOptions so;
  so.path = dir.Sub("db");
  so.sync_writes = false;
  auto store = storage::Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status();
  MemoryCore core(store->get());
  const std::vector<std::string> texts = {
      "Nous exigeons la libération immédiate de tous les prisonniers.",
      "nous EXIGEONS la libération immédiate de tous les prisonniers.",
      "Nous exigeons la libération immédiate de tous les 12 prisonniers.",
      "Nous exigeons la libération immédiate de tous les 13 prisonniers !",
      "Nous exigeons la {1}libération{/1} immédiate de tous les prisonniers.",
      "Nous exigeons la libération de tous les prisonniers.",
      "Nous demandons la libération immédiate de tous les prisonnier.",
      "Liste des signataires",
      "Liste des signataire",
      "liste DES signataires :",
      "Liste actuelle des signataires",
      "Code AB-12 x",
      "Code AB-13 x",
  };
  std::vector<std::pair<uint64_t, ScoreForm>> units;
  storage::WriteSet batch;
  for (const std::string& t : texts) {
    auto c = formats::ParseReadable(t);
    ASSERT_TRUE(c.ok());
    UnitInput in;
    in.source_language = "fr";
    in.target_language = "en";
    in.source = *c;
    in.target = {"t", {}};
    in.time = absl::FromUnixSeconds(1);
    core.AddUnitWrites(in, std::nullopt, 0, &batch);
    units.emplace_back(MemoryCore::UnitId(in), Prepare(*c, "fr"));
  }
  ASSERT_TRUE((*store)->Commit(std::move(batch)).ok());
  const uint64_t pair = PairId("fr", "en");
  SignatureCache cache;
  int at_threshold = 0;
  for (const auto& [qid, query] : units) {
    const auto all = OracleLookup(units, query, 0.0);
    for (const auto& [unit, score] : all) {
      if (score < 0.5) continue;
      std::vector<std::pair<uint64_t, double>> want;
      for (const auto& p : all) {
        if (p.second >= score) want.push_back(p);
      }
      // Twice: signatures read from the store, then from the cache.
      for (int pass = 0; pass < 2; ++pass) {
        auto hits = Search(**store, pair, query, score, nullptr, &cache);
        ASSERT_TRUE(hits.ok()) << hits.status();
        std::vector<std::pair<uint64_t, double>> got;
        for (const IndexHit& h : *hits) got.emplace_back(h.unit, h.score);
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, want) << "\"" << query.normalized << "\" at " << score;
      }
      at_threshold += unit != qid;
    }
  }
  EXPECT_GT(at_threshold, 30);
}

}  // namespace
}  // namespace tessera::memory

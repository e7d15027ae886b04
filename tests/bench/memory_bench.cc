// Fuzzy lookup in the translation memory: Search over the RocksDB index
// against brute force (every unit of the pair read from the store and
// scored with the same cut-off scorer) over the same units in the same
// run, at 10k, 100k and 1M units, for queries of about 5, 20 and 60 words,
// one thread. Units are sentences of the corpus's words drawn with a Zipf
// law (so frequent words are as frequent as in text) plus variants of
// earlier units (words inserted, deleted, changed, numbers changed), so
// queries have real fuzzy matches. Prints p50/p99 of the index, the brute
// force median, the ratio, the hits, the build time and the bytes per
// unit on disk (after a reopen, WAL included).
//
//   tessera_memory_bench [--sizes=10000,100000,1000000] [--queries=200]
//                        [--brute=5] [--min_score=0.75]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/temp_dir.h"
#include "services/memory/memory_core.h"
#include "services/memory/memory_index.h"
#include "services/memory/memory_keys.h"
#include "services/memory/memory_test_corpus.h"
#include "storage/store.h"

ABSL_FLAG(std::string, sizes, "10000,100000,1000000", "Units, comma-separated.");
ABSL_FLAG(int32_t, queries, 200, "Index lookups per query length.");
ABSL_FLAG(int32_t, brute, 5, "Brute-force lookups per query length.");
ABSL_FLAG(double, min_score, 0.75, "Lowest score returned.");
ABSL_FLAG(int32_t, cache_log2, 26, "Block cache of 2^n bytes (64 MiB as tesserad).");
ABSL_FLAG(double, max_p99_ms, 0, "If > 0: fail when a p99 exceeds it.");

namespace tessera::memory {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

struct Generator {
  std::vector<std::string> vocab;
  std::vector<double> cdf;
  std::mt19937_64 rng{12345};

  explicit Generator(const std::vector<CorpusSentence>& corpus) {
    std::map<std::string, int> seen;
    for (const auto& s : corpus) {
      if (s.language != "fr" && s.language != "en") continue;
      for (absl::string_view w : absl::StrSplit(s.text, ' ', absl::SkipEmpty())) {
        std::string word(w);
        while (!word.empty() && std::ispunct(static_cast<unsigned char>(word.back()))) word.pop_back();
        if (!word.empty() && seen.emplace(word, 0).second) vocab.push_back(word);
      }
    }
    // Invented words beyond the corpus, for a 50k-word vocabulary.
    const size_t base = vocab.size();
    for (size_t i = 0; vocab.size() < 50000; ++i) {
      // Glue two words; the second's first code point keeps it UTF-8.
      const std::string& b = vocab[(i * 7 + 3) % base];
      size_t cut = 1;
      while (cut < b.size() && (static_cast<unsigned char>(b[cut]) & 0xC0) == 0x80) ++cut;
      vocab.push_back(vocab[i % base] + b.substr(0, cut));
    }
    std::shuffle(vocab.begin() + 50, vocab.end(), rng);
    double sum = 0;
    for (size_t r = 1; r <= vocab.size(); ++r) {
      sum += 1.0 / static_cast<double>(r);
      cdf.push_back(sum);
    }
    for (double& c : cdf) c /= sum;
  }
  const std::string& Word() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return vocab[std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin()];
  }
  std::string Sentence(int words) {
    std::string s;
    for (int i = 0; i < words; ++i) {
      if (i) s.push_back(' ');
      if (rng() % 25 == 0) {
        s += std::to_string(rng() % 2000);
      } else {
        s += Word();
      }
    }
    s += rng() % 2 ? "." : " :";
    return s;
  }
  std::string Mutate(const std::string& text, int edits) {
    std::vector<std::string> w = absl::StrSplit(text, ' ', absl::SkipEmpty());
    for (int e = 0; e < edits && w.size() > 1; ++e) {
      const size_t at = rng() % w.size();
      switch (rng() % 3) {
        case 0: w.insert(w.begin() + static_cast<long>(at), Word()); break;
        case 1: w.erase(w.begin() + static_cast<long>(at)); break;
        default: w[at] = Word(); break;
      }
    }
    std::string s;
    for (const std::string& x : w) {
      if (!s.empty()) s.push_back(' ');
      s += x;
    }
    return s;
  }
  int Length() {
    // Mostly 8-30 words, some short and some long.
    const int r = static_cast<int>(rng() % 100);
    if (r < 10) return 2 + static_cast<int>(rng() % 4);
    if (r < 85) return 6 + static_cast<int>(rng() % 25);
    return 30 + static_cast<int>(rng() % 40);
  }
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

int Run() {
  const auto corpus = LoadCorpus(TESSERA_SHARED_DIR "/corpus");
  const double min_score = absl::GetFlag(FLAGS_min_score);
  std::vector<int> sizes;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    int v;
    if (absl::SimpleAtoi(s, &v)) sizes.push_back(v);
  }
  std::printf("min_score %.2f, one thread; brute force = every unit of the "
              "pair read from the store and scored with the cut-off scorer\n",
              min_score);
  std::printf("%9s %6s %9s %9s %10s %8s %7s %9s %9s %9s\n", "units", "words",
              "p50 ms", "p99 ms", "brute ms", "ratio", "hits", "cands",
              "build s", "B/unit");
  bool ok = true;
  for (int size : sizes) {
    Generator gen(corpus);
    testing::TempDir dir;
    storage::StoreOptions so;
    so.path = dir.Sub("db");
    so.sync_writes = false;  // building is not what is measured
    so.block_cache_bytes = size_t{1} << absl::GetFlag(FLAGS_cache_log2);
    auto store = storage::Store::Open(so);
    if (!store.ok()) return 1;
    MemoryCore core(store->get());
    std::vector<std::string> texts;
    const auto t0 = Clock::now();
    storage::WriteSet batch;
    for (int i = 0; i < size; ++i) {
      std::string text = (i > 100 && gen.rng() % 3 == 0)
                             ? gen.Mutate(texts[gen.rng() % texts.size()], 1 + gen.rng() % 3)
                             : gen.Sentence(gen.Length());
      UnitInput in;
      in.source_language = "fr";
      in.target_language = "en";
      in.source = {text, {}};
      in.target = {"x " + std::to_string(i), {}};
      in.time = absl::FromUnixSeconds(1);
      core.AddUnitWrites(in, std::nullopt, 0, &batch);
      texts.push_back(std::move(text));
      if (i % 1000 == 999) {
        if (!(*store)->Commit(std::move(batch)).ok()) return 1;
        batch = storage::WriteSet();
      }
    }
    if (!(*store)->Commit(std::move(batch)).ok()) return 1;
    const double build_s = Ms(Clock::now() - t0) / 1000;
    store->reset();
    const uint64_t bytes = DirBytes(so.path);
    store = storage::Store::Open(so);
    if (!store.ok()) return 1;
    const uint64_t pair = PairId("fr", "en");

    for (int words : {5, 20, 60}) {
      // Queries: units of about this length, mutated by about 10%.
      std::vector<ScoreForm> queries;
      for (int tries = 0; queries.size() < static_cast<size_t>(absl::GetFlag(FLAGS_queries)) && tries < 1000000; ++tries) {
        const std::string& t = texts[gen.rng() % texts.size()];
        const int n = static_cast<int>(std::count(t.begin(), t.end(), ' ')) + 1;
        if (std::abs(n - words) > words / 4 + 1) continue;
        queries.push_back(Prepare({gen.Mutate(t, 1 + words / 10), {}}, "fr"));
      }
      std::vector<double> lat;
      int64_t hits = 0, cands = 0;
      for (const ScoreForm& q : queries) {
        SearchStats st;
        const auto s = Clock::now();
        auto r = Search(**store, pair, q, min_score, &st);
        lat.push_back(Ms(Clock::now() - s));
        if (!r.ok()) return 1;
        hits += static_cast<int64_t>(r->size());
        cands += st.candidates;
      }
      std::vector<double> brute;
      for (int b = 0; b < absl::GetFlag(FLAGS_brute) && b < static_cast<int>(queries.size()); ++b) {
        const ScoreForm& q = queries[static_cast<size_t>(b)];
        const auto s = Clock::now();
        int found = 0;
        auto st = (*store)->Scan(
            kMemoryCf, FormKey(0), FormKey(~uint64_t{0}),
            [&](std::string_view, std::string_view v) {
              uint64_t p;
              ScoreForm f;
              if (DecodeForm(v, &p, &f) && p == pair &&
                  ScoreAtLeast(q, f, min_score) >= 0) {
                ++found;
              }
              return true;
            });
        brute.push_back(Ms(Clock::now() - s));
        if (!st.ok()) return 1;
      }
      const double p50 = Pct(lat, 0.5), p99 = Pct(lat, 0.99);
      const double bmed = Pct(brute, 0.5);
      std::printf("%9d %6d %9.3f %9.3f %10.1f %7.0fx %7.1f %9.1f %9.1f %9.0f\n",
                  size, words, p50, p99, bmed, bmed / std::max(p50, 1e-6),
                  static_cast<double>(hits) / queries.size(),
                  static_cast<double>(cands) / queries.size(), build_s,
                  static_cast<double>(bytes) / size);
      std::fflush(stdout);
      const double bar = absl::GetFlag(FLAGS_max_p99_ms);
      if (bar > 0 && p99 > bar) ok = false;
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tessera::memory

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tessera::memory::Run();
}

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
//                        [--brute=5] [--min_score=0.75] [--store_dir=DIR]
//                        [--check=N]
//
// --store_dir keeps each size's store in DIR/<size> and reuses it in a
// later run (the units are generated from a fixed seed, so the texts are
// the same). --check compares the first N lookups of each length with
// brute force and fails on any difference (make test runs it small).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
ABSL_FLAG(std::string, store_dir, "",
          "If set: keep the stores in DIR/<size> and reuse them.");
ABSL_FLAG(int32_t, check, 0,
          "Lookups per length compared with brute force (0: none).");
ABSL_FLAG(int32_t, fresh, 50,
          "Units added one commit at a time (synced) and looked up at once, "
          "for the time from approval to searchable.");

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
  double load[1] = {0};
  getloadavg(load, 1);
  std::printf("min_score %.2f, one thread, load average %.2f; brute force = "
              "every unit of the pair read from the store and scored with the "
              "cut-off scorer\n",
              min_score, load[0]);
  std::printf("%9s %6s %9s %9s %10s %8s %7s %9s %8s %9s %9s %9s %9s\n",
              "units", "words", "p50 ms", "p99 ms", "brute ms", "ratio",
              "hits", "cands", "scored", "cold p50", "cold p99", "build s",
              "B/unit");
  bool ok = true;
  int checked = 0;
  for (int size : sizes) {
    Generator gen(corpus);
    testing::TempDir dir;
    storage::StoreOptions so;
    const std::string keep = absl::GetFlag(FLAGS_store_dir);
    so.path = keep.empty() ? dir.Sub("db") : keep + "/" + std::to_string(size);
    const std::string done_mark = so.path + "/.complete";
    const bool reuse = !keep.empty() && std::filesystem::exists(done_mark);
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
      if (!reuse) core.AddUnitWrites(in, std::nullopt, 0, &batch);
      texts.push_back(std::move(text));
      if (!reuse && i % 1000 == 999) {
        if (!(*store)->Commit(std::move(batch)).ok()) return 1;
        batch = storage::WriteSet();
      }
    }
    if (!reuse && !(*store)->Commit(std::move(batch)).ok()) return 1;
    const double build_s = reuse ? 0 : Ms(Clock::now() - t0) / 1000;
    store->reset();
    if (!keep.empty() && !reuse) {
      std::FILE* f = std::fopen(done_mark.c_str(), "w");
      if (f == nullptr) return 1;
      std::fclose(f);
    }
    const uint64_t bytes = DirBytes(so.path);
    so.sync_writes = true;  // for the approval-to-searchable figure
    store = storage::Store::Open(so);
    if (!store.ok()) return 1;
    const uint64_t pair = PairId("fr", "en");
    SignatureCache cache;

    for (int words : {5, 20, 60}) {
      // Queries: units of about this length, mutated by about 10%.
      std::vector<ScoreForm> queries;
      for (int tries = 0; queries.size() < static_cast<size_t>(absl::GetFlag(FLAGS_queries)) && tries < 1000000; ++tries) {
        const std::string& t = texts[gen.rng() % texts.size()];
        const int n = static_cast<int>(std::count(t.begin(), t.end(), ' ')) + 1;
        if (std::abs(n - words) > words / 4 + 1) continue;
        queries.push_back(Prepare({gen.Mutate(t, 1 + words / 10), {}}, "fr"));
      }
      // Two passes: the first meets a cold signature cache (as after a
      // restart), the second a warm one.
      std::vector<double> lat, cold;
      int64_t hits = 0, cands = 0, verified = 0, sig_reads = 0;
      for (int pass = 0; pass < 2; ++pass) {
        for (const ScoreForm& q : queries) {
          SearchStats st;
          const auto s = Clock::now();
          auto r = Search(**store, pair, q, min_score, &st, &cache);
          (pass == 0 ? cold : lat).push_back(Ms(Clock::now() - s));
          if (!r.ok()) return 1;
          if (pass == 1) {
            hits += static_cast<int64_t>(r->size());
            cands += st.candidates;
            verified += st.verified;
          } else {
            sig_reads += st.signatures_read;
          }
        }
      }
      std::vector<double> brute;
      const int rounds = std::max(absl::GetFlag(FLAGS_brute), absl::GetFlag(FLAGS_check));
      for (int b = 0; b < rounds && b < static_cast<int>(queries.size()); ++b) {
        const ScoreForm& q = queries[static_cast<size_t>(b)];
        const auto s = Clock::now();
        std::vector<std::pair<uint64_t, double>> found;
        auto st = (*store)->Scan(
            kMemoryCf, FormKey(0), FormKey(~uint64_t{0}),
            [&](std::string_view k, std::string_view v) {
              uint64_t p;
              ScoreForm f;
              if (DecodeForm(v, &p, &f) && p == pair) {
                const double score = ScoreAtLeast(q, f, min_score);
                if (score >= min_score) found.emplace_back(TrailingUnit(k), score);
              }
              return true;
            });
        if (b < absl::GetFlag(FLAGS_brute)) brute.push_back(Ms(Clock::now() - s));
        if (!st.ok()) return 1;
        if (b < absl::GetFlag(FLAGS_check)) {
          auto r = Search(**store, pair, q, min_score, nullptr, &cache);
          if (!r.ok()) return 1;
          std::vector<std::pair<uint64_t, double>> got;
          for (const IndexHit& h : *r) got.emplace_back(h.unit, h.score);
          std::sort(got.begin(), got.end());
          std::sort(found.begin(), found.end());
          ++checked;
          if (got != found) {
            std::printf("MISMATCH: \"%s\": index %zu hits, brute force %zu\n",
                        q.normalized.c_str(), got.size(), found.size());
            ok = false;
          }
        }
      }
      const double p50 = Pct(lat, 0.5), p99 = Pct(lat, 0.99);
      const double bmed = Pct(brute, 0.5);
      const double nq = static_cast<double>(queries.size());
      std::printf("%9d %6d %9.3f %9.3f %10.1f %7.0fx %7.1f %9.1f %8.1f %9.3f %9.3f %9.1f %9.0f\n",
                  size, words, p50, p99, bmed, bmed / std::max(p50, 1e-6),
                  static_cast<double>(hits) / nq,
                  static_cast<double>(cands) / nq,
                  static_cast<double>(verified) / nq, Pct(cold, 0.5),
                  Pct(cold, 0.99), build_s,
                  static_cast<double>(bytes) / size);
      std::fflush(stdout);
      const double bar = absl::GetFlag(FLAGS_max_p99_ms);
      if (bar > 0 && p99 > bar) ok = false;
    }

    // Approval to searchable: one synced commit of a unit (index included),
    // then the lookup that finds it. The units are removed again so that a
    // kept store stays as built.
    MemoryCore live(store->get());
    std::vector<double> fresh;
    for (int i = 0; i < absl::GetFlag(FLAGS_fresh); ++i) {
      UnitInput in;
      in.source_language = "fr";
      in.target_language = "en";
      in.source = {gen.Mutate(texts[gen.rng() % texts.size()], 2), {}};
      in.target = {"fresh " + std::to_string(i), {}};
      in.time = absl::FromUnixSeconds(2);
      const ScoreForm q = Prepare(in.source, "fr");
      const auto s = Clock::now();
      auto id = live.AddUnit(in);
      if (!id.ok()) return 1;
      auto r = Search(**store, pair, q, 1.0, nullptr, &cache);
      fresh.push_back(Ms(Clock::now() - s));
      if (!r.ok()) return 1;
      if (std::none_of(r->begin(), r->end(),
                       [&](const IndexHit& h) { return h.unit == *id; })) {
        std::printf("MISMATCH: a unit just added is not found\n");
        ok = false;
      }
      auto loaded = live.LoadUnit(*id);
      if (!loaded.ok() || !loaded->has_value()) return 1;
      storage::WriteSet undo;
      if (!live.AddUnitErasures((*loaded)->first, (*loaded)->second, &undo).ok() ||
          !(*store)->Commit(std::move(undo)).ok()) {
        return 1;
      }
    }
    std::printf("%9d signature cache: %zu units, %.1f MB\n", size,
                cache.size(), static_cast<double>(cache.bytes()) / 1e6);
    if (!fresh.empty()) {
      std::printf("%9d approval to searchable (synced commit + lookup): p50 "
                  "%.3f ms, p99 %.3f ms\n",
                  size, Pct(fresh, 0.5), Pct(fresh, 0.99));
    }
  }
  if (absl::GetFlag(FLAGS_check) > 0) {
    std::printf("%d lookups compared with brute force: %s\n", checked,
                ok ? "same units and scores" : "DIFFERENT");
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tessera::memory

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tessera::memory::Run();
}

// Measures the Apertium adapter per segment: uncached (one process per
// segment) and cached, over the sentences of a text file.
//
//   apertium_latency FILE [SOURCE TARGET [MAX_SEGMENTS]]
//
// Segments are the file's lines split after ". ", "! " and "? ", those of
// 20 to 400 bytes. Prints p50, p90, p99 and max of each pass.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "services/memory/machine/apertium_translator.h"

namespace {

std::vector<std::string> Segments(const std::string& path, size_t max) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line) && out.size() < max;) {
    size_t start = 0;
    while (start < line.size() && out.size() < max) {
      size_t end = line.size();
      for (const char* stop : {". ", "! ", "? "}) {
        const size_t at = line.find(stop, start);
        if (at != std::string::npos) end = std::min(end, at + 1);
      }
      std::string s = line.substr(start, end - start);
      if (s.size() >= 20 && s.size() <= 400) out.push_back(s);
      start = end + 1;
    }
  }
  return out;
}

void Report(const char* what, std::vector<double> ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("%-8s n=%zu  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              what, ms.size(), at(0.5), at(0.9), at(0.99), ms.back());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [SOURCE TARGET [MAX]]\n", argv[0]);
    return 2;
  }
  const std::string src = argc > 3 ? argv[2] : "fr";
  const std::string tgt = argc > 3 ? argv[3] : "es";
  const size_t max = argc > 4 ? std::stoul(argv[4]) : 100;
  using tessera::memory::machine::ApertiumTranslator;
  auto t = ApertiumTranslator::Create({});
  const auto segments = Segments(argv[1], max);
  std::vector<double> first, cached;
  for (const auto& s : segments) {
    const absl::Time t0 = absl::Now();
    auto r = t->Translate(src, tgt, s, absl::Now() + absl::Seconds(30));
    const absl::Time t1 = absl::Now();
    if (!r.ok()) {
      std::cerr << r.status() << "\n";
      return 1;
    }
    first.push_back(absl::ToDoubleMilliseconds(t1 - t0));
  }
  for (const auto& s : segments) {
    const absl::Time t0 = absl::Now();
    auto r = t->Translate(src, tgt, s, absl::Now() + absl::Seconds(30));
    cached.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    if (!r.ok() || !r->from_cache) return 1;
  }
  std::printf("apertium %s-%s, %zu segments, first call is the very first "
              "process\n", src.c_str(), tgt.c_str(), segments.size());
  if (!first.empty()) std::printf("first    %.3f ms\n", first[0]);
  Report("uncached", first);
  Report("cached", cached);
  return 0;
}

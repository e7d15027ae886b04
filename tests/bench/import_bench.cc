// Import throughput: a large Markdown document built by repeating the seed
// statements, imported as CreateStatement does it (UTF-8 check, NFC,
// Markdown parse, sentence segmentation with our rules, segment ids, word
// counts), against raw ICU sentence iteration over the same bytes in the
// same run. Prints MB/s medians and the ratio at 1x, 10x and 100x.
//
//   tessera_import_bench [--repeat=5] [--sizes=1,10,100] [--isolated]
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/statement/statement_core.h"

ABSL_FLAG(int32_t, repeat, 5, "Runs per point; the table shows medians.");
ABSL_FLAG(std::string, sizes, "1,10,100",
          "Corpus repetitions to measure, comma-separated.");
ABSL_FLAG(bool, isolated, false,
          "Parse in the tessera-parse child process, as tesserad does, "
          "instead of in this process.");
ABSL_FLAG(std::string, shared_dir, TESSERA_SHARED_DIR,
          "Directory holding corpus/seeds/.");

namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The seeds, concatenated as one Markdown document.
std::string Corpus(const std::string& shared) {
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(shared + "/corpus/seeds")) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) {
    out += ReadFile(f);
    out += "\n\n";
  }
  return out;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Raw ICU: one sentence iterator over a UTF-8 UText, counting boundaries.
size_t IcuSentences(const std::string& text, icu::BreakIterator* it) {
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(),
                             static_cast<int64_t>(text.size()), &status);
  it->setText(ut, status);
  size_t n = 0;
  for (int32_t b = it->first(); b != icu::BreakIterator::DONE; b = it->next()) {
    ++n;
  }
  utext_close(ut);
  if (U_FAILURE(status)) {
    std::cerr << "ICU failed: " << u_errorName(status) << "\n";
    std::exit(1);
  }
  return n;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures statement import throughput against raw ICU sentence "
      "iteration.\nExample: tessera_import_bench --repeat=5 --sizes=1,10,100");
  absl::ParseCommandLine(argc, argv);
  std::string corpus = Corpus(absl::GetFlag(FLAGS_shared_dir));
  if (corpus.size() < 100) {
    std::cerr << "corpus not found under " << absl::GetFlag(FLAGS_shared_dir)
              << "\n";
    return 2;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> icu_it(
      icu::BreakIterator::createSentenceInstance(icu::Locale("fr"), status));
  if (U_FAILURE(status)) return 2;

  // Limits high enough for the largest size; the bench measures speed.
  tessera::statement::ImportOptions options;
  options.limits.max_document_bytes = size_t{1} << 30;
  options.limits.max_segments = 1 << 30;
  if (absl::GetFlag(FLAGS_isolated)) {
    options.limits.parse.helper = TESSERA_BINARY_DIR "/server/tessera-parse";
    options.limits.parse.cpu = absl::Hours(1);
    options.limits.parse.memory_bytes = size_t{16} << 30;
  }
  std::printf("%6s %10s %8s %12s %12s %10s %12s\n", "size", "bytes", "segments",
              "ICU MB/s", "import MB/s", "x ICU", "ms/import");
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    int times = 0;
    if (!absl::SimpleAtoi(s, &times) || times < 1) {
      std::cerr << "--sizes: bad value " << s << "\n";
      return 2;
    }
    std::string doc;
    doc.reserve(corpus.size() * times);
    for (int i = 0; i < times; ++i) doc += corpus;
    double mb = static_cast<double>(doc.size()) / 1e6;
    std::vector<double> icu_rates, import_rates, import_ms;
    size_t segments = 0;
    for (int r = 0; r < absl::GetFlag(FLAGS_repeat); ++r) {
      auto t0 = std::chrono::steady_clock::now();
      size_t n = IcuSentences(doc, icu_it.get());
      auto t1 = std::chrono::steady_clock::now();
      auto imported = tessera::statement::ImportDocument(
          tessera::formats::Format::kMarkdown, "fr", doc, options);
      auto t2 = std::chrono::steady_clock::now();
      if (!imported.ok()) {
        std::cerr << "import failed: " << imported.status() << "\n";
        return 1;
      }
      segments = imported->document.segments.size();
      if (n == 0 || segments == 0) return 1;
      icu_rates.push_back(mb / Seconds(t1 - t0));
      import_rates.push_back(mb / Seconds(t2 - t1));
      import_ms.push_back(Seconds(t2 - t1) * 1e3);
    }
    double icu = Median(icu_rates), imp = Median(import_rates);
    std::printf("%5dx %10zu %8zu %12.1f %12.1f %10.3f %12.1f\n", times,
                doc.size(), segments, icu, imp, imp / icu, Median(import_ms));
  }
  return 0;
}

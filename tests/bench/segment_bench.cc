// tessera_segment_bench: sentence segmentation throughput.
//
// Builds a multilingual text from ../shared/corpus (the seed statements and
// the text content of every UDHR XML file), repeated to the sizes asked for,
// and measures in the same run:
//   - raw ICU sentence iteration: UTF-8 converted to a UnicodeString and
//     iterated (what a caller holding UTF-8 pays), and ICU iterating a UText
//     over the UTF-8 directly;
//   - text::Segmenter with an empty rule set (ICU's proposals plus the fixed
//     whitespace handling) and with the built-in rules of a language.
// It prints MB/s medians over --repeat runs, each as a ratio to raw ICU
// (UTF-16), for each size, so that growth with input size shows, and then a
// table per corpus language with that language's rules and ICU locale.
// Nothing here asserts timings; it only reports them.
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "text/segmenter.h"

ABSL_FLAG(int, repeat, 5, "Timed runs per measurement; medians are shown.");
ABSL_FLAG(std::vector<std::string>, sizes_mb,
          std::vector<std::string>({"1", "10", "50"}),
          "Sizes of the multilingual text, in MB (10^6 bytes).");
ABSL_FLAG(double, lang_mb, 4,
          "Size of each per-language text in the second table, in MB; 0 "
          "skips that table.");
ABSL_FLAG(std::string, rules, "en",
          "Language whose rules segment the multilingual text.");
ABSL_FLAG(std::string, shared_dir, TESSERA_SHARED_DIR,
          "The shared data directory holding corpus/.");

namespace tessera::bench {
namespace {

namespace fs = std::filesystem;

struct Unit {
  std::string lang;  // BCP 47
  std::string text;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Decodes the five XML entities and numeric character references.
std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(s[i++]);
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    if (name == "amp") {
      cp = '&';
    } else if (name == "lt") {
      cp = '<';
    } else if (name == "gt") {
      cp = '>';
    } else if (name == "quot") {
      cp = '"';
    } else if (name == "apos") {
      cp = '\'';
    } else if (!name.empty() && name[0] == '#') {
      const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      const std::string digits(name.substr(hex ? 2 : 1));
      if (hex ? !absl::SimpleHexAtoi(digits, &cp)
              : !absl::SimpleAtoi(digits, &cp)) {
        cp = 0;
      }
    }
    if (cp == 0 || cp > 0x10FFFF) {
      out.push_back(s[i++]);
      continue;
    }
    icu::UnicodeString(static_cast<UChar32>(cp)).toUTF8String(out);
    i = semi + 1;
  }
  return out;
}

// The text of every <title> and <para> of a UDHR file, one paragraph each,
// separated by blank lines; and the file's xml:lang.
Unit UdhrText(const std::string& xml) {
  Unit unit;
  const size_t lang = xml.find("xml:lang='");
  if (lang != std::string::npos) {
    unit.lang = xml.substr(lang + 10, xml.find('\'', lang + 10) - lang - 10);
  }
  for (size_t pos = 0;;) {
    const size_t title = xml.find("<title>", pos);
    const size_t para = xml.find("<para>", pos);
    const size_t open = std::min(title, para);
    if (open == std::string::npos) break;
    const bool is_title = open == title;
    const size_t start = open + (is_title ? 7 : 6);
    const size_t end = xml.find(is_title ? "</title>" : "</para>", start);
    if (end == std::string::npos) break;
    std::string inner;
    bool in_tag = false;
    for (size_t i = start; i < end; ++i) {
      if (xml[i] == '<') in_tag = true;
      if (!in_tag) inner.push_back(xml[i]);
      if (xml[i] == '>') in_tag = false;
    }
    if (!unit.text.empty()) unit.text += "\n\n";
    unit.text += DecodeEntities(inner);
    pos = end;
  }
  return unit;
}

std::vector<Unit> LoadCorpus(const fs::path& shared) {
  std::vector<Unit> units;
  std::vector<fs::path> seeds, udhr;
  for (const auto& e : fs::directory_iterator(shared / "corpus" / "seeds")) {
    seeds.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(shared / "corpus" / "udhr")) {
    if (e.path().extension() == ".xml") udhr.push_back(e.path());
  }
  std::sort(seeds.begin(), seeds.end());
  std::sort(udhr.begin(), udhr.end());
  for (const fs::path& p : seeds) units.push_back({"fr", ReadFile(p)});
  for (const fs::path& p : udhr) {
    Unit u = UdhrText(ReadFile(p));
    if (!u.lang.empty() && !u.text.empty()) units.push_back(std::move(u));
  }
  return units;
}

// `base` repeated, separated by blank lines, to at least `bytes` bytes and
// then cut back to the end of a paragraph no shorter than `bytes`/2.
std::string Repeat(const std::string& base, size_t bytes) {
  std::string out;
  out.reserve(bytes + base.size() + 2);
  while (out.size() < bytes) {
    if (!out.empty()) out += "\n\n";
    out += base;
  }
  const size_t cut = out.rfind("\n\n", bytes);
  if (cut != std::string::npos && cut >= bytes / 2) out.resize(cut);
  return out;
}

// Median wall time, in seconds, of `repeat` runs of `fn` after one warm-up
// run; `fn` returns a count (of sentences) that is kept so the work is
// not optimised away, and reported.
struct Timing {
  double seconds = 0;
  size_t count = 0;
};

Timing Measure(int repeat, const std::function<size_t()>& fn) {
  Timing t;
  t.count = fn();
  std::vector<double> runs;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    t.count = fn();
    const auto end = std::chrono::steady_clock::now();
    runs.push_back(std::chrono::duration<double>(end - start).count());
  }
  std::sort(runs.begin(), runs.end());
  t.seconds = runs[runs.size() / 2];
  return t;
}

std::unique_ptr<icu::BreakIterator> IcuIterator(const std::string& lang) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createSentenceInstance(icu::Locale(lang.c_str()),
                                                 status));
  if (U_FAILURE(status)) return nullptr;
  return it;
}

// ICU as a caller holding UTF-8 would use it: convert, then iterate.
size_t IcuUtf16(icu::BreakIterator& it, const std::string& text) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  it.setText(u);
  size_t n = 0;
  for (int32_t b = it.first(); b != icu::BreakIterator::DONE; b = it.next()) {
    ++n;
  }
  return n - 1;
}

// ICU iterating a UText over the UTF-8 bytes, without conversion.
size_t IcuUtext8(icu::BreakIterator& it, const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(),
                             static_cast<int64_t>(text.size()), &status);
  it.setText(ut, status);
  size_t n = 0;
  for (int32_t b = it.first(); b != icu::BreakIterator::DONE; b = it.next()) {
    ++n;
  }
  utext_close(ut);
  return n - 1;
}

struct Row {
  std::string label;
  size_t bytes;
  Timing icu16, icu8, plain, rules;
};

double MBps(size_t bytes, const Timing& t) {
  return t.seconds > 0 ? bytes / 1e6 / t.seconds : 0;
}

void PrintHeader(const char* first) {
  std::printf("%-16s %7s | %7s %7s | %9s %6s | %9s %6s | %11s\n", first, "MB",
              "ICU16", "ICU8", "no-rules", "ratio", "rules", "ratio",
              "sentences");
}

void PrintRow(const Row& r) {
  const double base = MBps(r.bytes, r.icu16);
  std::printf(
      "%-16s %7.2f | %7.1f %7.1f | %9.1f %6.2f | %9.1f %6.2f | %zu/%zu\n",
      r.label.c_str(), r.bytes / 1e6, base, MBps(r.bytes, r.icu8),
      MBps(r.bytes, r.plain), MBps(r.bytes, r.plain) / base,
      MBps(r.bytes, r.rules), MBps(r.bytes, r.rules) / base, r.rules.count,
      r.icu16.count);
  std::fflush(stdout);
}

Row Run(const std::string& label, const std::string& text,
        const std::string& lang, const text::Segmenter& plain,
        const text::Segmenter& rules, int repeat) {
  Row r{label, text.size(), {}, {}, {}, {}};
  std::unique_ptr<icu::BreakIterator> it = IcuIterator(lang);
  r.icu16 = Measure(repeat, [&] { return IcuUtf16(*it, text); });
  r.icu8 = Measure(repeat, [&] { return IcuUtext8(*it, text); });
  r.plain = Measure(repeat, [&] { return plain.Split(text).size(); });
  r.rules = Measure(repeat, [&] { return rules.Split(text).size(); });
  return r;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures sentence segmentation throughput against raw ICU.\n"
      "Example: tessera_segment_bench --sizes_mb=1,10,50 --repeat=5");
  absl::ParseCommandLine(argc, argv);
  const int repeat = std::max(1, absl::GetFlag(FLAGS_repeat));
  const fs::path shared = absl::GetFlag(FLAGS_shared_dir);
  const std::vector<Unit> units = LoadCorpus(shared);
  if (units.empty()) {
    std::fprintf(stderr, "no corpus under %s\n", shared.c_str());
    return 2;
  }

  std::string mixed;
  std::map<std::string, std::string> by_lang;
  for (const Unit& u : units) {
    if (!mixed.empty()) mixed += "\n\n";
    mixed += u.text;
    std::string& l = by_lang[u.lang];
    if (!l.empty()) l += "\n\n";
    l += u.text;
  }
  std::printf("corpus: %zu documents, %zu bytes, %zu languages\n", units.size(),
              mixed.size(), by_lang.size());

  const std::string rules_lang = absl::GetFlag(FLAGS_rules);
  auto plain = text::Segmenter::Create("", rules_lang);
  auto rules = text::Segmenter::ForLanguage(rules_lang);
  if (!plain.ok() || !rules.ok()) {
    std::fprintf(stderr, "segmenter: %s %s\n",
                 plain.status().ToString().c_str(),
                 rules.status().ToString().c_str());
    return 2;
  }

  std::printf(
      "\nMultilingual text, '%s' rules and ICU locale; MB/s, median of %d; "
      "ratio = MB/s / ICU16\n",
      rules_lang.c_str(), repeat);
  PrintHeader("size");
  for (const std::string& s : absl::GetFlag(FLAGS_sizes_mb)) {
    double mb = 0;
    if (!absl::SimpleAtod(s, &mb) || mb <= 0) {
      std::fprintf(stderr, "--sizes_mb: not a positive number: %s\n",
                   s.c_str());
      return 2;
    }
    const std::string text = Repeat(mixed, static_cast<size_t>(mb * 1e6));
    PrintRow(Run(s + "MB", text, rules_lang, **plain, **rules, repeat));
  }

  const double lang_mb = absl::GetFlag(FLAGS_lang_mb);
  if (lang_mb > 0) {
    std::printf(
        "\nOne language at a time, its own rules and ICU locale, %.1f MB "
        "each\n",
        lang_mb);
    PrintHeader("lang");
    for (const auto& [lang, base] : by_lang) {
      auto lang_plain = text::Segmenter::Create("", lang);
      auto lang_rules = text::Segmenter::ForLanguage(lang);
      if (!lang_plain.ok() || !lang_rules.ok()) continue;
      const std::string text = Repeat(base, static_cast<size_t>(lang_mb * 1e6));
      PrintRow(Run(lang + " (" + (*lang_rules)->rules_name() + ")", text, lang,
                   **lang_plain, **lang_rules, repeat));
    }
  }
  std::printf(
      "\nICU16: UTF-8 to UnicodeString, then iterate; ICU8: iterate a UText "
      "over the UTF-8. no-rules: Segmenter with an empty rule set. sentences: "
      "ours/ICU16.\n");
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) { return tessera::bench::Main(argc, argv); }

// Checks that asking ICU only about small windows around terminator runs
// (Segmenter::Split) gives exactly the boundaries of one ICU iteration over
// the whole text (internal::SplitWithFullTextIcu), for every built-in rule
// set and for ICU alone, on real documents and on random text made of the
// characters sentence breaking cares about.
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/status_matchers.h"
#include "gtest/gtest.h"
#include "text/internal/rules_data.h"
#include "text/internal/segmenter_testing.h"
#include "text/segmenter.h"

namespace tessera::text {
namespace {

std::string ReadShared(const std::string& path) {
  std::ifstream in(std::string(TESSERA_SHARED_DIR) + "/" + path,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::shared_ptr<const Segmenter>> AllSegmenters() {
  std::vector<std::shared_ptr<const Segmenter>> out;
  for (std::string_view name : internal::BuiltinRuleFileNames()) {
    if (name == "common" || name[0] == '_') continue;
    auto seg = Segmenter::ForLanguage(name);
    EXPECT_TRUE(seg.ok()) << name;
    if (seg.ok()) out.push_back(*seg);
  }
  for (const char* lang : {"en", "el", "ja", "ar"}) {
    auto plain = Segmenter::Create("", lang);
    EXPECT_TRUE(plain.ok());
    if (plain.ok()) out.push_back(*plain);
  }
  return out;
}

// Random text over an alphabet of letters of several scripts and cases,
// digits, spaces, line breaks, terminators, closers, quotes, combining and
// format characters.
std::string RandomText(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {
      "a",      "b",  "Z",    "Q",      "é",      "É",      "я",      "Я",
      "ω",      "Ω",  "中",   "あ",     "ب",      "ա",      "Ա",      "1",
      "42",     " ",  " ",    " ",      "  ",     "\n",     "\t",     "\u00A0",
      "\u202F", ".",  ".",    "..",     "...",    "!",      "?",      "…",
      ";",      ":",  ",",    "-",      "—",      ")",      "(",      "\"",
      "“",      "”",  "«",    "»",      "'",      "’",      "[",      "]",
      "*",      "_",  "¹",    "։",      "።",      "।",      "。",     "？",
      "！",     "؟",  "۔",    "\u0301", "\u202C", "\u200D", "\u2029", "\r\n",
      "Mr",     "Dr", "U.S.", "e.g.",   "1.",     "a)",     "•",      "·",
      "%",
  };
  std::uniform_int_distribution<int> len(1, 60);
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::string out;
  for (int i = len(rng); i > 0; --i) out += kPieces[pick(rng)];
  return out;
}

TEST(SegmenterIcuWindowTest, SameBoundariesAsFullIterationOnCorpus) {
  std::vector<std::string> docs;
  for (const char* f : {"icor-resolution-gaza-ceasefire.fr.txt",
                        "red-party-toulouse-report.fr.txt",
                        "cnpjdpi-communique-omar-alsoumi.fr.txt"}) {
    docs.push_back(ReadShared(std::string("corpus/seeds/") + f));
  }
  for (const char* f : {"udhr_eng.xml", "udhr_rus.xml", "udhr_arb.xml",
                        "udhr_cmn_hans.xml", "udhr_deu_1996.xml"}) {
    docs.push_back(ReadShared(std::string("corpus/udhr/") + f));
  }
  docs.push_back(ReadShared("golden-rules/golden_rules.jsonl"));
  for (const auto& seg : AllSegmenters()) {
    for (const std::string& doc : docs) {
      EXPECT_EQ(seg->Split(doc), internal::SplitWithFullTextIcu(*seg, doc))
          << seg->rules_name() << " on a document of " << doc.size()
          << " bytes";
    }
  }
}

TEST(SegmenterIcuWindowTest, SameBoundariesAsFullIterationOnRandomText) {
  std::mt19937 rng(20251121);
  const auto segmenters = AllSegmenters();
  int mismatches = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string text = RandomText(rng);
    for (const auto& seg : segmenters) {
      const std::vector<size_t> got = seg->Split(text);
      const std::vector<size_t> want =
          internal::SplitWithFullTextIcu(*seg, text);
      if (got != want && ++mismatches <= 10) {
        ADD_FAILURE() << seg->rules_name() << " on \"" << text << "\": got "
                      << absl::StrJoin(got, ",") << ", want "
                      << absl::StrJoin(want, ",");
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace tessera::text

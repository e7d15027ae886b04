// Fuzzes the text module's readers of untrusted segment text: sentence
// splitting (checked against a split that asks ICU about the whole text),
// word counts, placeholders and NFC normalisation.
//
// Input: byte 0 picks the language, the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "tests/fuzz/fuzz_util.h"
#include "text/internal/segmenter_testing.h"
#include "text/normalize.h"
#include "text/placeholders.h"
#include "text/segmenter.h"
#include "text/word_count.h"

namespace tessera::fuzz {
namespace {

// Every language with a rule file, and one without.
constexpr const char* kLanguages[] = {
    "en", "fr", "de", "es", "it", "pt", "nl", "da", "pl", "sk", "ru", "uk",
    "bg", "kk", "el", "hy", "tr", "ar", "fa", "ur", "hi", "mr", "bn", "am",
    "my", "ja", "zh", "sw"};
constexpr size_t kLanguageCount = sizeof(kLanguages) / sizeof(kLanguages[0]);

size_t LanguageIndex(std::string_view lang) {
  for (size_t i = 0; i < kLanguageCount; ++i) {
    if (lang == kLanguages[i]) return i;
  }
  return 0;
}

void WriteSeeds(const SeedSink& sink) {
  const std::string path = SharedDir() + "/golden-rules/golden_rules.jsonl";
  std::vector<std::string> langs = JsonlStrings(path, "lang");
  std::vector<std::string> texts = JsonlStrings(path, "text");
  for (size_t i = 0; i < texts.size() && i < langs.size(); ++i) {
    sink(std::string(1, static_cast<char>(LanguageIndex(langs[i]))) +
         texts[i]);
  }
  for (const auto& f : FilesIn(SharedDir() + "/corpus/seeds", ".txt")) {
    sink(std::string(1, 1) + ReadFileOrEmpty(f));
  }
}

}  // namespace
}  // namespace tessera::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tessera::fuzz::MaybeWriteSeeds(tessera::fuzz::WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  using namespace tessera::fuzz;
  if (size < 1) return -1;
  const char* lang = kLanguages[data[0] % kLanguageCount];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto seg = text::Segmenter::ForLanguage(lang);
  FUZZ_CHECK(seg.ok(), seg.status().ToString());
  std::vector<size_t> ends = (*seg)->Split(text);
  FUZZ_CHECK(text.empty() == ends.empty(), "empty text iff no sentence");
  const bool valid = FindInvalidUtf8(text) == std::string_view::npos;
  size_t prev = 0;
  for (size_t e : ends) {
    FUZZ_CHECK(e > prev, "sentence ends not strictly ascending");
    if (valid) {
      FUZZ_CHECK(e == text.size() ||
                     (static_cast<unsigned char>(text[e]) & 0xC0) != 0x80,
                 "sentence end inside a character");
    }
    prev = e;
  }
  if (!ends.empty()) FUZZ_CHECK(ends.back() == text.size(), "last end");
  FUZZ_CHECK(ends == text::internal::SplitWithFullTextIcu(**seg, text),
             "windowed ICU answers differ from whole-text ICU");

  FUZZ_CHECK(text::CountWords(text, lang) >= 0, "negative word count");

  size_t last_end = 0;
  for (const auto& p : text::FindPlaceholders(text)) {
    FUZZ_CHECK(p.begin >= last_end && p.begin < p.end && p.end <= text.size(),
               "placeholders overlap or leave the text");
    last_end = p.end;
  }
  (void)text::IsNonTranslatable(text);

  if (valid) {
    std::string nfc = text::NormalizeNfc(text);
    FUZZ_CHECK(text::IsNfc(nfc), "NormalizeNfc result is not NFC");
    FUZZ_CHECK(text::NormalizeNfc(nfc) == nfc, "NFC is not idempotent");
    FUZZ_CHECK(text::IsNfc(text) == (nfc == text), "IsNfc disagrees");
  }
  return 0;
}

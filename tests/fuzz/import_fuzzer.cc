// Fuzzes the import pipeline as CreateStatement runs it (UTF-8 check, NFC,
// the language's segmenter, the text module's verbatim check), for
// Markdown, or plain text when built with TESSERA_FUZZ_PLAINTEXT. Whatever
// imports must reassemble byte for byte, survive the storage form, and
// render a pseudo-translation the same way through Render and
// PreparedDocument.
//
// Input: byte 0 picks the source language, the rest is the document.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/utf8.h"
#include "formats/document.h"
#include "formats/export.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "formats/render.h"
#include "formats/test_util.h"
#include "tests/fuzz/fuzz_util.h"
#include "text/normalize.h"
#include "text/placeholders.h"
#include "text/segmenter.h"

namespace tessera::fuzz {
namespace {

constexpr const char* kLanguages[] = {"en", "fr", "de", "ru", "ar",
                                      "hi", "ja", "zh", "es", "tr"};
constexpr size_t kLanguageCount = sizeof(kLanguages) / sizeof(kLanguages[0]);

#ifdef TESSERA_FUZZ_PLAINTEXT
constexpr formats::Format kFormat = formats::Format::kPlainText;
#else
constexpr formats::Format kFormat = formats::Format::kMarkdown;
#endif

absl::StatusOr<formats::Document> Import(std::string_view source,
                                         const formats::ImportOptions& o) {
  return kFormat == formats::Format::kMarkdown
             ? formats::ImportMarkdown(source, o)
             : formats::ImportPlainText(source, o);
}

void WriteSeeds(const SeedSink& sink) {
  const std::string shared = SharedDir();
  auto add = [&](uint8_t lang, std::string_view doc) {
    std::string s(1, static_cast<char>(lang));
    s.append(doc);
    sink(s);
  };
  for (const auto& f : FilesIn(shared + "/corpus/seeds", ".txt")) {
    add(1, ReadFileOrEmpty(f));  // the seeds are French
  }
  for (const auto& f : FilesIn(shared + "/corpus/udhr", ".xml")) {
    auto md = formats::testing::UdhrToMarkdown(ReadFileOrEmpty(f));
    if (md.ok()) add(0, *md);
  }
  if (kFormat == formats::Format::kMarkdown) {
    for (const auto& md : JsonlStrings(
             shared + "/commonmark/gfm-spec-examples.jsonl", "markdown")) {
      add(0, md);
    }
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
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto segmenter = text::Segmenter::ForLanguage(lang);
  FUZZ_CHECK(segmenter.ok(), segmenter.status().ToString());
  std::shared_ptr<const text::Segmenter> seg = *segmenter;
  formats::ImportOptions options;
  options.split_sentences = [seg](std::string_view t) { return seg->Split(t); };
  options.is_verbatim = [](std::string_view t) {
    return text::IsNonTranslatable(t);
  };

  if (FindInvalidUtf8(bytes) != std::string_view::npos ||
      bytes.find('\0') != std::string_view::npos) {
    auto refused = Import(bytes, options);
    FUZZ_CHECK(absl::IsInvalidArgument(refused.status()),
               refused.status().ToString());
    return 0;
  }
  std::string normalized;
  std::string_view source = bytes;
  if (!text::IsNfc(bytes)) {
    normalized = text::NormalizeNfc(bytes);
    source = normalized;
  }
  FUZZ_CHECK(text::IsNfc(source), "NormalizeNfc gave text that is not NFC");

  auto doc = Import(source, options);
  FUZZ_CHECK(doc.ok(), doc.status().ToString());

  for (size_t i = 0; i < doc->segments.size(); ++i) {
    const formats::Segment& s = doc->segments[i];
    absl::Status valid = formats::ValidateContent(s, s.content);
    FUZZ_CHECK(valid.ok(), "segment " + std::to_string(i) + ": " +
                               valid.ToString());
    auto readable = formats::ParseReadable(formats::ToReadable(s.content));
    FUZZ_CHECK(readable.ok() && *readable == s.content,
               "readable form of segment " + std::to_string(i));
  }

  // The fidelity promise: the source contents give the input back.
  auto identity = formats::Render(*doc, formats::SourceContents(*doc));
  FUZZ_CHECK(identity.ok(), identity.status().ToString());
  FUZZ_CHECK(*identity == source, "identity rendering differs from source");

  auto stored = formats::DeserializeDocument(formats::SerializeDocument(*doc));
  FUZZ_CHECK(stored.ok(), stored.status().ToString());
  FUZZ_CHECK(*stored == *doc, "storage form does not round-trip");

  // A translation either renders or is refused; the two renderers agree.
  std::vector<formats::Content> pseudo = formats::testing::PseudoTranslate(*doc);
  auto once = formats::Render(*doc, pseudo);
  formats::PreparedDocument prepared(*doc);
  auto again = prepared.Render(pseudo);
  FUZZ_CHECK(once.ok() || absl::IsInvalidArgument(once.status()),
             once.status().ToString());
  FUZZ_CHECK(once.ok() == again.ok() && (!once.ok() || *once == *again),
             "Render and PreparedDocument::Render disagree");
  auto prepared_identity = prepared.Render(formats::SourceContents(*doc));
  FUZZ_CHECK(prepared_identity.ok() && *prepared_identity == source,
             "prepared identity rendering differs from source");
  if (once.ok()) {
    if (kFormat == formats::Format::kMarkdown) {
      (void)formats::MarkdownToHtml(*once);
      (void)formats::MarkdownToPlainText(*once);
    } else {
      (void)formats::PlainTextToHtml(*once);
    }
  }
  return 0;
}

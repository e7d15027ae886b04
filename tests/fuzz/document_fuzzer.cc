// Fuzzes the stored binary form of documents (DeserializeDocument), the
// bytes read back from RocksDB: anything else than a well-formed document is
// DATA_LOSS, and a document that parses serialises back to the same
// document and renders its source contents without INTERNAL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "formats/document.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "formats/render.h"
#include "tests/fuzz/fuzz_util.h"

namespace tessera::fuzz {
namespace {

void WriteSeeds(const SeedSink& sink) {
  for (const auto& f : FilesIn(SharedDir() + "/corpus/seeds", ".txt")) {
    std::string text = ReadFileOrEmpty(f).substr(0, 3000);
    auto md = formats::ImportMarkdown(text);
    if (md.ok()) sink(formats::SerializeDocument(*md));
    auto plain = formats::ImportPlainText(text);
    if (plain.ok()) sink(formats::SerializeDocument(*plain));
  }
  for (std::string_view s :
       {"# T\n\nA *b* [c](d) `e` \\* &amp; x<br>y\n\n| a | b |\n|---|---|\n"
        "| 1 | 2 |\n",
        "- one\n- two\n\n> quote ~~s~~ <https://x.org>[^1]\n\n[^1]: n\n"}) {
    auto md = formats::ImportMarkdown(s);
    if (md.ok()) sink(formats::SerializeDocument(*md));
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
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto doc = formats::DeserializeDocument(bytes);
  if (!doc.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(doc.status()), doc.status().ToString());
    return 0;
  }
  auto again = formats::DeserializeDocument(formats::SerializeDocument(*doc));
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(*again == *doc, "serialised form does not round-trip");
  auto rendered = formats::Render(*doc, formats::SourceContents(*doc));
  FUZZ_CHECK(rendered.ok() || absl::IsInvalidArgument(rendered.status()),
             rendered.status().ToString());
  return 0;
}

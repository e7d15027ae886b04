// Fuzzes the TMX reader (interchange/tmx.h) with arbitrary bytes: it
// answers a document or INVALID_ARGUMENT / RESOURCE_EXHAUSTED, never
// crashes, and what it reads writes back to TMX that reads to the same
// units, each of whose segments maps to Content and back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "interchange/tmx.h"
#include "tests/fuzz/fuzz_util.h"

namespace tessera::fuzz {
namespace {

void WriteSeeds(const SeedSink& sink) {
  for (const auto& f : FilesIn(SharedDir() + "/interop/examples", ".tmx")) {
    sink(ReadFileOrEmpty(f));
  }
  sink(
      "<?xml version=\"1.0\"?><tmx version=\"1.4\"><header srclang=\"fr\"/>"
      "<body><tu tuid=\"a\" usagecount=\"2\"><prop type=\"x\">p</prop><tuv "
      "xml:lang=\"fr\"><seg><hi x=\"1\">a<bpt i=\"1\">[</bpt>b</hi><ept "
      "i=\"1\">]</ept><ph>&lt;x/&gt;</ph><it pos=\"end\">)</it><ut>u</ut>"
      "</seg></tuv><tuv lang=\"en\"><seg>&#13;b<![CDATA[<c>]]></seg></tuv>"
      "</tu></body></tmx>");
}

}  // namespace
}  // namespace tessera::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tessera::fuzz::MaybeWriteSeeds(tessera::fuzz::WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  using namespace tessera::interchange;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto doc = ReadTmx(bytes);
  if (!doc.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(doc.status()) ||
                   absl::IsResourceExhausted(doc.status()),
               doc.status().ToString());
    FUZZ_CHECK(!absl::IsInvalidArgument(doc.status()) ||
                   TmxErrorLine(doc.status()).has_value(),
               doc.status().ToString());
    return 0;
  }
  FUZZ_CHECK(doc->units.size() + doc->problems.size() ==
                 static_cast<size_t>(doc->units_read),
             "units and problems do not add up");
  for (const TmxUnit& u : doc->units) {
    for (const TmxVariant& v : u.variants) {
      auto back = TmxSegmentFromContent(ContentFromTmxSegment(v.segment),
                                        TmxNativesFromSegment(v.segment));
      FUZZ_CHECK(back.ok(), back.status().ToString());
      FUZZ_CHECK(back->text == v.segment.text, "text changed");
    }
  }
  TmxHeader header = doc->header;
  if (header.srclang.empty()) header.srclang = "*all*";
  auto written = WriteTmx(header, doc->units);
  FUZZ_CHECK(written.ok(), written.status().ToString());
  auto again = ReadTmx(*written);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(again->problems.empty(), again->problems[0].message);
  FUZZ_CHECK(again->units.size() == doc->units.size(), "units lost");
  for (size_t i = 0; i < doc->units.size(); ++i) {
    TmxUnit a = doc->units[i], b = again->units[i];
    a.index = b.index = a.line = b.line = 0;
    FUZZ_CHECK(a == b, "unit changed in a write and read");
  }
  return 0;
}

// Fuzzes the readable form translators type ("{1}bold{/1}{2/}"): whatever
// parses prints back to a form that parses to the same content, and the
// offsets it gives point inside the text on character boundaries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "formats/document.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view readable(reinterpret_cast<const char*>(data), size);
  auto content = formats::ParseReadable(readable);
  if (!content.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(content.status()),
               content.status().ToString());
    return 0;
  }
  size_t prev = 0;
  for (const auto& c : content->codes) {
    FUZZ_CHECK(c.offset >= prev && c.offset <= content->text.size(),
               "code offsets out of order or outside the text");
    FUZZ_CHECK(c.offset == content->text.size() ||
                   (static_cast<unsigned char>(content->text[c.offset]) &
                    0xC0) != 0x80,
               "code offset inside a character");
    FUZZ_CHECK(c.id >= 1, "code id below 1");
    prev = c.offset;
  }
  std::string printed = formats::ToReadable(*content);
  auto again = formats::ParseReadable(printed);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(*again == *content, "readable form does not round-trip");
  FUZZ_CHECK(formats::ToReadable(*again) == printed, "printing not stable");
  return 0;
}

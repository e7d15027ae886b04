// Fuzzes the H2 guard's frame scanner, which reads whatever a client sends
// before gRPC does: however the bytes are split across reads, it counts the
// same RST_STREAM headers as a plain walk over the whole stream.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "server/h2_guard.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// The reference: preface, then header, payload, header, payload...
int CountResets(const std::string& s) {
  int resets = 0;
  size_t at = 24;
  while (at + 9 <= s.size()) {
    size_t len = size_t{static_cast<uint8_t>(s[at])} << 16 |
                 size_t{static_cast<uint8_t>(s[at + 1])} << 8 |
                 size_t{static_cast<uint8_t>(s[at + 2])};
    if (s[at + 3] == 0x3) ++resets;
    at += 9 + len;
  }
  return resets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::string splits = in.ConsumeRandomLengthString(64);
  std::string bytes = in.ConsumeRemainingBytesAsString();
  tessera::H2FrameScanner scanner;
  int total = 0;
  size_t at = 0;
  for (size_t i = 0; at < bytes.size(); ++i) {
    size_t k = i < splits.size()
                   ? 1 + static_cast<uint8_t>(splits[i]) % 64
                   : bytes.size() - at;
    k = std::min(k, bytes.size() - at);
    total += scanner.Feed(bytes.data() + at, k);
    at += k;
  }
  FUZZ_CHECK(total == CountResets(bytes),
             "split scan counted a different number of RST_STREAM frames");
  return 0;
}

// Fuzzes the project's UTF-8 decoder (common/utf8.h) against a plain
// reading of Unicode's Table 3-7 written here: the first ill-formed offset
// must agree, decoding forwards and backwards must see the same code points
// on well-formed text, and both must re-encode to the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "formats/internal/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// Length of the well-formed sequence at s[i], or 0.
size_t WellFormedAt(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto in = [&](size_t k, int lo, int hi) {
    return i + k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  unsigned char c = b(0);
  if (c <= 0x7F) return 1;
  if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) {
    return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c >= 0xF1 && c <= 0xF3) {
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c == 0xF4) {
    return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view s(reinterpret_cast<const char*>(data), size);

  size_t expected = std::string_view::npos;
  for (size_t i = 0; i < s.size();) {
    size_t n = WellFormedAt(s, i);
    if (n == 0) {
      expected = i;
      break;
    }
    i += n;
  }
  FUZZ_CHECK(FindInvalidUtf8(s) == expected,
             "FindInvalidUtf8 " + std::to_string(FindInvalidUtf8(s)) +
                 ", expected " + std::to_string(expected));
  FUZZ_CHECK(ValidateUtf8(s).ok() == (expected == std::string_view::npos),
             "ValidateUtf8 disagrees");
  FUZZ_CHECK(formats::internal::CheckUtf8(s, "x", true).ok() ==
                 (expected == std::string_view::npos),
             "CheckUtf8 disagrees");

  // Forwards: every step advances and matches the reference length; U+FFFD
  // of length 1 exactly where the reference sees an ill-formed byte.
  std::vector<char32_t> forward;
  std::string reencoded;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = DecodeUtf8(s, i, &cp);
    size_t ref = WellFormedAt(s, i);
    FUZZ_CHECK(n == (ref == 0 ? 1 : ref), "DecodeUtf8 length");
    if (ref == 0) {
      FUZZ_CHECK(cp == 0xFFFD, "ill-formed byte not read as U+FFFD");
    } else {
      formats::internal::AppendUtf8(cp, &reencoded);
      FUZZ_CHECK(reencoded.size() >= n &&
                     reencoded.compare(reencoded.size() - n, n,
                                       s.substr(i, n)) == 0,
                 "decoded code point does not re-encode to its bytes");
    }
    forward.push_back(cp);
    i += n;
  }
  if (expected == std::string_view::npos) {
    std::vector<char32_t> backward;
    for (size_t end = s.size(); end > 0;) {
      char32_t cp = 0;
      size_t n = DecodeUtf8Before(s, end, &cp);
      FUZZ_CHECK(n >= 1 && n <= end, "DecodeUtf8Before length");
      backward.push_back(cp);
      end -= n;
    }
    FUZZ_CHECK(std::vector<char32_t>(backward.rbegin(), backward.rend()) ==
                   forward,
               "backward decoding differs from forward decoding");
    FUZZ_CHECK(reencoded == s, "re-encoding differs");
  }
  return 0;
}

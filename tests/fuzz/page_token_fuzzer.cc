// Fuzzes page tokens, which clients hand back as they please: any token
// decodes to a cursor or INVALID_ARGUMENT, a token made for one query
// decodes to its cursor for that query only, and a token that decodes
// re-encodes to one that decodes to the same cursor.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "services/common/paging.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  FuzzedDataProvider in(data, size);
  std::string field = in.ConsumeRandomLengthString(32);
  std::string cursor = in.ConsumeRandomLengthString(256);
  std::string token = in.ConsumeRemainingBytesAsString();
  const std::string fp = QueryFingerprint("Fuzz").String(field).Build();
  const std::string other = QueryFingerprint("Fuzz").String(field + "x").Build();

  auto decoded = DecodePageToken(token, fp);
  if (token.empty()) {
    FUZZ_CHECK(decoded.ok() && decoded->empty(),
               "the empty token must give the empty cursor");
  }
  if (!decoded.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(decoded.status()),
               decoded.status().ToString());
  } else {
    auto again = DecodePageToken(EncodePageToken(fp, *decoded), fp);
    FUZZ_CHECK(again.ok() && *again == *decoded, "re-encoded token");
  }

  std::string made = EncodePageToken(fp, cursor);
  FUZZ_CHECK(!made.empty(), "EncodePageToken gave an empty token");
  auto back = DecodePageToken(made, fp);
  FUZZ_CHECK(back.ok() && *back == cursor, "token does not give its cursor");
  auto wrong = DecodePageToken(made, other);
  FUZZ_CHECK(absl::IsInvalidArgument(wrong.status()),
             "token accepted for another query");
  // Any change to one byte must be refused or give the same cursor.
  if (!made.empty() && size > 0) {
    std::string altered = made;
    altered[data[0] % altered.size()] ^= static_cast<char>(1 + data[size - 1] % 255);
    auto a = DecodePageToken(altered, fp);
    FUZZ_CHECK(!a.ok() || *a == cursor, "altered token gave another cursor");
  }
  return 0;
}

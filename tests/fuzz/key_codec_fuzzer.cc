// Fuzzes the storage key codec and record envelope: keys built from fuzzed
// values read back to the same values, byte order equals value order for
// strings and signed integers, PrefixSuccessor bounds every key with its
// prefix, and KeyReader / DecodeRecord reject arbitrary bytes cleanly.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/key_codec.h"
#include "storage/store.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  using namespace tessera::storage;
  std::string raw(reinterpret_cast<const char*>(data), size);

  // Arbitrary bytes: reading any sequence of fields ends without a crash.
  {
    KeyReader r(raw);
    uint8_t kind;
    if (r.Kind(&kind)) {
      for (size_t i = 0; i < 16 && !r.done(); ++i) {
        std::string s;
        uint64_t u64;
        int64_t i64;
        uint32_t u32;
        bool ok = false;
        switch ((kind + i) % 4) {
          case 0: ok = r.String(&s); break;
          case 1: ok = r.U64(&u64); break;
          case 2: ok = r.I64(&i64); break;
          case 3: ok = r.U32(&u32); break;
        }
        if (!ok) break;
      }
    }
    auto rec = DecodeRecord(raw);
    FUZZ_CHECK(rec.ok() == (raw.size() >= 9), "DecodeRecord size rule");
    if (rec.ok()) {
      FUZZ_CHECK(EncodeRecord(rec->format, rec->version, rec->payload) == raw,
                 "record envelope does not round-trip");
    }
  }

  FuzzedDataProvider in(data, size);
  using Value = std::variant<uint8_t, uint32_t, uint64_t, int64_t, std::string>;
  std::vector<Value> values;
  KeyBuilder b(in.ConsumeIntegral<uint8_t>());
  while (in.remaining_bytes() > 0 && values.size() < 32) {
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
      case 0: values.emplace_back(in.ConsumeIntegral<uint8_t>()); break;
      case 1: values.emplace_back(in.ConsumeIntegral<uint32_t>()); break;
      case 2: values.emplace_back(in.ConsumeIntegral<uint64_t>()); break;
      case 3: values.emplace_back(in.ConsumeIntegral<int64_t>()); break;
      case 4: values.emplace_back(in.ConsumeRandomLengthString(64)); break;
    }
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, uint8_t>) b.U8(v);
          if constexpr (std::is_same_v<T, uint32_t>) b.U32(v);
          if constexpr (std::is_same_v<T, uint64_t>) b.U64(v);
          if constexpr (std::is_same_v<T, int64_t>) b.I64(v);
          if constexpr (std::is_same_v<T, std::string>) b.String(v);
        },
        values.back());
  }
  const std::string key = b.Build();
  KeyReader r(key);
  uint8_t kind;
  FUZZ_CHECK(r.Kind(&kind), "kind");
  for (const Value& want : values) {
    Value got;
    bool ok = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          T out{};
          bool read = false;
          if constexpr (std::is_same_v<T, uint8_t>) read = r.U8(&out);
          if constexpr (std::is_same_v<T, uint32_t>) read = r.U32(&out);
          if constexpr (std::is_same_v<T, uint64_t>) read = r.U64(&out);
          if constexpr (std::is_same_v<T, int64_t>) read = r.I64(&out);
          if constexpr (std::is_same_v<T, std::string>) read = r.String(&out);
          got = out;
          return read;
        },
        want);
    FUZZ_CHECK(ok && got == want, "key field does not read back");
  }
  FUZZ_CHECK(r.done(), "key has trailing bytes");

  // Order: the first two strings (or integers) of the key, compared as
  // encoded keys, compare as values.
  const std::string* s[2] = {nullptr, nullptr};
  const int64_t* n[2] = {nullptr, nullptr};
  for (const Value& v : values) {
    if (auto* p = std::get_if<std::string>(&v)) (s[0] ? s[1] : s[0]) = p;
    if (auto* p = std::get_if<int64_t>(&v)) (n[0] ? n[1] : n[0]) = p;
  }
  if (s[1] != nullptr) {
    std::string a = KeyBuilder(1).String(*s[0]).U8(0).Build();
    std::string c = KeyBuilder(1).String(*s[1]).U8(0).Build();
    FUZZ_CHECK((*s[0] < *s[1]) == (a < c) && (*s[0] == *s[1]) == (a == c),
               "string key order differs from string order");
  }
  if (n[1] != nullptr) {
    std::string a = KeyBuilder(1).I64(*n[0]).Build();
    std::string c = KeyBuilder(1).I64(*n[1]).Build();
    FUZZ_CHECK((*n[0] < *n[1]) == (a < c), "I64 key order");
  }

  std::string succ = PrefixSuccessor(key);
  if (key.find_first_not_of('\xff') == std::string::npos) {
    FUZZ_CHECK(succ.empty(), "successor of an all-0xFF prefix");
  } else {
    FUZZ_CHECK(key < succ && (key + raw) < succ,
               "PrefixSuccessor does not bound the prefix's keys");
  }
  return 0;
}

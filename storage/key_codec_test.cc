#include "storage/key_codec.h"

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace tessera::storage {
namespace {

TEST(KeyCodecTest, U64OrderMatchesNumericOrder) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> values = {0,     1,          255,   256,
                                  65535, 1ull << 32, ~0ull, ~0ull - 1};
  for (int i = 0; i < 1000; ++i) values.push_back(rng() >> (rng() % 64));
  for (uint64_t a : values) {
    for (int j = 0; j < 20; ++j) {
      uint64_t b = values[rng() % values.size()];
      std::string ka = KeyBuilder(7).U64(a).Build();
      std::string kb = KeyBuilder(7).U64(b).Build();
      EXPECT_EQ(a < b, ka < kb) << a << " vs " << b;
      EXPECT_EQ(a == b, ka == kb);
    }
  }
}

TEST(KeyCodecTest, I64OrderPutsNegativesFirst) {
  std::vector<int64_t> values = {INT64_MIN, -1000, -1, 0, 1, 1000, INT64_MAX};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(KeyBuilder(1).I64(values[i]).Build(),
              KeyBuilder(1).I64(values[i + 1]).Build());
  }
  int64_t back;
  // KeyReader views its input: the key must outlive it.
  const std::string key = KeyBuilder(1).I64(-42).Build();
  KeyReader r(key);
  uint8_t kind;
  ASSERT_TRUE(r.Kind(&kind));
  ASSERT_TRUE(r.I64(&back));
  EXPECT_EQ(back, -42);
}

TEST(KeyCodecTest, StringOrderSurvivesPrefixesAndZeroBytes) {
  std::vector<std::string> strings = {"",
                                      std::string("\0", 1),
                                      std::string("\0\0", 2),
                                      "a",
                                      std::string("a\0", 2),
                                      std::string("a\0b", 3),
                                      "a\x01",
                                      "ab",
                                      "b",
                                      "\xff",
                                      "\xff\xff"};
  std::vector<std::string> sorted = strings;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = 0; j < sorted.size(); ++j) {
      // Composite keys: (string, u64) must sort by string first.
      std::string ki = KeyBuilder(2).String(sorted[i]).U64(9).Build();
      std::string kj = KeyBuilder(2).String(sorted[j]).U64(1).Build();
      EXPECT_EQ(sorted[i] < sorted[j], ki < kj) << i << " " << j;
    }
  }
}

TEST(KeyCodecTest, RoundTripsEveryComponent) {
  std::string s("x\0y", 3);
  std::string key = KeyBuilder(3)
                        .U8(9)
                        .U32(0xdeadbeef)
                        .U64(12345)
                        .String(s)
                        .Raw("tail")
                        .Build();
  KeyReader r(key);
  uint8_t kind, u8;
  uint32_t u32;
  uint64_t u64;
  std::string str;
  ASSERT_TRUE(r.Kind(&kind));
  ASSERT_TRUE(r.U8(&u8));
  ASSERT_TRUE(r.U32(&u32));
  ASSERT_TRUE(r.U64(&u64));
  ASSERT_TRUE(r.String(&str));
  EXPECT_EQ(kind, 3);
  EXPECT_EQ(u8, 9);
  EXPECT_EQ(u32, 0xdeadbeef);
  EXPECT_EQ(u64, 12345u);
  EXPECT_EQ(str, s);
  EXPECT_EQ(r.Rest(), "tail");
}

TEST(KeyCodecTest, MalformedInputIsRejected) {
  uint64_t v;
  const std::string two("\x01\x02", 2);
  KeyReader short_key(two);
  EXPECT_FALSE(short_key.U64(&v));
  std::string s;
  KeyReader unterminated("abc");
  EXPECT_FALSE(unterminated.String(&s));
  const std::string escape("a\0\x05", 3);
  KeyReader bad_escape(escape);
  EXPECT_FALSE(bad_escape.String(&s));
}

TEST(KeyCodecTest, PrefixSuccessorBoundsPrefixScans) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor("a\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");
  std::string p = KeyBuilder(4).U64(7).Build();
  EXPECT_LT(KeyBuilder(4).U64(7).String("zzz").Build(), PrefixSuccessor(p));
  EXPECT_GE(KeyBuilder(4).U64(8).Build(), PrefixSuccessor(p));
}

}  // namespace
}  // namespace tessera::storage

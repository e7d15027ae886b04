// The publications family's keys, pinned: data written by earlier releases
// must keep reading (storage/FORMAT.md, "publications").
#include "services/publication/publication_keys.h"

#include <string>

#include "gtest/gtest.h"

namespace tessera::publication {
namespace {

using namespace std::string_literals;

std::string BigEndian(uint64_t v) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

TEST(PublicationKeysTest, KeysKeepTheirBytes) {
  const std::string fr = "fr\x00\x01"s;
  EXPECT_EQ(PublicationKey(7, "fr", 3),
            "\x01"s + BigEndian(7) + fr + BigEndian(3));
  EXPECT_EQ(DocumentKey(7, "fr", 3),
            "\x02"s + BigEndian(7) + fr + BigEndian(3));
  EXPECT_EQ(HeadKey(7, "fr"), "\x03"s + BigEndian(7) + fr);
  EXPECT_EQ(
      ListingKey(absl::FromUnixMicros(5), "s-1", "fr", 2),
      "\x04"s + BigEndian(~uint64_t{5}) + "s-1\x00\x01"s + fr + BigEndian(2));
  EXPECT_EQ(ListingPrefix(), "\x04");
  EXPECT_EQ(CursorKey(), "\x05"s + BigEndian(0));
  // Every key lies in the 9-byte prefix extractor's domain.
  EXPECT_GE(HeadKey(1, "").size(), 9u);
  EXPECT_GE(CursorKey().size(), 9u);
}

TEST(PublicationKeysTest, ListingKeysListNewestFirstAndParseBack) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  EXPECT_LT(ListingKey(t + absl::Seconds(1), "b", "fr", 1),
            ListingKey(t, "a", "fr", 1));
  ListingEntry entry;
  ASSERT_TRUE(ParseListingKey(ListingKey(t, "s-1", "pt-BR", 12), &entry));
  EXPECT_EQ(entry.create_time, t);
  EXPECT_EQ(entry.statement_id, "s-1");
  EXPECT_EQ(entry.language, "pt-BR");
  EXPECT_EQ(entry.version, 12);
  EXPECT_FALSE(ParseListingKey(HeadKey(1, "fr"), &entry));
  EXPECT_FALSE(ParseListingKey("\x04\x01", &entry));
}

}  // namespace
}  // namespace tessera::publication

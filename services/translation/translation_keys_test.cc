// The byte layouts of storage/FORMAT.md ("translations"), pinned: stored
// keys must never change.
#include "services/translation/translation_keys.h"

#include <string>

#include "gtest/gtest.h"
#include "storage/key_codec.h"

namespace tessera::translation {
namespace {

using std::string_literals::operator""s;

// [u64 7][str "fr"]
const std::string kLanguage =
    "\0\0\0\0\0\0\0\x07"
    "fr\0\x01"s;
// ...[str "s1"]
const std::string kSegment = kLanguage + "s1\0\x01"s;

TEST(TranslationKeysTest, EveryKindHasItsFormatRow) {
  EXPECT_EQ(TranslationRecordKey(7, "fr", "s1"), "\x01"s + kSegment);
  EXPECT_EQ(TranslationLanguagePrefix(7, "fr"), "\x01"s + kLanguage);
  EXPECT_EQ(HistoryKey(7, "fr", "s1", 3),
            "\x02"s + kSegment + "\0\0\0\0\0\0\0\x03"s);
  EXPECT_EQ(HistorySegmentPrefix(7, "fr", "s1"), "\x02"s + kSegment);
  EXPECT_EQ(CommentKey(7, "fr", "s1", 2),
            "\x03"s + kSegment + "\0\0\0\0\0\0\0\x02"s);
  EXPECT_EQ(CommentSegmentPrefix(7, "fr", "s1"), "\x03"s + kSegment);
  EXPECT_EQ(CounterKey(7, "fr", SegmentState::kApproved, CounterUnit::kWords),
            "\x04"s + kLanguage + "\x03\x01"s);
  EXPECT_EQ(
      CounterKey(7, "fr", SegmentState::kNeedsUpdate, CounterUnit::kSegments),
      "\x04"s + kLanguage + "\x05\0"s);
  EXPECT_EQ(CarryOverCursorKey(), "\x05"s);
  EXPECT_EQ(RevisionAppliedKey(7, "fr"), "\x06"s + kLanguage);
  EXPECT_EQ(CommentHeadKey(7, "fr", "s1"), "\x07"s + kSegment);
  EXPECT_EQ(CommentHeadLanguagePrefix(7, "fr"), "\x07"s + kLanguage);
  EXPECT_EQ(CommentRequestKey(7, "fr", "s1", "anna", "r1"),
            "\x08"s + kSegment + "anna\0\x01r1\0\x01"s);
}

TEST(TranslationKeysTest, SegmentsOfALanguageAreOnePrefixScan) {
  const std::string prefix = TranslationLanguagePrefix(7, "fr");
  const std::string end = storage::PrefixSuccessor(prefix);
  for (const std::string& key :
       {TranslationRecordKey(7, "fr", ""), TranslationRecordKey(7, "fr", "a"),
        TranslationRecordKey(7, "fr", std::string("a\0b", 3))}) {
    EXPECT_EQ(key.compare(0, prefix.size(), prefix), 0);
    EXPECT_LT(key, end);
  }
  // Another language with the same start is outside.
  EXPECT_NE(
      TranslationRecordKey(7, "fr-CA", "a").compare(0, prefix.size(), prefix),
      0);
}

TEST(TranslationKeysTest, KeysDecodeBack) {
  EXPECT_EQ(SegmentIdOfKey(TranslationRecordKey(7, "fr", "s\0x"s)), "s\0x"s);
  EXPECT_EQ(SegmentIdOfKey(CommentHeadKey(9, "de", "s2")), "s2");
  EXPECT_EQ(SegmentIdOfKey("\x01"s), std::nullopt);
  EXPECT_EQ(CommentIdOfKey(CommentKey(7, "fr", "s1", 42)), 42u);
  EXPECT_EQ(CommentIdOfKey("short"), std::nullopt);
}

}  // namespace
}  // namespace tessera::translation

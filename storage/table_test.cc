#include "storage/table.h"

#include <memory>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "storage/key_codec.h"

namespace tessera::storage {
namespace {

using ::google::protobuf::StringValue;
using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

constexpr ColumnFamily kCf = ColumnFamily::kStatements;
constexpr uint8_t kFormat = 0x01;
// Field 1, length 5, but only two bytes follow.
const std::string kUnparsable = std::string("\x0a\x05") + "ab";

StringValue Widget(std::string_view text) {
  StringValue v;
  v.set_value(std::string(text));
  return v;
}

std::string Key(uint64_t n) { return KeyBuilder(0x01).U64(n).Build(); }

std::string CorruptMessage(std::string_view what, std::string_view key) {
  return "corrupt " + std::string(what) + " record at key " + HexEncode(key);
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = dir_.path();
    auto store = Store::Open(options);
    ASSERT_OK(store);
    store_ = std::move(store).value();
  }

  absl::Status Commit(WriteSet w) {
    return store_->Commit(std::move(w)).status();
  }

  // Stores `value` as it is, bypassing every table.
  void PutBytes(std::string_view key, std::string_view value) {
    WriteSet w;
    w.Put(kCf, key, value);
    ASSERT_OK(Commit(std::move(w)));
  }

  std::optional<std::string> Bytes(std::string_view key) {
    auto v = store_->Get(kCf, key);
    EXPECT_OK(v);
    return v.ok() ? *v : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TableTest, RecordRoundTripsInTheRecordEnvelope) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet w;
  widgets.PutNew(&w, Key(1), Widget("hello"));
  ASSERT_OK(Commit(std::move(w)));

  ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->record.value(), "hello");
  EXPECT_EQ(got->version, 1u);
  // The bytes are exactly storage/FORMAT.md's envelope.
  EXPECT_EQ(Bytes(Key(1)),
            EncodeRecord(kFormat, 1, Widget("hello").SerializeAsString()));

  ASSERT_OK_AND_ASSIGN(auto absent, widgets.Get(Key(2)));
  EXPECT_FALSE(absent.has_value());
}

TEST_F(TableTest, DecodeIntoReplacesWhatTheRecordHeld) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  Versioned<StringValue> reused;
  ASSERT_OK(widgets.DecodeInto(
      Key(1), EncodeRecord(kFormat, 7, Widget("first").SerializeAsString()),
      &reused));
  EXPECT_EQ(reused.version, 7u);
  EXPECT_EQ(reused.record.value(), "first");
  // A record without the field leaves nothing of the previous one.
  ASSERT_OK(widgets.DecodeInto(Key(2), EncodeRecord(kFormat, 2, ""), &reused));
  EXPECT_EQ(reused.version, 2u);
  EXPECT_EQ(reused.record.value(), "");
}

TEST_F(TableTest, UpdateWritesTheNextVersion) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet create;
  widgets.PutNew(&create, Key(1), Widget("v1"));
  ASSERT_OK(Commit(std::move(create)));
  for (uint64_t read = 1; read <= 2; ++read) {
    WriteSet w;
    widgets.Update(&w, Key(1), Widget("next"), read);
    ASSERT_OK(Commit(std::move(w)));
    ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->version, read + 1);
  }
  // Put takes the version as given.
  WriteSet w;
  widgets.Put(&w, Key(1), Widget("forced"), 40);
  ASSERT_OK(Commit(std::move(w)));
  ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
  EXPECT_EQ(got->version, 40u);
  EXPECT_EQ(got->record.value(), "forced");
}

TEST_F(TableTest, LostCompareAndSetIsAbortedAndWritesNothing) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  TaggedTable<std::string> index(store_.get(), kCf, kFormat, "index");
  WriteSet create;
  widgets.PutNew(&create, Key(1), Widget("first"));
  ASSERT_OK(Commit(std::move(create)));

  // Two writers read version 1; the first to commit wins.
  WriteSet winner;
  widgets.Update(&winner, Key(1), Widget("winner"), 1);
  WriteSet loser;
  widgets.Update(&loser, Key(1), Widget("loser"), 1);
  widgets.PutNew(&loser, Key(2), Widget("loser's other record"));
  index.Put(&loser, Key(3), "loser's index entry");
  ASSERT_OK(Commit(std::move(winner)));
  EXPECT_THAT(Commit(std::move(loser)), StatusIs(absl::StatusCode::kAborted));

  ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
  EXPECT_EQ(got->record.value(), "winner");
  EXPECT_EQ(got->version, 2u);
  EXPECT_FALSE(Bytes(Key(2)).has_value());
  EXPECT_FALSE(Bytes(Key(3)).has_value());
}

TEST_F(TableTest, PutNewOnATakenKeyIsAborted) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet first;
  widgets.PutNew(&first, Key(1), Widget("first"));
  ASSERT_OK(Commit(std::move(first)));
  WriteSet second;
  widgets.PutNew(&second, Key(1), Widget("second"));
  EXPECT_THAT(Commit(std::move(second)), StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
  EXPECT_EQ(got->record.value(), "first");
  EXPECT_EQ(got->version, 1u);
}

TEST_F(TableTest, ExpectVersionGuardsARecordItDoesNotWrite) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet create;
  widgets.PutNew(&create, Key(1), Widget("guard"));
  ASSERT_OK(Commit(std::move(create)));
  WriteSet change;
  widgets.Update(&change, Key(1), Widget("guard moved"), 1);
  ASSERT_OK(Commit(std::move(change)));

  WriteSet stale;
  widgets.ExpectVersion(&stale, Key(1), 1);
  widgets.PutNew(&stale, Key(2), Widget("depends on the guard"));
  EXPECT_THAT(Commit(std::move(stale)), StatusIs(absl::StatusCode::kAborted));
  EXPECT_FALSE(Bytes(Key(2)).has_value());

  WriteSet fresh;
  widgets.ExpectVersion(&fresh, Key(1), 2);
  widgets.PutNew(&fresh, Key(2), Widget("depends on the guard"));
  ASSERT_OK(Commit(std::move(fresh)));
  EXPECT_TRUE(Bytes(Key(2)).has_value());
  EXPECT_EQ(
      Bytes(Key(1)),
      EncodeRecord(kFormat, 2, Widget("guard moved").SerializeAsString()));
}

TEST_F(TableTest, DeleteRemovesTheRecord) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet create;
  widgets.PutNew(&create, Key(1), Widget("doomed"));
  ASSERT_OK(Commit(std::move(create)));
  WriteSet remove;
  widgets.ExpectVersion(&remove, Key(1), 1);
  widgets.Delete(&remove, Key(1));
  widgets.Delete(&remove, Key(9));  // absent: not an error
  ASSERT_OK(Commit(std::move(remove)));
  ASSERT_OK_AND_ASSIGN(auto got, widgets.Get(Key(1)));
  EXPECT_FALSE(got.has_value());
}

struct CorruptCase {
  std::string name;
  std::string value;
};

class CorruptRecordTest : public TableTest,
                          public ::testing::WithParamInterface<CorruptCase> {};

TEST_P(CorruptRecordTest, EveryReadGivesTheOneInternalError) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet good;
  widgets.PutNew(&good, Key(1), Widget("fine"));
  widgets.PutNew(&good, Key(3), Widget("never reached"));
  ASSERT_OK(Commit(std::move(good)));
  PutBytes(Key(2), GetParam().value);
  const std::string message = CorruptMessage("widget", Key(2));

  EXPECT_THAT(widgets.Get(Key(2)),
              StatusIs(absl::StatusCode::kInternal, message));
  EXPECT_THAT(widgets.Decode(Key(2), GetParam().value),
              StatusIs(absl::StatusCode::kInternal, message));
  Versioned<StringValue> reused;
  EXPECT_THAT(widgets.DecodeInto(Key(2), GetParam().value, &reused),
              StatusIs(absl::StatusCode::kInternal, message));

  // A scan sees the records before the corrupt one, then fails with it.
  std::vector<std::string> seen;
  EXPECT_THAT(widgets.ScanPrefix(
                  KeyBuilder(0x01).Build(),
                  [&](std::string_view, const Versioned<StringValue>& r) {
                    seen.push_back(r.record.value());
                    return true;
                  }),
              StatusIs(absl::StatusCode::kInternal, message));
  EXPECT_EQ(seen, std::vector<std::string>{"fine"});
}

INSTANTIATE_TEST_SUITE_P(
    Values, CorruptRecordTest,
    ::testing::Values(
        CorruptCase{"ShortEnvelope", std::string("\x01\x00\x00\x00", 4)},
        CorruptCase{"Empty", ""},
        CorruptCase{"UnknownFormat",
                    EncodeRecord(0x02, 1, Widget("x").SerializeAsString())},
        CorruptCase{"PayloadDoesNotParse",
                    EncodeRecord(kFormat, 1, kUnparsable)}),
    [](const ::testing::TestParamInfo<CorruptCase>& info) {
      return info.param.name;
    });

TEST_F(TableTest, ScanVisitsKeysInOrderAndStopsWhenAsked) {
  Table<StringValue> widgets(store_.get(), kCf, kFormat, "widget");
  WriteSet w;
  for (uint64_t n : {5, 3, 1, 4, 2}) {
    widgets.PutNew(&w, Key(n), Widget(std::to_string(n)));
  }
  // Another kind, outside the prefix.
  widgets.PutNew(&w, KeyBuilder(0x02).U64(0).Build(), Widget("other kind"));
  ASSERT_OK(Commit(std::move(w)));

  std::vector<std::string> seen;
  auto collect = [&](std::string_view, const Versioned<StringValue>& r) {
    seen.push_back(r.record.value());
    return true;
  };
  ASSERT_OK(widgets.ScanPrefix(KeyBuilder(0x01).Build(), collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3", "4", "5"}));

  seen.clear();
  ASSERT_OK(widgets.Scan(Key(2), Key(4), collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"2", "3"}));

  seen.clear();
  ASSERT_OK(widgets.Scan(
      Key(0), "", [&](std::string_view key, const Versioned<StringValue>& r) {
        EXPECT_EQ(key, Key(seen.size() + 1));
        seen.push_back(r.record.value());
        return seen.size() < 2;
      }));
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2"}));
}

TEST_F(TableTest, RawTableKeepsBytesAndVersionOnlyRecords) {
  RawTable hashes(store_.get(), kCf, kFormat, "hash");
  const std::string hash = Sha256("secret");
  WriteSet w;
  hashes.PutNew(&w, Key(1), hash);
  hashes.Put(&w, Key(2), "", 7);  // a version-only record
  ASSERT_OK(Commit(std::move(w)));
  EXPECT_EQ(Bytes(Key(1)), EncodeRecord(kFormat, 1, hash));
  EXPECT_EQ(Bytes(Key(2)), EncodeRecord(kFormat, 7, ""));
  ASSERT_OK_AND_ASSIGN(auto got, hashes.Get(Key(1)));
  EXPECT_EQ(got->record, hash);
  ASSERT_OK_AND_ASSIGN(auto head, hashes.Get(Key(2)));
  EXPECT_EQ(head->record, "");
  EXPECT_EQ(head->version, 7u);
}

TEST_F(TableTest, U64PayloadIsEightBigEndianBytes) {
  Table<uint64_t> ids(store_.get(), kCf, kFormat, "owner");
  WriteSet w;
  ids.PutNew(&w, Key(1), 0x0102030405060708ull);
  ASSERT_OK(Commit(std::move(w)));
  EXPECT_EQ(Bytes(Key(1)),
            EncodeRecord(kFormat, 1, "\x01\x02\x03\x04\x05\x06\x07\x08"));
  ASSERT_OK_AND_ASSIGN(auto got, ids.Get(Key(1)));
  EXPECT_EQ(got->record, 0x0102030405060708ull);

  PutBytes(Key(2), EncodeRecord(kFormat, 1, "\x01\x02\x03"));
  EXPECT_THAT(ids.Get(Key(2)), StatusIs(absl::StatusCode::kInternal,
                                        CorruptMessage("owner", Key(2))));
}

TEST_F(TableTest, TaggedTableStoresFormatThenPayload) {
  TaggedTable<std::string> documents(store_.get(), kCf, kFormat, "document");
  WriteSet w;
  documents.Put(&w, Key(1), "# Title\n");
  documents.Put(&w, Key(2), "");
  ASSERT_OK(Commit(std::move(w)));
  EXPECT_EQ(Bytes(Key(1)), "\x01# Title\n");
  EXPECT_EQ(Bytes(Key(2)), "\x01");
  ASSERT_OK_AND_ASSIGN(auto got, documents.Get(Key(1)));
  EXPECT_EQ(got, "# Title\n");
  ASSERT_OK_AND_ASSIGN(auto empty, documents.Get(Key(2)));
  EXPECT_EQ(empty, "");
  ASSERT_OK_AND_ASSIGN(auto absent, documents.Get(Key(3)));
  EXPECT_FALSE(absent.has_value());

  std::vector<std::string> seen;
  ASSERT_OK(documents.ScanPrefix(KeyBuilder(0x01).Build(),
                                 [&](std::string_view, const std::string& v) {
                                   seen.push_back(v);
                                   return true;
                                 }));
  EXPECT_EQ(seen, (std::vector<std::string>{"# Title\n", ""}));

  WriteSet remove;
  documents.Delete(&remove, Key(1));
  ASSERT_OK(Commit(std::move(remove)));
  ASSERT_OK_AND_ASSIGN(auto gone, documents.Get(Key(1)));
  EXPECT_FALSE(gone.has_value());
}

TEST_F(TableTest, TaggedTableRefusesWhatItCannotDecode) {
  TaggedTable<uint32_t> ordinals(store_.get(), kCf, kFormat, "segment index");
  TaggedTable<StringValue> segments(store_.get(), kCf, kFormat, "segment");
  WriteSet w;
  ordinals.Put(&w, Key(1), 258);
  ASSERT_OK(Commit(std::move(w)));
  EXPECT_EQ(Bytes(Key(1)), std::string("\x01\x00\x00\x01\x02", 5));
  ASSERT_OK_AND_ASSIGN(auto got, ordinals.Get(Key(1)));
  EXPECT_EQ(got, 258u);

  PutBytes(Key(2), "");
  PutBytes(Key(3), std::string("\x02\x00\x00\x00\x01", 5));
  PutBytes(Key(4), std::string("\x01\x00\x01", 3));
  PutBytes(Key(5), "\x01" + kUnparsable);
  for (uint64_t n : {2, 3, 4}) {
    EXPECT_THAT(ordinals.Get(Key(n)),
                StatusIs(absl::StatusCode::kInternal,
                         CorruptMessage("segment index", Key(n))));
  }
  EXPECT_THAT(
      segments.Get(Key(5)),
      StatusIs(absl::StatusCode::kInternal, CorruptMessage("segment", Key(5))));
  EXPECT_THAT(ordinals.Scan(Key(1), "",
                            [](std::string_view, uint32_t) { return true; }),
              StatusIs(absl::StatusCode::kInternal,
                       CorruptMessage("segment index", Key(2))));
}

}  // namespace
}  // namespace tessera::storage

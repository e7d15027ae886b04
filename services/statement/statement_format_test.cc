// The stored bytes of the statements column family are pinned
// (storage/FORMAT.md): a fixed scenario, run with a fixed clock and fixed
// randomness, must leave exactly the same keys and values, kind by kind.
// A change here is a format change and needs a new format byte.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/statement/statement_core.h"
#include "storage/store.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::TempDir;
using ::testing::ElementsAre;

// Bytes 0x00, 0x01, 0x02, ... in order: ids drawn in a fixed sequence.
class CountingRandom final : public RandomSource {
 public:
  absl::StatusOr<std::string> Bytes(size_t n) override {
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(next_++);
    return out;
  }

 private:
  uint8_t next_ = 1;
};

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }

constexpr std::string_view kFirst =
    "# Appel\n\nNous exigeons un cessez-le-feu. Maintenant !\n\n"
    "- https://example.org/appel\n- 12 345\n\n| a | b |\n|---|---|\n"
    "| *un* | deux |\n";
constexpr std::string_view kSecond =
    "# Appel\n\nIntro ajoutée.\n\nNous exigeons un cessez-le-feu tout de "
    "suite. Maintenant !\n\n- https://example.org/appel\n- 12 345\n";

// SHA-256 (hex) over every [key][value] of each key kind, length-prefixed.
std::map<int, std::string> DigestByKind(storage::Store& store) {
  std::map<int, std::string> bytes;
  EXPECT_OK(store.Scan(storage::ColumnFamily::kStatements, "", "",
                       [&](std::string_view k, std::string_view v) {
                         std::string& b = bytes[static_cast<uint8_t>(k[0])];
                         b += std::to_string(k.size()) + ":";
                         b.append(k);
                         b += std::to_string(v.size()) + ":";
                         b.append(v);
                         return true;
                       }));
  std::map<int, std::string> out;
  for (const auto& [kind, b] : bytes) out[kind] = HexEncode(Sha256(b));
  return out;
}

TEST(StatementFormatTest, ScenarioLeavesThePinnedBytes) {
  TempDir dir;
  FakeClock clock;
  CountingRandom random;
  storage::StoreOptions so;
  so.path = dir.Sub("db");
  so.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto store, storage::Store::Open(so));
  StatementCore core(store.get(), &clock, &random);

  CreateParams p;
  p.statement_id = "appel";
  p.title = "Appel";
  p.source = std::string(kFirst);
  p.source_language = "fr";
  p.target_languages = {"de", "en"};
  p.deadline = clock.Now() + absl::Hours(72);
  p.labels["campaign"] = "gaza";
  p.review_rounds = 2;
  p.no_translate_ranges = {{NoTranslateRange::Kind::kBlocks, 3, 3}};
  p.control.request_id = "create-1";
  ASSERT_OK(core.CreateStatement(Admin(), p));
  clock.Advance(absl::Seconds(5));

  CreateParams q;
  q.title = "Sans nom";
  q.format = formats::Format::kPlainText;
  q.source = "Bonjour.\n\nAu revoir.\n";
  q.source_language = "fr";
  q.target_languages = {"en"};
  q.draft = true;
  ASSERT_OK_AND_ASSIGN(Statement unnamed, core.CreateStatement(Admin(), q));
  clock.Advance(absl::Seconds(5));

  ReviseParams r;
  r.statement_id = "appel";
  r.version = 1;
  r.source = std::string(kSecond);
  r.note = "plus court";
  r.control.request_id = "revise-1";
  ASSERT_OK(core.ReviseStatement(Admin(), r));
  clock.Advance(absl::Seconds(5));

  StatementUpdate u;
  u.title = "Appel urgent";
  ASSERT_OK(core.UpdateStatement(Admin(), "appel", 2, u));
  ASSERT_OK(core.CloseStatement(Admin(), "appel", 3));
  ASSERT_OK(core.OpenStatement(Admin(), unnamed.statement_id, 1));

  EXPECT_EQ(unnamed.statement_id, "s090a0b0c0d0e0f10");
  std::map<int, std::string> digests = DigestByKind(*store);
  std::map<int, std::string> pinned = {
      {0x01,
       "2962c087b34812e42c62dd74c6b21c051f105545184269be720f229a7c650726"},
      {0x02,
       "3d4644b3155571b8440da18e88d33e3f2a67b64204bb8847e5ad3a372526f17c"},
      {0x03,
       "cdb01e648feac6a50f614f0d65b28c24986ae2bd40e404c97b464438b633e3dd"},
      {0x04,
       "6591aebfddac9a4350352b20be8b46c3ae82db73e11d9d2a87ea4932dc5f6dc0"},
      {0x05,
       "e2b23d484c58ef6307955831cf941189002c6f3d0d3ea595eff9475ec9aa095f"},
      {0x06,
       "07d2c666c20916a74e95ed145e82b2eccc5b9318ceaf725877362eaba4af3540"},
      {0x07,
       "4e16c2b545128abe3349b9da40f6ceff37a99560665613d116d11d657ec21fab"},
      {0x08,
       "e9f8518d2f1ecdc41c2c7b01b0d9f2f00dc7cddd5d70f1232c296cdbcd75f97a"},
      {0x09,
       "fef4d04ec88ad891ce52951f133db7c7844ffa4828e4a830056141307f8d528e"},
      {0x0A,
       "08e1bd9f0f23130d70058eff8d287b989dfc65b12a86a7f4022f06f8ad5d2128"},
  };
  for (const auto& [kind, digest] : digests) {
    EXPECT_EQ(digest, pinned[kind]) << "kind " << kind;
  }
  EXPECT_EQ(digests.size(), pinned.size());

  ASSERT_OK_AND_ASSIGN(auto events, store->ReadFeed(0, 100));
  std::vector<std::string> feed;
  for (const auto& e : events) feed.push_back(e.type + " " + e.payload);
  EXPECT_THAT(
      feed, ElementsAre(
                "statement.created statements/appel/revisions/1 by users/root",
                "statement.created statements/s090a0b0c0d0e0f10/revisions/1 "
                "by users/root",
                "statement.revised statements/appel/revisions/2 by users/root",
                "statement.updated statements/appel by users/root",
                "statement.closed statements/appel by users/root",
                "statement.opened statements/s090a0b0c0d0e0f10 by users/root"));
}

}  // namespace
}  // namespace tessera::statement

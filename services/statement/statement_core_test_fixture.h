// The fixture the StatementCore tests share: a core over a real RocksDB in
// a temp directory, the corpus seeds, principals, and helpers to snapshot
// the column family and page through segments. Test-only.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_TEST_FIXTURE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_TEST_FIXTURE_H_

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "formats/render.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/error_testing.h"
#include "services/statement/statement_core.h"
#include "storage/store.h"

namespace tessera::statement {

inline const std::string kSeeds =
    std::string(TESSERA_SHARED_DIR) + "/corpus/seeds/";
inline const char* const kSeedNames[] = {
    "icor-resolution-gaza-ceasefire.fr.txt",
    "cnpjdpi-communique-omar-alsoumi.fr.txt",
    "red-party-toulouse-report.fr.txt"};
inline const std::string kResolution = "icor-resolution-gaza-ceasefire.fr.txt";

inline std::string ReadSeed(const std::string& name) {
  std::ifstream in(kSeeds + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
inline Principal Coordinator(std::vector<std::string> languages = {}) {
  return Principal{"coord", "", {{Role::kCoordinator, std::move(languages)}}};
}
inline Principal WithRole(std::string user, Role role,
                          std::vector<std::string> languages = {}) {
  return Principal{std::move(user), "", {{role, std::move(languages)}}};
}

using ::tessera::testing::ErrorInfoOf;

// Every key and value of the statements column family, plus the feed's
// last sequence: equal snapshots mean nothing was written.
struct Snapshot {
  std::vector<std::pair<std::string, std::string>> rows;
  uint64_t feed = 0;
  bool operator==(const Snapshot&) const = default;
};

class StatementCoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(ImportLimits()); }

  void Open(ImportLimits limits) {
    core_.reset();
    store_.reset();
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    auto store = storage::Store::Open(so);
    ASSERT_OK(store);
    store_ = std::move(store).value();
    core_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                            RandomSource::Secure(), limits);
  }

  Snapshot Snap() {
    Snapshot s;
    EXPECT_OK(store_->Scan(storage::ColumnFamily::kStatements, "", "",
                           [&](std::string_view k, std::string_view v) {
                             s.rows.emplace_back(k, v);
                             return true;
                           }));
    s.feed = store_->LastVisibleFeedSeq();
    return s;
  }

  CreateParams Params(const std::string& source,
                      formats::Format format = formats::Format::kMarkdown) {
    CreateParams p;
    p.title = "Résolution de l'ICOR";
    p.format = format;
    p.source = source;
    p.source_language = "fr";
    p.target_languages = {"de", "en"};
    return p;
  }

  Statement CreateOrDie(CreateParams p, const Principal& who = Admin()) {
    auto s = core_->CreateStatement(who, std::move(p));
    EXPECT_OK(s);
    return s.ok() ? *s : Statement();
  }

  std::vector<SourceSegment> AllSegments(const std::string& id, int rev = 0) {
    std::vector<SourceSegment> out;
    std::string token;
    do {
      auto page = core_->ListSourceSegments(Admin(), id, rev, 7, token, false);
      EXPECT_OK(page);
      if (!page.ok()) break;
      out.insert(out.end(), page->segments.begin(), page->segments.end());
      token = page->next_page_token;
    } while (!token.empty());
    return out;
  }

  std::vector<std::string> Ids(const std::string& id, int rev = 0) {
    std::vector<std::string> ids;
    for (const auto& s : AllSegments(id, rev)) ids.push_back(s.info.segment_id);
    return ids;
  }

  ::tessera::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> core_;
};

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_CORE_TEST_FIXTURE_H_

// GlossaryEdge over a real core and RocksDB: the role and language rules
// of memory.proto for every glossary method, the VersionConflict detail,
// and GetSuggestions' glossary hits.
#include "services/memory/glossary/glossary_service.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"
#include "storage/store.h"
#include "tessera/v1/common.pb.h"

namespace tessera::memory::glossary {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::testing::ElementsAre;

constexpr char kConflictUrl[] = "type.googleapis.com/tessera.v1.VersionConflict";

Principal P(std::string id, Role role, std::vector<std::string> langs = {}) {
  return Principal{std::move(id), "", {{role, std::move(langs)}}};
}

// Callers, by what the matrix expects of them on an entry fr -> de.
const std::map<std::string, Principal>& Personas() {
  static const auto* m = new std::map<std::string, Principal>{
      {"admin", P("root", Role::kAdmin)},
      {"coordinator_de", P("dora", Role::kCoordinator, {"de"})},
      {"coordinator_en", P("carl", Role::kCoordinator, {"en"})},
      {"translator_de", P("anna", Role::kTranslator, {"de"})},
      {"translator_en", P("emil", Role::kTranslator, {"en"})},
      {"reviewer_de", P("bert", Role::kReviewer, {"de"})},
      {"service", P("svc", Role::kService)},
      {"nobody", Principal{"nobody", "", {}}},
  };
  return *m;
}

std::string ReasonOf(const absl::Status& s) {
  auto d = DetailsOf(s);
  return d ? d->reason : "";
}

class GlossaryEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions o;
    o.path = dir_.Sub("db");
    auto store = storage::Store::Open(o);
    ASSERT_OK(store.status());
    store_ = *std::move(store);
    core_ = std::make_unique<GlossaryCore>(store_.get(), Clock::Real(),
                                           RandomSource::Secure());
    edge_ = std::make_unique<GlossaryEdge>(core_.get());
  }

  v1::GlossaryEntry MakeEntry(std::string source, std::string target) {
    v1::CreateGlossaryEntryRequest req;
    req.mutable_glossary_entry()->set_source_language("fr");
    req.mutable_glossary_entry()->set_target_language("de");
    req.mutable_glossary_entry()->set_source_term(std::move(source));
    req.mutable_glossary_entry()->set_target_term(std::move(target));
    v1::GlossaryEntry out;
    EXPECT_OK(edge_->Create(Personas().at("admin"), req, &out));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<GlossaryCore> core_;
  std::unique_ptr<GlossaryEdge> edge_;
};

// The reason each persona gets from each method ("" for OK).
TEST_F(GlossaryEdgeTest, RoleMatrix) {
  const std::map<std::string, std::map<std::string, std::string>> expected = {
      {"Get",
       {{"admin", ""}, {"coordinator_de", ""},
        {"coordinator_en", "LANGUAGE_NOT_GRANTED"}, {"translator_de", ""},
        {"translator_en", "LANGUAGE_NOT_GRANTED"}, {"reviewer_de", ""},
        {"service", ""}, {"nobody", "ROLE_DENIED"}}},
      {"List",
       {{"admin", ""}, {"coordinator_de", ""}, {"coordinator_en", ""},
        {"translator_de", ""}, {"translator_en", ""}, {"reviewer_de", ""},
        {"service", ""}, {"nobody", "ROLE_DENIED"}}},
      {"Create",
       {{"admin", ""}, {"coordinator_de", ""},
        {"coordinator_en", "LANGUAGE_NOT_GRANTED"},
        {"translator_de", "ROLE_DENIED"}, {"translator_en", "ROLE_DENIED"},
        {"reviewer_de", "ROLE_DENIED"}, {"service", "ROLE_DENIED"},
        {"nobody", "ROLE_DENIED"}}},
      {"Update",
       {{"admin", ""}, {"coordinator_de", ""},
        {"coordinator_en", "LANGUAGE_NOT_GRANTED"},
        {"translator_de", "ROLE_DENIED"}, {"translator_en", "ROLE_DENIED"},
        {"reviewer_de", "ROLE_DENIED"}, {"service", "ROLE_DENIED"},
        {"nobody", "ROLE_DENIED"}}},
      {"Delete",
       {{"admin", ""}, {"coordinator_de", ""},
        {"coordinator_en", "LANGUAGE_NOT_GRANTED"},
        {"translator_de", "ROLE_DENIED"}, {"translator_en", "ROLE_DENIED"},
        {"reviewer_de", "ROLE_DENIED"}, {"service", "ROLE_DENIED"},
        {"nobody", "ROLE_DENIED"}}},
  };
  int n = 0;
  for (const auto& [method, row] : expected) {
    for (const auto& [persona, reason] : row) {
      const Principal& caller = Personas().at(persona);
      v1::GlossaryEntry entry = MakeEntry("terme" + std::to_string(n),
                                          "Begriff" + std::to_string(n));
      ++n;
      absl::Status s;
      if (method == "Get") {
        v1::GetGlossaryEntryRequest req;
        req.set_name(entry.name());
        v1::GlossaryEntry out;
        s = edge_->Get(caller, req, &out);
        if (s.ok()) {
          EXPECT_EQ(out.name(), entry.name());
        }
      } else if (method == "List") {
        v1::ListGlossaryEntriesRequest req;
        v1::ListGlossaryEntriesResponse out;
        s = edge_->List(caller, req, &out);
        if (s.ok()) {
          // Entries into a language the caller has no role in are left out.
          const bool sees_de = persona.find("_en") == std::string::npos;
          EXPECT_EQ(out.glossary_entries_size() > 0, sees_de) << persona;
        }
      } else if (method == "Create") {
        v1::CreateGlossaryEntryRequest req;
        *req.mutable_glossary_entry() = entry;
        req.mutable_glossary_entry()->set_source_term("neu" + persona);
        v1::GlossaryEntry out;
        s = edge_->Create(caller, req, &out);
        if (s.ok()) {
          EXPECT_EQ(out.creator(), "users/" + caller.user_id);
        }
      } else if (method == "Update") {
        v1::UpdateGlossaryEntryRequest req;
        *req.mutable_glossary_entry() = entry;
        req.mutable_glossary_entry()->set_note("geändert");
        req.mutable_update_mask()->add_paths("note");
        v1::GlossaryEntry out;
        s = edge_->Update(caller, req, &out);
        if (s.ok()) {
          EXPECT_EQ(out.note(), "geändert");
        }
      } else {
        v1::DeleteGlossaryEntryRequest req;
        req.set_name(entry.name());
        req.set_version(entry.version());
        google::protobuf::Empty out;
        s = edge_->Delete(caller, req, &out);
      }
      if (reason.empty()) {
        EXPECT_OK(s) << method << " as " << persona;
      } else {
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied))
            << method << " as " << persona;
        EXPECT_EQ(ReasonOf(s), reason) << method << " as " << persona;
      }
    }
  }
}

TEST_F(GlossaryEdgeTest, StaleUpdateCarriesTheEntryAsItIsNow) {
  v1::GlossaryEntry entry = MakeEntry("paix", "Frieden");
  v1::UpdateGlossaryEntryRequest req;
  *req.mutable_glossary_entry() = entry;
  req.mutable_glossary_entry()->set_target_term("Friede");
  req.mutable_update_mask()->add_paths("target_term");
  v1::GlossaryEntry out;
  ASSERT_OK(edge_->Update(Personas().at("admin"), req, &out));
  EXPECT_EQ(out.version(), 2);
  absl::Status stale = edge_->Update(Personas().at("admin"), req, &out);
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  auto payload = stale.GetPayload(kConflictUrl);
  ASSERT_TRUE(payload.has_value());
  v1::VersionConflict conflict;
  ASSERT_TRUE(conflict.ParseFromString(std::string(*payload)));
  EXPECT_EQ(conflict.resource(), entry.name());
  EXPECT_EQ(conflict.request_version(), 1);
  EXPECT_EQ(conflict.current_version(), 2);
  v1::GlossaryEntry current;
  ASSERT_TRUE(conflict.current().UnpackTo(&current));
  EXPECT_EQ(current.target_term(), "Friede");

  v1::DeleteGlossaryEntryRequest del;
  del.set_name(entry.name());
  del.set_version(1);
  google::protobuf::Empty empty;
  absl::Status stale_delete = edge_->Delete(Personas().at("admin"), del, &empty);
  EXPECT_THAT(stale_delete, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(stale_delete.GetPayload(kConflictUrl).has_value());
  // Other failures carry no conflict.
  req.mutable_update_mask()->add_paths("creator");
  absl::Status bad = edge_->Update(Personas().at("admin"), req, &out);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(bad.GetPayload(kConflictUrl).has_value());
}

TEST_F(GlossaryEdgeTest, BadNamesAndVersionsAreInvalidArgument) {
  v1::GetGlossaryEntryRequest get;
  get.set_name("glossary/abc");
  v1::GlossaryEntry out;
  EXPECT_THAT(edge_->Get(Personas().at("admin"), get, &out),
              StatusIs(absl::StatusCode::kInvalidArgument));
  get.set_name("glossaryEntries/0123");
  EXPECT_THAT(edge_->Get(Personas().at("admin"), get, &out),
              StatusIs(absl::StatusCode::kNotFound));
  v1::DeleteGlossaryEntryRequest del;
  del.set_name(MakeEntry("paix", "Frieden").name());
  google::protobuf::Empty empty;
  EXPECT_THAT(edge_->Delete(Personas().at("admin"), del, &empty),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(GlossaryEdgeTest, SuggestionsGetTheHitsWithByteRanges) {
  MakeEntry("Nations Unies", "Vereinte Nationen");
  v1::Suggestions s;
  ASSERT_OK(edge_->AddHits("fr", "de", "Les Nations unies.", &s));
  ASSERT_EQ(s.glossary_hits_size(), 1);
  EXPECT_EQ(s.glossary_hits(0).start(), 4u);
  EXPECT_EQ(s.glossary_hits(0).end(), 17u);
  EXPECT_EQ(s.glossary_hits(0).entry().target_term(), "Vereinte Nationen");
}

}  // namespace
}  // namespace tessera::memory::glossary

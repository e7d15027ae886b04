// Holds storage/FORMAT.md to what the server really writes: one workflow
// touches every service (users and tokens, a statement created and revised
// with request ids, translations approved and published automatically, a
// comment, an assignment and a claimed lease); then every key in every
// column family is read back. Each key kind and value format found must be
// documented, and every documented kind must have been written.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/publication.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

// What FORMAT.md says about one key kind of one column family.
struct DocumentedKind {
  int format = -1;  // the value's first byte; -1 when the doc names none
  std::string row;
};
// Column family name → kind byte → documentation.
using Documented = std::map<std::string, std::map<int, DocumentedKind>>;

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::stringstream in(row);
  std::string cell;
  std::getline(in, cell, '|');  // before the first bar
  while (std::getline(in, cell, '|')) {
    const size_t b = cell.find_first_not_of(' ');
    const size_t e = cell.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  if (!cells.empty() && cells.back().empty()) cells.pop_back();
  return cells;
}

// Reads the kind tables of every "## `family`" section.
Documented ParseFormatDoc(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return {};
  }
  static const std::regex section(R"(^## `([a-z]+)`)");
  static const std::regex kind_cell(R"(^0x([0-9A-Fa-f]{2})\b)");
  static const std::regex key_kind(R"(^`\[0x([0-9A-Fa-f]{2})\])");
  static const std::regex envelope_format(R"(format 0x([0-9A-Fa-f]{2}))");
  static const std::regex leading_format(R"(^`\[0x([0-9A-Fa-f]{2})\])");
  Documented doc;
  std::string family;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, section)) {
      family = m[1];
      doc[family];
      continue;
    }
    if (line.rfind("## ", 0) == 0) family.clear();
    if (family.empty() || line.rfind("| ", 0) != 0) continue;
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() < 2) continue;
    // Tables are either | kind | key | value | or | key | value |.
    const std::string& key = cells.size() >= 3 ? cells[1] : cells[0];
    const std::string& value = cells.back();
    std::smatch km;
    if (!std::regex_search(key, km, key_kind)) continue;  // a header row
    const int kind = std::stoi(km[1], nullptr, 16);
    std::smatch cm;
    if (cells.size() >= 3 && (!std::regex_search(cells[0], cm, kind_cell) ||
                              std::stoi(cm[1], nullptr, 16) != kind)) {
      *error += "kind column and key disagree: " + line + "\n";
    }
    DocumentedKind d;
    d.row = line;
    std::smatch vm;
    if (std::regex_search(value, vm, envelope_format) ||
        std::regex_search(value, vm, leading_format)) {
      d.format = std::stoi(vm[1], nullptr, 16);
    } else if (value.find("merge counter") != std::string::npos) {
      d.format = 0x01;  // counters are [0x01][i64], see Conventions
    }
    if (!doc[family].emplace(kind, d).second) {
      *error += "kind documented twice: " + line + "\n";
    }
  }
  return doc;
}

std::string Hex(int byte) {
  char buf[8];
  snprintf(buf, sizeof buf, "0x%02X", byte);
  return buf;
}

class StorageFormatTest : public ::testing::Test {
 protected:
  StorageFormatTest() {
    statements_ = v1::StatementService::NewStub(ts_.channel());
    translations_ = v1::TranslationService::NewStub(ts_.channel());
    assignments_ = v1::AssignmentService::NewStub(ts_.channel());
    publications_ = v1::PublicationService::NewStub(ts_.channel());
    submitter_ = ts_.CreateUserWithToken(
        "c1", {Grant(v1::ROLE_COORDINATOR, {"fr", "de"})});
    approver_ = ts_.CreateUserWithToken(
        "c2", {Grant(v1::ROLE_COORDINATOR, {"fr", "de"})});
    translator_ =
        ts_.CreateUserWithToken("tr", {Grant(v1::ROLE_TRANSLATOR, {"de"})});
    service_ = ts_.CreateUserWithToken("site", {Grant(v1::ROLE_SERVICE)});
  }

  std::vector<v1::Translation> Segments(const std::string& parent) {
    v1::ListSegmentsRequest req;
    req.set_parent(parent);
    req.set_page_size(1000);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = translations_->ListSegments(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.translations().begin(), resp.translations().end()};
  }

  // Runs a workflow that writes every kind of record; returns the
  // statement's name.
  std::string WriteEverything() {
    v1::CreateStatementRequest create;
    create.set_request_id("create-1");
    create.set_title("Call for peace");
    create.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    create.set_source("We demand a ceasefire.\n\nWe call for peace.\n");
    create.set_source_language("en");
    create.add_target_languages("fr");
    create.add_target_languages("de");
    v1::Statement st;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = statements_->CreateStatement(ctx.get(), create, &st);
    EXPECT_TRUE(s.ok()) << s.error_message();

    v1::ReviseStatementRequest revise;
    revise.set_statement(st.name());
    revise.set_version(st.version());
    revise.set_request_id("revise-1");
    revise.set_source(
        "We demand a ceasefire now.\n\nWe call for peace.\n\nSign here.\n");
    v1::Revision rev;
    ctx = AuthContext(submitter_);
    s = statements_->ReviseStatement(ctx.get(), revise, &rev);
    EXPECT_TRUE(s.ok()) << s.error_message();

    // French: every segment submitted and approved (four eyes), so it is
    // published automatically.
    const std::string fr = st.name() + "/languages/fr";
    for (const v1::Translation& t : Segments(fr)) {
      v1::SubmitRequest sub;
      sub.set_name(t.name());
      sub.set_version(t.version());
      *sub.mutable_content() = t.source().content();
      v1::Translation done;
      ctx = AuthContext(submitter_);
      s = translations_->Submit(ctx.get(), sub, &done);
      EXPECT_TRUE(s.ok()) << s.error_message();
      v1::ApproveRequest app;
      app.set_name(t.name());
      app.set_version(done.version());
      ctx = AuthContext(approver_);
      s = translations_->Approve(ctx.get(), app, &done);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }

    const std::vector<v1::Translation> de =
        Segments(st.name() + "/languages/de");
    EXPECT_FALSE(de.empty());
    if (de.empty()) return st.name();
    v1::AddCommentRequest comment;
    comment.set_parent(de[0].name());
    comment.set_text("Keep it short.");
    comment.set_request_id("comment-1");
    v1::Comment c;
    ctx = AuthContext(submitter_);
    s = translations_->AddComment(ctx.get(), comment, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();

    v1::AssignRequest assign;
    assign.set_request_id("assign-1");
    assign.set_statement(st.name());
    assign.set_language("de");
    assign.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
    assign.mutable_scope()->mutable_whole_language();
    assign.set_assignee("users/tr");
    v1::Assignment a;
    ctx = AuthContext(submitter_);
    s = assignments_->Assign(ctx.get(), assign, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();

    v1::ClaimNextRequest claim;
    claim.set_statement(st.name());
    claim.set_language("de");
    claim.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
    v1::ClaimNextResponse lease;
    ctx = AuthContext(translator_);
    s = assignments_->ClaimNext(ctx.get(), claim, &lease);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return st.name();
  }

  // Waits until the French publication exists (it is made in the
  // background).
  bool WaitForPublication(const std::string& statement) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      v1::GetPublicationRequest req;
      req.set_name(statement + "/languages/fr/publications/latest");
      v1::GetPublicationResponse resp;
      auto ctx = AuthContext(service_);
      if (publications_->GetPublication(ctx.get(), req, &resp).ok()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Family name → kind byte → the value format bytes seen.
  using Written = std::map<std::string, std::map<int, std::set<int>>>;
  Written ReadBack() {
    Written out;
    auto store = storage::Store::Open({.path = ts_.data_dir()});
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return out;
    for (int i = 0; i < storage::kNumColumnFamilies; ++i) {
      const auto cf = static_cast<storage::ColumnFamily>(i);
      const std::string name(storage::ColumnFamilyName(cf));
      absl::Status s = (*store)->Scan(
          cf, "", "", [&](std::string_view key, std::string_view value) {
            const int kind = key.empty() ? -1 : uint8_t(key[0]);
            const int format = value.empty() ? -1 : uint8_t(value[0]);
            out[name][kind].insert(format);
            return true;
          });
      EXPECT_TRUE(s.ok()) << s;
    }
    return out;
  }

  TestServer ts_;
  std::unique_ptr<v1::StatementService::Stub> statements_;
  std::unique_ptr<v1::TranslationService::Stub> translations_;
  std::unique_ptr<v1::AssignmentService::Stub> assignments_;
  std::unique_ptr<v1::PublicationService::Stub> publications_;
  std::string submitter_, approver_, translator_, service_;
};

TEST_F(StorageFormatTest, FormatDocMatchesEveryKeyWritten) {
  std::string error;
  const Documented doc = ParseFormatDoc(
      std::string(TESSERA_SOURCE_DIR) + "/storage/FORMAT.md", &error);
  ASSERT_EQ(error, "");
  // The parser must see every family the doc describes, or the checks
  // below would pass on an empty table.
  for (const char* family : {"default", "feed", "identity", "statements",
                             "translations", "assignments", "publications"}) {
    ASSERT_TRUE(doc.count(family) && !doc.at(family).empty()) << family;
  }

  const std::string statement = WriteEverything();
  ASSERT_TRUE(WaitForPublication(statement));

  // Background work (carry-over, automatic publication) keeps cursors that
  // are written after the fact: read back until every documented kind is
  // there, restarting the server in between, for a bounded time.
  Written written;
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    ts_.Stop();
    written = ReadBack();
    bool all = true;
    for (const auto& [family, kinds] : doc) {
      for (const auto& [kind, d] : kinds) {
        all = all && written.count(family) && written[family].count(kind);
      }
    }
    if (all || std::chrono::steady_clock::now() > until) break;
    ts_.Restart();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  for (const auto& [family, kinds] : written) {
    if (!doc.count(family)) {
      ADD_FAILURE() << "column family `" << family << "` is written but "
                    << "FORMAT.md has no section for it";
      continue;
    }
    for (const auto& [kind, formats] : kinds) {
      auto it = doc.at(family).find(kind);
      if (it == doc.at(family).end()) {
        ADD_FAILURE() << "`" << family << "` holds keys of kind " << Hex(kind)
                      << " that FORMAT.md does not document";
        continue;
      }
      for (int format : formats) {
        EXPECT_EQ(format, it->second.format)
            << "`" << family << "` kind " << Hex(kind) << " holds a value "
            << "of format " << Hex(format) << "; FORMAT.md says "
            << it->second.row;
      }
    }
  }
  for (const auto& [family, kinds] : doc) {
    for (const auto& [kind, d] : kinds) {
      EXPECT_TRUE(written.count(family) && written[family].count(kind))
          << "FORMAT.md documents a key the workflow never wrote: " << d.row;
    }
  }
}

TEST(FormatDocParserTest, ReadsKindsAndFormatsFromTables) {
  TempDir dir;
  const std::string path = dir.Sub("FORMAT.md");
  std::ofstream(path) << "## `things`\n\n"
                         "| kind | key | value |\n| --- | --- | --- |\n"
                         "| 0x01 a | `[0x01][u64 id]` | record envelope, "
                         "format 0x02, payload `A` |\n"
                         "| 0x0A b | `[0x0A]` | `[0x03]` then bytes |\n"
                         "| 0x0B c | `[0x0B]` | 64-bit merge counter |\n"
                         "## Other\n| 0x05 x | `[0x05]` | `[0x01]` |\n"
                         "## `meta`\n| key | value |\n| --- | --- |\n"
                         "| `[0x07] raw \"k\"` | `[0x01][u64]` |\n";
  std::string error;
  const Documented doc = ParseFormatDoc(path, &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(doc.size(), 2u);
  ASSERT_EQ(doc.at("things").size(), 3u);
  EXPECT_EQ(doc.at("things").at(0x01).format, 0x02);
  EXPECT_EQ(doc.at("things").at(0x0A).format, 0x03);
  EXPECT_EQ(doc.at("things").at(0x0B).format, 0x01);
  ASSERT_EQ(doc.at("meta").size(), 1u);
  EXPECT_EQ(doc.at("meta").at(0x07).format, 0x01);

  std::ofstream(path) << "## `things`\n| 0x02 a | `[0x01]` | `[0x01]` |\n";
  ParseFormatDoc(path, &error);
  EXPECT_NE(error.find("disagree"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing

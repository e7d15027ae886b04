// StatementService end to end over real gRPC: import a seed, read it back
// page by page, revise it, walk the lifecycle, and check that error codes
// and their google.rpc details reach the client and that language scopes
// decide who may read and change what.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using v1::StatementService;

const std::string kResolution =
    std::string(TESSERA_SHARED_DIR) +
    "/corpus/seeds/icor-resolution-gaza-ceasefire.fr.txt";

std::string ReadResolution() {
  std::ifstream in(kResolution, std::ios::binary);
  EXPECT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class StatementServiceTest : public ::testing::Test {
 protected:
  explicit StatementServiceTest(
      const std::function<void(ServerOptions&)>& tweak = nullptr)
      : ts_(tweak) {
    stub_ = StatementService::NewStub(ts_.channel());
    coordinator_ = ts_.CreateUserWithToken(
        "coord", {Grant(v1::ROLE_COORDINATOR, {"de", "en", "es"})});
  }

  v1::CreateStatementRequest ResolutionRequest() {
    v1::CreateStatementRequest req;
    req.set_title("ICOR : résolution sur le cessez-le-feu à Gaza");
    req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
    req.set_source(ReadResolution());
    req.set_source_language("fr");
    req.add_target_languages("de");
    req.add_target_languages("en");
    (*req.mutable_labels())["campaign"] = "gaza";
    auto* range = req.add_no_translate_ranges()->mutable_lines();
    range->set_first_line(53);
    range->set_last_line(81);
    return req;
  }

  grpc::Status Create(const std::string& token,
                      const v1::CreateStatementRequest& req,
                      v1::Statement* out) {
    auto ctx = AuthContext(token);
    return stub_->CreateStatement(ctx.get(), req, out);
  }

  v1::Statement CreateOrDie(const v1::CreateStatementRequest& req) {
    v1::Statement s;
    grpc::Status status = Create(coordinator_, req, &s);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return s;
  }

  // Every segment of `parent`, page by page.
  std::vector<v1::SourceSegment> AllSegments(
      const std::string& token, const std::string& parent, int page_size,
      bool translatable_only, int* pages = nullptr, int* total = nullptr) {
    std::vector<v1::SourceSegment> out;
    v1::ListSourceSegmentsRequest req;
    req.set_parent(parent);
    req.set_page_size(page_size);
    req.set_translatable_only(translatable_only);
    int n = 0;
    do {
      v1::ListSourceSegmentsResponse resp;
      auto ctx = AuthContext(token);
      grpc::Status s = stub_->ListSourceSegments(ctx.get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(resp.source_segments_size(), page_size);
      if (total != nullptr) *total = resp.total_size();
      for (const auto& seg : resp.source_segments()) out.push_back(seg);
      req.set_page_token(resp.next_page_token());
      ++n;
    } while (!req.page_token().empty());
    if (pages != nullptr) *pages = n;
    return out;
  }

  TestServer ts_;
  std::unique_ptr<StatementService::Stub> stub_;
  std::string coordinator_;
};

TEST_F(StatementServiceTest, CreateGetAndReadSegmentsPageByPage) {
  v1::Statement s = CreateOrDie(ResolutionRequest());
  EXPECT_EQ(s.name(), "statements/" + s.statement_id());
  EXPECT_EQ(s.state(), v1::STATEMENT_STATE_OPEN);
  EXPECT_EQ(s.version(), 1);
  EXPECT_EQ(s.creator(), "users/coord");
  EXPECT_EQ(s.current_revision(), s.name() + "/revisions/1");
  EXPECT_EQ(s.source_language(), "fr");
  EXPECT_EQ(s.review_rounds(), 1);
  EXPECT_GT(s.segment_count(), 80);
  EXPECT_EQ(s.segment_count() - s.translatable_segment_count(), 28 + 1);

  v1::GetStatementRequest get;
  get.set_name(s.name());
  v1::Statement got;
  auto ctx = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->GetStatement(ctx.get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), s.SerializeAsString());

  // Pages cover every segment exactly once, in document order.
  int pages = 0, total = 0;
  std::vector<v1::SourceSegment> all =
      AllSegments(coordinator_, s.name(), 10, false, &pages, &total);
  ASSERT_EQ(static_cast<int>(all.size()), s.segment_count());
  EXPECT_EQ(total, s.segment_count());
  EXPECT_EQ(pages, (s.segment_count() + 9) / 10);
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].ordinal(), static_cast<int>(i) + 1);
    EXPECT_EQ(all[i].revision(), s.current_revision());
    EXPECT_EQ(all[i].name(), s.name() + "/segments/" + all[i].segment_id());
    ids.insert(all[i].segment_id());
  }
  EXPECT_EQ(ids.size(), all.size());
  std::vector<v1::SourceSegment> translatable =
      AllSegments(coordinator_, s.name(), 25, true, nullptr, &total);
  EXPECT_EQ(static_cast<int>(translatable.size()),
            s.translatable_segment_count());
  EXPECT_EQ(total, s.translatable_segment_count());

  // A bold demand, with its code described, and a signatory.
  const v1::SourceSegment* demand = nullptr;
  const v1::SourceSegment* signatory = nullptr;
  for (const auto& seg : all) {
    if (seg.content().text().rfind("Protégeons la Palestine", 0) == 0) {
      demand = &seg;
    }
    if (seg.content().text().rfind("PCPCI", 0) == 0) signatory = &seg;
  }
  ASSERT_NE(demand, nullptr);
  ASSERT_EQ(demand->content().codes_size(), 2);
  EXPECT_EQ(demand->content().codes(0).kind(), v1::CODE_KIND_OPEN);
  EXPECT_EQ(demand->content().codes(1).kind(), v1::CODE_KIND_CLOSE);
  EXPECT_EQ(demand->content().codes(1).offset(),
            demand->content().text().size());
  ASSERT_EQ(demand->codes_size(), 1);
  EXPECT_EQ(demand->codes(0).type(), v1::CODE_TYPE_STRONG);
  EXPECT_EQ(demand->context().block_kind(), v1::BLOCK_KIND_LIST_ITEM);
  EXPECT_EQ(demand->context().source_line(), 41);
  EXPECT_TRUE(demand->translatable());
  EXPECT_GT(demand->word_count(), 10);
  ASSERT_NE(signatory, nullptr);
  EXPECT_FALSE(signatory->translatable());
  EXPECT_EQ(signatory->no_translate_reason(), v1::NO_TRANSLATE_REASON_MARKED);
  EXPECT_EQ(signatory->word_count(), 0);

  v1::GetSourceSegmentRequest one;
  one.set_name(demand->name());
  v1::SourceSegment seg;
  auto ctx2 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->GetSourceSegment(ctx2.get(), one, &seg).ok());
  EXPECT_EQ(seg.SerializeAsString(), demand->SerializeAsString());

  v1::GetRevisionRequest rev;
  rev.set_name(s.current_revision());
  rev.set_view(v1::REVISION_VIEW_FULL);
  v1::Revision full;
  auto ctx3 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->GetRevision(ctx3.get(), rev, &full).ok());
  EXPECT_EQ(full.source(), ReadResolution());
  EXPECT_FALSE(full.skeleton().empty());
  EXPECT_EQ(full.segment_count(), s.segment_count());
  ASSERT_EQ(full.no_translate_ranges_size(), 1);
  EXPECT_EQ(full.no_translate_ranges(0).lines().first_line(), 53);
  rev.set_view(v1::REVISION_VIEW_BASIC);
  v1::Revision basic;
  auto ctx4 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->GetRevision(ctx4.get(), rev, &basic).ok());
  EXPECT_TRUE(basic.source().empty());
  EXPECT_TRUE(basic.skeleton().empty());
  EXPECT_EQ(basic.source_sha256(), full.source_sha256());
  EXPECT_EQ(basic.source_sha256().size(), 64u);
}

TEST_F(StatementServiceTest, ListFiltersAndPaginates) {
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i) {
    v1::CreateStatementRequest req;
    req.set_statement_id("note-" + std::to_string(i));
    req.set_title("Note " + std::to_string(i));
    req.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    req.set_source("Bonjour à toutes et à tous.\n");
    req.set_source_language("fr");
    req.add_target_languages(i % 2 == 0 ? "de" : "es");
    (*req.mutable_labels())["kind"] = i < 3 ? "note" : "call";
    req.set_draft(i == 4);
    made.push_back(CreateOrDie(req).name());
  }
  // All five, newest first, across pages of two.
  v1::ListStatementsRequest list;
  list.set_page_size(2);
  std::vector<std::string> seen;
  do {
    v1::ListStatementsResponse resp;
    auto ctx = AuthContext(coordinator_);
    grpc::Status s = stub_->ListStatements(ctx.get(), list, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& st : resp.statements()) seen.push_back(st.name());
    list.set_page_token(resp.next_page_token());
  } while (!list.page_token().empty());
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()),
            std::set<std::string>(made.begin(), made.end()));

  v1::ListStatementsRequest filtered;
  auto* sel = filtered.add_label_selectors();
  sel->set_key("kind");
  sel->set_value("note");
  filtered.add_languages("DE");
  filtered.add_states(v1::STATEMENT_STATE_OPEN);
  v1::ListStatementsResponse resp;
  auto ctx = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->ListStatements(ctx.get(), filtered, &resp).ok());
  std::set<std::string> got;
  for (const auto& st : resp.statements()) got.insert(st.statement_id());
  EXPECT_EQ(got, (std::set<std::string>{"note-0", "note-2"}));

  // A page token from another query, or forged, is refused.
  v1::ListStatementsRequest first;
  first.set_page_size(1);
  v1::ListStatementsResponse page;
  auto ctx2 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->ListStatements(ctx2.get(), first, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  filtered.set_page_token(page.next_page_token());
  auto ctx3 = AuthContext(coordinator_);
  grpc::Status s = stub_->ListStatements(ctx3.get(), filtered, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(s), "INVALID_TOKEN");
  first.set_page_token("bm90IGEgdG9rZW4");
  auto ctx4 = AuthContext(coordinator_);
  s = stub_->ListStatements(ctx4.get(), first, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = Detail<google::rpc::BadRequest>(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_token");
}

TEST_F(StatementServiceTest, ReviseUpdateAndLifecycleOverGrpc) {
  v1::Statement s = CreateOrDie(ResolutionRequest());
  std::string text = ReadResolution();
  const std::string before =
      "La jeunesse y est une force particulièrement active.";
  size_t at = text.find(before);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, before.size(),
               "La jeunesse y est une force tout particulièrement active.");

  v1::ReviseStatementRequest revise;
  revise.set_statement(s.name());
  revise.set_version(s.version());
  revise.set_source(text);
  revise.set_note("coquille");
  revise.set_request_id("rev-2025-11-08");
  auto* range = revise.add_no_translate_ranges()->mutable_lines();
  range->set_first_line(53);
  range->set_last_line(81);
  v1::Revision r;
  auto ctx = AuthContext(coordinator_);
  grpc::Status status = stub_->ReviseStatement(ctx.get(), revise, &r);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(r.name(), s.name() + "/revisions/2");
  EXPECT_EQ(r.changes().previous_revision(), s.name() + "/revisions/1");
  ASSERT_EQ(r.changes().changed_segments_size(), 1);
  EXPECT_GT(r.changes().changed_segments(0).similarity(), 0.5);
  EXPECT_EQ(r.changes().added_segment_ids_size(), 0);
  EXPECT_EQ(r.changes().removed_segment_ids_size(), 0);
  EXPECT_EQ(r.changes().unchanged_segment_count(), s.segment_count() - 1);
  EXPECT_EQ(r.note(), "coquille");

  // The retry answers the same revision.
  v1::Revision again;
  auto ctx2 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->ReviseStatement(ctx2.get(), revise, &again).ok());
  EXPECT_EQ(again.name(), r.name());

  // A stale version is ABORTED with the statement as it is now.
  revise.set_request_id("");
  v1::Revision stale;
  auto ctx3 = AuthContext(coordinator_);
  status = stub_->ReviseStatement(ctx3.get(), revise, &stale);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(status), "VERSION_CONFLICT");
  auto conflict = Detail<v1::VersionConflict>(status);
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->resource(), s.name());
  EXPECT_EQ(conflict->request_version(), 1);
  EXPECT_EQ(conflict->current_version(), 2);
  v1::Statement current;
  ASSERT_TRUE(conflict->current().UnpackTo(&current));
  EXPECT_EQ(current.current_revision(), r.name());

  v1::ListRevisionsRequest revs;
  revs.set_parent(s.name());
  v1::ListRevisionsResponse revs_resp;
  auto ctx4 = AuthContext(coordinator_);
  ASSERT_TRUE(stub_->ListRevisions(ctx4.get(), revs, &revs_resp).ok());
  ASSERT_EQ(revs_resp.revisions_size(), 2);
  EXPECT_EQ(revs_resp.revisions(0).revision_number(), 1);
  EXPECT_EQ(revs_resp.revisions(1).revision_number(), 2);
  EXPECT_TRUE(revs_resp.revisions(1).source().empty());

  // Update with a field mask.
  v1::UpdateStatementRequest update;
  update.mutable_statement()->set_name(s.name());
  update.mutable_statement()->set_version(2);
  update.mutable_statement()->set_title("Titre corrigé");
  update.mutable_statement()->set_review_rounds(2);
  update.mutable_update_mask()->add_paths("title");
  update.mutable_update_mask()->add_paths("review_rounds");
  v1::Statement updated;
  auto ctx5 = AuthContext(coordinator_);
  status = stub_->UpdateStatement(ctx5.get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.title(), "Titre corrigé");
  EXPECT_EQ(updated.review_rounds(), 2);
  EXPECT_EQ(updated.version(), 3);
  update.mutable_update_mask()->add_paths("source_language");
  update.mutable_statement()->set_version(3);
  auto ctx6 = AuthContext(coordinator_);
  status = stub_->UpdateStatement(ctx6.get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Close, reopen, archive; a wrong state is FAILED_PRECONDITION.
  auto open_statement = [&](int64_t version, v1::Statement* out) {
    v1::OpenStatementRequest r;
    r.set_name(s.name());
    r.set_version(version);
    auto c = AuthContext(coordinator_);
    return stub_->OpenStatement(c.get(), r, out);
  };
  auto close_statement = [&](int64_t version, v1::Statement* out) {
    v1::CloseStatementRequest r;
    r.set_name(s.name());
    r.set_version(version);
    auto c = AuthContext(coordinator_);
    return stub_->CloseStatement(c.get(), r, out);
  };
  auto archive_statement = [&](int64_t version, v1::Statement* out) {
    v1::ArchiveStatementRequest r;
    r.set_name(s.name());
    r.set_version(version);
    auto c = AuthContext(coordinator_);
    return stub_->ArchiveStatement(c.get(), r, out);
  };
  v1::Statement st;
  status = open_statement(3, &st);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto pf = Detail<google::rpc::PreconditionFailure>(status);
  ASSERT_TRUE(pf.has_value());
  EXPECT_EQ(pf->violations(0).type(), "WRONG_STATE");
  EXPECT_EQ(pf->violations(0).subject(), s.name());
  EXPECT_EQ(Detail<google::rpc::ErrorInfo>(status)->metadata().at("state"),
            "STATEMENT_STATE_OPEN");
  ASSERT_TRUE(close_statement(3, &st).ok());
  EXPECT_EQ(st.state(), v1::STATEMENT_STATE_CLOSED);
  ASSERT_TRUE(open_statement(4, &st).ok());
  EXPECT_EQ(st.state(), v1::STATEMENT_STATE_OPEN);
  ASSERT_TRUE(archive_statement(5, &st).ok());
  EXPECT_EQ(st.state(), v1::STATEMENT_STATE_ARCHIVED);
  EXPECT_EQ(archive_statement(6, &st).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(close_statement(5, &st).error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(StatementServiceTest, BadInputErrorsCarryTheirDetails) {
  v1::CreateStatementRequest req = ResolutionRequest();
  req.set_source("Bonjour\xFF tout le monde.\n");
  v1::Statement s;
  grpc::Status status = Create(coordinator_, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("byte offset 7"), std::string::npos);
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->domain(), "tessera");
  EXPECT_EQ(info->reason(), "INVALID_UTF8");
  EXPECT_EQ(info->metadata().at("byte_offset"), "7");
  auto bad = Detail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "source");

  req = ResolutionRequest();
  req.set_target_languages(1, "en--US");
  status = Create(coordinator_, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bad = Detail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "target_languages[1]");

  req = ResolutionRequest();
  req.set_format(v1::DOCUMENT_FORMAT_HTML);
  status = Create(coordinator_, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "INVALID_FIELD");

  v1::GetStatementRequest get;
  get.set_name("statements/does-not-exist");
  auto ctx = AuthContext(coordinator_);
  status = stub_->GetStatement(ctx.get(), get, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Detail<google::rpc::ErrorInfo>(status)->metadata().at("resource"),
            "statements/does-not-exist");
  get.set_name("users/admin");
  auto ctx2 = AuthContext(coordinator_);
  EXPECT_EQ(stub_->GetStatement(ctx2.get(), get, &s).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Idempotent create: the same request comes back, another is refused.
  req = ResolutionRequest();
  req.set_request_id("import-7f3a");
  v1::Statement first, second;
  ASSERT_TRUE(Create(coordinator_, req, &first).ok());
  ASSERT_TRUE(Create(coordinator_, req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  req.set_title("Autre");
  status = Create(coordinator_, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "REQUEST_ID_REUSED");

  // A taken id.
  req = ResolutionRequest();
  req.set_statement_id("gaza");
  ASSERT_TRUE(Create(coordinator_, req, &s).ok());
  status = Create(coordinator_, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(StatementServiceTest, LanguageScopesDecideWhoReadsAndChanges) {
  std::string de_only = ts_.CreateUserWithToken(
      "coord-de", {Grant(v1::ROLE_COORDINATOR, {"de"})});
  std::string es_translator =
      ts_.CreateUserWithToken("trans-es", {Grant(v1::ROLE_TRANSLATOR, {"es"})});
  std::string de_reviewer =
      ts_.CreateUserWithToken("rev-de", {Grant(v1::ROLE_REVIEWER, {"de"})});
  std::string service =
      ts_.CreateUserWithToken("website", {Grant(v1::ROLE_SERVICE)});

  // A coordinator for de only cannot create a statement targeting fr.
  v1::CreateStatementRequest req = ResolutionRequest();
  req.set_source_language("en");
  req.clear_target_languages();
  req.add_target_languages("fr");
  v1::Statement s;
  grpc::Status status = Create(de_only, req, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "LANGUAGE_NOT_GRANTED");
  EXPECT_EQ(info->metadata().at("language"), "fr");
  EXPECT_EQ(info->metadata().at("method"),
            "/tessera.v1.StatementService/CreateStatement");

  v1::Statement de_en = CreateOrDie(ResolutionRequest());  // de, en
  auto get = [&](const std::string& token) {
    v1::GetStatementRequest g;
    g.set_name(de_en.name());
    v1::Statement out;
    auto ctx = AuthContext(token);
    return stub_->GetStatement(ctx.get(), g, &out);
  };
  // A translator for es cannot read a de/en statement.
  status = get(es_translator);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(status), "LANGUAGE_NOT_GRANTED");
  v1::ListSourceSegmentsRequest segs;
  segs.set_parent(de_en.name());
  v1::ListSourceSegmentsResponse segs_resp;
  auto ctx = AuthContext(es_translator);
  EXPECT_EQ(stub_->ListSourceSegments(ctx.get(), segs, &segs_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // ... and does not see it listed.
  v1::ListStatementsResponse listed;
  auto ctx2 = AuthContext(es_translator);
  ASSERT_TRUE(
      stub_->ListStatements(ctx2.get(), v1::ListStatementsRequest(), &listed)
          .ok());
  EXPECT_EQ(listed.statements_size(), 0);
  // A reviewer for de and a service can.
  EXPECT_TRUE(get(de_reviewer).ok());
  EXPECT_TRUE(get(service).ok());
  EXPECT_TRUE(get(de_only).ok());
  auto ctx3 = AuthContext(service);
  ASSERT_TRUE(stub_->ListSourceSegments(ctx3.get(), segs, &segs_resp).ok());
  EXPECT_EQ(segs_resp.total_size(), de_en.segment_count());

  // The de-only coordinator reads it but may not change it (en too).
  v1::ArchiveStatementRequest archive;
  archive.set_name(de_en.name());
  archive.set_version(1);
  auto ctx4 = AuthContext(de_only);
  status = stub_->ArchiveStatement(ctx4.get(), archive, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Detail<google::rpc::ErrorInfo>(status)->metadata().at("language"),
            "en");
  // Translators and services never change statements (method table).
  auto ctx5 = AuthContext(service);
  EXPECT_EQ(stub_->ArchiveStatement(ctx5.get(), archive, &s).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

class StatementLimitsTest : public StatementServiceTest {
 protected:
  StatementLimitsTest()
      : StatementServiceTest([](ServerOptions& o) {
          o.max_document_bytes = 4000;
          o.max_segments_per_statement = 20;
          o.max_segment_bytes = 200;
        }) {}
};

TEST_F(StatementLimitsTest, LimitsAreEnforcedWithTheLimitNamed) {
  v1::Statement s;
  grpc::Status status = Create(coordinator_, ResolutionRequest(), &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("4000"), std::string::npos);
  auto quota = Detail<google::rpc::QuotaFailure>(status);
  ASSERT_TRUE(quota.has_value());
  EXPECT_EQ(quota->violations(0).subject(), "limits/max_document_bytes");
  EXPECT_EQ(Reason(status), "LIMIT_EXCEEDED");

  v1::CreateStatementRequest many = ResolutionRequest();
  std::string source;
  for (int i = 0; i < 21; ++i)
    source += "Phrase " + std::to_string(i) + ".\n\n";
  many.set_source(source);
  many.clear_no_translate_ranges();
  status = Create(coordinator_, many, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  quota = Detail<google::rpc::QuotaFailure>(status);
  ASSERT_TRUE(quota.has_value());
  EXPECT_EQ(quota->violations(0).subject(),
            "limits/max_segments_per_statement");

  v1::CreateStatementRequest longer = many;
  longer.set_source("Court.\n\n" + std::string(250, 'a') + ".\n");
  status = Create(coordinator_, longer, &s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("max_segment_bytes is 200"),
            std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("block 1"), std::string::npos);

  // Nothing of the refused imports is listed.
  v1::ListStatementsResponse listed;
  auto ctx = AuthContext(coordinator_);
  ASSERT_TRUE(
      stub_->ListStatements(ctx.get(), v1::ListStatementsRequest(), &listed)
          .ok());
  EXPECT_EQ(listed.statements_size(), 0);
}

}  // namespace
}  // namespace tessera::testing

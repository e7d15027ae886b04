// MemoryService end to end over real gRPC: approved translations enter the
// memory through the change feed (a segment approved a moment ago is
// suggested for its twin in the same statement), a revised copy imported
// as a new statement gets exact, context and fuzzy matches with their
// scores, diffs and substituted numbers, concordance search finds a
// phrase, a reopened translation leaves the memory, and GetSuggestions
// brings a segment's memory matches and glossary terms in one call.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tessera/v1/memory.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using v1::MemoryService;
using v1::StatementService;
using v1::TranslationService;

const char kFirst[] =
    "Nous exigeons la libération immédiate des 12 prisonniers politiques.\n\n"
    "Nous exigeons la libération immédiate des 12 prisonniers politiques.\n\n"
    "La solidarité internationale des peuples est notre force commune.\n\n"
    "Liste actuelle des signataires\n";
const char kRevised[] =
    "Nous exigeons la libération immédiate des 15 prisonniers politiques.\n\n"
    "La solidarité internationale des peuples est notre force commune.\n\n"
    "Liste actuelle des signataires\n";

std::string English(const std::string& fr) {
  if (fr.rfind("Nous exigeons", 0) == 0) {
    return "We demand the immediate release of the 12 political prisoners.";
  }
  if (fr.rfind("La solidarité", 0) == 0) {
    return "International solidarity of the peoples is our common strength.";
  }
  return "Current list of signatories";
}

class MemoryServiceTest : public ::testing::Test {
 protected:
  MemoryServiceTest() {
    submitter_ =
        ts_.CreateUserWithToken("c1", {Grant(v1::ROLE_COORDINATOR, {"en"})});
    approver_ =
        ts_.CreateUserWithToken("c2", {Grant(v1::ROLE_COORDINATOR, {"en"})});
    other_ =
        ts_.CreateUserWithToken("t1", {Grant(v1::ROLE_TRANSLATOR, {"de"})});
  }

  std::string Create(const std::string& source) {
    v1::CreateStatementRequest req;
    req.set_title("Statement");
    req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
    req.set_source(source);
    req.set_source_language("fr");
    req.add_target_languages("en");
    auto ctx = AuthContext(submitter_);
    v1::Statement out;
    grpc::Status s = StatementService::NewStub(ts_.channel())
                         ->CreateStatement(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  std::vector<v1::Translation> Segments(const std::string& statement) {
    v1::ListSegmentsRequest req;
    req.set_parent(statement + "/languages/en");
    req.set_page_size(1000);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = TranslationService::NewStub(ts_.channel())
                         ->ListSegments(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.translations().begin(), resp.translations().end()};
  }

  v1::Translation SubmitApprove(const v1::Translation& t) {
    auto stub = TranslationService::NewStub(ts_.channel());
    v1::SubmitRequest sub;
    sub.set_name(t.name());
    sub.set_version(t.version());
    sub.mutable_content()->set_text(English(t.source().content().text()));
    v1::Translation done;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = stub->Submit(ctx.get(), sub, &done);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::ApproveRequest app;
    app.set_name(t.name());
    app.set_version(done.version());
    auto actx = AuthContext(approver_);
    s = stub->Approve(actx.get(), app, &done);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return done;
  }

  grpc::Status Lookup(const v1::Content& source, v1::LookupResponse* out,
                      const v1::Content* previous = nullptr,
                      const v1::Content* next = nullptr,
                      const std::string* token = nullptr) {
    v1::LookupRequest req;
    req.set_source_language("fr");
    req.set_target_language("en");
    *req.mutable_source() = source;
    if (previous != nullptr) *req.mutable_previous_source() = *previous;
    if (next != nullptr) *req.mutable_next_source() = *next;
    auto ctx = AuthContext(token != nullptr ? *token : submitter_);
    return MemoryService::NewStub(ts_.channel())->Lookup(ctx.get(), req, out);
  }

  // Polls until Lookup finds something (or 10 s pass).
  v1::LookupResponse LookupSoon(const v1::Content& source) {
    v1::LookupResponse resp;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      resp.Clear();
      grpc::Status s = Lookup(source, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || resp.matches_size() > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return resp;
  }

  TestServer ts_;
  std::string submitter_, approver_, other_;
};

TEST_F(MemoryServiceTest, ApprovedSegmentIsSuggestedForItsTwinAtOnce) {
  const std::string st = Create(kFirst);
  auto segs = Segments(st);
  ASSERT_EQ(segs.size(), 4u);
  SubmitApprove(segs[0]);
  const auto approved = std::chrono::steady_clock::now();
  v1::LookupResponse resp = LookupSoon(segs[1].source().content());
  const double lag_ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - approved)
                            .count();
  std::printf("approval to searchable: %.2f ms\n", lag_ms);
  ASSERT_EQ(resp.matches_size(), 1);
  const v1::MemoryMatch& m = resp.matches(0);
  EXPECT_EQ(m.score(), 1.0f);
  EXPECT_EQ(m.kind(), v1::MATCH_KIND_EXACT);
  EXPECT_EQ(m.unit().target().text(), English(kFirst));
  EXPECT_EQ(m.unit().translation(), segs[0].name());
  EXPECT_EQ(m.unit().author(), "users/c1");
  EXPECT_EQ(m.unit().reviewer(), "users/c2");
  EXPECT_EQ(m.unit().statement(), st);
  EXPECT_EQ(m.unit().unit_source(), v1::MEMORY_UNIT_SOURCE_APPROVED_TRANSLATION);
  EXPECT_LT(lag_ms, 2000);
}

TEST_F(MemoryServiceTest, SuggestionsBringMatchesAndGlossaryTermsForASegment) {
  auto memory = MemoryService::NewStub(ts_.channel());
  v1::CreateGlossaryEntryRequest create;
  v1::GlossaryEntry* e = create.mutable_glossary_entry();
  e->set_source_language("fr");
  e->set_target_language("en");
  e->set_source_term("prisonniers politiques");
  e->set_target_term("political prisoners");
  create.set_request_id("gloss-1");
  v1::GlossaryEntry entry;
  auto cctx = AuthContext(submitter_);
  grpc::Status s = memory->CreateGlossaryEntry(cctx.get(), create, &entry);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(entry.version(), 1);
  // A translator of another language may not change the glossary.
  auto dctx = AuthContext(other_);
  v1::DeleteGlossaryEntryRequest del;
  del.set_name(entry.name());
  del.set_version(entry.version());
  google::protobuf::Empty empty;
  EXPECT_EQ(memory->DeleteGlossaryEntry(dctx.get(), del, &empty).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  const std::string st = Create(kFirst);
  auto segs = Segments(st);
  ASSERT_EQ(segs.size(), 4u);
  SubmitApprove(segs[0]);
  LookupSoon(segs[1].source().content());

  v1::GetSuggestionsRequest req;
  req.set_segment(segs[1].name());
  v1::Suggestions got;
  auto sctx = AuthContext(submitter_);
  s = memory->GetSuggestions(sctx.get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.segment(), segs[1].name());
  ASSERT_GE(got.memory_matches_size(), 1);
  EXPECT_EQ(got.memory_matches(0).score(), 1.0f);
  EXPECT_EQ(got.memory_matches(0).unit().translation(), segs[0].name());
  ASSERT_EQ(got.glossary_hits_size(), 1);
  const std::string& text = segs[1].source().content().text();
  const v1::GlossaryHit& hit = got.glossary_hits(0);
  EXPECT_EQ(text.substr(hit.start(), hit.end() - hit.start()),
            "prisonniers politiques");
  EXPECT_EQ(hit.entry().target_term(), "political prisoners");

  // The approved segment's own unit is not suggested to itself.
  req.set_segment(segs[0].name());
  got.Clear();
  auto octx = AuthContext(submitter_);
  s = memory->GetSuggestions(octx.get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.memory_matches_size(), 0);

  // Unknown segment; a language outside the caller's grant.
  req.set_segment(st + "/languages/en/segments/nope");
  auto nctx = AuthContext(submitter_);
  EXPECT_EQ(memory->GetSuggestions(nctx.get(), req, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_segment(segs[1].name());
  auto pctx = AuthContext(other_);
  EXPECT_EQ(memory->GetSuggestions(pctx.get(), req, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Finding: GetSuggestions answered for a language the statement does not
// target (matches from another pair, as if it did).
TEST_F(MemoryServiceTest, SuggestionsRefuseALanguageTheStatementDoesNotTarget) {
  const std::string st = Create(kFirst);
  auto segs = Segments(st);
  ASSERT_EQ(segs.size(), 4u);
  const std::string& en = segs[0].name();
  v1::GetSuggestionsRequest req;
  // The same segment, in German: the statement targets English only.
  req.set_segment(st + "/languages/de" + en.substr(en.find("/segments/")));
  req.set_skip_machine(true);
  v1::Suggestions got;
  auto ctx = AuthContext(ts_.admin_token());
  grpc::Status s =
      MemoryService::NewStub(ts_.channel())->GetSuggestions(ctx.get(), req, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(s), "LANGUAGE_NOT_TARGETED");
  auto bad = Detail<google::rpc::BadRequest>(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "segment");
  // English is targeted.
  req.set_segment(en);
  auto ectx = AuthContext(ts_.admin_token());
  EXPECT_TRUE(MemoryService::NewStub(ts_.channel())
                  ->GetSuggestions(ectx.get(), req, &got)
                  .ok());
}

// Apertium from Debian (apertium-fr-es, installed by deploy/install-deps.sh)
// translates a French segment into Spanish through the server.
TEST_F(MemoryServiceTest, SuggestionsCarryApertiumOutputMarkedAsMachine) {
  const std::string es = ts_.CreateUserWithToken(
      "c3", {Grant(v1::ROLE_COORDINATOR, {"es", "de"})});
  v1::CreateStatementRequest create;
  create.set_title("Appel");
  create.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  create.set_source("Nous appelons à la paix immédiate.\n");
  create.set_source_language("fr");
  create.add_target_languages("es");
  create.add_target_languages("de");
  v1::Statement st;
  auto cctx = AuthContext(es);
  grpc::Status s = StatementService::NewStub(ts_.channel())
                       ->CreateStatement(cctx.get(), create, &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::ListSegmentsRequest list;
  list.set_parent(st.name() + "/languages/es");
  v1::ListSegmentsResponse listed;
  auto lctx = AuthContext(es);
  s = TranslationService::NewStub(ts_.channel())
          ->ListSegments(lctx.get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.translations_size(), 1);
  const std::string es_name = listed.translations(0).name();
  const std::string de_name =
      st.name() + "/languages/de" +
      es_name.substr(es_name.find("/segments/"));
  auto memory = MemoryService::NewStub(ts_.channel());
  v1::GetSuggestionsRequest req;
  req.set_segment(es_name);
  v1::Suggestions got;
  auto sctx = AuthContext(es);
  s = memory->GetSuggestions(sctx.get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(got.machine_suggestions_size(), 1);
  EXPECT_EQ(got.machine_suggestions(0).engine(), "apertium fr-es");
  EXPECT_NE(got.machine_suggestions(0).text().find("paz"), std::string::npos)
      << got.machine_suggestions(0).text();
  // No pair into German in Debian: no machine suggestion, no error.
  req.set_segment(de_name);
  got.Clear();
  auto dctx = AuthContext(es);
  s = memory->GetSuggestions(dctx.get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.machine_suggestions_size(), 0);
  // skip_machine leaves it out.
  req.set_segment(es_name);
  req.set_skip_machine(true);
  got.Clear();
  auto kctx = AuthContext(es);
  s = memory->GetSuggestions(kctx.get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.machine_suggestions_size(), 0);
}

TEST_F(MemoryServiceTest, RevisedCopyGetsExactContextAndFuzzyMatches) {
  const std::string first = Create(kFirst);
  auto segs = Segments(first);
  ASSERT_EQ(segs.size(), 4u);
  for (const auto& t : segs) SubmitApprove(t);
  const std::string revised = Create(kRevised);
  auto next = Segments(revised);
  ASSERT_EQ(next.size(), 3u);
  // Wait until the last approval is searchable.
  ASSERT_GT(LookupSoon(next[2].source().content()).matches_size(), 0);

  // Number changed: fuzzy, 1 - 0.1 / W with W = 8 words + a number (0.5)
  // + a full stop (0.1); the suggestion carries the new number.
  v1::LookupResponse fuzzy;
  ASSERT_TRUE(Lookup(next[0].source().content(), &fuzzy).ok());
  ASSERT_EQ(fuzzy.matches_size(), 1);
  EXPECT_EQ(fuzzy.matches(0).kind(), v1::MATCH_KIND_FUZZY);
  EXPECT_FLOAT_EQ(fuzzy.matches(0).score(), static_cast<float>(1 - 0.1 / 8.6));
  EXPECT_EQ(fuzzy.matches(0).suggestion().text(),
            "We demand the immediate release of the 15 political prisoners.");
  int changes = 0;
  for (const auto& e : fuzzy.matches(0).source_diff()) {
    if (e.op() != v1::SourceEdit::OP_KEEP) {
      ++changes;
      EXPECT_EQ(e.op(), v1::SourceEdit::OP_CHANGE);
      EXPECT_EQ(e.unit_text(), "12");
      EXPECT_EQ(e.query_text(), "15");
    }
  }
  EXPECT_EQ(changes, 1);

  // Same text, but the previous segment differs: exact, not context.
  v1::LookupResponse exact;
  ASSERT_TRUE(Lookup(next[1].source().content(), &exact,
                     &next[0].source().content(), &next[2].source().content())
                  .ok());
  ASSERT_EQ(exact.matches_size(), 1);
  EXPECT_EQ(exact.matches(0).kind(), v1::MATCH_KIND_EXACT);
  EXPECT_EQ(exact.matches(0).score(), 1.0f);

  // Same text and the same neighbours (the previous one, no next): 101 %.
  v1::LookupResponse context;
  ASSERT_TRUE(
      Lookup(next[2].source().content(), &context, &next[1].source().content())
          .ok());
  ASSERT_EQ(context.matches_size(), 1);
  EXPECT_EQ(context.matches(0).kind(), v1::MATCH_KIND_CONTEXT);
  EXPECT_EQ(context.matches(0).unit().target().text(),
            "Current list of signatories");

  // Concordance, in the source and in the target.
  v1::SearchConcordanceRequest cr;
  cr.set_source_language("fr");
  cr.set_target_language("en");
  cr.set_phrase("SOLIDARITÉ internationale");
  v1::SearchConcordanceResponse cresp;
  auto ctx = AuthContext(submitter_);
  ASSERT_TRUE(MemoryService::NewStub(ts_.channel())
                  ->SearchConcordance(ctx.get(), cr, &cresp)
                  .ok());
  ASSERT_EQ(cresp.units_size(), 1);
  EXPECT_EQ(cresp.units(0).target().text(), English("La solidarité"));
  cr.set_phrase("political prisoners");
  cr.set_in_target(true);
  cresp.Clear();
  auto ctx2 = AuthContext(submitter_);
  ASSERT_TRUE(MemoryService::NewStub(ts_.channel())
                  ->SearchConcordance(ctx2.get(), cr, &cresp)
                  .ok());
  EXPECT_EQ(cresp.units_size(), 1);

  // A translator for another language may not read this pair.
  v1::LookupResponse denied;
  EXPECT_EQ(Lookup(next[1].source().content(), &denied, nullptr, nullptr,
                   &other_)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MemoryServiceTest, ReopenedTranslationLeavesTheMemory) {
  const std::string st = Create(kFirst);
  auto segs = Segments(st);
  ASSERT_EQ(segs.size(), 4u);
  v1::Translation done = SubmitApprove(segs[2]);
  ASSERT_EQ(LookupSoon(segs[2].source().content()).matches_size(), 1);
  v1::ReopenRequest req;
  req.set_name(done.name());
  req.set_version(done.version());
  v1::Translation reopened;
  auto ctx = AuthContext(submitter_);
  ASSERT_TRUE(TranslationService::NewStub(ts_.channel())
                  ->Reopen(ctx.get(), req, &reopened)
                  .ok());
  v1::LookupResponse resp;
  for (int i = 0; i < 2000; ++i) {
    resp.Clear();
    ASSERT_TRUE(Lookup(segs[2].source().content(), &resp).ok());
    if (resp.matches_size() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(resp.matches_size(), 0);
}

}  // namespace
}  // namespace tessera::testing

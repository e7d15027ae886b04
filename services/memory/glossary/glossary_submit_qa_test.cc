// Submit through a real tesserad over gRPC: a translation that leaves out a
// glossary term, or alters a do-not-translate name, is stored with a
// QA_CODE_GLOSSARY_TERM warning; one that follows the glossary is not.
// The entries go in through GlossaryCore on the server's store while the
// server is stopped, since MemoryService's RPCs are registered elsewhere.
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "gtest/gtest.h"
#include "services/memory/glossary/glossary_core.h"
#include "storage/store.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using memory::glossary::GlossaryCore;
using memory::glossary::GlossaryEntry;

void AddEntries(const std::string& data_dir) {
  storage::StoreOptions o;
  o.path = data_dir;
  auto store = storage::Store::Open(o);
  ASSERT_TRUE(store.ok()) << store.status();
  GlossaryCore core(store->get(), Clock::Real(), RandomSource::Secure());
  const Principal admin{"admin", "", {{Role::kAdmin, {}}}};
  GlossaryEntry un;
  un.source_language = "fr";
  un.target_language = "de";
  un.source_term = "Nations unies";
  un.target_term = "Vereinte Nationen";
  ASSERT_TRUE(core.Create(admin, un, "").ok());
  GlossaryEntry amnesty;
  amnesty.source_language = "fr";
  amnesty.target_language = "de";
  amnesty.source_term = "Amnesty International";
  amnesty.do_not_translate = true;
  ASSERT_TRUE(core.Create(admin, amnesty, "").ok());
}

std::vector<v1::QaIssue> GlossaryWarnings(const v1::Translation& t) {
  std::vector<v1::QaIssue> out;
  for (const auto& issue : t.qa_issues()) {
    if (issue.code() == v1::QA_CODE_GLOSSARY_TERM) out.push_back(issue);
  }
  return out;
}

TEST(GlossarySubmitQaTest, SubmitWarnsAboutGlossaryTerms) {
  TestServer ts;
  ts.Stop();
  AddEntries(ts.data_dir());
  ts.Restart();
  const std::string token = ts.CreateUserWithToken(
      "hans", {Grant(v1::ROLE_COORDINATOR, {"de"}),
               Grant(v1::ROLE_TRANSLATOR, {"de"})});
  auto statements = v1::StatementService::NewStub(ts.channel());
  auto translations = v1::TranslationService::NewStub(ts.channel());

  v1::CreateStatementRequest create;
  create.set_title("Appel");
  create.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  create.set_source(
      "Les Nations unies et Amnesty International exigent la paix.\n\n"
      "Amnesty International demande justice.\n");
  create.set_source_language("fr");
  create.add_target_languages("de");
  v1::Statement statement;
  auto cctx = AuthContext(token);
  grpc::Status s =
      statements->CreateStatement(cctx.get(), create, &statement);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::ListSegmentsRequest list;
  list.set_parent(statement.name() + "/languages/de");
  v1::ListSegmentsResponse segments;
  auto lctx = AuthContext(token);
  s = translations->ListSegments(lctx.get(), list, &segments);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(segments.translations_size(), 2);

  auto submit = [&](const v1::Translation& t, const std::string& text) {
    v1::SubmitRequest req;
    req.set_name(t.name());
    req.set_version(t.version());
    req.mutable_content()->set_text(text);
    v1::Translation out;
    auto ctx = AuthContext(token);
    grpc::Status st = translations->Submit(ctx.get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  };

  // Both terms wrong: the UN translated otherwise, the name altered.
  v1::Translation first = submit(
      segments.translations(0),
      "Die UNO und Amnesty Internationale fordern den Frieden.");
  std::vector<v1::QaIssue> warnings = GlossaryWarnings(first);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].severity(), v1::QA_SEVERITY_WARNING);
  EXPECT_NE(warnings[0].message().find("Vereinte Nationen"),
            std::string::npos);
  EXPECT_NE(warnings[1].message().find("Amnesty International\" unchanged"),
            std::string::npos);

  // Corrected, the warnings go.
  v1::Translation fixed = submit(
      first, "Die Vereinte Nationen und Amnesty International fordern den "
             "Frieden.");
  EXPECT_TRUE(GlossaryWarnings(fixed).empty());
  v1::Translation second = submit(segments.translations(1),
                                  "Amnesty International verlangt Recht.");
  EXPECT_TRUE(GlossaryWarnings(second).empty());
}

}  // namespace
}  // namespace tessera::testing

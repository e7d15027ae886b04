// A real server with two coordinators (one submits, the other approves),
// for the text-fidelity regression tests. Test-only.
#ifndef TESSERA_TESTS_INTEGRATION_FIDELITY_FIXTURE_H_
#define TESSERA_TESTS_INTEGRATION_FIDELITY_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tessera/v1/publication.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {

class FidelityTest : public ::testing::Test {
 protected:
  FidelityTest() {
    submitter_ = ts_.CreateUserWithToken(
        "c1", {Grant(v1::ROLE_COORDINATOR, {"en", "de", "fr"})});
    approver_ = ts_.CreateUserWithToken(
        "c2", {Grant(v1::ROLE_COORDINATOR, {"en", "de", "fr"})});
  }

  using PublicationService = v1::PublicationService;
  using StatementService = v1::StatementService;
  using TranslationService = v1::TranslationService;

  v1::Statement Create(const std::string& source, const std::string& from,
                       v1::DocumentFormat format) {
    v1::CreateStatementRequest req;
    req.set_title("Statement");
    req.set_format(format);
    req.set_source(source);
    req.set_source_language(from);
    req.add_target_languages("en");
    auto ctx = AuthContext(submitter_);
    v1::Statement out;
    grpc::Status s = StatementService::NewStub(ts_.channel())
                         ->CreateStatement(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<v1::Translation> Segments(const std::string& statement,
                                        const std::string& text_query = "") {
    v1::ListSegmentsRequest req;
    req.set_parent(statement + "/languages/en");
    req.set_page_size(1000);
    req.set_text_query(text_query);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = TranslationService::NewStub(ts_.channel())
                         ->ListSegments(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.translations().begin(), resp.translations().end()};
  }

  grpc::Status SubmitApprove(const v1::Translation& t,
                             const v1::Content& content) {
    auto stub = TranslationService::NewStub(ts_.channel());
    v1::SubmitRequest sub;
    sub.set_name(t.name());
    sub.set_version(t.version());
    *sub.mutable_content() = content;
    v1::Translation done;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = stub->Submit(ctx.get(), sub, &done);
    if (!s.ok()) return s;
    v1::ApproveRequest app;
    app.set_name(t.name());
    app.set_version(done.version());
    auto actx = AuthContext(approver_);
    return stub->Approve(actx.get(), app, &done);
  }

  // Approves every segment as its own source text, publishes, and returns
  // the publication in its source format.
  std::string PublishIdentity(const std::string& statement) {
    for (const v1::Translation& t : Segments(statement)) {
      grpc::Status s = SubmitApprove(t, t.source().content());
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    auto pubs = PublicationService::NewStub(ts_.channel());
    v1::PublishRequest req;
    req.set_statement(statement);
    req.set_language("en");
    v1::Publication pub;
    auto ctx = AuthContext(submitter_);
    grpc::Status s = pubs->Publish(ctx.get(), req, &pub);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::GetPublicationRequest get;
    get.set_name(pub.name());
    v1::GetPublicationResponse doc;
    auto gctx = AuthContext(submitter_);
    s = pubs->GetPublication(gctx.get(), get, &doc);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return doc.content();
  }

  TestServer ts_;
  std::string submitter_, approver_;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_INTEGRATION_FIDELITY_FIXTURE_H_

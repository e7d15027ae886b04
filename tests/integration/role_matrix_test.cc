// Calls every registered tessera.v1 method as every kind of caller and
// checks who gets through the authorisation table. The expected matrix is
// written out here, independently of services/common/policy.cc, and every
// method the server registers must appear in it: a new method cannot ship
// without its row.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <map>
#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

enum Persona {
  kAnonymous,  // No token at all.
  kNoRoles,    // A valid token, no grants.
  kAdmin,
  kCoordinator,
  kTranslator,
  kReviewer,
  kService,
};
const char* PersonaName(Persona p) {
  static const char* names[] = {"anonymous",   "no-roles",   "admin",
                                "coordinator", "translator", "reviewer",
                                "service"};
  return names[p];
}
const Persona kAllPersonas[] = {kAnonymous,  kNoRoles,  kAdmin,  kCoordinator,
                                kTranslator, kReviewer, kService};

const std::set<Persona> kAuthenticated = {kNoRoles,    kAdmin,    kCoordinator,
                                          kTranslator, kReviewer, kService};
const std::set<Persona> kAdminOnly = {kAdmin};
const std::set<Persona> kStatementWriters = {kAdmin, kCoordinator};
const std::set<Persona> kStatementReaders = {kAdmin, kCoordinator, kTranslator,
                                             kReviewer, kService};
const std::set<Persona> kTranslationWriters = {kAdmin, kCoordinator,
                                               kTranslator};
const std::set<Persona> kTranslationReviewers = {kAdmin, kCoordinator,
                                                 kReviewer};
const std::set<Persona> kCommenters = {kAdmin, kCoordinator, kTranslator,
                                       kReviewer};
const std::set<Persona> kWatchers = {kAdmin, kCoordinator, kService};

// Who may call what. Admin may call everything.
const std::map<std::string, std::set<Persona>>& ExpectedMatrix() {
  static const auto* m = new std::map<std::string, std::set<Persona>>{
      {"/tessera.v1.IdentityService/CreateUser", kAdminOnly},
      {"/tessera.v1.IdentityService/ListUsers", kAdminOnly},
      {"/tessera.v1.IdentityService/SetRoles", kAdminOnly},
      {"/tessera.v1.IdentityService/IssueToken", kAuthenticated},
      {"/tessera.v1.IdentityService/ListTokens", kAuthenticated},
      {"/tessera.v1.IdentityService/RevokeToken", kAuthenticated},
      {"/tessera.v1.IdentityService/WhoAmI", kAuthenticated},
      {"/tessera.v1.StatementService/CreateStatement", kStatementWriters},
      {"/tessera.v1.StatementService/GetStatement", kStatementReaders},
      {"/tessera.v1.StatementService/ListStatements", kStatementReaders},
      {"/tessera.v1.StatementService/UpdateStatement", kStatementWriters},
      {"/tessera.v1.StatementService/ReviseStatement", kStatementWriters},
      {"/tessera.v1.StatementService/OpenStatement", kStatementWriters},
      {"/tessera.v1.StatementService/CloseStatement", kStatementWriters},
      {"/tessera.v1.StatementService/ArchiveStatement", kStatementWriters},
      {"/tessera.v1.StatementService/GetRevision", kStatementReaders},
      {"/tessera.v1.StatementService/ListRevisions", kStatementReaders},
      {"/tessera.v1.StatementService/GetSourceSegment", kStatementReaders},
      {"/tessera.v1.StatementService/ListSourceSegments", kStatementReaders},
      {"/tessera.v1.TranslationService/ListSegments", kStatementReaders},
      {"/tessera.v1.TranslationService/GetSegment", kStatementReaders},
      {"/tessera.v1.TranslationService/GetHistory", kStatementReaders},
      {"/tessera.v1.TranslationService/ListComments", kStatementReaders},
      {"/tessera.v1.TranslationService/SaveDraft", kTranslationWriters},
      {"/tessera.v1.TranslationService/Submit", kTranslationWriters},
      {"/tessera.v1.TranslationService/Approve", kTranslationReviewers},
      {"/tessera.v1.TranslationService/Reject", kTranslationReviewers},
      {"/tessera.v1.TranslationService/Reopen", kStatementWriters},
      {"/tessera.v1.TranslationService/AddComment", kCommenters},
      {"/tessera.v1.PublicationService/Publish", kStatementWriters},
      {"/tessera.v1.PublicationService/GetPublication", kStatementReaders},
      {"/tessera.v1.PublicationService/ListPublications", kStatementReaders},
      {"/tessera.v1.PublicationService/WatchPublications", kWatchers},
  };
  return *m;
}

std::vector<std::string> RegisteredTesseraMethods(Tesserad& server) {
  std::vector<std::string> methods;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : server.ServiceNames()) {
    const auto* svc = pool->FindServiceByName(name);
    EXPECT_NE(svc, nullptr) << name;
    if (svc == nullptr) continue;
    for (int i = 0; i < svc->method_count(); ++i) {
      methods.push_back("/" + svc->full_name() + "/" + svc->method(i)->name());
    }
  }
  return methods;
}

// Calls `method` with an empty request message. A stream that is let in
// keeps running, so it gets a short deadline and ends DEADLINE_EXCEEDED.
grpc::Status CallEmpty(grpc::GenericStub& stub, const std::string& method,
                       const std::string& token, bool streaming) {
  grpc::ClientContext ctx;
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(streaming ? 1 : 10));
  grpc::ByteBuffer request;  // Zero bytes: an empty proto message.
  grpc::Slice empty("", 0);
  request = grpc::ByteBuffer(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

TEST(RoleMatrixTest, EveryMethodAdmitsExactlyTheExpectedRoles) {
  TestServer ts;
  std::map<Persona, std::string> tokens;
  tokens[kAnonymous] = "";
  tokens[kAdmin] = ts.admin_token();
  tokens[kNoRoles] = ts.CreateUserWithToken("nobody", {});
  tokens[kCoordinator] =
      ts.CreateUserWithToken("coord", {Grant(v1::ROLE_COORDINATOR, {"de"})});
  tokens[kTranslator] =
      ts.CreateUserWithToken("trans", {Grant(v1::ROLE_TRANSLATOR, {"de"})});
  tokens[kReviewer] =
      ts.CreateUserWithToken("rev", {Grant(v1::ROLE_REVIEWER, {"de"})});
  tokens[kService] = ts.CreateUserWithToken("svc", {Grant(v1::ROLE_SERVICE)});

  std::vector<std::string> methods = RegisteredTesseraMethods(ts.server());
  std::set<std::string> streaming;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : ts.server().ServiceNames()) {
    const auto* svc = pool->FindServiceByName(name);
    for (int i = 0; svc != nullptr && i < svc->method_count(); ++i) {
      if (svc->method(i)->server_streaming()) {
        streaming.insert("/" + svc->full_name() + "/" + svc->method(i)->name());
      }
    }
  }
  ASSERT_FALSE(methods.empty());
  grpc::GenericStub stub(ts.channel());
  int checked = 0;
  for (const auto& method : methods) {
    auto row = ExpectedMatrix().find(method);
    ASSERT_NE(row, ExpectedMatrix().end())
        << method << " is registered but has no row in the role matrix";
    for (Persona p : kAllPersonas) {
      grpc::Status s =
          CallEmpty(stub, method, tokens[p], streaming.count(method) > 0);
      SCOPED_TRACE(method + " as " + PersonaName(p) + ": " +
                   std::to_string(s.error_code()) + " " + s.error_message());
      if (p == kAnonymous) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      } else if (row->second.count(p)) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      }
      ++checked;
    }
  }
  // Every row of the matrix is registered, too: no stale expectations.
  for (const auto& [method, personas] : ExpectedMatrix()) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), method), methods.end())
        << method << " is in the matrix but not served";
  }
  EXPECT_EQ(checked, static_cast<int>(methods.size() * 7));
}

}  // namespace
}  // namespace tessera::testing

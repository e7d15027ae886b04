// Calls every registered tessera.v1 method as every kind of caller and
// checks who gets through the authorisation table. The expected matrix is
// written out here, independently of services/common/policy.cc, and every
// method the server registers must appear in it: a new method cannot ship
// without its row.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
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
// The assignment core then limits translators and reviewers to their own
// assignments and leases.
const std::set<Persona> kWorkers = kCommenters;
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
      {"/tessera.v1.AssignmentService/Assign", kStatementWriters},
      {"/tessera.v1.AssignmentService/GetAssignment", kWorkers},
      {"/tessera.v1.AssignmentService/UpdateAssignment", kStatementWriters},
      {"/tessera.v1.AssignmentService/Unassign", kStatementWriters},
      {"/tessera.v1.AssignmentService/ListAssignments", kWorkers},
      {"/tessera.v1.AssignmentService/ClaimNext", kWorkers},
      {"/tessera.v1.AssignmentService/RenewLease", kWorkers},
      {"/tessera.v1.AssignmentService/ReleaseLease", kWorkers},
      {"/tessera.v1.AssignmentService/GetProgress", kWorkers},
      {"/tessera.v1.AssignmentService/GetMyWork", kAuthenticated},
      {"/tessera.v1.PublicationService/Publish", kStatementWriters},
      {"/tessera.v1.PublicationService/GetPublication", kStatementReaders},
      {"/tessera.v1.PublicationService/ListPublications", kStatementReaders},
      {"/tessera.v1.PublicationService/WatchPublications", kWatchers},
      {"/tessera.v1.MemoryService/Lookup", kCommenters},
      {"/tessera.v1.MemoryService/GetSuggestions", kCommenters},
      {"/tessera.v1.MemoryService/SearchConcordance", kCommenters},
      {"/tessera.v1.MemoryService/GetGlossaryEntry", kStatementReaders},
      {"/tessera.v1.MemoryService/ListGlossaryEntries", kStatementReaders},
      {"/tessera.v1.MemoryService/CreateGlossaryEntry", kStatementWriters},
      {"/tessera.v1.MemoryService/UpdateGlossaryEntry", kStatementWriters},
      {"/tessera.v1.MemoryService/DeleteGlossaryEntry", kStatementWriters},
      {"/tessera.v1.MemoryService/ImportTmx", kStatementWriters},
      {"/tessera.v1.MemoryService/ExportTmx", kStatementWriters},
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
        // Clients (the web workbench among them) read which call was
        // refused from the details, not from the message.
        std::optional<google::rpc::ErrorInfo> info =
            Detail<google::rpc::ErrorInfo>(s);
        ASSERT_TRUE(info.has_value());
        EXPECT_EQ(info->reason(), "ROLE_DENIED");
        EXPECT_EQ(info->metadata().at("method"), method);
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

// The segment rule on top of the table: a translator or reviewer may change
// a segment only while holding its lease or an active assignment covering
// it for the right role; coordinators and admins may always. One row per
// mutating TranslationService call and kind of caller.
enum class Holding {
  kNothing,           // the role, but no lease or assignment
  kLease,             // a ClaimNext lease on the segment, for the role
  kAssignment,        // an assignment covering the segment, for the role
  kOtherLease,        // a lease on another segment
  kWrongRoleLease,    // a lease on the segment for the other role
  kRoleAlone,         // coordinator or admin: no lease needed
};
const char* HoldingName(Holding h) {
  static const char* names[] = {"nothing",    "lease",
                                "assignment", "other-lease",
                                "wrong-role-lease", "role-alone"};
  return names[static_cast<int>(h)];
}

std::string ReasonOf(const grpc::Status& s) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(s.error_details())) return "";
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

class SegmentRuleTest : public ::testing::Test {
 protected:
  SegmentRuleTest() {
    statements_ = v1::StatementService::NewStub(ts_.channel());
    translations_ = v1::TranslationService::NewStub(ts_.channel());
    assignments_ = v1::AssignmentService::NewStub(ts_.channel());
    coordinator_ = ts_.CreateUserWithToken(
        "coord", {Grant(v1::ROLE_COORDINATOR, {"de"})});
    preparer_ = ts_.CreateUserWithToken(
        "preparer", {Grant(v1::ROLE_COORDINATOR, {"de"})});
    admin_ = ts_.admin_token();
    v1::CreateStatementRequest req;
    req.set_title("Rule");
    req.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
    std::string source;
    for (int i = 1; i <= 150; ++i) {
      source += "Sentence " + std::to_string(i) + " of the rule test.\n\n";
    }
    req.set_source(source);
    req.set_source_language("en");
    req.add_target_languages("de");
    req.set_allow_open_claiming(true);
    auto ctx = AuthContext(coordinator_);
    EXPECT_TRUE(statements_->CreateStatement(ctx.get(), req, &statement_).ok());
  }

  v1::Translation Get(const std::string& name) {
    v1::GetSegmentRequest req;
    req.set_name(name);
    v1::Translation t;
    auto ctx = AuthContext(coordinator_);
    EXPECT_TRUE(translations_->GetSegment(ctx.get(), req, &t).ok());
    return t;
  }

  grpc::Status Act(const std::string& method, const std::string& token,
                   const std::string& name) {
    const v1::Translation t = Get(name);
    v1::Translation out;
    auto ctx = AuthContext(token);
    if (method == "SaveDraft") {
      v1::SaveDraftRequest req;
      req.set_name(name);
      req.set_version(t.version());
      req.mutable_content()->set_text("Entwurf.");
      return translations_->SaveDraft(ctx.get(), req, &out);
    }
    if (method == "Submit") {
      v1::SubmitRequest req;
      req.set_name(name);
      req.set_version(t.version());
      req.mutable_content()->set_text(t.source().content().text());
      return translations_->Submit(ctx.get(), req, &out);
    }
    if (method == "Approve") {
      v1::ApproveRequest req;
      req.set_name(name);
      req.set_version(t.version());
      return translations_->Approve(ctx.get(), req, &out);
    }
    if (method == "Reject") {
      v1::RejectRequest req;
      req.set_name(name);
      req.set_version(t.version());
      req.set_reason("Nein.");
      return translations_->Reject(ctx.get(), req, &out);
    }
    v1::ReopenRequest req;
    req.set_name(name);
    req.set_version(t.version());
    return translations_->Reopen(ctx.get(), req, &out);
  }

  // Brings segment `name` to the state `method` starts from: untranslated
  // for SaveDraft and Submit, translated for Approve and Reject, approved
  // for Reopen.
  void Prepare(const std::string& method, const std::string& name) {
    if (method == "SaveDraft" || method == "Submit") return;
    // By a coordinator who is never the actor, so four eyes never refuses.
    ASSERT_TRUE(Act("Submit", preparer_, name).ok());
    if (method == "Reopen") {
      ASSERT_TRUE(Act("Approve", admin_, name).ok());
    }
  }

  // Makes a user with `role` in German and returns its token.
  std::string NewUser(v1::Role role) {
    return ts_.CreateUserWithToken("u" + std::to_string(++users_),
                                   {Grant(role, {"de"})});
  }

  // The translation a ClaimNext hands `token` for `role`.
  std::string Claim(const std::string& token, v1::AssignmentRole role) {
    v1::ClaimNextRequest req;
    req.set_statement(statement_.name());
    req.set_language("de");
    req.set_role(role);
    v1::ClaimNextResponse resp;
    auto ctx = AuthContext(token);
    grpc::Status s = assignments_->ClaimNext(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.translation().name();
  }

  void Assign(const std::string& user, const std::string& name,
              v1::AssignmentRole role) {
    v1::AssignRequest req;
    req.set_statement(statement_.name());
    req.set_language("de");
    req.set_role(role);
    req.mutable_scope()->mutable_segments()->add_segment_ids(
        name.substr(name.rfind('/') + 1));
    req.set_assignee("users/" + user);
    v1::Assignment a;
    auto ctx = AuthContext(coordinator_);
    grpc::Status s = assignments_->Assign(ctx.get(), req, &a);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A segment no one holds, in the state `method` starts from.
  std::string FreshSegment(const std::string& method) {
    v1::ListSegmentsRequest req;
    req.set_parent(statement_.name() + "/languages/de");
    req.set_page_size(1000);
    req.add_states(v1::SEGMENT_STATE_UNTRANSLATED);
    v1::ListSegmentsResponse resp;
    auto ctx = AuthContext(coordinator_);
    EXPECT_TRUE(translations_->ListSegments(ctx.get(), req, &resp).ok());
    // From the end, away from what claims take first.
    std::string name =
        resp.translations(resp.translations_size() - 1 - used_++).name();
    Prepare(method, name);
    return name;
  }

  TestServer ts_;
  std::unique_ptr<v1::StatementService::Stub> statements_;
  std::unique_ptr<v1::TranslationService::Stub> translations_;
  std::unique_ptr<v1::AssignmentService::Stub> assignments_;
  std::string coordinator_, preparer_, admin_;
  v1::Statement statement_;
  int users_ = 0;
  int used_ = 0;
};

TEST_F(SegmentRuleTest, EveryMutationNeedsALeaseOrAnAssignment) {
  struct Row {
    std::string method;
    Persona persona;
    Holding holding;
    bool allowed;
    // ErrorInfo reason when refused by the segment rule; empty when the
    // method table refuses the role before the rule is asked.
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"SaveDraft", kTranslator, Holding::kNothing, false, "NOT_ASSIGNED"},
      {"SaveDraft", kTranslator, Holding::kLease, true, ""},
      {"SaveDraft", kTranslator, Holding::kAssignment, true, ""},
      {"SaveDraft", kTranslator, Holding::kOtherLease, false, "NOT_ASSIGNED"},
      {"SaveDraft", kReviewer, Holding::kNothing, false, ""},
      {"SaveDraft", kCoordinator, Holding::kRoleAlone, true, ""},
      {"SaveDraft", kAdmin, Holding::kRoleAlone, true, ""},
      {"Submit", kTranslator, Holding::kNothing, false, "NOT_ASSIGNED"},
      {"Submit", kTranslator, Holding::kLease, true, ""},
      {"Submit", kTranslator, Holding::kAssignment, true, ""},
      {"Submit", kTranslator, Holding::kOtherLease, false, "NOT_ASSIGNED"},
      {"Submit", kReviewer, Holding::kNothing, false, ""},
      {"Submit", kCoordinator, Holding::kRoleAlone, true, ""},
      {"Submit", kAdmin, Holding::kRoleAlone, true, ""},
      {"Approve", kReviewer, Holding::kNothing, false, "NOT_ASSIGNED"},
      {"Approve", kReviewer, Holding::kLease, true, ""},
      {"Approve", kReviewer, Holding::kAssignment, true, ""},
      {"Approve", kReviewer, Holding::kOtherLease, false, "NOT_ASSIGNED"},
      {"Approve", kTranslator, Holding::kWrongRoleLease, false, ""},
      {"Approve", kCoordinator, Holding::kRoleAlone, true, ""},
      {"Approve", kAdmin, Holding::kRoleAlone, true, ""},
      {"Reject", kReviewer, Holding::kNothing, false, "NOT_ASSIGNED"},
      {"Reject", kReviewer, Holding::kLease, true, ""},
      {"Reject", kReviewer, Holding::kAssignment, true, ""},
      {"Reject", kReviewer, Holding::kOtherLease, false, "NOT_ASSIGNED"},
      {"Reject", kTranslator, Holding::kWrongRoleLease, false, ""},
      {"Reject", kCoordinator, Holding::kRoleAlone, true, ""},
      {"Reject", kAdmin, Holding::kRoleAlone, true, ""},
      {"Reopen", kReviewer, Holding::kNothing, false, ""},
      {"Reopen", kTranslator, Holding::kNothing, false, ""},
      {"Reopen", kCoordinator, Holding::kRoleAlone, true, ""},
      {"Reopen", kAdmin, Holding::kRoleAlone, true, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.method + " as " + PersonaName(row.persona) + " holding " +
                 HoldingName(row.holding));
    const bool review = row.method == "Approve" || row.method == "Reject";
    const v1::AssignmentRole role =
        review ? v1::ASSIGNMENT_ROLE_REVIEW : v1::ASSIGNMENT_ROLE_TRANSLATE;
    std::string token, name;
    switch (row.persona) {
      case kAdmin:
        token = admin_;
        break;
      case kCoordinator:
        token = coordinator_;
        break;
      case kTranslator:
        token = NewUser(v1::ROLE_TRANSLATOR);
        break;
      case kReviewer:
        token = NewUser(v1::ROLE_REVIEWER);
        break;
      default:
        FAIL();
    }
    const std::string user = "u" + std::to_string(users_);
    switch (row.holding) {
      case Holding::kLease: {
        // Claims take the first open segment; make sure one is ready.
        Prepare(row.method, FreshSegment("SaveDraft"));
        name = Claim(token, role);
        break;
      }
      case Holding::kAssignment:
        name = FreshSegment(row.method);
        Assign(user, name, role);
        break;
      case Holding::kOtherLease:
        Prepare(row.method, FreshSegment("SaveDraft"));
        Claim(token, role);
        name = FreshSegment(row.method);
        break;
      case Holding::kWrongRoleLease: {
        // A translate lease, then the segment is submitted by someone else.
        name = Claim(token, v1::ASSIGNMENT_ROLE_TRANSLATE);
        ASSERT_TRUE(Act("Submit", preparer_, name).ok());
        break;
      }
      case Holding::kNothing:
      case Holding::kRoleAlone:
        name = FreshSegment(row.method);
        break;
    }
    ASSERT_FALSE(name.empty());
    grpc::Status s = Act(row.method, token, name);
    if (row.allowed) {
      EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << s.error_message();
      if (!row.reason.empty()) {
        EXPECT_EQ(ReasonOf(s), row.reason);
      }
    }
  }
}

}  // namespace
}  // namespace tessera::testing

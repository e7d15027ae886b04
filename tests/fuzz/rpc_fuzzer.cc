// Fuzzes one gRPC service of a real tesserad (TESSERA_FUZZ_SERVICE, such as
// "tessera.v1.StatementService"), started once per process on 127.0.0.1:0
// over a fresh store in a temp directory, with users of every role and a
// statement under way. Each input is parsed as the request message of one
// method and sent as one caller; the call must not fail with INTERNAL,
// UNKNOWN, DATA_LOSS or UNIMPLEMENTED, must finish well within its deadline,
// and its error details, when present, must carry the call's own code. Every
// few hundred calls the server must still answer WhoAmI.
//
// Input: byte 0 picks the method (in the service's declaration order),
// byte 1 the caller, the rest is the serialised request.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/temp_dir.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/rpc/status.pb.h"
#include "server/tesserad.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/identity.grpc.pb.h"
#include "tessera/v1/publication.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/fuzz/fuzz_util.h"

namespace tessera::fuzz {
namespace {

namespace pb = google::protobuf;

// Callers, by byte 1 of the input (modulo the count).
enum Persona {
  kAdmin,
  kCoordinator,
  kTranslator,
  kReviewer,
  kService,
  kNoRoles,
  kAnonymous,
  kBadToken,
  kPersonaCount
};

constexpr int kCallDeadlineSeconds = 20;
constexpr int kStreamDeadlineMillis = 150;
constexpr int kLivenessEvery = 256;

struct Step {
  const char* method;  // "Service/Method" under tessera.v1
  Persona persona;
  const char* request;  // text format; $S1 and $SEGn are substituted
};

// Run once at start-up, in order, to bring the store to a state where most
// methods have something to act on; every step is also a seed. Failures are
// reported and tolerated (a later contract change must not stop the fuzzer).
const Step kSteps[] = {
    {"IdentityService/CreateUser", kAdmin,
     R"(user_id: "coord" roles { role: ROLE_COORDINATOR })"},
    {"IdentityService/CreateUser", kAdmin,
     R"(user_id: "tr" roles { role: ROLE_TRANSLATOR languages: "de" })"},
    {"IdentityService/CreateUser", kAdmin,
     R"(user_id: "rv" roles { role: ROLE_REVIEWER languages: "de" })"},
    {"IdentityService/CreateUser", kAdmin,
     R"(user_id: "svc" roles { role: ROLE_SERVICE })"},
    {"IdentityService/CreateUser", kAdmin, R"(user_id: "nobody")"},
    {"StatementService/CreateStatement", kCoordinator,
     R"(statement_id: "s1" title: "Appel" format: DOCUMENT_FORMAT_MARKDOWN
        source_language: "fr" target_languages: "de" target_languages: "en"
        allow_open_claiming: true
        source: "# Appel\n\nNous *exigeons* un cessez-le-feu. Maintenant !\n\n- [ICOR](https://icor.info) 2025\n\n| a | b |\n|---|---|\n| un | deux |\n")"},
    {"StatementService/CreateStatement", kCoordinator,
     R"(statement_id: "s2" title: "Texte" format: DOCUMENT_FORMAT_PLAIN_TEXT
        source_language: "en" target_languages: "fr" review_rounds: 2
        source: "One line.\nTwo lines.\n\nAnother paragraph.\n")"},
    {"StatementService/GetStatement", kCoordinator, R"(name: "statements/s1")"},
    {"StatementService/ListSourceSegments", kTranslator,
     R"(parent: "statements/s1")"},
    {"StatementService/ListStatements", kService, R"(page_size: 2)"},
    {"StatementService/ListRevisions", kCoordinator,
     R"(parent: "statements/s1")"},
    {"StatementService/GetSourceSegment", kTranslator,
     R"(name: "statements/s1/segments/$SEG0")"},
    {"AssignmentService/Assign", kCoordinator,
     R"(statement: "statements/s1" language: "de"
        role: ASSIGNMENT_ROLE_TRANSLATE assignee: "users/tr"
        scope { whole_language {} })"},
    {"AssignmentService/ClaimNext", kTranslator,
     R"(statement: "statements/s1" language: "de"
        role: ASSIGNMENT_ROLE_TRANSLATE context_size: 2)"},
    {"TranslationService/SaveDraft", kTranslator,
     R"(name: "statements/s1/languages/de/segments/$SEG0" version: 1
        content { text: "Aufruf" })"},
    {"TranslationService/Submit", kTranslator,
     R"(name: "statements/s1/languages/de/segments/$SEG0" version: 2
        content { text: "Aufruf" })"},
    {"TranslationService/Submit", kCoordinator,
     R"(name: "statements/s1/languages/de/segments/$SEG1" version: 1
        content { text: "Wir {1}fordern{/1} einen Waffenstillstand." })"},
    {"TranslationService/Approve", kCoordinator,
     R"(name: "statements/s1/languages/de/segments/$SEG0" version: 3)"},
    {"TranslationService/Reject", kCoordinator,
     R"(name: "statements/s1/languages/de/segments/$SEG1" version: 2
        reason: "falsch")"},
    {"TranslationService/AddComment", kTranslator,
     R"(parent: "statements/s1/languages/de/segments/$SEG0" text: "ok?")"},
    {"TranslationService/ListComments", kReviewer,
     R"(parent: "statements/s1/languages/de/segments/$SEG0")"},
    {"TranslationService/GetHistory", kCoordinator,
     R"(name: "statements/s1/languages/de/segments/$SEG0")"},
    {"TranslationService/ListSegments", kTranslator,
     R"(parent: "statements/s1/languages/de" page_size: 3 text_query: "Wir")"},
    {"TranslationService/GetSegment", kReviewer,
     R"(name: "statements/s1/languages/de/segments/$SEG1")"},
    {"TranslationService/Reopen", kCoordinator,
     R"(name: "statements/s1/languages/de/segments/$SEG0" version: 4
        reason: "again")"},
    {"AssignmentService/GetProgress", kCoordinator,
     R"(statement: "statements/s1" languages: "de")"},
    {"AssignmentService/GetMyWork", kTranslator, R"(languages: "de")"},
    {"AssignmentService/ListAssignments", kCoordinator,
     R"(statement: "statements/s1")"},
    {"PublicationService/Publish", kCoordinator,
     R"(statement: "statements/s1" language: "de"
        policy: PUBLICATION_POLICY_SOURCE_FALLBACK)"},
    {"PublicationService/ListPublications", kService,
     R"(statement: "statements/s1" view: PUBLICATION_VIEW_FULL)"},
    {"PublicationService/GetPublication", kService,
     R"(name: "statements/s1/languages/de/publications/latest"
        format: DOCUMENT_FORMAT_MARKDOWN view: PUBLICATION_VIEW_FULL)"},
    {"PublicationService/WatchPublications", kService, R"()"},
    {"StatementService/ReviseStatement", kCoordinator,
     R"(statement: "statements/s2" version: 1 note: "fix"
        source: "One line.\nTwo lines!\n\nAnother paragraph.\n")"},
    {"StatementService/CloseStatement", kCoordinator,
     R"(name: "statements/s2" version: 2)"},
    {"IdentityService/ListTokens", kTranslator, R"(user: "users/tr")"},
    {"IdentityService/WhoAmI", kReviewer, R"()"},
};

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Tesserad> server;
  std::shared_ptr<grpc::Channel> channel;
  std::string tokens[kPersonaCount];
  std::map<std::string, std::string> vars;
  // The fuzzed service's methods, in declaration order.
  std::vector<const pb::MethodDescriptor*> methods;
  uint64_t calls = 0;
};

Fixture* fixture = nullptr;

// Errors the server logs: internal errors it hid from the client, failed
// background work. Each one fails the input that was running.
absl::Mutex log_mu;
std::string* logged_errors = new std::string;

const pb::MethodDescriptor* FindMethod(std::string_view name) {
  size_t slash = name.find('/');
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          "tessera.v1." + std::string(name.substr(0, slash)));
  if (service == nullptr) return nullptr;
  return service->FindMethodByName(std::string(name.substr(slash + 1)));
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* d) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(d)->New());
}

std::string Path(const pb::MethodDescriptor* m) {
  return "/" + m->service()->full_name() + "/" + m->name();
}

struct Outcome {
  grpc::Status status;
  std::unique_ptr<pb::Message> response;
};

Outcome Call(const pb::MethodDescriptor* method, Persona persona,
             const pb::Message& request) {
  grpc::ClientContext ctx;
  const std::string& token = fixture->tokens[persona];
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  Outcome out;
  out.response = NewMessage(method->output_type());
  std::string path = Path(method);
  if (method->server_streaming()) {
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kStreamDeadlineMillis));
    std::unique_ptr<grpc::ClientReader<pb::Message>> reader(
        grpc::internal::ClientReaderFactory<pb::Message>::Create(
        fixture->channel.get(),
        grpc::internal::RpcMethod(path.c_str(),
                                  grpc::internal::RpcMethod::SERVER_STREAMING),
            &ctx, request));
    for (int i = 0; i < 16 && reader->Read(out.response.get()); ++i) {
    }
    ctx.TryCancel();
    out.status = reader->Finish();
    return out;
  }
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(kCallDeadlineSeconds));
  out.status = grpc::internal::BlockingUnaryCall<pb::Message, pb::Message>(
      fixture->channel.get(),
      grpc::internal::RpcMethod(path.c_str(),
                                grpc::internal::RpcMethod::NORMAL_RPC),
      &ctx, request, out.response.get());
  return out;
}

std::string Substitute(std::string text) {
  for (const auto& [k, v] : fixture->vars) {
    for (size_t at; (at = text.find(k)) != std::string::npos;) {
      text.replace(at, k.size(), v);
    }
  }
  return text;
}

std::string IssueToken(const std::string& user) {
  auto stub = v1::IdentityService::NewStub(fixture->channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + fixture->tokens[kAdmin]);
  v1::IssueTokenRequest req;
  req.set_user("users/" + user);
  v1::IssueTokenResponse resp;
  grpc::Status s = stub->IssueToken(&ctx, req, &resp);
  FUZZ_CHECK(s.ok(), "IssueToken " + user + ": " + s.error_message());
  return resp.secret();
}

// Parses a step's request, or aborts: the steps are part of this file.
std::unique_ptr<pb::Message> StepRequest(const Step& step,
                                         const pb::MethodDescriptor** method) {
  *method = FindMethod(step.method);
  FUZZ_CHECK(*method != nullptr, std::string("no method ") + step.method);
  auto req = NewMessage((*method)->input_type());
  FUZZ_CHECK(pb::TextFormat::ParseFromString(Substitute(step.request),
                                             req.get()),
             std::string("bad step request for ") + step.method);
  return req;
}

void Setup() {
  SetLogSink([](LogLevel level, std::string_view component,
                std::string_view message) {
    std::fprintf(stderr, "tesserad: %.*s: %.*s\n",
                 static_cast<int>(component.size()), component.data(),
                 static_cast<int>(message.size()), message.data());
    if (level != LogLevel::kError) return;
    absl::MutexLock lock(&log_mu);
    logged_errors->append(component.data(), component.size());
    logged_errors->append(": ");
    logged_errors->append(message.data(), message.size());
    logged_errors->append("\n");
  });
  fixture = new Fixture;
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = fixture->dir.Sub("data");
  options.worker_threads = 4;
  options.block_cache_bytes = size_t{8} << 20;
  options.shutdown_grace = absl::ZeroDuration();
  // Parse in process, so that the sanitizers see the parsers and each input
  // does not pay for a child process.
  options.isolate_parsing = false;
  auto server = Tesserad::Start(options);
  FUZZ_CHECK(server.ok(), server.status().ToString());
  fixture->server = *std::move(server);
  fixture->channel = grpc::CreateChannel(fixture->server->address(),
                                         grpc::InsecureChannelCredentials());
  fixture->tokens[kAdmin] = fixture->server->first_start_admin_token();
  fixture->tokens[kBadToken] = "tsr_not-a-real-token";

  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          TESSERA_FUZZ_SERVICE);
  FUZZ_CHECK(service != nullptr, TESSERA_FUZZ_SERVICE);
  for (int i = 0; i < service->method_count(); ++i) {
    fixture->methods.push_back(service->method(i));
  }

  for (const Step& step : kSteps) {
    const pb::MethodDescriptor* method;
    auto req = StepRequest(step, &method);
    Outcome out = Call(method, step.persona, *req);
    if (!out.status.ok() && !method->server_streaming()) {
      std::fprintf(stderr, "rpc_fuzzer: set-up step %s: %d %s\n", step.method,
                   out.status.error_code(), out.status.error_message().c_str());
    }
    std::string name = step.method;
    if (name == "IdentityService/CreateUser" && out.status.ok()) {
      auto* u = dynamic_cast<v1::CreateUserRequest*>(req.get());
      const std::string& id = u->user_id();
      std::string token = IssueToken(id);
      if (id == "coord") fixture->tokens[kCoordinator] = token;
      if (id == "tr") fixture->tokens[kTranslator] = token;
      if (id == "rv") fixture->tokens[kReviewer] = token;
      if (id == "svc") fixture->tokens[kService] = token;
      if (id == "nobody") fixture->tokens[kNoRoles] = token;
    }
    if (name == "StatementService/ListSourceSegments" && out.status.ok()) {
      auto* r =
          dynamic_cast<v1::ListSourceSegmentsResponse*>(out.response.get());
      for (int i = 0; i < r->source_segments_size(); ++i) {
        fixture->vars["$SEG" + std::to_string(i)] =
            r->source_segments(i).segment_id();
      }
    }
  }
  absl::MutexLock lock(&log_mu);
  if (!logged_errors->empty()) {
    std::fprintf(stderr, "rpc_fuzzer: errors logged during set-up:\n%s",
                 logged_errors->c_str());
    logged_errors->clear();
  }
}

// Seeds: every set-up step of this service, and an empty request to each
// method as each caller.
void WriteSeeds(const SeedSink& sink) {
  auto seed = [&](const pb::MethodDescriptor* m, Persona p,
                  const pb::Message& req) {
    for (size_t i = 0; i < fixture->methods.size(); ++i) {
      if (fixture->methods[i] != m) continue;
      std::string s;
      s.push_back(static_cast<char>(i));
      s.push_back(static_cast<char>(p));
      s += req.SerializeAsString();
      sink(s);
    }
  };
  for (const Step& step : kSteps) {
    const pb::MethodDescriptor* method;
    auto req = StepRequest(step, &method);
    seed(method, step.persona, *req);
  }
  for (const auto* m : fixture->methods) {
    auto empty = NewMessage(m->input_type());
    for (int p = 0; p < kPersonaCount; ++p) {
      seed(m, static_cast<Persona>(p), *empty);
    }
  }
}

bool Forbidden(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL ||
         code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS ||
         code == grpc::StatusCode::UNIMPLEMENTED;
}

}  // namespace
}  // namespace tessera::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tessera::fuzz::Setup();
  tessera::fuzz::MaybeWriteSeeds(tessera::fuzz::WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera::fuzz;
  if (size < 2) return -1;
  Fixture& f = *fixture;
  const pb::MethodDescriptor* method = f.methods[data[0] % f.methods.size()];
  Persona persona = static_cast<Persona>(data[1] % kPersonaCount);
  auto request = NewMessage(method->input_type());
  if (!request->ParseFromArray(data + 2, static_cast<int>(size - 2))) {
    return -1;
  }
  auto start = std::chrono::steady_clock::now();
  Outcome out = Call(method, persona, *request);
  auto took = std::chrono::steady_clock::now() - start;
  const std::string what = Path(method) + " as caller " +
                           std::to_string(persona) + ": " +
                           std::to_string(out.status.error_code()) + " " +
                           out.status.error_message() + "\nrequest: " +
                           request->ShortDebugString().substr(0, 2000);
  FUZZ_CHECK(!Forbidden(out.status.error_code()), what);
  if (!method->server_streaming()) {
    FUZZ_CHECK(out.status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
                   took < std::chrono::seconds(kCallDeadlineSeconds / 2),
               "slow call: " + what);
  }
  if (!out.status.ok() && !out.status.error_details().empty()) {
    google::rpc::Status details;
    FUZZ_CHECK(details.ParseFromString(out.status.error_details()),
               "error details do not parse: " + what);
    FUZZ_CHECK(details.code() == out.status.error_code(),
               "error details carry another code: " + what);
  }
  {
    absl::MutexLock lock(&log_mu);
    FUZZ_CHECK(logged_errors->empty(),
               "the server logged an error: " + *logged_errors + what);
  }
  if (++f.calls % kLivenessEvery == 0) {
    const auto* who = FindMethod("IdentityService/WhoAmI");
    auto req = NewMessage(who->input_type());
    Outcome alive = Call(who, kAdmin, *req);
    FUZZ_CHECK(alive.status.ok(),
               "server stopped answering: " + alive.status.error_message());
  }
  return 0;
}

// The tesserad binary as an operator runs it: `tesserad init`, a first
// start over an empty store, serving, and a clean stop on SIGTERM/SIGINT.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tessera/v1/identity.grpc.pb.h"

extern char** environ;

namespace tessera::testing {
namespace {

const std::string kTesserad =
    std::string(TESSERA_BINARY_DIR) + "/server/tesserad";
const std::regex kTokenLine("^tsr_[A-Za-z0-9_-]{43}$");

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// Starts tesserad with `args`, stdout and stderr going to files.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out,
            const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(kTesserad.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, kTesserad.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  EXPECT_EQ(rc, 0);
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Waits for "serving on HOST:PORT" in the stderr file; returns the address.
std::string WaitServing(const std::string& err) {
  std::regex serving("serving on (127\\.0\\.0\\.1:[0-9]+)");
  for (int i = 0; i < 300; ++i) {
    std::smatch m;
    std::string text = Slurp(err);
    if (std::regex_search(text, m, serving)) return m[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "tesserad did not start; stderr:\n" << Slurp(err);
  return "";
}

grpc::Status WhoAmI(const std::string& addr, const std::string& token,
                    v1::WhoAmIResponse* me) {
  auto stub = v1::IdentityService::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub->WhoAmI(&ctx, v1::WhoAmIRequest(), me);
}

std::set<std::string> ListServices(const std::string& addr) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  EXPECT_TRUE(stream->Write(req));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  std::set<std::string> names;
  while (stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) {
      names.insert(s.name());
    }
  }
  EXPECT_TRUE(stream->Finish().ok());
  return names;
}

TEST(TesseradProcessTest, InitPrintsATokenThatTheServerAccepts) {
  TempDir dir;
  std::string data = "--data_dir=" + dir.Sub("data");
  pid_t init = Spawn({"init", data}, dir.Sub("init.out"), dir.Sub("init.err"));
  ASSERT_EQ(WaitExit(init), 0) << Slurp(dir.Sub("init.err"));
  auto out = Lines(Slurp(dir.Sub("init.out")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::regex_match(out[0], kTokenLine)) << out[0];

  pid_t server = Spawn({"--listen=127.0.0.1:0", data, "--shutdown_grace=0s"},
                       dir.Sub("s.out"), dir.Sub("s.err"));
  std::string addr = WaitServing(dir.Sub("s.err"));
  ASSERT_FALSE(addr.empty());
  // Not a first start: no token is printed.
  EXPECT_EQ(Slurp(dir.Sub("s.err")).find("tsr_"), std::string::npos);

  // Health and reflection need no token.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext hctx;
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(
      health->Check(&hctx, grpc::health::v1::HealthCheckRequest(), &hresp)
          .ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  auto services = ListServices(addr);
  EXPECT_TRUE(services.count("tessera.v1.IdentityService"));
  EXPECT_TRUE(services.count("grpc.health.v1.Health"));
  EXPECT_TRUE(services.count("grpc.reflection.v1alpha.ServerReflection"));

  v1::WhoAmIResponse me;
  grpc::Status s = WhoAmI(addr, out[0], &me);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(me.user().user_id(), "admin");
  EXPECT_EQ(WhoAmI(addr, "", &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  kill(server, SIGTERM);
  EXPECT_EQ(WaitExit(server), 0);
  EXPECT_NE(Slurp(dir.Sub("s.err")).find("stopped cleanly"), std::string::npos);

  // A second init issues another, different, working token.
  pid_t init2 = Spawn({"init", data}, dir.Sub("i2.out"), dir.Sub("i2.err"));
  ASSERT_EQ(WaitExit(init2), 0);
  auto out2 = Lines(Slurp(dir.Sub("i2.out")));
  ASSERT_EQ(out2.size(), 1u);
  EXPECT_NE(out2[0], out[0]);
}

TEST(TesseradProcessTest, FirstStartPrintsAdminTokenOnStderr) {
  TempDir dir;
  pid_t server = Spawn({"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub("d"),
                        "--shutdown_grace=0s"},
                       dir.Sub("s.out"), dir.Sub("s.err"));
  std::string addr = WaitServing(dir.Sub("s.err"));
  ASSERT_FALSE(addr.empty());
  std::string token;
  for (const auto& line : Lines(Slurp(dir.Sub("s.err")))) {
    if (std::regex_match(line, kTokenLine)) token = line;
  }
  ASSERT_FALSE(token.empty()) << Slurp(dir.Sub("s.err"));
  EXPECT_NE(Slurp(dir.Sub("s.err")).find("authorization: Bearer"),
            std::string::npos);
  v1::WhoAmIResponse me;
  EXPECT_TRUE(WhoAmI(addr, token, &me).ok());
  kill(server, SIGINT);
  EXPECT_EQ(WaitExit(server), 0);
}

TEST(TesseradProcessTest, RefusesPlaintextOnAPublicAddressAndBadFlags) {
  TempDir dir;
  pid_t p = Spawn({"--listen=0.0.0.0:0", "--data_dir=" + dir.Sub("d")},
                  dir.Sub("o"), dir.Sub("e"));
  EXPECT_EQ(WaitExit(p), 1);
  EXPECT_NE(Slurp(dir.Sub("e")).find("refusing to serve plaintext"),
            std::string::npos);
  pid_t q = Spawn({"frobnicate"}, dir.Sub("o2"), dir.Sub("e2"));
  EXPECT_EQ(WaitExit(q), 2);
  pid_t h = Spawn({"--help"}, dir.Sub("o3"), dir.Sub("e3"));
  WaitExit(h);
  std::string help = Slurp(dir.Sub("o3")) + Slurp(dir.Sub("e3"));
  EXPECT_NE(help.find("tesserad init"), std::string::npos);
  EXPECT_NE(help.find("--data_dir"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
